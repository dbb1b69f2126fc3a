// SPDX-License-Identifier: MIT
#pragma once

#include "listener.h"
#include "matchmaker.h"
#include "pairregistry.h"
#include "peerlink.h"
#include "protocol.h"
#include "recentpartners.h"
#include "relay.h"
#include "resumestore.h"
#include "serverconfig.h"
#include "session.h"
#include "waitingroom.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <vector>

namespace whisper {

// The chat endpoint: accepts WebSocket connections, owns their sessions, the
// waiting room, the pair registry and the matchmaker, and keeps connections
// honest (limits, pings, idle timeouts, graceful shutdown).
class ChatServer : public QObject, private Relay, private SessionHost {
    Q_OBJECT
public:
    // `metrics` (may be null) must outlive the server.
    explicit ChatServer(const ServerConfig &config, QObject *parent = nullptr,
                        ServerMetrics *metrics = nullptr, ClusterSeams cluster = {});
    ~ChatServer() override;

    // Starts listening; false with errorString() set when the port is taken.
    bool listen();
    QUrl url() const;
    QString errorString() const { return m_errorString; }

    // Stops accepting, closes every client with 1001 and emits
    // shutdownComplete() when all are gone or the grace period ran out.
    void shutdown();
    // Graceful drain (SIGTERM, the console's `drain`): refuses new clients,
    // sends every client a `notice` of kind "server_draining" with a
    // reconnect hint, gives them drain-grace-s, then shutdown(); at
    // drain-deadline-s it stops regardless. shutdownComplete() ends it.
    void drain();
    // Ends at once (a second SIGTERM): drops every client unannounced.
    void shutdownNow();

    int connectionCount() const { return int(m_sessions.size()); }
    // Sessions whose connection dropped and that wait for resume_session.
    int awayCount() const { return m_resume->parkedCount(); }
    int waitingCount() const { return m_room->count(); }
    int pairCount() const { return m_pairs->count(); }
    Matchmaker &matchmaker() { return *m_matchmaker; }
    // Accounts, rate limits and moderation for every session (null: guests
    // only); set before listen(), must outlive the server.
    // Also routes the account service's revocations to the live sessions.
    void setSecurity(SecurityServices *security);

    // ---- hooks for the control endpoint (admin console)
    // Read access to the waiting room: its entered/removed signals.
    const WaitingRoom &waitingRoom() const { return *m_room; }
    // Disconnects a client (close code 1008); its partner gets partner_left
    // "kicked". False when there is no such client. A client of another
    // cluster node is kicked there (true when the request was sent).
    bool kickClient(ClientId id);
    // Ends the pair `member` is in; both get partner_left "kicked" and stay
    // connected. False when the client is not paired.
    bool kickPairOf(ClientId member);
    // The client's address (for bans of guests); null when unknown.
    QHostAddress peerAddress(ClientId id) const;
    // Sends `notice` to every connected client; returns how many.
    int broadcast(const protocol::Notice &notice);
    // Draining: new connections are refused (1008 with a reason). true is
    // what drain() sets; false calls a drain off (its timers stop).
    void setDraining(bool draining);
    bool isDraining() const { return m_draining; }
    // Told of every relayed message (null: nobody); must outlive the
    // server or be unset first.
    void setRelayObserver(RelayObserver *observer) { m_relayObserver = observer; }
    RelayObserver *relayObserver() const { return m_relayObserver; }

Q_SIGNALS:
    void shutdownComplete();
    // The draining state changed (readiness checks answer 503 while true).
    void drainingChanged(bool draining);
    // Emitted for the control endpoint; cheap when nobody listens.
    void pairStarted(const whisper::PairRecord &pair);
    // A pair ended; `notified` is the member told so by partner_left.
    void pairEnded(whisper::ClientId notified, whisper::protocol::LeftReason reason);
    void clientClosed(whisper::ClientId id);

private:
    bool deliver(ClientId to, const protocol::ServerMessage &event) override;
    Handover relayMessage(ClientId to, const protocol::IncomingMessage &message, ClientId from,
                          const std::optional<QString> &id) override;
    bool relayPairEnd(const PairRecord &pair, ClientId notify,
                      protocol::LeftReason reason) override;
    void countRelayed(ClientId to) {
        if (m_relayObserver)
            m_relayObserver->messageRelayed(to);
    }
    // ---- cluster: clients of other nodes
    bool isRemote(ClientId id) const { return m_peers && !m_peers->isLocal(id); }
    bool postRemote(ClientId to, const protocol::ServerMessage &event);
    // Message `id` from `sender` reached `recipient`'s connection: the
    // sender hears `delivered`, here or through its node.
    void acknowledgeSender(ClientId sender, ClientId recipient, const QString &id);
    // A kick for a client of another node, carried out there.
    bool kickRemote(ClientId id, bool pairOnly);
    // The local member `to` is still paired with `from` (events of a pair
    // that ended, or of another, are dropped).
    bool pairedWith(ClientId to, ClientId from) const;
    void onPeerEvent(const PeerEvent &event);
    void onClusterMatch(const ClusterMatch &match);
    void onNodeLost(quint32 nodeBits);
    void checkRemoteNodes();
    // ---- cluster: resume on another node
    void adoptResumed(Session &fresh, const ResumeRecord &record);
    // A connection detached from its session, closing.
    void keepUntilClosed(Connection *connection);
    // `id` resumed on another node as `movedTo`: it goes without a word to
    // its partner, and what was queued for it follows it.
    void letGo(ClientId id, ClientId movedTo);
    // The local `member`'s partner `was` is now `now` (it resumed elsewhere).
    void rebind(ClientId member, ClientId was, ClientId now);
    void endRemoteAway(ClientId partner);
    bool parkSession(Session &session) override;
    void queueForAway(Session &session, const protocol::ServerMessage &message) override;
    void resumeSession(Session &fresh, const QString &token) override;
    void stateChanged(Session &session) override;
    // The resume record of a session as it stands (park and the cluster's
    // copy share it).
    ResumeRecord recordOf(Session &session) const;
    // Makes `token` the session's resume token (and, in a cluster, writes
    // its record where other nodes find it).
    void bindResume(Session &session, const QString &token);
    void expireAway();
    int liveConnectionCount() const { return connectionCount() - awayCount(); }

