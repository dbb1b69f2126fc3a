// SPDX-License-Identifier: MIT
#include "matchengine.h"

#include "blockstorage.h"
#include "kdtree.h"
#include "largeblocks.h"
#include "unitvectors.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <memory>
#include <new>
#include <numbers>
#include <queue>
#include <tuple>
#include <type_traits>
#include <utility>

namespace whisper {

using namespace matchdetail;

namespace {

// Below this many dead slots nothing is compacted: rebuilding is not worth it.
constexpr std::size_t kCompactionSlack = 4096;
// Dead points a tree may carry beyond its live ones before it is rebuilt.
constexpr std::size_t kPruneSlack = 256;
// How many served clients ahead a tick prefetches the memory a search needs.
constexpr std::size_t kPrefetchAhead = 16;

bool excludes(const std::vector<Exclusion> &list, std::uint64_t key, std::int64_t nowMs) {
    return std::any_of(list.begin(), list.end(),
                       [&](const Exclusion &e) { return e.key == key && e.untilMs > nowMs; });
}

} // namespace

bool isEligible(const MatchCandidate &a, const MatchCandidate &b, std::int64_t nowMs,
                double *distanceKm) {
    if (a.id == b.id || a.identityKey == b.identityKey)
        return false;
    if (excludes(a.excludes, b.identityKey, nowMs) || excludes(b.excludes, a.identityKey, nowMs))
        return false;
    const double d = geo::haversineKm(a.pos, b.pos);
    if (d > a.rangeKm || d > b.rangeKm)
        return false;
    if (distanceKm)
        *distanceKm = d;
    return true;
}

struct MatchEngine::Impl {
    // A waiting client. Not a MatchCandidate: exclusions are rare (blocks,
    // recent partners) and live out of line, and the tree is named by a
    // 16-bit id and the flags are bits, which makes the entry one cache line
    // instead of 88 bytes (a 1M tick pays a page fault for every byte of
    // them, and reads them at random while building and retiring).
    struct alignas(64) Entry {
        ClientId id = 0;
        geo::GeoPoint pos;
        double rangeKm = 0.0;
        std::uint64_t identityKey = 0;
        std::unique_ptr<std::vector<Exclusion>> excludes;
        std::uint64_t seq = 0; // arrival order
        // Where the entry sits in the index, while indexed.
        std::uint32_t treePos = 0;
        std::uint16_t treeId = 0;
        bool alive : 1 = true;
        bool pending : 1 = true;
        bool indexed : 1 = false;
    };
    static_assert(sizeof(Entry) == 64);

    MatchPolicy policy = MatchPolicy::NearestEligible;
    std::uint64_t nextSeq = 0;
    // Huge pages for the first block, and for trees and results of up to
    // one page each: three taken when the engine is made (so a full tick of
    // up to ~25k clients needs no fresh memory), up to four kept (see
    // largeblocks.h).
    std::shared_ptr<LargeBlockCache> blocks = std::make_shared<LargeBlockCache>(3, 4);
    FirstBlock firstBlock{blocks};              // before the two that borrow from it
    SegmentedVector<Entry> entries{firstBlock}; // by slot; slots are only reused by compaction
    SlotMap slotOf{firstBlock};
    std::size_t pending = 0;
    // A tick's turns: the slots from arrivalsFrom on (handed out in call
    // order since the last tick) and the pending clients elsewhere, woken by
    // an expired exclusion or moved by compaction (pendingSlots). Arrivals
    // need no list of their own: at 20k that list was fresh memory (see
    // largeblocks.h) for nothing but their slot numbers.
    std::size_t arrivalsFrom = 0;
    // False once a restore() put an earlier arrival after a later one.
    bool arrivalsInOrder = true;
    std::uint64_t lastArrivalSeq = 0;
    BigVector<std::uint32_t> pendingSlots;
    // Slots from here on arrived since the last tick and are not indexed yet
    // (slots are handed out in call order; compaction resets it to 0).
    std::size_t unindexedFrom = 0;
    // The logarithmic method over static trees, largest first: each batch of
    // arrivals becomes a tree; a tree at least half the size of the one before
    // is merged into it (dropping dead points), so there are O(log n) trees
    // and every entry is rebuilt O(log n) times.
    std::vector<std::unique_ptr<Tree>> trees;
    // Tree by id, for entries (an id rather than a pointer keeps them at 64
    // bytes). Ids of trees no longer in `trees` are reused.
    std::vector<Tree *> treeById;

