#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Starts a throw-away WhisperChat cluster on loopback: redis-server, a
# PostgreSQL 15 cluster, N nodes and nginx as load balancer, each on a free
# port. Prints one line on stdout once everything is ready:
#   cluster ready: chat ws://127.0.0.1:PORT control ws://127.0.0.1:PORT
# (chat through the load balancer, the control endpoint of node1). PIDs go
# to DIR/pids/{redis,postgres,lb,node1..nodeN}.pid, logs to DIR/logs/, the
# nodes' own URLs to DIR/nodes (one "NAME CHAT-URL CONTROL-URL" a line), the
# Redis and database URLs to DIR/cluster.env.
# Stop it with scripts/cluster-down.sh --state-dir DIR.
#
# usage: cluster-up.sh [--nodes N] [--state-dir DIR] [--build-dir DIR] [-- NODE-ARGS...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
nodes=3
state_dir=
build_dir=$repo/build
node_args=()

usage() {
  sed -n 's/^# usage: //p' "$0" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
  --nodes) nodes=${2:?}; shift 2 ;;
  --state-dir) state_dir=${2:?}; shift 2 ;;
  --build-dir) build_dir=${2:?}; shift 2 ;;
  --) shift; node_args=("$@"); break ;;
  -h | --help) usage ;;
  *) echo "cluster-up: unknown argument '$1'" >&2; usage ;;
  esac
done
case $nodes in
'' | *[!0-9]*) echo "cluster-up: --nodes wants a number from 1 to 32" >&2; exit 2 ;;
esac
if [ "$nodes" -lt 1 ] || [ "$nodes" -gt 32 ]; then
  echo "cluster-up: --nodes wants a number from 1 to 32" >&2
  exit 2
fi
[ -n "$state_dir" ] || state_dir=$(mktemp -d /tmp/whisper-cluster-XXXXXX)
mkdir -p "$state_dir"
state_dir=$(cd "$state_dir" && pwd)
build_dir=$(cd "$build_dir" && pwd)
server=$build_dir/bin/whisperchat-server
pg_bin=/usr/lib/postgresql/15/bin
for need in "$server" "$pg_bin/initdb" "$(command -v redis-server || true)" \
  "$(command -v nginx || true)"; do
  if [ -z "$need" ] || [ ! -x "$need" ]; then
    echo "cluster-up: missing ${need:-redis-server or nginx}; build first and run" \
      "scripts/install-deps.sh" >&2
    exit 1
  fi
