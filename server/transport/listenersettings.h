// SPDX-License-Identifier: MIT
#pragma once

#include "peerlimiter.h"
#include "websocketconnection.h"

#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace whisper {

// What a chat listener is built from: the transport, its limits and who may
// connect (ServerConfig fills it in ChatServer).
struct ListenerSettings {
    enum class Transport { Native, Qt };
    Transport transport = Transport::Native;
    QString serverName;
    int backlog = 4096;
    int handshakeTimeoutMs = 10000;
    qint64 maxMessageBytes = 16 * 1024;
    // Per-connection memory (docs/OPERATIONS.md "Per-connection memory").
    qint64 maxOutputBytes = 128 * 1024;
    int socketBufferBytes = 64 * 1024;
    LeakRate pingRate{10, 1000, 0}; // native transport only (Qt answers pings itself)
    PeerLimits peerLimits;          // not for TLS (QWebSocketServer accepts itself)
    // Native transport only: threads doing the socket work (0: this thread).
    int ioThreads = 0;
    // wss:// (tlslistener.h): with both PEM files set, the listener is Qt
    // WebSockets in secure mode whatever `transport` says.
    QString tlsCertFile;
    QString tlsKeyFile;
    // Browser Origins allowed to connect (empty: any); see isOriginAllowed().
    QStringList allowedOrigins;
    // Native transport: counts upgrades refused or timed out (null: none).
    metrics::Counter *handshakeFailures = nullptr;
    // Native transport only: plain HTTP GET on the chat port serves the
    // browser client (httpresponder.h); off: such requests get 400.
    bool webClient = false;
    // Native transport only: peers whose X-Forwarded-For is believed.
    QList<QPair<QHostAddress, int>> trustedProxies;
    // Native transport only: while set, their upgrades get HTTP 503.
    std::shared_ptr<const std::atomic<bool>> refuseProxiedUpgrades;
};

// The native transport's limits from the listener's settings.
WebSocketConnection::Limits nativeLimits(const ListenerSettings &settings);

} // namespace whisper
