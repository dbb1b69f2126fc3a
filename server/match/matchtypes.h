// SPDX-License-Identifier: MIT
#pragma once

// The small value types of matching, apart from the engine, so that code
// which only names a client, an exclusion or a policy does not pull in the
// engine and its huge-page allocator (largeblocks.h).

#include "geo.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace whisper {

using ClientId = std::uint64_t;

// "Never match with key K until untilMs". Keys identify a person rather than a
// connection (an account, or a per-connection fingerprint for guests), so a
// block survives reconnects of an account.
struct Exclusion {
    std::uint64_t key = 0;
    std::int64_t untilMs = std::numeric_limits<std::int64_t>::max();
};

struct MatchCandidate {
    ClientId id = 0;
    geo::GeoPoint pos;
    double rangeKm = 0.0;
    std::uint64_t identityKey = 0;
    std::vector<Exclusion> excludes;
};

// Who a served client gets among its eligible partners. Both policies break
// ties the same way (the partner that arrived first), so a tick is a pure
// function of the waiting room, the arrival order and the time.
enum class MatchPolicy {
    NearestEligible, // the nearest eligible partner (ties: waiting longest)
    LongestWaiting,  // the eligible partner that has waited longest
};

// The one eligibility rule, shared by the engine and every reference used in
// tests and benchmarks: different people, not excluded by either side at
// `nowMs`, and the great-circle distance within both ranges.
bool isEligible(const MatchCandidate &a, const MatchCandidate &b, std::int64_t nowMs,
                double *distanceKm = nullptr);

} // namespace whisper
