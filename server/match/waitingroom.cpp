// SPDX-License-Identifier: MIT
#include "waitingroom.h"

#include <algorithm>

namespace whisper {

bool InProcessWaitingRoom::enter(const WaitingEntry &entry) {
    const ClientId id = entry.candidate.id;
    if (m_entries.contains(id))
        return false;
    m_entries.insert(id, entry);
    Q_EMIT entered(entry);
    return true;
}

bool InProcessWaitingRoom::remove(ClientId id) {
    if (!m_entries.remove(id))
        return false;
    Q_EMIT removed(id);
    return true;
}

const WaitingEntry *InProcessWaitingRoom::find(ClientId id) const {
    const auto it = m_entries.constFind(id);
    return it == m_entries.constEnd() ? nullptr : &it.value();
}

QList<WaitingEntry> InProcessWaitingRoom::entries() const {
    QList<WaitingEntry> all = m_entries.values();
    // The hash has no order; the time of entry (then the id, for entries of
    // the same millisecond) restores the queue closely enough for fairness.
    std::sort(all.begin(), all.end(), [](const WaitingEntry &a, const WaitingEntry &b) {
        return a.sinceMs != b.sinceMs ? a.sinceMs < b.sinceMs : a.candidate.id < b.candidate.id;
    });
    return all;
}

} // namespace whisper
