// SPDX-License-Identifier: MIT
#include "storage.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUrl>
#include <QUuid>
#include <QVariant>

#include <map>

namespace whisper {

Q_LOGGING_CATEGORY(lcStorage, "whisper.server.storage")

namespace {

constexpr char kSqliteFile[] = "whisperchat.db";

// Migration number -> resource path, from the files compiled into the binary.
std::map<int, QString> migrationFiles() {
    std::map<int, QString> files;
    static const QRegularExpression name(QStringLiteral("^(\\d{4})_.*\\.sql$"));
    QDirIterator it(QStringLiteral(":/migrations"));
    while (it.hasNext()) {
        it.next();
        const auto m = name.match(it.fileName());
        if (m.hasMatch())
            files[m.captured(1).toInt()] = it.filePath();
    }
    return files;
}

// Splits a migration into statements: each ends with ';' at the end of a line.
QStringList statementsOf(const QString &script) {
    QStringList statements;
    QString current;
    for (const QString &rawLine : script.split(QLatin1Char('\n'))) {
        const QString line = rawLine.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1String("--")))
            continue;
        current += rawLine + QLatin1Char('\n');
        if (line.endsWith(QLatin1Char(';'))) {
            statements << current.trimmed().chopped(1);
            current.clear();
        }
    }
    if (!current.trimmed().isEmpty())
        statements << current.trimmed();
    return statements;
}

constexpr QFileDevice::Permissions kPrivateFile = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

// Creates the data directory (and missing parents) readable by the owner
// only. An existing directory is the operator's choice and is left as it is,
// with a warning when others may read it.
void makePrivateDirectory(const QString &path) {
    const QFileInfo info(path);
    if (info.isDir()) {
        if (info.permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup |
                                  QFileDevice::ExeOther | QFileDevice::ExeGroup))
            qCWarning(lcStorage).noquote()
                << "data directory" << path
                << "is accessible to other users; chmod 700 it (it holds password hashes)";
        return;
    }
    if (!QDir().mkpath(path))
        throw StorageError(
            QStringLiteral("cannot create data directory '%1'").arg(path).toStdString());
    QFile::setPermissions(path,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

// Creates the database file 0600 before SQLite opens it, so it is never
// readable to others, not even for a moment.
void makePrivateFile(const QString &path) {
    if (QFile::exists(path))
        return;
    QFile f(path);
    if (f.open(QIODevice::WriteOnly | QIODevice::NewOnly, kPrivateFile))
        f.close();
}

QVariant optionalInt(const std::optional<qint64> &v) {
    return v ? QVariant(*v) : QVariant(QMetaType::fromType<qint64>());
}

std::optional<qint64> toOptional(const QVariant &v) {
    if (v.isNull())
        return std::nullopt;
    return v.toLongLong();
}

QString nullableText(const QVariant &v) {
    return v.isNull() ? QString() : v.toString();
}

QVariant textOrNull(const QString &s) {
    return s.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(s);
}

QString usernameKey(const QString &username) {
    return username.normalized(QString::NormalizationForm_KC).toCaseFolded();
}

constexpr char kAccountColumns[] = "id, username, password_hash, role, disabled, totp_secret, "
                                   "totp_enabled, totp_last_step, created_ms";

AccountRecord readAccount(const QSqlQuery &q) {
    AccountRecord a;
    a.id = q.value(0).toLongLong();
    a.username = q.value(1).toString();
    a.passwordHash = q.value(2).toString();
    a.role = roleFromString(q.value(3).toString()).value_or(Role::User);
    a.disabled = q.value(4).toInt() != 0;
    a.totpSecret = nullableText(q.value(5));
    a.totpEnabled = q.value(6).toInt() != 0;
    a.totpLastStep = q.value(7).toLongLong();
    a.createdMs = q.value(8).toLongLong();
    return a;
}

constexpr char kBanColumns[] = "id, account_id, ip, reason, created_ms, expires_ms, created_by";

BanRecord readBan(const QSqlQuery &q) {
    BanRecord b;
    b.id = q.value(0).toLongLong();
    b.accountId = toOptional(q.value(1));
    b.ip = nullableText(q.value(2));
    b.reason = q.value(3).toString();
    b.createdMs = q.value(4).toLongLong();
    b.expiresMs = toOptional(q.value(5));
    b.createdBy = toOptional(q.value(6));
    return b;
}

} // namespace

