#include "matchengine.h"

#include <nanoflann.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <new>
#include <numbers>
#include <queue>
#include <tuple>
#include <unordered_map>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace whisper {

namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;

// Unit vectors are stored as floats (half the memory, faster distance
// evaluation); their chords are then off by up to ~3e-7 (2 m). Searching with
// a chord this much longer than needed never misses a point, and the exact
// haversine test on the double coordinates decides.
constexpr float kChordPad = 2e-6f;

// The index is split by range class so that a client with a whole-Earth range
// does not walk through every short-range client on Earth: in a class whose
// ranges are at most R it only searches within R. Upper bounds in km; the last
// class holds everything above the last bound.
// Few classes keep the number of trees per search small; a factor of about 30
// between a class's smallest and largest useful range bounds the wasted work.
constexpr std::array<double, 2> kClassUpperKm = {30.0, 1000.0};
constexpr std::size_t kClasses = kClassUpperKm.size() + 1;

constexpr std::size_t kLeafSize = 12;
// Below this many dead slots nothing is compacted: rebuilding is not worth it.
constexpr std::size_t kCompactionSlack = 4096;
// Dead points a range class may carry beyond its live ones before a rebuild.
constexpr std::size_t kPruneSlack = 256;

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// Allocator for the entry array: blocks of 2 MiB and more are aligned to
// 2 MiB and offered to the kernel as huge pages (Debian's default is THP
// "madvise"). A million waiting clients take about 110 MB of entries; with
// 4 KiB pages, filling them costs a page fault per page, which measured at
// half of add()'s time at 1M. Not used for the index levels: they are
// rebuilt often, and a fresh huge-page block can stall on compaction
// (measured slower). Harmless where huge pages are off.
template <class T>
struct HugePageAllocator {
    using value_type = T;
    static constexpr std::size_t kHuge = std::size_t(2) << 20;

    HugePageAllocator() = default;
    template <class U>
    HugePageAllocator(const HugePageAllocator<U> &) {}

    T *allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        if (bytes < kHuge)
            return static_cast<T *>(::operator new(bytes));
        const std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
        void *p = std::aligned_alloc(kHuge, rounded);
        if (!p)
            throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
        ::madvise(p, rounded, MADV_HUGEPAGE);
#endif
        return static_cast<T *>(p);
    }
    void deallocate(T *p, std::size_t n) {
        if (n * sizeof(T) < kHuge)
            ::operator delete(p);
        else
            std::free(p);
    }
    template <class U>
    bool operator==(const HugePageAllocator<U> &) const {
        return true;
    }
};

template <class T>
using BigVector = std::vector<T, HugePageAllocator<T>>;

std::size_t rangeClass(double rangeKm) {
    const auto it = std::upper_bound(kClassUpperKm.begin(), kClassUpperKm.end(), rangeKm);
    return std::size_t(it - kClassUpperKm.begin());
}

// Chord length (on the unit sphere) of a great-circle distance: monotonic in
// it, which is what makes a Euclidean k-d tree exact for this search.
double chordForKm(double km) {
    const double theta = std::min(km / geo::kEarthRadiusKm, std::numbers::pi);
    return 2.0 * std::sin(theta / 2.0);
}

