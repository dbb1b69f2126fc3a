#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Instructions and system calls per relayed message, independent of how busy
# the machine is: whisperchat-server runs the fixed workload of
# bench/relay/fixed-driver.js twice, with a short and a long chat, under
# `valgrind --tool=callgrind` (instructions, "Ir") and under `strace -c -f`
# (system calls); the difference between the two runs divided by the
# difference in relayed messages is the cost of one message, with startup,
# handshakes, joins and shutdown cancelled out. Each message is one incoming
# `message` frame with an `id`, one `message` frame to the partner and one
# `delivered` to the sender.
# Usage: bench/relay/callgrind.sh <build-dir>
# Environment:
#   CG_MODE     serial (one message at a time; default) | burst (every client
#               sends at once each round: several messages per wake-up)
#   CG_TEXT     ascii (default) | utf8 (multi-byte text that needs escaping)
#   CG_PAIRS    client pairs (default 1 serial, 50 burst)
#   CG_ROUNDS   "SHORT LONG" messages per client (default "300 800" serial,
#               "300 360" burst; over the 256 ids of the dedup window in both)
#   CG_SERVER_ARGS  extra whisperchat-server options (e.g. "--io-threads 2")
#   CG_IMPL     whisperchat (default) | limit (the C epoll relay of
#               bench/peers/limit, for the floor in user-space instructions)
#   CG_CLUSTER  1: the measured server is a cluster node. A one-node cluster
#               (scripts/cluster-up.sh: redis-server, PostgreSQL, node1,
#               nginx) starts first, and each measured run joins it as a node
#               of its own (node1 leads). Its pairs are same-node pairs: what
#               a cluster member pays per message against a single node.
#   CG_OUT_DIR  results (default <build-dir>/bench-callgrind)
#   CG_TOP      functions listed per profile (default 40)
set -euo pipefail
build_dir=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
server="$build_dir/bin/whisperchat-server"
mode=${CG_MODE:-serial}
text=${CG_TEXT:-ascii}
if [ "$mode" = serial ]; then
  pairs=${CG_PAIRS:-1}; read -r short long <<<"${CG_ROUNDS:-300 800}"
else
  pairs=${CG_PAIRS:-50}; read -r short long <<<"${CG_ROUNDS:-300 360}"
fi
read -r -a extra <<<"${CG_SERVER_ARGS:-}"
impl=${CG_IMPL:-whisperchat}
out_dir=${CG_OUT_DIR:-$build_dir/bench-callgrind}
top=${CG_TOP:-40}
mkdir -p "$out_dir"
for tool in valgrind callgrind_annotate strace node; do
  command -v "$tool" >/dev/null || { echo "callgrind bench: $tool is required"; exit 1; }
done
[ -x "$server" ] || { echo "callgrind bench: $server is missing"; exit 1; }
if [ "$impl" = limit ]; then
  "$here/../peers/build.sh" limit "$build_dir/bench-peers" >/dev/null
  server_cmd=("$build_dir/bench-peers/limit-relay" --listen 127.0.0.1 --port 0)
else
  cluster_state=""
  if [ "${CG_CLUSTER:-0}" = 1 ]; then
    cluster_state=$out_dir/cluster
    bash "$here/../../scripts/cluster-up.sh" --nodes 1 --state-dir "$cluster_state" \
      --build-dir "$build_dir" >"$out_dir/cluster-up.txt"
    redis_url=$(sed -n 's/^REDIS_URL=//p' "$cluster_state/cluster.env")
    db_url=$(sed -n 's/^DB_URL=//p' "$cluster_state/cluster.env")
    extra+=(--redis "$redis_url" --db "$db_url")
  fi
  server_cmd=("$server" --listen 127.0.0.1 --port 0 --control-port 0
    --data-dir "$out_dir/data" --idle-timeout-ms 600000 --ping-interval-ms 300000
    --drain-grace-s 0 --drain-deadline-s 1 --tick-ms 250
    --rate-exempt "127.0.0.0/8,::1" "${extra[@]}")
