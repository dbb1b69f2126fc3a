// SPDX-License-Identifier: MIT
#pragma once

// The engine's spatial index: a static k-d tree over 3-D unit vectors in an
// implicit layout, with its leaf-scan vector helpers and its build. Internal
// to the matching core (included by matchengine.cpp); the search itself is
// the engine's (MatchEngine::Impl::PartnerSearch). Design and measurements:
// docs/MATCHING.md, "The spatial index".

#include "blockstorage.h"
#include "geo.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>

namespace whisper::matchdetail {

// Unit vectors are floats (half the memory, faster distance evaluation),
// computed in double, several at a time, and then rounded (unitvectors.h: each
// component within 3e-8 of the exact one, where glibc's float sincosf on
// float angles was off by up to ~4e-7 and took five times as long, a
// sixteenth of a 20k tick). A chord between two points is then off by under
// 1.1e-7, and its evaluation in float by under 4e-7 more; a point's reach,
// from a float sine, by under 3.2e-7 (squaredReach()). Every float bound (a
// point's reach, the search radius, the distance of the best partner found
// so far) is padded by 2e-6, so pruning never drops a point the exact rule
// would accept; the exact haversine test on the double coordinates decides.
constexpr float kChordPad = 2e-6f;

// Points in a leaf: a power of two, so finding a point's leaf is a shift
// (the divisions of equal-share leaves were a tenth of a small tick). 64
// points are sixteen cache lines, scanned kLanes at a time and branch-free
// (scanLeaf()). Each level less is a pass less of the build, and with the
// points stored by component a leaf of 64 searches as fast as one of 32 on
// four lanes and faster on eight (measurements: docs/MATCHING.md, "The
// spatial index").
constexpr unsigned kLeafShift = 6;
constexpr std::size_t kLeafSize = std::size_t(1) << kLeafShift;
// Levels above a leaf: slots are 32-bit, so a tree has at most 2^26 leaves.
constexpr std::size_t kMaxDepth = 32 - kLeafShift;
// The reach of a dead point, and of a subtree without live points: below
// every squared distance, so the one reach comparison also skips the dead.
constexpr float kDead = -1.0f;

// Squared chord (on the unit sphere) of a range, padded: nothing farther can
// be in reach. The chord is monotonic in the great-circle distance, which is
// what makes a Euclidean k-d tree exact for this search. A tick takes one
// per point, so no library sine where it can be helped (double's was a
// twentieth of a 20k tick, float's a fortieth): up to 1000 km (half angle
// under 0.08) three terms of the sine's series in double, whose next term
// is under 5e-12; beyond, a float sine, whose and the half angle's rounding
// are each under 1.2e-7. Either way the chord is off by under 3.2e-7 (see
// kChordPad).
inline float squaredReach(double km) {
    const double half = std::min(km / geo::kEarthRadiusKm, std::numbers::pi) / 2.0;
    float chord = 0.0f;
    if (half < 0.08) {
        const double h2 = half * half;
        chord = float(2.0 * half * (1.0 - h2 / 6.0 * (1.0 - h2 / 20.0)));
    } else {
        chord = 2.0f * std::sin(float(half));
    }
    chord += kChordPad;
    return chord * chord;
}

// A point while its tree is built (see buildPoint()): 16 bytes, moved
// around by the median splits. Once built, a leaf's points are stored by
// component instead (see Tree::leafRows()).
struct HotPoint {
    std::array<float, 3> unit{};
    // Squared chord of the point's range, padded; kDead once it left.
    float reach2 = kDead;
};

// What the exact test needs of a candidate that passed the float filters,
// in the same order as the hot points: candidates of one leaf are neighbours
// in memory too, rather than one cache miss each in the entry array.
struct ColdPoint {
    double latDeg = 0.0;
    double lonDeg = 0.0;
    double rangeKm = 0.0;
    std::uint64_t identityKey = 0;
    std::uint64_t seq = 0;
    std::uint32_t slot = 0;
    std::uint32_t hasExcludes = 0;
};

using Float4 = float __attribute__((vector_size(16)));

// The leaf scan's vectors: as wide as the target's registers (the build
// chooses the target, see docs/OPERATIONS.md); GCC's vector extensions
// lower wider ones to pairs of narrower instructions where they are not.
#if defined(__AVX512F__) && defined(__AVX512DQ__)
constexpr std::size_t kLanes = 16;
#elif defined(__AVX__)
constexpr std::size_t kLanes = 8;
#else
constexpr std::size_t kLanes = 4;
#endif
using FloatV = float __attribute__((vector_size(kLanes * sizeof(float))));
using IntV = std::int32_t __attribute__((vector_size(kLanes * sizeof(float))));

// The lanes of a comparison's result as bits 0..kLanes-1.
inline unsigned laneBits(IntV x) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    return unsigned(__builtin_ia32_cvtd2mask512(x));
#elif defined(__AVX__)
    return unsigned(__builtin_ia32_movmskps256(std::bit_cast<FloatV>(x)));
#elif defined(__SSE__)
    return unsigned(__builtin_ia32_movmskps(std::bit_cast<FloatV>(x)));
#else
    unsigned bits = 0;
    for (std::size_t l = 0; l < kLanes; ++l)
        bits |= unsigned(x[l] & 1) << l;
    return bits;
#endif
}

