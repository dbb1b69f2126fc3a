// SPDX-License-Identifier: MIT
#pragma once

// The specified matching algorithm, kept deliberately naive: every served client
// is compared with every other waiting client. It is the oracle the engine's
// tests and tests/../bench/matchbench compare against, so it must stay
// obviously right rather than fast.
//
// It states the protocol's matching rule itself (referenceEligible below)
// instead of calling the engine's isEligible(): an oracle that shares the
// rule with the code under test cannot catch a mistake in it.

#include "geo.h"
#include "matchengine.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace whisper::test {

// protocol-v1, "Matching": two different people, neither excluding the other
// at `nowMs` (an exclusion holds while nowMs < untilMs), are pairable iff
// their great-circle distance is at most BOTH ranges. Equal counts as in
// reach. The distance is the shared geo::haversineKm (tested on its own
// against known distances in tst_geo); everything else is written out here.
inline bool referenceEligible(const MatchCandidate &a, const MatchCandidate &b, std::int64_t nowMs,
                              double *distanceKm = nullptr) {
    if (a.id == b.id || a.identityKey == b.identityKey)
        return false;
    const auto excluded = [nowMs](const MatchCandidate &by, const MatchCandidate &whom) {
        for (const Exclusion &x : by.excludes)
            if (x.key == whom.identityKey && nowMs < x.untilMs)
                return true;
        return false;
    };
    if (excluded(a, b) || excluded(b, a))
        return false;
    const double km = geo::haversineKm(a.pos, b.pos);
    const bool inReachOfA = km <= a.rangeKm;
    const bool inReachOfB = km <= b.rangeKm;
    if (!inReachOfA || !inReachOfB)
        return false;
    if (distanceKm)
        *distanceKm = km;
    return true;
}

class AllPairsMatcher {
public:
    explicit AllPairsMatcher(MatchPolicy policy = MatchPolicy::NearestEligible)
        : m_policy(policy) {}

    bool add(const MatchCandidate &candidate) {
        if (contains(candidate.id))
            return false;
        m_waiting.push_back({candidate, m_nextSeq++, true});
        return true;
    }

    bool remove(ClientId id) {
        const auto it = std::find_if(m_waiting.begin(), m_waiting.end(),
                                     [id](const Entry &e) { return e.candidate.id == id; });
        if (it == m_waiting.end())
            return false;
        m_waiting.erase(it);
        return true;
    }

    bool contains(ClientId id) const {
        return std::any_of(m_waiting.begin(), m_waiting.end(),
                           [id](const Entry &e) { return e.candidate.id == id; });
    }

    std::size_t size() const { return m_waiting.size(); }

    std::vector<MatchCandidate> waiting() const {
        std::vector<MatchCandidate> out;
        for (const Entry &e : m_waiting)
            out.push_back(e.candidate);
        return out;
    }

    // One tick. Clients whose finite exclusion ran out are served again.
    // serveEveryone: the "full tick" - after the pending clients, every other
    // waiting client is served too (in arrival order).
    MatchResults tick(std::int64_t nowMs, bool serveEveryone = false) {
        for (Entry &e : m_waiting)
            for (const Exclusion &x : e.candidate.excludes)
                if (x.untilMs != std::numeric_limits<std::int64_t>::max() && x.untilMs <= nowMs &&
                    x.untilMs > e.lastRequeueMs) {
                    e.pending = true;
                }
        for (Entry &e : m_waiting)
            e.lastRequeueMs = nowMs;

        std::vector<Entry *> order;
        for (Entry &e : m_waiting)
            if (e.pending)
                order.push_back(&e);
        if (serveEveryone)
            for (Entry &e : m_waiting)
                if (!e.pending)
                    order.push_back(&e);

        MatchResults results;
        for (Entry &e : m_waiting)
            e.taken = false;
        for (Entry *served : order) {
            if (served->taken)
                continue;
            served->pending = false;
            Entry *best = nullptr;
            double bestKm = 0.0;
            for (Entry &other : m_waiting) {
                if (&other == served || other.taken)
                    continue;
                double km = 0.0;
                if (!referenceEligible(served->candidate, other.candidate, nowMs, &km))
                    continue;
                const bool better =
                    !best || (m_policy == MatchPolicy::NearestEligible
                                  ? (km < bestKm || (km == bestKm && other.seq < best->seq))
                                  : other.seq < best->seq);
                if (better) {
                    best = &other;
                    bestKm = km;
                }
            }
            if (best) {
                served->taken = true;
                best->taken = true;
                results.push_back(
                    {served->candidate.id, best->candidate.id, bestKm, served->seq, best->seq});
            }
        }
        std::erase_if(m_waiting, [](const Entry &e) { return e.taken; });
        return results;
    }

private:
    struct Entry {
        MatchCandidate candidate;
        std::uint64_t seq = 0;
        bool pending = true;
        bool taken = false;
        std::int64_t lastRequeueMs = std::numeric_limits<std::int64_t>::min();
    };

    MatchPolicy m_policy;
    std::uint64_t m_nextSeq = 0;
    std::vector<Entry> m_waiting; // arrival order
};

} // namespace whisper::test
