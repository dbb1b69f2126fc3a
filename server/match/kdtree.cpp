// SPDX-License-Identifier: MIT
#include "kdtree.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace whisper::matchdetail {

namespace {

constexpr std::size_t kSplitSample = 64;

// Reorders [a, a + n) so that the k smallest by coordinate Dim come first
// (like std::nth_element, whose result the tree does not otherwise rely on:
// boxes are taken from the points, so any split is exact, and a median one
// keeps the tree balanced). Floyd and Rivest's selection: two pivots from a
// sample, a little below and a little above the k/n quantile, so that one
// pass usually leaves k in a middle part of a fraction of the range, which
// the next round takes. A single pivot at the quantile kept about half the
// range per round: twice the passes, and with it a Morton-order presort of
// big batches paid off; now building on arrival order is faster and
// searches no slower (docs/DECISIONS.md). The pass is branch-free
// (the compares are coin flips; std::nth_element's mispredicted branches
// were most of the build) and out of place: points below are packed in
// place (their slot has always been read already), the others go to `rest`
// (room for 2n points) and are copied back. Small samples measured best:
// their sort is most of a small range's cost (docs/MATCHING.md).
template <int Dim>
void selectNth(HotPoint *a, std::size_t n, std::size_t k, HotPoint *rest) {
    constexpr std::size_t kSmall = 8;
    constexpr std::size_t kMaxSample = 31;
    // A bad pivot sequence cannot loop long: after this many rounds the
    // standard selection finishes.
    for (int round = 0; round < 64 && n > kSmall; ++round) {
        const std::size_t samples = n >= 4096 ? kMaxSample : n >= 256 ? 15 : 7;
        const std::size_t spread = n >= 4096 ? 3 : n >= 256 ? 2 : 1;
        std::array<float, kMaxSample> sample;
        for (std::size_t s = 0; s < samples; ++s)
            sample[s] = a[s * (n - 1) / (samples - 1)].unit[Dim];
        std::sort(sample.begin(), sample.begin() + long(samples));
        const std::size_t at = k * (samples - 1) / (n - 1);
        const float low = sample[at > spread ? at - spread : 0];
        const float high = sample[std::min(at + spread, samples - 1)];
        HotPoint *const middle = rest;
        HotPoint *const upper = rest + n;
        std::size_t below = 0;
        std::size_t inside = 0;
        std::size_t above = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const HotPoint x = a[i];
            const bool isBelow = x.unit[Dim] < low;
            const bool isAbove = x.unit[Dim] > high;
            a[below] = x;
            middle[inside] = x;
            upper[above] = x;
            below += isBelow;
            above += isAbove;
            inside += !isBelow & !isAbove;
        }
        std::memcpy(a + below, middle, inside * sizeof(HotPoint));
        std::memcpy(a + below + inside, upper, above * sizeof(HotPoint));
        if (k < below) {
            n = below;
        } else if (k < below + inside) {
            if (low == high)
                return; // all equal there: any order is sorted
            a += below;
            n = inside;
            k -= below;
        } else {
            a += below + inside;
            n = above;
            k -= below + inside;
        }
    }
    std::nth_element(a, a + k, a + n, [](const HotPoint &x, const HotPoint &y) {
        return x.unit[Dim] < y.unit[Dim];
    });
}

} // namespace

// Builds node i over leaves [leafA, leafB): a median split along the widest
// side of the points' bounding box (estimated from a sample for big nodes:
// an exact box per node and level was a pass over all points per level),
// then the node's exact box from its children. Every leaf but the last few
// is full and the rest are empty (dead), so the tree is balanced and the
// layout implicit. Reaches are set once the points have them (setReaches).
void buildNode(Tree &tree, HotPoint *rest, std::size_t i, std::size_t leafA, std::size_t leafB) {
    HotPoint *const points = tree.hot;
    const std::size_t first = tree.leafBegin(leafA);
    const std::size_t last = tree.leafBegin(leafB);
    if (first == last)
        return; // empty: stays dead
    Node &n = tree.node(i);
    const auto extent = [&](std::size_t stride, Node &box) {
        box.lo = box.hi = points[first].unit;
        for (std::size_t p = first; p < last; p += stride) {
            for (int k = 0; k < 3; ++k) {
                box.lo[k] = std::min(box.lo[k], points[p].unit[k]);
                box.hi[k] = std::max(box.hi[k], points[p].unit[k]);
            }
        }
    };
    if (leafB - leafA == 1) {
        extent(1, n);
        return;
    }
    Node sample;
    extent(std::max<std::size_t>(1, (last - first) / kSplitSample), sample);
    int dim = 0;
    for (int k = 1; k < 3; ++k)
        if (sample.hi[k] - sample.lo[k] > sample.hi[dim] - sample.lo[dim])
            dim = k;
    const std::size_t leafMid = (leafA + leafB) / 2;
    // One instantiation per axis: a constant offset in the comparison.
    const auto split = [&]<int Dim>() {
        selectNth<Dim>(points + first, last - first, tree.leafBegin(leafMid) - first, rest);
    };
    if (dim == 0)
        split.operator()<0>();
    else if (dim == 1)
        split.operator()<1>();
    else
        split.operator()<2>();
    buildNode(tree, rest, 2 * i, leafA, leafMid);
    buildNode(tree, rest, 2 * i + 1, leafMid, leafB);
    const Node &a = tree.node(2 * i);
    const Node &b = tree.node(2 * i + 1);
    n.lo = a.lo;
    n.hi = a.hi;
    if (tree.leafBegin(leafMid) < last) {
        for (int k = 0; k < 3; ++k) {
            n.lo[k] = std::min(n.lo[k], b.lo[k]);
            n.hi[k] = std::max(n.hi[k], b.hi[k]);
        }
    }
}

void setReaches(Tree &tree) {
    for (std::size_t leaf = 0; leaf < tree.leaves; ++leaf)
        tree.node(tree.leaves + leaf).maxReach2 = tree.leafReach(leaf);
    for (std::size_t i = tree.leaves - 1; i >= 1; --i)
        tree.node(i).maxReach2 =
            std::max(tree.node(2 * i).maxReach2, tree.node(2 * i + 1).maxReach2);
}

} // namespace whisper::matchdetail
