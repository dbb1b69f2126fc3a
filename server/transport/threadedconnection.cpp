// SPDX-License-Identifier: MIT
#include "threadedconnection.h"

namespace whisper {

ThreadedConnection::ThreadedConnection(std::shared_ptr<IoChannel> channel, quint64 handle,
                                       const IoEvent::Opening &opening, QObject *parent)
    : Connection(parent)
    , m_channel(std::move(channel))
    , m_handle(handle)
    , m_peer(opening.peer)
    , m_requestUrl(opening.requestUrl)
    , m_origin(opening.origin) {
    m_channel->proxies.insert(m_handle, this);
}

ThreadedConnection::~ThreadedConnection() {
    m_channel->proxies.remove(m_handle);
    if (!m_closed)
        post(IoCommand::Kind::Abort, {}, 0);
}

bool ThreadedConnection::post(IoCommand::Kind kind, QByteArray data, int value) {
    IoCommand c;
    c.kind = kind;
    c.handle = m_handle;
    c.data = std::move(data);
    c.value = value;
    if (m_channel->holding) {
        m_channel->held.push_back(std::move(c));
        return true;
    }
    return m_channel->commands.push(std::move(c));
}

void ThreadedConnection::command(IoCommand::Kind kind, QByteArray data, int value) {
    if (!m_closed && !post(kind, std::move(data), value))
        reportGone();
}

// The I/O thread stopped (tear-down), taking the socket with it.
void ThreadedConnection::reportGone() {
    m_closed = true;
    m_closeCode = QWebSocketProtocol::CloseCodeAbnormalDisconnection;
    // Queued, like every transport's disconnected: callers must not see
    // their session vanish in the middle of what they do.
    QMetaObject::invokeMethod(this, &Connection::disconnected, Qt::QueuedConnection);
}

void ThreadedConnection::sendText(QByteArrayView utf8) {
    // Its own copy: the I/O thread reads it later, the caller reuses its buffer.
    command(IoCommand::Kind::Send, utf8.toByteArray());
}

void ThreadedConnection::ping() {
    command(IoCommand::Kind::Ping);
}

void ThreadedConnection::close(QWebSocketProtocol::CloseCode code, const QString &reason) {
    m_closing = true;
    command(IoCommand::Kind::Close, reason.toUtf8(), int(code));
}

void ThreadedConnection::abort() {
    m_closing = true;
    command(IoCommand::Kind::Abort);
}

void ThreadedConnection::deliver(IoEvent &event) {
    switch (event.kind) {
    // Like the native transport itself: once closing, messages that were
    // already on their way are dropped; pongs still count as signs of life.
    case IoEvent::Kind::Text:
        if (!m_closing)
            receiveText(event.data);
        break;
    case IoEvent::Kind::Binary:
        if (!m_closing)
            receiveBinary(event.data);
        break;
    case IoEvent::Kind::Pong:
        Q_EMIT pong();
        break;
    case IoEvent::Kind::Closed:
        if (m_closed)
            return;
        m_closed = true;
        m_closeCode = event.closeCode;
        Q_EMIT disconnected();
        break;
    case IoEvent::Kind::Opened:
        break;
    }
}

} // namespace whisper
