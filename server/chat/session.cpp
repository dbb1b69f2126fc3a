// SPDX-License-Identifier: MIT
#include "session.h"

#include "accounthandler.h"
#include "geo.h"
#include "pairregistry.h"
#include "recentpartners.h"
#include "relay.h"
#include "serverconfig.h"
#include "servermetrics.h"
#include "waitingroom.h"

#include <QLoggingCategory>

namespace whisper {

Q_LOGGING_CATEGORY(lcSession, "whisper.server.session")

using namespace protocol;

Session::Session(ClientId id, std::uint64_t identityKey, Connection *connection,
                 SessionContext &context, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_identityKey(identityKey)
    , m_connection(connection)
    , m_context(context)
    , m_recentIds(context.config.resumeDedupWindow) {
    m_connection = nullptr;
    attachConnection(connection);
    if (m_context.security)
        m_account = std::make_unique<AccountHandler>(*this, *m_context.security);
}

Session::~Session() {
    // The connection, a child, outlives this part of the destruction.
    if (m_connection)
        m_connection->setReceiver(nullptr);
}

void Session::attachConnection(Connection *connection) {
    m_connection = connection;
    m_connection->setParent(this);
    m_lastSeenMs = m_context.clock();
    m_serverClosed = false;
    m_dropRequested = false;
    m_connection->setReceiver(this);
    connect(m_connection, &Connection::pong, this, [this] { touch(); });
    connect(m_connection, &Connection::disconnected, this, &Session::onDisconnected);
}

Connection *Session::detachConnection() {
    Connection *connection = m_connection;
    if (!connection)
        return nullptr;
    connection->disconnect(this);
    connection->setReceiver(nullptr);
    connection->setParent(nullptr);
    m_connection = nullptr;
    return connection;
}

void Session::expire() {
    if (m_state == State::Closed)
        return;
    finish();
}

void Session::adopt(const ResumeRecord &record, const std::optional<WaitingEntry> &entry) {
    m_identityKey = record.identityKey;
    if (record.state == QLatin1String("waiting") && entry) {
        m_state = State::Waiting;
        m_waitingEntry = entry;
    } else if (record.state == QLatin1String("paired")) {
        m_state = State::Paired;
        m_matched = Matched{record.pairId, record.partnerHandle, record.distanceKm};
        m_recentIds.assign(record.recentIds, record.recentIdsDelivered);
    } else {
        m_state = State::Lobby;
    }
}

void Session::acknowledge(const QString &id) {
    m_recentIds.remember(id, true);
    send(Delivered{id});
}

std::optional<PairRecord> Session::currentPair() const {
    if (m_state != State::Paired)
        return std::nullopt;
    return m_context.pairs.findByMember(m_id);
}

bool Session::leavePair(LeftReason reason) {
    if (m_state != State::Paired)
        return false;
    endPair(reason);
    m_state = State::Lobby;
    if (m_context.host)
        m_context.host->stateChanged(*this);
    return true;
}

void Session::touch() {
    m_lastSeenMs = m_context.clock();
}

void Session::sendWelcome(const QString &sessionToken, const std::optional<QString> &resumeToken) {
    Welcome welcome;
    welcome.server = m_context.config.serverName;
    welcome.session = sessionToken;
    welcome.resumeToken = resumeToken;
    welcome.limits = Limits{m_context.config.maxTextChars, m_context.config.maxMessageBytes};
    if (m_context.config.clustered())
        welcome.node = m_context.config.nodeId;
    send(welcome);
    if (m_account)
        m_account->admitConnection();
}

void Session::send(const ServerMessage &message) {
    if (m_state == State::Closed)
        return;
    if (m_context.metrics)
        m_context.metrics->sent(message);
    if (!m_connection) {
        if (m_context.host)
            m_context.host->queueForAway(*this, message);
        return;
    }
    // Taken, not shared: a send nested in this one (none today) would
    // otherwise write over it.
    QByteArray frame = std::exchange(m_context.sendBuffer, QByteArray());
    Codec::encode(message, frame);
    m_connection->sendText(frame);
    m_context.sendBuffer = std::move(frame);
}

void Session::ping() {
    if (m_state != State::Closed && m_connection)
        m_connection->ping();
}

void Session::close(QWebSocketProtocol::CloseCode code, const QString &reason) {
    if (!m_connection) {
        // Away: there is nothing to close, the session ends now.
        expire();
        return;
    }
    m_serverClosed = true;
    m_connection->close(code, reason);
}

void Session::abort() {
    if (!m_connection) {
        expire();
        return;
    }
    m_dropRequested = true;
    m_connection->abort();
}

void Session::onText(QByteArrayView utf8) {
    touch();
    ++m_framesSeen;
    // Decoded into the strings of the previous frame (of any session): a
    // `message` then costs no allocation.
    ClientMessage message = std::exchange(m_context.lastReceived, ClientMessage{});
    if (const auto error = m_context.codec.decodeClient(utf8, message)) {
        // Bad frames have a bucket too; over it the client hears only that.
        if (!m_account || m_account->admitMalformed())
            send(error->toError());
    } else {
        dispatch(message);
    }
    // Back for the next frame; only a chat message: other frames may hold
    // secrets (passwords, tokens), which go now.
    if (std::holds_alternative<SendMessage>(message))
        m_context.lastReceived = std::move(message);
}

void Session::dispatch(const ClientMessage &message) {
    if (m_account && m_account->intercept(message))
        return;
    std::visit(
        [this](const auto &m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Join> || std::is_same_v<T, SendMessage> ||
                          std::is_same_v<T, Typing> || std::is_same_v<T, Leave> ||
                          std::is_same_v<T, ResumeSession>)
                handle(m);
            else
                send(Error{ErrorCode::Unavailable, QStringLiteral("accounts are not enabled"),
                           typeName(ClientMessage{m}), std::nullopt});
        },
        message);
}

void Session::onBinary(QByteArrayView) {
    touch();
    if (m_account && !m_account->admitMalformed())
        return;
    send(Error{ErrorCode::BadRequest,
               QStringLiteral("binary frames are not supported; send JSON in text frames"),
               QString(), std::nullopt});
}

void Session::conflict(const QString &ref, const QString &message) {
    send(Error{ErrorCode::Conflict, message, ref, std::nullopt});
}

void Session::handle(const Join &join) {
    if (m_state == State::Waiting || m_state == State::Paired) {
        conflict(QStringLiteral("join"), m_state == State::Waiting
                                             ? QStringLiteral("already waiting")
                                             : QStringLiteral("already paired; leave first"));
        return;
    }
    if (!m_context.room.isAvailable()) {
        // A cluster's shared room cannot be reached: say so now rather than
        // leave the client waiting in a room nobody matches.
        send(Error{ErrorCode::Unavailable,
                   QStringLiteral("matching is unavailable right now; try again in a few seconds"),
                   QStringLiteral("join"), std::nullopt});
        return;
    }
    const qint64 now = m_context.clock();
    WaitingEntry entry;
    entry.candidate.id = m_id;
    // The raw position goes no further than this line: matching on exact
    // positions would answer "distance <= my range" exactly and let anyone
    // locate a waiting user by varying their own position or range.
    entry.candidate.pos = m_context.grid.snap(geo::GeoPoint{join.lat, join.lon});
    entry.candidate.rangeKm = join.rangeKm;
    entry.candidate.identityKey = m_identityKey;
    entry.candidate.excludes = m_context.recentPartners.activeFor(m_identityKey, now);
    if (m_account)
        for (const Exclusion &e : m_account->blockExclusions())
            entry.candidate.excludes.push_back(e);
    entry.sinceMs = now;
    m_state = State::Waiting;
    m_waitingEntry = entry;
    send(Waiting{});
    m_context.room.enter(entry);
    if (m_context.host)
        m_context.host->stateChanged(*this);
}

void Session::handle(const ResumeSession &resume) {
    // Only a fresh connection may become an old session: anything it did
    // first (a join, a login) would be lost or mixed with the old state.
    if (m_framesSeen != 1 || m_state != State::Connected) {
        conflict(QStringLiteral("resume_session"),
                 QStringLiteral("resume_session must be the first frame"));
        return;
    }
    if (!m_context.host) {
        // Resume is off (resume-grace-s 0): no token can be valid here.
        send(Error{ErrorCode::NotFound,
                   QStringLiteral("this server does not resume sessions; this is a new session"),
                   QStringLiteral("resume_session"), std::nullopt});
        return;
    }
    m_context.host->resumeSession(*this, resume.token);
}

void Session::handle(const SendMessage &message) {
    const metrics::ScopedTimer relayTimer(ServerMetrics::relaySample(m_context.metrics));
    if (m_state != State::Paired) {
        conflict(QStringLiteral("message"),
                 QStringLiteral("not paired; join and wait for a match"));
        return;
    }
    const auto pair = m_context.pairs.findByMember(m_id);
    if (!pair) {
        conflict(QStringLiteral("message"), QStringLiteral("not paired"));
        return;
    }
    if (message.id) {
        // A retry of a message the server already has: delivered once. The
        // sender hears `delivered` again if it was, or when it is.
        const qsizetype seen = m_recentIds.find(*message.id);
        if (seen >= 0) {
            if (m_recentIds.delivered(seen))
                send(Delivered{*message.id});
            return;
        }
    }
    const auto handover = m_context.relay.relayMessage(
        pair->partnerOf(m_id), IncomingMessage{message.text, m_context.clock()}, m_id, message.id);
    switch (handover) {
    case Relay::Handover::Delivered:
        if (m_context.metrics)
            m_context.metrics->messagesRelayed.inc();
        if (message.id) {
            m_recentIds.remember(*message.id, true);
            send(Delivered{*message.id});
        }
        break;
    case Relay::Handover::Queued:
    case Relay::Handover::Remote:
        if (m_context.metrics)
            m_context.metrics->messagesRelayed.inc();
        if (message.id)
            m_recentIds.remember(*message.id, false);
        break;
    case Relay::Handover::QueueFull:
        send(Error{ErrorCode::Unavailable,
                   QStringLiteral("partner is away and %1 messages already wait for them; "
                                  "send again later")
                       .arg(m_context.config.resumeQueueMax),
                   QStringLiteral("message"), std::nullopt});
        break;
    case Relay::Handover::Unreachable:
        send(Error{ErrorCode::Unavailable, QStringLiteral("partner is not reachable"),
                   QStringLiteral("message"), std::nullopt});
        break;
    }
}

void Session::handle(const Typing &typing) {
    if (m_state != State::Paired) {
        conflict(QStringLiteral("typing"), QStringLiteral("not paired"));
        return;
    }
    if (const auto pair = m_context.pairs.findByMember(m_id))
        m_context.relay.deliver(pair->partnerOf(m_id), PartnerTyping{typing.active});
}

void Session::handle(const Leave &) {
    switch (m_state) {
    case State::Waiting:
        m_context.room.remove(m_id);
        m_waitingEntry.reset();
        break;
    case State::Paired:
        endPair(LeftReason::Left);
        break;
    default:
        conflict(QStringLiteral("leave"), QStringLiteral("neither waiting nor paired"));
        return;
    }
    m_state = State::Lobby;
    send(Left{});
    if (m_context.host)
        m_context.host->stateChanged(*this);
}

void Session::endPair(LeftReason reason) {
    const auto pair = m_context.pairs.removeByMember(m_id);
    if (!pair)
        return;
    m_context.recentPartners.record(pair->identityKeyA, pair->identityKeyB, m_context.clock());
    m_context.relay.relayPairEnd(*pair, pair->partnerOf(m_id), reason);
}

void Session::handleRelayed(const ServerMessage &event) {
    if (const auto *matched = std::get_if<Matched>(&event)) {
        m_state = State::Paired;
        m_waitingEntry.reset();
        m_matched = *matched;
        // Ids are per pair: a new partner starts a new window, and the old
        // one's memory goes (each session would hold its longest pair's
        // worth for life otherwise).
        m_recentIds.clear();
        if (m_account)
            m_account->rememberPartner();
    } else if (std::holds_alternative<PartnerLeft>(event))
        m_state = State::Lobby;
    send(event);
    if (m_context.host &&
        (std::holds_alternative<Matched>(event) || std::holds_alternative<PartnerLeft>(event)))
        m_context.host->stateChanged(*this);
}

void Session::onDisconnected() {
    if (m_state == State::Closed || !m_connection)
        return;
    const int code = m_connection->closeCode();
    qCDebug(lcSession) << "session" << m_id << "disconnected, code" << code;
    // Kept for resume only when the connection was lost, not ended: no
    // close frame (1005, 1006), the peer going away (1001), or unresponsive.
    // A client's own 1000 and every close the server made end the session.
    const bool lost =
        !m_serverClosed && (m_dropRequested || code == 1001 || code == 1005 || code == 1006);
    // A connection that never did anything is not worth keeping (hostile
    // floods of them would be held for the grace period), unless logged in.
    const bool worthKeeping =
        m_state != State::Connected || (m_account && m_account->identity().has_value());
    if (lost && worthKeeping && m_context.host) {
        Connection *gone = m_connection;
        detachConnection();
        gone->deleteLater();
        if (m_state == State::Waiting)
            m_context.room.remove(m_id);
        if (m_context.host->parkSession(*this))
            return;
        // Not kept after all: the connection is gone either way.
    } else if (m_state == State::Waiting) {
        m_context.room.remove(m_id);
    }
    finish();
}

void Session::finish() {
    if (m_state == State::Closed)
        return;
    if (m_state == State::Paired)
        endPair(LeftReason::Disconnected);
    m_state = State::Closed;
    Q_EMIT closed(m_id);
}

} // namespace whisper
