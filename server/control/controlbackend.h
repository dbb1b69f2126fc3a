// SPDX-License-Identifier: MIT
#pragma once

// What the control endpoint needs from the account and moderation services,
// as one small asynchronous interface. The server wires the storage-backed
// implementation (controlservicebackend.h); unit tests use an in-memory fake.
// Every call answers through its callback on the caller's thread.

#include "controlprotocol.h"
#include "permissions.h"

#include <QHostAddress>
#include <QString>

#include <functional>
#include <optional>
#include <variant>

namespace whisper {

struct ControlFailure {
    control::ErrorCode code = control::ErrorCode::Internal;
    QString message;
};
// nullopt: it worked.
using ControlOutcome = std::optional<ControlFailure>;

struct ControlIdentity {
    qint64 accountId = 0;
    QString username;
    Role role = Role::User;
};

// Who is banned: an account (by name) or an IP address.
struct ControlBanTarget {
    QString account;
    QHostAddress ip;
};

// What each ban scope of one connected client covers, in current
// connections (answered from memory).
struct ControlBanScopes {
    std::optional<QString> account; // nullopt: a guest
    int accountConnections = 0;
    int addressConnections = 0;
};

// One row of the audit log: who did what, when, to whom, from where, and how
// it ended.
struct AuditEntry {
    qint64 atMs = 0;
    qint64 actorAccountId = 0;
    QString actor;
    QString command; // control message type
    QString target;  // client/pair id, account name, ...; may be empty
    QString detail;  // command parameters worth keeping (no secrets, no chat text)
    QString result = QStringLiteral("ok"); // ok | failed | refused
    QString source;                        // the console's address
};

class ControlBackend {
public:
    template <typename T>
    using Result = std::variant<T, ControlFailure>;

    virtual ~ControlBackend() = default;

    // Password (+ TOTP code when the account has 2FA). Failures say nothing
    // about which part was wrong (no user enumeration).
    virtual void authenticate(const QString &username, const QString &password, const QString &totp,
                              const QHostAddress &peer,
                              std::function<void(Result<ControlIdentity>)> done) = 0;
    // The account as it is now in storage: its current role, or a failure
    // (forbidden) when it is disabled, banned or gone. Every console command
    // asks this first, so a role change or ban takes effect at once.
    virtual void currentIdentity(qint64 accountId,
                                 std::function<void(Result<ControlIdentity>)> done) = 0;
    // durationS 0: permanent. Refused (forbidden) when the banned account's
    // role is equal to or higher than `by`'s.
    virtual void ban(const ControlIdentity &by, const ControlBanTarget &target, qint64 durationS,
                     const QString &reason, std::function<void(ControlOutcome)> done) = 0;
    virtual void listReports(bool includeResolved,
                             std::function<void(Result<QList<control::Report>>)> done) = 0;
    virtual void resolveReport(const ControlIdentity &by, const QString &reportId,
                               const QString &resolution,
                               std::function<void(ControlOutcome)> done) = 0;
    virtual void lookupAccount(const QString &username,
                               std::function<void(Result<control::AccountInfo>)> done) = 0;
    virtual void setRole(const QString &username, Role role,
                         std::function<void(ControlOutcome)> done) = 0;
    virtual void listBans(std::function<void(Result<QList<control::BanInfo>>)> done) = 0;
    // Audit rows matching `query`, newest first.
    virtual void listAudit(const control::ListAudit &query,
                           std::function<void(Result<QList<control::AuditRow>>)> done) = 0;
    // Lifting a permanent ban needs Permission::BanPermanent (checked here,
    // where the ban is known).
    virtual void unban(const ControlIdentity &by, const QString &banId,
                       std::function<void(ControlOutcome)> done) = 0;
    // The account a connected chat client is logged in as, if any (guests:
    // nullopt). Answered from memory, on the caller's thread.
    virtual std::optional<QString> accountOf(std::uint64_t client) const { return std::nullopt; }
    // What banning this client's account or address would cover.
    virtual ControlBanScopes banScopes(std::uint64_t client) const {
        return ControlBanScopes{accountOf(client), 1, 1};
    }
    // Fire and forget; failures are logged by the backend.
    virtual void writeAudit(const AuditEntry &entry) = 0;
};

} // namespace whisper