done
if [ -e "$state_dir/pids" ] && ls "$state_dir"/pids/*.pid >/dev/null 2>&1; then
  echo "cluster-up: $state_dir already holds a cluster; stop it with cluster-down.sh" >&2
  exit 1
fi

pids=$state_dir/pids
logs=$state_dir/logs
mkdir -p "$pids" "$logs"
# PostgreSQL runs as `postgres` when we are root: it must reach the directory.
chmod 755 "$state_dir"

fail() {
  echo "cluster-up: $*" >&2
  echo "cluster-up: logs in $logs; stopping what was started" >&2
  "$here/cluster-down.sh" --state-dir "$state_dir" >&2 || true
  exit 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to $1 tenths of a second for the command after it to succeed.
wait_for() {
  local tenths=$1
  shift
  for ((i = 0; i < tenths; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# --- Redis ---------------------------------------------------------------
redis_port=$(free_port)
mkdir -p "$state_dir/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$state_dir/redis" --daemonize yes --pidfile "$pids/redis.pid" \
  --logfile "$logs/redis.log" >/dev/null ||
  fail "redis-server did not start"
wait_for 100 redis-cli -h 127.0.0.1 -p "$redis_port" ping || fail "redis-server does not answer"
redis_url=redis://127.0.0.1:$redis_port

# --- PostgreSQL ----------------------------------------------------------
pg_dir=$state_dir/postgres
mkdir -p "$pg_dir"
pg_user=$(id -un)
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$pg_dir"
  pg_user=postgres
fi
as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U "$pg_user" -A trust --no-sync -E UTF8 \
  >"$logs/initdb.log" 2>&1 || fail "initdb failed"
pg_port=$(free_port)
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$pg_dir -c fsync=off -c max_connections=200" \
  start >"$logs/pg_ctl.log" 2>&1 || fail "PostgreSQL did not start"
head -n 1 "$pg_dir/data/postmaster.pid" >"$pids/postgres.pid"
as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U "$pg_user" whisper \
  >>"$logs/pg_ctl.log" 2>&1 || fail "createdb failed"
db_url=postgresql://$pg_user@127.0.0.1:$pg_port/whisper
# For `whisperchat-server user ...` against the cluster's database, and tests.
printf 'REDIS_URL=%s\nDB_URL=%s\n' "$redis_url" "$db_url" >"$state_dir/cluster.env"

# --- nodes ---------------------------------------------------------------
# The first node applies the migrations alone, then the others start
# together: concurrent first starts would race on the schema.
start_node() {
  local name=$1
  mkdir -p "$state_dir/$name"
  "$server" --listen 127.0.0.1 --port 0 --control-port 0 --http-port 0 --data-dir "$state_dir/$name" \
    --redis "$redis_url" --db "$db_url" --node-id "$name" --trusted-proxies 127.0.0.1 \
    "${node_args[@]}" >"$logs/$name.out" 2>"$logs/$name.log" &
  echo $! >"$pids/$name.pid"
}
node_ready() {
  grep -q '^whisperchat-server ready:' "$logs/$1.out"
}
node_alive() {
  kill -0 "$(cat "$pids/$1.pid")" 2>/dev/null
}
await_node() {
  local name=$1
  for ((i = 0; i < 300; i++)); do
    node_ready "$name" && break
    node_alive "$name" || fail "$name exited: $(tail -n 3 "$logs/$name.log")"
    sleep 0.1
  done
  node_ready "$name" || fail "$name did not get ready"
  wait_for 100 test "$(redis-cli -h 127.0.0.1 -p "$redis_port" exists "whisper:node:$name")" = 1 ||
    fail "$name did not register in Redis"
}
start_node node1
await_node node1
for ((n = 2; n <= nodes; n++)); do start_node "node$n"; done
for ((n = 2; n <= nodes; n++)); do await_node "node$n"; done

: >"$state_dir/nodes"
upstreams=
for ((n = 1; n <= nodes; n++)); do
  read -r _ _ _ chat _ control _ < "$logs/node$n.out"
  echo "node$n $chat $control" >>"$state_dir/nodes"
  hostport=${chat#ws://}
  upstreams+="server $hostport max_fails=1 fail_timeout=5s; "
done
control_url=$(awk 'NR == 1 { print $3 }' "$state_dir/nodes")

# --- load balancer -------------------------------------------------------
lb_port=$(free_port)
lb_dir=$state_dir/nginx
mkdir -p "$lb_dir"
sed -e "s|@PREFIX@|$lb_dir|g" -e "s|@PID_FILE@|$pids/lb.pid|g" \
  -e "s|@ERROR_LOG@|$logs/lb-error.log|g" -e "s|@ACCESS_LOG@|$logs/lb-access.log|g" \
  -e "s|@LISTEN@|127.0.0.1:$lb_port|g" -e "s|@UPSTREAMS@|$upstreams|g" \
  "$repo/resources/deploy/nginx-whisperchat.conf" >"$lb_dir/nginx.conf"
nginx -p "$lb_dir" -c "$lb_dir/nginx.conf" -e "$logs/lb-error.log" 2>>"$logs/lb-error.log" ||
  fail "nginx did not start: $(tail -n 3 "$logs/lb-error.log")"
wait_for 100 test -s "$pids/lb.pid" || fail "nginx wrote no PID file"
wait_for 100 bash -c "exec 3<>/dev/tcp/127.0.0.1/$lb_port" || fail "nginx does not listen"

echo "cluster ready: chat ws://127.0.0.1:$lb_port control $control_url"
