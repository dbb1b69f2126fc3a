#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lintian finds no error in the three packages. Its warnings are printed
# (docs/OPERATIONS.md "Debian packages" lists the accepted ones) and fail the
# test only when they are not on that list.
set -euo pipefail
deb_dir=$1
command -v lintian >/dev/null || { echo "FAIL: lintian is not installed"; exit 1; }
# Warnings known and accepted; anything else is reported as new.
accepted='^$'
out=$(lintian --tag-display-limit 0 --allow-root "$deb_dir"/*.deb 2>&1 || true)
echo "$out"
fail=0
if grep -q '^E: ' <<<"$out"; then
  echo "FAIL: lintian reports errors"; fail=1
fi
if grep '^W: ' <<<"$out" | grep -vqE "$accepted"; then
  echo "FAIL: lintian reports warnings not accepted in docs/OPERATIONS.md"; fail=1
fi
[ $fail -eq 0 ] && echo "tst_package_lintian: PASS"
exit $fail
