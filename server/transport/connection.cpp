// SPDX-License-Identifier: MIT
#include "connection.h"

namespace whisper {

QtWebSocketConnection::QtWebSocketConnection(QWebSocket *socket, QTcpSocket *tcp,
                                             qint64 maxOutputBytes, QObject *parent)
    : Connection(parent)
    , m_socket(socket)
    , m_tcp(tcp)
    , m_maxOutputBytes(maxOutputBytes) {
    m_socket->setParent(this);
    connect(m_socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &text) { receiveText(text.toUtf8()); });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this,
            [this](const QByteArray &data) { receiveBinary(data); });
    connect(m_socket, &QWebSocket::pong, this, [this] { Q_EMIT pong(); });
    connect(m_socket, &QWebSocket::disconnected, this, &Connection::disconnected);
    // Connected after QWebSocket's own handler: the pongs it just queued
    // for the peer's pings are counted.
    if (m_tcp && m_maxOutputBytes > 0)
        connect(m_tcp, &QTcpSocket::readyRead, this, &QtWebSocketConnection::checkOutput);
}

void QtWebSocketConnection::checkOutput() {
    if (m_dropped || !m_tcp || m_maxOutputBytes <= 0 || m_tcp->bytesToWrite() <= m_maxOutputBytes)
        return;
    // Qt hands its buffer to the kernel only from the event loop: what the
    // kernel takes now is not held here.
    m_tcp->flush();
    if (m_tcp->bytesToWrite() <= m_maxOutputBytes)
        return;
    m_dropped = true;
    // A close frame would queue behind what the peer does not read. Queued:
    // a caller's send must not see its session vanish.
    QMetaObject::invokeMethod(m_socket, &QWebSocket::abort, Qt::QueuedConnection);
}

void QtWebSocketConnection::sendText(QByteArrayView utf8) {
    if (m_dropped)
        return;
    m_socket->sendTextMessage(QString::fromUtf8(utf8));
    checkOutput();
}

void QtWebSocketConnection::ping() {
    if (m_dropped)
        return;
    m_socket->ping();
    checkOutput();
}

void QtWebSocketConnection::close(QWebSocketProtocol::CloseCode code, const QString &reason) {
    m_socket->close(code, reason);
}

void QtWebSocketConnection::abort() {
    m_socket->abort();
}

} // namespace whisper
