#include "largeblocks.h"

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

} // namespace whisper