int Storage::latestSchemaVersion() {
    const auto files = migrationFiles();
    return files.empty() ? 0 : files.rbegin()->first;
}

QString Storage::validateUrl(const QString &url) {
    if (url.isEmpty())
        return {};
    const QUrl u(url, QUrl::StrictMode);
    if (!u.isValid())
        return QStringLiteral("'%1' is not a valid URL")
            .arg(u.toDisplayString(QUrl::RemovePassword));
    if (u.scheme() == QLatin1String("sqlite"))
        return u.path().isEmpty() ? QStringLiteral("sqlite URL needs a file path") : QString();
    if (u.scheme() != QLatin1String("postgresql") && u.scheme() != QLatin1String("postgres"))
        return QStringLiteral("database URL must start with postgresql:// or sqlite://");
    if (u.host().isEmpty() || u.path().size() < 2)
        return QStringLiteral("postgresql URL needs a host and a database name "
                              "(postgresql://user@host:port/db)");
    return {};
}

Storage::Storage()
    : m_connectionName(QStringLiteral("whisper-storage-") +
                       QUuid::createUuid().toString(QUuid::WithoutBraces)) {}

Storage::~Storage() {
    close();
}

void Storage::close() {
    if (!m_db.isValid())
        return;
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

void Storage::open(const StorageLocation &location) {
    const QString urlError = validateUrl(location.url);
    if (!urlError.isEmpty())
        throw StorageError(urlError.toStdString());
    const QUrl url(location.url);
    m_postgres = !location.url.isEmpty() && url.scheme() != QLatin1String("sqlite");
    if (m_postgres) {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connectionName);
        m_db.setHostName(url.host());
        m_db.setPort(url.port(5432));
        m_db.setDatabaseName(url.path().mid(1));
        m_db.setUserName(url.userName());
        if (!url.password().isEmpty())
            m_db.setPassword(url.password());
        m_db.setConnectOptions(QStringLiteral("connect_timeout=10"));
    } else {
        QString file;
        if (url.scheme() == QLatin1String("sqlite")) {
            file = url.path();
        } else {
            makePrivateDirectory(location.dataDir);
            file = QDir(location.dataDir).filePath(QLatin1String(kSqliteFile));
        }
        makePrivateFile(file);
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        m_db.setDatabaseName(file);
        m_db.setConnectOptions(
            QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(location.busyTimeoutMs));
    }
    if (!m_db.isValid())
        throw StorageError("the Qt SQL driver is not installed (libqt6sql6-sqlite / -psql)");
    if (!m_db.open())
        throw StorageError(
            QStringLiteral("cannot open the database %1: %2")
                .arg(url.toDisplayString(QUrl::RemovePassword), m_db.lastError().text())
                .toStdString());
    if (!m_postgres) {
        m_sqliteFile = m_db.databaseName();
        // WAL: readers do not block the writer; FULL sync: a commit that
        // returned survives power loss, not only a crash.
        for (const char *pragma :
             {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=FULL"}) {
            QSqlQuery q(m_db);
            if (!q.exec(QLatin1String(pragma)))
                throw StorageError(QStringLiteral("%1 failed: %2")
                                       .arg(QLatin1String(pragma), q.lastError().text())
                                       .toStdString());
        }
    }
    migrate();
    if (!m_postgres) {
        // SQLite gives -wal and -shm the main file's mode, but a file made
        // by an older version may still be readable to others: tighten all.
        for (const char *suffix : {"", "-wal", "-shm"})
            if (QFile::exists(m_sqliteFile + QLatin1String(suffix)))
                QFile::setPermissions(m_sqliteFile + QLatin1String(suffix), kPrivateFile);
    }
}

QSqlQuery Storage::prepare(const QString &sql) {
    QSqlQuery q(m_db);
    if (!q.prepare(sql))
        throw StorageError(
            QStringLiteral("prepare failed: %1").arg(q.lastError().text()).toStdString());
    return q;
}

void Storage::exec(QSqlQuery &query) {
    if (!query.exec())
        throw StorageError(
            QStringLiteral("query failed: %1").arg(query.lastError().text()).toStdString());
}

QSqlQuery Storage::execute(const QString &sql, const QVariantList &values) {
    QSqlQuery q = prepare(sql);
    for (const QVariant &v : values)
        q.addBindValue(v);
    exec(q);
    return q;
}

void Storage::begin() {
    if (!m_db.transaction())
        throw StorageError(QStringLiteral("cannot begin a transaction: %1")
                               .arg(m_db.lastError().text())
                               .toStdString());
}

void Storage::commit() {
    if (!m_db.commit()) {
        const QString error = m_db.lastError().text();
        m_db.rollback();
        throw StorageError(QStringLiteral("commit failed: %1").arg(error).toStdString());
    }
}

void Storage::rollback() {
    m_db.rollback();
}

qint64 Storage::insertReturningId(QSqlQuery &query) {
    exec(query);
    if (!query.next())
        throw StorageError("insert returned no id");
    return query.value(0).toLongLong();
}

void Storage::migrate() {
    const auto files = migrationFiles();
    const int latest = files.empty() ? 0 : files.rbegin()->first;
    transaction([&] {
        QSqlQuery q(m_db);
        if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                   "version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL)")))
            throw StorageError(q.lastError().text().toStdString());
        // Several nodes may start at once against one PostgreSQL: the lock
        // makes the second wait and then find the work done.
        if (m_postgres && !q.exec(QStringLiteral("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")))
            throw StorageError(q.lastError().text().toStdString());
        QSqlQuery v =
            prepare(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
        exec(v);
        const int current = v.next() ? v.value(0).toInt() : 0;
        if (current > latest)
            throw StorageError(QStringLiteral("the database has schema version %1 but this "
                                              "whisperchat-server only knows up to %2; refusing "
                                              "to start (upgrade the server, or restore a "
                                              "backup)")
                                   .arg(current)
                                   .arg(latest)
                                   .toStdString());
        const QString id = m_postgres ? QStringLiteral("BIGINT GENERATED BY DEFAULT AS IDENTITY "
                                                       "PRIMARY KEY")
                                      : QStringLiteral("INTEGER PRIMARY KEY AUTOINCREMENT");
        for (const auto &[version, path] : files) {
            if (version <= current)
                continue;
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                throw StorageError(QStringLiteral("cannot read %1").arg(path).toStdString());
            QString script = QString::fromUtf8(file.readAll());
            script.replace(QLatin1String("@ID@"), id);
            for (const QString &statement : statementsOf(script)) {
                QSqlQuery s(m_db);
                if (!s.exec(statement))
                    throw StorageError(QStringLiteral("migration %1 failed: %2")
                                           .arg(version)
                                           .arg(s.lastError().text())
                                           .toStdString());
            }
            QSqlQuery record = prepare(QStringLiteral(
                "INSERT INTO schema_migrations (version, applied_ms) VALUES (?, ?)"));
            record.addBindValue(version);
            record.addBindValue(QDateTime::currentMSecsSinceEpoch());
            exec(record);
            qCInfo(lcStorage) << "applied migration" << version;
        }
    });
}

