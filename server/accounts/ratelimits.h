// SPDX-License-Identifier: MIT
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
    // The same joins counted per address and per account, so probing from
    // many fresh connections is limited too.
    LeakRate joinsPerIp{40, 1500, 0};
    LeakRate joinsPerAccount{10, 2000, 0};
    // Every other request type has a bucket too (accounts.h holds the
    // per-name/per-address login and TOTP limits on top of these):
    // register, login, resume, logout, change_password and the totp_* ones;
    LeakRate accountRequestsPerConnection{10, 1000, 0};
    // report and block (each also stored at most once per partner);
    LeakRate reportsPerConnection{5, 10000, 0};
    // frames that fail to decode (bad JSON, unknown type, binary frames).
    LeakRate malformedPerConnection{10, 1000, 0};
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