    Tree *treeOf(const Entry &e) const { return treeById[e.treeId]; }

    // An id that no tree in `trees` holds (the tree a new one replaces is
    // still there while the new one is built, so the two never share one).
    std::uint16_t freeTreeId() {
        for (std::size_t id = 0;; ++id) {
            if (id == treeById.size())
                treeById.push_back(nullptr);
            if (std::none_of(trees.begin(), trees.end(),
                             [&](const auto &t) { return t && t->id == id; }))
                return std::uint16_t(id);
        }
    }
    // Finite exclusions: when one runs out, two leftovers may have become
    // eligible, so the excluding client is served once more.
    // (until, id, arrival order): the order tells a later life of the same id
    // apart, which must not be woken by an exclusion it never had.
    using Expiry = std::tuple<std::int64_t, ClientId, std::uint64_t>;
    std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> expiries;

    auto idOf() const {
        return [this](std::uint32_t slot) { return entries[slot].id; };
    }

    bool addEntry(const MatchCandidate &candidate, std::uint64_t seq) {
        const auto slot = std::uint32_t(entries.size());
        if (!slotOf.insert(candidate.id, slot, idOf()))
            return false;
        Entry &e = entries.emplace_back();
        e.seq = seq;
        for (const Exclusion &x : candidate.excludes)
            if (x.untilMs != std::numeric_limits<std::int64_t>::max())
                expiries.emplace(x.untilMs, candidate.id, seq);
        e.id = candidate.id;
        e.pos = candidate.pos;
        e.rangeKm = candidate.rangeKm;
        e.identityKey = candidate.identityKey;
        if (!candidate.excludes.empty())
            e.excludes = std::make_unique<std::vector<Exclusion>>(candidate.excludes);
        if (slot > arrivalsFrom && seq < lastArrivalSeq)
            arrivalsInOrder = false;
        lastArrivalSeq = seq;
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
            e.indexed = false;
            treeOf(e)->kill(e.treePos);
        }
        slotOf.erase(e.id, slot);
        e.excludes.reset();
    }

    void requeueExpired(std::int64_t nowMs) {
        while (!expiries.empty() && std::get<0>(expiries.top()) <= nowMs) {
            const auto [untilMs, id, seq] = expiries.top();
            expiries.pop();
            const std::uint32_t slot = slotOf.find(id, idOf());
            if (slot == kNone)
                continue;
            Entry &e = entries[slot];
            if (e.seq == seq && !e.pending) {
                e.pending = true;
                ++pending;
                append(pendingSlots, slot);
            }
        }
    }

    // Puts the arrivals' build points into tree.hot, their unit vectors
    // computed kUnitLanes at a time (see unitvectors.h). Returns how many.
    std::size_t arrivalPoints(Tree &tree) const {
        std::size_t n = 0;
        geo::DoubleV lat{};
        geo::DoubleV lon{};
        std::size_t lanes = 0;
        const auto flush = [&] {
            geo::DoubleV x;
            geo::DoubleV y;
            geo::DoubleV z;
            geo::unitVectors(lat, lon, x, y, z);
            for (std::size_t l = 0; l < lanes; ++l)
                tree.hot[n - lanes + l].unit = {float(x[l]), float(y[l]), float(z[l])};
            lanes = 0;
        };
        for (std::size_t slot = unindexedFrom; slot < entries.size(); ++slot) {
            const Entry &e = entries[slot];
            if (!e.alive || e.indexed)
                continue;
            lat[lanes] = e.pos.latDeg;
            lon[lanes] = e.pos.lonDeg;
            tree.hot[n++] = buildPoint({}, std::uint32_t(slot));
            if (++lanes == geo::kUnitLanes)
                flush();
        }
        if (lanes > 0)
            flush();
        return n;
    }

