#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets of tests/fuzz/ in the sanitizer build
# directory (build-asan, scripts/configure-asan.sh) and runs each for FUZZ_SECONDS (default 300), FUZZ_JOBS (default
# 2) at a time. Each target starts from its committed seeds
# (tests/fuzz/corpus/<target>/) plus what earlier runs in this build
# directory found (<build>/fuzz-corpus/<target>/, never committed by itself).
# A crash, leak, sanitizer report or broken property fails the run; the
# input is kept under <build>/fuzz-artifacts/<target>/ and the log under
# <build>/fuzz-logs/. The executions per target are printed as a table and
# written to <build>/fuzz-results.tsv.
#   FUZZ_TARGETS="wsframe totp"  only these targets
#   FUZZ_NO_BUILD=1              run what is built, without building
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${FUZZ_BUILD_DIR:-build-asan}
seconds=${FUZZ_SECONDS:-300}
jobs=${FUZZ_JOBS:-2}
all_targets=(wsframe wshandshake wsconnection clientdecode serverdecode control config totp)
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"

if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  bash scripts/configure-asan.sh "$build_dir"
  cmake --build "$build_dir" -j"${JOBS:-2}" --target fuzzers
fi

# Inputs larger than the parsers' own limits only test how fast they say no.
max_len() {
  case $1 in
  wshandshake) echo 10000 ;; # head limit 8 KiB, and a frame after it
  wsconnection) echo 20000 ;; # message limit 16 KiB
  *) echo 4096 ;;
  esac
}
dict() {
  case $1 in
  wsframe | wshandshake | wsconnection) echo tests/fuzz/dict/websocket.dict ;;
  clientdecode | serverdecode | control) echo tests/fuzz/dict/json.dict ;;
  esac
}

mkdir -p "$build_dir/fuzz-logs"
run_one() {
  local t=$1 work=$build_dir/fuzz-corpus/$1 artifacts=$build_dir/fuzz-artifacts/$1/
  local args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len="$(max_len "$t")"
    -print_final_stats=1 -artifact_prefix="$artifacts")
  [ -n "$(dict "$t")" ] && args+=(-dict="$(dict "$t")")
  mkdir -p "$work" "$artifacts"
  # New finds go to the first directory; the committed seeds stay as they are.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    "$build_dir/bin/fuzz_$t" "${args[@]}" "$work" "tests/fuzz/corpus/$t" \
    >"$build_dir/fuzz-logs/$t.log" 2>&1
}

echo "fuzzing ${#targets[@]} targets for ${seconds} s each, ${jobs} at a time"
declare -A pids
failed=()
start=$SECONDS
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    wait -n || true
  done
  run_one "$t" &
  pids[$t]=$!
done
for t in "${targets[@]}"; do
  if ! wait "${pids[$t]}"; then
    failed+=("$t")
  fi
done

results=$build_dir/fuzz-results.tsv
printf 'target\texecutions\texec/s\tcorpus\tseconds\tresult\n' >"$results"
for t in "${targets[@]}"; do
  log=$build_dir/fuzz-logs/$t.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "$build_dir/fuzz-corpus/$t" "tests/fuzz/corpus/$t" -type f 2>/dev/null | wc -l)
  result=ok
  [[ " ${failed[*]} " == *" $t "* ]] && result=FAILED
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "${execs:-?}" "${rate:-?}" "$corpus" "$seconds" "$result" >>"$results"
done
column -t -s $'\t' "$results"
echo "fuzzing took $((SECONDS - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
  for t in "${failed[@]}"; do
    echo "--- fuzz_$t failed; log $build_dir/fuzz-logs/$t.log, input in $build_dir/fuzz-artifacts/$t/"
    grep -m1 -A30 -e 'ERROR:' -e 'fuzz property violated' -e 'runtime error' "$build_dir/fuzz-logs/$t.log" || tail -30 "$build_dir/fuzz-logs/$t.log"
  done
  exit 1
fi
