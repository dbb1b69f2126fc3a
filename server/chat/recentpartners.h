// SPDX-License-Identifier: MIT
#pragma once

#include "matchtypes.h"

#include <QHash>
#include <QList>

#include <functional>

namespace whisper {

// Remembers who just chatted with whom, so a client that leaves is not
// matched straight back with the same partner.
class RecentPartners {
public:
    explicit RecentPartners(qint64 exclusionMs)
        : m_exclusionMs(exclusionMs) {}

    void record(std::uint64_t keyA, std::uint64_t keyB, qint64 nowMs);
    // Told of every record() with the exclusion's end.
    void onRecord(std::function<void(std::uint64_t, std::uint64_t, qint64)> sink) {
        m_sink = std::move(sink);
    }
    // The exclusions still in force for `key`; drops expired ones.
    std::vector<Exclusion> activeFor(std::uint64_t key, qint64 nowMs);
    void prune(qint64 nowMs);

private:
    qint64 m_exclusionMs;
    QHash<std::uint64_t, QList<Exclusion>> m_byKey;
    std::function<void(std::uint64_t, std::uint64_t, qint64)> m_sink;
};

} // namespace whisper
