#include "waitingroom.h"

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

} // namespace whisper
