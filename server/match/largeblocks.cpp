// SPDX-License-Identifier: MIT
#include "largeblocks.h"

#include <algorithm>
#include <cstdlib>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace whisper {

void *allocateLargeBlock(std::size_t bytes, std::size_t alignment) {
    if (bytes < kLargeBlockFrom)
        return ::operator new(bytes, std::align_val_t(alignment));
    const std::size_t rounded = largeBlockBytes(bytes);
    void *p = std::aligned_alloc(kHugePageBytes, rounded);
    if (!p)
        throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    ::madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return p;
}

void freeLargeBlock(void *p, std::size_t bytes, std::size_t alignment) noexcept {
    if (!p)
        return;
    if (bytes < kLargeBlockFrom)
        ::operator delete(p, std::align_val_t(alignment));
    else
        std::free(p);
}

LargeBlockCache::LargeBlockCache(std::size_t prefill, std::size_t capacity)
    : m_capacity(capacity) {
    m_free.reserve(capacity);
    for (std::size_t i = 0; i < std::min(prefill, capacity); ++i) {
        auto *p = static_cast<char *>(allocateLargeBlock(kHugePageBytes, kHugePageBytes));
        // One write faults in the whole huge page (where there are huge
        // pages; elsewhere the first 4 KiB).
        *p = 0;
        m_free.push_back(p);
    }
}

LargeBlockCache::~LargeBlockCache() {
    for (void *p : m_free)
        freeLargeBlock(p, kHugePageBytes, kHugePageBytes);
}

void *LargeBlockCache::allocate(std::size_t bytes, std::size_t alignment) {
    if (largeBlockBytes(bytes) == kHugePageBytes) {
        const std::lock_guard lock(m_mutex);
        if (!m_free.empty()) {
            void *p = m_free.back();
            m_free.pop_back();
            return p;
        }
    }
    return allocateLargeBlock(bytes, alignment);
}

void LargeBlockCache::deallocate(void *p, std::size_t bytes, std::size_t alignment) noexcept {
    if (p && largeBlockBytes(bytes) == kHugePageBytes) {
        const std::lock_guard lock(m_mutex);
        if (m_free.size() < m_capacity) {
            m_free.push_back(p);
            return;
        }
    }
    freeLargeBlock(p, bytes, alignment);
}

std::size_t LargeBlockCache::cached() const {
    const std::lock_guard lock(m_mutex);
    return m_free.size();
}

} // namespace whisper
