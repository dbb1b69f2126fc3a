#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configures the CMake build directory once; later runs only rebuild. Extra
# arguments are passed to CMake and always reconfigure.
set -euo pipefail
build_dir=${1:-build}
build_type=${2:-Release}
shift 2 || true

# What the build directory is for, from the environment:
#   WHISPER_CONFIGURE_FOR=run      the server and the console client only
#                                  (`make run`): tests, benchmarks and the GUI
#                                  programs are off, so their packages are
#                                  not needed; any existing cache serves
#   WHISPER_CONFIGURE_FOR=package  every program (`make package`)
#   WHISPER_CONFIGURE_FOR=full     programs, tests and benchmarks (default)
# A cache with what the purpose needs is reused. `make test` on a directory
# configured with WHISPER_BUILD_TESTS=OFF would otherwise run no test at
# all. A cache left by a configure step that failed is no reason to skip it
# either.
purpose=${WHISPER_CONFIGURE_FOR:-full}
case "$purpose" in
run) needed=() ;;
package) needed=(WHISPER_BUILD_GUI) ;;
full) needed=(WHISPER_BUILD_GUI WHISPER_BUILD_TESTS WHISPER_BUILD_BENCH) ;;
*) echo "configure: WHISPER_CONFIGURE_FOR must be run, package or full" >&2; exit 2 ;;
esac

cache_option_on() {
  local value
  value=$(sed -n "s/^$2:BOOL=//p" "$1/CMakeCache.txt")
  # An option missing from the cache takes its default, ON.
  case ${value^^} in
  ON | 1 | TRUE | YES | Y | "") return 0 ;;
  *) return 1 ;;
  esac
}
cache_serves() {
  [ -f "$1/CMakeCache.txt" ] || return 1
  [ -f "$1/build.ninja" ] || [ -f "$1/Makefile" ] || return 1
  local option
  for option in "${needed[@]}"; do
    cache_option_on "$1" "$option" || return 1
  done
}

if [ $# -eq 0 ] && cache_serves "$build_dir"; then
  exit 0
fi
if [ $# -eq 0 ]; then
  # Default flags; a cache that turned a needed part off gets it back on.
  case "$purpose" in
  run) set -- -DWHISPER_BUILD_TESTS=OFF -DWHISPER_BUILD_BENCH=OFF -DWHISPER_BUILD_GUI=OFF ;;
  package) set -- -DWHISPER_BUILD_GUI=ON ;;
  full) set -- -DWHISPER_BUILD_TESTS=ON -DWHISPER_BUILD_BENCH=ON -DWHISPER_BUILD_GUI=ON ;;
  esac
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
