#include "connection.h"

namespace whisper {

QtWebSocketConnection::QtWebSocketConnection(QWebSocket *socket, QObject *parent)
    : Connection(parent)
    , m_socket(socket) {
    m_socket->setParent(this);
    connect(m_socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &text) { Q_EMIT textReceived(text.toUtf8()); });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &Connection::binaryReceived);
    connect(m_socket, &QWebSocket::pong, this, [this] { Q_EMIT pong(); });
    connect(m_socket, &QWebSocket::disconnected, this, &Connection::disconnected);
}

void QtWebSocketConnection::sendText(const QByteArray &utf8) {
    m_socket->sendTextMessage(QString::fromUtf8(utf8));
}

void QtWebSocketConnection::ping() {
    m_socket->ping();
}

void QtWebSocketConnection::close(QWebSocketProtocol::CloseCode code, const QString &reason) {
    m_socket->close(code, reason);
}

void QtWebSocketConnection::abort() {
    m_socket->abort();
}

} // namespace whisper
