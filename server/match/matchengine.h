// SPDX-License-Identifier: MIT
#pragma once

// The pure matching core: data in, pairs out. No Qt objects, no sockets, no
// clocks (time comes in as an argument), so it can be unit-tested against the
// all-pairs reference algorithm and benchmarked on its own.

#include "largeblocks.h"
#include "matchtypes.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace whisper {

struct MatchResult {
    ClientId served = 0;  // the client whose turn it was
    ClientId partner = 0; // the partner it was given
    double distanceKm = 0.0;
    // Arrival order of both, so a client whose pair is dropped (its partner
    // left during the tick) can be put back without losing its place.
    std::uint64_t servedOrder = 0;
    std::uint64_t partnerOrder = 0;
};

// A tick's pairs. Its own allocator: a big tick's results are megabytes of
// fresh memory, and a small one's a huge page the engine keeps for the next
// tick once they are let go (see largeblocks.h).
using MatchResults = std::vector<MatchResult, CachedBlockAllocator<MatchResult>>;

// Keeps the waiting clients, and a spatial index over them, across ticks.
// Not thread-safe: the owner (Matchmaker) guarantees that one thread at a
// time touches it.
//
// A tick is the specified greedy algorithm restricted to the clients that still
// need a turn: each pending client, in arrival order, is given the best
// eligible client still waiting (pending or not) under the policy. Clients
// served without success are not served again until an exclusion of theirs
// expires: after a tick no two waiting clients are mutually eligible, so any
// new pair must contain a new arrival. Searches go through a k-d tree over
// 3-D unit vectors (see docs/MATCHING.md), so a tick costs
// about O(pending * log n) instead of O(pending * n).
class MatchEngine {
public:
    explicit MatchEngine(MatchPolicy policy = MatchPolicy::NearestEligible);
    ~MatchEngine();
    MatchEngine(const MatchEngine &) = delete;
    MatchEngine &operator=(const MatchEngine &) = delete;

    MatchPolicy policy() const;
    void setPolicy(MatchPolicy policy);

    // A client enters the waiting room. Arrival order is call order and is
    // also the waiting order. Returns false when the id is already waiting.
    bool add(const MatchCandidate &candidate);
    // Puts a client back with the arrival order it had (MatchResult's
    // servedOrder/partnerOrder), e.g. when its pair could not be made.
    bool restore(const MatchCandidate &candidate, std::uint64_t arrivalOrder);
    // The client left or was matched elsewhere; false when it was not waiting.
    bool remove(ClientId id);
    bool contains(ClientId id) const;
    std::size_t size() const;
    // Clients that arrived since the last tick (or whose exclusion expired) and
    // have not been served yet.
    std::size_t pendingCount() const;

    // Serves each pending client in arrival order: it is paired with the best
    // eligible waiting client under the policy, and both leave the engine.
    // Clients that find nobody stay waiting and are only considered again as
    // partners of later arrivals.
    MatchResults tick(std::int64_t nowMs);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace whisper
