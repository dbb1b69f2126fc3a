// SPDX-License-Identifier: MIT
#pragma once

#include "matchtypes.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace whisper {

class RedisClient;

// Questions a node's console asks about a client of another node, answered
// by that node: what a ban of the client would cover (its account, its
// address, how many connections each has there). Only the client's node
// has its connection; this is how a console on any node can ban it.
// Request and answer travel over Redis channels named by the nodes' id
// bits (`whisper:query:<bits>`, `whisper:answer:<bits>`), so the address
// stays on the servers' own link and never reaches a console.
class ClusterClientQuery : public QObject {
    Q_OBJECT
public:
    struct Answer {
        std::optional<QString> account; // nullopt: a guest
        QString address;
        int accountConnections = 0;
        int addressConnections = 0;
    };
    using Resolver = std::function<std::optional<Answer>(ClientId)>;
    using Callback = std::function<void(std::optional<Answer>)>;
    static constexpr int kDefaultTimeoutMs = 2000;

    ClusterClientQuery(RedisClient &redis, RedisClient &subscriber, quint32 nodeBits,
                       int timeoutMs = kDefaultTimeoutMs, QObject *parent = nullptr);

    // How this node answers for its own clients (main.cpp: the moderation
    // service and the chat server).
    void setResolver(Resolver resolver) { m_resolver = std::move(resolver); }
    // Asks the client's node; `done` runs once, with nullopt when the node
    // does not know the client, cannot be reached or does not answer in time.
    void ask(ClientId client, Callback done);

private:
    void onQuery(const QByteArray &payload);
    void onAnswer(const QByteArray &payload);

    RedisClient &m_redis;
    quint32 m_nodeBits;
    int m_timeoutMs;
    Resolver m_resolver;
    qint64 m_next = 0;
    QHash<qint64, Callback> m_pending;
};

} // namespace whisper
