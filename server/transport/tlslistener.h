// SPDX-License-Identifier: MIT
#pragma once

#include "listener.h"

#include <QStringList>

#include <memory>

class QWebSocketServer;

namespace whisper {

// Browser Origin policy: an empty list allows every Origin. A request without
// an Origin header is not from a browser (no cross-site risk) and is allowed.
bool isOriginAllowed(const QStringList &allowedOrigins, const QString &origin);

// Gives `server` (made in SecureMode) the PEM certificate chain and key,
// TLS 1.2 or later; returns the problem, or an empty string.
QString configureTls(QWebSocketServer &server, const QString &certFile, const QString &keyFile);
// Refuses Origins outside `allowedOrigins` during the handshake.
void enforceOrigins(QWebSocketServer &server, const QStringList &allowedOrigins);

// wss://: Qt WebSockets in secure mode (QSslConfiguration, TLS 1.2 or later,
// the openssl TLS backend) with the certificate chain and key from PEM files.
// Origins outside the allow-list are refused during the handshake
// (QWebSocketCorsAuthenticator), before any frame is exchanged.
// listen() fails with errorString() when the files cannot be used.
std::unique_ptr<ConnectionListener> createTlsListener(const ListenerSettings &settings,
                                                      QObject *parent = nullptr);

} // namespace whisper
