// SPDX-License-Identifier: MIT
#pragma once

#include "peerlink.h"

#include <QByteArray>
#include <QTimer>

#include <optional>
#include <variant>

namespace whisper {

class RedisClient;

// How a PeerEvent or a ClusterMatch travels: compact JSON, ids as decimal
// strings (they use all 64 bits). The leader writes matches in this form
// from its script, so the two sides share these functions.
QByteArray encodePeerEvent(const PeerEvent &event);
QByteArray encodeClusterMatch(const ClusterMatch &match);
std::optional<std::variant<PeerEvent, ClusterMatch>> decodeBusMessage(const QByteArray &json);

// The cluster's relay between nodes: Redis pub/sub, one channel per node
// (`whisper:ev:<id bits>`, named by the node's client-id space, so a sender
// needs no lookup to reach a client's node). Pub/sub rather than streams:
// an event is worth something only to a live node, which is subscribed;
// one publishing connection per node keeps a pair's events in order; and
// `delivered` is end to end (the partner's node acknowledges), so a lost
// event is never reported as delivered. A dead node is noticed by its
// heartbeat key (`whisper:idbits:<bits>`) expiring. The node's resume
// records live in `whisper:resume:<bits>`, whose lifetime every beat
// extends: when the node dies they last one grace period more.
class ClusterBus final : public PeerLink {
    Q_OBJECT
public:
    // `redis` carries the publishes and checks, `subscriber` the node's
    // channel; both must outlive the bus.
    // `recordTtlMs`: how long the node's resume records outlive its last
    // heartbeat (node-ttl-ms + the resume grace period).
    ClusterBus(RedisClient &redis, RedisClient &subscriber, quint32 nodeBits, int recordTtlMs,
               QObject *parent = nullptr);

    bool isLocal(ClientId id) const override;
    bool post(const PeerEvent &event) override;
    void checkNodes(const QSet<quint32> &nodeBits) override;
    QString tokenPrefix() const override;
    void saveResume(const QByteArray &lookup, const QByteArray &tokenHash,
                    const ResumeRecord &record) override;
    void dropResume(const QByteArray &lookup) override;
    void takeResume(const QString &token,
                    std::function<void(std::optional<ResumeRecord>)> done) override;

    static QByteArray channelOf(quint32 nodeBits);
    // The hash of a node's resume records (field: the token's lookup key;
    // value: the token's SHA-256, then the record as JSON).
    static QByteArray resumeKeyOf(quint32 nodeBits);

private:
    void onMessage(const QByteArray &payload);
    void keepRecords();

    RedisClient &m_redis;
    quint32 m_nodeBits;
    int m_recordTtlMs;
    QTimer m_keepTimer;
};

} // namespace whisper
