// SPDX-License-Identifier: MIT
#include "nodeheartbeat.h"

#include "ids.h"
#include "redisclient.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcNode, "whisper.cluster.node")

namespace whisper {

namespace {

// KEYS[1] node hash, KEYS[2] the owner of the node's id bits; ARGV:
// instance, ttl ms, chat url, control url, start ms, node id, then the
// node's load as field/value pairs. 'conflict' when another instance holds
// the node id, 'idclash' when another node id hashes to the same id bits,
// else 'ok'. The load is written only by the holder, inside the script: a
// separate HSET could recreate an expired key without its TTL.
constexpr char kRegisterScript[] = R"lua(
local held = redis.call('HGET', KEYS[1], 'instance')
if held and held ~= ARGV[1] then return 'conflict' end
local owner = redis.call('GET', KEYS[2])
if owner and owner ~= ARGV[6] then return 'idclash' end
redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[2])
redis.call('HSET', KEYS[1], 'instance', ARGV[1], 'chat', ARGV[3], 'control', ARGV[4],
           'started', ARGV[5])
for i = 7, #ARGV - 1, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SADD', 'whisper:nodes', ARGV[6])
return 'ok'
)lua";

// Deletes the node's key only if this instance still holds it.
constexpr char kUnregisterScript[] = R"lua(
if redis.call('HGET', KEYS[1], 'instance') == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('SREM', 'whisper:nodes', ARGV[2])
end
return 'ok'
)lua";

} // namespace

NodeHeartbeat::NodeHeartbeat(RedisClient &redis, NodeInfo info, int ttlMs, QObject *parent)
    : QObject(parent)
    , m_redis(redis)
    , m_info(std::move(info))
    , m_ttlMs(ttlMs)
    , m_instance(randomOpaqueId(12).toLatin1())
    , m_startedMs(QByteArray::number(QDateTime::currentMSecsSinceEpoch())) {
    m_timer.setInterval(qMax(100, ttlMs / 3));
    connect(&m_timer, &QTimer::timeout, this, &NodeHeartbeat::renew);
    // After an outage the key may be gone (Redis restarted empty): put it
    // back at once rather than at the next beat.
    connect(&m_redis, &RedisClient::connected, this, &NodeHeartbeat::renew);
    connect(&m_redis, &RedisClient::disconnected, this, [this] { m_registered = false; });
}

QByteArray NodeHeartbeat::keyFor(const QString &nodeId) {
    return QByteArrayLiteral("whisper:node:") + nodeId.toUtf8();
}

QByteArray NodeHeartbeat::idBitsKey() const {
    return QByteArrayLiteral("whisper:idbits:") + QByteArray::number(nodeIdBits(m_info.nodeId));
}

void NodeHeartbeat::start() {
    m_timer.start();
    renew();
}

void NodeHeartbeat::renew() {
    if (m_inFlight || !m_redis.isConnected())
        return;
    m_inFlight = true;
    QList<QByteArray> args{QByteArrayLiteral("EVAL"),
                           QByteArray(kRegisterScript),
                           QByteArrayLiteral("2"),
                           keyFor(m_info.nodeId),
                           idBitsKey(),
                           m_instance,
                           QByteArray::number(m_ttlMs),
                           m_info.chatUrl.toUtf8(),
                           m_info.controlUrl.toUtf8(),
                           m_startedMs,
                           m_info.nodeId.toUtf8()};
    if (m_load) {
        const NodeLoad load = m_load();
        args << QByteArrayLiteral("connections") << QByteArray::number(load.connections)
             << QByteArrayLiteral("waiting") << QByteArray::number(load.waiting)
             << QByteArrayLiteral("pairs") << QByteArray::number(load.pairs)
             << QByteArrayLiteral("msgs_per_s")
             << QByteArray::number(load.messagesPerSecond, 'f', 2)
             << QByteArrayLiteral("redis_latency_us")
             << QByteArray::number(m_redis.lastLatencyUs());
    }
    m_redis.command(args, [this](const RedisReply &reply) {
        m_inFlight = false;
        if (reply.isError()) {
            qCWarning(lcNode).noquote() << "heartbeat failed:" << QString::fromUtf8(reply.text);
            return;
        }
        if (reply.text == "conflict" || reply.text == "idclash") {
            m_timer.stop();
            Q_EMIT conflict(reply.text == "conflict"
                                ? QStringLiteral("node id '%1' is in use by another running "
                                                 "node; give each node its own --node-id")
                                      .arg(m_info.nodeId)
                                : QStringLiteral("node id '%1' shares its client id space "
                                                 "with another running node; choose "
                                                 "another --node-id")
                                      .arg(m_info.nodeId));
            return;
        }
        if (!m_registered) {
            m_registered = true;
            qCInfo(lcNode).noquote() << "registered as node" << m_info.nodeId;
            Q_EMIT registered();
        }
    });
}

void NodeHeartbeat::stop() {
    m_timer.stop();
    if (!m_registered)
        return;
    m_registered = false;
    m_redis.command({QByteArrayLiteral("EVAL"), QByteArray(kUnregisterScript),
                     QByteArrayLiteral("2"), keyFor(m_info.nodeId), idBitsKey(), m_instance,
                     m_info.nodeId.toUtf8()});
    m_redis.flush();
}

} // namespace whisper
