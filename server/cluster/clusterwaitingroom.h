// SPDX-License-Identifier: MIT
#pragma once

#include "waitingroom.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace whisper {

class RedisClient;

// The waiting-room entry as it travels through Redis: the snapped position,
// the range, the identity and the exclusions (ids and keys as decimal
// strings, since JSON numbers stop being exact at 2^53).
QByteArray encodeWaitingEntry(const WaitingEntry &entry);
std::optional<WaitingEntry> decodeWaitingEntry(const QByteArray &json);

// This node's part of the cluster's one waiting room. The entries stay
// here as well (the console, resume and find() stay synchronous); each
// enter and remove is mirrored to Redis by one script: the node's hash
// `whisper:waiting:<node>` (what a new leader rebuilds from) and the stream
// `whisper:room` (what the leader follows). While Redis is down the room
// is unavailable and joins are refused; when it is back the node's entries
// are written again, so a restarted Redis gets the room back.
class ClusterWaitingRoom final : public WaitingRoom {
    Q_OBJECT
public:
    ClusterWaitingRoom(RedisClient &redis, const QString &nodeId, QObject *parent = nullptr);

    bool enter(const WaitingEntry &entry) override;
    bool remove(ClientId id) override;
    bool contains(ClientId id) const override { return m_local.contains(id); }
    const WaitingEntry *find(ClientId id) const override { return m_local.find(id); }
    int count() const override { return m_local.count(); }
    QList<WaitingEntry> entries() const override { return m_local.entries(); }
    bool isAvailable() const override;
    // Into `whisper:recent:<key>` of both identities, until `untilMs`; the
    // enter script adds them to the next entry of either, on any node.
    void rememberPartners(std::uint64_t keyA, std::uint64_t keyB, qint64 untilMs) override;

    static QByteArray hashKey(const QString &nodeId);
    static QByteArray streamKey();

private:
    void publishAll();

    RedisClient &m_redis;
    QString m_nodeId;
    QByteArray m_hashKey;
    InProcessWaitingRoom m_local;
};

} // namespace whisper
