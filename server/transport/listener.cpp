// SPDX-License-Identifier: MIT
#include "listener.h"

#include "handshakegate.h"
#include "listenerlog.h"
#include "tcplistener.h"

#include "metricsregistry.h"

#include "threadedlistener.h"
#include "tlslistener.h"

#include "websocketconnection.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

#include <sys/socket.h>
#include <unistd.h>

namespace whisper {

Q_LOGGING_CATEGORY(lcListener, "whisper.server.listener")

WebSocketConnection::Limits nativeLimits(const ListenerSettings &settings) {
    WebSocketConnection::Limits limits;
    limits.maxMessageBytes = settings.maxMessageBytes;
    limits.maxOutputBytes = settings.maxOutputBytes;
    limits.pingRate = settings.pingRate;
    limits.handshakeFailures = settings.handshakeFailures;
    if (settings.webClient)
        limits.http = HttpResponder::browserClient();
    limits.trustedProxies = settings.trustedProxies;
    limits.refuseProxiedUpgrades = settings.refuseProxiedUpgrades;
    return limits;
}

namespace {

// A Qt transport socket's place in the per-address counts: released when the
// socket disconnects or is deleted, whichever comes first.
class PeerSlotHolder final : public QObject {
public:
    // Also enforces the handshake timeout from the accept on: Qt's own timer
    // does not drop a client that keeps trickling bytes of its request.
    PeerSlotHolder(std::unique_ptr<PeerSlot> slot, QTcpSocket *socket, int handshakeTimeoutMs)
        : QObject(socket)
        , m_slot(std::move(slot)) {
        connect(socket, &QTcpSocket::disconnected, this, [this] { m_slot.reset(); });
        m_deadline.setSingleShot(true);
        connect(&m_deadline, &QTimer::timeout, socket, &QTcpSocket::abort);
        m_deadline.start(handshakeTimeoutMs);
    }
    void upgraded() {
        m_deadline.stop();
        if (m_slot)
            m_slot->upgraded();
    }

private:
    std::unique_ptr<PeerSlot> m_slot;
    QTimer m_deadline;
};

// ---- the native transport --------------------------------------------------

class NativeListener final : public ConnectionListener {
public:
    NativeListener(const ListenerSettings &settings, QObject *parent)
        : ConnectionListener(parent)
        , m_tcp(settings.backlog, settings.socketBufferBytes)
        , m_gate(nativeLimits(settings), settings.handshakeTimeoutMs) {
        m_peerLimiter = std::make_unique<PeerLimiter>(settings.peerLimits);
        connect(&m_tcp, &TcpListener::accepted, this, [this](int fd, const QHostAddress &peer) {
            if (auto slot = admitPeer(fd, peer))
                m_gate.adopt(fd, peer, std::move(slot));
        });
        connect(&m_gate, &HandshakeGate::opened, this, &ConnectionListener::newConnection);
    }

    bool listen(const QHostAddress &address, quint16 port) override {
        if (!m_tcp.listen(address, port))
            return false;
        m_gate.start();
        return true;
    }
    void close() override {
        m_tcp.close();
        m_gate.stop();
    }
    QHostAddress serverAddress() const override { return m_tcp.serverAddress(); }
    quint16 serverPort() const override { return m_tcp.serverPort(); }
    QString errorString() const override { return m_tcp.errorString(); }

private:
    TcpListener m_tcp;
    HandshakeGate m_gate;
};

// ---- Qt WebSockets behind the same large-backlog listener -------------------

class QtListener final : public ConnectionListener {
public:
    QtListener(const ListenerSettings &settings, QObject *parent)
        : ConnectionListener(parent)
        , m_settings(settings)
        , m_tcp(settings.backlog, settings.socketBufferBytes)
        , m_server(settings.serverName, QWebSocketServer::NonSecureMode) {
        m_peerLimiter = std::make_unique<PeerLimiter>(settings.peerLimits);
        m_server.setHandshakeTimeout(std::chrono::milliseconds(settings.handshakeTimeoutMs));
        m_server.setMaxPendingConnections(settings.backlog);
        connect(&m_tcp, &TcpListener::accepted, this, [this](int fd, const QHostAddress &peer) {
            std::unique_ptr<PeerSlot> slot = admitPeer(fd, peer);
            if (!slot)
                return;
            auto *socket = new QTcpSocket;
            if (!socket->setSocketDescriptor(fd)) {
                ::close(fd);
                delete socket;
                return;
            }
            // The slot goes with the socket, whichever object ends up owning it.
            trackHandshake(
                new PeerSlotHolder(std::move(slot), socket, m_settings.handshakeTimeoutMs),
                socket->peerAddress(), socket->peerPort());
            m_server.handleConnection(socket);
        });
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            forwardPendingConnections(m_server, m_settings.maxMessageBytes,
                                      m_settings.maxOutputBytes);
        });
    }

