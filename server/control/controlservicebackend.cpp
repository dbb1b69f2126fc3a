#include "controlservicebackend.h"

#include "accounthandler.h"
#include "accounts.h"
#include "database.h"
#include "moderation.h"

#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

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
                  m_moderation.banAccount(account->id, reason, durationMs, by.accountId)
                      .then(this, finish)
                      .onFailed(this, [done] { done(storageFailure()); });
              })
        .onFailed(this, [done] { done(storageFailure()); });
}

void ControlServiceBackend::listReports(bool includeResolved,
                                        std::function<void(Result<QList<control::Report>>)> done) {
    m_moderation.listReports(!includeResolved)
        .then(this,
              [done](const QList<ReportRecord> &records) {
                  QList<control::Report> reports;
                  reports.reserve(records.size());
                  for (const ReportRecord &r : records)
                      reports.append(control::Report{
                          QString::number(r.id), r.reporterKey.left(control::kMaxIdChars),
                          r.reportedKey.left(control::kMaxIdChars),
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
                  m_moderation.setRole(account->id, role)
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

std::optional<QString> ControlServiceBackend::accountOf(std::uint64_t client) const {
    const AccountHandler *handler = m_moderation.handlerOf(client);
    if (!handler || !handler->identity())
        return std::nullopt;
    return handler->identity()->username;
}

void ControlServiceBackend::writeAudit(const AuditEntry &entry) {
    m_db.run([entry](Storage &storage) {
            QSqlQuery q(storage.database());
            q.prepare(QStringLiteral(
                "INSERT INTO control_audit (at_ms, actor_account_id, actor, command, target, "
                "detail) VALUES (?, ?, ?, ?, ?, ?)"));
            q.addBindValue(entry.atMs);
            q.addBindValue(entry.actorAccountId > 0 ? QVariant(entry.actorAccountId)
                                                    : QVariant(QMetaType::fromType<qint64>()));
            // A null QString binds as SQL NULL; the columns want text.
            auto text = [](const QString &s) { return s.isNull() ? QStringLiteral("") : s; };
            q.addBindValue(text(entry.actor));
            q.addBindValue(text(entry.command));
            q.addBindValue(text(entry.target));
            q.addBindValue(text(entry.detail));
            if (!q.exec())
                qCWarning(lcControlBackend).noquote()
                    << "audit row for" << entry.command << "not written:" << q.lastError().text();
        })
        .onFailed([] { qCWarning(lcControlBackend) << "audit row not written: storage error"; });
}

} // namespace whisper
