#pragma once

#include "leakybucket.h"

#include <QHostAddress>
#include <QList>
#include <QPair>

namespace whisper {

// The chat-side rates (accounts.h holds the login/registration ones). Each is
// a leaky bucket: `capacity` requests at once, one more per `leakIntervalMs`.
struct RateLimitSettings {
    LeakRate connectPerIp{20, 1000, 0};         // new connections per IP address
    LeakRate messagesPerConnection{20, 250, 0}; // message + typing frames
    LeakRate joinsPerConnection{5, 3000, 0};    // joins (relocation probing)
    // A connection refused this many times in a row is closed with 1008.
    int abuseStrikes = 20;
    QList<QPair<QHostAddress, int>> exempt; // subnets without chat rate limits

    bool isExempt(const QHostAddress &address) const {
        for (const auto &subnet : exempt)
            if (address.isInSubnet(subnet))
                return true;
        return false;
    }
};

} // namespace whisper
