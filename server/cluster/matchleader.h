// SPDX-License-Identifier: MIT
#pragma once

#include "matchmaker.h"
#include "waitingroom.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>

namespace whisper {

class RedisClient;
struct RedisReply;

// Matchmaking for the whole cluster, on whichever node holds the lease.
// Every node runs one; at most one leads at a time:
// - the lease is the key `whisper:leader`, taken with SET NX PX and renewed
//   every third of `leader-lease-ms`. Its value is the fencing token
//   `<term>:<node>` (the term from INCR `whisper:leader:term`), and every
//   match the leader writes is applied by a script only while the key
//   still holds that token: a leader that stalled past its lease writes
//   nothing;
// - a new term starts with a rebuild from the nodes' waiting hashes, then
//   follows the stream `whisper:room` from where the rebuild read it, with
//   a blocking XREAD on a connection of its own: an idle cluster costs one
//   read per block period, not a poll every few milliseconds;
// - the leader's own Matchmaker (the single node's engine and rules) runs
//   over that global room; each pair is applied by one script that
//   removes both clients from their nodes' hashes only if both are still
//   there, and publishes the match to both nodes' channels. A client is
//   therefore never in two pairs, whatever crashes when;
// - the leader also drops the waiting entries of nodes whose heartbeat
//   key has expired (one script, sent with each lease renewal).
class MatchLeader : public QObject {
    Q_OBJECT
public:
    // `reader` carries only the blocking stream reads (a blocked connection
    // answers nothing else); its reply timeout must exceed kBlockMs.
    MatchLeader(RedisClient &redis, RedisClient &reader, const QString &nodeId, int leaseMs,
                MatchPolicy policy, int tickMs, QObject *parent = nullptr);
    ~MatchLeader() override;

    // How long one stream read waits for an event, in milliseconds.
    static constexpr int kBlockMs = 2000;

    void start();
    // Gives the lease up at once (a stopping node), so another leads now.
    void stop();
    bool isLeader() const { return !m_token.isEmpty(); }
    int globalWaitingCount() const { return m_room ? m_room->count() : 0; }

Q_SIGNALS:
    void leadershipChanged(bool leading);

private:
    struct Cached {
        WaitingEntry entry;
        QString node;
    };

    void renew();
    void onLeaseReply(const QByteArray &token);
    void stepDown(const char *why);
    void rebuild();
    void finishRebuild(const QList<QPair<QString, QList<QByteArray>>> &hashes);
    void poll();
    void onStreamReply(int generation, const RedisReply &reply);
    void applyStreamEntry(const QList<QByteArray> &fields);
    void put(const WaitingEntry &entry, const QString &node);
    void drop(ClientId id);
    void onMatched(ClientId a, ClientId b, double distanceKm);
    void cleanDeadNodes();

    RedisClient &m_redis;
    RedisClient &m_reader;
    QString m_nodeId;
    int m_leaseMs;
    MatchPolicy m_policy;
    int m_tickMs;
    QTimer m_leaseTimer;
    QTimer m_pollTimer; // spaces reads while events keep coming
    QElapsedTimer m_lastRead;
    QByteArray m_token; // the fencing token of this node's term, empty when not leading
    QByteArray m_lastStreamId;
    bool m_rebuilding = false;
    bool m_polling = false; // a read is in flight (of this term or an earlier one)
    int m_generation = 0;   // replies from an older term are ignored
    QHash<ClientId, Cached> m_cache;
    std::unique_ptr<InProcessWaitingRoom> m_room;
    std::unique_ptr<Matchmaker> m_matchmaker;
};

} // namespace whisper
