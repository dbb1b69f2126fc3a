// SPDX-License-Identifier: MIT
#include "peerlimiter.h"

#include "ipkey.h"

namespace whisper {

struct PeerSlot::Shared {
    struct Counts {
        int connections = 0;
        int halfOpen = 0;
    };
    std::mutex mutex; // accepts on the main thread, releases on I/O threads
    QHash<QString, Counts> counts;
};

PeerSlot::PeerSlot(std::shared_ptr<Shared> shared, QString key)
    : m_shared(std::move(shared))
    , m_key(std::move(key)) {}

PeerSlot::~PeerSlot() {
    if (!m_shared)
        return; // exempt
    const std::lock_guard lock(m_shared->mutex);
    const auto it = m_shared->counts.find(m_key);
    if (it == m_shared->counts.end())
        return;
    it->connections -= 1;
    if (m_halfOpen)
        it->halfOpen -= 1;
    if (it->connections <= 0)
        m_shared->counts.erase(it); // idle addresses cost nothing
}

void PeerSlot::upgraded() {
    if (!m_shared || !m_halfOpen)
        return;
    m_halfOpen = false;
    const std::lock_guard lock(m_shared->mutex);
    const auto it = m_shared->counts.find(m_key);
    if (it != m_shared->counts.end())
        it->halfOpen -= 1;
}

PeerLimiter::PeerLimiter(PeerLimits limits)
    : m_limits(std::move(limits))
    , m_shared(std::make_shared<PeerSlot::Shared>()) {}

std::unique_ptr<PeerSlot> PeerLimiter::admit(const QHostAddress &peer) {
    bool v4 = false;
    const quint32 v4addr = peer.toIPv4Address(&v4);
    if (isInAnySubnet(v4 ? QHostAddress(v4addr) : peer, m_limits.exempt))
        return std::unique_ptr<PeerSlot>(new PeerSlot(nullptr, QString()));
    QString key = ipKey(peer);
    {
        const std::lock_guard lock(m_shared->mutex);
        PeerSlot::Shared::Counts &c = m_shared->counts[key];
        if (c.connections >= m_limits.maxConnectionsPerIp ||
            c.halfOpen >= m_limits.maxHalfOpenPerIp) {
            if (c.connections == 0)
                m_shared->counts.remove(key);
            return nullptr;
        }
        c.connections += 1;
        c.halfOpen += 1;
    }
    return std::unique_ptr<PeerSlot>(new PeerSlot(m_shared, std::move(key)));
}

int PeerLimiter::connections(const QHostAddress &peer) const {
    const std::lock_guard lock(m_shared->mutex);
    return m_shared->counts.value(ipKey(peer)).connections;
}

int PeerLimiter::halfOpen(const QHostAddress &peer) const {
    const std::lock_guard lock(m_shared->mutex);
    return m_shared->counts.value(ipKey(peer)).halfOpen;
}

} // namespace whisper
