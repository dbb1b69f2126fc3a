// SPDX-License-Identifier: MIT
#pragma once

#include "connection.h"
#include "peerlimiter.h"
#include "websocketconnection.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <deque>
#include <memory>

class QSocketNotifier;
class QWebSocketServer;

namespace whisper {

// A listening TCP socket made by hand so that its accept backlog is ours to
// choose: QTcpServer (and so QWebSocketServer) hard-codes 50, which drops
// SYNs during bursts of connects. Accepted descriptors come out non-blocking
// with TCP_NODELAY set (chat frames are small and latency-bound).
class TcpListener : public QObject {
    Q_OBJECT
public:
    // `socketBufferBytes` > 0: SO_SNDBUF and SO_RCVBUF of every accepted
    // socket (the kernel doubles it for its bookkeeping); 0: the kernel's
    // autotuning, which lets one socket hold megabytes.
    explicit TcpListener(int backlog, int socketBufferBytes = 0, QObject *parent = nullptr);
    ~TcpListener() override;

    bool listen(const QHostAddress &address, quint16 port);
    void close();
    QHostAddress serverAddress() const { return m_address; }
    quint16 serverPort() const { return m_port; }
    QString errorString() const { return m_error; }

Q_SIGNALS:
    // The receiver owns `fd`.
    void accepted(int fd, const QHostAddress &peer);

private:
    void onReadable();

    int m_backlog;
    int m_socketBufferBytes;
    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QTimer m_retry; // after running out of descriptors
    QHostAddress m_address;
    quint16 m_port = 0;
    QString m_error;
};

// Turns accepted descriptors into native WebSocket connections on the thread
// it lives on, and drops those that do not finish the upgrade in time: one
// sweep timer for every handshake in progress, not one each.
class HandshakeGate : public QObject {
    Q_OBJECT
public:
    HandshakeGate(const WebSocketConnection::Limits &limits, int timeoutMs,
                  QObject *parent = nullptr);

    // Takes ownership of `fd` (connected, non-blocking) and of its `slot`.
    void adopt(int fd, const QHostAddress &peer, std::unique_ptr<PeerSlot> slot = {});
    void start() { m_sweep.start(); }
    void stop() { m_sweep.stop(); }

Q_SIGNALS:
    // The upgrade succeeded; the receiver owns `connection` (it has no parent).
    void opened(whisper::WebSocketConnection *connection);

private:
    struct Pending {
        WebSocketConnection *connection;
        qint64 deadline;
    };

    void forget(WebSocketConnection *c);
    void sweep();

    WebSocketConnection::Limits m_limits;
    int m_timeoutMs;
    QTimer m_sweep;
    QElapsedTimer m_clock;
    std::deque<Pending> m_pending; // in accept order, so deadlines ascend
};

struct ListenerSettings {
    enum class Transport { Native, Qt };
    Transport transport = Transport::Native;
    QString serverName;
    int backlog = 4096;
    int handshakeTimeoutMs = 10000;
    qint64 maxMessageBytes = 16 * 1024;
    // Per-connection memory (docs/OPERATIONS.md "Per-connection memory").
    qint64 maxOutputBytes = 128 * 1024;
    int socketBufferBytes = 64 * 1024;
    LeakRate pingRate{10, 1000, 0}; // native transport only (Qt answers pings itself)
    PeerLimits peerLimits;          // not for TLS (QWebSocketServer accepts itself)
    // Native transport only: threads doing the socket work (0: this thread).
    int ioThreads = 0;
    // wss:// (tlslistener.h): with both PEM files set, the listener is Qt
    // WebSockets in secure mode whatever `transport` says.
    QString tlsCertFile;
    QString tlsKeyFile;
    // Browser Origins allowed to connect (empty: any); see isOriginAllowed().
    QStringList allowedOrigins;
    // Native transport: counts upgrades refused or timed out (null: none).
    metrics::Counter *handshakeFailures = nullptr;
    // Native transport only: plain HTTP GET on the chat port serves the
    // browser client (httpresponder.h); off: such requests get 400.
    bool webClient = false;
    // Native transport only: peers whose X-Forwarded-For is believed.
    QList<QPair<QHostAddress, int>> trustedProxies;
};

// The native transport's limits from the listener's settings.
WebSocketConnection::Limits nativeLimits(const ListenerSettings &settings);

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