int Storage::schemaVersion() {
    QSqlQuery q =
        prepare(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    exec(q);
    return q.next() ? q.value(0).toInt() : 0;
}

QString Storage::integrityCheck() {
    if (m_postgres)
        return QStringLiteral("ok");
    QSqlQuery q = prepare(QStringLiteral("PRAGMA integrity_check"));
    exec(q);
    QStringList lines;
    while (q.next())
        lines << q.value(0).toString();
    return lines.join(QLatin1Char('\n'));
}

// ---- accounts ---------------------------------------------------------------

std::optional<qint64> Storage::createAccount(const QString &username, const QString &passwordHash,
                                             Role role, qint64 nowMs) {
    // The unique index decides; checking first would race with another node.
    // ON CONFLICT DO NOTHING keeps a PostgreSQL transaction usable.
    QSqlQuery q = prepare(QStringLiteral(
        "INSERT INTO accounts (username, username_key, password_hash, role, created_ms) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (username_key) DO NOTHING RETURNING id"));
    q.addBindValue(username);
    q.addBindValue(usernameKey(username));
    q.addBindValue(passwordHash);
    q.addBindValue(toString(role));
    q.addBindValue(nowMs);
    exec(q);
    if (!q.next())
        return std::nullopt;
    return q.value(0).toLongLong();
}

std::optional<AccountRecord> Storage::accountByName(const QString &username) {
    QSqlQuery q = prepare(QStringLiteral("SELECT %1 FROM accounts WHERE username_key = ?")
                              .arg(QLatin1String(kAccountColumns)));
    q.addBindValue(usernameKey(username));
    exec(q);
    if (!q.next())
        return std::nullopt;
    return readAccount(q);
}

std::optional<AccountRecord> Storage::accountById(qint64 id) {
    QSqlQuery q = prepare(
        QStringLiteral("SELECT %1 FROM accounts WHERE id = ?").arg(QLatin1String(kAccountColumns)));
    q.addBindValue(id);
    exec(q);
    if (!q.next())
        return std::nullopt;
    return readAccount(q);
}

QList<AccountRecord> Storage::listAccounts() {
    QSqlQuery q = prepare(
        QStringLiteral("SELECT %1 FROM accounts ORDER BY id").arg(QLatin1String(kAccountColumns)));
    exec(q);
    QList<AccountRecord> out;
    while (q.next())
        out << readAccount(q);
    return out;
}

bool Storage::setPasswordHash(qint64 accountId, const QString &passwordHash) {
    QSqlQuery q = prepare(QStringLiteral("UPDATE accounts SET password_hash = ? WHERE id = ?"));
    q.addBindValue(passwordHash);
    q.addBindValue(accountId);
    exec(q);
    return q.numRowsAffected() == 1;
}

bool Storage::changePassword(qint64 accountId, const QString &passwordHash,
                             const QString &keepTokenHash) {
    return transaction([&] {
        const bool ok = setPasswordHash(accountId, passwordHash);
        execute(QStringLiteral("DELETE FROM sessions WHERE account_id = ? AND token_hash <> ?"),
                {accountId, keepTokenHash});
        return ok;
    });
}

bool Storage::setRole(qint64 accountId, Role role) {
    QSqlQuery q = prepare(QStringLiteral("UPDATE accounts SET role = ? WHERE id = ?"));
    q.addBindValue(toString(role));
    q.addBindValue(accountId);
    exec(q);
    return q.numRowsAffected() == 1;
}

bool Storage::setDisabled(qint64 accountId, bool disabled) {
    return transaction([&] {
        const bool ok = execute(QStringLiteral("UPDATE accounts SET disabled = ? WHERE id = ?"),
                                {disabled ? 1 : 0, accountId})
                            .numRowsAffected() == 1;
        if (disabled)
            deleteSessionsOf(accountId);
        return ok;
    });
}

// ---- 2FA ----------------------------------------------------------------------

bool Storage::setTotpSecret(qint64 accountId, const QString &secretBase32) {
    QSqlQuery q = prepare(
        QStringLiteral("UPDATE accounts SET totp_secret = ? WHERE id = ? AND totp_enabled = 0"));
    q.addBindValue(secretBase32);
    q.addBindValue(accountId);
    exec(q);
    return q.numRowsAffected() == 1;
}

bool Storage::enableTotp(qint64 accountId, qint64 step, const QList<QString> &recoveryCodeHashes) {
    return transaction([&] {
        const QSqlQuery q =
            execute(QStringLiteral("UPDATE accounts SET totp_enabled = 1, totp_last_step = ? "
                                   "WHERE id = ? AND totp_enabled = 0 AND totp_secret IS NOT NULL"),
                    {step, accountId});
        if (q.numRowsAffected() != 1)
            return false; // nothing changed; the empty transaction commits
        execute(QStringLiteral("DELETE FROM recovery_codes WHERE account_id = ?"), {accountId});
        for (const QString &hash : recoveryCodeHashes)
            execute(
                QStringLiteral("INSERT INTO recovery_codes (account_id, code_hash) VALUES (?, ?)"),
                {accountId, hash});
        return true;
    });
}

bool Storage::disableTotp(qint64 accountId) {
    return transaction([&] {
        // Read now: SQLite reports the changes of the connection's last statement.
        const bool ok = execute(QStringLiteral("UPDATE accounts SET totp_enabled = 0, totp_secret "
                                               "= NULL, totp_last_step = 0 WHERE id = ?"),
                                {accountId})
                            .numRowsAffected() == 1;
        execute(QStringLiteral("DELETE FROM recovery_codes WHERE account_id = ?"), {accountId});
        return ok;
    });
}

bool Storage::consumeTotpStep(qint64 accountId, qint64 step) {
    QSqlQuery q = prepare(QStringLiteral(
        "UPDATE accounts SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?"));
    q.addBindValue(step);
    q.addBindValue(accountId);
    q.addBindValue(step);
    exec(q);
    return q.numRowsAffected() == 1;
}

bool Storage::consumeRecoveryCode(qint64 accountId, const QString &codeHash, qint64 nowMs) {
    QSqlQuery q = prepare(QStringLiteral("UPDATE recovery_codes SET used_ms = ? WHERE account_id "
                                         "= ? AND code_hash = ? AND used_ms IS NULL"));
    q.addBindValue(nowMs);
    q.addBindValue(accountId);
    q.addBindValue(codeHash);
    exec(q);
    return q.numRowsAffected() == 1;
}

int Storage::unusedRecoveryCodes(qint64 accountId) {
    QSqlQuery q = prepare(QStringLiteral(
        "SELECT COUNT(*) FROM recovery_codes WHERE account_id = ? AND used_ms IS NULL"));
    q.addBindValue(accountId);
    exec(q);
    return q.next() ? q.value(0).toInt() : 0;
}

// ---- login sessions -----------------------------------------------------------

void Storage::createSession(const SessionRecord &s) {
    QSqlQuery q = prepare(QStringLiteral("INSERT INTO sessions (token_hash, account_id, "
                                         "created_ms, last_used_ms, expires_ms) "
                                         "VALUES (?, ?, ?, ?, ?)"));
    q.addBindValue(s.tokenHash);
    q.addBindValue(s.accountId);
    q.addBindValue(s.createdMs);
    q.addBindValue(s.lastUsedMs);
    q.addBindValue(s.expiresMs);
    exec(q);
}

std::optional<SessionRecord> Storage::touchSession(const QString &tokenHash, qint64 nowMs,
                                                   qint64 idleMs) {
    QSqlQuery q = prepare(QStringLiteral("SELECT token_hash, account_id, created_ms, "
                                         "last_used_ms, expires_ms FROM sessions "
                                         "WHERE token_hash = ?"));
    q.addBindValue(tokenHash);
    exec(q);
    if (!q.next())
        return std::nullopt;
    SessionRecord s;
    s.tokenHash = q.value(0).toString();
    s.accountId = q.value(1).toLongLong();
    s.createdMs = q.value(2).toLongLong();
    s.lastUsedMs = q.value(3).toLongLong();
    s.expiresMs = q.value(4).toLongLong();
    if (nowMs >= s.expiresMs || nowMs - s.lastUsedMs > idleMs) {
        deleteSession(tokenHash);
        return std::nullopt;
    }
    QSqlQuery u =
        prepare(QStringLiteral("UPDATE sessions SET last_used_ms = ? WHERE token_hash = ?"));
    u.addBindValue(nowMs);
    u.addBindValue(tokenHash);
    exec(u);
    s.lastUsedMs = nowMs;
    return s;
}

void Storage::deleteSession(const QString &tokenHash) {
    QSqlQuery q = prepare(QStringLiteral("DELETE FROM sessions WHERE token_hash = ?"));
    q.addBindValue(tokenHash);
    exec(q);
}

bool Storage::sessionExists(const QString &tokenHash) {
    QSqlQuery q = prepare(QStringLiteral("SELECT 1 FROM sessions WHERE token_hash = ?"));
    q.addBindValue(tokenHash);
    exec(q);
    return q.next();
}

int Storage::deleteOtherSessions(qint64 accountId, const QString &keepTokenHash) {
    if (keepTokenHash.isEmpty())
        return deleteSessionsOf(accountId);
    return execute(QStringLiteral("DELETE FROM sessions WHERE account_id = ? AND token_hash <> ?"),
                   {accountId, keepTokenHash})
        .numRowsAffected();
}

int Storage::deleteSessionsOf(qint64 accountId) {
    QSqlQuery q = prepare(QStringLiteral("DELETE FROM sessions WHERE account_id = ?"));
    q.addBindValue(accountId);
    exec(q);
    return q.numRowsAffected();
}

int Storage::pruneSessions(qint64 nowMs, qint64 idleMs) {
    QSqlQuery q =
        prepare(QStringLiteral("DELETE FROM sessions WHERE expires_ms <= ? OR last_used_ms < ?"));
    q.addBindValue(nowMs);
    q.addBindValue(nowMs - idleMs);
    exec(q);
    return q.numRowsAffected();
}

// ---- bans -------------------------------------------------------------------------

qint64 Storage::addBan(const BanRecord &ban) {
    QSqlQuery q = prepare(QStringLiteral("INSERT INTO bans (account_id, ip, reason, created_ms, "
                                         "expires_ms, created_by) VALUES (?, ?, ?, ?, ?, ?) "
                                         "RETURNING id"));
    q.addBindValue(optionalInt(ban.accountId));
    q.addBindValue(textOrNull(ban.ip));
    q.addBindValue(ban.reason);
    q.addBindValue(ban.createdMs);
    q.addBindValue(optionalInt(ban.expiresMs));
    q.addBindValue(optionalInt(ban.createdBy));
    return insertReturningId(q);
}

bool Storage::liftBan(qint64 banId, qint64 nowMs) {
    QSqlQuery q =
        prepare(QStringLiteral("UPDATE bans SET lifted_ms = ? WHERE id = ? AND lifted_ms IS NULL"));
    q.addBindValue(nowMs);
    q.addBindValue(banId);
    exec(q);
    return q.numRowsAffected() == 1;
}

std::optional<BanRecord> Storage::activeBan(std::optional<qint64> accountId, const QString &ip,
                                            qint64 nowMs) {
    // A permanent ban (NULL expiry) sorts first, then the one ending last.
    QSqlQuery q = prepare(
        QStringLiteral("SELECT %1 FROM bans WHERE lifted_ms IS NULL "
                       "AND (expires_ms IS NULL OR expires_ms > ?) "
                       "AND ((account_id IS NOT NULL AND account_id = ?) OR (ip IS NOT NULL AND "
                       "ip = ?)) "
                       "ORDER BY CASE WHEN expires_ms IS NULL THEN 0 ELSE 1 END, expires_ms DESC")
            .arg(QLatin1String(kBanColumns)));
    q.addBindValue(nowMs);
    q.addBindValue(accountId.value_or(-1));
    q.addBindValue(ip.isEmpty() ? QStringLiteral("-") : ip);
    exec(q);
    if (!q.next())
        return std::nullopt;
    return readBan(q);
}

QList<BanRecord> Storage::listActiveBans(qint64 nowMs) {
    QSqlQuery q = prepare(QStringLiteral("SELECT %1 FROM bans WHERE lifted_ms IS NULL AND "
                                         "(expires_ms IS NULL OR expires_ms > ?) ORDER BY id")
                              .arg(QLatin1String(kBanColumns)));
    q.addBindValue(nowMs);
    exec(q);
    QList<BanRecord> out;
    while (q.next())
        out << readBan(q);
    return out;
}

// ---- blocks -------------------------------------------------------------------------

void Storage::addBlock(qint64 blockerAccountId, quint64 blockedKey, qint64 nowMs) {
    QSqlQuery q = prepare(QStringLiteral("INSERT INTO blocks (blocker_account_id, blocked_key, "
                                         "created_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
    q.addBindValue(blockerAccountId);
    q.addBindValue(QString::number(blockedKey));
    q.addBindValue(nowMs);
    exec(q);
}

QList<quint64> Storage::blocksOf(qint64 blockerAccountId) {
    QSqlQuery q =
        prepare(QStringLiteral("SELECT blocked_key FROM blocks WHERE blocker_account_id = ?"));
    q.addBindValue(blockerAccountId);
    exec(q);
    QList<quint64> out;
    while (q.next())
        out << q.value(0).toString().toULongLong();
    return out;
}

// ---- reports ------------------------------------------------------------------------

qint64 Storage::addReport(const ReportRecord &r) {
    // The unique index (migration 0011) decides, as for accounts: a check
    // first would race with another node.
    QSqlQuery q = prepare(
        QStringLiteral("INSERT INTO reports (reporter_key, reporter_account_id, reported_key, "
                       "reported_account_id, reported_ip, pair_id, reason, created_ms) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id"));
    q.addBindValue(r.reporterKey);
    q.addBindValue(optionalInt(r.reporterAccountId));
    q.addBindValue(r.reportedKey);
    q.addBindValue(optionalInt(r.reportedAccountId));
    q.addBindValue(textOrNull(r.reportedIp));
    q.addBindValue(textOrNull(r.pairId));
    q.addBindValue(r.reason);
    q.addBindValue(r.createdMs);
    exec(q);
    if (q.next())
        return q.value(0).toLongLong();
    QSqlQuery earlier = execute(QStringLiteral("SELECT id FROM reports WHERE reporter_key = ? AND "
                                               "reported_key = ? AND pair_id = ?"),
                                {r.reporterKey, r.reportedKey, r.pairId});
    if (!earlier.next())
        throw StorageError("report neither stored nor found");
    return earlier.value(0).toLongLong();
}

QList<ReportRecord> Storage::listReports(bool openOnly, int limit) {
    QSqlQuery q = prepare(
        QStringLiteral("SELECT r.id, r.reporter_key, r.reporter_account_id, r.reported_key, "
                       "r.reported_account_id, r.reported_ip, r.pair_id, r.reason, r.created_ms, "
                       "r.resolved_ms, r.resolved_by, r.resolution, a.username, b.username "
                       "FROM reports r LEFT JOIN accounts a ON a.id = r.reporter_account_id "
                       "LEFT JOIN accounts b ON b.id = r.reported_account_id %1 "
                       "ORDER BY r.id DESC LIMIT ?")
            .arg(openOnly ? QStringLiteral("WHERE r.resolved_ms IS NULL") : QString()));
    q.addBindValue(limit);
    exec(q);
    QList<ReportRecord> out;
    while (q.next()) {
        ReportRecord r;
        r.id = q.value(0).toLongLong();
        r.reporterKey = q.value(1).toString();
        r.reporterAccountId = toOptional(q.value(2));
        r.reportedKey = q.value(3).toString();
        r.reportedAccountId = toOptional(q.value(4));
        r.reportedIp = nullableText(q.value(5));
        r.pairId = nullableText(q.value(6));
        r.reason = q.value(7).toString();
        r.createdMs = q.value(8).toLongLong();
        r.resolvedMs = toOptional(q.value(9));
        r.resolvedBy = toOptional(q.value(10));
        r.resolution = nullableText(q.value(11));
        r.reporterName = nullableText(q.value(12));
        r.reportedName = nullableText(q.value(13));
        out << r;
    }
    return out;
}

bool Storage::resolveReport(qint64 reportId, qint64 resolverAccountId, const QString &resolution,
                            qint64 nowMs) {
    QSqlQuery q = prepare(QStringLiteral("UPDATE reports SET resolved_ms = ?, resolved_by = ?, "
                                         "resolution = ? WHERE id = ? AND resolved_ms IS NULL"));
    q.addBindValue(nowMs);
    q.addBindValue(resolverAccountId);
    q.addBindValue(resolution);
    q.addBindValue(reportId);
    exec(q);
    return q.numRowsAffected() == 1;
}

} // namespace whisper
