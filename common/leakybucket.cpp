// SPDX-License-Identifier: MIT
#include "leakybucket.h"

#include <algorithm>

namespace whisper {

LeakyBucket::LeakyBucket(LeakRate rate)
    : m_rate(rate) {}

void LeakyBucket::drain(qint64 nowMs) {
    if (nowMs > m_lastMs) {
        m_levelMs = std::max<qint64>(0, m_levelMs - (nowMs - m_lastMs));
        m_lastMs = nowMs;
    }
}

double LeakyBucket::level(qint64 nowMs) const {
    const qint64 elapsed = std::max<qint64>(0, nowMs - m_lastMs);
    const qint64 left = std::max<qint64>(0, m_levelMs - elapsed);
    return m_rate.leakIntervalMs > 0 ? double(left) / double(m_rate.leakIntervalMs) : 0.0;
}

qint64 LeakyBucket::tryPour(qint64 nowMs) {
    drain(nowMs);
    if (nowMs < m_lockedUntilMs)
        return m_lockedUntilMs - nowMs;
    const qint64 unit = std::max<qint64>(1, m_rate.leakIntervalMs);
    const qint64 full = unit * std::max(1, m_rate.capacity);
    if (m_levelMs + unit <= full) {
        m_levelMs += unit;
        return 0;
    }
    if (m_rate.lockoutMs > 0) {
        m_lockedUntilMs = nowMs + m_rate.lockoutMs;
        // The lockout replaces the wait: afterwards the bucket starts empty.
        m_levelMs = 0;
        m_lastMs = m_lockedUntilMs;
        return m_rate.lockoutMs;
    }
    return m_levelMs + unit - full;
}

KeyedLeakyBuckets::KeyedLeakyBuckets(LeakRate rate, int maxKeys)
    : m_rate(rate)
    , m_maxKeys(maxKeys) {}

qint64 KeyedLeakyBuckets::tryPour(const QString &key, qint64 nowMs) {
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_maxKeys) {
            prune(nowMs);
            if (m_buckets.size() >= m_maxKeys)
                return std::max<qint64>(1, m_rate.leakIntervalMs);
        }
        it = m_buckets.insert(key, LeakyBucket(m_rate));
    }
    return it->tryPour(nowMs);
}

void KeyedLeakyBuckets::prune(qint64 nowMs) {
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        if (it->isIdle(nowMs))
            it = m_buckets.erase(it);
        else
            ++it;
    }
}

} // namespace whisper