float squaredSearchRadius(double km) {
    const float chord = float(chordForKm(km)) + kChordPad;
    return chord * chord;
}

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
    struct Level;

    struct Entry {
        MatchCandidate candidate;
        std::uint64_t seq = 0; // arrival order
        std::array<float, 3> unit{};
        std::uint8_t rangeClass = 0;
        bool alive = true;
        // Where the entry sits in its range class's index, while indexed.
        Level *level = nullptr;
        std::uint32_t levelIndex = 0;
        bool pending = true;
        bool indexed = false;
    };

    // One static k-d tree over a batch of entries (nanoflann's dataset
    // interface). Dead entries stay in the tree until the level is rebuilt;
    // searches skip them.
    struct Level {
        using Metric = nanoflann::L2_Simple_Adaptor<float, Level, float, std::uint32_t>;
        using Tree = nanoflann::KDTreeSingleIndexAdaptor<Metric, Level, 3, std::uint32_t>;

        // Everything a visited candidate needs before the exact test, in one
        // 32-byte record: a search is bound by cache misses, so a candidate
        // should cost one line, not one per array.
        struct Point {
            std::array<float, 3> unit{};
            // Squared chord of the entry's range (padded): most out-of-range
            // candidates are turned away here, before any trigonometry.
            float reach2 = 0.0f;
            std::uint32_t slot = 0;
            std::uint32_t alive = 1;
            std::uint64_t seq = 0;
        };
        // Stored in the tree's leaf order, so a leaf is one contiguous run.
        std::vector<Point> points;
        std::unique_ptr<Tree> tree;

        std::size_t kdtree_get_point_count() const { return points.size(); }
        float kdtree_get_pt(std::uint32_t i, std::size_t dim) const { return points[i].unit[dim]; }
        template <class Box>
        bool kdtree_get_bbox(Box &) const {
            return false;
        }
    };

    // The logarithmic method over static trees: each batch of arrivals becomes
    // a level; a level at least half the size of the one before is merged into
    // it (dropping dead entries), so there are O(log n) levels and every entry
    // is rebuilt O(log n) times.
    struct RangeClassIndex {
        std::vector<std::unique_ptr<Level>> levels;
        std::size_t points = 0; // in the levels, dead ones included
        std::size_t live = 0;
        double maxRangeKm = 0.0;
    };

    MatchPolicy policy = MatchPolicy::NearestEligible;
    std::uint64_t nextSeq = 0;
    BigVector<Entry> entries; // by slot; slots are only reused by compaction
    std::unordered_map<ClientId, std::uint32_t> slotOf;
    std::size_t pending = 0;
    std::vector<std::uint32_t> pendingSlots; // in arrival order unless restored
    std::vector<std::uint32_t> unindexed;
    std::array<RangeClassIndex, kClasses> classes;
    // Finite exclusions: when one runs out, two leftovers may have become
    // eligible, so the excluding client is served once more.
    // (until, id, arrival order): the order tells a later life of the same id
    // apart, which must not be woken by an exclusion it never had.
    using Expiry = std::tuple<std::int64_t, ClientId, std::uint64_t>;
    std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> expiries;

    bool addEntry(MatchCandidate candidate, std::uint64_t seq) {
        if (slotOf.contains(candidate.id))
            return false;
        Entry e;
        const double lat = candidate.pos.latDeg * kDegToRad;
        const double lon = candidate.pos.lonDeg * kDegToRad;
        e.unit = {float(std::cos(lat) * std::cos(lon)), float(std::cos(lat) * std::sin(lon)),
                  float(std::sin(lat))};
        e.rangeClass = std::uint8_t(rangeClass(candidate.rangeKm));
        e.seq = seq;
        for (const Exclusion &x : candidate.excludes)
            if (x.untilMs != std::numeric_limits<std::int64_t>::max())
                expiries.emplace(x.untilMs, candidate.id, seq);
        e.candidate = std::move(candidate);
        const auto slot = std::uint32_t(entries.size());
        slotOf.emplace(e.candidate.id, slot);
        entries.push_back(std::move(e));
        pendingSlots.push_back(slot);
        unindexed.push_back(slot);
        ++pending;
        nextSeq = std::max(nextSeq, seq + 1);
        return true;
    }

    void removeSlot(std::uint32_t slot) {
        Entry &e = entries[slot];
        e.alive = false;
        if (e.pending) {
            e.pending = false;
            --pending;
        }
        if (e.indexed) {
            --classes[e.rangeClass].live;
            e.level->points[e.levelIndex].alive = 0;
        }
        slotOf.erase(e.candidate.id);
        e.candidate.excludes = {};
    }

    void requeueExpired(std::int64_t nowMs) {
        while (!expiries.empty() && std::get<0>(expiries.top()) <= nowMs) {
            const auto [untilMs, id, seq] = expiries.top();
            expiries.pop();
            const auto it = slotOf.find(id);
            if (it == slotOf.end())
                continue;
            Entry &e = entries[it->second];
            if (e.seq == seq && !e.pending) {
                e.pending = true;
                ++pending;
                pendingSlots.push_back(it->second);
            }
        }
    }

    void buildLevel(RangeClassIndex &index, std::vector<std::uint32_t> slots) {
        auto level = std::make_unique<Level>();
        level->points.resize(slots.size());
        for (std::size_t i = 0; i < slots.size(); ++i) {
            const Entry &e = entries[slots[i]];
            level->points[i].unit = e.unit;
            index.maxRangeKm = std::max(index.maxRangeKm, e.candidate.rangeKm);
        }
        index.points += slots.size();
        level->tree = std::make_unique<Level::Tree>(
            3, *level, nanoflann::KDTreeSingleIndexAdaptorParams(kLeafSize));
        // Put the data in the tree's order and make its permutation the
        // identity: leaf scans then read memory sequentially.
        auto &order = level->tree->vAcc;
        std::vector<Level::Point> points(order.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            const std::uint32_t slot = slots[order[i]];
            Entry &e = entries[slot];
            points[i] = {e.unit, squaredSearchRadius(e.candidate.rangeKm), slot, 1, e.seq};
            e.level = level.get();
            e.levelIndex = std::uint32_t(i);
            order[i] = std::uint32_t(i);
        }
        level->points = std::move(points);
        index.levels.push_back(std::move(level));
    }

    // Replaces levels [from, end) by one level holding their live entries.
    void mergeLevels(RangeClassIndex &index, std::size_t from) {
        std::vector<std::uint32_t> live;
        for (std::size_t i = from; i < index.levels.size(); ++i) {
            const Level &level = *index.levels[i];
            index.points -= level.points.size();
            for (const Level::Point &p : level.points)
                if (p.alive)
                    live.push_back(p.slot);
        }
        index.levels.resize(from);
        if (!live.empty())
            buildLevel(index, std::move(live));
    }

    void indexArrivals() {
        std::array<std::vector<std::uint32_t>, kClasses> batches;
        for (const std::uint32_t slot : unindexed) {
            Entry &e = entries[slot];
            if (!e.alive || e.indexed)
                continue;
            e.indexed = true;
            batches[e.rangeClass].push_back(slot);
        }
        unindexed.clear();
        for (std::size_t c = 0; c < kClasses; ++c) {
            RangeClassIndex &index = classes[c];
            if (!batches[c].empty()) {
                index.live += batches[c].size();
                buildLevel(index, std::move(batches[c]));
            }
            auto &levels = index.levels;
            while (levels.size() >= 2 &&
                   levels.back()->points.size() * 2 >= levels[levels.size() - 2]->points.size())
                mergeLevels(index, levels.size() - 2);
            pruneIfMostlyDead(index);
        }
    }

    // Mostly dead: searches would mostly visit corpses. The rebuild also lets
    // the class's largest range shrink back.
    void pruneIfMostlyDead(RangeClassIndex &index) {
        if (index.points <= 2 * index.live + kPruneSlack)
            return;
        index.maxRangeKm = 0.0;
        mergeLevels(index, 0);
    }

    // Drops dead slots once they outnumber the living, so memory follows the
    // waiting room rather than its history. Only between searches.
    void compactIfSparse() {
        if (entries.size() <= 2 * slotOf.size() + kCompactionSlack)
            return;
        BigVector<Entry> kept;
        kept.reserve(slotOf.size() * 2);
        pendingSlots.clear();
        unindexed.clear();
        for (Entry &e : entries) {
            if (!e.alive)
                continue;
            const auto slot = std::uint32_t(kept.size());
            slotOf[e.candidate.id] = slot;
            e.indexed = false;
            if (e.pending)
                pendingSlots.push_back(slot);
            unindexed.push_back(slot);
            kept.push_back(std::move(e));
        }
        entries = std::move(kept);
        for (RangeClassIndex &index : classes)
            index = RangeClassIndex{};
        std::sort(pendingSlots.begin(), pendingSlots.end(),
                  [this](auto a, auto b) { return entries[a].seq < entries[b].seq; });
    }

    // nanoflann result set that keeps only the best eligible partner and, for
    // the nearest-first policy, shrinks the search radius to it (branch and
    // bound), so a search touches about as many points as a nearest-neighbour
    // query when the nearest neighbours are eligible.
    template <MatchPolicy Policy>
    struct PartnerSearch {
        using DistanceType = float;
        using IndexType = std::uint32_t;

        const Impl &impl;
        const Entry &served;
        const std::uint32_t servedSlot;
        const std::int64_t nowMs;
        const Level *level = nullptr;
        float worst = 0.0f;
        float bestWorst = std::numeric_limits<float>::max();
        std::uint32_t best = kNone;
        double bestKm = std::numeric_limits<double>::infinity();
        std::uint64_t bestSeq = std::numeric_limits<std::uint64_t>::max();

        float worstDist() const { return worst; }
        bool full() const { return true; }

        bool addPoint(float dist2, std::uint32_t index) {
            const Level::Point &p = level->points[index];
            if (dist2 >= worst || dist2 > p.reach2 || !p.alive || p.slot == servedSlot)
                return true;
            const std::uint32_t slot = p.slot;
            // Under longest-waiting only an earlier arrival can win: skip the
            // trigonometry for everyone else.
            if (Policy == MatchPolicy::LongestWaiting && p.seq >= bestSeq)
                return true;
            const Entry &other = impl.entries[slot];
            if (other.candidate.identityKey == served.candidate.identityKey)
                return true;
            const double km = geo::haversineKm(served.candidate.pos, other.candidate.pos);
            if (km > served.candidate.rangeKm || km > other.candidate.rangeKm)
                return true;
            if (excludes(served.candidate, other.candidate.identityKey, nowMs) ||
                excludes(other.candidate, served.candidate.identityKey, nowMs))
                return true;
            if (Policy == MatchPolicy::NearestEligible) {
                if (km > bestKm || (km == bestKm && other.seq > bestSeq))
                    return true;
                const float bound = std::sqrt(dist2) + kChordPad;
                bestWorst = bound * bound;
                worst = std::min(worst, bestWorst);
            }
            best = slot;
            bestKm = km;
            bestSeq = other.seq;
            return true;
        }

        void run() {
            const nanoflann::SearchParams params(0, 0.0f, false);
            for (const RangeClassIndex &index : impl.classes) {
                if (index.live == 0)
                    continue;
                worst = squaredSearchRadius(std::min(served.candidate.rangeKm, index.maxRangeKm));
                if (Policy == MatchPolicy::NearestEligible)
                    worst = std::min(worst, bestWorst);
                for (const auto &l : index.levels) {
                    level = l.get();
                    l->tree->findNeighbors(*this, served.unit.data(), params);
                }
            }
        }
    };

    template <MatchPolicy Policy>
    std::uint32_t findPartner(std::uint32_t slot, std::int64_t nowMs, double *km) const {
        PartnerSearch<Policy> search{*this, entries[slot], slot, nowMs};
        search.run();
        *km = search.bestKm;
        return search.best;
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
    return d->addEntry(std::move(candidate), d->nextSeq);
}

