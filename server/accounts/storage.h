// SPDX-License-Identifier: MIT
#pragma once

// The one storage interface: accounts, login sessions, 2FA, bans, blocks and
// reports over Qt SQL. SQLite (a file in the data directory) by default,
// PostgreSQL for a `postgresql://` URL; numbered migrations from
// resources/migrations are applied in one transaction when it opens.
//
// A Storage object owns one QSqlDatabase connection, and Qt SQL connections
// belong to the thread that opened them: the server uses it only through
// Database (database.h), which runs every call on its own worker thread. The
// `user` subcommand and tests use it directly. Every statement is prepared;
// every change of more than one row runs in a transaction. Failures throw
// StorageError.

#include "permissions.h"

#include <QByteArray>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QVariantList>

#include <optional>
#include <stdexcept>
#include <type_traits>

class QSqlQuery;

namespace whisper {

class StorageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct AccountRecord {
    qint64 id = 0;
    QString username;
    QString passwordHash;
    Role role = Role::User;
    bool disabled = false;
    QString totpSecret; // base32; empty: not enrolled
    bool totpEnabled = false;
    qint64 totpLastStep = 0;
    qint64 createdMs = 0;
};

struct SessionRecord {
    QString tokenHash; // SHA-256 hex of the token; the token itself is never stored
    qint64 accountId = 0;
    qint64 createdMs = 0;
    qint64 lastUsedMs = 0;
    qint64 expiresMs = 0;
};

struct BanRecord {
    qint64 id = 0;
    std::optional<qint64> accountId;
    QString ip; // empty: not an IP ban
    QString reason;
    qint64 createdMs = 0;
    std::optional<qint64> expiresMs; // nullopt: permanent
    std::optional<qint64> createdBy;
};

struct ReportRecord {
    qint64 id = 0;
    QString reporterKey;
    std::optional<qint64> reporterAccountId;
    QString reportedKey;
    std::optional<qint64> reportedAccountId;
    QString reportedIp;
    QString pairId;
    QString reason;
    qint64 createdMs = 0;
    std::optional<qint64> resolvedMs;
    std::optional<qint64> resolvedBy;
    QString resolution;
    // Filled by listReports(): the accounts' usernames (empty for guests).
    QString reporterName;
    QString reportedName;
};

// Where the data lives: `--db` (empty: SQLite in dataDir). A data directory
// the server creates is 0700, and the SQLite file (with -wal and -shm) 0600:
// it holds password hashes, TOTP secrets and reporters' addresses.
struct StorageLocation {
    QString url;     // "" | "sqlite:///path/file.db" | "postgresql://user[:pw]@host:port/db"
    QString dataDir; // directory of the default SQLite file
    int busyTimeoutMs = 5000;
};

class Storage {
public:
    // The newest migration this binary knows.
    static int latestSchemaVersion();
    // Parses `url` without connecting; empty string when it is usable.
    static QString validateUrl(const QString &url);

    Storage();
    ~Storage();
    Storage(const Storage &) = delete;
    Storage &operator=(const Storage &) = delete;

    // Connects and migrates. Throws StorageError with an operator-facing
    // message (unreachable server, database newer than this binary, ...).
    void open(const StorageLocation &location);
    void close();
    bool isPostgres() const { return m_postgres; }
    int schemaVersion();
    // The connection, for modules with their own tables (migrations 0010+,
    // e.g. the admin console's audit log). Same thread rules apply.
    QSqlDatabase &database() { return m_db; }
    // "ok" or SQLite's complaint; PostgreSQL always "ok".
    QString integrityCheck();

