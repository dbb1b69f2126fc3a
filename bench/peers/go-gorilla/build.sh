#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Go peer offline against Debian's gorilla/websocket
# (golang-github-gorilla-websocket-dev in /usr/share/gocode): GOPATH mode,
# no module proxy, nothing downloaded. Usage: build.sh <output-binary>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?output path}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/relaypeer"
cp "$here/main.go" "$tmp/src/relaypeer/"
cd "$tmp/src/relaypeer"
GOPATH="$tmp:/usr/share/gocode" GO111MODULE=off GOPROXY=off GOFLAGS= \
  GOCACHE="${GOCACHE:-$tmp/cache}" go build -o "$out" .
