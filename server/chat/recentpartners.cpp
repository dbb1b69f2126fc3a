// SPDX-License-Identifier: MIT
#include "recentpartners.h"

namespace whisper {

void RecentPartners::record(std::uint64_t keyA, std::uint64_t keyB, qint64 nowMs) {
    if (m_exclusionMs <= 0)
        return;
    const qint64 until = nowMs + m_exclusionMs;
    auto add = [&](std::uint64_t who, std::uint64_t other) {
        QList<Exclusion> &list = m_byKey[who];
        list.removeIf([other](const Exclusion &e) { return e.key == other; });
        list.append(Exclusion{other, until});
    };
    add(keyA, keyB);
    add(keyB, keyA);
    if (m_sink)
        m_sink(keyA, keyB, until);
}

std::vector<Exclusion> RecentPartners::activeFor(std::uint64_t key, qint64 nowMs) {
    std::vector<Exclusion> out;
    auto it = m_byKey.find(key);
    if (it == m_byKey.end())
        return out;
    it->removeIf([nowMs](const Exclusion &e) { return e.untilMs <= nowMs; });
    if (it->isEmpty()) {
        m_byKey.erase(it);
        return out;
    }
    out.assign(it->cbegin(), it->cend());
    return out;
}

void RecentPartners::prune(qint64 nowMs) {
    for (auto it = m_byKey.begin(); it != m_byKey.end();) {
        it->removeIf([nowMs](const Exclusion &e) { return e.untilMs <= nowMs; });
        it = it->isEmpty() ? m_byKey.erase(it) : std::next(it);
    }
}

} // namespace whisper
