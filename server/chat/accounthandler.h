// SPDX-License-Identifier: MIT
#pragma once

#include "accounts.h"
#include "leakybucket.h"
#include "matchtypes.h"
#include "ratelimits.h"
#include "securityservices.h"

#include <QHostAddress>
#include <QMultiHash>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>
#include <vector>

namespace whisper {

class AccountHandler;
class Moderation;
class Session;

// The account side of one chat session, so Session itself stays thin:
// rate limits, bans and require-login gating of each request, the account
// messages (register, login, resume, logout, change_password, 2FA) and
// block/report. Session hands it every decoded message first.
class AccountHandler : public QObject {
    Q_OBJECT
public:
    // Revocations and role changes the account service announces reach the
    // live chat connections of that account at once. The service may emit
    // on the database thread; `context` (on the sessions' thread) makes the
    // delivery queued then, and ends it when it is destroyed.
    static void followRevocations(SecurityServices &services, QObject *context);

    AccountHandler(Session &session, SecurityServices &services, QObject *parent = nullptr);
    ~AccountHandler() override;

    // Connection-time checks (connections per IP, IP bans): refused
    // connections get an error and are closed with 1008.
    void admitConnection();
    // True when the message was dealt with here (an account message, or a
    // chat message refused by a rate limit, ban or require-login).
    bool intercept(const protocol::ClientMessage &message);
    // Exclusions from this person's blocks, for their next `join`.
    std::vector<Exclusion> blockExclusions() const { return m_blocks; }
    // Called when the session is paired: remembers who the partner is, so
    // `block` and `report` still work right after the partner left.
    void rememberPartner();
    // Counts a frame that did not decode; false (and `rate_limited` sent,
    // the connection closed after repeated refusals) when over the limit,
    // then the caller sends nothing more.
    bool admitMalformed();
    // The account's logins were revoked (password changed elsewhere,
    // logged out everywhere, disabled, banned): unless this connection holds
    // `keepTokenHash`, it gets `logged_out` with the reason, its pair ends
    // and it is closed with 1008. Nothing happens when not logged in.
    void revoke(Revocation reason, const QString &keepTokenHash);
    // A session resumed on this node from another node's record: the login
    // it carried comes back (with the account's blocks) while its login
    // session is still valid. `done` gets nullopt then, or the reason it
    // ended meanwhile; the caller puts the session back first and then
    // ends it with endLogin(), as a revocation would have done live.
    void restoreLogin(qint64 accountId, const QString &tokenHash,
                      std::function<void(std::optional<Revocation>)> done);
    // `logged_out` with `reason`, the pair ends, the connection closes with
    // 1008; nothing the client sends after this is acted on.
    void endLogin(Revocation reason);
    // The account's role changed: this connection carries the new one.
    void changeRole(Role role);

    const std::optional<Identity> &identity() const { return m_identity; }
    QHostAddress ip() const { return m_ip; }
    Session &session() { return m_session; }
    const Session &session() const { return m_session; }

private:
    // False (and an error sent) when over the limit; repeated refusals close.
    bool admit(LeakyBucket &bucket, const QString &ref);
    // A join passes the connection's, the address's and the account's limits.
    bool admitJoin(const QString &ref);
    // False (and an error sent) when `waitMs` is not 0.
    bool admitAfter(qint64 waitMs, const QString &ref);
    bool refuseIfBanned(const QString &ref);
    void reply(const protocol::ServerMessage &message);
    void fail(protocol::ErrorCode code, const QString &message, const QString &ref);
    bool startAuth(const QString &ref);
    void finishAuth(const AuthResult &result);
    // Takes on the identity and its stored blocks, then says `authenticated`.
    void completeAuth(const AuthOk &ok, const QList<quint64> &blockedKeys);
    void applyIdentity(const Identity &identity, const QList<quint64> &blockedKeys);
    // The context for continuations of async results: a long-lived object on
    // this thread, because Qt 6.4 invokes a continuation on its context
    // without checking that it still exists. The handler itself may be gone
    // by then; continuations check a QPointer to it.
    QObject *anchor() const;
    // The logged-in identity, or null after answering `unauthorized`.
    const Identity *identityFor(const QString &ref);
    // Sends the outcome when it arrives, if this handler still exists.
    template <typename T>
    void replyWhenReady(QFuture<Outcome<T>> future) {
        QPointer<AccountHandler> self(this);
        future.then(anchor(), [self](const Outcome<T> &outcome) {
            if (self)
                std::visit([&](const auto &v) { self->reply(v); }, outcome);
        });
    }

    void onRegister(const protocol::Register &m);
    void onLogin(const protocol::Login &m);
    void onResume(const protocol::Resume &m);
    void onLogout(const protocol::Logout &m);
    // Forgets the login (registry included); the connection is a guest.
    void dropIdentity();
    void onBlock();
    void onReport(const protocol::Report &m);

    Session &m_session;
    SecurityServices &m_services;
    QHostAddress m_ip;
    std::optional<Identity> m_identity;
    std::vector<Exclusion> m_blocks;
    LeakyBucket m_messages;
    LeakyBucket m_joins;
    LeakyBucket m_accountRequests;
    LeakyBucket m_reports;
    LeakyBucket m_malformed;
    // The current or last partner, for block/report.
    struct Partner {
        QString pairId;
        quint64 identityKey = 0;
        std::optional<qint64> accountId;
        QString ip;
        bool blocked = false;  // already blocked: a repeat stores nothing
        bool reported = false; // already reported: a repeat stores nothing
    };
    std::optional<Partner> m_partner;
    int m_strikes = 0;
    bool m_exempt = false; // from the chat rate limits (rate-exempt)
    bool m_authInFlight = false;
    bool m_revoked = false; // closing after a revocation: ignore everything
};

} // namespace whisper
