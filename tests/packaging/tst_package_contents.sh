#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Unpacks the three packages and checks what each holds: programs, manual
# pages, the server's conffiles, maintainer scripts, unit, desktop file and
# icon; and that dpkg-shlibdeps computed the library dependencies, each of
# which this Debian installs.
set -euo pipefail
deb_dir=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }

for p in server admin tools; do
  deb=$(echo "$deb_dir"/whisperchat-${p}_*.deb)
  dpkg-deb -x "$deb" "$work/$p"
  dpkg-deb -e "$deb" "$work/$p/DEBIAN"
  [ -f "$work/$p/usr/share/doc/whisperchat-$p/copyright" ] || no "$p: no copyright file"
  depends=$(dpkg-deb -f "$deb" Depends)
  grep -q 'libqt6core6 (>= ' <<<"$depends" || no "$p: Depends lacks the computed libqt6core6: $depends"
  grep -q 'libc6 (>= ' <<<"$depends" || no "$p: Depends lacks the computed libc6"
  # Every dependency exists on this Debian (they were computed from it).
  for d in $(tr ',' '\n' <<<"$depends" | sed 's/(.*//; s/|.*//' | tr -d ' '); do
    dpkg-query -W "$d" >/dev/null 2>&1 || apt-cache show "$d" >/dev/null 2>&1 ||
      no "$p: dependency '$d' is no Debian package"
  done
done

# Programs and their manual pages, each in its package.
for f in server/usr/bin/whisperchat-server server/usr/share/man/man8/whisperchat-server.8.gz \
  admin/usr/bin/whisperchat-admin admin/usr/share/man/man1/whisperchat-admin.1.gz \
  admin/usr/share/applications/whisperchat-admin.desktop \
  admin/usr/share/icons/hicolor/scalable/apps/whisperchat-admin.svg \
  tools/usr/bin/whisperchat-cli tools/usr/share/man/man1/whisperchat-cli.1.gz \
  tools/usr/bin/whisperchat-loadgen tools/usr/share/man/man1/whisperchat-loadgen.1.gz \
  server/lib/systemd/system/whisperchat-server.service \
  server/etc/whisperchat/server.ini server/etc/default/whisperchat-server; do
  [ -s "$work/$f" ] || no "missing $f"
done
for b in server/usr/bin/whisperchat-server admin/usr/bin/whisperchat-admin \
  tools/usr/bin/whisperchat-cli tools/usr/bin/whisperchat-loadgen; do
  [ -x "$work/$b" ] || no "$b is not executable"
  file -b "$work/$b" 2>/dev/null | grep -q 'not stripped' && no "$b is not stripped"
done
# Only packaged programs: no test or benchmark slipped in.
extra=$(find "$work"/*/usr/bin -type f | grep -vE '/whisperchat-(server|admin|cli|loadgen|client)$' || true)
[ -z "$extra" ] || no "unexpected programs: $extra"
# The icon named by the desktop file is the one shipped.
grep -qx 'Icon=whisperchat-admin' "$work/admin/usr/share/applications/whisperchat-admin.desktop" ||
  no "desktop file names another icon"
grep -qx 'Exec=whisperchat-admin' "$work/admin/usr/share/applications/whisperchat-admin.desktop" ||
  no "desktop file runs another program"

# The server's configuration files are conffiles, kept over upgrades.
printf '/etc/default/whisperchat-server\n/etc/whisperchat/server.ini\n' >"$work/want"
sort "$work/server/DEBIAN/conffiles" | diff -u "$work/want" - || no "conffiles differ"
grep -qx 'data_dir=/var/lib/whisperchat' "$work/server/etc/whisperchat/server.ini" ||
  no "server.ini does not put the data in the state directory"
grep -qx 'START_ON_INSTALL=no' "$work/server/etc/default/whisperchat-server" ||
  no "the default environment file does not say START_ON_INSTALL=no"

# Maintainer scripts: present, executable, valid sh, doing their jobs.
for s in postinst prerm postrm; do
  f="$work/server/DEBIAN/$s"
  [ -x "$f" ] || { no "no executable $s"; continue; }
  head -1 "$f" | grep -qx '#!/bin/sh' || no "$s is not a /bin/sh script"
  sh -n "$f" || no "$s has a syntax error"
done
grep -q 'adduser --system' "$work/server/DEBIAN/postinst" || no "postinst creates no system user"
grep -q 'deb-systemd-helper enable' "$work/server/DEBIAN/postinst" || no "postinst enables nothing"
grep -q 'rm -rf "$root/var/lib/whisperchat"' "$work/server/DEBIAN/postrm" ||
  no "postrm purge keeps the state"
for p in admin tools; do
  ls "$work/$p/DEBIAN" | grep -qE '^(postinst|prerm|postrm|preinst)$' &&
    no "$p has maintainer scripts it does not need"
done

# The packaged server runs from its unpacked /usr/bin and knows its version.
"$work/server/usr/bin/whisperchat-server" --version | grep -q '^whisperchat-server ' ||
  no "the packaged server does not run"

[ $fail -eq 0 ] && echo "tst_package_contents: PASS"
exit $fail
