#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configures the sanitizer build directory (default build-asan) that `make
# test-asan` and `make fuzz` share: clang-14 with AddressSanitizer, UBSan
# and libFuzzer's coverage instrumentation, so one build serves both the
# instrumented test suites and the fuzz targets. -O1 keeps the build and the
# instrumented tests fast; line tables give reports file and line. The
# benchmarks are left out. Does nothing when the directory is configured.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build-asan}
if [ -f "$build_dir/build.ninja" ] || [ -f "$build_dir/Makefile" ]; then
  exit 0
fi
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
CC=${SAN_CC:-clang-14} CXX=${SAN_CXX:-clang++-14} cmake -S . -B "$build_dir" "${generator[@]}" \
  "${launcher[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only -DNDEBUG" \
  -DWHISPER_SANITIZE=address,undefined -DWHISPER_FUZZ=ON \
  -DWHISPER_BUILD_TESTS=ON -DWHISPER_BUILD_BENCH=OFF
