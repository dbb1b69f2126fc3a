// SPDX-License-Identifier: MIT
#pragma once

// Where Accounts counts login, resume, password-proof, second-factor and
// registration attempts. The node-local limiter is the default; a cluster node installs
// one that keeps the buckets in Redis (cluster/sharedratelimits.h), so the
// limits hold for the cluster as a whole. The seam is asynchronous because
// a shared check is a network round trip; the login pipeline already is.

#include "leakybucket.h"

#include <QFuture>
#include <QList>
#include <QMutex>
#include <QString>

#include <map>

namespace whisper {

// One unit for one bucket: the set of buckets it belongs to (`bucket`, e.g.
// "login:ip"; the same name always comes with the same rate), whose bucket
// in it (`key`, e.g. an ipKey()) and the set's rate.
struct AttemptPour {
    QString bucket;
    QString key;
    LeakRate rate;
};

class AttemptLimiter {
public:
    virtual ~AttemptLimiter() = default;
    // Pours one unit into each bucket in order and stops at the first that
    // is full (it and the ones after it get nothing), like consecutive
    // LeakyBucket::tryPour calls. The future gives 0 when every bucket took
    // its unit, else the milliseconds until a retry can succeed. Any
    // thread; the future may be ready at once or finish later on another
    // thread (continue with a context object to get back to yours).
    virtual QFuture<qint64> pour(const QList<AttemptPour> &pours, qint64 nowMs) = 0;
    // Forgets one bucket (after a successful login). Any thread.
    virtual void reset(const QString &bucket, const QString &key) = 0;
    // Drops idle in-memory buckets. Any thread.
    virtual void prune(qint64 nowMs) = 0;
};

// The node's own buckets in memory; thread-safe. The default limiter of
// Accounts, and the fallback of the shared one while Redis is down.
class LocalAttemptLimiter final : public AttemptLimiter {
public:
    QFuture<qint64> pour(const QList<AttemptPour> &pours, qint64 nowMs) override;
    // The same, answered at once.
    qint64 pourNow(const QList<AttemptPour> &pours, qint64 nowMs);
    void reset(const QString &bucket, const QString &key) override;
    void prune(qint64 nowMs) override;

private:
    QMutex m_mutex;
    std::map<QString, KeyedLeakyBuckets> m_sets; // by AttemptPour::bucket
};

} // namespace whisper
