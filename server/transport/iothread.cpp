// SPDX-License-Identifier: MIT
#include "iothread.h"

#include "epolldispatcher.h"
#include "handshakegate.h"
#include "listener.h"

#include <QAbstractEventDispatcher>
#include <QLoggingCategory>

#include <unistd.h>

namespace whisper {

Q_LOGGING_CATEGORY(lcIo, "whisper.server.iothreads")

namespace {

constexpr std::size_t kMaxHeldEvents = 1024;

// The I/O thread's side: lives and dies on that thread (IoThread::run), so
// every connection, notifier and timer it makes belongs to that thread.
class IoWorker : public QObject {
public:
    IoWorker(std::shared_ptr<IoChannel> channel, const WebSocketConnection::Limits &limits,
             int handshakeTimeoutMs)
        : m_channel(std::move(channel))
        , m_gate(limits, handshakeTimeoutMs, this) {
        connect(&m_gate, &HandshakeGate::opened, this, &IoWorker::onOpened);
        m_gate.start();
        m_channel->commands.setConsumer(
            [this] { QMetaObject::invokeMethod(this, &IoWorker::drain, Qt::QueuedConnection); });
        // What the sockets of one event-loop iteration produced goes to the
        // main thread in one piece, just before this thread waits again.
        connect(QThread::currentThread()->eventDispatcher(),
                &QAbstractEventDispatcher::aboutToBlock, this, &IoWorker::flushEvents);
    }

    ~IoWorker() override {
        // Descriptors handed over but never adopted are closed here; open
        // connections are children and close their sockets as they go.
        for (const IoCommand &c : m_channel->commands.close())
            if (c.kind == IoCommand::Kind::Adopt)
                ::close(c.value);
    }

private:
    void drain() {
        m_channel->commands.takeAll(m_batch);
        for (IoCommand &c : m_batch) {
            if (c.kind == IoCommand::Kind::Adopt) {
                m_gate.adopt(c.value, *c.peer, std::move(c.slot));
                continue;
            }
            if (c.kind == IoCommand::Kind::Resume) {
                for (WebSocketConnection *open : std::as_const(m_open))
                    open->setReadingPaused(false);
                continue;
            }
            // A connection that closed meanwhile has left the table: its
            // commands are moot (the main thread hears `Closed` soon).
            WebSocketConnection *connection = m_open.value(c.handle);
            if (!connection)
                continue;
            switch (c.kind) {
            case IoCommand::Kind::Send:
                connection->sendText(c.data);
                break;
            case IoCommand::Kind::Ping:
                connection->ping();
                break;
            case IoCommand::Kind::Close:
                connection->close(QWebSocketProtocol::CloseCode(c.value),
                                  QString::fromUtf8(c.data));
                break;
            case IoCommand::Kind::Abort:
                connection->abort();
                break;
            case IoCommand::Kind::Adopt:
            case IoCommand::Kind::Resume:
                break;
            }
        }
        m_batch.clear(); // drop the texts now, keep the capacity
    }

    void report(IoEvent::Kind kind, quint64 handle, QByteArray data = {}, int closeCode = 0) {
        if (kind == IoEvent::Kind::Text || kind == IoEvent::Kind::Binary) {
            const qint64 pending = m_channel->pendingInputBytes.fetch_add(
                                       data.size() + IoChannel::kEventOverheadBytes) +
                                   data.size() + IoChannel::kEventOverheadBytes;
            if (pending > IoChannel::kMaxPendingInputBytes &&
                !m_channel->readsPaused.exchange(true)) {
                qCDebug(lcIo) << "main thread behind; pausing reads";
                for (WebSocketConnection *open : std::as_const(m_open))
                    open->setReadingPaused(true);
            }
        }
        IoEvent e;
        e.kind = kind;
        e.handle = handle;
        e.data = std::move(data);
        e.closeCode = closeCode;
        hold(std::move(e));
    }

    void hold(IoEvent &&e) {
        m_held.push_back(std::move(e));
        // A bound on what one busy iteration may keep back.
        if (m_held.size() >= kMaxHeldEvents)
            flushEvents();
    }

    void flushEvents() { m_channel->events.pushAll(m_held); }

    void onOpened(WebSocketConnection *c) {
        const quint64 handle = m_nextHandle++;
        c->setParent(this);
        m_open.insert(handle, c);
        if (m_channel->readsPaused.load())
            c->setReadingPaused(true);
        IoEvent e;
        e.kind = IoEvent::Kind::Opened;
        e.handle = handle;
        e.opening = std::make_unique<IoEvent::Opening>(
            IoEvent::Opening{c->peerAddress(), c->requestUrl(), c->origin()});
        hold(std::move(e));
        connect(c, &Connection::textReceived, this, [this, handle](const QByteArray &text) {
            report(IoEvent::Kind::Text, handle, text);
        });
        connect(c, &Connection::binaryReceived, this, [this, handle](const QByteArray &data) {
            report(IoEvent::Kind::Binary, handle, data);
        });
        connect(c, &Connection::pong, this,
                [this, handle] { report(IoEvent::Kind::Pong, handle); });
        connect(c, &Connection::disconnected, this, [this, handle, c] {
            m_open.remove(handle);
            report(IoEvent::Kind::Closed, handle, {}, c->closeCode());
            c->deleteLater();
        });
    }

    std::shared_ptr<IoChannel> m_channel;
    HandshakeGate m_gate;
    QHash<quint64, WebSocketConnection *> m_open;
    quint64 m_nextHandle = 1;
    std::vector<IoCommand> m_batch;
    std::vector<IoEvent> m_held; // for the main thread, sent at aboutToBlock
};

} // namespace

IoThread::IoThread(std::shared_ptr<IoChannel> channel, const WebSocketConnection::Limits &limits,
                   int handshakeTimeoutMs, QObject *parent)
    : QThread(parent)
    , m_channel(std::move(channel))
    , m_limits(limits)
    , m_handshakeTimeoutMs(handshakeTimeoutMs) {
    // Same loop as the main thread: poll() would cost O(connections) per
    // wake-up here too.
    if (useEpollDispatcher())
        setEventDispatcher(new EpollEventDispatcher);
}

IoThread::~IoThread() {
    stop();
}

void IoThread::startAndWait() {
    start();
    m_ready.acquire();
}

void IoThread::stop() {
    if (!isRunning())
        return;
    quit();
    wait();
}

void IoThread::run() {
    {
        IoWorker worker(m_channel, m_limits, m_handshakeTimeoutMs);
        m_ready.release();
        exec();
    }
    qCDebug(lcIo) << "I/O thread stopped";
}

} // namespace whisper
