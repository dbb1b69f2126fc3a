// SPDX-License-Identifier: MIT
#include "chatserver.h"

#include "accounthandler.h"

#include "geo.h"
#include "ids.h"
#include "ipkey.h"

#include <QDateTime>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QRandomGenerator>

namespace whisper {

Q_LOGGING_CATEGORY(lcNet, "whisper.server.net")

namespace {
constexpr int kStatsIntervalMs = 60000;
// How often the sweep takes its next slice of sessions.
constexpr int kSweepSliceMs = 20;
} // namespace

ChatServer::ChatServer(const ServerConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_codec(protocol::CodecLimits{config.maxTextChars})
    , m_room(std::make_unique<InProcessWaitingRoom>())
    , m_pairs(std::make_unique<InProcessPairRegistry>())
    , m_recentPartners(qint64(config.recentPartnerExclusionSec) * 1000)
    , m_grid(config.privacyRadiusM / 1000.0) {
    m_context.reset(new SessionContext{m_config, m_codec, *m_room, *m_pairs, *this,
                                       m_recentPartners, m_grid, [this] { return now(); }});
    m_matchmaker = std::make_unique<Matchmaker>(*m_room, config.matchPolicy, config.tickMs,
                                                [this] { return now(); });
    connect(m_matchmaker.get(), &Matchmaker::matched, this, &ChatServer::onMatched);
    if (config.clustered()) {
        m_nextId = clientIdBase(config.nodeId) + 1;
        m_pairIdPrefix = config.nodeId + QLatin1Char('.');
    }

    ListenerSettings listener;
    listener.transport = config.transport == QLatin1String("qt")
                             ? ListenerSettings::Transport::Qt
                             : ListenerSettings::Transport::Native;
    listener.serverName = config.serverName;
    listener.backlog = config.listenBacklog;
    listener.handshakeTimeoutMs = config.handshakeTimeoutMs;
    listener.maxMessageBytes = config.maxMessageBytes;
    listener.ioThreads = config.ioThreads;
    listener.tlsCertFile = config.tlsCert;
    listener.tlsKeyFile = config.tlsKey;
    listener.allowedOrigins = config.allowedOrigins.split(QLatin1Char(','), Qt::SkipEmptyParts);
    listener.maxOutputBytes = config.maxOutputBytes;
    listener.socketBufferBytes = config.socketBufferBytes;
    listener.pingRate = LeakRate{config.ratePingBurst, config.ratePingLeakMs, 0};
    listener.peerLimits.maxConnectionsPerIp = config.maxConnectionsPerIp;
    listener.peerLimits.maxHalfOpenPerIp = config.maxHalfOpenPerIp;
    // The host's own load generators and health checks, as for the rates.
    listener.peerLimits.exempt = parseSubnetList(config.rateExempt);
    // A proxy carries everyone's connections: its own address is not capped;
    // the clients behind it are counted by the address it forwards.
    listener.trustedProxies = parseSubnetList(config.trustedProxies);
    listener.peerLimits.exempt += listener.trustedProxies;
    m_listener = ConnectionListener::create(listener);
    connect(m_listener.get(), &ConnectionListener::newConnection, this,
            &ChatServer::onNewConnection);

    // Sweeping a few times per ping interval bounds how late an idle
    // connection is noticed without a timer per connection. A round is cut
    // into slices of kSweepSliceMs: with 5,000 sessions, walking (and pinging)
    // all of them at once stalled every relayed message for milliseconds.
    const int round = qMax(25, qMin(config.pingIntervalMs, config.idleTimeoutMs) / 3);
    m_sweepSlices = qMax(1, round / kSweepSliceMs);
    m_sweepTimer.setInterval(round / m_sweepSlices);
    connect(&m_sweepTimer, &QTimer::timeout, this, &ChatServer::sweep);
    m_statsTimer.setInterval(kStatsIntervalMs);
    connect(&m_statsTimer, &QTimer::timeout, this, &ChatServer::logCounts);
    m_shutdownTimer.setSingleShot(true);
    connect(&m_shutdownTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcNet) << "shutdown grace period over;" << m_sessions.size()
                      << "connections dropped";
        // A transport may report the close at once, which removes the session
        // from m_sessions: walk a copy.
        const QList<Session *> sessions = m_sessions.values();
        for (Session *s : sessions)
            s->abort();
        finishShutdown();
    });
}

ChatServer::~ChatServer() {
    // Sessions reach into the context while they close; drop them first.
    for (Session *s : std::as_const(m_sessions)) {
        s->disconnect(this);
        delete s;
    }
    m_sessions.clear();
}

