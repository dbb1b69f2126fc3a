#include "matchengine.h"

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

namespace {

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
// (scanLeaf()). Each level less is a pass less of the build: at 20k, 16
// points built in 0.98 ms, 32 in 0.75 and 64 in 0.59. With the points
// stored by component a leaf of 64 searches as fast as one of 32 on four
// lanes (it searched 25 % slower when points had to be shuffled apart) and
// 10 % faster on eight.
constexpr unsigned kLeafShift = 6;
constexpr std::size_t kLeafSize = std::size_t(1) << kLeafShift;
// Levels above a leaf: slots are 32-bit, so a tree has at most 2^26 leaves.
constexpr std::size_t kMaxDepth = 32 - kLeafShift;
constexpr std::size_t kSplitSample = 64;
// Below this many dead slots nothing is compacted: rebuilding is not worth it.
constexpr std::size_t kCompactionSlack = 4096;
// Dead points a tree may carry beyond its live ones before it is rebuilt.
constexpr std::size_t kPruneSlack = 256;
// How many served clients ahead a tick prefetches the memory a search needs.
constexpr std::size_t kPrefetchAhead = 16;

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
// The reach of a dead point, and of a subtree without live points: below
// every squared distance, so the one reach comparison also skips the dead.
constexpr float kDead = -1.0f;

template <class T>
using BigVector = std::vector<T, LargeBlockAllocator<T>>;

// push_back that grows into the whole of its huge pages (see
// largeBlockCapacity()) rather than to a fresh block at every doubling.
template <class T>
void append(BigVector<T> &v, const T &x) {
    if (v.size() == v.capacity())
        v.reserve(largeBlockCapacity(std::max<std::size_t>(16, 2 * v.size()), sizeof(T)));
    v.push_back(x);
}

// A fixed-size array whose memory is not written until used: a vector's
// resize would zero it in a pass of its own, and before it is filled the
// memory can serve as scratch space (see buildTree()).
template <class T>
class RawArray {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
    RawArray() = default;
    explicit RawArray(std::size_t n, CachedBlockAllocator<T> allocator = {})
        : m_allocator(std::move(allocator))
        , m_data(n ? m_allocator.allocate(n) : nullptr)
        , m_size(n) {}
    RawArray(RawArray &&other) noexcept
        : m_allocator(other.m_allocator)
        , m_data(std::exchange(other.m_data, nullptr))
        , m_size(std::exchange(other.m_size, 0)) {}
    RawArray &operator=(RawArray &&other) noexcept {
        std::swap(m_allocator, other.m_allocator);
        std::swap(m_data, other.m_data);
        std::swap(m_size, other.m_size);
        return *this;
    }
    ~RawArray() {
        if (m_data)
            m_allocator.deallocate(m_data, m_size);
    }

    T *data() { return m_data; }
    const T *data() const { return m_data; }
    std::size_t size() const { return m_size; }
    T &operator[](std::size_t i) { return m_data[i]; }
    const T &operator[](std::size_t i) const { return m_data[i]; }

private:
    CachedBlockAllocator<T> m_allocator;
    T *m_data = nullptr;
    std::size_t m_size = 0;
};

// An engine's first huge page, one of the pages its LargeBlockCache takes
// and touches when the engine is made, so that its first arrivals do not
// pay for it: it holds the first segment of the entries and the id map's
// first table, the two arrays every engine fills first, which used to take
// a fresh huge page each (a page fault of 0.1-0.3 ms on the machines we
// measure on, see largeblocks.h). Each part is lent to one owner at a time
// and given back when that owner lets it go.
class FirstBlock {
public:
    enum Part { Entries, IdMap };
    static constexpr std::size_t kIdMapBytes = std::size_t(256) << 10;
    static constexpr std::size_t kEntriesBytes = kHugePageBytes - kIdMapBytes;

    explicit FirstBlock(std::shared_ptr<LargeBlockCache> blocks)
        : m_block(kHugePageBytes, CachedBlockAllocator<std::byte>(std::move(blocks))) {}

