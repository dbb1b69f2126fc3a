// SPDX-License-Identifier: MIT
#include "session.h"

#include "accounthandler.h"
#include "geo.h"
#include "pairregistry.h"
#include "recentpartners.h"
#include "relay.h"
#include "serverconfig.h"
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
    , m_context(context) {
    m_connection->setParent(this);
    m_lastSeenMs = m_context.clock();
    connect(m_connection, &Connection::textReceived, this, &Session::onText);
    connect(m_connection, &Connection::binaryReceived, this, &Session::onBinary);
    connect(m_connection, &Connection::pong, this, [this] { touch(); });
    connect(m_connection, &Connection::disconnected, this, &Session::onDisconnected);
    if (m_context.security)
        m_account = std::make_unique<AccountHandler>(*this, *m_context.security);
}

Session::~Session() = default;

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
    return true;
}

void Session::touch() {
    m_lastSeenMs = m_context.clock();
}

void Session::sendWelcome(const QString &sessionToken) {
    Welcome welcome;
    welcome.server = m_context.config.serverName;
    welcome.session = sessionToken;
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
    m_connection->sendText(Codec::encode(message));
}

void Session::ping() {
    if (m_state != State::Closed)
        m_connection->ping();
}

void Session::close(QWebSocketProtocol::CloseCode code, const QString &reason) {
    m_connection->close(code, reason);
}

void Session::abort() {
    m_connection->abort();
}

void Session::onText(const QByteArray &utf8) {
    touch();
    const auto decoded = m_context.codec.decodeClient(utf8);
    if (const auto *error = std::get_if<DecodeError>(&decoded)) {
        // Bad frames have a bucket too; over it the client hears only that.
        if (!m_account || m_account->admitMalformed())
            send(error->toError());
        return;
    }
    const ClientMessage &message = std::get<ClientMessage>(decoded);
    if (m_account && m_account->intercept(message))
        return;
    std::visit(
        [this](const auto &m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Join> || std::is_same_v<T, SendMessage> ||
                          std::is_same_v<T, Typing> || std::is_same_v<T, Leave>)
                handle(m);
            else
                send(Error{ErrorCode::Unavailable, QStringLiteral("accounts are not enabled"),
                           typeName(ClientMessage{m}), std::nullopt});
        },
        message);
}

void Session::onBinary(const QByteArray &) {
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
    send(Waiting{});
    m_context.room.enter(entry);
}

void Session::handle(const SendMessage &message) {
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
    const bool handedOver = m_context.relay.deliver(
        pair->partnerOf(m_id), IncomingMessage{message.text, m_context.clock()});
    if (handedOver && message.id)
        send(Delivered{*message.id});
    else if (!handedOver)
        send(Error{ErrorCode::Unavailable, QStringLiteral("partner is not reachable"),
                   QStringLiteral("message"), std::nullopt});
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
}

void Session::endPair(LeftReason reason) {
    const auto pair = m_context.pairs.removeByMember(m_id);
    if (!pair)
        return;
    m_context.recentPartners.record(pair->identityKeyA, pair->identityKeyB, m_context.clock());
    m_context.relay.deliver(pair->partnerOf(m_id), PartnerLeft{reason});
}

void Session::handleRelayed(const ServerMessage &event) {
    if (std::holds_alternative<Matched>(event)) {
        m_state = State::Paired;
        if (m_account)
            m_account->rememberPartner();
    } else if (std::holds_alternative<PartnerLeft>(event))
        m_state = State::Lobby;
    send(event);
}

void Session::onDisconnected() {
    if (m_state == State::Closed)
        return;
    if (m_state == State::Waiting)
        m_context.room.remove(m_id);
    else if (m_state == State::Paired)
        endPair(LeftReason::Disconnected);
    m_state = State::Closed;
    qCDebug(lcSession) << "session" << m_id << "closed, code" << m_connection->closeCode();
    Q_EMIT closed(m_id);
}

} // namespace whisper
