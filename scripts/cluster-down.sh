#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Stops exactly the processes scripts/cluster-up.sh started in DIR, by the
# PIDs it wrote (and only while each PID still runs the program it was):
# the nodes first (SIGTERM: they leave the cluster), then the load
# balancer, Redis and PostgreSQL. Leaves DIR with its logs in place.
#
# usage: cluster-down.sh --state-dir DIR
set -uo pipefail

state_dir=
while [ $# -gt 0 ]; do
  case $1 in
  --state-dir) state_dir=${2:?}; shift 2 ;;
  *) sed -n 's/^# usage: //p' "$0" >&2; exit 2 ;;
  esac
done
[ -n "$state_dir" ] || { sed -n 's/^# usage: //p' "$0" >&2; exit 2; }
pids=$state_dir/pids
[ -d "$pids" ] || exit 0

# Signals the PID in $1.pid if it still runs $2, waits up to 10 s for it to
# go, then kills it.
stop() {
  local file=$pids/$1.pid expect=$2 signal=${3:-TERM} pid
  [ -s "$file" ] || { rm -f "$file"; return 0; }
  pid=$(head -n 1 "$file")
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$expect"; then
    kill "-$signal" "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$file"
}

for file in "$pids"/node*.pid; do
  [ -e "$file" ] || continue
  name=$(basename "$file" .pid)
  stop "$name" whisperchat-server &
done
wait
stop lb nginx TERM
stop redis redis-server
# SIGINT is PostgreSQL's fast shutdown.
stop postgres postgres INT
exit 0
