#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The server package's systemd unit: the hardening options are there,
# `systemd-analyze verify` accepts it, and `systemd-analyze security
# --offline=true` rates it OK or better (exposure at most 2.0 of 10; the
# shipped unit scores 1.1). Dropping a hardening option fails the test.
set -euo pipefail
deb_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb_dir"/whisperchat-server_*.deb "$work/root"
unit="$work/root/lib/systemd/system/whisperchat-server.service"
[ -f "$unit" ] || { echo "FAIL: no unit in the package"; exit 1; }

fail=0
expect() {
  grep -qxF "$1" "$unit" || { echo "FAIL: the unit lacks '$1'"; fail=1; }
}
expect "User=whisperchat"
expect "ExecStart=/usr/bin/whisperchat-server --config /etc/whisperchat/server.ini"
expect "NoNewPrivileges=yes"
expect "ProtectSystem=strict"
expect "ProtectHome=yes"
expect "PrivateTmp=yes"
expect "StateDirectory=whisperchat"
expect "CapabilityBoundingSet="
expect "SystemCallArchitectures=native"
expect "SystemCallFilter=@system-service"
expect "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"
# Sized for the 100,000 connections a node is sized for (docs/OPERATIONS.md).
nofile=$(sed -n 's/^LimitNOFILE=//p' "$unit")
if ! [[ "$nofile" =~ ^[0-9]+$ ]] || [ "$nofile" -lt 110000 ]; then
  echo "FAIL: LimitNOFILE='$nofile', below the 110000 a 100k-connection node needs"; fail=1
fi

# verify needs the binary where ExecStart points, and finds the manual page
# of Documentation= through MANPATH: point both into the unpacked package.
sed "s|/usr/bin/whisperchat-server|$work/root/usr/bin/whisperchat-server|" "$unit" \
  >"$work/whisperchat-server.service"
if ! out=$(MANPATH="$work/root/usr/share/man" systemd-analyze verify \
  "$work/whisperchat-server.service" 2>&1); then
  echo "$out"; echo "FAIL: systemd-analyze verify rejects the unit"; fail=1
elif [ -n "$out" ]; then
  echo "$out"; echo "FAIL: systemd-analyze verify complains"; fail=1
fi

# The exposure is given in tenths up to 100; --threshold fails above it.
out=$(systemd-analyze security --offline=true --threshold=20 "$unit" 2>&1) ||
  { echo "$out"; echo "FAIL: exposure above 2.0 (or security failed)"; fail=1; }
line=$(grep 'Overall exposure level' <<<"$out" || true)
echo "$line"
grep -qE ': [0-9.]+ (OK|SAFE|PERFECT)' <<<"$line" ||
  { echo "FAIL: not rated OK or better"; fail=1; }

[ $fail -eq 0 ] && echo "tst_package_unit: PASS"
exit $fail
