// SPDX-License-Identifier: MIT
#include "securitystack.h"

#include "serverconfig.h"

#include <QDateTime>

namespace whisper {

namespace {
qint64 wallClock() {
    return QDateTime::currentMSecsSinceEpoch();
}
constexpr int kPruneIntervalMs = 60000;
} // namespace

QString SecurityStack::dataDirectory(const ServerConfig &config) {
    return config.dataDirectory();
}

StorageLocation SecurityStack::storageLocation(const ServerConfig &config) {
    StorageLocation l;
    l.url = config.dbUrl;
    l.dataDir = dataDirectory(config);
    return l;
}

AccountSettings SecurityStack::accountSettings(const ServerConfig &c) {
    AccountSettings s;
    s.hash = HashParams{c.argon2OpsLimit, c.argon2MemKiB};
    s.hashThreads = c.hashThreads;
    s.maxPendingHashes = c.maxPendingHashes;
    s.sessionLifetimeMs = qint64(c.sessionLifetimeSec) * 1000;
    s.sessionIdleMs = qint64(c.sessionIdleSec) * 1000;
    s.requireStaff2fa = c.requireStaff2fa != 0;
    s.loginPerUser =
        LeakRate{c.rateLoginUserBurst, c.rateLoginUserLeakMs, qint64(c.loginLockoutSec) * 1000};
    s.loginPerAccount = LeakRate{c.rateLoginAccountBurst, c.rateLoginAccountLeakMs, 0};
    s.loginPerIp = LeakRate{c.rateLoginIpBurst, c.rateLoginIpLeakMs, 0};
    s.totpPerAccount = LeakRate{c.rateTotpBurst, c.rateTotpLeakMs, qint64(c.totpLockoutSec) * 1000};
    s.totpPerIp = LeakRate{c.rateTotpIpBurst, c.rateTotpIpLeakMs, qint64(c.totpLockoutSec) * 1000};
    s.registerPerIp = LeakRate{c.rateRegisterBurst, c.rateRegisterLeakMs, 0};
    s.totpIssuer = c.serverName;
    return s;
}

RateLimitSettings SecurityStack::rateLimitSettings(const ServerConfig &c) {
    RateLimitSettings r;
    r.connectPerIp = LeakRate{c.rateConnectBurst, c.rateConnectLeakMs, 0};
    r.messagesPerConnection = LeakRate{c.rateMessageBurst, c.rateMessageLeakMs, 0};
    r.joinsPerConnection = LeakRate{c.rateJoinBurst, c.rateJoinLeakMs, 0};
    r.joinsPerIp = LeakRate{c.rateJoinIpBurst, c.rateJoinIpLeakMs, 0};
    r.joinsPerAccount = LeakRate{c.rateJoinAccountBurst, c.rateJoinAccountLeakMs, 0};
    r.accountRequestsPerConnection =
        LeakRate{c.rateAccountRequestsBurst, c.rateAccountRequestsLeakMs, 0};
    r.reportsPerConnection = LeakRate{c.rateReportBurst, c.rateReportLeakMs, 0};
    r.malformedPerConnection = LeakRate{c.rateMalformedBurst, c.rateMalformedLeakMs, 0};
    r.abuseStrikes = c.rateAbuseStrikes;
    for (const QString &part : c.rateExempt.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString p = part.trimmed();
        const QHostAddress single(p);
        r.exempt << (single.isNull()
                         ? QHostAddress::parseSubnet(p)
                         : qMakePair(single, single.protocol() == QAbstractSocket::IPv6Protocol
                                                 ? 128
                                                 : 32));
    }
    return r;
}

std::unique_ptr<SecurityStack> SecurityStack::create(const ServerConfig &config, QString *error) {
    std::unique_ptr<SecurityStack> stack(new SecurityStack);
    try {
        stack->m_db = std::make_unique<Database>(storageLocation(config));
        stack->m_db->open();
        stack->m_accounts =
            std::make_unique<Accounts>(accountSettings(config), *stack->m_db, wallClock);
        stack->m_moderation = std::make_unique<Moderation>(*stack->m_db, wallClock);
        stack->m_moderation->load();
    } catch (const std::exception &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return nullptr;
    }
    stack->m_services.reset(
        new SecurityServices{*stack->m_accounts, *stack->m_moderation, rateLimitSettings(config),
                             config.requireLogin != 0, wallClock,
                             config.allowedOrigins.split(QLatin1Char(','), Qt::SkipEmptyParts)});
    stack->m_pruneTimer.setInterval(qMin(kPruneIntervalMs, config.banRefreshSec * 1000));
    SecurityStack *raw = stack.get();
    QObject::connect(&stack->m_pruneTimer, &QTimer::timeout, [raw] {
        raw->m_accounts->prune();
        raw->m_moderation->refresh();
        raw->m_services->connectPerIp.prune(wallClock());
        raw->m_services->joinsPerIp.prune(wallClock());
        raw->m_services->joinsPerAccount.prune(wallClock());
    });
    stack->m_pruneTimer.start();
    return stack;
}

SecurityStack::~SecurityStack() {
    m_pruneTimer.stop();
    // Sessions are gone by now (the server is destroyed first); wait for
    // queued hashing and SQL before their owners go.
    if (m_accounts)
        m_accounts->hasher().pool()->waitForDone();
    if (m_db)
        m_db->pool()->waitForDone();
}

} // namespace whisper