    // A tree with room for `capacity` points, to be filled (its `hot`
    // array, in build form) and then built.
    std::unique_ptr<Tree> newTree(std::size_t capacity) {
        auto tree = std::make_unique<Tree>(capacity, blocks);
        tree->id = freeTreeId();
        treeById[tree->id] = tree.get();
        return tree;
    }

    // Builds a tree over the `count` build points put into its `hot` array.
    void buildTree(Tree &tree, std::size_t count) {
        tree.size = tree.live = count;
        tree.leaves = Tree::leavesFor(count);
        std::uninitialized_default_construct_n(tree.pairs, tree.leaves);
        // The selections' scratch space (two points per point) is borrowed
        // from the exact records too, filled only after the build.
        static_assert(2 * sizeof(HotPoint) <= sizeof(ColdPoint));
        buildNode(tree, reinterpret_cast<HotPoint *>(tree.cold), 1, 0, tree.leaves);
        for (std::size_t i = 0; i < count; ++i) {
            if (i + kPrefetchAhead < count)
                prefetch(&entries[slotOfBuildPoint(tree.hot[i + kPrefetchAhead])]);
            const std::uint32_t slot = slotOfBuildPoint(tree.hot[i]);
            Entry &e = entries[slot];
            tree.hot[i].reach2 = squaredReach(e.rangeKm);
            tree.cold[i] = {e.pos.latDeg,
                            e.pos.lonDeg,
                            e.rangeKm,
                            e.identityKey,
                            e.seq,
                            slot,
                            std::uint32_t(e.excludes != nullptr)};
            e.treeId = tree.id;
            e.treePos = std::uint32_t(i);
            e.indexed = true;
        }
        // Build points to leaf rows, a leaf at a time in place; the last
        // leaf's missing points are dead.
        for (std::size_t leaf = 0; leaf * kLeafSize < count; ++leaf) {
            std::array<HotPoint, kLeafSize> points;
            const std::size_t n = std::min(kLeafSize, count - leaf * kLeafSize);
            std::copy_n(tree.hot + leaf * kLeafSize, n, points.begin());
            std::fill(points.begin() + long(n), points.end(), HotPoint{});
            float *rows = tree.leafRows(leaf);
            for (std::size_t l = 0; l < kLeafSize; ++l)
                for (std::size_t k = 0; k < 4; ++k)
                    rows[k * kLeafSize + l] = k < 3 ? points[l].unit[k] : points[l].reach2;
        }
        setReaches(tree);
    }

    // Copies the live points of a tree (to rebuild or merge it) to `out`, in
    // build form; returns how many.
    static std::size_t collectLive(const Tree &tree, HotPoint *out) {
        std::size_t n = 0;
        for (std::size_t i = 0; i < tree.size; ++i)
            if (tree.reach2(i) != kDead)
                out[n++] = buildPoint(tree.unit(i), tree.cold[i].slot);
        return n;
    }

    // One tree over the live points of the trees `from` (nullptr when none
    // is alive).
    std::unique_ptr<Tree> rebuild(std::initializer_list<const Tree *> from) {
        std::size_t live = 0;
        for (const Tree *t : from)
            live += t->live;
        if (live == 0)
            return nullptr;
        auto tree = newTree(live);
        std::size_t n = 0;
        for (const Tree *t : from)
            n += collectLive(*t, tree->hot + n);
        buildTree(*tree, n);
        return tree;
    }