    void *borrow(Part part) {
        if (m_lent[part])
            return nullptr;
        m_lent[part] = true;
        return address(part);
    }
    // Takes back the part at p; false (and nothing) when p is not a part,
    // so an owner need not remember where its memory came from.
    bool giveBack(const void *p) {
        for (const Part part : {Entries, IdMap})
            if (p == address(part)) {
                m_lent[part] = false;
                return true;
            }
        return false;
    }

private:
    std::byte *address(Part part) { return m_block.data() + (part == Entries ? 0 : kEntriesBytes); }

    RawArray<std::byte> m_block;
    std::array<bool, 2> m_lent{};
};

// A growing array that never moves its elements: segment s > 0 holds
// kFirst * 2^(s-1) of them. A vector's growth would copy a million entries
// and touch twice their memory (fresh pages, each a fault) on the way. The
// first segment is borrowed from the FirstBlock when it is free.
template <class T>
class SegmentedVector {
    static_assert(alignof(T) <= 64 && FirstBlock::kEntriesBytes % sizeof(T) == 0);

public:
    explicit SegmentedVector(FirstBlock &first)
        : m_first(&first) {}
    SegmentedVector(const SegmentedVector &) = delete;
    SegmentedVector &operator=(const SegmentedVector &) = delete;
    ~SegmentedVector() {
        truncate(0);
        if (m_segments.empty())
            return;
        if (!m_first->giveBack(m_segments[0]))
            LargeBlockAllocator<T>().deallocate(m_segments[0], capacityOf(0));
    }

    // Drops the elements from n on, and the segments past the first that
    // are left empty.
    void truncate(std::size_t n) {
        for (std::size_t i = n; i < m_size; ++i)
            (*this)[i].~T();
        m_size = std::min(m_size, n);
        const std::size_t used = n == 0 ? 1 : segmentOf(n - 1) + 1;
        while (m_segments.size() > used) {
            LargeBlockAllocator<T>().deallocate(m_segments.back(),
                                                capacityOf(m_segments.size() - 1));
            m_segments.pop_back();
        }
    }

    std::size_t size() const { return m_size; }
    // The first segment, where a room of up to 28k clients lives, without
    // the division the others need.
    T &operator[](std::size_t i) {
        return i < kFirst ? m_segments[0][i] : m_segments[segmentOf(i)][offsetOf(i)];
    }
    const T &operator[](std::size_t i) const {
        return i < kFirst ? m_segments[0][i] : m_segments[segmentOf(i)][offsetOf(i)];
    }

    T &emplace_back() {
        const std::size_t s = segmentOf(m_size);
        if (s == m_segments.size()) {
            void *first = s == 0 ? m_first->borrow(FirstBlock::Entries) : nullptr;
            m_segments.push_back(first ? static_cast<T *>(first)
                                       : LargeBlockAllocator<T>().allocate(capacityOf(s)));
        }
        T *x = new (m_segments[s] + offsetOf(m_size)) T();
        ++m_size;
        return *x;
    }

private:
    static constexpr std::size_t kFirst = FirstBlock::kEntriesBytes / sizeof(T);
    static std::size_t capacityOf(std::size_t s) { return s == 0 ? kFirst : kFirst << (s - 1); }
    static std::size_t segmentOf(std::size_t i) { return std::size_t(std::bit_width(i / kFirst)); }
    static std::size_t offsetOf(std::size_t i) {
        const std::size_t s = segmentOf(i);
        return s == 0 ? i : i - (kFirst << (s - 1));
    }

    FirstBlock *m_first = nullptr;
    std::vector<T *> m_segments;
    std::size_t m_size = 0;
};

// Squared chord (on the unit sphere) of a range, padded: nothing farther can
// be in reach. The chord is monotonic in the great-circle distance, which is
// what makes a Euclidean k-d tree exact for this search. A tick takes one
// per point, so no library sine where it can be helped (double's was a
// twentieth of a 20k tick, float's a fortieth): up to 1000 km (half angle
// under 0.08) three terms of the sine's series in double, whose next term
// is under 5e-12; beyond, a float sine, whose and the half angle's rounding
// are each under 1.2e-7. Either way the chord is off by under 3.2e-7 (see
// kChordPad).
float squaredReach(double km) {
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

bool excludes(const std::vector<Exclusion> &list, std::uint64_t key, std::int64_t nowMs) {
    return std::any_of(list.begin(), list.end(),
                       [&](const Exclusion &e) { return e.key == key && e.untilMs > nowMs; });
}

// A prefetch the optimizer cannot drop. GCC 12 deleted every
// __builtin_prefetch of prefetchSearch() below (a function that only
// prefetches looks pure, and an unused pure call goes), which measured as
// a third of a 1M tick spent waiting for the served client's own leaf.
inline void prefetch(const void *p) {
#if defined(__x86_64__) || defined(__i386__)
    asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char *>(p)));
#else
    __builtin_prefetch(p);
#endif
}

