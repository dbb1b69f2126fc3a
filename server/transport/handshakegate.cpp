// SPDX-License-Identifier: MIT
#include "handshakegate.h"

#include "listenerlog.h"
#include "metricsregistry.h"

namespace whisper {

HandshakeGate::HandshakeGate(const WebSocketConnection::Limits &limits, int timeoutMs,
                             QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_timeoutMs(timeoutMs)
    , m_sweep(this) { // a child, so it follows the gate into an I/O thread
    m_sweep.setInterval(qBound(50, timeoutMs / 4, 1000));
    connect(&m_sweep, &QTimer::timeout, this, &HandshakeGate::sweep);
    m_clock.start();
}

void HandshakeGate::adopt(int fd, const QHostAddress &peer, std::unique_ptr<PeerSlot> slot) {
    auto *c = new WebSocketConnection(fd, peer, m_limits, this, std::move(slot));
    m_pending.push_back({c, m_clock.elapsed() + m_timeoutMs});
    connect(c, &WebSocketConnection::handshakeComplete, this, [this, c] {
        forget(c);
        c->disconnect(this);
        c->setParent(nullptr);
        Q_EMIT opened(c);
    });
    connect(c, &WebSocketConnection::handshakeFailed, this, [this, c] {
        if (m_limits.handshakeFailures)
            m_limits.handshakeFailures->inc();
        forget(c);
        c->deleteLater();
    });
}

void HandshakeGate::forget(WebSocketConnection *c) {
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it)
        if (it->connection == c) {
            it->connection = nullptr; // erased by the sweep, in deadline order
            return;
        }
}

void HandshakeGate::sweep() {
    const qint64 now = m_clock.elapsed();
    while (!m_pending.empty() &&
           (!m_pending.front().connection || m_pending.front().deadline <= now)) {
        if (WebSocketConnection *c = m_pending.front().connection) {
            qCDebug(lcListener) << "handshake timed out";
            if (m_limits.handshakeFailures)
                m_limits.handshakeFailures->inc();
            c->disconnect(this);
            c->abort();
            c->deleteLater();
        }
        m_pending.pop_front();
    }
}

} // namespace whisper
