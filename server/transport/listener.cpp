// SPDX-License-Identifier: MIT
#include "listener.h"

#include "metricsregistry.h"

#include "threadedlistener.h"
#include "tlslistener.h"

#include "websocketconnection.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>

namespace whisper {

Q_LOGGING_CATEGORY(lcListener, "whisper.server.listener")

namespace {
constexpr int kMaxAcceptsPerWakeup = 256; // keep serving established clients in a burst
constexpr int kRetryAfterEmfileMs = 100;
} // namespace

// ---- TcpListener -----------------------------------------------------------

TcpListener::TcpListener(int backlog, int socketBufferBytes, QObject *parent)
    : QObject(parent)
    , m_backlog(backlog)
    , m_socketBufferBytes(socketBufferBytes) {
    m_retry.setSingleShot(true);
    m_retry.setInterval(kRetryAfterEmfileMs);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        if (m_notifier)
            m_notifier->setEnabled(true);
    });
}

TcpListener::~TcpListener() {
    close();
}

bool TcpListener::listen(const QHostAddress &address, quint16 port) {
    close();
    sockaddr_storage storage{};
    socklen_t length = 0;
    // QHostAddress::Any (AnyIPProtocol) means both families, as it does for
    // Qt's own sockets: one IPv6 socket that also takes IPv4 clients.
    const bool dualStack = address.protocol() == QAbstractSocket::AnyIPProtocol;
    bool v6 = dualStack || address.protocol() == QAbstractSocket::IPv6Protocol;
    if (v6) {
        m_fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        // A host without IPv6 still serves IPv4 on the wildcard address.
        if (m_fd < 0 && dualStack && errno == EAFNOSUPPORT)
            v6 = false;
    }
    if (v6) {
        auto *sa = reinterpret_cast<sockaddr_in6 *>(&storage);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(port);
        if (!dualStack) {
            const Q_IPV6ADDR a = address.toIPv6Address();
            std::memcpy(&sa->sin6_addr, &a, 16);
        } // else in6addr_any, all zeros
        length = sizeof(sockaddr_in6);
    } else {
        auto *sa = reinterpret_cast<sockaddr_in *>(&storage);
        sa->sin_family = AF_INET;
        sa->sin_port = htons(port);
        sa->sin_addr.s_addr = dualStack ? htonl(INADDR_ANY) : htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    }
    const int one = 1;
    // The default of IPV6_V6ONLY is a sysctl (net.ipv6.bindv6only): set it
    // either way, as Qt does, so the wildcard takes IPv4 on every host and
    // an explicit IPv6 address stays IPv6 only.
    const int v6only = dualStack ? 0 : 1;
    if (m_fd >= 0 && v6 &&
        ::setsockopt(m_fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) != 0) {
        m_error = QString::fromLocal8Bit(std::strerror(errno));
        close();
        return false;
    }
    if (m_fd < 0 || ::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(m_fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 ||
        ::listen(m_fd, m_backlog) != 0) {
        m_error = QString::fromLocal8Bit(std::strerror(errno));
        close();
        return false;
    }
    length = sizeof storage;
    ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&storage), &length);
    // The wildcard really bound: "::" for both families, 0.0.0.0 where the
    // host has no IPv6.
    m_address = !dualStack ? address
                : v6       ? QHostAddress(QHostAddress::AnyIPv6)
                           : QHostAddress(QHostAddress::AnyIPv4);
    m_port = ntohs(v6 ? reinterpret_cast<sockaddr_in6 *>(&storage)->sin6_port
                      : reinterpret_cast<sockaddr_in *>(&storage)->sin_port);
    m_notifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &TcpListener::onReadable);
    return true;
}

void TcpListener::close() {
    delete m_notifier;
    m_notifier = nullptr;
    m_retry.stop();
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void TcpListener::onReadable() {
    for (int i = 0; i < kMaxAcceptsPerWakeup && m_fd >= 0; ++i) {
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        const int fd = ::accept4(m_fd, reinterpret_cast<sockaddr *>(&peer), &length,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                // The client stays in the backlog; pause instead of spinning.
                qCWarning(lcListener) << "cannot accept:" << std::strerror(errno)
                                      << "- raise the descriptor limit (LimitNOFILE)";
                m_notifier->setEnabled(false);
                m_retry.start();
            }
            return;
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (m_socketBufferBytes > 0) {
            // Fixed sizes turn autotuning off: a peer that does not read
            // then parks at most this much in the kernel, not megabytes.
            ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &m_socketBufferBytes,
                         sizeof m_socketBufferBytes);
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &m_socketBufferBytes,
                         sizeof m_socketBufferBytes);
        }
        QHostAddress address;
        address.setAddress(reinterpret_cast<sockaddr *>(&peer));
        Q_EMIT accepted(fd, address);
    }
}

// ---- HandshakeGate -----------------------------------------------------------

WebSocketConnection::Limits nativeLimits(const ListenerSettings &settings) {
    WebSocketConnection::Limits limits;
    limits.maxMessageBytes = settings.maxMessageBytes;
    limits.maxOutputBytes = settings.maxOutputBytes;
    limits.pingRate = settings.pingRate;
    limits.handshakeFailures = settings.handshakeFailures;
    if (settings.webClient)
        limits.http = HttpResponder::browserClient();
    limits.trustedProxies = settings.trustedProxies;
    return limits;
}

HandshakeGate::HandshakeGate(const WebSocketConnection::Limits &limits, int timeoutMs,
                             QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_timeoutMs(timeoutMs)
    , m_sweep(this) { // a child, so it follows the gate into an I/O thread
    m_sweep.setInterval(qBound(50, timeoutMs / 4, 1000));
    connect(&m_sweep, &QTimer::timeout, this, &HandshakeGate::sweep);
    m_clock.start();
}

void HandshakeGate::adopt(int fd, const QHostAddress &peer, std::unique_ptr<PeerSlot> slot) {
    auto *c = new WebSocketConnection(fd, peer, m_limits, this, std::move(slot));
    m_pending.push_back({c, m_clock.elapsed() + m_timeoutMs});
    connect(c, &WebSocketConnection::handshakeComplete, this, [this, c] {
        forget(c);
        c->disconnect(this);
        c->setParent(nullptr);
        Q_EMIT opened(c);
    });
    connect(c, &WebSocketConnection::handshakeFailed, this, [this, c] {
        if (m_limits.handshakeFailures)
            m_limits.handshakeFailures->inc();
        forget(c);
        c->deleteLater();
    });
}

void HandshakeGate::forget(WebSocketConnection *c) {
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it)
        if (it->connection == c) {
            it->connection = nullptr; // erased by the sweep, in deadline order
            return;
        }
}

void HandshakeGate::sweep() {
    const qint64 now = m_clock.elapsed();
    while (!m_pending.empty() &&
           (!m_pending.front().connection || m_pending.front().deadline <= now)) {
        if (WebSocketConnection *c = m_pending.front().connection) {
            qCDebug(lcListener) << "handshake timed out";
            if (m_limits.handshakeFailures)
                m_limits.handshakeFailures->inc();
            c->disconnect(this);
            c->abort();
            c->deleteLater();
        }
        m_pending.pop_front();
    }
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
