// SPDX-License-Identifier: MIT
#include "attemptlimiter.h"

#include <QMutexLocker>

namespace whisper {

QFuture<qint64> LocalAttemptLimiter::pour(const QList<AttemptPour> &pours, qint64 nowMs) {
    return QtFuture::makeReadyFuture(pourNow(pours, nowMs));
}

qint64 LocalAttemptLimiter::pourNow(const QList<AttemptPour> &pours, qint64 nowMs) {
    QMutexLocker lock(&m_mutex);
    for (const AttemptPour &p : pours) {
        auto &set = m_sets.try_emplace(p.bucket, p.rate).first->second;
        if (const qint64 wait = set.tryPour(p.key, nowMs))
            return wait;
    }
    return 0;
}

void LocalAttemptLimiter::reset(const QString &bucket, const QString &key) {
    QMutexLocker lock(&m_mutex);
    if (const auto it = m_sets.find(bucket); it != m_sets.end())
        it->second.reset(key);
}

void LocalAttemptLimiter::prune(qint64 nowMs) {
    QMutexLocker lock(&m_mutex);
    for (auto &[name, set] : m_sets)
        set.prune(nowMs);
}

} // namespace whisper
