// SPDX-License-Identifier: MIT
#pragma once

// What a test may assume about timing and memory when it, and with it every
// server and client it starts, is built with a sanitizer (`make test-asan`,
// `make test-tsan`: one build directory holds all the programs).

namespace whisper::test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kInstrumented = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kInstrumented = true;
#else
inline constexpr bool kInstrumented = false;
#endif
#else
inline constexpr bool kInstrumented = false;
#endif

// A sanitizer's process keeps memory that our code has freed (ASan's
// quarantine holds up to 256 MiB of freed blocks so that a use after free
// is caught) and maps shadow memory as the heap grows, so its resident size
// says nothing about our buffers. Bounds on resident memory are asserted by
// the uninstrumented suite; the instrumented run drives the same traffic and
// checks everything else.
inline constexpr bool kResidentMemoryIsMeaningful = !kInstrumented;

// Time limits that a test asserts as a property of the server (a shutdown
// within 2 s) are stretched by this factor under a sanitizer: instrumented
// code runs several times slower, and the exit runs LeakSanitizer's heap scan.
inline constexpr int kTimeScale = kInstrumented ? 5 : 1;
constexpr int scaledMs(int ms) {
    return ms * kTimeScale;
}

} // namespace whisper::test
