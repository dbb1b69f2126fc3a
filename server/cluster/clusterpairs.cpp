// SPDX-License-Identifier: MIT
#include "clusterpairs.h"

#include "controlprotocol.h"
#include "redisclient.h"
#include "waitingroom.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace whisper {

namespace {
QJsonValue whereJson(const std::optional<QPointF> &where) {
    if (!where)
        return QJsonValue::Null;
    return QJsonArray{where->y(), where->x()};
}
std::optional<QPointF> whereFrom(const QJsonValue &v) {
    const QJsonArray a = v.toArray();
    if (a.size() != 2)
        return std::nullopt;
    const double lat = a.at(0).toDouble(1000), lon = a.at(1).toDouble(1000);
    if (qAbs(lat) > 90 || qAbs(lon) > 180)
        return std::nullopt;
    return QPointF(lon, lat);
}
} // namespace

QByteArray encodePairEntry(const ClusterPairEntry &e) {
    // Ids as decimal strings: JSON numbers stop being exact at 2^53.
    const QJsonObject o{{QStringLiteral("a"), QString::number(e.a)},
                        {QStringLiteral("b"), QString::number(e.b)},
                        {QStringLiteral("s"), QString::number(e.sinceMs)},
                        {QStringLiteral("d"), e.distanceKm},
                        {QStringLiteral("pa"), whereJson(e.whereA)},
                        {QStringLiteral("pb"), whereJson(e.whereB)}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<ClusterPairEntry> decodePairEntry(const QByteArray &json) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    bool okA = false, okB = false, okS = false;
    ClusterPairEntry e;
    e.a = o.value(QStringLiteral("a")).toString().toULongLong(&okA);
    e.b = o.value(QStringLiteral("b")).toString().toULongLong(&okB);
    e.sinceMs = o.value(QStringLiteral("s")).toString().toLongLong(&okS);
    e.distanceKm = o.value(QStringLiteral("d")).toInt(-1);
    if (!okA || !okB || !okS || e.a == 0 || e.b == 0 || e.distanceKm < 0)
        return std::nullopt;
    e.whereA = whereFrom(o.value(QStringLiteral("pa")));
    e.whereB = whereFrom(o.value(QStringLiteral("pb")));
    return e;
}

ClusterPairs::ClusterPairs(RedisClient &redis, const QString &nodeId, const WaitingRoom &room,
                           QObject *parent)
    : QObject(parent)
    , m_redis(redis)
    , m_hashKey(hashKey(nodeId)) {
    // Only the console's grid ever leaves the node; the room's own
    // positions are finer.
    connect(&room, &WaitingRoom::entered, this, [this](const WaitingEntry &entry) {
        m_where.insert(entry.candidate.id, QPointF(control::coarsen(entry.candidate.pos.lonDeg),
                                                   control::coarsen(entry.candidate.pos.latDeg)));
    });
    connect(&m_redis, &RedisClient::connected, this, &ClusterPairs::publishAll);
}

QByteArray ClusterPairs::hashKey(const QString &nodeId) {
    return QByteArrayLiteral("whisper:pairs:") + nodeId.toUtf8();
}

void ClusterPairs::started(const QString &pairId, ClientId a, ClientId b, qint64 sinceMs,
                           int distanceKm) {
    ClusterPairEntry e{a, b, sinceMs, distanceKm, std::nullopt, std::nullopt};
    if (const auto it = m_where.constFind(a); it != m_where.constEnd())
        e.whereA = it.value();
    if (const auto it = m_where.constFind(b); it != m_where.constEnd())
        e.whereB = it.value();
    // A member's earlier pair that ended unseen gives way.
    for (const ClientId member : {a, b})
        if (const QString old = m_pairOf.value(member); !old.isEmpty() && old != pairId)
            ended(member);
    m_pairs.insert(pairId, e);
    m_pairOf.insert(a, pairId);
    m_pairOf.insert(b, pairId);
    m_redis.command({QByteArrayLiteral("HSET"), m_hashKey, pairId.toUtf8(), encodePairEntry(e)});
}

void ClusterPairs::ended(ClientId member) {
    const QString pairId = m_pairOf.take(member);
    if (pairId.isEmpty())
        return;
    const ClusterPairEntry e = m_pairs.take(pairId);
    m_pairOf.remove(e.a == member ? e.b : e.a);
    m_redis.command({QByteArrayLiteral("HDEL"), m_hashKey, pairId.toUtf8()});
}

void ClusterPairs::closed(ClientId id) {
    ended(id);
    m_where.remove(id);
}

void ClusterPairs::publishAll() {
    m_redis.command({QByteArrayLiteral("DEL"), m_hashKey});
    for (auto it = m_pairs.cbegin(); it != m_pairs.cend(); ++it)
        m_redis.command(
            {QByteArrayLiteral("HSET"), m_hashKey, it.key().toUtf8(), encodePairEntry(it.value())});
}

} // namespace whisper