    void onNewConnection(whisper::Connection *connection);
    void onMatched(ClientId served, ClientId partner, double distanceKm);
    void onSessionClosed(ClientId id);
    void sweep();
    void logCounts();
    void finishShutdown();
    qint64 now() const;

    ServerConfig m_config;
    protocol::Codec m_codec;
    std::unique_ptr<WaitingRoom> m_ownRoom; // a single node's room
    WaitingRoom *m_room = nullptr;
    PeerLink *m_peers = nullptr;
    QTimer m_nodeCheckTimer; // cluster: are the nodes our pairs span alive?
    // Cluster: the lookup key and hash of each session's current resume
    // token, for its record in Redis.
    QHash<ClientId, QPair<QByteArray, QByteArray>> m_mirrorKeys;
    // Cluster: partners (on other nodes) that are away. While their node is
    // alive it queues for them; when it died, messages for them are held
    // here until they resume elsewhere or the grace period ends.
    struct RemoteAway {
        bool nodeDead = false;
        qint64 deadlineMs = 0;
        QList<PeerEvent> held;
    };
    QHash<ClientId, RemoteAway> m_remoteAway;
    std::unique_ptr<PairRegistry> m_pairs;
    RecentPartners m_recentPartners;
    geo::PrivacyGrid m_grid;
    std::unique_ptr<SessionContext> m_context;
    std::unique_ptr<Matchmaker> m_matchmaker;
    std::unique_ptr<ConnectionListener> m_listener;
    std::unique_ptr<ResumeStore> m_resume;
    QTimer m_resumeTimer; // runs while sessions are away
    QTimer m_drainGraceTimer;
    QTimer m_drainDeadlineTimer;
    QHash<ClientId, Session *> m_sessions;
    QHash<ClientId, qint64> m_lastPingMs;
    // The sweep visits every session once per round, a slice per timer tick,
    // so the pings and checks of thousands of sessions are spread over the
    // round instead of stalling the loop (and every message) at once.
    QTimer m_sweepTimer;
    std::vector<ClientId> m_sweepRound; // the ids of this round
    std::size_t m_sweepCursor = 0;
    int m_sweepSlices = 1; // ticks per round
    QTimer m_statsTimer;
    QTimer m_shutdownTimer;
    ClientId m_nextId = 1;
    QString m_pairIdPrefix; // cluster: the node id, so pair ids never clash across nodes
    bool m_shuttingDown = false;
    bool m_shutdownDone = false;
    bool m_draining = false;
    // Shared with the transport: while draining, upgrades through a trusted
    // proxy are refused with 503 so the proxy picks another node.
    std::shared_ptr<std::atomic<bool>> m_refuseProxied = std::make_shared<std::atomic<bool>>(false);
    QString m_errorString;
    ServerMetrics *m_metrics = nullptr;
    RelayObserver *m_relayObserver = nullptr;
};

} // namespace whisper
