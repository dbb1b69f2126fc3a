#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the project with a sanitizer in a build directory of its own and
# runs the test suites against that build: every test program and every
# server, client and load generator they start is instrumented.
#   run-sanitizers.sh asan   AddressSanitizer + LeakSanitizer + UBSan, every
#                            CTest suite (build-asan)
#   run-sanitizers.sh tsan   ThreadSanitizer, the suites that run threads:
#                            label `threads`, integration aside (build-tsan)
# Reports go to <build>/sanitizer-logs/ rather than to the tests' output: a
# server process a test starts and stops could otherwise report into a log
# nobody reads. Any report there fails the run, even when every test passed.
# Environment: SAN_BUILD_DIR, SAN_LABELS (a ctest -L regex),
# SAN_EXCLUDE_LABELS (a ctest -LE regex), SAN_TESTS (a ctest -R regex),
# SAN_EXCLUDE_TESTS (a ctest -E regex),
# JOBS (build jobs, 2), SAN_CTEST_JOBS (2), SAN_NO_BUILD=1 (run what is
# built, without building).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?usage: run-sanitizers.sh asan|tsan}
root=$PWD
case $kind in
asan)
  build_dir=${SAN_BUILD_DIR:-build-asan}
  sanitize=address,undefined
  # Every suite by default. The integration suites start instrumented
  # servers and clients whose reports land in the same log directory;
  # `make test` narrows the selection through these variables
  # (scripts/run-tests.sh, docs/TESTING.md).
  labels=${SAN_LABELS-}
  exclude=${SAN_EXCLUDE_LABELS-}
  tests=${SAN_TESTS-}
  exclude_tests=${SAN_EXCLUDE_TESTS-}
  ;;
tsan)
  build_dir=${SAN_BUILD_DIR:-build-tsan}
  sanitize=thread
  # The console's GUI suites would mostly exercise uninstrumented Qt
  # widgets and fonts; the server they drive is covered by the others.
  # The integration suites start the server with QProcess, and TSan's
  # clone() interceptor (clang 14, and 16) aborts in ForkAfter when Qt's
  # forkfd clones the child: they cannot run under TSan here
  # (docs/TESTING.md). SAN_EXCLUDE_LABELS=gui selects them anyway.
  exclude=${SAN_EXCLUDE_LABELS-gui|integration}
  # The suites whose code runs on more than one thread, labelled `threads`
  # (the regex also matches `iothreads`, the integration suites once more
  # with the server on two I/O threads): the transport suites and the
  # threaded listener, the matchmaker's worker, password hashing on its
  # thread pool and the database thread (account service), the epoll
  # dispatcher, the shared limit and metric counters.
  tests=${SAN_TESTS-}
  labels=${SAN_LABELS-threads}
  exclude_tests=${SAN_EXCLUDE_TESTS-}
  ;;
*)
  echo "unknown sanitizer '$kind' (asan or tsan)" >&2
  exit 2
  ;;
esac

if [ "$kind" = asan ]; then
  # Shared with the fuzz targets: clang, ASan + UBSan + coverage.
  bash scripts/configure-asan.sh "$build_dir"
elif [ ! -f "$build_dir/build.ninja" ] && [ ! -f "$build_dir/Makefile" ]; then
  generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  launcher=()
  if command -v ccache >/dev/null 2>&1; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  # -O1 keeps the build and the instrumented tests fast enough; line tables
  # give reports file and line. The benchmarks are not needed.
  CC=${SAN_CC:-clang-14} CXX=${SAN_CXX:-clang++-14} cmake -S . -B "$build_dir" \
    "${generator[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only -DNDEBUG" \
    -DWHISPER_SANITIZE="$sanitize" -DWHISPER_BUILD_TESTS=ON -DWHISPER_BUILD_BENCH=OFF
fi

build_start=$SECONDS
if [ -n "${SAN_NO_BUILD:-}" ]; then
  : # run what is built
elif [ -n "$tests$labels" ]; then
  # Only what the selected suites run: their test programs (which depend on
  # the programs they start) and the programs themselves.
  select=()
  [ -n "$tests" ] && select+=(-R "$tests")
  [ -n "$labels" ] && select+=(-L "$labels")
  [ -n "$exclude" ] && select+=(-LE "$exclude")
  [ -n "$exclude_tests" ] && select+=(-E "$exclude_tests")
  mapfile -t targets < <(cd "$build_dir" && ctest -N "${select[@]}" |
    sed -n 's/^ *Test *#[0-9]*: \(tst_[A-Za-z0-9_]*\)$/\1/p' | sed 's/_iothreads$//' | sort -u)
  # Shell suites (tst_installdeps, ...) have no program to build.
  mapfile -t known < <(cmake --build "$build_dir" --target help | sed -n 's/^\([A-Za-z0-9_-]*\): .*/\1/p')
  buildable=()
  for t in "${targets[@]}"; do
    printf '%s\n' "${known[@]}" | grep -qx "$t" && buildable+=("$t")
  done
  targets=("${buildable[@]}")
  cmake --build "$build_dir" -j"${JOBS:-2}" --target whisperchat-server whisperchat-cli "${targets[@]}"
else
  cmake --build "$build_dir" -j"${JOBS:-2}"
fi
echo "$kind build took $((SECONDS - build_start)) s"

logs=$root/$build_dir/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"
supp=$root/tests/sanitizers
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=0:check_initialization_order=1:log_path=$logs/asan"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0:log_path=$logs/lsan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
# The TSan runtime reads UBSAN_OPTIONS after its own: its reports would be
# named ubsan.PID.
if [ "$kind" = tsan ]; then
  UBSAN_OPTIONS="print_stacktrace=1:log_path=$logs/tsan"
fi
# ignore_noninstrumented_modules: Qt and the other Debian libraries are not
# built for TSan; what they allocate, free or pass to an intercepted call
# (pthread_cond_* in QWaitCondition) is not checked (tests/sanitizers/tsan.supp).
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1:suppressions=$supp/tsan.supp:log_path=$logs/tsan"
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}

# The longest suites first, also in a fresh build directory (see
# scripts/run-tests.sh): the durations of a reference run under ASan.
data=$build_dir/Testing/Temporary/CTestCostData.txt
if [ "$kind" = asan ] && [ ! -f "$data" ]; then
  mkdir -p "$(dirname "$data")"
  cp scripts/test-costs/asan.txt "$data"
fi
ctest_args=(--output-on-failure --no-tests=error -j"${SAN_CTEST_JOBS:-2}")
[ -n "$tests" ] && ctest_args+=(-R "$tests")
[ -n "$labels" ] && ctest_args+=(-L "$labels")
[ -n "$exclude" ] && ctest_args+=(-LE "$exclude")
[ -n "$exclude_tests" ] && ctest_args+=(-E "$exclude_tests")
run_start=$SECONDS
status=0
(cd "$build_dir" && ctest "${ctest_args[@]}") || status=$?
echo "$kind tests took $((SECONDS - run_start)) s"

reports=("$logs"/*)
if [ -e "${reports[0]}" ]; then
  echo "sanitizer reports in $logs:"
  for r in "${reports[@]}"; do
    echo "=== $r"
    head -60 "$r"
  done
  status=1
fi
exit "$status"
