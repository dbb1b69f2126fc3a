// SPDX-License-Identifier: MIT
#include "clusternode.h"

#include "serverconfig.h"

namespace whisper {

namespace {
RedisEndpoint endpointOf(const ServerConfig &config) {
    // ConfigLoader has validated the URL.
    return RedisEndpoint::parse(config.redisUrl).value_or(RedisEndpoint{});
}
} // namespace

ClusterNode::ClusterNode(const ServerConfig &config, NodeInfo info, QObject *parent)
    : QObject(parent)
    , m_nodeId(info.nodeId)
    , m_redis(endpointOf(config))
    , m_heartbeat(m_redis, std::move(info), config.nodeTtlMs) {
    connect(&m_heartbeat, &NodeHeartbeat::conflict, this, &ClusterNode::fatal);
}

void ClusterNode::start() {
    m_redis.start();
    m_heartbeat.start();
}

void ClusterNode::stop() {
    m_heartbeat.stop();
}

} // namespace whisper
