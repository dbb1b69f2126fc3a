#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Smoke check of one relay peer (ctest label bench-smoke): builds it, starts
# it on a free loopback port, and has whisperchat-loadgen pair 4 clients
# and chat for half a second; the load generator exits non-zero unless
# every message is acknowledged and arrives, in order, at the partner.
# Usage: bench/peers/smoke.sh <build-dir> <peer>
set -euo pipefail
build_dir=$(cd "${1:?build-dir}" && pwd)
peer=${2:?peer}
here=$(cd "$(dirname "$0")" && pwd)
read -r -a cmd <<<"$("$here/build.sh" "$peer" "$build_dir/bench-peers")"
log=$(mktemp)
pid=""
cleanup() {
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -f "$log"
}
trap cleanup EXIT
if [ "$peer" = go-gorilla ]; then
  GOMAXPROCS=1 "${cmd[@]}" -listen 127.0.0.1 -port 0 >"$log" 2>&1 &
else
  "${cmd[@]}" --listen 127.0.0.1 --port 0 >"$log" 2>&1 &
fi
pid=$!
for _ in $(seq 100); do
  grep -q 'ready: chat' "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
port=$(grep 'ready: chat' "$log" | sed 's#.*chat ws://[^ ]*:\([0-9]*\).*#\1#')
[ -n "$port" ] || { cat "$log"; exit 1; }
timeout 60 "$build_dir/bin/whisperchat-loadgen" --url "ws://127.0.0.1:$port/" \
  --server-pid "$pid" --clients 4 --window 2 --warmup 0.2 --duration 0.5 --phase-timeout 10