qint64 ChatServer::now() const {
    return QDateTime::currentMSecsSinceEpoch();
}

bool ChatServer::listen() {
    QHostAddress address(m_config.listenAddress);
    // "::" is both families, as operators expect from the default: Qt binds
    // that spelling IPv6 only and QHostAddress::Any dual-stack.
    if (address == QHostAddress(QHostAddress::AnyIPv6))
        address = QHostAddress(QHostAddress::Any);
    if (!m_listener->listen(address, quint16(m_config.port))) {
        m_errorString = QStringLiteral("cannot listen on %1:%2: %3")
                            .arg(m_config.listenAddress)
                            .arg(m_config.port)
                            .arg(m_listener->errorString());
        return false;
    }
    m_matchmaker->start();
    m_sweepTimer.start();
    m_statsTimer.start();
    qCInfo(lcNet) << "chat endpoint listening on" << url().toString();
    return true;
}

QUrl ChatServer::url() const {
    QUrl url;
    url.setScheme(m_config.tlsCert.isEmpty() ? QStringLiteral("ws") : QStringLiteral("wss"));
    const QHostAddress address = m_listener->serverAddress();
    // Qt spells its dual-stack wildcard 0.0.0.0; it listens on "::".
    url.setHost(address.protocol() == QAbstractSocket::AnyIPProtocol ? QStringLiteral("::")
                                                                     : address.toString());
    url.setPort(m_listener->serverPort());
    return url;
}

void ChatServer::setSecurity(SecurityServices *security) {
    m_context->security = security;
    if (security)
        AccountHandler::followRevocations(*security, this);
}

void ChatServer::onNewConnection(Connection *connection) {
    // Message size limits were set by the listener, before any frame.
    Connection *socket = connection;
    connect(socket, &Connection::disconnected, socket, &QObject::deleteLater);
    if (m_shuttingDown) {
        socket->close(QWebSocketProtocol::CloseCodeGoingAway,
                      QStringLiteral("server shutting down"));
        return;
    }
    const QString path = socket->requestUrl().path();
    if (!path.isEmpty() && path != QLatin1String("/") && path != QLatin1String("/ws")) {
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                      QStringLiteral("unknown endpoint path; use / or /ws"));
        return;
    }
    if (m_draining) {
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                      QStringLiteral("server draining; try another node"));
        return;
    }
    if (m_sessions.size() >= m_config.maxConnections) {
        qCWarning(lcNet) << "connection limit" << m_config.maxConnections
                         << "reached; refusing a client";
        // 1013 "Try Again Later" would say it best, but Qt clients treat
        // codes from 1012 up as protocol errors; 1008 and a reason do.
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                      QStringLiteral("server full; try again later"));
        return;
    }

    const ClientId id = m_nextId++;
    // From here the session owns the connection and deletes it.
    socket->disconnect(socket);
    auto *session =
        new Session(id, QRandomGenerator::system()->generate64(), socket, *m_context, this);
    connect(session, &Session::closed, this, &ChatServer::onSessionClosed);
    m_sessions.insert(id, session);
    m_lastPingMs.insert(id, now());
    session->sendWelcome(randomOpaqueId());
}

bool ChatServer::deliver(ClientId to, const protocol::ServerMessage &event) {
    Session *session = m_sessions.value(to);
    if (!session || session->state() == Session::State::Closed)
        return false;
    session->handleRelayed(event);
    if (std::holds_alternative<protocol::IncomingMessage>(event))
        Q_EMIT messageRelayed(to);
    else if (const auto *left = std::get_if<protocol::PartnerLeft>(&event))
        Q_EMIT pairEnded(to, left->reason);
    return true;
}

bool ChatServer::kickPairOf(ClientId member) {
    const auto pair = m_pairs->removeByMember(member);
    if (!pair)
        return false;
    m_recentPartners.record(pair->identityKeyA, pair->identityKeyB, now());
    deliver(pair->a, protocol::PartnerLeft{protocol::LeftReason::Kicked});
    deliver(pair->b, protocol::PartnerLeft{protocol::LeftReason::Kicked});
    return true;
}

bool ChatServer::kickClient(ClientId id) {
    Session *session = m_sessions.value(id);
    if (!session || session->state() == Session::State::Closed)
        return false;
    // The pair goes first so the partner hears "kicked", not "disconnected".
    if (const auto pair = m_pairs->removeByMember(id)) {
        m_recentPartners.record(pair->identityKeyA, pair->identityKeyB, now());
        deliver(pair->partnerOf(id), protocol::PartnerLeft{protocol::LeftReason::Kicked});
    }
    session->close(QWebSocketProtocol::CloseCodePolicyViolated,
                   QStringLiteral("kicked by a moderator"));
    return true;
}