// The smallest lane: halves folded onto each other.
template <class V>
inline float laneMin(V v) {
    if constexpr (sizeof(V) == 64) {
        using Half = float __attribute__((vector_size(32)));
        const Half a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7);
        const Half b = __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
        return laneMin(a < b ? a : b);
    } else if constexpr (sizeof(V) == 32) {
        const Float4 a = __builtin_shufflevector(v, v, 0, 1, 2, 3);
        const Float4 b = __builtin_shufflevector(v, v, 4, 5, 6, 7);
        return laneMin(a < b ? a : b);
    } else {
        const V f = __builtin_shufflevector(v, v, 2, 3, 0, 1);
        const V g = v < f ? v : f;
        return std::min(g[0], g[1]);
    }
}

// 32 bytes. boxDistance2() loads lo and hi as four floats each, so both must
// be followed by 4 more bytes of the node.
struct Node {
    std::array<float, 3> lo{};
    std::array<float, 3> hi{};
    // Largest reach2 of the live points below; kDead when none is alive.
    float maxReach2 = kDead;
    std::uint32_t unused = 0;
};

// Siblings share one cache line: a search always looks at both.
struct alignas(64) NodePair {
    Node node[2];
};
static_assert(sizeof(Node) == 32 && sizeof(NodePair) == 64);

// A static k-d tree over a batch of unit vectors, in an implicit layout: node
// 1 is the root, node i has children 2i and 2i+1, and the `leaves` (a power of
// two) leaves are nodes leaves..2*leaves-1. Points are stored in tree order,
// leaf j holding [leafBegin(j), leafBegin(j+1)), so there are no child or
// point indices to chase. Removal marks a point dead and lowers maxReach2 on
// the path to the root, so a search skips subtrees with nobody alive (or
// nobody who could reach that far) with the same comparison.
struct Tree {
    std::uint16_t id = 0; // the engine's handle for it (Entry::treeId)
    std::size_t size = 0; // points, dead ones included
    std::size_t live = 0;
    std::size_t leaves = 1;
    // The node, hot and cold arrays share one allocation: one huge page for
    // a 20k batch rather than three (see largeblocks.h). A point takes 64
    // bytes of it (16 hot, 48 cold) and a pair of leaves another 64; the hot
    // array is rounded up to whole leaves.
    RawArray<NodePair> block;
    NodePair *pairs = nullptr;
    // Build points while the tree is built, then leaf rows (leafRows()).
    HotPoint *hot = nullptr;
    ColdPoint *cold = nullptr;

    static std::size_t leavesFor(std::size_t points) {
        std::size_t leaves = 1;
        while (leaves * kLeafSize < points)
            leaves *= 2;
        return leaves;
    }
    static std::size_t wholeLeaves(std::size_t points) {
        return (points + kLeafSize - 1) / kLeafSize * kLeafSize;
    }
    // Room for `capacity` points; size is set once they are in `hot`.
    Tree(std::size_t capacity, std::shared_ptr<LargeBlockCache> blocks)
        : block(leavesFor(capacity) + capacity +
                    (wholeLeaves(capacity) - capacity) * sizeof(HotPoint) / sizeof(NodePair) + 1,
                CachedBlockAllocator<NodePair>(std::move(blocks))) {
        static_assert(sizeof(HotPoint) + sizeof(ColdPoint) == sizeof(NodePair));
        // The cold array starts a whole number of hot points into the block.
        static_assert(sizeof(HotPoint) % alignof(ColdPoint) == 0);
        pairs = block.data();
        hot = reinterpret_cast<HotPoint *>(pairs + leavesFor(capacity));
        cold = reinterpret_cast<ColdPoint *>(hot + wholeLeaves(capacity));
    }

