// SPDX-License-Identifier: MIT
#pragma once

#include "leakybucket.h"
#include "ratelimits.h"

#include <QList>
#include <QMultiHash>
#include <QStringList>

#include <functional>

namespace whisper {

class AccountHandler;
class Accounts;
class Moderation;
class ServerMetrics;

// The chat connections logged in to each account, so a revocation reaches
// exactly them instead of visiting every connection. Main thread only.
class LiveLogins {
public:
    void add(qint64 accountId, AccountHandler *handler) { m_byAccount.insert(accountId, handler); }
    void remove(qint64 accountId, AccountHandler *handler) {
        m_byAccount.remove(accountId, handler);
    }
    QList<AccountHandler *> of(qint64 accountId) const { return m_byAccount.values(accountId); }
    QList<AccountHandler *> all() const { return m_byAccount.values(); }
    int size() const { return int(m_byAccount.size()); }

private:
    QMultiHash<qint64, AccountHandler *> m_byAccount;
};

// What the chat sessions share for accounts and security; owned by whoever
// owns the ChatServer (main.cpp), null when accounts are off.
struct SecurityServices {
    Accounts &accounts;
    Moderation &moderation;
    RateLimitSettings rates;
    bool requireLogin = false;
    std::function<qint64()> clock;
    QStringList allowedOrigins; // browser Origins allowed (empty: any)
    KeyedLeakyBuckets connectPerIp{rates.connectPerIp};
    KeyedLeakyBuckets joinsPerIp{rates.joinsPerIp};           // keyed by ipKey()
    KeyedLeakyBuckets joinsPerAccount{rates.joinsPerAccount}; // keyed by account id
    // Filled by the handlers; SecurityStack routes Accounts::accountRevoked
    // and roleChanged to the handlers listed here.
    LiveLogins live{};
    ServerMetrics *metrics = nullptr; // logins, rate limits; null: not counted
};

} // namespace whisper
