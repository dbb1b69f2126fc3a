// SPDX-License-Identifier: MIT
#include "controlservicebackend.h"

#include "accounthandler.h"
#include "accounts.h"
#include "database.h"
#include "moderation.h"

#include <QLoggingCategory>
#include <QSqlError>

#include <QSqlQuery>
#include <algorithm>
#include <stdexcept>

namespace whisper {

Q_LOGGING_CATEGORY(lcControlBackend, "whisper.server.controlbackend")

using control::ErrorCode;

namespace {
ControlFailure storageFailure() {
    return ControlFailure{ErrorCode::Unavailable, QStringLiteral("storage is unavailable")};
}
ControlFailure noAccount() {
    return ControlFailure{ErrorCode::NotFound, QStringLiteral("no such account")};
}
ControlFailure outranked() {
    return ControlFailure{ErrorCode::Forbidden,
                          QStringLiteral("nobody may ban an account of equal or higher role")};
}
} // namespace

ControlServiceBackend::ControlServiceBackend(Accounts &accounts, Moderation &moderation,
                                             Database &db, QObject *parent)
    : QObject(parent)
    , m_accounts(accounts)
    , m_moderation(moderation)
    , m_db(db) {}

void ControlServiceBackend::authenticate(const QString &username, const QString &password,
                                         const QString &totp, const QHostAddress &peer,
                                         std::function<void(Result<ControlIdentity>)> done) {
    m_accounts
        .verifyStaff(username, password,
                     totp.isEmpty() ? std::nullopt : std::optional<QString>(totp), peer,
                     Permission::ViewConsole)
        .then(this,
              [done](const AuthResult &result) {
                  if (const auto *error = std::get_if<protocol::Error>(&result)) {
                      done(ControlFailure{error->code, error->message});
                      return;
                  }
                  const Identity &who = std::get<AuthOk>(result).identity;
                  done(ControlIdentity{who.accountId, who.username, who.role});
              })
        .onFailed(this, [done] { done(storageFailure()); });
}

void ControlServiceBackend::currentIdentity(qint64 accountId,
                                            std::function<void(Result<ControlIdentity>)> done) {
    m_db.run([accountId](Storage &s) { return s.accountById(accountId); })
        .then(this,
              [this, done](const std::optional<AccountRecord> &account) {
                  // One answer for every reason: the console only needs to
                  // know that this login no longer holds.
                  const ControlFailure revoked{ErrorCode::Forbidden,
                                               QStringLiteral("this account may no longer use "
                                                              "the console")};
                  if (!account || account->disabled ||
                      m_moderation.activeBan(account->id, QHostAddress())) {
                      done(revoked);
                      return;
                  }
                  done(ControlIdentity{account->id, account->username, account->role});
              })
        .onFailed(this, [done] { done(storageFailure()); });
}

void ControlServiceBackend::ban(const ControlIdentity &by, const ControlBanTarget &target,
                                qint64 durationS, const QString &reason,
                                std::function<void(ControlOutcome)> done) {
    const std::optional<qint64> durationMs =
        durationS == 0 ? std::nullopt : std::optional<qint64>(durationS * 1000);
    auto finish = [done](qint64) { done(std::nullopt); };
    if (target.account.isEmpty()) {
        m_moderation.banIp(target.ip, reason, durationMs, by.accountId)
            .then(this, finish)
            .onFailed(this, [done] { done(storageFailure()); });
        return;
    }
    m_moderation.lookupAccount(target.account)
        .then(this,
              [this, done, reason, durationMs, by,
               finish](const std::optional<AccountRecord> &account) {
                  if (!account) {
                      done(noAccount());
                      return;
                  }
                  if (int(account->role) >= int(by.role)) {
                      done(outranked());
                      return;
                  }
                  m_moderation.banAccount(account->id, reason, durationMs, by.accountId)
                      .then(this, finish)
                      .onFailed(this, [done] { done(storageFailure()); });
              })
        .onFailed(this, [done] { done(storageFailure()); });
}

namespace {
// How a moderator sees a party to a report: the account's username, or for a
// guest "guest" and the end of its identity key. The key alone (19 digits)
// meant nothing to a reader; its last six digits still tell two guests apart
// and link reports of the same one.
QString reportParty(const QString &username, const QString &key) {
    if (!username.isEmpty())
        return username.left(control::kMaxUsernameChars);
    return QStringLiteral("guest \u2026%1").arg(key.right(6));
}
} // namespace

void ControlServiceBackend::listReports(bool includeResolved,
                                        std::function<void(Result<QList<control::Report>>)> done) {
    m_moderation.listReports(!includeResolved)
        .then(this,
              [done](const QList<ReportRecord> &records) {
                  QList<control::Report> reports;
                  reports.reserve(records.size());
                  for (const ReportRecord &r : records)
                      reports.append(control::Report{
                          QString::number(r.id), reportParty(r.reporterName, r.reporterKey),
                          reportParty(r.reportedName, r.reportedKey),
                          r.reason.left(control::kMaxReasonChars), r.createdMs,
                          r.resolvedMs.has_value(), r.resolution.left(control::kMaxReasonChars)});
                  done(reports);
              })
        .onFailed(this, [done] { done(storageFailure()); });
}

void ControlServiceBackend::resolveReport(const ControlIdentity &by, const QString &reportId,
                                          const QString &resolution,
                                          std::function<void(ControlOutcome)> done) {
    bool ok = false;
    const qint64 id = reportId.toLongLong(&ok);
    if (!ok) {
        done(ControlFailure{ErrorCode::NotFound, QStringLiteral("no such report")});
        return;
    }
    m_moderation.resolveReport(id, by.accountId, resolution)
        .then(this,
              [done](bool resolved) {
                  if (resolved)
                      done(std::nullopt);
                  else
                      done(ControlFailure{ErrorCode::NotFound,
                                          QStringLiteral("no such open report")});
              })
        .onFailed(this, [done] { done(storageFailure()); });
}

void ControlServiceBackend::lookupAccount(const QString &username,
                                          std::function<void(Result<control::AccountInfo>)> done) {
    m_moderation.lookupAccount(username)
        .then(this,
              [this, done](const std::optional<AccountRecord> &account) {
                  if (!account) {
                      done(noAccount());
                      return;
                  }
                  control::AccountInfo info{account->username, toString(account->role),
                                            account->createdMs, account->totpEnabled, 0};
                  if (const auto ban = m_moderation.activeBan(account->id, QHostAddress()))
                      info.bannedUntilMs = ban->expiresMs.value_or(-1);
                  done(info);
              })
        .onFailed(this, [done] { done(storageFailure()); });
}

void ControlServiceBackend::setRole(const QString &username, Role role,
                                    std::function<void(ControlOutcome)> done) {
    m_moderation.lookupAccount(username)
        .then(this,
              [this, done, role](const std::optional<AccountRecord> &account) {
                  if (!account) {
                      done(noAccount());
                      return;
                  }
                  m_accounts.setRole(account->id, role)
                      .then(this,
                            [done](bool changed) {
                                if (changed)
                                    done(std::nullopt);
                                else
                                    done(noAccount());
                            })
                      .onFailed(this, [done] { done(storageFailure()); });
              })
        .onFailed(this, [done] { done(storageFailure()); });
}

void ControlServiceBackend::listBans(std::function<void(Result<QList<control::BanInfo>>)> done) {
    const QList<BanRecord> bans = m_moderation.activeBans();
    // Names, not ids: a handful of look-ups on the database thread.
    m_db.run([bans](Storage &s) {
            QHash<qint64, QString> names;
            auto nameOf = [&](std::optional<qint64> id) -> QString {
                if (!id)
                    return {};
                const auto it = names.constFind(*id);
                if (it != names.constEnd())
                    return it.value();
                const auto a = s.accountById(*id);
                const QString name = a ? a->username : QString();
                names.insert(*id, name);
                return name;
            };
            QList<control::BanInfo> out;
            out.reserve(bans.size());
            for (const BanRecord &b : bans)
                out << control::BanInfo{QString::number(b.id),
                                        nameOf(b.accountId),
                                        b.reason.left(control::kMaxReasonChars),
                                        b.createdMs,
                                        b.expiresMs.value_or(0),
                                        nameOf(b.createdBy)};
            return out;
        })
        .then(this, [done](const QList<control::BanInfo> &bans) { done(bans); })
        .onFailed(this, [done] { done(storageFailure()); });
}

void ControlServiceBackend::unban(const ControlIdentity &by, const QString &banId,
                                  std::function<void(ControlOutcome)> done) {
    bool ok = false;
    const qint64 id = banId.toLongLong(&ok);
    const QList<BanRecord> bans = m_moderation.activeBans();
    const auto it =
        std::find_if(bans.cbegin(), bans.cend(), [id](const BanRecord &b) { return b.id == id; });
    if (!ok || it == bans.cend()) {
        done(ControlFailure{ErrorCode::NotFound, QStringLiteral("no such ban in force")});
        return;
    }
    if (!it->expiresMs && !roleHas(by.role, Permission::BanPermanent)) {
        done(ControlFailure{ErrorCode::Forbidden,
                            QStringLiteral("only an admin may lift a permanent ban")});
        return;
    }
    m_moderation.liftBan(id)
        .then(this,
              [done](bool lifted) {
                  if (lifted)
                      done(std::nullopt);
                  else
                      done(ControlFailure{ErrorCode::NotFound,
                                          QStringLiteral("no such ban in force")});
              })
        .onFailed(this, [done] { done(storageFailure()); });
}

ControlBanScopes ControlServiceBackend::banScopes(std::uint64_t client) const {
    ControlBanScopes scopes;
    const AccountHandler *handler = m_moderation.handlerOf(client);
    if (!handler)
        return scopes;
    if (handler->identity()) {
        scopes.account = handler->identity()->username;
        scopes.accountConnections =
            m_moderation.connectionsOfAccount(handler->identity()->accountId);
    }
    scopes.addressConnections = m_moderation.connectionsFrom(handler->ip());
    return scopes;
}

std::optional<QString> ControlServiceBackend::accountOf(std::uint64_t client) const {
    const AccountHandler *handler = m_moderation.handlerOf(client);
    if (!handler || !handler->identity())
        return std::nullopt;
    return handler->identity()->username;
}

void ControlServiceBackend::listAudit(const control::ListAudit &query,
                                      std::function<void(Result<QList<control::AuditRow>>)> done) {
    m_db.run([query](Storage &storage) {
            // One prepared statement; an empty filter matches everything.
            QSqlQuery q(storage.database());
            q.prepare(QStringLiteral(
                "SELECT at_ms, actor, command, target, detail, result, source FROM control_audit "
                "WHERE (? = '' OR actor = ?) AND (? = '' OR command = ?) AND at_ms >= ? "
                "AND (? = 0 OR at_ms <= ?) ORDER BY id DESC LIMIT ?"));
            q.addBindValue(query.actor);
            q.addBindValue(query.actor);
            q.addBindValue(query.command);
            q.addBindValue(query.command);
            q.addBindValue(query.sinceMs);
            q.addBindValue(query.untilMs);
            q.addBindValue(query.untilMs);
            q.addBindValue(std::clamp(query.limit, 1, control::kMaxAuditRows));
            if (!q.exec())
                throw std::runtime_error(q.lastError().text().toStdString());
            QList<control::AuditRow> rows;
            while (q.next())
                rows << control::AuditRow{q.value(0).toLongLong(), q.value(1).toString(),
                                          q.value(2).toString(),   q.value(3).toString(),
                                          q.value(4).toString(),   q.value(5).toString(),
                                          q.value(6).toString()};
            return rows;
        })
        .then(this, [done](const QList<control::AuditRow> &rows) { done(rows); })
        .onFailed(this, [done] { done(storageFailure()); });
}

void ControlServiceBackend::writeAudit(const AuditEntry &entry) {
    m_db.run([entry](Storage &storage) {
            QSqlQuery q(storage.database());
            q.prepare(QStringLiteral(
                "INSERT INTO control_audit (at_ms, actor_account_id, actor, command, target, "
                "detail, result, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
            q.addBindValue(entry.atMs);
            q.addBindValue(entry.actorAccountId > 0 ? QVariant(entry.actorAccountId)
                                                    : QVariant(QMetaType::fromType<qint64>()));
            // A null QString binds as SQL NULL; the columns want text.
            auto text = [](const QString &s) { return s.isNull() ? QStringLiteral("") : s; };
            q.addBindValue(text(entry.actor));
            q.addBindValue(text(entry.command));
            q.addBindValue(text(entry.target));
            q.addBindValue(text(entry.detail));
            q.addBindValue(text(entry.result));
            q.addBindValue(text(entry.source));
            if (!q.exec())
                qCWarning(lcControlBackend).noquote()
                    << "audit row for" << entry.command << "not written:" << q.lastError().text();
        })
        .onFailed([] { qCWarning(lcControlBackend) << "audit row not written: storage error"; });
}

} // namespace whisper
