// SPDX-License-Identifier: MIT
#pragma once

// A leaky bucket: every request pours one unit into a bucket that
// drains at a constant rate; a request that would overflow it is refused.
// `capacity` is the burst a client may send at once, `leakIntervalMs` the time
// one unit takes to drain, i.e. the sustained rate is one request per
// interval. Time is passed in, so the rules are testable without sleeping.

#include <QHash>
#include <QString>

#include <cstdint>

namespace whisper {

struct LeakRate {
    int capacity = 10;            // burst, in requests
    qint64 leakIntervalMs = 1000; // one request drains per interval
    // Overflowing the bucket locks the key for this long (0: no lockout, the
    // client only waits until one unit has drained). Used against brute force.
    qint64 lockoutMs = 0;
    friend bool operator==(const LeakRate &, const LeakRate &) = default;
};

class LeakyBucket {
public:
    LeakyBucket() = default;
    explicit LeakyBucket(LeakRate rate);

    // Pours one unit in at `nowMs`. Returns 0 when it fits, otherwise the
    // milliseconds until a retry can succeed (nothing is poured then).
    qint64 tryPour(qint64 nowMs);
    // Current level after draining up to `nowMs`, in units (fractional).
    double level(qint64 nowMs) const;
    bool isIdle(qint64 nowMs) const { return level(nowMs) <= 0.0 && nowMs >= m_lockedUntilMs; }
    const LeakRate &rate() const { return m_rate; }

private:
    void drain(qint64 nowMs);

    LeakRate m_rate;
    // The level is kept in "milliseconds of drain" so integer arithmetic is
    // exact: each unit adds leakIntervalMs, time removes itself.
    qint64 m_levelMs = 0;
    qint64 m_lastMs = 0;
    qint64 m_lockedUntilMs = 0;
};

// One bucket per key (an IP address, a user name, ...), created on first use.
// Memory is bounded: idle buckets are pruned, and when `maxKeys` would be
// exceeded the new key is refused as if over its limit, so a flood of distinct
// keys cannot exhaust memory.
class KeyedLeakyBuckets {
public:
    explicit KeyedLeakyBuckets(LeakRate rate, int maxKeys = 100000);

    qint64 tryPour(const QString &key, qint64 nowMs);
    // Forgets a key (e.g. after a successful login the per-user bucket resets).
    void reset(const QString &key) { m_buckets.remove(key); }
    void prune(qint64 nowMs);
    int size() const { return int(m_buckets.size()); }
    const LeakRate &rate() const { return m_rate; }

private:
    LeakRate m_rate;
    int m_maxKeys;
    QHash<QString, LeakyBucket> m_buckets;
};

} // namespace whisper
