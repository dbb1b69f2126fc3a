#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configures the CMake build directory once; later runs only rebuild. Extra
# arguments are passed to CMake and always reconfigure.
set -euo pipefail
build_dir=${1:-build}
build_type=${2:-Release}
shift 2 || true

# The cache is reused only when it builds the tests: `make test` on a
# directory configured with WHISPER_BUILD_TESTS=OFF would otherwise run no
# test at all. A cache left by a configure step that failed is no reason to
# skip it either.
cache_builds_tests() {
  local cache=$1/CMakeCache.txt value
  [ -f "$cache" ] || return 1
  [ -f "$1/build.ninja" ] || [ -f "$1/Makefile" ] || return 1
  value=$(sed -n 's/^WHISPER_BUILD_TESTS:BOOL=//p' "$cache")
  case ${value^^} in
  ON | 1 | TRUE | YES | Y) return 0 ;;
  *) return 1 ;;
  esac
}

if [ $# -eq 0 ] && cache_builds_tests "$build_dir"; then
  exit 0
fi
if [ $# -eq 0 ]; then
  # Default flags; a cache that turned the tests off gets them back on.
  set -- -DWHISPER_BUILD_TESTS=ON
fi
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
generator=()
# An existing cache keeps its generator; CMake refuses to switch it.
if [ ! -f "$build_dir/CMakeCache.txt" ] && command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="$build_type" "${launcher[@]}" "$@"
