// SPDX-License-Identifier: MIT
#pragma once

#include "clusterpairs.h"
#include "matchtypes.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

namespace whisper {

class RedisClient;

// What the consoles of any node see of the whole cluster, read from Redis.
// Values only: the waiting positions are the snapped ones the nodes put in
// Redis (the control side coarsens them further), and no address, account
// or chat text is in any of it.
struct ClusterNodeView {
    QString node;
    int connections = 0;
    int waiting = 0;
    int pairs = 0;
    double messagesPerSecond = 0.0;
    qint64 redisLatencyUs = -1; // -1: not measured yet
    bool leader = false;
};

struct ClusterWaitingView {
    ClientId id = 0;
    QString node;
    double lat = 0.0; // snapped (privacy grid), not yet the console's grid
    double lon = 0.0;
    double rangeKm = 0.0;
    qint64 sinceMs = 0;
};

struct ClusterPairView {
    QString id; // the id its members got in `matched`
    ClusterPairEntry entry;
};

struct ClusterSnapshot {
    QString self;                 // the node that read it
    QList<ClusterNodeView> nodes; // live nodes (heartbeat present), by name
    QList<ClusterWaitingView> waiting;
    // Every pair once: a pair across two nodes is listed only when both
    // nodes have it (one that has already ended on one side is not).
    QList<ClusterPairView> pairs;
    // The pair ids each live node holds, for telling a pair that ended on
    // the other node from one that has not been written there yet.
    QHash<QString, QSet<QString>> pairIdsByNode;
};

// Reads the cluster's nodes (heartbeat hashes with their load, and which
// one holds the matchmaking lease), the global waiting room and every
// node's pairs from Redis every `intervalMs` while active (a console is
// subscribed), and hands each complete reading on as one snapshot. The
// reads are separate commands, not one script: a big room would otherwise
// hold Redis for the whole read. Nodes in `whisper:nodes` whose heartbeat
// is gone are left out, and their pairs hash is deleted (the matchmaking
// leader deletes their waiting hash).
class ClusterDirectory : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultIntervalMs = 1000;

    ClusterDirectory(RedisClient &redis, const QString &nodeId, int intervalMs = kDefaultIntervalMs,
                     QObject *parent = nullptr);

    // Reading starts at once when activated and stops when deactivated.
    void setActive(bool active);
    bool isActive() const { return m_timer.isActive(); }

Q_SIGNALS:
    void snapshotReady(const whisper::ClusterSnapshot &snapshot);

private:
    void read();
    void finish();

    RedisClient &m_redis;
    QString m_nodeId;
    QTimer m_timer;
    int m_generation = 0; // a reading that outlived its activation is dropped
    bool m_reading = false;
    // The reading in progress.
    int m_outstanding = 0;
    bool m_failed = false;
    QByteArray m_leaderToken;
    QHash<QString, QList<QByteArray>> m_nodeHashes;
    QHash<QString, QList<QByteArray>> m_waitingHashes;
    QHash<QString, QList<QByteArray>> m_pairHashes;
};

} // namespace whisper
