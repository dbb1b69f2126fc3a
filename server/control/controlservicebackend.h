// SPDX-License-Identifier: MIT
#pragma once

#include "controlbackend.h"

#include <QObject>

namespace whisper {

class Accounts;
class Database;
class Moderation;

// The control endpoint's backend in the running server: staff login through
// Accounts::verifyStaff (Argon2id, TOTP, rate limits), bans, reports and
// account look-ups through Moderation, and audit rows in the control_audit
// table (migration 0010) on the Database thread.
class ControlServiceBackend : public QObject, public ControlBackend {
    Q_OBJECT
public:
    ControlServiceBackend(Accounts &accounts, Moderation &moderation, Database &db,
                          QObject *parent = nullptr);

    void authenticate(const QString &username, const QString &password, const QString &totp,
                      const QHostAddress &peer,
                      std::function<void(Result<ControlIdentity>)> done) override;
    void currentIdentity(qint64 accountId,
                         std::function<void(Result<ControlIdentity>)> done) override;
    void ban(const ControlIdentity &by, const ControlBanTarget &target, qint64 durationS,
             const QString &reason, std::function<void(ControlOutcome)> done) override;
    void listReports(bool includeResolved,
                     std::function<void(Result<QList<control::Report>>)> done) override;
    void resolveReport(const ControlIdentity &by, const QString &reportId,
                       const QString &resolution,
                       std::function<void(ControlOutcome)> done) override;
    void lookupAccount(const QString &username,
                       std::function<void(Result<control::AccountInfo>)> done) override;
    void setRole(const QString &username, Role role,
                 std::function<void(ControlOutcome)> done) override;
    void listBans(std::function<void(Result<QList<control::BanInfo>>)> done) override;
    void listAudit(const control::ListAudit &query,
                   std::function<void(Result<QList<control::AuditRow>>)> done) override;
    void unban(const ControlIdentity &by, const QString &banId,
               std::function<void(ControlOutcome)> done) override;
    std::optional<QString> accountOf(std::uint64_t client) const override;
    ControlBanScopes banScopes(std::uint64_t client) const override;
    void writeAudit(const AuditEntry &entry) override;

private:
    Accounts &m_accounts;
    Moderation &m_moderation;
    Database &m_db;
};

} // namespace whisper
