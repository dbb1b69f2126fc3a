#!/usr/bin/env bash
# Configures the CMake build directory once; later runs only rebuild.
set -euo pipefail
build_dir=${1:-build}
build_type=${2:-Release}
shift 2 || true
if [ -f "$build_dir/CMakeCache.txt" ] && [ $# -eq 0 ]; then
  exit 0
fi
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="$build_type" "${launcher[@]}" "$@"
