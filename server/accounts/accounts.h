#pragma once

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

struct AccountSettings {
    HashParams hash;
    int hashThreads = 2;
    int maxPendingHashes = 64; // beyond: `unavailable`, so a flood cannot queue forever
    qint64 sessionLifetimeMs = 30LL * 24 * 3600 * 1000;
    qint64 sessionIdleMs = 7LL * 24 * 3600 * 1000;
    bool requireStaff2fa = false;
    LeakRate loginPerUser{5, 60000, 15 * 60000};
    LeakRate loginPerIp{20, 3000, 0};
    LeakRate registerPerIp{3, 20 * 60000, 0};
    QString totpIssuer = QStringLiteral("WhisperChat");
};

// The account service: registration, login (password + optional TOTP), login
// sessions, password change and 2FA enrolment. Every call returns at once
// with a QFuture; SQL runs on the Database thread and Argon2id on the
// hasher's pool, never on the caller's (WebSocket) thread. Continue with
// `.then(contextObject, ...)` to get the result back on your thread.
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
    QFuture<void> logout(const QString &tokenHash);
    // Keeps `who`'s session, revokes all others of the account.
    QFuture<Outcome<protocol::PasswordChanged>>
    changePassword(const Identity &who, const QString &oldPassword, const QString &newPassword);
    QFuture<Outcome<protocol::TotpEnrollment>> enrollTotp(const Identity &who);
    QFuture<Outcome<protocol::TotpEnabled>> enableTotp(const Identity &who, const QString &code);
    QFuture<Outcome<protocol::TotpDisabled>> disableTotp(const Identity &who, const QString &code);

    // For the admin console: checks staff credentials (password + TOTP) with
    // the same rate limits and uniform errors as `login`, without creating a
    // login session. `forbidden` unless the role holds `needed`; with
    // requireStaff2fa, also unless 2FA is enabled. AuthOk::token is empty.
    QFuture<AuthResult> verifyStaff(const QString &username, const QString &password,
                                    const std::optional<QString> &totp, const QHostAddress &ip,
                                    Permission needed = Permission::ViewConsole);

    PasswordHasher &hasher() { return m_hasher; }
    const AccountSettings &settings() const { return m_settings; }
    // Drops idle rate-limit buckets and expired login sessions.
    void prune();

private:
    enum class Purpose { Chat, Staff };
    QFuture<AuthResult> authenticate(const QString &username, const QString &password,
                                     const std::optional<QString> &totp, const QHostAddress &ip,
                                     Purpose purpose, Permission needed);
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
    // 0 when a login attempt for `username` may go ahead, else the wait.
    qint64 pourLoginAttempt(const QString &username, qint64 nowMs);
    void forgetLoginAttempts(const QString &username);

    AccountSettings m_settings;
    Database &m_db;
    std::function<qint64()> m_clock;
    PasswordHasher m_hasher;
    QAtomicInt m_hashWork;
    // Reset from the database thread after a full successful login (so an
    // owner's own logins never lock them out), hence the mutex.
    QMutex m_loginPerUserMutex;
    KeyedLeakyBuckets m_loginPerUser;
    KeyedLeakyBuckets m_loginPerIp;
    KeyedLeakyBuckets m_registerPerIp;
};

// Helpers shared by the services that answer clients.
protocol::Error makeError(protocol::ErrorCode code, const QString &message, const QString &ref,
                          std::optional<qint64> retryAfterMs = std::nullopt);
protocol::Error rateLimited(const QString &ref, qint64 retryAfterMs);

} // namespace whisper