    void indexArrivals() {
        const std::size_t capacity = entries.size() - unindexedFrom;
        if (capacity > 0) {
            auto tree = newTree(capacity);
            const std::size_t n = arrivalPoints(*tree);
            unindexedFrom = entries.size();
            if (n > 0) {
                buildTree(*tree, n);
                trees.push_back(std::move(tree));
            }
        }
        // Mostly dead trees: searches would mostly step over corpses.
        for (auto &tree : trees)
            if (tree->size > 2 * tree->live + kPruneSlack)
                tree = rebuild({tree.get()});
        std::erase(trees, nullptr);
        std::stable_sort(trees.begin(), trees.end(),
                         [](const auto &a, const auto &b) { return a->size > b->size; });
        while (trees.size() >= 2 && trees.back()->size * 2 >= trees[trees.size() - 2]->size) {
            auto merged = rebuild({trees.back().get(), trees[trees.size() - 2].get()});
            trees.pop_back();
            trees.back() = std::move(merged);
        }
    }

    // Drops dead slots once they outnumber the living, so memory follows the
    // waiting room rather than its history. Only between searches.
    void compactIfSparse() {
        if (entries.size() <= 2 * slotOf.size() + kCompactionSlack)
            return;
        // In place, in slot order (a copy into new segments took a fresh
        // huge page for a room's few survivors).
        // A slot is only ever moved down, onto one that is dead or already
        // moved, so the id map's cell of a client still to be moved is the
        // only one holding its slot.
        pendingSlots.clear();
        unindexedFrom = 0;
        std::size_t kept = 0;
        for (std::size_t slot = 0; slot < entries.size(); ++slot) {
            if (!entries[slot].alive)
                continue;
            const auto newSlot = std::uint32_t(kept++);
            if (newSlot != slot) {
                slotOf.update(entries[slot].id, std::uint32_t(slot), newSlot);
                entries[newSlot] = std::move(entries[slot]);
            }
            Entry &e = entries[newSlot];
            e.indexed = false;
            if (e.pending)
                append(pendingSlots, newSlot);
        }
        entries.truncate(kept);
        // Every pending client is in pendingSlots now: no arrival range.
        arrivalsFrom = entries.size();
        arrivalsInOrder = true;
        trees.clear();
        std::sort(pendingSlots.begin(), pendingSlots.end(),
                  [this](auto a, auto b) { return entries[a].seq < entries[b].seq; });
    }

    // Pulls in what the search for this client will read first (its own
    // leaf, the node lines above it, its candidates' exact data), so that
    // searches of consecutive served clients overlap their cache misses
    // instead of waiting for one miss after another: arrival order is random
    // in space, so each search starts cold.
    void prefetchSearch(const Entry &e) const {
        if (!e.indexed)
            return;
        const Tree &tree = *treeOf(e);
        const std::size_t leaf = tree.leafOf(e.treePos);
        // The leaf. (Its sibling too, which the walk up looks at first, was
        // 6 % slower with leaves of 64: 32 lines in flight per search.)
        const auto *hot = reinterpret_cast<const char *>(tree.leafRows(leaf));
        const auto *hotEnd = reinterpret_cast<const char *>(tree.leafRows(leaf + 1));
        for (; hot < hotEnd; hot += 64)
            prefetch(hot);
        // The exact records around the client's own: its nearest candidates
        // (a whole leaf's measured slower: too many lines in flight).
        prefetch(tree.cold + e.treePos);
        if (e.treePos > 0)
            prefetch(tree.cold + e.treePos - 1);
        if (e.treePos + 1 < tree.size)
            prefetch(tree.cold + e.treePos + 1);
        std::size_t i = tree.leaves + leaf;
        for (int level = 0; level < 8 && i > 1; ++level, i >>= 1)
            prefetch(&tree.pairs[i >> 1]);
    }

