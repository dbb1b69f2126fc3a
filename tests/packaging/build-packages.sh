#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Packs the built tree into DEB_DIR with CPack: only packing (install rules,
# strip, dpkg-shlibdeps), no compiling; `make test` has built every target.
set -euo pipefail
deb_dir=$1 build=$3
rm -rf "$deb_dir"
mkdir -p "$deb_dir"
cd "$build"
cpack --config CPackConfig.cmake -G DEB -B "$deb_dir" >"$deb_dir/cpack.log" 2>&1 ||
  { cat "$deb_dir/cpack.log"; exit 1; }
rm -rf "$deb_dir/_CPack_Packages"
fail=0
for p in whisperchat-server whisperchat-admin whisperchat-tools; do
  n=$(find "$deb_dir" -maxdepth 1 -name "${p}_*.deb" | wc -l)
  [ "$n" -eq 1 ] || { echo "FAIL: $n packages $p in $deb_dir"; fail=1; }
done
[ $fail -eq 0 ] && echo "tst_package_build: PASS ($(cd "$deb_dir" && echo *.deb))"
exit $fail
