// SPDX-License-Identifier: MIT
#pragma once

// The engine's containers: arrays in huge-page blocks (BigVector, RawArray),
// the engine's first huge page and its lending (FirstBlock), the entry array
// that never moves its elements (SegmentedVector), and the client id -> slot
// map (SlotMap). Internal to the matching core: only matchengine.cpp and
// kdtree.* include it. Why memory is handled this way: docs/MATCHING.md,
// "Memory".

#include "largeblocks.h"
#include "matchtypes.h"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace whisper::matchdetail {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

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
// a fresh huge page each (a costly page fault on the machines we measure
// on, see largeblocks.h). Each part is lent to one owner at a time
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
            matchdetail::prefetch(&m_table[home(tag(id))]);
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

} // namespace whisper::matchdetail
