// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>

#include <memory>
#include <mutex>

namespace whisper {

// Caps on what one address (ipKey(): IPv4 per address, IPv6 per /64) may hold
// open at once: TCP connections in total, and connections that have not
// finished the WebSocket handshake yet (half-open; the slowloris attack).
struct PeerLimits {
    int maxConnectionsPerIp = 100;
    int maxHalfOpenPerIp = 16;
    QList<QPair<QHostAddress, int>> exempt; // subnets without these caps
};

class PeerLimiter;

// One accepted connection's place in its address's counts: half-open until
// upgraded(), released when reset or destroyed. Thread-safe against the
// limiter (connections on I/O threads hold theirs); may outlive it.
class PeerSlot {
public:
    ~PeerSlot();
    PeerSlot(const PeerSlot &) = delete;
    PeerSlot &operator=(const PeerSlot &) = delete;
    // The handshake is done: no longer counted as half-open.
    void upgraded();

private:
    friend class PeerLimiter;
    struct Shared;
    PeerSlot(std::shared_ptr<Shared> shared, QString key);

    std::shared_ptr<Shared> m_shared;
    QString m_key;
    bool m_halfOpen = true;
};

class PeerLimiter {
public:
    explicit PeerLimiter(PeerLimits limits);

    // A slot for a connection just accepted from `peer`, or null when the
    // address is at one of its caps (the caller closes the connection).
    // Exempt addresses get a slot that counts nothing.
    std::unique_ptr<PeerSlot> admit(const QHostAddress &peer);

    // For tests and logs.
    int connections(const QHostAddress &peer) const;
    int halfOpen(const QHostAddress &peer) const;
    const PeerLimits &limits() const { return m_limits; }

private:
    PeerLimits m_limits;
    std::shared_ptr<PeerSlot::Shared> m_shared;
};

} // namespace whisper
