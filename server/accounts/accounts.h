// SPDX-License-Identifier: MIT
#pragma once

#include "attemptlimiter.h"
#include "database.h"
#include "leakybucket.h"
#include "passwordhasher.h"
#include "permissions.h"
#include "protocol.h"

#include <QFuture>
#include <QHostAddress>
#include <QMutex>
#include <QObject>

#include <functional>
#include <variant>

namespace whisper {

// Who a connection is logged in as.
struct Identity {
    qint64 accountId = 0;
    QString username;
    Role role = Role::User;
    QString tokenHash; // the login session this connection uses
};

struct AuthOk {
    Identity identity;
    QString token; // handed to the client once
};
using AuthResult = std::variant<AuthOk, protocol::Error>;
template <typename T>
using Outcome = std::variant<T, protocol::Error>;

// Why the server ended an account's logins; the `reason` of the
// `logged_out` a revoked connection receives.
// Ended: the login session no longer exists (it ended while the
// connection was away from the node that knew it).
enum class Revocation { PasswordChanged, LoggedOutEverywhere, Disabled, Banned, Ended };
QString toString(Revocation reason);

struct AccountSettings {
    HashParams hash;
    int hashThreads = 2;
    int maxPendingHashes = 64; // beyond: `unavailable`, so a flood cannot queue forever
    qint64 sessionLifetimeMs = 30LL * 24 * 3600 * 1000;
    qint64 sessionIdleMs = 7LL * 24 * 3600 * 1000;
    bool requireStaff2fa = false;
    // Failed-login limits. The lockout is per user name *and* address, so a
    // stranger guessing from one address locks only themselves out; the
    // per-name bucket over all addresses is larger and only makes clients
    // wait (it bounds a distributed guesser without a lockout anyone could
    // trigger). Staff (console) logins use buckets of their own with the same
    // rates, so the public chat port cannot lock staff out of the console.
    LeakRate loginPerUser{5, 60000, 15 * 60000}; // per (user name, address)
    LeakRate loginPerAccount{100, 36000, 0};     // per user name, all addresses
    LeakRate loginPerIp{20, 3000, 0};
    LeakRate registerPerIp{3, 20 * 60000, 0};
    // Second-factor guesses (login after the right password, totp_enable,
    // totp_disable): per account and per address, each with a lockout.
    LeakRate totpPerAccount{5, 60000, 15 * 60000};
    LeakRate totpPerIp{10, 60000, 15 * 60000};
    QString totpIssuer = QStringLiteral("WhisperChat");
};

// The account service: registration, login (password + optional TOTP), login
// sessions, password change and 2FA enrolment. Every call returns at once
// with a QFuture; SQL runs on the Database thread and Argon2id on the
// hasher's pool, never on the caller's (WebSocket) thread. Continue with
// `.then(contextObject, ...)` to get the result back on your thread.
//
// Revocation: changePassword, logoutEverywhere, setDisabled and setRole
// change the stored account and then emit accountRevoked / roleChanged,
// whatever thread they finish on (connect with the default AutoConnection
// and the slot runs on the receiver's thread). SecurityStack routes them to
// every live chat connection of the account (AccountHandler::revoke ends it
// with `logged_out` + close 1008); the admin console subscribes the same way
// for its connections. Other code that ends an account's authority (a ban)
// calls revoke() so every subscriber hears of it.
//
// Failures are protocol errors ready to send. Wrong password, unknown user
// and disabled account give the same `unauthorized` text after the same
// work (unknown users are verified against a dummy hash). Only after a
// correct password does an answer differ (2FA needed, banned).
class Accounts : public QObject {
    Q_OBJECT
public:
    Accounts(AccountSettings settings, Database &db, std::function<qint64()> clock,
             QObject *parent = nullptr);
    ~Accounts() override;

    // Empty when acceptable, else the rule that is broken (for `bad_request`).
    static QString checkUsername(const QString &username);
    static QString checkPassword(const QString &username, const QString &password);
    // The stable matchmaking identity of an account (blocks survive reconnects).
    static quint64 identityKeyOf(qint64 accountId);

