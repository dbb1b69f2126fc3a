// SPDX-License-Identifier: MIT
#pragma once

#include "peerlimiter.h"
#include "websocketconnection.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <deque>
#include <memory>

namespace whisper {

// Turns accepted descriptors into native WebSocket connections on the thread
// it lives on, and drops those that do not finish the upgrade in time: one
// sweep timer for every handshake in progress, not one each.
class HandshakeGate : public QObject {
    Q_OBJECT
public:
    HandshakeGate(const WebSocketConnection::Limits &limits, int timeoutMs,
                  QObject *parent = nullptr);

    // Takes ownership of `fd` (connected, non-blocking) and of its `slot`.
    void adopt(int fd, const QHostAddress &peer, std::unique_ptr<PeerSlot> slot = {});
    void start() { m_sweep.start(); }
    void stop() { m_sweep.stop(); }

Q_SIGNALS:
    // The upgrade succeeded; the receiver owns `connection` (it has no parent).
    void opened(whisper::WebSocketConnection *connection);

private:
    struct Pending {
        WebSocketConnection *connection;
        qint64 deadline;
    };

    void forget(WebSocketConnection *c);
    void sweep();

    WebSocketConnection::Limits m_limits;
    int m_timeoutMs;
    QTimer m_sweep;
    QElapsedTimer m_clock;
    std::deque<Pending> m_pending; // in accept order, so deadlines ascend
};

} // namespace whisper