    // A search for one served client's partner: a depth-first walk (nearer
    // child first) of every tree, pruned by the bounding box's distance
    // against the search radius and against the largest reach below the node,
    // then the exact rule on what is left. Under nearest-first the radius
    // shrinks to the best eligible partner found (branch and bound).
    template <MatchPolicy Policy>
    struct PartnerSearch {
        const Impl &impl;
        const Entry &served;
        const std::int64_t nowMs;
        // The served client's own point, which every search passes first.
        const Tree *const servedTree = impl.treeOf(served);
        const std::array<float, 3> q = servedTree->unit(served.treePos);
        const Float4 q4 = {q[0], q[1], q[2], 0.0f};
        const std::vector<Exclusion> *const servedExcludes = served.excludes.get();
        // Squared search radius: the served client's reach, then (nearest
        // first) the padded distance of the best partner so far.
        float bound2 = servedTree->reach2(served.treePos);
        const Tree *bestTree = nullptr;
        std::size_t bestPos = 0;
        double bestKm = std::numeric_limits<double>::infinity();
        std::uint64_t bestSeq = std::numeric_limits<std::uint64_t>::max();

        // Branch-free on four lanes (the fourth, whatever the bytes after
        // lo and hi hold, is ignored): the walk up from the served client's
        // leaf checks a sibling per level, and the branchy version
        // mispredicted its way to a third of a small tick.
        float boxDistance2(const Node &n) const {
            Float4 lo;
            Float4 hi;
            const char *bytes = reinterpret_cast<const char *>(&n);
            std::memcpy(&lo, bytes + offsetof(Node, lo), sizeof lo);
            std::memcpy(&hi, bytes + offsetof(Node, hi), sizeof hi);
            const Float4 below = lo - q4;
            const Float4 above = q4 - hi;
            Float4 t = below > above ? below : above;
            t = t > Float4{} ? t : Float4{};
            t *= t;
            return t[0] + t[1] + t[2];
        }

        bool mayHold(const Node &n, float d2) const { return d2 <= bound2 && d2 <= n.maxReach2; }

        void consider(const Tree &tree, std::size_t pos, float d2) {
            const ColdPoint &c = tree.cold[pos];
            // Under longest-waiting only an earlier arrival can win: skip the
            // trigonometry for everyone else.
            if (Policy == MatchPolicy::LongestWaiting && c.seq >= bestSeq)
                return;
            const Entry &s = served;
            if (c.identityKey == s.identityKey)
                return;
            const double km = geo::haversineKm(s.pos, {c.latDeg, c.lonDeg});
            if (km > s.rangeKm || km > c.rangeKm)
                return;
            if (servedExcludes && excludes(*servedExcludes, c.identityKey, nowMs))
                return;
            if (c.hasExcludes && excludes(*impl.entries[c.slot].excludes, s.identityKey, nowMs))
                return;
            if (Policy == MatchPolicy::NearestEligible) {
                if (km > bestKm || (km == bestKm && c.seq > bestSeq))
                    return;
                const float bound = std::sqrt(d2) + kChordPad;
                bound2 = std::min(bound2, bound * bound);
            }
            bestTree = &tree;
            bestPos = pos;
            bestKm = km;
            bestSeq = c.seq;
        }

