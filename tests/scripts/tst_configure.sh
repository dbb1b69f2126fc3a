#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make run` configures a lean tree (no tests, benchmarks or GUI programs)
# and builds only the server and the console client; `make test` turns a
# lean tree back into a full one, and `make run` reuses whatever tree exists.
# Real CMake on a scratch build directory; nothing is compiled.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build="$work/build"
fail=0
no() { echo "FAIL: $*"; fail=1; }
option() { sed -n "s/^$1:BOOL=//p" "$build/CMakeCache.txt"; }
configure() { (cd "$root" && WHISPER_CONFIGURE_FOR=$1 bash scripts/configure.sh "$build" Release \
  >"$work/configure.log" 2>&1) || { cat "$work/configure.log"; no "configure for $1 failed"; }; }

# make run's build commands: only the two programs.
targets=$(make -s -n -C "$root" run BUILD_DIR="$build" | grep -- '--target' || true)
grep -q -- '--target whisperchat-server whisperchat-cli$' <<<"$targets" ||
  no "make run does not build exactly whisperchat-server and whisperchat-cli: $targets"
# Captured first: `make | grep -q` under pipefail fails whenever grep quits
# before make has written everything (SIGPIPE), which a loaded machine hits.
run_commands=$(make -s -n -C "$root" run)
grep -q 'install-deps.sh run$' <<<"$run_commands" || no "make run installs more than the run group"

configure run
for o in WHISPER_BUILD_TESTS WHISPER_BUILD_BENCH WHISPER_BUILD_GUI; do
  [ "$(option $o)" = OFF ] || no "a run tree has $o=$(option $o)"
done
all=$(ninja -C "$build" -t targets all 2>/dev/null | cut -d: -f1)
grep -qx whisperchat-server <<<"$all" || no "a run tree cannot build the server"
grep -qx whisperchat-cli <<<"$all" || no "a run tree cannot build the console client"
grep -qxE 'whisperchat-admin|tst_[a-z_]+|matchbench' <<<"$all" && no "a run tree builds GUI, tests or benchmarks"

# The same purpose again: the cache is reused, not rewritten.
touch -d '-1 min' "$build/CMakeCache.txt" && stamp=$(stat -c %Y "$build/CMakeCache.txt")
configure run
[ "$(stat -c %Y "$build/CMakeCache.txt")" = "$stamp" ] || no "a second run reconfigured"

# make test on it: everything back on.
configure full
for o in WHISPER_BUILD_TESTS WHISPER_BUILD_BENCH WHISPER_BUILD_GUI; do
  [ "$(option $o)" = ON ] || no "a full tree has $o=$(option $o)"
done
# make run on a full tree keeps it.
configure run
[ "$(option WHISPER_BUILD_TESTS)" = ON ] || no "make run turned a full tree lean"

[ $fail -eq 0 ] && echo "tst_configure: PASS"
exit $fail
