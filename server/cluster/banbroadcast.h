// SPDX-License-Identifier: MIT
#pragma once

// Bans reach every node at once. A node that stores or lifts a ban
// publishes its node id on `whisper:bans`; every other node, hearing it,
// re-reads the bans from the shared database (Moderation::refresh), which
// disconnects the clients a new ban covers and refuses them from then on.
// The ban itself never travels through Redis: PostgreSQL stays the one
// source of truth, and a node that missed a message (its subscription was
// down) re-reads when it is back.

#include <QObject>
#include <QString>

namespace whisper {

class Moderation;
class RedisClient;

class BanBroadcast : public QObject {
    Q_OBJECT
public:
    static constexpr char kChannel[] = "whisper:bans";

    BanBroadcast(RedisClient &publisher, RedisClient &subscriber, Moderation &moderation,
                 QString nodeId, QObject *parent = nullptr);

private:
    RedisClient &m_publisher;
    Moderation &m_moderation;
    QString m_nodeId;
};

} // namespace whisper
