// SPDX-License-Identifier: MIT
#pragma once

// Memory for the matching engine's big arrays. On the machines we measure
// on (virtual machines with shadow page tables), a first touch of fresh
// memory costs far less per byte in a whole 2 MiB huge page than page by
// page in 4 KiB pages, and a tick touching its arrays page by page spent a
// large share of its time in page faults (docs/MATCHING.md, "Memory is
// time here"). Blocks from 64 KiB up are therefore whole,
// aligned 2 MiB units offered to the kernel as transparent huge pages
// (Debian's default THP mode is "madvise"); smaller ones come from the heap.
// Where huge pages are off this costs nothing but the rounding.

#include <cstddef>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

namespace whisper {

// Blocks of at least this many bytes are rounded up to whole huge pages.
inline constexpr std::size_t kLargeBlockFrom = std::size_t(64) << 10;
inline constexpr std::size_t kHugePageBytes = std::size_t(2) << 20;

// The bytes allocateLargeBlock() really reserves for a block of `bytes`.
inline constexpr std::size_t largeBlockBytes(std::size_t bytes) {
    return bytes < kLargeBlockFrom ? bytes
                                   : (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
}

// How many elements of `elementSize` bytes the block for `n` of them holds:
// a growing array that reserves this much uses its whole huge pages before
// it needs a new block.
inline constexpr std::size_t largeBlockCapacity(std::size_t n, std::size_t elementSize) {
    return largeBlockBytes(n * elementSize) / elementSize;
}

// `alignment` is honoured for small blocks; large ones are 2 MiB-aligned.
// Throws std::bad_alloc.
void *allocateLargeBlock(std::size_t bytes, std::size_t alignment);
// `bytes` and `alignment` as given to allocateLargeBlock.
void freeLargeBlock(void *p, std::size_t bytes, std::size_t alignment) noexcept;

template <class T>
struct LargeBlockAllocator {
    using value_type = T;

    LargeBlockAllocator() = default;
    template <class U>
    LargeBlockAllocator(const LargeBlockAllocator<U> &) {}

    T *allocate(std::size_t n) {
        return static_cast<T *>(allocateLargeBlock(n * sizeof(T), alignof(T)));
    }
    void deallocate(T *p, std::size_t n) noexcept { freeLargeBlock(p, n * sizeof(T), alignof(T)); }
    template <class U>
    bool operator==(const LargeBlockAllocator<U> &) const {
        return true;
    }
};

// Whole huge pages kept faulted in for the next block of that size: a
// matching engine frees a tree and a tick's results of this size every
// tick or so and would otherwise take them fresh again (a page fault and a
// zeroed 2 MiB each). Made with `prefill` pages already taken and touched,
// so an engine's first tick has them too; keeps at most `capacity`. Blocks
// may be given back from any thread (a tick's results are let go where they
// are applied).
class LargeBlockCache {
public:
    LargeBlockCache(std::size_t prefill, std::size_t capacity);
    ~LargeBlockCache();
    LargeBlockCache(const LargeBlockCache &) = delete;
    LargeBlockCache &operator=(const LargeBlockCache &) = delete;

    // A block for `bytes`, from the cache when it is one huge page.
    void *allocate(std::size_t bytes, std::size_t alignment);
    void deallocate(void *p, std::size_t bytes, std::size_t alignment) noexcept;
    std::size_t cached() const;

private:
    mutable std::mutex m_mutex;
    std::vector<void *> m_free;
    std::size_t m_capacity;
};

// LargeBlockAllocator through a LargeBlockCache (none: straight to the
// system, as LargeBlockAllocator).
template <class T>
struct CachedBlockAllocator {
    using value_type = T;
    using propagate_on_container_copy_assignment = std::true_type;
    using propagate_on_container_move_assignment = std::true_type;
    using propagate_on_container_swap = std::true_type;

    CachedBlockAllocator() = default;
    explicit CachedBlockAllocator(std::shared_ptr<LargeBlockCache> cache)
        : m_cache(std::move(cache)) {}
    template <class U>
    CachedBlockAllocator(const CachedBlockAllocator<U> &other)
        : m_cache(other.cache()) {}

    T *allocate(std::size_t n) {
        void *p = m_cache ? m_cache->allocate(n * sizeof(T), alignof(T))
                          : allocateLargeBlock(n * sizeof(T), alignof(T));
        return static_cast<T *>(p);
    }
    void deallocate(T *p, std::size_t n) noexcept {
        if (m_cache)
            m_cache->deallocate(p, n * sizeof(T), alignof(T));
        else
            freeLargeBlock(p, n * sizeof(T), alignof(T));
    }
    const std::shared_ptr<LargeBlockCache> &cache() const { return m_cache; }
    // Any two can free each other's blocks: a cache takes back only whole
    // huge pages, which are all alike, and hands the rest to the system.
    template <class U>
    bool operator==(const CachedBlockAllocator<U> &) const {
        return true;
    }

private:
    std::shared_ptr<LargeBlockCache> m_cache;
};

} // namespace whisper
