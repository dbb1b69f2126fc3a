// SPDX-License-Identifier: MIT
#pragma once

#include "connection.h"
#include "listenersettings.h"
#include "peerlimiter.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QString>

#include <memory>

class QWebSocketServer;

namespace whisper {

// The chat endpoint's source of WebSocket connections, whatever the
// transport behind them.
class ConnectionListener : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    static std::unique_ptr<ConnectionListener> create(const ListenerSettings &settings,
                                                      QObject *parent = nullptr);

    virtual bool listen(const QHostAddress &address, quint16 port) = 0;
    virtual void close() = 0;
    virtual QHostAddress serverAddress() const = 0;
    virtual quint16 serverPort() const = 0;
    virtual QString errorString() const = 0;
    // Counts of connections per address (null for TLS).
    const PeerLimiter *peerLimiter() const { return m_peerLimiter.get(); }

Q_SIGNALS:
    // A client finished its WebSocket handshake; the receiver owns `connection`.
    void newConnection(whisper::Connection *connection);

protected:
    // For listeners built on QWebSocketServer (Qt transport, TLS): hands on
    // every connection `server` has ready, held to the message size limit.
    void forwardPendingConnections(QWebSocketServer &server, qint64 maxMessageBytes,
                                   qint64 maxOutputBytes);
    // A place for a connection just accepted, or null after closing `fd`
    // when its address is at a cap.
    std::unique_ptr<PeerSlot> admitPeer(int fd, const QHostAddress &peer);

    // Qt transport: the object holding a socket's PeerSlot (a child of the
    // QTcpSocket), until QWebSocketServer hands the upgraded socket out.
    void trackHandshake(QObject *holder, const QHostAddress &address, quint16 port);
    static QString peerKey(const QHostAddress &address, quint16 port);

    std::unique_ptr<PeerLimiter> m_peerLimiter;
    QHash<QString, QObject *> m_handshaking;
};

} // namespace whisper
