// SPDX-License-Identifier: MIT
#pragma once

#include "controlprotocol.h"

#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

namespace whisper::admin {

// The console's one connection to a server's control endpoint: logs in,
// subscribes, turns frames into typed signals and commands into frames, and
// reconnects with exponential backoff when the server goes away. Widgets see
// this class and the item models, never the socket.
class ControlClient : public QObject {
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, LoggingIn, Online, WaitingToReconnect };
    Q_ENUM(State)

    struct Credentials {
        QUrl url;
        QString username;
        QString password;
        QString totp;
    };

    explicit ControlClient(QObject *parent = nullptr);
    ~ControlClient() override;

    // Connects, logs in and subscribes; keeps the credentials in memory only,
    // for reconnects.
    void connectToServer(const Credentials &credentials);
    void disconnectFromServer();

    State state() const { return m_state; }
    QString username() const { return m_username; }
    QString role() const { return m_role; }
    QStringList permissions() const { return m_permissions; }
    // Whether the logged-in role holds `permission` (a wire name such as
    // "kick_client"); the server checks again on every command.
    bool can(const QString &permission) const { return m_permissions.contains(permission); }
    QUrl url() const { return m_credentials.url; }

    // Backoff between reconnect attempts: starts at `initialMs`, doubles up
    // to `maxMs`.
    void setReconnectBackoff(int initialMs, int maxMs);
    int nextReconnectDelayMs() const { return m_backoffMs; }
    // How long a freshly opened connection may take to greet with `hello`
    // before the URL is judged not to be a control endpoint (default 5 s).
    void setGreetingTimeout(int ms) { m_greeting.setInterval(ms); }

    // Commands; each returns its request id, echoed by commandSucceeded /
    // commandFailed / reportsReceived / accountReceived.
    qint64 kick(const QString &clientId);
    qint64 kickPair(const QString &pairId);
    qint64 banAccount(const QString &username, qint64 durationS, const QString &reason);
    // No scope: the server's default (the account, or a guest's connection).
    qint64 banClient(const QString &clientId, qint64 durationS, const QString &reason,
                     std::optional<control::BanScope> scope = std::nullopt);
    // What each ban scope of the client covers; answered by banPreviewReceived.
    qint64 previewBan(const QString &clientId);
    qint64 listBans();
    qint64 unban(const QString &banId);
    qint64 listReports(bool includeResolved);
    qint64 resolveReport(const QString &reportId, const QString &resolution);
    qint64 lookupAccount(const QString &username);
    qint64 setRole(const QString &username, const QString &role);
    qint64 broadcast(const QString &text);
    qint64 setTickInterval(int ms);
    qint64 drain();
    // Audit rows (admins); answered by auditReceived.
    qint64 listAudit(const control::ListAudit &query);

Q_SIGNALS:
    void stateChanged(whisper::admin::ControlClient::State state);
    void loggedIn(const QString &username, const QString &role, const QStringList &permissions);
    // The login cannot succeed: wrong name, password or TOTP code, a role
    // without console access, or a URL that is not a control endpoint (a chat
    // port, say). No reconnect follows.
    void authenticationFailed(const QString &message);
    // The connection broke; a reconnect follows after `retryInMs`.
    void serverGone(const QString &reason, int retryInMs);
    void snapshotReceived(const whisper::control::Snapshot &page);
    void deltaReceived(const whisper::control::Delta &delta);
    void reportsReceived(qint64 req, const QList<whisper::control::Report> &reports);
    void accountReceived(qint64 req, const whisper::control::AccountInfo &account);
    void banPreviewReceived(qint64 req, const whisper::control::BanPreview &preview);
    void bansReceived(qint64 req, const QList<whisper::control::BanInfo> &bans);
    void auditReceived(qint64 req, const QList<whisper::control::AuditRow> &rows);
    void commandSucceeded(qint64 req);
    void commandFailed(qint64 req, whisper::control::ErrorCode code, const QString &message);

private:
    qint64 send(control::ConsoleMessage message);
    void setState(State state);
    void open();
    void onConnected();
    void onDisconnected();
    void onText(const QString &text);
    void handle(const control::ServerMessage &message);
    void scheduleReconnect(const QString &reason);
    void refuse(const QString &message);

    QWebSocket m_socket;
    QTimer m_reconnectTimer;
    QTimer m_greeting;
    Credentials m_credentials;
    State m_state = State::Disconnected;
    QString m_username;
    QString m_role;
    QStringList m_permissions;
    qint64 m_nextReq = 1;
    qint64 m_loginReq = 0;
    int m_initialBackoffMs = 500;
    int m_maxBackoffMs = 30000;
    int m_backoffMs = 500;
    bool m_wanted = false; // the user wants to be connected
};

} // namespace whisper::admin
