#include "listener.h"

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

TcpListener::TcpListener(int backlog, QObject *parent)
    : QObject(parent)
    , m_backlog(backlog) {
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
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    if (v6) {
        auto *sa = reinterpret_cast<sockaddr_in6 *>(&storage);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(port);
        const Q_IPV6ADDR a = address.toIPv6Address();
        std::memcpy(&sa->sin6_addr, &a, 16);
        length = sizeof(sockaddr_in6);
    } else {
        auto *sa = reinterpret_cast<sockaddr_in *>(&storage);
        sa->sin_family = AF_INET;
        sa->sin_port = htons(port);
        sa->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    m_fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (m_fd < 0 || ::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(m_fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 ||
        ::listen(m_fd, m_backlog) != 0) {
        m_error = QString::fromLocal8Bit(std::strerror(errno));
        close();
        return false;
    }
    length = sizeof storage;
    ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&storage), &length);
    m_address = address;
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
        QHostAddress address;
        address.setAddress(reinterpret_cast<sockaddr *>(&peer));
        Q_EMIT accepted(fd, address);
    }
}

// ---- HandshakeGate -----------------------------------------------------------

WebSocketConnection::Limits nativeLimits(const ListenerSettings &settings) {
    WebSocketConnection::Limits limits;
    limits.maxMessageBytes = settings.maxMessageBytes;
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

void HandshakeGate::adopt(int fd, const QHostAddress &peer) {
    auto *c = new WebSocketConnection(fd, peer, m_limits, this);
    m_pending.push_back({c, m_clock.elapsed() + m_timeoutMs});
    connect(c, &WebSocketConnection::handshakeComplete, this, [this, c] {
        forget(c);
        c->disconnect(this);
        c->setParent(nullptr);
        Q_EMIT opened(c);
    });
    connect(c, &WebSocketConnection::handshakeFailed, this, [this, c] {
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
            c->disconnect(this);
            c->abort();
            c->deleteLater();
        }
        m_pending.pop_front();
    }
}

namespace {

// ---- the native transport --------------------------------------------------

class NativeListener final : public ConnectionListener {
public:
    NativeListener(const ListenerSettings &settings, QObject *parent)
        : ConnectionListener(parent)
        , m_tcp(settings.backlog)
        , m_gate(nativeLimits(settings), settings.handshakeTimeoutMs) {
        connect(&m_tcp, &TcpListener::accepted, &m_gate, &HandshakeGate::adopt);
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
        , m_tcp(settings.backlog)
        , m_server(settings.serverName, QWebSocketServer::NonSecureMode) {
        m_server.setHandshakeTimeout(std::chrono::milliseconds(settings.handshakeTimeoutMs));
        m_server.setMaxPendingConnections(settings.backlog);
        connect(&m_tcp, &TcpListener::accepted, this, [this](int fd) {
            auto *socket = new QTcpSocket;
            if (!socket->setSocketDescriptor(fd)) {
                ::close(fd);
                delete socket;
                return;
            }
            m_server.handleConnection(socket);
        });
        connect(&m_server, &QWebSocketServer::newConnection, this,
                [this] { forwardPendingConnections(m_server, m_settings.maxMessageBytes); });
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

void ConnectionListener::forwardPendingConnections(QWebSocketServer &server,
                                                   qint64 maxMessageBytes) {
    while (QWebSocket *socket = server.nextPendingConnection()) {
        socket->setMaxAllowedIncomingMessageSize(quint64(maxMessageBytes));
        socket->setMaxAllowedIncomingFrameSize(quint64(maxMessageBytes));
        Q_EMIT newConnection(new QtWebSocketConnection(socket));
    }
}

std::unique_ptr<ConnectionListener> ConnectionListener::create(const ListenerSettings &settings,
                                                               QObject *parent) {
    const bool tls = !settings.tlsCertFile.isEmpty();
    const bool qt = settings.transport == ListenerSettings::Transport::Qt;
    if (settings.ioThreads > 0 && (tls || qt))
        qCWarning(lcListener).nospace()
            << "io-threads=" << settings.ioThreads << " ignored: " << (tls ? "TLS" : "transport=qt")
            << " runs on the main event loop";
    if (tls)
        return createTlsListener(settings, parent);
    if (qt)
        return std::make_unique<QtListener>(settings, parent);
    if (settings.ioThreads > 0)
        return std::make_unique<ThreadedListener>(settings, parent);
    return std::make_unique<NativeListener>(settings, parent);
}

} // namespace whisper
