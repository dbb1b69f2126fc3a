#pragma once

// Memory for the matching engine's big arrays. On the machines we measure
// on (virtual machines with shadow page tables), the first touch of a fresh
// 4 KiB page costs about 11 us, while a whole 2 MiB huge page costs 0.1-0.3
// ms: a 20k-client tick touching its arrays page by page spent a third of
// its time in page faults. Blocks from 64 KiB up are therefore whole,
// aligned 2 MiB units offered to the kernel as transparent huge pages
// (Debian's default THP mode is "madvise"); smaller ones come from the heap.
// Where huge pages are off this costs nothing but the rounding.

#include <cstddef>
#include <new>

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

} // namespace whisper