    QFuture<AuthResult> registerAccount(const QString &username, const QString &password,
                                        const QHostAddress &ip);
    QFuture<AuthResult> login(const QString &username, const QString &password,
                              const std::optional<QString> &totp, const QHostAddress &ip);
    QFuture<AuthResult> resume(const QString &token, const QHostAddress &ip);
    // The login a dropped session carried, for the node it resumes on (the
    // token itself never leaves the node that issued it; the resume record
    // holds its hash). The identity while the login session is still valid
    // for `accountId`, else the `logged_out` reason that ended it
    // meanwhile. No attempt is counted: the spent resume token was the proof.
    QFuture<std::variant<Identity, Revocation>>
    restoreLogin(const QString &tokenHash, qint64 accountId, const QHostAddress &ip);
    QFuture<void> logout(const QString &tokenHash);
    // Revokes every login session of the account except `keepTokenHash`
    // (empty: all) and emits accountRevoked(LoggedOutEverywhere).
    QFuture<void> logoutEverywhere(qint64 accountId, const QString &keepTokenHash = {});
    // Keeps `who`'s session, revokes all others of the account and emits
    // accountRevoked(PasswordChanged) so their live connections end.
    // Wrong old passwords count as login guesses from `ip`.
    QFuture<Outcome<protocol::PasswordChanged>> changePassword(const Identity &who,
                                                               const QString &oldPassword,
                                                               const QString &newPassword,
                                                               const QHostAddress &ip = {});
    // 2FA changes need proof beyond the session: the current password for
    // enrolling and enabling; a current code or recovery code for disabling
    // (2FA is on then). Wrong codes count toward the TOTP lockout.
    QFuture<Outcome<protocol::TotpEnrollment>> enrollTotp(const Identity &who,
                                                          const std::optional<QString> &password,
                                                          const QHostAddress &ip = {});
    QFuture<Outcome<protocol::TotpEnabled>> enableTotp(const Identity &who, const QString &code,
                                                       const std::optional<QString> &password,
                                                       const QHostAddress &ip = {});
    QFuture<Outcome<protocol::TotpDisabled>> disableTotp(const Identity &who, const QString &code,
                                                         const QHostAddress &ip = {});

    // ---- for the admin console and the account service itself
    // Each stores the change and then emits the matching signal. False: no
    // such account.
    QFuture<bool> setDisabled(qint64 accountId, bool disabled);
    QFuture<bool> setRole(qint64 accountId, Role role);
    // What storage says of each of these logins (by token hash), for the
    // periodic re-check of live logins against changes this process did
    // not make (the `user` command, another node).
    struct StoredLogin {
        bool sessionAlive = false;
        std::optional<AccountRecord> account;
    };
    QFuture<QHash<QString, StoredLogin>> storedLogins(const QList<Identity> &logins);
    // Tells every subscriber that the account's logins end now (no storage
    // change): e.g. after a ban. Any thread.
    void revoke(qint64 accountId, Revocation reason, const QString &keepTokenHash = {});

    // For the admin console: checks staff credentials (password + TOTP) with
    // the same rate limits and uniform errors as `login`, without creating a
    // login session. `forbidden` unless the role holds `needed`; with
    // requireStaff2fa, also unless 2FA is enabled. AuthOk::token is empty.
    QFuture<AuthResult> verifyStaff(const QString &username, const QString &password,
                                    const std::optional<QString> &totp, const QHostAddress &ip,
                                    Permission needed = Permission::ViewConsole);

    // Where login, resume, password-proof and registration attempts are
    // counted from now on (not owned; nullptr: this node's own buckets
    // again). Its owner must set nullptr before it goes.
    void setAttemptLimiter(AttemptLimiter *limiter);

