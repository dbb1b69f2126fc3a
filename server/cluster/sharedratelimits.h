// SPDX-License-Identifier: MIT
#pragma once

// The login, resume, password-proof, second-factor and registration
// buckets of every node in one place: Redis. Each attempt is one Lua script that drains and pours
// all of the attempt's buckets at once (a hash per bucket: level, last
// time, lockout; a TTL that ends with the bucket's idleness), so three
// nodes count one client's attempts as one node would.
//
// While Redis is down (or a reply is an error) the node falls back to its
// own in-memory buckets, with one warning per outage: logins keep working
// during an outage, under per-node limits rather than cluster-wide ones.
// Every attempt that Redis lets through is also poured into the local
// buckets, so a fallback starts from what this node has seen rather than
// from empty buckets.

#include "attemptlimiter.h"

#include <QByteArray>
#include <QObject>

#include <memory>

namespace whisper {

class RedisClient;

class SharedRateLimiter : public QObject, public AttemptLimiter {
    Q_OBJECT
public:
    explicit SharedRateLimiter(RedisClient &redis, QObject *parent = nullptr);
    ~SharedRateLimiter() override;

    QFuture<qint64> pour(const QList<AttemptPour> &pours, qint64 nowMs) override;
    void reset(const QString &bucket, const QString &key) override;
    void prune(qint64 nowMs) override;

    // `whisper:rl:<bucket>:<hash of the key>`: the key (a user name, an
    // address) is hashed so Redis holds neither and key lengths are fixed.
    static QByteArray redisKey(const QString &bucket, const QString &key);
    // True from a failed attempt until the next one Redis answers.
    bool isFallingBack() const { return m_state->fallingBack; }

private:
    struct State {
        LocalAttemptLimiter local;
        bool fallingBack = false;
    };
    void send(const QList<AttemptPour> &pours, qint64 nowMs,
              const std::shared_ptr<class QPromise<qint64>> &promise);

    RedisClient &m_redis;
    // Shared with the callbacks of commands in flight.
    std::shared_ptr<State> m_state;
};

} // namespace whisper