fi

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    # The server itself, not strace around it (which would detach and
    # leave it running); strace ends with it. Valgrind is the server.
    local child
    child=$(pgrep -P "$server_pid" || true)
    kill "${child:-$server_pid}" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cluster_state=${cluster_state:-} # unset for CG_IMPL=limit
cleanup() {
  stop_server
  if [ -n "$cluster_state" ]; then
    bash "$here/../../scripts/cluster-down.sh" --state-dir "$cluster_state" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# run WRAPPER-KIND ROUNDS: one server under the tool, one driver run; prints
# the messages relayed.
run() {
  local kind=$1 rounds=$2 log="$out_dir/$1-$2.log" wrap
  case $kind in
    callgrind) wrap=(valgrind --tool=callgrind --callgrind-out-file="$out_dir/callgrind-$rounds.out") ;;
    strace) wrap=(strace -f -c -o "$out_dir/strace-$rounds.txt") ;;
  esac
  rm -rf "$out_dir/data"
  local node=()
  # A node id of its own per run: the run before's may still be registered.
  [ -z "$cluster_state" ] || node=(--node-id "cg-$kind-$rounds")
  "${wrap[@]}" "${server_cmd[@]}" "${node[@]}" >"$log" 2>&1 &
  server_pid=$!
  local port=""
  for _ in $(seq 600); do
    port=$(sed -n 's#.*ready: chat ws://[^ ]*:\([0-9]*\).*#\1#p' "$log" | head -1)
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "callgrind bench: server did not start" >&2; return 1; }
  local relayed
  relayed=$(timeout 600 node "$here/fixed-driver.js" "$port" "$pairs" "$rounds" "$mode" "$text" |
    sed -n 's/^relayed //p')
  # Let the server see the clients go before it stops: the same work in both runs.
  sleep 1
  stop_server
  echo "$relayed"
}

total_ir() { # callgrind output file -> total instructions
  callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}'
}
total_syscalls() { # strace -c output -> calls (the fourth column)
  awk '$NF == "total" {print $4}' "$1" | tail -1
}

echo "callgrind bench: $(date -u +%FT%TZ), $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')," \
  "$impl$([ -z "$cluster_state" ] || echo ', cluster node'), mode $mode, $pairs pairs," \
  "rounds $short/$long, $text text, server args '${extra[*]}'" |
  tee "$out_dir/summary.txt"
m1=$(run callgrind "$short"); m2=$(run callgrind "$long")
ir1=$(total_ir "$out_dir/callgrind-$short.out"); ir2=$(total_ir "$out_dir/callgrind-$long.out")
s1m=$(run strace "$short"); s2m=$(run strace "$long")
sc1=$(total_syscalls "$out_dir/strace-$short.txt"); sc2=$(total_syscalls "$out_dir/strace-$long.txt")
{
  echo "relayed messages: $m1 / $m2 (callgrind), $s1m / $s2m (strace)"
  echo "instructions: $ir1 / $ir2"
  awk -v a="$ir1" -v b="$ir2" -v m="$m1" -v n="$m2" \
    'BEGIN {printf "instructions per relayed message: %.0f\n", (b - a) / (n - m)}'
  awk -v a="$sc1" -v b="$sc2" -v m="$s1m" -v n="$s2m" \
    'BEGIN {printf "system calls per relayed message: %.2f\n", (b - a) / (n - m)}'
  echo "system calls per relayed message, by name:"
  awk -v n="$((s2m - s1m))" 'FNR <= 2 || $NF == "total" || $4 !~ /^[0-9]+$/ {next}
    FILENAME == ARGV[1] {a[$NF] = $4; next} {d = ($4 - a[$NF]) / n; if (d >= 0.005) printf "  %-16s %.2f\n", $NF, d}' \
    "$out_dir/strace-$short.txt" "$out_dir/strace-$long.txt"
} | tee -a "$out_dir/summary.txt"
for kind in inclusive self; do
  node "$here/callgrind-diff.js" "$out_dir/callgrind-$short.out" "$out_dir/callgrind-$long.out" \
    "$((m2 - m1))" "$kind" "$top" >"$out_dir/profile-$kind.txt"
done
echo "per-message profiles: $out_dir/profile-inclusive.txt, $out_dir/profile-self.txt"