    // A built leaf's points by component: four rows of kLeafSize floats (x,
    // y, z, reach2; the same bytes as its build points), so the scan
    // loads each component of kLanes points with one instruction instead of
    // shuffling points apart. Rows past the last point hold dead points.
    float *leafRows(std::size_t leaf) { return &hot[leaf * kLeafSize].unit[0]; }
    const float *leafRows(std::size_t leaf) const { return &hot[leaf * kLeafSize].unit[0]; }
    float &reach2(std::size_t pos) {
        return leafRows(leafOf(pos))[3 * kLeafSize + (pos & (kLeafSize - 1))];
    }
    float reach2(std::size_t pos) const {
        return leafRows(leafOf(pos))[3 * kLeafSize + (pos & (kLeafSize - 1))];
    }
    std::array<float, 3> unit(std::size_t pos) const {
        const float *rows = leafRows(leafOf(pos));
        const std::size_t lane = pos & (kLeafSize - 1);
        return {rows[lane], rows[kLeafSize + lane], rows[2 * kLeafSize + lane]};
    }

    Node &node(std::size_t i) { return pairs[i >> 1].node[i & 1]; }
    const Node &node(std::size_t i) const { return pairs[i >> 1].node[i & 1]; }
    std::size_t leafBegin(std::size_t leaf) const { return std::min(leaf << kLeafShift, size); }
    std::size_t leafOf(std::size_t pos) const { return pos >> kLeafShift; }

    // The largest reach of a leaf's live points; kDead when none is alive.
    float leafReach(std::size_t leaf) const {
        if (leafBegin(leaf) == size)
            return kDead; // an empty leaf has no rows
        // kLanes at a time: a scalar loop is a chain of 64 dependent
        // maximums, which the compiler may not reorder for floats.
        const float *reaches = leafRows(leaf) + 3 * kLeafSize;
        FloatV m;
        std::memcpy(&m, reaches, sizeof m);
        for (std::size_t l = kLanes; l < kLeafSize; l += kLanes) {
            FloatV r;
            std::memcpy(&r, reaches + l, sizeof r);
            m = m > r ? m : r;
        }
        return -laneMin(-m);
    }

    void kill(std::size_t pos) {
        const float was = reach2(pos);
        reach2(pos) = kDead;
        --live;
        const std::size_t leaf = leafOf(pos);
        // A point below its leaf's largest reach changes no bound: most
        // kills stop here instead of rescanning the leaf (a tick kills two
        // points per pair).
        if (was < node(leaves + leaf).maxReach2)
            return;
        float reach = leafReach(leaf);
        for (std::size_t i = leaves + leaf;; i >>= 1) {
            Node &n = node(i);
            if (n.maxReach2 == reach)
                break;
            n.maxReach2 = reach;
            if (i == 1)
                break;
            reach = std::max(reach, node(i ^ 1).maxReach2);
        }
    }
};

// While a tree is built, its points carry their entry's slot where the
// reach will go: the build array then becomes the tree's point array, with
// no second array of fresh memory and 16 rather than 20 bytes per point for
// the median splits to move.
inline HotPoint buildPoint(std::array<float, 3> unit, std::uint32_t slot) {
    return {unit, std::bit_cast<float>(slot)};
}
inline std::uint32_t slotOfBuildPoint(const HotPoint &p) {
    return std::bit_cast<std::uint32_t>(p.reach2);
}

// Builds node i over leaves [leafA, leafB) and everything below it, with
// `rest` as scratch (room for twice the points); see kdtree.cpp.
void buildNode(Tree &tree, HotPoint *rest, std::size_t i, std::size_t leafA, std::size_t leafB);
// Every node's largest reach, from the points up.
void setReaches(Tree &tree);

} // namespace whisper::matchdetail
