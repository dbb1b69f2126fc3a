// SPDX-License-Identifier: MIT
#include "controlserver.h"

#include "chatserver.h"
#include "controlsession.h"
#include "serverconfig.h"

#include <QLoggingCategory>
#include <QWebSocketCorsAuthenticator>

#include <algorithm>

namespace whisper {

Q_LOGGING_CATEGORY(lcControlServer, "whisper.server.controlserver")

namespace {
// Stats travel with every n-th delta: once a second at the default interval.
constexpr int kStatsEveryMs = 1000;
} // namespace

ControlLimits ControlLimits::fromConfig(const ServerConfig &config) {
    ControlLimits l;
    l.batchMs = config.controlBatchMs;
    l.maxBatchItems = config.controlMaxBatchItems;
    l.maxConnections = config.controlMaxConnections;
    l.maxMessageBytes = config.controlMaxMessageBytes;
    l.loginAttempts = config.controlLoginAttempts;
    l.moderatorMaxBanS = qint64(config.controlModeratorMaxBanDays) * 86400;
    l.allowedOrigins = config.controlAllowedOrigins;
    return l;
}

ControlServer::ControlServer(const QString &listenAddress, int port, const ControlLimits &limits,
                             ChatServer &chat, ControlBackend &backend, const QString &version,
                             QObject *parent)
    : QObject(parent)
    , m_address(listenAddress)
    , m_port(port)
    , m_limits(limits)
    , m_backend(backend)
    , m_hub(chat, version)
    , m_server(QStringLiteral("whisperchat-control"), QWebSocketServer::NonSecureMode) {
    m_hub.setAccountLookup([&backend](ClientId id) { return backend.accountOf(id).has_value(); });
    connect(&m_server, &QWebSocketServer::newConnection, this, &ControlServer::onNewConnection);
    // A web page the operator visits could open ws://127.0.0.1:8081 and try
    // logins; browsers always send Origin, the console and scripts do not.
    connect(&m_server, &QWebSocketServer::originAuthenticationRequired, this,
            [this](QWebSocketCorsAuthenticator *auth) {
                const bool allowed = originAllowed(auth->origin(), m_limits.allowedOrigins);
                if (!allowed)
                    qCWarning(lcControlServer).noquote()
                        << "refused a console handshake from origin" << auth->origin().left(200);
                auth->setAllowed(allowed);
            });
    m_revalidateTimer.setInterval(kRevalidateMs);
    connect(&m_revalidateTimer, &QTimer::timeout, this, &ControlServer::revalidateSessions);
    m_flushTimer.setInterval(limits.batchMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &ControlServer::flush);
}

ControlServer::~ControlServer() {
    for (ControlSession *s : std::as_const(m_sessions)) {
        s->disconnect(this);
        delete s;
    }
}

bool ControlServer::listen() {
    if (!m_server.listen(QHostAddress(m_address), quint16(m_port))) {
        m_errorString = QStringLiteral("cannot listen for consoles on %1:%2: %3")
                            .arg(m_address)
                            .arg(m_port)
                            .arg(m_server.errorString());
        return false;
    }
    m_flushTimer.start();
    m_revalidateTimer.start();
    qCInfo(lcControlServer) << "control endpoint listening on" << url().toString();
    const QString warning = exposureWarning(m_server.serverAddress());
    if (!warning.isEmpty())
        qCWarning(lcControlServer).noquote() << warning;
    return true;
}

QString ControlServer::exposureWarning(const QHostAddress &address) {
    if (address.isLoopback())
        return {};
    return QStringLiteral(
               "*** WARNING: the control endpoint listens on %1, beyond this machine, WITHOUT "
               "TLS: console passwords, 2FA codes and the live stream cross the network in "
               "clear. Keep control-listen on 127.0.0.1 and reach it through an SSH tunnel or "
               "a TLS-terminating proxy. ***")
        .arg(address.toString());
}

bool ControlServer::originAllowed(const QString &origin, const QStringList &allowed) {
    if (origin.isEmpty())
        return true;
    for (const QString &a : allowed)
        if (origin.compare(a, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

void ControlServer::revokeAccount(qint64 accountId, const QString &reason) {
    const QList<ControlSession *> sessions = m_sessions;
    for (ControlSession *s : sessions)
        if (s->accountId() == accountId)
            s->revoke(reason);
}

void ControlServer::revalidateSessions() {
    const QList<ControlSession *> sessions = m_sessions;
    for (ControlSession *s : sessions)
        s->revalidate();
}

QUrl ControlServer::url() const {
    QUrl url;
    url.setScheme(QStringLiteral("ws"));
    url.setHost(m_server.serverAddress().toString());
    url.setPort(m_server.serverPort());
    return url;
}

void ControlServer::close() {
    m_flushTimer.stop();
    m_revalidateTimer.stop();
    m_server.close();
    for (ControlSession *s : std::as_const(m_sessions))
        s->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
}

void ControlServer::onNewConnection() {
    while (QWebSocket *socket = m_server.nextPendingConnection()) {
        socket->setMaxAllowedIncomingMessageSize(quint64(m_limits.maxMessageBytes));
        socket->setMaxAllowedIncomingFrameSize(quint64(m_limits.maxMessageBytes));
        if (m_sessions.size() >= m_limits.maxConnections) {
            qCWarning(lcControlServer)
                << "console limit" << m_limits.maxConnections << "reached; refusing a console";
            // 1008 rather than 1013: Qt clients take 1013 for a protocol error.
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                          QStringLiteral("too many consoles; try again later"));
            // Owned by the server until its close handshake ends: a server
            // destroyed first must not leave the socket behind (LeakSanitizer
            // found it in tst_controlsession).
            socket->setParent(this);
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            continue;
        }
        auto *session = new ControlSession(socket, m_hub, m_backend, m_limits, this);
        connect(session, &ControlSession::accountsChanged, this,
                &ControlServer::revalidateSessions);
        connect(session, &ControlSession::closed, this, [this](ControlSession *s) {
            m_sessions.removeOne(s);
            s->deleteLater();
        });
        m_sessions.append(session);
    }
}

void ControlServer::flush() {
    ++m_flushes;
    const bool watched = std::any_of(m_sessions.cbegin(), m_sessions.cend(),
                                     [](const ControlSession *s) { return s->isSubscribed(); });
    if (watched != m_watched) {
        m_watched = watched;
        Q_EMIT watchedChanged(watched);
    }
    if (m_sessions.isEmpty()) {
        // Nobody to tell; a console that connects starts from a snapshot.
        m_hub.discardChanges();
        return;
    }
    const ControlChanges changes = m_hub.takeChanges();
    const int every = std::max(1, kStatsEveryMs / std::max(1, m_limits.batchMs));
    std::optional<control::Stats> stats;
    if (m_flushes % every == 0 && !m_sessions.isEmpty())
        stats = m_hub.stats();
    for (ControlSession *s : std::as_const(m_sessions))
        s->flush(changes, stats);
}

} // namespace whisper
