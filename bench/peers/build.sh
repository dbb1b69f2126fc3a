#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds one relay peer into <bin-dir> from Debian packages, offline, only
# when its source is newer than the binary. Prints the command that starts
# it (the peer then takes --listen/--port, or -listen/-port for Go).
# Usage: bench/peers/build.sh <peer> <bin-dir>
#   limit       bench/peers/limit/relay.c with gcc           -> limit-relay
#   beast       bench/peers/beast/server.cpp, g++ + Boost    -> beast-peer
#   go-gorilla  bench/peers/go-gorilla, Go + Debian gorilla  -> go-gorilla-peer
#   node-ws     bench/peers/node-ws, npm ci of the locked ws
set -euo pipefail
peers=$(cd "$(dirname "$0")" && pwd)
peer=${1:?peer}
bin_dir=$(mkdir -p "${2:?bin-dir}" && cd "$2" && pwd)
newer() { [ ! -e "$1" ] || [ -n "$(find "${@:2}" -newer "$1" 2>/dev/null)" ]; }
case $peer in
  limit)
    if newer "$bin_dir/limit-relay" "$peers/limit/relay.c"; then
      gcc -O2 -Wall -o "$bin_dir/limit-relay" "$peers/limit/relay.c" -lm
    fi
    echo "$bin_dir/limit-relay" ;;
  beast)
    # C++17: Boost 1.74's asio/awaitable.hpp does not build as C++20.
    if newer "$bin_dir/beast-peer" "$peers/beast/server.cpp"; then
      g++ -std=c++17 -O2 -o "$bin_dir/beast-peer" "$peers/beast/server.cpp" -lpthread
    fi
    echo "$bin_dir/beast-peer" ;;
  go-gorilla)
    if newer "$bin_dir/go-gorilla-peer" "$peers/go-gorilla/main.go"; then
      GOCACHE="$bin_dir/go-cache" "$peers/go-gorilla/build.sh" "$bin_dir/go-gorilla-peer" >&2
    fi
    echo "$bin_dir/go-gorilla-peer" ;;
  node-ws)
    command -v node >/dev/null || { echo "node is required for node-ws" >&2; exit 1; }
    [ -d "$peers/node-ws/node_modules/ws" ] ||
      (cd "$peers/node-ws" && npm ci --no-audit --no-fund --silent >&2)
    echo "node $peers/node-ws/server.js" ;;
  *) echo "unknown peer $peer" >&2; exit 1 ;;
esac