bool MatchEngine::restore(MatchCandidate candidate, std::uint64_t arrivalOrder) {
    return d->addEntry(std::move(candidate), arrivalOrder);
}

bool MatchEngine::remove(ClientId id) {
    const auto it = d->slotOf.find(id);
    if (it == d->slotOf.end())
        return false;
    d->removeSlot(it->second);
    return true;
}

bool MatchEngine::contains(ClientId id) const {
    return d->slotOf.contains(id);
}

std::size_t MatchEngine::size() const {
    return d->slotOf.size();
}

std::size_t MatchEngine::pendingCount() const {
    return d->pending;
}

std::vector<MatchResult> MatchEngine::tick(std::int64_t nowMs) {
    d->requeueExpired(nowMs);
    d->compactIfSparse();
    d->indexArrivals();

    std::vector<std::uint32_t> order;
    order.swap(d->pendingSlots);
    const auto bySeq = [this](std::uint32_t a, std::uint32_t b) {
        return d->entries[a].seq < d->entries[b].seq;
    };
    if (!std::is_sorted(order.begin(), order.end(), bySeq))
        std::sort(order.begin(), order.end(), bySeq);

    std::vector<MatchResult> results;
    for (const std::uint32_t slot : order) {
        Impl::Entry &served = d->entries[slot];
        if (!served.alive || !served.pending)
            continue;
        served.pending = false;
        --d->pending;
        double km = 0.0;
        const std::uint32_t partner =
            d->policy == MatchPolicy::NearestEligible
                ? d->findPartner<MatchPolicy::NearestEligible>(slot, nowMs, &km)
                : d->findPartner<MatchPolicy::LongestWaiting>(slot, nowMs, &km);
        if (partner == kNone)
            continue;
        const Impl::Entry &other = d->entries[partner];
        results.push_back({served.candidate.id, other.candidate.id, km, served.seq, other.seq});
        const std::size_t classes[] = {served.rangeClass, other.rangeClass};
        d->removeSlot(slot);
        d->removeSlot(partner);
        // A full tick kills most of the index as it goes; searches would
        // spend their time stepping over the dead. Rebuilding a class when it
        // is mostly dead costs O(n log n) over the whole tick.
        for (const std::size_t c : classes)
            d->pruneIfMostlyDead(d->classes[c]);
    }
    return results;
}

} // namespace whisper
