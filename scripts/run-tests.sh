#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every test through CTest. The tests start what they need themselves,
# on loopback and free ports, and stop it again: whisperchat-server processes,
# the whisperchat-cli and whisperchat-loadgen clients, a private PostgreSQL 15
# cluster in a temporary directory (initdb/postgres, tst_accounts_pg), and the
# oathtool and openssl tools. GUI tests use Qt's offscreen platform, so no
# display server is needed. This script only sets up the environment they
# share.
#
# Then, in build directories of their own (docs/TESTING.md), the suites
# again under AddressSanitizer + UBSan (scripts/run-sanitizers.sh asan) and a
# short run of every fuzz target (scripts/run-fuzz.sh, FUZZ_SMOKE_SECONDS,
# default 60 s each). Every phase runs even when an earlier one failed, and
# any failure fails the whole run. WHISPER_TEST_PHASES picks phases
# (default "suite asan fuzz").
set -euo pipefail
build_dir=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
phases=${WHISPER_TEST_PHASES:-suite asan fuzz}
failed=()

# CTest starts the longest suites first when it knows their durations from
# an earlier run in the build directory; a fresh build directory has none,
# and would start them in the order they are declared (the long cluster
# suites last, with one core idle at the end). It gets the durations of
# a reference run instead (scripts/test-costs/, docs/TESTING.md).
seed_costs() { # build directory, seed file
  local data=$1/Testing/Temporary/CTestCostData.txt
  [ -f "$data" ] || { mkdir -p "$(dirname "$data")" && cp "$2" "$data"; }
}

run_suite() {
  cd "$root/$build_dir" 2>/dev/null || cd "$build_dir"
  seed_costs . "$root/scripts/test-costs/suite.txt"
  # GUI tests render offscreen unless a display was given explicitly.
  export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
  # A build without tests (WHISPER_BUILD_TESTS=OFF, or a broken test list)
  # must fail here rather than pass on zero tests.
  ctest --output-on-failure --no-tests=error -j2 --timeout 600
}

for phase in $phases; do
  start=$SECONDS
  echo "=== test phase: $phase"
  case $phase in
  suite) (run_suite) || failed+=("$phase") ;;
  # Every suite under ASan but the packaging and set-up script suites,
  # which run no program of ours that the suite phase did not already run
  # (docs/TESTING.md, "Time budget"). SAN_LABELS=unit narrows it to the
  # unit suites; SAN_EXCLUDE_LABELS= adds the two back (`make test-asan`).
  asan) SAN_LABELS=${SAN_LABELS-} SAN_EXCLUDE_LABELS=${SAN_EXCLUDE_LABELS-packaging|scripts} \
    bash "$root/scripts/run-sanitizers.sh" asan || failed+=("$phase") ;;
  tsan) bash "$root/scripts/run-sanitizers.sh" tsan || failed+=("$phase") ;;
  fuzz) FUZZ_SECONDS=${FUZZ_SMOKE_SECONDS:-60} bash "$root/scripts/run-fuzz.sh" || failed+=("$phase") ;;
  *)
    echo "unknown test phase '$phase'" >&2
    failed+=("$phase")
    ;;
  esac
  echo "=== test phase $phase took $((SECONDS - start)) s"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed test phases: ${failed[*]}" >&2
  exit 1
fi
