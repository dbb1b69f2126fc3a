// SPDX-License-Identifier: MIT
#include "chatserver.h"

#include "accounthandler.h"

#include "geo.h"
#include "ids.h"
#include "ipkey.h"
#include "servermetrics.h"

#include <QDateTime>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>

namespace whisper {

Q_LOGGING_CATEGORY(lcNet, "whisper.server.net")

namespace {
constexpr int kStatsIntervalMs = 60000;
// How often the sweep takes its next slice of sessions.
constexpr int kSweepSliceMs = 20;
} // namespace

ChatServer::ChatServer(const ServerConfig &config, QObject *parent, ServerMetrics *metrics,
                       ClusterSeams cluster)
    : QObject(parent)
    , m_config(config)
    , m_codec(protocol::CodecLimits{config.maxTextChars})
    , m_ownRoom(cluster.room ? nullptr : std::make_unique<InProcessWaitingRoom>())
    , m_room(cluster.room ? cluster.room : m_ownRoom.get())
    , m_peers(cluster.peers)
    , m_pairs(std::make_unique<InProcessPairRegistry>())
    , m_recentPartners(qint64(config.recentPartnerExclusionSec) * 1000)
    , m_grid(config.privacyRadiusM / 1000.0)
    , m_resume(std::make_unique<InProcessResumeStore>()) {
    m_context.reset(new SessionContext{m_config, m_codec, *m_room, *m_pairs, *this,
                                       m_recentPartners, m_grid, [this] { return now(); }});
    if (m_config.resumeGraceSec > 0)
        m_context->host = this;
    // A shared room carries each exclusion to whichever node either
    // identity joins from next.
    m_recentPartners.onRecord([room = m_room](std::uint64_t a, std::uint64_t b, qint64 untilMs) {
        room->rememberPartners(a, b, untilMs);
    });
    // Expiry is checked a few times per grace period, not per session.
    m_resumeTimer.setInterval(qBound(50, m_config.resumeGraceSec * 100, 1000));
    connect(&m_resumeTimer, &QTimer::timeout, this, &ChatServer::expireAway);
    m_drainGraceTimer.setSingleShot(true);
    connect(&m_drainGraceTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcNet) << "drain grace period over;" << liveConnectionCount()
                      << "connections left to close";
        shutdown();
    });
    m_drainDeadlineTimer.setSingleShot(true);
    connect(&m_drainDeadlineTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcNet) << "drain deadline reached;" << m_sessions.size() << "connections dropped";
        shutdownNow();
    });
    m_metrics = m_context->metrics = metrics;
    m_matchmaker = std::make_unique<Matchmaker>(*m_room, config.matchPolicy, config.tickMs,
                                                [this] { return now(); });
    connect(m_matchmaker.get(), &Matchmaker::matched, this, &ChatServer::onMatched);
    if (config.clustered()) {
        m_nextId = clientIdBase(config.nodeId) + 1;
        m_pairIdPrefix = config.nodeId + QLatin1Char('.');
    }
    if (m_peers) {
        connect(m_peers, &PeerLink::received, this, &ChatServer::onPeerEvent);
        connect(m_peers, &PeerLink::matched, this, &ChatServer::onClusterMatch);
        connect(m_peers, &PeerLink::nodeLost, this, &ChatServer::onNodeLost);
        // Within a second of a node's heartbeat key expiring its clients'
        // partners here learn it (node-ttl-ms + 1 s in all).
        m_nodeCheckTimer.setInterval(1000);
        connect(&m_nodeCheckTimer, &QTimer::timeout, this, &ChatServer::checkRemoteNodes);
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
    listener.webClient = config.webClient;
    listener.maxOutputBytes = config.maxOutputBytes;
    listener.socketBufferBytes = config.socketBufferBytes;
    listener.pingRate = LeakRate{config.ratePingBurst, config.ratePingLeakMs, 0};
    listener.peerLimits.maxConnectionsPerIp = config.maxConnectionsPerIp;
    listener.peerLimits.maxHalfOpenPerIp = config.maxHalfOpenPerIp;
    // The host's own load generators and health checks, as for the rates.
    listener.peerLimits.exempt = parseSubnetList(config.rateExempt);
    listener.handshakeFailures = metrics ? &metrics->handshakeFailures : nullptr;
    // A proxy carries everyone's connections: its own address is not capped;
    // the clients behind it are counted by the address it forwards.
    listener.trustedProxies = parseSubnetList(config.trustedProxies);
    listener.peerLimits.exempt += listener.trustedProxies;
    listener.refuseProxiedUpgrades = m_refuseProxied;
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
    // A cluster member's clients are matched by the cluster's leader.
    if (m_peers)
        m_nodeCheckTimer.start();
    else
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

void ChatServer::keepUntilClosed(Connection *connection) {
    // No session owns it any more: it is deleted once its close completes,
    // and until then it is ours, so one still closing when the server
    // stops goes with it rather than outlive the process's teardown.
    connection->setParent(this);
    connect(connection, &Connection::disconnected, connection, &QObject::deleteLater);
}

void ChatServer::onNewConnection(Connection *connection) {
    // Message size limits were set by the listener, before any frame.
    Connection *socket = connection;
    // A refused connection has no session: it lives until its close completes.
    auto refuse = [this, socket](QWebSocketProtocol::CloseCode code, const QString &reason) {
        keepUntilClosed(socket);
        socket->close(code, reason);
    };
    if (m_shuttingDown) {
        refuse(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
        return;
    }
    const QString path = socket->requestUrl().path();
    if (!path.isEmpty() && path != QLatin1String("/") && path != QLatin1String("/ws")) {
        refuse(QWebSocketProtocol::CloseCodePolicyViolated,
               QStringLiteral("unknown endpoint path; use / or /ws"));
        return;
    }
    if (m_draining) {
        refuse(QWebSocketProtocol::CloseCodePolicyViolated,
               QStringLiteral("server draining; try another node"));
        return;
    }
    // Away sessions hold no socket; their owners need a slot to come back.
    if (liveConnectionCount() >= m_config.maxConnections) {
        qCWarning(lcNet) << "connection limit" << m_config.maxConnections
                         << "reached; refusing a client";
        // 1013 "Try Again Later" would say it best, but Qt clients treat
        // codes from 1012 up as protocol errors; 1008 and a reason do.
        refuse(QWebSocketProtocol::CloseCodePolicyViolated,
               QStringLiteral("server full; try again later"));
        return;
    }

    const ClientId id = m_nextId++;
    // From here the session owns the connection and deletes it.
    auto *session =
        new Session(id, QRandomGenerator::system()->generate64(), socket, *m_context, this);
    connect(session, &Session::closed, this, &ChatServer::onSessionClosed);
    m_sessions.insert(id, session);
    m_lastPingMs.insert(id, now());
    if (m_metrics)
        m_metrics->connects.inc();
    std::optional<QString> resumeToken;
    if (m_context->host) {
        resumeToken = newResumeToken(m_peers ? m_peers->tokenPrefix() : QString());
        bindResume(*session, *resumeToken);
    }
    session->sendWelcome(randomOpaqueId(), resumeToken);
}

ChatServer::Handover ChatServer::relayMessage(ClientId to, const protocol::IncomingMessage &message,
                                              ClientId from, const std::optional<QString> &id) {
    if (isRemote(to)) {
        PeerEvent event;
        event.kind = PeerEvent::Kind::Message;
        event.to = to;
        event.from = from;
        event.text = message.text;
        event.ts = message.ts;
        event.id = id.value_or(QString());
        if (const auto away = m_remoteAway.find(to); away != m_remoteAway.end() && away->nodeDead) {
            // Its node died: held here until it resumes on another one.
            if (away->held.size() >= m_config.resumeQueueMax)
                return Handover::QueueFull;
            away->held.append(event);
            countRelayed(to);
            return Handover::Queued;
        }
        if (!m_peers->post(event))
            return Handover::Unreachable;
        countRelayed(to);
        return Handover::Remote;
    }
    Session *session = m_sessions.value(to);
    if (!session || session->state() == Session::State::Closed)
        return Handover::Unreachable;
    if (session->isAway()) {
        const QueuedFrame frame{protocol::Codec::encode(message), id ? from : 0,
                                id.value_or(QString())};
        switch (m_resume->enqueue(to, frame, m_config.resumeQueueMax)) {
        case ResumeStore::Enqueued::Queued:
            countRelayed(to);
            return Handover::Queued;
        case ResumeStore::Enqueued::Full:
            return Handover::QueueFull;
        case ResumeStore::Enqueued::NotParked:
            return Handover::Unreachable;
        }
    }
    session->handleRelayed(message);
    countRelayed(to);
    return Handover::Delivered;
}

ResumeRecord ChatServer::recordOf(Session &session) const {
    ResumeRecord record;
    record.clientId = session.id();
    record.identityKey = session.identityKey();
    record.expiresAtMs = now() + qint64(m_config.resumeGraceSec) * 1000;
    switch (session.state()) {
    case Session::State::Waiting:
        record.state = QStringLiteral("waiting");
        if (const auto &entry = session.waitingEntry()) {
            record.waitingSinceMs = entry->sinceMs;
            record.waitingLat = entry->candidate.pos.latDeg;
            record.waitingLon = entry->candidate.pos.lonDeg;
            record.waitingRangeKm = entry->candidate.rangeKm;
        }
        break;
    case Session::State::Paired:
        record.state = QStringLiteral("paired");
        if (const auto pair = m_pairs->findByMember(session.id())) {
            record.pairId = pair->id;
            record.partnerId = pair->partnerOf(session.id());
            record.partnerIdentityKey =
                pair->a == session.id() ? pair->identityKeyB : pair->identityKeyA;
        }
        record.partnerHandle = session.lastMatched().partner;
        record.distanceKm = session.lastMatched().distanceKm;
        break;
    default:
        record.state = QStringLiteral("lobby");
        break;
    }
    if (AccountHandler *account = session.account(); account && account->identity()) {
        record.accountId = account->identity()->accountId;
        record.loginTokenHash = account->identity()->tokenHash;
    }
    record.recentIds = session.recentIds();
    record.recentIdsDelivered = session.recentIdsDelivered();
    return record;
}

void ChatServer::bindResume(Session &session, const QString &token) {
    m_resume->bindToken(session.id(), token);
    if (!m_peers)
        return;
    const auto old = m_mirrorKeys.value(session.id());
    if (!old.first.isEmpty())
        m_peers->dropResume(old.first);
    m_mirrorKeys.insert(session.id(), {resumeLookupKey(token), resumeTokenHash(token)});
    stateChanged(session);
}

void ChatServer::stateChanged(Session &session) {
    if (!m_peers)
        return;
    const auto key = m_mirrorKeys.value(session.id());
    if (!key.first.isEmpty())
        m_peers->saveResume(key.first, key.second, recordOf(session));
}

bool ChatServer::parkSession(Session &session) {
    // A draining or stopping server keeps nobody: it is about to go. A
    // draining cluster node does, for its clients to resume on another.
    if ((m_draining && !m_peers) || m_shuttingDown || m_config.resumeGraceSec <= 0)
        return false;
    const ResumeRecord record = recordOf(session);
    const std::optional<PairRecord> pair = record.state == QLatin1String("paired")
                                               ? m_pairs->findByMember(session.id())
                                               : std::nullopt;
    m_resume->park(record);
    m_lastPingMs.remove(session.id());
    qCDebug(lcNet) << "session" << session.id() << "away; kept for" << m_config.resumeGraceSec
                   << "s";
    if (pair)
        deliver(pair->partnerOf(session.id()), protocol::PartnerAway{});
    if (!m_resumeTimer.isActive())
        m_resumeTimer.start();
    return true;
}

void ChatServer::queueForAway(Session &session, const protocol::ServerMessage &message) {
    // Typing is stale by the time anyone reads it.
    if (std::holds_alternative<protocol::PartnerTyping>(message))
        return;
    const ClientId id = session.id();
    const QueuedFrame frame{protocol::Codec::encode(message), 0, QString()};
    // Notices share the bound with messages and may be dropped.
    if (std::holds_alternative<protocol::Notice>(message)) {
        m_resume->enqueue(id, frame, m_config.resumeQueueMax);
        return;
    }
    // Acks and pair events may not be dropped alone (the client would
    // resume into a chat with a hole). Acks are bounded by what the client
    // sent before it dropped, but a partner that drops and comes back again
    // and again adds partner_away and partner_back each time: past the cap
    // the away session ends, as if its grace period had run out.
    if (m_resume->enqueue(id, frame, m_config.resumeQueueFramesMax) != ResumeStore::Enqueued::Full)
        return;
    qCInfo(lcNet) << "session" << id << "away with" << m_config.resumeQueueFramesMax
                  << "frames queued; ended";
    // The token dies now (a resume is not_found). The session ends on the
    // next turn of the loop, not inside the resume or leave that sent this
    // frame, which would get the partner's partner_left in the middle.
    m_resume->forget(id);
    QMetaObject::invokeMethod(
        this,
        [this, id] {
            if (Session *s = m_sessions.value(id); s && s->isAway())
                s->expire();
        },
        Qt::QueuedConnection);
}

void ChatServer::resumeSession(Session &fresh, const QString &token) {
    const auto id = m_resume->redeem(token);
    Session *old = id ? m_sessions.value(*id) : nullptr;
    if (!old && m_peers && !token.startsWith(m_peers->tokenPrefix())) {
        // Another node's token: its record is in Redis.
        QPointer<Session> vehicle(&fresh);
        m_peers->takeResume(token, [this, vehicle](std::optional<ResumeRecord> record) {
            if (!vehicle || vehicle->state() == Session::State::Closed)
                return;
            AccountHandler *account = vehicle->account();
            if (record && record->accountId && account) {
                // Logged in on the node it left: logged in here too, once
                // the shared database confirms the login still stands.
                const ResumeRecord taken = *record;
                account->restoreLogin(*taken.accountId, taken.loginTokenHash,
                                      [this, vehicle, taken](std::optional<Revocation> ended) {
                                          if (!vehicle ||
                                              vehicle->state() == Session::State::Closed)
                                              return;
                                          adoptResumed(*vehicle, taken);
                                          if (ended && vehicle->account())
                                              vehicle->account()->endLogin(*ended);
                                      });
            } else if (record)
                adoptResumed(*vehicle, *record);
            else
                vehicle->send(protocol::Error{
                    protocol::ErrorCode::NotFound,
                    QStringLiteral("no session to resume for this token (unknown, used or "
                                   "expired); this is a new session"),
                    QStringLiteral("resume_session"), std::nullopt});
        });
        return;
    }
    if (!old || old == &fresh || old->state() == Session::State::Closed) {
        // The same answer for unknown, spent and expired tokens.
        fresh.send(protocol::Error{protocol::ErrorCode::NotFound,
                                   QStringLiteral("no session to resume for this token (unknown, "
                                                  "used or expired); this is a new session"),
                                   QStringLiteral("resume_session"), std::nullopt});
        return;
    }
    const bool wasAway = old->isAway();
    if (!wasAway) {
        // The old connection is half-dead (the client already moved on).
        Connection *stale = old->detachConnection();
        keepUntilClosed(stale);
        stale->abort();
    }
    const std::optional<ResumeRecord> record = m_resume->unpark(old->id());
    Connection *connection = fresh.detachConnection();
    // The fresh session was only the vehicle: it ends quietly (it had done
    // nothing but this frame).
    fresh.expire();
    old->attachConnection(connection);
    m_lastPingMs.insert(old->id(), now());

    const QString next = newResumeToken(m_peers ? m_peers->tokenPrefix() : QString());
    bindResume(*old, next);
    protocol::Resumed resumed;
    resumed.resumeToken = next;
    std::optional<PairRecord> pair;
    switch (old->state()) {
    case Session::State::Waiting:
        resumed.state = QStringLiteral("waiting");
        break;
    case Session::State::Paired:
        resumed.state = QStringLiteral("paired");
        resumed.pair = old->lastMatched().pair;
        resumed.partner = old->lastMatched().partner;
        resumed.distanceKm = old->lastMatched().distanceKm;
        pair = m_pairs->findByMember(old->id());
        break;
    default:
        resumed.state = QStringLiteral("lobby");
        break;
    }
    qCDebug(lcNet) << "session" << old->id() << "resumed," << resumed.state;
    old->send(resumed);
    if (wasAway) {
        // Back in the queue where it was: the entry keeps its arrival time.
        if (old->state() == Session::State::Waiting && old->waitingEntry())
            m_room->enter(*old->waitingEntry());
        if (pair)
            deliver(pair->partnerOf(old->id()), protocol::PartnerBack{});
    }
    if (!record)
        return;
    // What arrived meanwhile, in order, once; each sender hears `delivered`
    // only now that it reached the client.
    for (const QueuedFrame &f : record->queue) {
        if (old->state() == Session::State::Closed)
            break;
        old->connection().sendText(f.frame);
        if (!f.ackTo)
            continue;
        acknowledgeSender(f.ackTo, old->id(), f.ackId);
    }
}

void ChatServer::expireAway() {
    const QList<ClientId> expired = m_resume->expired(now());
    for (ClientId id : expired) {
        m_resume->forget(id);
        if (Session *s = m_sessions.value(id)) {
            qCDebug(lcNet) << "session" << id << "did not come back; closed";
            s->expire();
        }
    }
    if (m_resume->parkedCount() == 0)
        m_resumeTimer.stop();
}

void ChatServer::setDraining(bool draining) {
    if (draining == m_draining)
        return;
    m_draining = draining;
    m_refuseProxied->store(draining, std::memory_order_relaxed);
    if (!draining) {
        m_drainGraceTimer.stop();
        m_drainDeadlineTimer.stop();
    }
    Q_EMIT drainingChanged(draining);
}

void ChatServer::drain() {
    // The deadline runs from the first call to the end: one drain at a time.
    if (m_shuttingDown || m_drainDeadlineTimer.isActive())
        return;
    setDraining(true);
    const int graceMs = m_config.drainGraceSec * 1000;
    qCInfo(lcNet) << "draining:" << liveConnectionCount() << "clients told to move within"
                  << m_config.drainGraceSec << "s";
    m_drainDeadlineTimer.start(m_config.drainDeadlineSec * 1000);
    // Sessions waiting for a resume cannot be told, and this server will
    // not be here for them: they end now. A cluster node keeps them: they
    // may resume on another node, which takes them from here.
    const QList<Session *> sessions = m_sessions.values();
    for (Session *s : sessions)
        if (s->isAway() && !m_peers)
            s->expire();
    protocol::Notice notice;
    notice.text = QStringLiteral("This server is going away; reconnecting moves you to another.");
    notice.ts = now();
    notice.kind = QStringLiteral("server_draining");
    for (Session *s : std::as_const(m_sessions)) {
        if (s->state() == Session::State::Closed || s->isAway())
            continue;
        // Spread over the first part of the grace period, so clients do
        // not all reconnect at the same instant.
        notice.reconnectAfterMs =
            graceMs > 0 ? qint64(QRandomGenerator::global()->bounded(qMin(graceMs, 5000))) : 0;
        s->send(notice);
    }
    if (liveConnectionCount() == 0 || graceMs == 0)
        QMetaObject::invokeMethod(this, &ChatServer::shutdown, Qt::QueuedConnection);
    else
        m_drainGraceTimer.start(graceMs);
}

void ChatServer::shutdownNow() {
    m_shuttingDown = true;
    m_matchmaker->stop();
    m_sweepTimer.stop();
    m_listener->close();
    const QList<Session *> sessions = m_sessions.values();
    for (Session *s : sessions)
        s->abort();
    finishShutdown();
}

bool ChatServer::deliver(ClientId to, const protocol::ServerMessage &event) {
    if (isRemote(to))
        return postRemote(to, event);
    Session *session = m_sessions.value(to);
    if (!session || session->state() == Session::State::Closed)
        return false;
    session->handleRelayed(event);
    if (std::holds_alternative<protocol::IncomingMessage>(event))
        countRelayed(to);
    else if (const auto *left = std::get_if<protocol::PartnerLeft>(&event))
        Q_EMIT pairEnded(to, left->reason);
    return true;
}

bool ChatServer::kickPairOf(ClientId member) {
    // A pair with a member here is ended here; one wholly on another node
    // is ended there.
    if (isRemote(member) && !m_pairs->findByMember(member))
        return kickRemote(member, true);
    const auto pair = m_pairs->removeByMember(member);
    if (!pair)
        return false;
    m_recentPartners.record(pair->identityKeyA, pair->identityKeyB, now());
    relayPairEnd(*pair, pair->a, protocol::LeftReason::Kicked);
    relayPairEnd(*pair, pair->b, protocol::LeftReason::Kicked);
    return true;
}

bool ChatServer::kickClient(ClientId id) {
    if (isRemote(id))
        return kickRemote(id, false);
    Session *session = m_sessions.value(id);
    if (!session || session->state() == Session::State::Closed)
        return false;
    // The pair goes first so the partner hears "kicked", not "disconnected".
    if (const auto pair = m_pairs->removeByMember(id)) {
        m_recentPartners.record(pair->identityKeyA, pair->identityKeyB, now());
        relayPairEnd(*pair, pair->partnerOf(id), protocol::LeftReason::Kicked);
    }
    session->close(QWebSocketProtocol::CloseCodePolicyViolated,
                   QStringLiteral("kicked by a moderator"));
    return true;
}

QHostAddress ChatServer::peerAddress(ClientId id) const {
    Session *session = m_sessions.value(id);
    return session && !session->isAway() ? session->connection().peerAddress() : QHostAddress();
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
    m_resume->forget(id);
    if (const auto key = m_mirrorKeys.take(id); !key.first.isEmpty())
        m_peers->dropResume(key.first);
    // An away session that expired has no connection (and no close code).
    if (m_metrics && session && session->hasConnection())
        m_metrics->closed(session->connection().closeCode());
    Q_EMIT clientClosed(id);
    if (session)
        session->deleteLater();
    if (m_shuttingDown && m_sessions.isEmpty())
        finishShutdown();
    else if (m_drainGraceTimer.isActive() && liveConnectionCount() == 0) {
        // Everyone moved on before the grace period ended.
        m_drainGraceTimer.stop();
        QMetaObject::invokeMethod(this, &ChatServer::shutdown, Qt::QueuedConnection);
    }
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
        if (!s || s->isAway())
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
    m_drainGraceTimer.stop();
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
    m_drainDeadlineTimer.stop();
    m_resumeTimer.stop();
    Q_EMIT shutdownComplete();
}

} // namespace whisper