        // The leaf's points kLanes at a time from its rows, branch-free:
        // whether a point is in reach is a coin flip, and a point-by-point
        // loop's mispredicted branches made it a fifth of a 20k tick.
        // Candidates are then taken nearest first by a vector minimum over
        // the leaf rather than from a list of hits (a tenth of a 20k city
        // tick's searches).
        // `beforeFirst` runs once the nearest candidate is known (or that
        // there is none), before its exact test: see searchUp().
        template <class BeforeFirst>
        void scanLeaf(const Tree &tree, std::size_t leaf, BeforeFirst &&beforeFirst) {
            static_assert(kLeafSize % kLanes == 0);
            constexpr std::size_t kGroups = kLeafSize / kLanes;
            constexpr float kInf = std::numeric_limits<float>::infinity();
            const FloatV inf = FloatV{} + kInf;
            const std::size_t begin = leaf * kLeafSize;
            const float *rows = tree.leafRows(leaf);
            // Each point's squared distance where it is in reach both ways,
            // infinity elsewhere (dead points, the padding of the last leaf
            // among them, reach no distance).
            std::array<FloatV, kGroups> hit;
            const FloatV bound = FloatV{} + bound2;
            for (std::size_t group = 0; group < kGroups; ++group) {
                FloatV x;
                FloatV y;
                FloatV z;
                FloatV reach;
                const float *at = rows + group * kLanes;
                std::memcpy(&x, at, sizeof x);
                std::memcpy(&y, at + kLeafSize, sizeof y);
                std::memcpy(&z, at + 2 * kLeafSize, sizeof z);
                std::memcpy(&reach, at + 3 * kLeafSize, sizeof reach);
                const FloatV dx = x - q[0];
                const FloatV dy = y - q[1];
                const FloatV dz = z - q[2];
                const FloatV d2 = dx * dx + dy * dy + dz * dz;
                hit[group] = (d2 <= bound) & (d2 <= reach) ? d2 : inf;
            }
            // The served client itself is never a candidate. (Its offset in
            // the leaf wraps to a huge value when it lies before the leaf.)
            const std::size_t selfAt = std::size_t(served.treePos) - begin;
            if (&tree == servedTree && selfAt < kLeafSize)
                hit[selfAt / kLanes][selfAt % kLanes] = kInf;
            if (Policy == MatchPolicy::LongestWaiting) {
                beforeFirst();
                for (std::size_t group = 0; group < kGroups; ++group)
                    for (unsigned bits = laneBits(hit[group] < inf); bits != 0; bits &= bits - 1) {
                        const unsigned l = unsigned(std::countr_zero(bits));
                        consider(tree, begin + kLanes * group + l, hit[group][l]);
                    }
                return;
            }
            // Nearest first: the first eligible one shrinks the radius past
            // most of the rest, so few need the exact test. The nearest is
            // found by a vector minimum each time, not from a list of hits
            // (the order among equals does not matter: consider() decides by
            // distance and arrival).
            // Each lane keeps the group its minimum came from, so finding
            // the nearest's place is one more comparison rather than a
            // search through the groups (whose exit mispredicted).
            for (bool first = true;; first = false) {
                FloatV m = hit[0];
                IntV from = IntV{};
                for (std::size_t group = 1; group < kGroups; ++group) {
                    const IntV nearer = hit[group] < m;
                    m = nearer ? hit[group] : m;
                    from = nearer ? IntV{} + std::int32_t(group) : from;
                }
                const float nearest = laneMin(m);
                if (!(nearest <= bound2)) {
                    if (first)
                        beforeFirst();
                    return; // nobody left in reach (infinity: nobody at all)
                }
                const unsigned l = unsigned(std::countr_zero(laneBits(m == nearest)));
                const auto group = std::size_t(from[l]);
                hit[group][l] = kInf;
                const std::size_t pos = begin + kLanes * group + l;
                if (first) {
                    prefetch(&tree.cold[pos]);
                    beforeFirst();
                }
                consider(tree, pos, nearest);
            }
        }
        void scanLeaf(const Tree &tree, std::size_t leaf) {
            scanLeaf(tree, leaf, [] {});
        }

        void visit(const Tree &tree, std::size_t i) {
            if (i >= tree.leaves) {
                scanLeaf(tree, i - tree.leaves);
                return;
            }
            const NodePair &children = tree.pairs[i];
            float d0 = boxDistance2(children.node[0]);
            float d1 = boxDistance2(children.node[1]);
            std::size_t first = 2 * i;
            if (d1 < d0) {
                std::swap(d0, d1);
                first = 2 * i + 1;
            }
            if (mayHold(tree.node(first), d0))
                visit(tree, first);
            if (mayHold(tree.node(first ^ 1), d1))
                visit(tree, first ^ 1);
        }

