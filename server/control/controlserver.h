// SPDX-License-Identifier: MIT
#pragma once

#include "controlbackend.h"
#include "controlhub.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <QWebSocketServer>

namespace whisper::metrics {
class CounterFamily;
}

namespace whisper {

class ChatServer;
class ControlSession;
struct ServerConfig;

// Limits of the control endpoint (ServerConfig control-* settings).
struct ControlLimits {
    int batchMs = 250;        // deltas are sent at most this often
    int maxBatchItems = 2000; // records per snapshot page / delta frame
    int maxConnections = 16;  // concurrent console connections
    int maxMessageBytes = 65536;
    int loginAttempts = 5; // failed logins before the connection is closed
    // Longest ban a moderator may give; admins may ban up to
    // control::kMaxBanSeconds or permanently.
    qint64 moderatorMaxBanS = 30LL * 86400;
    // Origin headers a console handshake may carry; one without an Origin
    // header (the admin console, scripts) is always accepted.
    QStringList allowedOrigins;
    // Not a limit: where the sessions count commands by type (null: nowhere).
    metrics::CounterFamily *commands = nullptr;

    static ControlLimits fromConfig(const ServerConfig &config);
};

// The second WebSocket listener, for admin consoles: accepts connections,
// owns their sessions and, on one timer, hands every session the changes the
// hub gathered, so streaming costs one batch per interval whatever the churn.
class ControlServer : public QObject {
    Q_OBJECT
public:
    ControlServer(const QString &listenAddress, int port, const ControlLimits &limits,
                  ChatServer &chat, ControlBackend &backend, const QString &version,
                  QObject *parent = nullptr);
    ~ControlServer() override;

    bool listen();
    QUrl url() const;
    QString errorString() const { return m_errorString; }
    void close();

    ControlHub &hub() { return m_hub; }
    int sessionCount() const { return int(m_sessions.size()); }

    // Ends every console session of the account at once. The entry point for
    // the account service's revocation signal (role change, ban, disable,
    // password change, logout everywhere).
    void revokeAccount(qint64 accountId, const QString &reason);
    // Re-checks every logged-in console against storage; runs on a timer
    // (changes made outside this process: the `user` command, other nodes)
    // and after any console changed a role or a ban.
    void revalidateSessions();

    // Non-empty when consoles could reach `address` from beyond this machine
    // without TLS (the endpoint speaks plain ws://): said loudly at start.
    static QString exposureWarning(const QHostAddress &address);
    // Whether a handshake with this Origin header (empty: none) is accepted.
    static bool originAllowed(const QString &origin, const QStringList &allowed);

    // How often every console session is re-checked against storage.
    static constexpr int kRevalidateMs = 5000;
    bool isWatched() const { return m_watched; }

Q_SIGNALS:
    // Some console is subscribed (true) or none any more (false); checked
    // at each flush. A cluster node reads the other nodes only meanwhile.
    void watchedChanged(bool watched);

private:
    void onNewConnection();
    void flush();

    QString m_address;
    int m_port;
    ControlLimits m_limits;
    ControlBackend &m_backend;
    ControlHub m_hub;
    QWebSocketServer m_server;
    QList<ControlSession *> m_sessions;
    QTimer m_flushTimer;
    QTimer m_revalidateTimer;
    qint64 m_flushes = 0;
    bool m_watched = false;
    QString m_errorString;
};

} // namespace whisper
