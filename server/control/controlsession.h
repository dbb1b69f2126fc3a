// SPDX-License-Identifier: MIT
#pragma once

#include "controlbackend.h"
#include "controlhub.h"
#include "controlserver.h"

#include <QObject>
#include <QPointer>
#include <QWebSocket>

namespace whisper {

// One console connection: login, a permission check and an audit row for
// every command, and the subscription (paged snapshot, then batched deltas).
class ControlSession : public QObject {
    Q_OBJECT
public:
    // Takes ownership of `socket`.
    ControlSession(QWebSocket *socket, ControlHub &hub, ControlBackend &backend,
                   const ControlLimits &limits, QObject *parent = nullptr);
    ~ControlSession() override;

    // Called by the control server once per batch interval with the changes
    // of that interval; `stats` every few intervals.
    void flush(const ControlChanges &changes, const std::optional<control::Stats> &stats);
    void close(QWebSocketProtocol::CloseCode code, const QString &reason);

    bool isLoggedIn() const { return m_identity.has_value(); }
    bool isSubscribed() const { return m_subscribed; }
    std::optional<qint64> accountId() const {
        return m_identity ? std::optional<qint64>(m_identity->accountId) : std::nullopt;
    }
    // Asks the backend for the account's current state and ends the session
    // when it no longer matches the login (disabled, banned, role changed).
    void revalidate();
    // Ends the session at once: the account lost its right to it.
    void revoke(const QString &reason);

Q_SIGNALS:
    void closed(whisper::ControlSession *session);
    // A command changed an account's role or bans: other consoles of that
    // account must be checked now, not at their next command.
    void accountsChanged();

private:
    // What the audit row of the command in progress says.
    struct Audit {
        QString command;
        QString target;
        QString detail;
    };

    void onText(const QString &text);
    void dispatch(const control::ConsoleMessage &message);
    void send(const control::ServerMessage &message);
    void fail(qint64 req, control::ErrorCode code, const QString &message);
    // Answers the command and writes its audit row: ok, or failed with why.
    void finish(qint64 req, const Audit &audit, const ControlOutcome &outcome);
    void record(const Audit &audit, const QString &result, const QString &why = {});
    // Checks the role; a refusal is answered and audited as refused.
    bool authorize(qint64 req, Permission permission, const Audit &audit);
    // Applies the account's current state; false when the session ended.
    bool applyCurrent(const ControlBackend::Result<ControlIdentity> &current);

    void handle(const control::Login &m);
    void handle(const control::Subscribe &m);
    void handle(const control::Kick &m);
    void handle(const control::KickPair &m);
    void handle(const control::Ban &m);
    void handle(const control::ListReports &m);
    void handle(const control::ResolveReport &m);
    void handle(const control::LookupAccount &m);
    void handle(const control::SetRole &m);
    void handle(const control::Broadcast &m);
    void handle(const control::SetTickInterval &m);
    void handle(const control::Drain &m);
    void handle(const control::PreviewBan &m);
    void handle(const control::ListBans &m);
    void handle(const control::ListAudit &m);
    void handle(const control::Unban &m);
    // The ban of a connected client, once what it covers is known (its node
    // may be another one, asked first).
    void banClient(const control::Ban &m, Audit audit, ClientId client, const RemoteClient &who);
    // The stored ban (account or address) and the kick that goes with it.
    void banWith(const control::Ban &m, const Audit &audit, const ControlBanTarget &target,
                 std::optional<ClientId> client);

    void sendSnapshotPage();
    void sendDelta(const std::optional<control::Stats> &stats);

    QWebSocket *m_socket;
    ControlHub &m_hub;
    ControlBackend &m_backend;
    ControlLimits m_limits;
    // Callbacks of the backend may outlive the session; they check this.
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
    std::optional<ControlIdentity> m_identity;
    bool m_loginPending = false;
    int m_failedLogins = 0;

    bool m_subscribed = false;
    bool m_snapshotDone = false;
    int m_page = 0;
    int m_totalWaiting = 0;
    int m_totalPairs = 0;
    QList<control::WaitingClient> m_snapWaiting;
    QList<control::PairInfo> m_snapPairs;
    ControlChanges m_pending;
    qint64 m_seq = 0;
};

} // namespace whisper