    // ---- accounts
    // nullopt when the name (case-insensitively) is taken.
    std::optional<qint64> createAccount(const QString &username, const QString &passwordHash,
                                        Role role, qint64 nowMs);
    std::optional<AccountRecord> accountByName(const QString &username);
    std::optional<AccountRecord> accountById(qint64 id);
    QList<AccountRecord> listAccounts();
    bool setPasswordHash(qint64 accountId, const QString &passwordHash);
    // New hash and every session but `keepTokenHash` revoked, atomically.
    bool changePassword(qint64 accountId, const QString &passwordHash,
                        const QString &keepTokenHash);
    bool setRole(qint64 accountId, Role role);
    // Disabling also revokes every session of the account.
    bool setDisabled(qint64 accountId, bool disabled);

    // ---- 2FA
    // Stores a secret that is not enabled yet (enrolment).
    bool setTotpSecret(qint64 accountId, const QString &secretBase32);
    // Enables 2FA, accepts `step` as used and replaces the recovery codes.
    bool enableTotp(qint64 accountId, qint64 step, const QList<QString> &recoveryCodeHashes);
    bool disableTotp(qint64 accountId);
    // Atomically accepts `step` if it is newer than the last accepted one:
    // a TOTP code can be used once.
    bool consumeTotpStep(qint64 accountId, qint64 step);
    // Atomically marks an unused recovery code as used; false if unknown/used.
    bool consumeRecoveryCode(qint64 accountId, const QString &codeHash, qint64 nowMs);
    int unusedRecoveryCodes(qint64 accountId);

    // ---- login sessions
    void createSession(const SessionRecord &session);
    // The session if it exists, is not expired and was used within `idleMs`;
    // its last-use time is updated. Expired sessions are deleted.
    std::optional<SessionRecord> touchSession(const QString &tokenHash, qint64 nowMs,
                                              qint64 idleMs);
    void deleteSession(const QString &tokenHash);
    // Whether the login session still exists (not revoked); expiry is
    // touchSession's business.
    bool sessionExists(const QString &tokenHash);
    int deleteSessionsOf(qint64 accountId);
    // Every session of the account but `keepTokenHash` (empty: all).
    int deleteOtherSessions(qint64 accountId, const QString &keepTokenHash);
    int pruneSessions(qint64 nowMs, qint64 idleMs);

    // ---- bans
    qint64 addBan(const BanRecord &ban);
    bool liftBan(qint64 banId, qint64 nowMs);
    // The longest-running ban in force at `nowMs` for the account or the IP.
    std::optional<BanRecord> activeBan(std::optional<qint64> accountId, const QString &ip,
                                       qint64 nowMs);
    QList<BanRecord> listActiveBans(qint64 nowMs);

    // ---- blocks (made by accounts; guests' blocks live with their connection)
    void addBlock(qint64 blockerAccountId, quint64 blockedKey, qint64 nowMs);
    QList<quint64> blocksOf(qint64 blockerAccountId);

    // ---- reports
    // The new report's id. A repeat of the same reporter about the same party
    // in the same pair is not stored again: the earlier report's id.
    qint64 addReport(const ReportRecord &report);
    QList<ReportRecord> listReports(bool openOnly, int limit = 500);
    bool resolveReport(qint64 reportId, qint64 resolverAccountId, const QString &resolution,
                       qint64 nowMs);

private:
    QSqlQuery prepare(const QString &sql);
    void exec(QSqlQuery &query);
    // Prepares, binds `values` in order and runs one statement.
    QSqlQuery execute(const QString &sql, const QVariantList &values);
    // Runs `body` in a transaction: committed when it returns, rolled back
    // when it throws.
    template <typename F>
    auto transaction(F body) -> decltype(body()) {
        begin();
        try {
            if constexpr (std::is_void_v<decltype(body())>) {
                body();
                commit();
            } else {
                auto result = body();
                commit();
                return result;
            }
        } catch (...) {
            rollback();
            throw;
        }
    }
    void migrate();
    void begin();
    void commit();
    void rollback();
    qint64 insertReturningId(QSqlQuery &query);

    QSqlDatabase m_db;
    QString m_connectionName;
    QString m_sqliteFile; // empty for PostgreSQL
    bool m_postgres = false;
};

} // namespace whisper
