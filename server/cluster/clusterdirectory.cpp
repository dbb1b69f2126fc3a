// SPDX-License-Identifier: MIT
#include "clusterdirectory.h"

#include "clusterwaitingroom.h"
#include "ids.h"
#include "nodeheartbeat.h"
#include "redisclient.h"

#include <QLoggingCategory>

#include <algorithm>

Q_LOGGING_CATEGORY(lcDirectory, "whisper.cluster.directory")

namespace whisper {

namespace {
const QByteArray kNodesKey = QByteArrayLiteral("whisper:nodes");
const QByteArray kLeaderKey = QByteArrayLiteral("whisper:leader");

// HGETALL's flat field/value list as a map.
QHash<QByteArray, QByteArray> fieldsOf(const QList<QByteArray> &flat) {
    QHash<QByteArray, QByteArray> out;
    for (qsizetype i = 0; i + 1 < flat.size(); i += 2)
        out.insert(flat[i], flat[i + 1]);
    return out;
}

QList<QByteArray> flatten(const RedisReply &reply) {
    QList<QByteArray> out;
    out.reserve(reply.elements.size());
    for (const RedisReply &e : reply.elements)
        out.append(e.text);
    return out;
}
} // namespace

ClusterDirectory::ClusterDirectory(RedisClient &redis, const QString &nodeId, int intervalMs,
                                   QObject *parent)
    : QObject(parent)
    , m_redis(redis)
    , m_nodeId(nodeId) {
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &ClusterDirectory::read);
}

void ClusterDirectory::setActive(bool active) {
    if (active == m_timer.isActive())
        return;
    ++m_generation;
    m_reading = false;
    if (active) {
        m_timer.start();
        read();
    } else {
        m_timer.stop();
    }
}

void ClusterDirectory::read() {
    // A slow Redis gets no second reading on top of the first.
    if (m_reading || !m_redis.isConnected())
        return;
    m_reading = true;
    m_failed = false;
    m_nodeHashes.clear();
    m_waitingHashes.clear();
    m_pairHashes.clear();
    m_leaderToken.clear();
    const int generation = m_generation;
    m_redis.command({QByteArrayLiteral("GET"), kLeaderKey},
                    [this, generation](const RedisReply &r) {
                        if (generation == m_generation && !r.isError())
                            m_leaderToken = r.text;
                    });
    m_redis.command(
        {QByteArrayLiteral("SMEMBERS"), kNodesKey}, [this, generation](const RedisReply &members) {
            if (generation != m_generation)
                return;
            if (members.isError()) {
                m_reading = false;
                return;
            }
            m_outstanding = int(members.elements.size()) * 3;
            if (m_outstanding == 0) {
                finish();
                return;
            }
            for (const RedisReply &member : members.elements) {
                const QString node = QString::fromUtf8(member.text);
                auto collect = [this, generation, node](QHash<QString, QList<QByteArray>> &into) {
                    return [this, generation, node, &into](const RedisReply &r) {
                        if (generation != m_generation)
                            return;
                        if (r.isError())
                            m_failed = true;
                        else
                            into.insert(node, flatten(r));
                        if (--m_outstanding == 0)
                            finish();
                    };
                };
                m_redis.command({QByteArrayLiteral("HGETALL"), NodeHeartbeat::keyFor(node)},
                                collect(m_nodeHashes));
                m_redis.command({QByteArrayLiteral("HGETALL"), ClusterWaitingRoom::hashKey(node)},
                                collect(m_waitingHashes));
                m_redis.command({QByteArrayLiteral("HGETALL"), ClusterPairs::hashKey(node)},
                                collect(m_pairHashes));
            }
        });
}

void ClusterDirectory::finish() {
    m_reading = false;
    // Half a picture would show clients leaving and coming back: the next
    // reading gets its chance instead.
    if (m_failed)
        return;
    ClusterSnapshot snap;
    snap.self = m_nodeId;
    const QString leader = QString::fromUtf8(m_leaderToken.mid(m_leaderToken.indexOf(':') + 1));
    QSet<QString> live;
    for (auto it = m_nodeHashes.cbegin(); it != m_nodeHashes.cend(); ++it) {
        const QString &node = it.key();
        if (it.value().isEmpty()) {
            // The heartbeat expired: the node is gone, and its pairs with it.
            if (m_pairHashes.value(node).size() > 0)
                m_redis.command({QByteArrayLiteral("DEL"), ClusterPairs::hashKey(node)});
            continue;
        }
        live.insert(node);
        const auto f = fieldsOf(it.value());
        ClusterNodeView n;
        n.node = node;
        n.connections = f.value("connections").toInt();
        n.waiting = f.value("waiting").toInt();
        n.pairs = f.value("pairs").toInt();
        n.messagesPerSecond = f.value("msgs_per_s").toDouble();
        bool ok = false;
        const qint64 latency = f.value("redis_latency_us").toLongLong(&ok);
        n.redisLatencyUs = ok ? latency : -1;
        n.leader = !m_leaderToken.isEmpty() && node == leader;
        snap.nodes.append(n);
    }
    std::sort(snap.nodes.begin(), snap.nodes.end(),
              [](const ClusterNodeView &x, const ClusterNodeView &y) { return x.node < y.node; });

    for (const QString &node : std::as_const(live)) {
        const QList<QByteArray> flat = m_waitingHashes.value(node);
        for (qsizetype i = 1; i < flat.size(); i += 2) {
            const auto entry = decodeWaitingEntry(flat[i]);
            if (!entry)
                continue;
            snap.waiting.append(ClusterWaitingView{
                entry->candidate.id, node, entry->candidate.pos.latDeg, entry->candidate.pos.lonDeg,
                entry->candidate.rangeKm, entry->sinceMs});
        }
    }

    // Every live node's pairs, then each pair once. A member's node is the
    // one whose id space holds it (common/ids.h); a pair is shown when
    // every member's node that is alive has it.
    QHash<quint32, QString> nodeOfBits;
    for (const QString &node : std::as_const(live))
        nodeOfBits.insert(nodeIdBits(node), node);
    QHash<QString, ClusterPairView> pairs;
    for (const QString &node : std::as_const(live)) {
        const QList<QByteArray> flat = m_pairHashes.value(node);
        QSet<QString> &ids = snap.pairIdsByNode[node];
        for (qsizetype i = 0; i + 1 < flat.size(); i += 2) {
            const auto entry = decodePairEntry(flat[i + 1]);
            if (!entry)
                continue;
            const QString id = QString::fromUtf8(flat[i]);
            ids.insert(id);
            auto it = pairs.find(id);
            if (it == pairs.end()) {
                pairs.insert(id, ClusterPairView{id, *entry});
                continue;
            }
            // The other member's node knows the other position.
            if (!it->entry.whereA)
                it->entry.whereA = entry->whereA;
            if (!it->entry.whereB)
                it->entry.whereB = entry->whereB;
        }
    }
    for (const ClusterPairView &p : std::as_const(pairs)) {
        bool confirmed = true;
        for (const ClientId member : {p.entry.a, p.entry.b}) {
            const QString node = nodeOfBits.value(nodeBitsOf(member));
            if (!node.isEmpty() && !snap.pairIdsByNode.value(node).contains(p.id))
                confirmed = false;
        }
        if (confirmed)
            snap.pairs.append(p);
    }
    Q_EMIT snapshotReady(snap);
}

} // namespace whisper