        void searchDown(const Tree &tree) {
            const Node &root = tree.node(1);
            if (mayHold(root, boxDistance2(root)))
                visit(tree, 1);
        }

        // The served client's own tree: start at its leaf, where the nearest
        // candidates usually are, and walk up checking each sibling. The
        // lines on that path are known before the search (and prefetched),
        // where a descent from the root would wait for each level in turn.
        //
        // The box distances of the siblings on the way up do not depend on
        // the search radius, so they are computed while the exact record of
        // the leaf's nearest candidate is on its way (it is a cache miss in
        // most searches), rather than after its exact test.
        void searchUp(const Tree &tree, std::size_t pos) {
            const std::size_t leafNode = tree.leaves + tree.leafOf(pos);
            std::array<float, kMaxDepth> siblingDistance2;
            scanLeaf(tree, leafNode - tree.leaves, [&] {
                std::size_t level = 0;
                for (std::size_t i = leafNode; i > 1; i >>= 1)
                    siblingDistance2[level++] = boxDistance2(tree.node(i ^ 1));
            });
            std::size_t level = 0;
            for (std::size_t i = leafNode; i > 1; i >>= 1, ++level)
                if (mayHold(tree.node(i ^ 1), siblingDistance2[level]))
                    visit(tree, i ^ 1);
        }

        void run() {
            searchUp(*servedTree, served.treePos);
            for (const auto &tree : impl.trees)
                if (tree.get() != servedTree && tree->live > 0)
                    searchDown(*tree);
        }
    };

    // The best partner of a served client: its tree and position there, or
    // no tree when nobody is eligible.
    struct Partner {
        Tree *tree = nullptr;
        std::size_t pos = 0;
        double km = 0.0;
    };

    template <MatchPolicy Policy>
    Partner findPartner(const Entry &served, std::int64_t nowMs) const {
        PartnerSearch<Policy> search{*this, served, nowMs};
        search.run();
        return {const_cast<Tree *>(search.bestTree), search.bestPos, search.bestKm};
    }

    // During a tick a result's partner field holds the two clients' slots
    // (the partner's id is not kept in the index), which saves the tick an
    // array of its own: fresh memory, see largeblocks.h.
    static ClientId packSlots(std::uint32_t served, std::uint32_t partner) {
        return (ClientId(served) << 32) | partner;
    }
    static std::uint32_t servedSlot(ClientId packed) { return std::uint32_t(packed >> 32); }
    static std::uint32_t partnerSlot(ClientId packed) { return std::uint32_t(packed); }

