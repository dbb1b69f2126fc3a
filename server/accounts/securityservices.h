#pragma once

#include "leakybucket.h"
#include "ratelimits.h"

#include <QStringList>

#include <functional>

namespace whisper {

class Accounts;
class Moderation;

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
};

} // namespace whisper
