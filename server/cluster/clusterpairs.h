// SPDX-License-Identifier: MIT
#pragma once

#include "matchtypes.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QPointF>
#include <QString>

#include <optional>

namespace whisper {

class RedisClient;
class WaitingRoom;

// One pair as the consoles of every node see it: the members' client ids,
// when it was made, the distance bucket its members were told, and where
// each member waited on the console's 0.1 degree grid when its node knows
// it (a node knows only its own members).
struct ClusterPairEntry {
    ClientId a = 0;
    ClientId b = 0;
    qint64 sinceMs = 0;
    int distanceKm = 0;
    std::optional<QPointF> whereA; // x longitude, y latitude
    std::optional<QPointF> whereB;
};
QByteArray encodePairEntry(const ClusterPairEntry &entry);
std::optional<ClusterPairEntry> decodePairEntry(const QByteArray &json);

// This node's pairs in Redis, for the consoles of the other nodes: the hash
// `whisper:pairs:<node>` (pair id -> JSON), written when a pair with a
// member here starts and deleted when it ends. A pair across two nodes is
// in both nodes' hashes under the same id. main.cpp feeds it the chat
// server's pair signals (this folder does not depend on chat/); the
// positions come from the node's waiting room. Rewritten whole when the
// link to Redis comes back (Redis may have restarted empty).
class ClusterPairs : public QObject {
    Q_OBJECT
public:
    ClusterPairs(RedisClient &redis, const QString &nodeId, const WaitingRoom &room,
                 QObject *parent = nullptr);

    void started(const QString &pairId, ClientId a, ClientId b, qint64 sinceMs, int distanceKm);
    // The pair of this member ended (either member may be named).
    void ended(ClientId member);
    // The client is gone: its pair too, if it had one, and its position.
    void closed(ClientId id);
    int count() const { return int(m_pairs.size()); }

    static QByteArray hashKey(const QString &nodeId);

private:
    void publishAll();

    RedisClient &m_redis;
    QByteArray m_hashKey;
    QHash<ClientId, QPointF> m_where;         // local clients that waited, coarsened
    QHash<QString, ClusterPairEntry> m_pairs; // by pair id
    QHash<ClientId, QString> m_pairOf;        // member -> pair id
};

} // namespace whisper