    // The bookkeeping for clients a tick paired, done after the tick's
    // searches: the entries and the id map are random accesses, and in one
    // batch, prefetched two stages ahead (entries, then the id map cells
    // their ids lead to), their misses overlap instead of stalling each
    // search in turn. Until then the index already knows they are gone.
    void retire(MatchResults &pairs) {
        // The tick has already taken them out of the index.
        const auto retireEntry = [this](std::uint32_t slot) {
            Entry &e = entries[slot];
            e.indexed = false;
            removeSlot(slot);
            return e.id;
        };
        for (std::size_t k = 0; k < pairs.size(); ++k) {
            if (k + 2 * kPrefetchAhead < pairs.size()) {
                const ClientId ahead = pairs[k + 2 * kPrefetchAhead].partner;
                prefetch(&entries[servedSlot(ahead)]);
                prefetch(&entries[partnerSlot(ahead)]);
            }
            if (k + kPrefetchAhead < pairs.size()) {
                const MatchResult &ahead = pairs[k + kPrefetchAhead];
                slotOf.prefetch(ahead.served);
                slotOf.prefetch(entries[partnerSlot(ahead.partner)].id);
            }
            const ClientId slots = pairs[k].partner;
            retireEntry(servedSlot(slots));
            pairs[k].partner = retireEntry(partnerSlot(slots));
        }
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

bool MatchEngine::add(const MatchCandidate &candidate) {
    return d->addEntry(candidate, d->nextSeq);
}

bool MatchEngine::restore(const MatchCandidate &candidate, std::uint64_t arrivalOrder) {
    return d->addEntry(candidate, arrivalOrder);
}

bool MatchEngine::remove(ClientId id) {
    const std::uint32_t slot = d->slotOf.find(id, d->idOf());
    if (slot == kNone)
        return false;
    d->removeSlot(slot);
    return true;
}

bool MatchEngine::contains(ClientId id) const {
    return d->slotOf.find(id, d->idOf()) != kNone;
}

std::size_t MatchEngine::size() const {
    return d->slotOf.size();
}

std::size_t MatchEngine::pendingCount() const {
    return d->pending;
}

MatchResults MatchEngine::tick(std::int64_t nowMs) {
    d->requeueExpired(nowMs);
    d->compactIfSparse();
    d->indexArrivals();

    // The turns in arrival order: usually just the arrivals' slot range.
    const std::size_t from = d->arrivalsFrom;
    const std::size_t to = d->entries.size();
    BigVector<std::uint32_t> order;
    const bool inRange = d->pendingSlots.empty() && d->arrivalsInOrder;
    if (!inRange) {
        order.swap(d->pendingSlots);
        order.reserve(order.size() + (to - from));
        for (std::size_t slot = from; slot < to; ++slot)
            order.push_back(std::uint32_t(slot));
        std::sort(order.begin(), order.end(), [this](std::uint32_t a, std::uint32_t b) {
            return d->entries[a].seq < d->entries[b].seq;
        });
    }
    d->arrivalsFrom = to;
    d->arrivalsInOrder = true;
    const std::size_t turns = inRange ? to - from : order.size();
    const auto slotAt = [&](std::size_t k) { return inRange ? std::uint32_t(from + k) : order[k]; };

    MatchResults results{CachedBlockAllocator<MatchResult>(d->blocks)};
    results.reserve(std::min(turns, d->slotOf.size() / 2));
    // Clients paired during this tick, one bit per slot (128 KB at 1M, so it
    // stays in cache): about half of a full tick's turns belong to clients
    // already taken as partners, and their searches' memory need not be
    // prefetched, nor their entries read, until retire().
    BigVector<std::uint64_t> taken((d->entries.size() + 63) / 64);
    const auto isTaken = [&](std::uint32_t slot) { return (taken[slot / 64] >> (slot % 64)) & 1; };
    for (std::size_t k = 0; k < turns; ++k) {
        if (k + 2 * kPrefetchAhead < turns && !isTaken(slotAt(k + 2 * kPrefetchAhead)))
            prefetch(&d->entries[slotAt(k + 2 * kPrefetchAhead)]);
        if (k + kPrefetchAhead < turns && !isTaken(slotAt(k + kPrefetchAhead)))
            d->prefetchSearch(d->entries[slotAt(k + kPrefetchAhead)]);
        const std::uint32_t slot = slotAt(k);
        if (isTaken(slot))
            continue;
        Impl::Entry &served = d->entries[slot];
        if (!served.alive || !served.pending)
            continue;
        served.pending = false;
        --d->pending;
        const Impl::Partner partner =
            d->policy == MatchPolicy::NearestEligible
                ? d->findPartner<MatchPolicy::NearestEligible>(served, nowMs)
                : d->findPartner<MatchPolicy::LongestWaiting>(served, nowMs);
        if (!partner.tree)
            continue;
        const ColdPoint &other = partner.tree->cold[partner.pos];
        results.push_back(
            {served.id, Impl::packSlots(slot, other.slot), partner.km, served.seq, other.seq});
        d->treeOf(served)->kill(served.treePos);
        partner.tree->kill(partner.pos);
        taken[other.slot / 64] |= std::uint64_t(1) << (other.slot % 64);
    }
    d->retire(results);
    return results;
}

} // namespace whisper