    bool listen(const QHostAddress &address, quint16 port) override {
        return m_tcp.listen(address, port);
    }
    void close() override { m_tcp.close(); }
    QHostAddress serverAddress() const override { return m_tcp.serverAddress(); }
    quint16 serverPort() const override { return m_tcp.serverPort(); }
    QString errorString() const override { return m_tcp.errorString(); }

private:
    ListenerSettings m_settings;
    TcpListener m_tcp;
    QWebSocketServer m_server;
};

} // namespace

void ConnectionListener::forwardPendingConnections(QWebSocketServer &server, qint64 maxMessageBytes,
                                                   qint64 maxOutputBytes) {
    while (QWebSocket *socket = server.nextPendingConnection()) {
        socket->setMaxAllowedIncomingMessageSize(quint64(maxMessageBytes));
        socket->setMaxAllowedIncomingFrameSize(quint64(maxMessageBytes));
        // QWebSocket does not give away the TCP socket it was upgraded
        // from; the holder made at the accept (a child of that socket) is
        // found by the peer's address and port.
        QTcpSocket *tcp = nullptr;
        if (QObject *holder =
                m_handshaking.take(peerKey(socket->peerAddress(), socket->peerPort()))) {
            static_cast<PeerSlotHolder *>(holder)->upgraded();
            tcp = qobject_cast<QTcpSocket *>(holder->parent());
        }
        Q_EMIT newConnection(new QtWebSocketConnection(socket, tcp, maxOutputBytes));
    }
}

QString ConnectionListener::peerKey(const QHostAddress &address, quint16 port) {
    return address.toString() + QLatin1Char('/') + QString::number(port);
}

void ConnectionListener::trackHandshake(QObject *holder, const QHostAddress &address,
                                        quint16 port) {
    const QString key = peerKey(address, port);
    m_handshaking.insert(key, holder);
    connect(holder, &QObject::destroyed, this, [this, key, holder] {
        const auto it = m_handshaking.constFind(key);
        if (it != m_handshaking.cend() && it.value() == holder)
            m_handshaking.erase(it);
    });
}

std::unique_ptr<PeerSlot> ConnectionListener::admitPeer(int fd, const QHostAddress &peer) {
    std::unique_ptr<PeerSlot> slot = m_peerLimiter->admit(peer);
    if (slot)
        return slot;
    qCDebug(lcListener) << "too many connections from one address; refusing one";
    // Best effort, never blocking: the client may not have sent its request yet.
    static const char kRefusal[] = "HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\n"
                                   "Content-Length: 0\r\n\r\n";
    [[maybe_unused]] const auto n = ::send(fd, kRefusal, sizeof kRefusal - 1, MSG_NOSIGNAL);
    ::close(fd);
    return nullptr;
}

std::unique_ptr<ConnectionListener> ConnectionListener::create(const ListenerSettings &settings,
                                                               QObject *parent) {
    const bool tls = !settings.tlsCertFile.isEmpty();
    const bool qt = settings.transport == ListenerSettings::Transport::Qt;
    if (settings.ioThreads > 0 && (tls || qt))
        qCWarning(lcListener).nospace()
            << "io-threads=" << settings.ioThreads << " ignored: " << (tls ? "TLS" : "transport=qt")
            << " runs on the main event loop";
    if (settings.webClient && (tls || qt))
        qCInfo(lcListener) << "browser client not served:" << (tls ? "TLS" : "transport=qt")
                           << "answers only WebSocket upgrades";
    if (tls)
        return createTlsListener(settings, parent);
    if (qt)
        return std::make_unique<QtListener>(settings, parent);
    if (settings.ioThreads > 0)
        return std::make_unique<ThreadedListener>(settings, parent);
    return std::make_unique<NativeListener>(settings, parent);
}

} // namespace whisper