QHostAddress ChatServer::peerAddress(ClientId id) const {
    Session *session = m_sessions.value(id);
    return session ? session->connection().peerAddress() : QHostAddress();
}

int ChatServer::broadcast(const protocol::Notice &notice) {
    int sent = 0;
    for (Session *s : std::as_const(m_sessions))
        if (s->state() != Session::State::Closed) {
            s->send(notice);
            ++sent;
        }
    return sent;
}

void ChatServer::onMatched(ClientId served, ClientId partner, double distanceKm) {
    Session *a = m_sessions.value(served);
    Session *b = m_sessions.value(partner);
    if (!a || !b)
        return;
    PairRecord pair;
    pair.id = m_pairIdPrefix + randomOpaqueId();
    pair.a = served;
    pair.b = partner;
    pair.identityKeyA = a->identityKey();
    pair.identityKeyB = b->identityKey();
    pair.sinceMs = now();
    pair.distanceBucketKm = geo::distanceBucketKm(distanceKm);
    if (!m_pairs->add(pair)) {
        qCWarning(lcNet) << "matchmaker produced a pair with a member already paired; ignored";
        return;
    }
    Q_EMIT pairStarted(pair);
    const double bucket = pair.distanceBucketKm;
    deliver(served, protocol::Matched{pair.id, randomHandle(), bucket});
    deliver(partner, protocol::Matched{pair.id, randomHandle(), bucket});
}

void ChatServer::onSessionClosed(ClientId id) {
    Session *session = m_sessions.take(id);
    m_lastPingMs.remove(id);
    Q_EMIT clientClosed(id);
    if (session)
        session->deleteLater();
    if (m_shuttingDown && m_sessions.isEmpty())
        finishShutdown();
}

void ChatServer::sweep() {
    if (m_sweepCursor >= m_sweepRound.size()) {
        // A new round: sessions that arrived since join it; those gone are
        // skipped below.
        m_sweepRound.assign(m_sessions.keyBegin(), m_sessions.keyEnd());
        m_sweepCursor = 0;
    }
    const std::size_t slice =
        (m_sweepRound.size() + std::size_t(m_sweepSlices) - 1) / std::size_t(m_sweepSlices);
    const std::size_t end = std::min(m_sweepRound.size(), m_sweepCursor + slice);
    const qint64 t = now();
    for (; m_sweepCursor < end; ++m_sweepCursor) {
        const ClientId id = m_sweepRound[m_sweepCursor];
        Session *s = m_sessions.value(id);
        if (!s)
            continue;
        if (t - s->lastSeenMs() > m_config.idleTimeoutMs) {
            qCDebug(lcNet) << "session" << id << "idle; dropping";
            // abort() emits disconnected, which ends the pair; the session
            // is removed from m_sessions through a queued close below.
            QMetaObject::invokeMethod(s, &Session::abort, Qt::QueuedConnection);
            continue;
        }
        qint64 &lastPing = m_lastPingMs[id];
        if (t - lastPing >= m_config.pingIntervalMs) {
            lastPing = t;
            s->ping();
        }
    }
}

void ChatServer::logCounts() {
    m_recentPartners.prune(now());
    qCInfo(lcNet) << "connections" << m_sessions.size() << "waiting" << m_room->count() << "pairs"
                  << m_pairs->count() << "last tick ms" << m_matchmaker->lastTickMs();
}

void ChatServer::shutdown() {
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    qCInfo(lcNet) << "shutting down; closing" << m_sessions.size() << "connections";
    m_matchmaker->stop();
    m_sweepTimer.stop();
    m_listener->close();
    if (m_sessions.isEmpty()) {
        QMetaObject::invokeMethod(this, &ChatServer::finishShutdown, Qt::QueuedConnection);
        return;
    }
    const QList<Session *> sessions = m_sessions.values(); // closing may remove them
    for (Session *s : sessions)
        s->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
    m_shutdownTimer.start(m_config.shutdownGraceMs);
}

} // namespace whisper

namespace whisper {

void ChatServer::finishShutdown() {
    if (m_shutdownDone)
        return;
    m_shutdownDone = true;
    m_shutdownTimer.stop();
    Q_EMIT shutdownComplete();
}

} // namespace whisper