// Client id -> slot. Open addressing with linear probing, backward-shift
// deletion and 8-byte cells (a 32-bit tag of the id's hash and the slot; a
// tag match is confirmed against the entry's id, which only a duplicate or
// a 1-in-4-billion collision needs). A tick inserts and erases a million ids:
// std::unordered_map's node per id measured at a fifth of a 1M tick, and
// every byte here is fresh memory the tick pays a page fault for.
class SlotMap {
public:
    explicit SlotMap(FirstBlock &first)
        : m_first(&first) {}
    SlotMap(const SlotMap &) = delete;
    ~SlotMap() { m_first->giveBack(m_table); }

    // idOf(slot) gives the id stored at a slot.
    template <class IdOf>
    std::uint32_t find(ClientId id, const IdOf &idOf) const {
        if (m_size == 0)
            return kNone;
        const std::uint32_t t = tag(id);
        for (std::size_t i = home(t);; i = (i + 1) & m_mask) {
            const Cell &c = m_table[i];
            if (c.slot == kNone || (c.tag == t && idOf(c.slot) == id))
                return c.slot;
        }
    }

    // False when the id is already there.
    template <class IdOf>
    bool insert(ClientId id, std::uint32_t slot, const IdOf &idOf) {
        if ((m_size + 1) * 4 > tableSize() * 3)
            grow();
        const std::uint32_t t = tag(id);
        for (std::size_t i = home(t);; i = (i + 1) & m_mask) {
            Cell &c = m_table[i];
            if (c.slot == kNone) {
                c = {t, slot};
                ++m_size;
                return true;
            }
            if (c.tag == t && idOf(c.slot) == id)
                return false;
        }
    }

    // Moves a present id from one slot to another.
    void update(ClientId id, std::uint32_t from, std::uint32_t to) {
        for (std::size_t i = home(tag(id));; i = (i + 1) & m_mask)
            if (m_table[i].slot == from) {
                m_table[i].slot = to;
                return;
            }
    }

    // Erases a present id, known to be at `slot`.
    void erase(ClientId id, std::uint32_t slot) {
        std::size_t hole = home(tag(id));
        while (m_table[hole].slot != slot)
            hole = (hole + 1) & m_mask;
        // Pull later cells of the probe run back into the hole when the hole
        // lies between their home and where they sit, so every id stays
        // reachable from its home without tombstones.
        for (std::size_t j = (hole + 1) & m_mask; m_table[j].slot != kNone; j = (j + 1) & m_mask) {
            const std::size_t h = home(m_table[j].tag);
            if (((j - h) & m_mask) >= ((j - hole) & m_mask)) {
                m_table[hole] = m_table[j];
                hole = j;
            }
        }
        m_table[hole].slot = kNone;
        --m_size;
    }

    std::size_t size() const { return m_size; }

    void prefetch(ClientId id) const {
        if (m_size != 0)
            whisper::prefetch(&m_table[home(tag(id))]);
    }

private:
    struct Cell {
        std::uint32_t tag = 0;
        std::uint32_t slot = kNone;
    };

    // Fibonacci hashing (consecutive ids land far apart); the tag is the
    // hash's top half and the home its top bits, so a cell knows its home.
    static std::uint32_t tag(ClientId id) {
        return std::uint32_t((id * 0x9E3779B97F4A7C15ull) >> 32);
    }
    std::size_t home(std::uint32_t t) const { return std::size_t(t >> m_shift) & m_mask; }

    std::size_t tableSize() const { return m_table ? m_mask + 1 : 0; }

