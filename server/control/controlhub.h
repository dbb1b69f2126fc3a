// SPDX-License-Identifier: MIT
#pragma once

#include "controlbackend.h"
#include "controlprotocol.h"
#include "matchtypes.h"
#include "pairregistry.h"
#include "relay.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointF>
#include <QSet>

#include <array>
#include <deque>
#include <functional>
#include <vector>

namespace whisper {

class ChatServer;
struct ClusterSnapshot;
struct WaitingEntry;

// What the node of a client on another node says about it, for bans and
// their preview (the address never leaves the server).
struct RemoteClient {
    ControlBanScopes scopes;
    QHostAddress address;
};
// Asks the client's node; answers nullopt when it does not know the client
// or does not answer in time.
using RemoteClientLookup =
    std::function<void(ClientId, std::function<void(std::optional<RemoteClient>)>)>;

// Changes since the last flush, coalesced: a map of the latest added/updated
// records and a set of removed ids. Apply removals first, then additions.
struct ControlChanges {
    QHash<QString, control::WaitingClient> waitingAdded;
    QSet<QString> waitingRemoved;
    QHash<QString, control::PairInfo> pairsAdded;
    QSet<QString> pairsRemoved;
    QSet<QString> pairsMessaged; // message count changed
    QList<control::Event> events;

    bool isEmpty() const;
    // Folds `later` into this, keeping the result equivalent to applying both.
    void merge(const ControlChanges &later);
};

// The control endpoint's view of the chat server, with privacy applied:
// opaque client ids, positions on the 0.1 degree grid, message counts without
// text. Follows the server through its signals (a few hash updates per event)
// and, per relayed message, a direct call (RelayObserver),
// gathers changes until the control server's next flush and performs the
// moderation actions. A relayed message, the one event on the chat path, costs
// an integer-keyed lookup and two increments: its pair's count is folded into
// the string-keyed records only when someone reads them (pairs(),
// takeChanges()), at most once per pair and flush.
class ControlHub : public QObject, private RelayObserver {
    Q_OBJECT
public:
    using Clock = std::function<qint64()>;
    static constexpr int kMaxEventsPerFlush = 1000;

    ControlHub(ChatServer &server, QString version, Clock clock = {}, QObject *parent = nullptr);
    ~ControlHub() override;

    const QHash<QString, control::WaitingClient> &waiting() const { return m_waiting; }
    const QHash<QString, control::PairInfo> &pairs() const {
        foldMessageCounts();
        return m_pairs;
    }
    control::Stats stats() const;

    // Everything that changed since the previous call.
    ControlChanges takeChanges();
    // Drops the changes since the previous call, for when no console listens:
    // cheaper than takeChanges(), which lists every pair that got a message.
    void discardChanges();

    std::optional<ClientId> clientOf(const QString &opaqueId) const;
    std::optional<ClientId> memberOfPair(const QString &pairId) const;
    // The console's id of a live pair, from the id its members know (empty
    // when the pair has ended).
    QString consolePairId(const QString &chatPairId) const;
    // Notes an event that happened outside the chat server (a ban, a report).
    void addEvent(control::EventKind kind, const QString &subject, const QString &detail = {});

    ChatServer &server() { return m_server; }
    // Tells guests from accounts (the "account" flag of waiting clients).
    void setAccountLookup(std::function<bool(ClientId)> isAccount) {
        m_isAccount = std::move(isAccount);
    }

    // ---- cluster: the other nodes' clients and pairs
    // This node's id: clients of other nodes are told apart by their id
    // space (common/ids.h). Set once, in cluster mode only.
    void setLocalNode(const QString &nodeId);
    bool isRemote(ClientId id) const;
    // Takes the other nodes' waiting clients and pairs (a pair with a
    // member here is known from the chat server already) and the node
    // table from a reading of Redis; what changed goes out as a delta.
    void applyCluster(const ClusterSnapshot &snapshot);
    // Drops everything of the other nodes (no console watches any more,
    // so no reading keeps it current).
    void clearCluster();
    void setRemoteClientLookup(RemoteClientLookup lookup) { m_remoteLookup = std::move(lookup); }
    const RemoteClientLookup &remoteClientLookup() const { return m_remoteLookup; }

private:
    QString opaqueId(ClientId id);
    void onEntered(const WaitingEntry &entry);
    void onRemoved(ClientId id);
    void onPairStarted(const PairRecord &pair);
    void onPairEnded(ClientId notified, int reason);
    // A relayed message (RelayObserver): the chat server calls it directly.
    void messageRelayed(ClientId to) override;
    void onClosed(ClientId id);
    void countRate(std::deque<qint64> &window, qint64 spanMs) const;
    // Copies the counts of pairs that got messages into m_pairs and marks
    // them in m_changes.pairsMessaged.
    void foldMessageCounts(bool markChanged = true) const;
    void releaseCounter(int slot);
    // Moves the message buckets forward to `second`, clearing skipped ones.
    void advanceMessageBuckets(qint64 second) const;
    void endPair(int slot, protocol::LeftReason why);
    void removeRemotePair(const QString &consoleId);
    // Drops the console ids of other nodes' clients: all but `ids`, or
    // only `ids`.
    void forgetRemoteClients(const QSet<ClientId> &ids, bool only = false);

    ChatServer &m_server;
    QString m_version;
    Clock m_clock;
    QElapsedTimer m_uptime;
    QHash<ClientId, QString> m_opaque;
    QHash<QString, ClientId> m_byOpaque;
    // Last coarse position of every client that waited, for pair lines.
    QHash<ClientId, QPointF> m_positions;
    QHash<QString, control::WaitingClient> m_waiting;
    // Folded into lazily (mutable), see foldMessageCounts().
    mutable QHash<QString, control::PairInfo> m_pairs;
    // Message counts of the active pairs, in reused slots; members map to
    // their pair's slot by client id.
    struct PairCounter {
        QString pairId;     // the console's id
        QString chatPairId; // the members' id (matched.pair)
        ClientId a = 0, b = 0;
        qint64 startedMs = 0; // the hub's clock
        qint64 messages = 0;
        bool used = false;
        bool dirty = false; // counted since the last fold; listed in m_dirtyCounters
    };
    mutable std::vector<PairCounter> m_counters;
    std::vector<int> m_freeCounters;
    mutable std::vector<int> m_dirtyCounters;
    QHash<ClientId, int> m_counterOfMember;
    QHash<QString, QString> m_consolePairIds; // members' pair id -> console's
    mutable ControlChanges m_changes;
    std::function<bool(ClientId)> m_isAccount;
    mutable std::deque<qint64> m_matchTimes; // last minute
    // Messages per second over the last 10 s: one counter per second, so a
    // relayed message costs an increment, never an allocation.
    mutable std::array<qint64, 10> m_messageBuckets{};
    mutable qint64 m_messageSecond = 0;

    // Cluster mode only.
    bool m_clustered = false;
    quint32 m_selfBits = 0;
    QSet<QString> m_remoteWaiting; // console ids of other nodes' waiting clients
    QHash<QString, QString>
        m_remotePairIds;        // members' pair id -> console's, pairs wholly elsewhere
    QSet<ClientId> m_remoteIds; // other nodes' clients with a console id
    QList<control::NodeStats> m_nodes;
    bool m_clusterRead = false; // a reading was applied since the last clear
    RemoteClientLookup m_remoteLookup;
};

} // namespace whisper
