// SPDX-License-Identifier: MIT
#pragma once

#include "matchtypes.h"
#include "privacygrid.h"
#include "protocol.h"

#include "connection.h"

#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace whisper {

class AccountHandler;
class PairRegistry;
struct PairRecord;
struct SecurityServices;
class RecentPartners;
class Relay;
class ServerMetrics;
class WaitingRoom;
struct ServerConfig;

// What every session shares; owned by the ChatServer.
struct SessionContext {
    const ServerConfig &config;
    const protocol::Codec &codec;
    WaitingRoom &room;
    PairRegistry &pairs;
    Relay &relay;
    RecentPartners &recentPartners;
    // Every joining position is snapped to it: the waiting room, the
    // matcher and the admin console never see a raw position.
    const geo::PrivacyGrid &grid;
    std::function<qint64()> clock;
    // Accounts, rate limits and moderation; null: guests only, no limits.
    SecurityServices *security = nullptr;
    ServerMetrics *metrics = nullptr; // null: not counted
};

// One client connection and its protocol state machine:
// connected -> waiting -> paired -> lobby -> waiting ...
class Session : public QObject {
    Q_OBJECT
public:
    enum class State { Connected, Waiting, Paired, Lobby, Closed };
    Q_ENUM(State)

    Session(ClientId id, std::uint64_t identityKey, Connection *connection, SessionContext &context,
            QObject *parent = nullptr);
    ~Session() override;

    Connection &connection() { return *m_connection; }

    ClientId id() const { return m_id; }
    std::uint64_t identityKey() const { return m_identityKey; }
    State state() const { return m_state; }
    qint64 lastSeenMs() const { return m_lastSeenMs; }

    void sendWelcome(const QString &sessionToken);
    // Who this client is to the matchmaker; changes on login/logout (only
    // in the lobby), so an account's blocks follow it across connections.
    void setIdentityKey(std::uint64_t key) { m_identityKey = key; }
    // The pair this client is in, if any.
    std::optional<PairRecord> currentPair() const;
    // Ends this client's pair as if it left; the partner learns `reason`
    // (blocked, kicked). False when not paired.
    bool leavePair(protocol::LeftReason reason);
    // An event for this client from the matchmaker or its partner.
    void handleRelayed(const protocol::ServerMessage &event);
    void send(const protocol::ServerMessage &message);
    void ping();
    void close(QWebSocketProtocol::CloseCode code, const QString &reason);
    // Drops the connection without a close handshake (unresponsive peer).
    void abort();

Q_SIGNALS:
    void closed(whisper::ClientId id);

private:
    void onText(const QByteArray &utf8);
    void onBinary(const QByteArray &data);
    void onDisconnected();

    void handle(const protocol::Join &join);
    void handle(const protocol::SendMessage &message);
    void handle(const protocol::Typing &typing);
    void handle(const protocol::Leave &leave);
    void conflict(const QString &ref, const QString &message);
    // Ends the pair this client is in; the partner learns `reason`.
    void endPair(protocol::LeftReason reason);
    void touch();

    ClientId m_id;
    std::uint64_t m_identityKey;
    Connection *m_connection;
    SessionContext &m_context;
    State m_state = State::Connected;
    qint64 m_lastSeenMs = 0;
    std::unique_ptr<AccountHandler> m_account;
};

} // namespace whisper
