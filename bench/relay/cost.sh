#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Cost per relayed message: server CPU microseconds per delivered message
# (user + system from /proc/<pid>/stat over the load generator's measured
# window) at fixed offered rates and at saturation, with p50/p99/p999, for
# whisperchat-server and every peer in bench/peers/, each pinned the same
# way in the same run; then system calls per message (perf stat on the
# raw_syscalls:sys_enter tracepoint, or strace -c -f where perf cannot) on a
# short fixed-rate run. Ratios against the C limit relay and the peers are
# printed by cost-report.js.
# Usage: bench/relay/cost.sh <build-dir> [scenario...]
# Scenarios: r20k-1k r50k-1k r20k-10k r50k-10k r100k-10k sat idle5k idle19k syscalls
#   (default: r20k-1k r50k-1k r20k-10k r50k-10k sat syscalls)
# Environment:
#   COST_IMPLS      servers (default "whisperchat limit go-gorilla beast node-ws")
#   COST_WARMUP     warm-up seconds (default 2)
#   COST_DURATION   measured seconds (default 5)
#   COST_SERVER_CPUS  taskset list for the server (default 0; "none": unpinned)
#   COST_LOAD_CPUS    taskset list for the load generator (default 1)
#   COST_LOAD_THREADS load generator event loops (default: the cores in COST_LOAD_CPUS)
#   COST_OUT_DIR    results (default <build-dir>/bench-cost)
# Peers are built here from Debian packages (gcc, g++ with libboost-dev,
# golang-go with golang-github-gorilla-websocket-dev, node + npm ci for ws):
# nothing is downloaded at bench time except the Node peer's locked `ws`.
set -euo pipefail
build_dir=$(cd "${1:-build}" && pwd)
shift || true
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
peers="$root/bench/peers"
loadgen="$build_dir/bin/whisperchat-loadgen"
server="$build_dir/bin/whisperchat-server"
out_dir=${COST_OUT_DIR:-$build_dir/bench-cost}
bin_dir="$build_dir/bench-peers"
mkdir -p "$out_dir" "$bin_dir"
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(r20k-1k r50k-1k r20k-10k r50k-10k sat syscalls)
read -r -a impls <<<"${COST_IMPLS:-whisperchat limit go-gorilla beast node-ws}"
warmup=${COST_WARMUP:-2}
duration=${COST_DURATION:-5}
server_cpus=${COST_SERVER_CPUS:-0}
load_cpus=${COST_LOAD_CPUS:-1}

# ---- build the peers (bench/peers/build.sh: only when their source changed)
for impl in "${impls[@]}"; do
  if [ "$impl" = whisperchat ]; then
    [ -x "$server" ] || { echo "cost bench: $server is missing"; exit 1; }
  else
    "$peers/build.sh" "$impl" "$bin_dir" >/dev/null || { echo "cost bench: cannot build $impl"; exit 1; }
  fi
done

# ---- pinning: as bench/relay/run.sh
cores_in() { # number of CPUs in a taskset list such as 0 or 0-1 or 0,2
  local n=0 part
  IFS=, read -r -a parts <<<"$1"
  for part in "${parts[@]}"; do
    if [[ $part == *-* ]]; then n=$((n + ${part#*-} - ${part%-*} + 1)); else n=$((n + 1)); fi
  done
  echo "$n"
}
if [ "$(nproc)" -ge 2 ] && [ "$server_cpus" != none ]; then
  pin_server=(taskset -c "$server_cpus"); server_cores=$(cores_in "$server_cpus")
else
  pin_server=(); server_cores=$(nproc)
fi
if [ "$(nproc)" -ge 2 ]; then pin_load=(taskset -c "$load_cpus"); else pin_load=(); fi
load_threads=${COST_LOAD_THREADS:-$(cores_in "$load_cpus")}
if nice -n -10 true 2>/dev/null; then
  pin_server=(nice -n -10 "${pin_server[@]}"); pin_load=(nice -n -10 "${pin_load[@]}")
fi
if [ "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)" = 1 ] &&
  setsid sh -c 'echo -10 >/proc/self/autogroup' 2>/dev/null; then
  own_group=(setsid sh -c 'echo -10 >/proc/self/autogroup && exec "$@"' sh)
  pin_server=("${own_group[@]}" "${pin_server[@]}"); pin_load=("${own_group[@]}" "${pin_load[@]}")
fi
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

start_server() {
  local impl=$1 log=$2
  case $impl in
    whisperchat)
      "${pin_server[@]}" "$server" --listen 127.0.0.1 --port 0 --control-port 0 \
        --max-connections 19500 --data-dir "$out_dir/data" \
        --idle-timeout-ms 600000 --ping-interval-ms 300000 \
        --rate-exempt 127.0.0.0/8,::1 >"$log" 2>&1 & ;;
    limit) "${pin_server[@]}" "$bin_dir/limit-relay" --listen 127.0.0.1 --port 0 >"$log" 2>&1 & ;;
    beast) "${pin_server[@]}" "$bin_dir/beast-peer" --listen 127.0.0.1 --port 0 >"$log" 2>&1 & ;;
    go-gorilla)
      GOMAXPROCS=$server_cores "${pin_server[@]}" "$bin_dir/go-gorilla-peer" \
        -listen 127.0.0.1 -port 0 >"$log" 2>&1 & ;;
    node-ws) "${pin_server[@]}" node "$peers/node-ws/server.js" --listen 127.0.0.1 --port 0 >"$log" 2>&1 & ;;
  esac
  server_pid=$!
  for _ in $(seq 100); do
    grep -q 'ready: chat' "$log" && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log"; return 1; }
    sleep 0.1
  done
  port=$(grep 'ready: chat' "$log" | sed 's#.*chat ws://[^ ]*:\([0-9]*\).*#\1#')
  [ -n "$port" ]
}

