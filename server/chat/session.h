// SPDX-License-Identifier: MIT
#pragma once

#include "matchtypes.h"
#include "privacygrid.h"
#include "protocol.h"
#include "recentids.h"
#include "resumestore.h"

#include "connection.h"
#include "waitingroom.h"

#include <QObject>
#include <QSet>

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
class Session;
class ServerMetrics;
class WaitingRoom;
struct ServerConfig;

// What a session asks of its owner about resuming (ChatServer).
class SessionHost {
public:
    virtual ~SessionHost() = default;
    // The session's connection dropped: true when the session is kept for
    // `resume_session` (it is then away), false when it closes for good.
    virtual bool parkSession(Session &session) = 0;
    // A frame for an away session, held until it resumes.
    virtual void queueForAway(Session &session, const protocol::ServerMessage &message) = 0;
    // `resume_session` as this fresh session's first frame.
    virtual void resumeSession(Session &fresh, const QString &token) = 0;
    // The session moved between lobby, waiting and paired (a cluster keeps
    // its resume record where other nodes find it).
    virtual void stateChanged(Session &) {}
};

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
    // Resume; null: a dropped connection ends its session at once.
    SessionHost *host = nullptr;
    ServerMetrics *metrics = nullptr; // null: not counted
    // Kept from frame to frame so a relayed message allocates nothing: the
    // last decoded client message (a `message` decodes into its strings)
    // and the last encoded frame. A session takes one while it uses it (a
    // nested use finds it empty and allocates): main thread only, as
    // every session is.
    protocol::ClientMessage lastReceived = {};
    QByteArray sendBuffer = {};
};

// One client connection and its protocol state machine:
// connected -> waiting -> paired -> lobby -> waiting ...
// A session whose connection dropped may be away for the resume grace
// period: it keeps its state and gets a new connection on resume.
class Session : public QObject, private MessageReceiver {
    Q_OBJECT
public:
    enum class State { Connected, Waiting, Paired, Lobby, Closed };
    Q_ENUM(State)

    Session(ClientId id, std::uint64_t identityKey, Connection *connection, SessionContext &context,
            QObject *parent = nullptr);
    ~Session() override;

    // Only while not away (isAway()).
    Connection &connection() { return *m_connection; }
    // False while away, and after an away session ended without coming back.
    bool hasConnection() const { return m_connection != nullptr; }
    bool isAway() const { return m_connection == nullptr && m_state != State::Closed; }

    ClientId id() const { return m_id; }
    std::uint64_t identityKey() const { return m_identityKey; }
    State state() const { return m_state; }
    qint64 lastSeenMs() const { return m_lastSeenMs; }

    void sendWelcome(const QString &sessionToken, const std::optional<QString> &resumeToken);
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

    // ---- resume
    // Takes the connection away from this session, which says nothing more
    // (it is spent: closed and quiet, or about to be resumed into).
    Connection *detachConnection();
    // Gives an away session the connection it resumed on.
    void attachConnection(Connection *connection);
    // The grace period ran out: ends the session as if it had closed.
    void expire();
    // A fresh session becomes the one `record` describes (it resumed here
    // from another node); `entry` is where it waits, with state "waiting".
    void adopt(const ResumeRecord &record, const std::optional<WaitingEntry> &entry);
    // The partner got message `id` (it was queued while the partner was away).
    void acknowledge(const QString &id);
    // Where this session waits (state Waiting), as it entered the room.
    const std::optional<WaitingEntry> &waitingEntry() const { return m_waitingEntry; }
    // The `matched` this session got for its current pair.
    const protocol::Matched &lastMatched() const { return m_matched; }
    // Message ids sent in the current pair, oldest first, and whether each
    // reached the partner.
    QList<QString> recentIds() const { return m_recentIds.ids(); }
    QList<bool> recentIdsDelivered() const { return m_recentIds.deliveredFlags(); }
    AccountHandler *account() const { return m_account.get(); }

Q_SIGNALS:
    void closed(whisper::ClientId id);

private:
    // The connection's messages, by a direct call (MessageReceiver).
    void onText(QByteArrayView utf8) override;
    void onBinary(QByteArrayView data) override;
    void onDisconnected();
    void dispatch(const protocol::ClientMessage &message);

    void handle(const protocol::Join &join);
    void handle(const protocol::SendMessage &message);
    void handle(const protocol::Typing &typing);
    void handle(const protocol::Leave &leave);
    void handle(const protocol::ResumeSession &resume);
    // Ends the session: leaves the room or the pair, says `closed`.
    void finish();
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
    std::optional<WaitingEntry> m_waitingEntry;
    protocol::Matched m_matched;
    RecentIds m_recentIds;
    int m_framesSeen = 0;
    bool m_serverClosed = false;  // closed on purpose: never kept for resume
    bool m_dropRequested = false; // aborted as unresponsive: may resume
};

} // namespace whisper
