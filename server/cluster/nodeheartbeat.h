// SPDX-License-Identifier: MIT
#pragma once

// This node's membership of the cluster: a Redis hash `whisper:node:<id>`
// (instance token, chat and control URLs, start time) with a TTL, renewed
// well inside it. A node that stops renewing (killed, cut off) disappears
// from Redis when the TTL runs out; that is how the others learn of it.
// Registration and renewal are one Lua script that refuses a node id held
// by another live process, so two nodes never share an id (and with it
// the id space of their clients and pairs).

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>

namespace whisper {

class RedisClient;

struct NodeInfo {
    QString nodeId;
    QString chatUrl;
    QString controlUrl;
};

// What a node reports of itself at each beat, for the consoles of every
// node (ClusterDirectory). Given by main.cpp, so this folder needs nothing
// of the chat server.
struct NodeLoad {
    int connections = 0;
    int waiting = 0; // this node's clients in the global waiting room
    int pairs = 0;
    double messagesPerSecond = 0.0; // relayed to this node's clients
};

class NodeHeartbeat : public QObject {
    Q_OBJECT
public:
    // TTL of the key; renewed every third of it.
    static constexpr int kDefaultTtlMs = 6000;

    NodeHeartbeat(RedisClient &redis, NodeInfo info, int ttlMs = kDefaultTtlMs,
                  QObject *parent = nullptr);

    // Registers now (or as soon as Redis is reachable) and keeps renewing.
    // The URLs other nodes and operators see; set before start().
    void setUrls(const QString &chatUrl, const QString &controlUrl) {
        m_info.chatUrl = chatUrl;
        m_info.controlUrl = controlUrl;
    }
    // Asked at each beat; the answer and the Redis latency go into the
    // node's hash (fields connections, waiting, pairs, msgs_per_s,
    // redis_latency_us). Without it the hash carries membership only.
    void setLoadSource(std::function<NodeLoad()> source) { m_load = std::move(source); }
    void start();
    // Deletes the key (graceful stop): the others need not wait for the TTL.
    void stop();
    bool isRegistered() const { return m_registered; }
    const QByteArray &instanceToken() const { return m_instance; }
    static QByteArray keyFor(const QString &nodeId);

Q_SIGNALS:
    void registered();
    // Another running process holds this node id.
    void conflict(const QString &message);

private:
    void renew();
    QByteArray idBitsKey() const;

    RedisClient &m_redis;
    NodeInfo m_info;
    int m_ttlMs;
    QByteArray m_instance;
    QByteArray m_startedMs;
    QTimer m_timer;
    std::function<NodeLoad()> m_load;
    bool m_registered = false;
    bool m_inFlight = false;
};

} // namespace whisper
