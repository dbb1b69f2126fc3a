// SPDX-License-Identifier: MIT
#include "moderation.h"

#include "ipkey.h"

#include "accounthandler.h"
#include "session.h"

#include <QLoggingCategory>
#include <QSet>

namespace whisper {

Q_LOGGING_CATEGORY(lcModeration, "whisper.server.moderation")

Moderation::Moderation(Database &db, std::function<qint64()> clock, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(std::move(clock)) {}

void Moderation::load() {
    const qint64 now = m_clock();
    m_bans = m_db.run([now](Storage &s) { return s.listActiveBans(now); }).result();
    qCInfo(lcModeration) << m_bans.size() << "bans in force";
}

QHostAddress Moderation::canonical(const QHostAddress &address) {
    bool v4 = false;
    const quint32 v4addr = address.toIPv4Address(&v4);
    return v4 ? QHostAddress(v4addr) : address;
}

void Moderation::refresh() {
    const qint64 now = m_clock();
    m_db.run([now](Storage &s) { return s.listActiveBans(now); })
        .then(this,
              [this](const QList<BanRecord> &bans) {
                  QSet<qint64> known;
                  for (const BanRecord &b : std::as_const(m_bans))
                      known.insert(b.id);
                  m_bans = bans;
                  for (const BanRecord &b : bans)
                      if (!known.contains(b.id))
                          enforce(b);
              })
        .onFailed([](const std::exception &e) {
            qCWarning(lcModeration) << "refreshing bans failed:" << e.what();
        });
}

bool Moderation::isActive(const BanRecord &ban, qint64 nowMs) const {
    return !ban.expiresMs || *ban.expiresMs > nowMs;
}

std::optional<BanRecord> Moderation::activeBan(std::optional<qint64> accountId,
                                               const QHostAddress &ip) const {
    const qint64 now = m_clock();
    const QString address = ipKey(ip);
    for (const BanRecord &b : m_bans) {
        if (!isActive(b, now))
            continue;
        if ((accountId && b.accountId == accountId) || (!b.ip.isEmpty() && b.ip == address))
            return b;
    }
    return std::nullopt;
}

QList<BanRecord> Moderation::activeBans() const {
    QList<BanRecord> out;
    const qint64 now = m_clock();
    for (const BanRecord &b : m_bans)
        if (isActive(b, now))
            out << b;
    return out;
}

QFuture<qint64> Moderation::addBan(BanRecord ban) {
    ban.createdMs = m_clock();
    return m_db.run([ban](Storage &s) { return s.addBan(ban); }).then(this, [this, ban](qint64 id) {
        BanRecord stored = ban;
        stored.id = id;
        m_bans << stored;
        qCInfo(lcModeration) << "ban" << id << "added"
                             << (stored.expiresMs ? "temporary" : "permanent");
        enforce(stored);
        Q_EMIT bansChanged();
        return id;
    });
}

QFuture<qint64> Moderation::banAccount(qint64 accountId, const QString &reason,
                                       std::optional<qint64> durationMs,
                                       std::optional<qint64> actor) {
    BanRecord b;
    b.accountId = accountId;
    b.reason = reason;
    if (durationMs)
        b.expiresMs = m_clock() + *durationMs;
    b.createdBy = actor;
    return addBan(b);
}

QFuture<qint64> Moderation::banIp(const QHostAddress &ip, const QString &reason,
                                  std::optional<qint64> durationMs, std::optional<qint64> actor) {
    BanRecord b;
    // An IPv6 host can take any address of its /64, so the ban covers the
    // /64 (ipKey); an IPv4 ban covers the one address.
    b.ip = ipKey(ip);
    b.reason = reason;
    if (durationMs)
        b.expiresMs = m_clock() + *durationMs;
    b.createdBy = actor;
    return addBan(b);
}

QFuture<bool> Moderation::liftBan(qint64 banId) {
    const qint64 now = m_clock();
    m_bans.removeIf([banId](const BanRecord &b) { return b.id == banId; });
    return m_db.run([banId, now](Storage &s) { return s.liftBan(banId, now); })
        .then(this, [this](bool lifted) {
            Q_EMIT bansChanged();
            return lifted;
        });
}

void Moderation::enforce(const BanRecord &ban) {
    const QList<AccountHandler *> handlers = m_handlers.values();
    for (AccountHandler *h : handlers) {
        const bool hit =
            (ban.accountId && h->identity() && h->identity()->accountId == *ban.accountId) ||
            (!ban.ip.isEmpty() && ipKey(h->ip()) == ban.ip);
        if (hit)
            kick(h->session().id(), QStringLiteral("banned"));
    }
}

bool Moderation::kick(ClientId client, const QString &reason) {
    AccountHandler *h = m_handlers.value(client);
    if (!h)
        return false;
    Session &s = h->session();
    s.leavePair(protocol::LeftReason::Kicked);
    s.close(QWebSocketProtocol::CloseCodePolicyViolated, reason.left(100));
    return true;
}

QFuture<QList<ReportRecord>> Moderation::listReports(bool openOnly) {
    return m_db.run([openOnly](Storage &s) { return s.listReports(openOnly); });
}

QFuture<bool> Moderation::resolveReport(qint64 reportId, qint64 resolverAccountId,
                                        const QString &resolution) {
    const qint64 now = m_clock();
    return m_db.run(
        [=](Storage &s) { return s.resolveReport(reportId, resolverAccountId, resolution, now); });
}

QFuture<std::optional<AccountRecord>> Moderation::lookupAccount(const QString &username) {
    return m_db.run([username](Storage &s) {
        auto a = s.accountByName(username);
        if (a)
            a->passwordHash.clear(); // nobody outside the account service needs it
        return a;
    });
}

int Moderation::connectionsOfAccount(qint64 accountId) const {
    int n = 0;
    // Current connections: a session away awaiting its resume has none (a ban
    // still ends it, see banAccount()).
    for (const AccountHandler *h : m_handlers)
        if (h->identity() && h->identity()->accountId == accountId && !h->session().isAway())
            ++n;
    return n;
}

int Moderation::connectionsFrom(const QHostAddress &ip) const {
    const QString address = ipKey(ip);
    int n = 0;
    for (const AccountHandler *h : m_handlers)
        if (ipKey(h->ip()) == address && !h->session().isAway())
            ++n;
    return n;
}

void Moderation::attach(AccountHandler *handler) {
    m_handlers.insert(handler->session().id(), handler);
}

void Moderation::detach(AccountHandler *handler) {
    m_handlers.remove(handler->session().id());
}

QFuture<void> Moderation::recordBlock(qint64 blockerAccountId, quint64 blockedKey) {
    const qint64 now = m_clock();
    return m_db.run([=](Storage &s) {
        try {
            s.addBlock(blockerAccountId, blockedKey, now);
        } catch (const std::exception &e) {
            qCWarning(lcModeration) << "storing a block failed:" << e.what();
        }
    });
}

QFuture<QList<quint64>> Moderation::blocksOf(qint64 accountId) {
    return m_db.run([accountId](Storage &s) {
        try {
            return s.blocksOf(accountId);
        } catch (const std::exception &e) {
            qCWarning(lcModeration) << "loading blocks failed:" << e.what();
            return QList<quint64>();
        }
    });
}

QFuture<qint64> Moderation::recordReport(const ReportRecord &report) {
    return m_db.run([report](Storage &s) { return s.addReport(report); })
        .then(this, [this, pairId = report.pairId](qint64 id) {
            Q_EMIT reportRecorded(id, pairId);
            return id;
        });
}

} // namespace whisper