    PasswordHasher &hasher() { return m_hasher; }
    const AccountSettings &settings() const { return m_settings; }
    // Drops idle rate-limit buckets and expired login sessions.
    void prune();

Q_SIGNALS:
    // Every login of the account except the one with `keepTokenHash` (empty:
    // all) has ended: its tokens are revoked; end its live connections.
    void accountRevoked(qint64 accountId, whisper::Revocation reason, const QString &keepTokenHash);
    // The account's role is now `role`: downgrade live connections.
    void roleChanged(qint64 accountId, whisper::Role role);

private:
    enum class Purpose { Chat, Staff };
    QFuture<AuthResult> authenticate(const QString &username, const QString &password,
                                     const std::optional<QString> &totp, const QHostAddress &ip,
                                     Purpose purpose, Permission needed);
    // The password (and second factor) check after the rate limits let the
    // attempt through.
    QFuture<AuthResult> checkCredentials(const QString &username, const QString &password,
                                         const std::optional<QString> &totp, const QHostAddress &ip,
                                         Purpose purpose, Permission needed, const QString &ref);
    // Counts a request that will hash (login, register, change_password)
    // or refuses it with `unavailable` beyond maxPendingHashes; the count
    // drops when the request's future finishes (releaseWhenDone).
    std::optional<protocol::Error> admitHashWork(const QString &ref);
    template <typename T>
    QFuture<T> releaseWhenDone(QFuture<T> future) {
        return future.then([this](T result) {
            m_hashWork.deref();
            return result;
        });
    }
    // The buckets a password attempt for `username` from `ip` pours into
    // (per name and address, with the lockout, then per name); with
    // `withIp`, the per-address bucket first.
    static QList<AttemptPour> loginPours(const AccountSettings &s, Purpose purpose,
                                         const QString &username, const QHostAddress &ip,
                                         bool withIp);
    // Through the current limiter: 0 when the attempt may go ahead, else
    // the wait.
    QFuture<qint64> pourAttempt(const QList<AttemptPour> &pours, qint64 nowMs);
    void forgetLoginAttempts(Purpose purpose, const QString &username, const QHostAddress &ip);
    // The steps after the rate limits let a request through.
    QFuture<AuthResult> createAccount(const QString &username, const QString &password,
                                      const QString &ref);
    QFuture<AuthResult> resumeSession(const QString &token, const QHostAddress &ip,
                                      const QString &ref);
    QFuture<Outcome<AccountRecord>> verifyCurrentPassword(const Identity &who,
                                                          const QString &password,
                                                          const QHostAddress &ip,
                                                          const QString &ref);
    QFuture<Outcome<protocol::PasswordChanged>> storeNewPassword(const Identity &who,
                                                                 const QString &oldPassword,
                                                                 const QString &newPassword,
                                                                 const QString &ref);
    // Checks `who`'s current password (and that its session still exists),
    // counting a wrong one as a login guess.
    QFuture<Outcome<AccountRecord>> provePassword(const Identity &who, const QString &password,
                                                  const QHostAddress &ip, const QString &ref);
    // The same for a second-factor guess (per address, then per account
    // with the lockout); nothing is poured and the answer is 0 unless
    // `counts` (the code will be checked).
    QFuture<qint64> pourTotpAttempt(bool counts, qint64 accountId, const QHostAddress &ip);
    // A right code: the account's guessing budget starts afresh (the
    // per-address one does not, so one address cannot cycle accounts).
    void forgetTotpAttempts(qint64 accountId);

    AccountSettings m_settings;
    Database &m_db;
    std::function<qint64()> m_clock;
    PasswordHasher m_hasher;
    QAtomicInt m_hashWork;
    // The login, registration and second-factor buckets. Reset from the
    // database thread after a full successful login or a right code (so an
    // owner's own logins never lock them out); the mutex keeps a limiter
    // from being swapped out while a call is in it.
    LocalAttemptLimiter m_localLimiter;
    QMutex m_limiterMutex;
    AttemptLimiter *m_limiter = &m_localLimiter;
};

// Helpers shared by the services that answer clients.
protocol::Error makeError(protocol::ErrorCode code, const QString &message, const QString &ref,
                          std::optional<qint64> retryAfterMs = std::nullopt);
protocol::Error rateLimited(const QString &ref, qint64 retryAfterMs);

} // namespace whisper
