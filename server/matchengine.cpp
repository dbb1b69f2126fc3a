#include "matchengine.h"

#include <algorithm>
#include <unordered_map>

namespace whisper {

namespace {

bool excludes(const MatchCandidate &who, std::uint64_t key, std::int64_t nowMs) {
    return std::any_of(who.excludes.begin(), who.excludes.end(),
                       [&](const Exclusion &e) { return e.key == key && e.untilMs > nowMs; });
}

} // namespace

bool isEligible(const MatchCandidate &a, const MatchCandidate &b, std::int64_t nowMs,
                double *distanceKm) {
    if (a.id == b.id || a.identityKey == b.identityKey)
        return false;
    if (excludes(a, b.identityKey, nowMs) || excludes(b, a.identityKey, nowMs))
        return false;
    const double d = geo::haversineKm(a.pos, b.pos);
    if (d > a.rangeKm || d > b.rangeKm)
        return false;
    if (distanceKm)
        *distanceKm = d;
    return true;
}

struct MatchEngine::Impl {
    struct Entry {
        MatchCandidate candidate;
        std::uint64_t seq = 0; // arrival order
        bool pending = true;
    };

    MatchPolicy policy;
    std::uint64_t nextSeq = 0;
    std::unordered_map<ClientId, Entry> entries;
    // Finite exclusions: when one runs out, two leftovers may have become
    // eligible, so the excluding client is served once more.
    std::vector<std::pair<std::int64_t, ClientId>> expiries;

    void requeueExpired(std::int64_t nowMs) {
        auto it = std::partition(expiries.begin(), expiries.end(),
                                 [nowMs](const auto &e) { return e.first > nowMs; });
        for (auto e = it; e != expiries.end(); ++e) {
            auto found = entries.find(e->second);
            if (found != entries.end())
                found->second.pending = true;
        }
        expiries.erase(it, expiries.end());
    }
};

MatchEngine::MatchEngine(MatchPolicy policy)
    : d(std::make_unique<Impl>()) {
    d->policy = policy;
}

MatchEngine::~MatchEngine() = default;

MatchPolicy MatchEngine::policy() const {
    return d->policy;
}

void MatchEngine::setPolicy(MatchPolicy policy) {
    d->policy = policy;
}

bool MatchEngine::add(MatchCandidate candidate) {
    const ClientId id = candidate.id;
    if (d->entries.contains(id))
        return false;
    for (const Exclusion &e : candidate.excludes)
        if (e.untilMs != std::numeric_limits<std::int64_t>::max())
            d->expiries.emplace_back(e.untilMs, id);
    d->entries.emplace(id, Impl::Entry{std::move(candidate), d->nextSeq++, true});
    return true;
}

bool MatchEngine::remove(ClientId id) {
    return d->entries.erase(id) > 0;
}

bool MatchEngine::contains(ClientId id) const {
    return d->entries.contains(id);
}

std::size_t MatchEngine::size() const {
    return d->entries.size();
}

std::size_t MatchEngine::pendingCount() const {
    return std::count_if(d->entries.begin(), d->entries.end(),
                         [](const auto &kv) { return kv.second.pending; });
}

std::vector<MatchResult> MatchEngine::tick(std::int64_t nowMs) {
    d->requeueExpired(nowMs);

    std::vector<Impl::Entry *> order;
    order.reserve(d->entries.size());
    for (auto &kv : d->entries)
        order.push_back(&kv.second);
    std::sort(order.begin(), order.end(),
              [](const Impl::Entry *a, const Impl::Entry *b) { return a->seq < b->seq; });

    std::vector<MatchResult> results;
    std::unordered_map<ClientId, bool> taken;
    for (Impl::Entry *served : order) {
        if (!served->pending || taken.contains(served->candidate.id))
            continue;
        served->pending = false;
        Impl::Entry *best = nullptr;
        double bestDistance = 0.0;
        for (Impl::Entry *other : order) {
            if (other == served || taken.contains(other->candidate.id))
                continue;
            double distance = 0.0;
            if (!isEligible(served->candidate, other->candidate, nowMs, &distance))
                continue;
            const bool better =
                !best || (d->policy == MatchPolicy::NearestEligible
                              ? (distance < bestDistance ||
                                 (distance == bestDistance && other->seq < best->seq))
                              : other->seq < best->seq);
            if (better) {
                best = other;
                bestDistance = distance;
            }
        }
        if (best) {
            taken.emplace(served->candidate.id, true);
            taken.emplace(best->candidate.id, true);
            results.push_back({served->candidate.id, best->candidate.id, bestDistance});
        }
    }
    for (const MatchResult &r : results) {
        d->entries.erase(r.served);
        d->entries.erase(r.partner);
    }
    return results;
}

} // namespace whisper
