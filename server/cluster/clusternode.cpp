// SPDX-License-Identifier: MIT
#include "clusternode.h"

#include "banbroadcast.h"
#include "sharedratelimits.h"

#include "accounts.h"

#include "ids.h"
#include "serverconfig.h"

namespace whisper {

namespace {
RedisEndpoint endpointOf(const ServerConfig &config) {
    // ConfigLoader has validated the URL.
    return RedisEndpoint::parse(config.redisUrl).value_or(RedisEndpoint{});
}
} // namespace

ClusterNode::ClusterNode(const ServerConfig &config, QObject *parent)
    : QObject(parent)
    , m_nodeId(config.nodeId)
    , m_redis(endpointOf(config))
    , m_subscriber(endpointOf(config),
                   [] {
                       RedisClientOptions o;
                       o.probe = false;
                       return o;
                   }())
    , m_reader(endpointOf(config),
               [] {
                   RedisClientOptions o;
                   o.probe = false; // a blocked read would hold the PING back
                   o.replyTimeoutMs += MatchLeader::kBlockMs;
                   return o;
               }())
    , m_heartbeat(m_redis, NodeInfo{config.nodeId, QString(), QString()}, config.nodeTtlMs)
    , m_room(m_redis, config.nodeId)
    , m_bus(m_redis, m_subscriber, nodeIdBits(config.nodeId),
            config.nodeTtlMs + config.resumeGraceSec * 1000)
    , m_leader(m_redis, m_reader, config.nodeId, config.leaderLeaseMs, config.matchPolicy,
               config.tickMs)
    , m_pairs(m_redis, config.nodeId, m_room)
    , m_directory(m_redis, config.nodeId)
    , m_clientQuery(m_redis, m_subscriber, nodeIdBits(config.nodeId)) {
    connect(&m_heartbeat, &NodeHeartbeat::conflict, this, &ClusterNode::fatal);
}

ClusterNode::~ClusterNode() {
    if (m_accounts)
        m_accounts->setAttemptLimiter(nullptr);
}

void ClusterNode::shareBans(Moderation &moderation) {
    m_bans = std::make_unique<BanBroadcast>(m_redis, m_subscriber, moderation, m_nodeId);
}

void ClusterNode::setUrls(const QString &chatUrl, const QString &controlUrl) {
    m_heartbeat.setUrls(chatUrl, controlUrl);
}

void ClusterNode::shareRateLimits(Accounts &accounts) {
    m_rateLimits = std::make_unique<SharedRateLimiter>(m_redis);
    m_accounts = &accounts;
    accounts.setAttemptLimiter(m_rateLimits.get());
}

void ClusterNode::start() {
    m_redis.start();
    m_subscriber.start();
    m_reader.start();
    m_heartbeat.start();
    m_leader.start();
}

void ClusterNode::setDraining(bool draining) {
    if (draining)
        m_leader.stop();
    else
        m_leader.start();
}

void ClusterNode::stop() {
    m_leader.stop();
    m_heartbeat.stop();
}

} // namespace whisper