    // The table starts at 2^15 cells (a 20k room's ids then stay in 256 KB,
    // within the core's cache, where a 2 MiB table missed it on every
    // insert: a twelfth of a 20k tick), in the FirstBlock when it is free.
    // Later tables are the first tableSize() cells of a block of whole huge
    // pages (doublings on the heap were fresh 4 KiB pages each time and a
    // rehash: a sixth of adding 20k clients): a doubling copies the old
    // table past the new one's end, in the same block, while there is room
    // for it there, and takes a new block only when there is not.
    void grow() {
        constexpr std::size_t kFirstTable = FirstBlock::kIdMapBytes / sizeof(Cell);
        const std::size_t old = tableSize();
        const std::size_t size = std::max(kFirstTable, 2 * old);
        const Cell *from = m_table; // the old table, wherever it ends up
        RawArray<Cell> oldBlock;
        void *first = old == 0 ? m_first->borrow(FirstBlock::IdMap) : nullptr;
        if (first) {
            m_table = static_cast<Cell *>(first);
        } else if (old != 0 && m_table == m_block.data() && size + old <= m_block.size()) {
            std::memcpy(m_table + size, m_table, old * sizeof(Cell));
            from = m_table + size;
        } else {
            oldBlock = std::move(m_block);
            m_block = RawArray<Cell>(
                largeBlockCapacity(std::max(kHugePageBytes / sizeof(Cell), size), sizeof(Cell)));
            m_table = m_block.data();
        }
        std::fill_n(m_table, size, Cell{});
        m_mask = size - 1;
        m_shift = 32 - unsigned(std::countr_zero(size));
        for (std::size_t k = 0; k < old; ++k) {
            const Cell &c = from[k];
            if (c.slot == kNone)
                continue;
            std::size_t i = home(c.tag);
            while (m_table[i].slot != kNone)
                i = (i + 1) & m_mask;
            m_table[i] = c;
        }
        if (from != m_table)
            m_first->giveBack(from); // a table in the first block, left behind
    }

    FirstBlock *m_first = nullptr;
    Cell *m_table = nullptr;
    RawArray<Cell> m_block; // the table's, unless it is the first block's
    std::size_t m_mask = 0;
    unsigned m_shift = 31;
    std::size_t m_size = 0;
};

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
        // kills stop here instead of rescanning the leaf (a 20k city tick's
        // searches, with two kills per pair: 3.0 -> 2.8 ms).
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
HotPoint buildPoint(std::array<float, 3> unit, std::uint32_t slot) {
    return {unit, std::bit_cast<float>(slot)};
}
std::uint32_t slotOfBuildPoint(const HotPoint &p) {
    return std::bit_cast<std::uint32_t>(p.reach2);
}

// Reorders [a, a + n) so that the k smallest by coordinate Dim come first
// (like std::nth_element, whose result the tree does not otherwise rely on:
// boxes are taken from the points, so any split is exact, and a median one
// keeps the tree balanced). Floyd and Rivest's selection: two pivots from a
// sample, a little below and a little above the k/n quantile, so that one
// pass usually leaves k in a middle part of a fraction of the range, which
// the next round takes. A single pivot at the quantile kept about half the
// range per round: twice the passes, and with it a Morton-order presort of
// big batches paid off; now building on arrival order is faster (60 rather
// than 100-113 ms at 1M) and searches no slower. The pass is branch-free
// (the compares are coin flips; std::nth_element's mispredicted branches
// were most of the build) and out of place: points below are packed in
// place (their slot has always been read already), the others go to `rest`
// (room for 2n points) and are copied back. Small samples measured best
// (their sort is most of a small range's cost): 1.7 -> 1.2 ms at 20k.
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

// Every node's largest reach, from the points up.
void setReaches(Tree &tree) {
    for (std::size_t leaf = 0; leaf < tree.leaves; ++leaf)
        tree.node(tree.leaves + leaf).maxReach2 = tree.leafReach(leaf);
    for (std::size_t i = tree.leaves - 1; i >= 1; --i)
        tree.node(i).maxReach2 =
            std::max(tree.node(2 * i).maxReach2, tree.node(2 * i + 1).maxReach2);
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
        // huge page for a room's few survivors: 0.2-3.7 ms for 70 of 20k).
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
