#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Relay benchmark: whisperchat-server against the Node.js `ws` peer
# (bench/peers/node-ws) under the same load, same CPU pinning, in one run.
# Server on CPU 0, load generator on CPU 1 (when the machine has 2+ CPUs).
# Usage: bench/relay/run.sh <build-dir> [scenario...]
# Scenarios: saturation load5k idle5k idle10k idle19k handshake (default: all)
# Every run is bounded: the load generator stops by itself and is also
# wrapped in `timeout`; servers are stopped by PID.
# Environment (for variants; defaults are the published runs):
#   RELAY_SERVER_ARGS  extra whisperchat-server options, e.g. "--io-threads 2"
#   RELAY_SERVER_CPUS  taskset CPU list for the servers (default 0; "none": unpinned)
#   RELAY_IMPLS        which servers to run (default "whisperchat node-ws")
#   RELAY_OUT_DIR      where results go (default <build-dir>/bench-relay)
set -euo pipefail
build_dir=$(cd "${1:-build}" && pwd)
shift || true
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
peer_dir="$root/bench/peers/node-ws"
loadgen="$build_dir/bin/whisperchat-loadgen"
server="$build_dir/bin/whisperchat-server"
out_dir=${RELAY_OUT_DIR:-$build_dir/bench-relay}
mkdir -p "$out_dir"
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(saturation load5k idle5k idle10k idle19k handshake)

command -v node >/dev/null || { echo "relay bench: node is required (scripts/install-deps.sh)"; exit 1; }
if [ ! -d "$peer_dir/node_modules/ws" ]; then
  (cd "$peer_dir" && npm ci --no-audit --no-fund --silent)
fi

server_cpus=${RELAY_SERVER_CPUS:-0}
read -r -a server_args <<<"${RELAY_SERVER_ARGS:-}"
read -r -a impls <<<"${RELAY_IMPLS:-whisperchat node-ws}"
if [ "$(nproc)" -ge 2 ]; then
  pin_server=(taskset -c "$server_cpus"); pin_load=(taskset -c 1)
  [ "$server_cpus" != none ] || pin_server=()
else
  pin_server=(); pin_load=()
fi
# On a shared machine (parallel builds) a raised priority keeps the numbers
# about the servers, not the neighbours; used only where permitted.
if nice -n -10 true 2>/dev/null; then
  pin_server=(nice -n -10 "${pin_server[@]}"); pin_load=(nice -n -10 "${pin_load[@]}")
fi
# With autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled, on in
# most distributions) the kernel first shares a CPU between sessions, each at
# the weight of its group's nice value, and only then by the tasks' own nice:
# `nice -n -10` above does nothing against another session's build or test
# run, which then takes multi-millisecond slices on the server's core. So
# each process under test starts in a session of its own whose group gets
# the same raised priority (where permitted; both servers alike).
if [ "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)" = 1 ] &&
  setsid sh -c 'echo -10 >/proc/self/autogroup' 2>/dev/null; then
  own_group=(setsid sh -c 'echo -10 >/proc/self/autogroup && exec "$@"' sh)
  pin_server=("${own_group[@]}" "${pin_server[@]}"); pin_load=("${own_group[@]}" "${pin_load[@]}")
fi
# 19,000 connections need 19,000+ descriptors on both sides.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap stop_server EXIT

# start_server <impl> <logfile>: starts it on a free port, sets server_pid and port.
start_server() {
  local impl=$1 log=$2
  if [ "$impl" = whisperchat ]; then
    "${pin_server[@]}" "$server" --listen 127.0.0.1 --port 0 --control-port 0 --http-port 0 \
      --max-connections 19500 --data-dir "$out_dir/data" --rate-exempt 127.0.0.0/8 \
      --idle-timeout-ms 600000 --ping-interval-ms 300000 \
      --rate-exempt 127.0.0.0/8,::1 ${server_args[@]+"${server_args[@]}"} >"$log" 2>&1 &
  else
    "${pin_server[@]}" node "$peer_dir/server.js" --listen 127.0.0.1 --port 0 >"$log" 2>&1 &
  fi
  server_pid=$!
  for _ in $(seq 100); do
    grep -q 'ready: chat' "$log" && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log"; return 1; }
    sleep 0.1
  done
  port=$(grep 'ready: chat' "$log" | sed 's#.*chat ws://[^ ]*:\([0-9]*\).*#\1#')
  [ -n "$port" ]
}

# scenario name -> load generator arguments
args_for() {
  case $1 in
    saturation) echo "--clients 1000 --window 1 --warmup 2 --duration 5" ;;
    load5k)     echo "--clients 5000 --rate 20000 --warmup 2 --duration 5" ;;
    idle5k)     echo "--clients 5000 --window 0 --warmup 1 --duration 3" ;;
    idle10k)    echo "--clients 10000 --window 0 --warmup 1 --duration 3" ;;
    idle19k)    echo "--clients 19000 --window 0 --warmup 1 --duration 3" ;;
    handshake)  echo "--clients 10000 --no-join --window 0 --warmup 0 --duration 0 --handshake-window 512" ;;
    *) echo "unknown scenario $1" >&2; return 1 ;;
  esac
}

status=0
for s in "${scenarios[@]}"; do
  for impl in "${impls[@]}"; do
    echo "--- $s on $impl"
    start_server "$impl" "$out_dir/$s-$impl.log"
    # shellcheck disable=SC2046
    if ! "${pin_load[@]}" timeout 240 "$loadgen" --url "ws://127.0.0.1:$port/" \
        --server-pid "$server_pid" --phase-timeout 60 $(args_for "$s") \
        --json "$out_dir/$s-$impl.json" >"$out_dir/$s-$impl.txt"; then
      echo "    (load generator reported errors; see $out_dir/$s-$impl.txt)"
    fi
    sed -n '2,$p' "$out_dir/$s-$impl.txt" | sed 's/^/  /'
    stop_server
    sleep 1 # let TIME_WAIT sockets and the CPU settle
  done
done

# The ratio table needs both servers; a single-server variant run has its
# numbers in the per-scenario files above.
if [ ${#impls[@]} -eq 2 ]; then
  node "$here/report.js" "$out_dir" "${scenarios[@]}" | tee "$out_dir/summary.md"
fi
