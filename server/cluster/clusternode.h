// SPDX-License-Identifier: MIT
#pragma once

// What makes this process a cluster member (`--redis`): the Redis
// connection and the node's heartbeat. main.cpp creates one only when a
// Redis URL is configured; without it nothing of this folder runs.

#include "clientquery.h"
#include "clusterbus.h"
#include "clusterdirectory.h"
#include "clusterpairs.h"
#include "clusterwaitingroom.h"
#include "matchleader.h"
#include "nodeheartbeat.h"
#include "redisclient.h"

#include <QObject>

#include <memory>

namespace whisper {

struct ServerConfig;
class Accounts;
class BanBroadcast;
class SharedRateLimiter;
class Moderation;

class ClusterNode : public QObject {
    Q_OBJECT
public:
    explicit ClusterNode(const ServerConfig &config, QObject *parent = nullptr);
    ~ClusterNode() override;

    // Bans and lifts made on any node reach this one at once.
    void shareBans(Moderation &moderation);
    // Login and registration attempts count on every node alike (until
    // this node goes: then `accounts` counts in its own buckets again).
    void shareRateLimits(Accounts &accounts);

    // What the chat server runs on instead of its own room and matchmaker.
    WaitingRoom &room() { return m_room; }
    PeerLink &peers() { return m_bus; }
    MatchLeader &leader() { return m_leader; }
    // Where this node's endpoints listen, for the heartbeat; before start().
    void setUrls(const QString &chatUrl, const QString &controlUrl);

    void start();
    // A draining node gives up (or, when the drain is called off, competes
    // again for) the matchmaking lease; it stays a member meanwhile.
    void setDraining(bool draining);
    // Leaves the cluster at once (the heartbeat key is deleted).
    void stop();
    RedisClient &redis() { return m_redis; }
    // For the consoles: this node's pairs in Redis (fed by main.cpp from
    // the chat server's signals) and the reader of the whole cluster.
    ClusterPairs &pairs() { return m_pairs; }
    ClusterDirectory &directory() { return m_directory; }
    ClusterClientQuery &clientQuery() { return m_clientQuery; }
    NodeHeartbeat &heartbeat() { return m_heartbeat; }
    const QString &nodeId() const { return m_nodeId; }

Q_SIGNALS:
    // The node cannot be a member (its id is taken): the process must stop.
    void fatal(const QString &message);

private:
    QString m_nodeId;
    RedisClient m_redis;
    RedisClient m_subscriber; // subscriptions need a connection of their own
    RedisClient m_reader;     // and so do the leader's blocking stream reads
    NodeHeartbeat m_heartbeat;
    ClusterWaitingRoom m_room;
    ClusterBus m_bus;
    MatchLeader m_leader;
    ClusterPairs m_pairs;
    ClusterDirectory m_directory;
    ClusterClientQuery m_clientQuery;
    std::unique_ptr<BanBroadcast> m_bans;
    Accounts *m_accounts = nullptr;
    std::unique_ptr<SharedRateLimiter> m_rateLimits;
};

} // namespace whisper
