// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QObject>
#include <QTcpSocket>
#include <QUrl>
#include <QWebSocket>

namespace whisper {

// Takes a connection's messages with a plain call (Connection::setReceiver):
// the chat session, on the relay's hot path, where a signal and a copy of
// each frame cost more than the rest of the hand-over.
class MessageReceiver {
public:
    // `utf8` / `data` is valid during the call only: it may point into the
    // transport's read buffer.
    virtual void onText(QByteArrayView utf8) = 0;
    virtual void onBinary(QByteArrayView data) = 0;

protected:
    ~MessageReceiver() = default;
};

// One client's transport as the session sees it: UTF-8 text frames in and
// out, pings, and closing. Sessions never touch a socket class directly, so
// the transport (Qt's QWebSocket today) can change without touching them.
class Connection : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // `utf8` must be one JSON document produced by the protocol codec; it
    // is copied or sent before the call returns.
    virtual void sendText(QByteArrayView utf8) = 0;
    virtual void ping() = 0;
    virtual void close(QWebSocketProtocol::CloseCode code, const QString &reason) = 0;
    // Drops the connection without a close handshake (unresponsive peer).
    virtual void abort() = 0;
    virtual QHostAddress peerAddress() const = 0;
    virtual QUrl requestUrl() const = 0;
    virtual QString origin() const = 0;
    virtual int closeCode() const = 0;

    // Messages go to `receiver` (null: to textReceived/binaryReceived,
    // each with its own copy of the payload), which must outlive the
    // connection or be unset first.
    void setReceiver(MessageReceiver *receiver) { m_receiver = receiver; }

Q_SIGNALS:
    // Only while no receiver is set.
    void textReceived(const QByteArray &utf8);
    void binaryReceived(const QByteArray &data);
    void pong();
    void disconnected();

protected:
    // For the transports: hands a message to the receiver or the signals.
    void receiveText(QByteArrayView utf8) {
        if (m_receiver)
            m_receiver->onText(utf8);
        else
            Q_EMIT textReceived(utf8.toByteArray());
    }
    void receiveBinary(QByteArrayView data) {
        if (m_receiver)
            m_receiver->onBinary(data);
        else
            Q_EMIT binaryReceived(data.toByteArray());
    }

private:
    MessageReceiver *m_receiver = nullptr;
};

// The Qt WebSockets transport. QWebSocket buffers whatever it is asked to
// send (and the pongs it answers pings with) without a limit; with `tcp`, the
// socket it writes to, a peer that leaves more than `maxOutputBytes` unread
// is dropped (recorded as 1008), as the native transport does.
class QtWebSocketConnection final : public Connection {
    Q_OBJECT
public:
    // Takes ownership of `socket`.
    explicit QtWebSocketConnection(QWebSocket *socket, QTcpSocket *tcp = nullptr,
                                   qint64 maxOutputBytes = 0, QObject *parent = nullptr);

    void sendText(QByteArrayView utf8) override;
    void ping() override;
    void close(QWebSocketProtocol::CloseCode code, const QString &reason) override;
    void abort() override;
    QHostAddress peerAddress() const override { return m_socket->peerAddress(); }
    QUrl requestUrl() const override { return m_socket->requestUrl(); }
    QString origin() const override { return m_socket->origin(); }
    int closeCode() const override { return m_dropped ? 1008 : int(m_socket->closeCode()); }

private:
    void checkOutput();

    QWebSocket *m_socket;
    QTcpSocket *m_tcp; // a child of m_socket, or null
    qint64 m_maxOutputBytes;
    bool m_dropped = false;
};

} // namespace whisper
