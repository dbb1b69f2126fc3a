// SPDX-License-Identifier: MIT
#include "tcplistener.h"

#include "listenerlog.h"

#include <QSocketNotifier>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace whisper {

namespace {
constexpr int kMaxAcceptsPerWakeup = 256; // keep serving established clients in a burst
constexpr int kRetryAfterEmfileMs = 100;
} // namespace

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

} // namespace whisper