args_for() {
  local timing="--warmup $warmup --duration $duration"
  case $1 in
    r20k-1k)   echo "--clients 1000 --rate 20000 $timing" ;;
    r50k-1k)   echo "--clients 1000 --rate 50000 $timing" ;;
    r20k-10k)  echo "--clients 10000 --rate 20000 $timing" ;;
    r50k-10k)  echo "--clients 10000 --rate 50000 $timing" ;;
    r100k-10k) echo "--clients 10000 --rate 100000 $timing" ;;
    sat)       echo "--clients 1000 --window 1 $timing" ;;
    idle5k)    echo "--clients 5000 --window 0 --warmup 1 --duration 3" ;;
    idle19k)   echo "--clients 19000 --window 0 --warmup 1 --duration 3" ;;
    *) echo "unknown scenario $1" >&2; return 1 ;;
  esac
}

run_load() { # impl scenario extra-args...: runs the load generator against the started server
  local impl=$1 s=$2
  shift 2
  # shellcheck disable=SC2046
  "${pin_load[@]}" timeout 240 "$loadgen" --url "ws://127.0.0.1:$port/" \
    --server-pid "$server_pid" --phase-timeout 60 --threads "$load_threads" "$@" \
    --json "$out_dir/$s-$impl.json" >"$out_dir/$s-$impl.txt" ||
    echo "    (load generator reported errors; see $out_dir/$s-$impl.txt)"
}

# System calls per relayed message: 1,000 clients at a fixed 5,000 msg/s
# (low enough that every server keeps up even while counted), counted over
# a window inside the measured phase.
syscall_tool=none
if perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1; then
  syscall_tool=perf
elif command -v strace >/dev/null; then
  syscall_tool=strace
fi
syscalls_run() {
  local impl=$1 rate=5000 window=3 count="$out_dir/syscalls-$impl.count"
  local lead=$(( ${warmup%.*} + 2 ))
  run_load "$impl" syscalls --clients 1000 --rate "$rate" --warmup "$warmup" \
    --duration "$((window + 3))" &
  local lg=$!
  sleep "$lead" # connected, paired, past the warm-up
  case $syscall_tool in
    perf)
      perf stat -x, -e raw_syscalls:sys_enter -p "$server_pid" -o "$count.raw" -- sleep "$window" \
        2>/dev/null || true
      awk -F, '/raw_syscalls:sys_enter/ {print $1}' "$count.raw" >"$count" ;;
    strace)
      timeout -s INT "$window" strace -c -f -p "$server_pid" -o "$count.raw" 2>/dev/null || true
      awk '/^100.00|total$/ {print $4}' "$count.raw" | tail -1 >"$count" ;;
    none) echo "" >"$count" ;;
  esac
  echo "$syscall_tool $rate $window" >>"$count"
  wait "$lg" || true
}

echo "cost bench: $(date -u +%FT%TZ), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
  "server CPUs $server_cpus ($server_cores cores), load generator CPUs $load_cpus ($load_threads threads)" | tee "$out_dir/machine.txt"
for s in "${scenarios[@]}"; do
  for impl in "${impls[@]}"; do
    echo "--- $s on $impl"
    start_server "$impl" "$out_dir/$s-$impl.log"
    if [ "$s" = syscalls ]; then
      syscalls_run "$impl"
    else
      # shellcheck disable=SC2046
      run_load "$impl" "$s" $(args_for "$s")
    fi
    grep -E 'delivered msg/s|latency|errors|CPU per message|loadgen CPU|sent/|RSS' "$out_dir/$s-$impl.txt" |
      sed 's/^/  /' || true
    stop_server
    sleep 1
  done
done
node "$here/cost-report.js" "$out_dir" "${impls[*]}" "${scenarios[@]}" | tee "$out_dir/summary.md"
