// SPDX-License-Identifier: MIT
#pragma once

#include "database.h"
#include "matchtypes.h"
#include "permissions.h"

#include <QFuture>
#include <QHash>
#include <QHostAddress>
#include <QObject>

#include <functional>
#include <optional>

namespace whisper {

class AccountHandler;

// Bans (by account or IP, with reason and expiry), kicks, blocks and reports.
// Keeps the bans in force in memory (loaded at start, updated on every
// change) so connect/login/join checks never wait for SQL; writes go to the
// Database thread. Lives on the server's thread.
//
// How to use (admin console): check roleHas(actorRole, ...) first for the
// operation's Permission, then call; every write returns a QFuture with the
// stored row id (or success) for the audit log.
class Moderation : public QObject {
    Q_OBJECT
public:
    Moderation(Database &db, std::function<qint64()> clock, QObject *parent = nullptr);

    // The form addresses are compared and stored in: IPv4-mapped IPv6
    // (::ffff:a.b.c.d, as dual-stack sockets report IPv4 peers) becomes IPv4.
    static QHostAddress canonical(const QHostAddress &address);

    // Loads the active bans (start-up; blocks). Throws StorageError.
    void load();
    // Re-reads the bans in the background (bans made by other nodes sharing
    // the database, or lifted there) and disconnects newly banned clients.
    void refresh();

    // The ban in force for this account or address, if any (memory only).
    std::optional<BanRecord> activeBan(std::optional<qint64> accountId,
                                       const QHostAddress &ip) const;

    // Bans and disconnects every matching client (close 1008). `durationMs`
    // nullopt: permanent (Permission::BanPermanent); otherwise temporary
    // (Permission::BanTemporary). `actor`: the staff account, if any.
    QFuture<qint64> banAccount(qint64 accountId, const QString &reason,
                               std::optional<qint64> durationMs, std::optional<qint64> actor);
    QFuture<qint64> banIp(const QHostAddress &ip, const QString &reason,
                          std::optional<qint64> durationMs, std::optional<qint64> actor);
    QFuture<bool> liftBan(qint64 banId);
    QList<BanRecord> activeBans() const;

    // Permission::KickClient. Ends the client's pair (partner gets
    // partner_left "kicked") and closes it with 1008. False: no such client.
    bool kick(ClientId client, const QString &reason);
    // Permission::ListReports / ResolveReports.
    QFuture<QList<ReportRecord>> listReports(bool openOnly);
    QFuture<bool> resolveReport(qint64 reportId, qint64 resolverAccountId,
                                const QString &resolution);
    // Permission::LookupAccount / ManageUsers (SetRole goes through Accounts::setRole,
    // which tells the live connections).
    QFuture<std::optional<AccountRecord>> lookupAccount(const QString &username);

    // ---- used by the chat sessions
    void attach(AccountHandler *handler);
    void detach(AccountHandler *handler);
    AccountHandler *handlerOf(ClientId client) const { return m_handlers.value(client); }
    // Current connections logged in as the account / coming from the address
    // (what a ban of either would disconnect).
    int connectionsOfAccount(qint64 accountId) const;
    int connectionsFrom(const QHostAddress &ip) const;
    QFuture<void> recordBlock(qint64 blockerAccountId, quint64 blockedKey);
    QFuture<QList<quint64>> blocksOf(qint64 accountId);
    QFuture<qint64> recordReport(const ReportRecord &report);

Q_SIGNALS:
    // A client's report is stored (the admin console streams it as an event).
    void reportRecorded(qint64 reportId, const QString &pairId);
    // A ban was stored or lifted here (a cluster tells the other nodes,
    // which then refresh()).
    void bansChanged();

private:
    QFuture<qint64> addBan(BanRecord ban);
    void enforce(const BanRecord &ban);
    bool isActive(const BanRecord &ban, qint64 nowMs) const;

    Database &m_db;
    std::function<qint64()> m_clock;
    QList<BanRecord> m_bans;
    QHash<ClientId, AccountHandler *> m_handlers;
};

} // namespace whisper
