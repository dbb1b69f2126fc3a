#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs whisperchat-server into a throw-away root with the real dpkg
# (--root, chrootless maintainer scripts, DPKG_ROOT) and the real
# deb-systemd-helper, then upgrades, removes and purges it. adduser, getent,
# systemctl and deb-systemd-invoke are fakes on PATH that record their calls,
# so nothing on this machine changes; "$root/run/systemd/system" makes the
# scripts believe systemd runs. The installed server then runs from the
# root's /usr/bin with the shipped configuration.
set -euo pipefail
deb_dir=$1
deb=$(echo "$deb_dir"/whisperchat-server_*.deb)
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
root="$work/root"
calls="$work/calls"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers" \
  "$root/run/systemd/system" "$work/bin"
touch "$root/var/lib/dpkg/status" "$calls"
for tool in adduser systemctl deb-systemd-invoke; do
  printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$tool" "$calls" >"$work/bin/$tool"
done
# The user exists once the fake adduser has run.
printf 'echo "$*" >>"%s"\n' "$work/users" >>"$work/bin/adduser"
printf '#!/bin/sh\ngrep -qs "whisperchat$" "%s"\n' "$work/users" >"$work/bin/getent"
chmod +x "$work/bin/"*
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(fakeroot)

dpkg_root() {
  PATH="$work/bin:$PATH:/usr/sbin:/sbin" "${as_root[@]}" dpkg --root="$root" \
    --force-script-chrootless --force-not-root --force-depends --log="$work/dpkg.log" "$@" \
    >>"$work/dpkg.out" 2>&1 || { cat "$work/dpkg.out"; return 1; }
}
fail=0
no() { echo "FAIL: $*"; fail=1; }
called() { grep -qE "$1" "$calls"; }
wants="$root/etc/systemd/system/multi-user.target.wants/whisperchat-server.service"

# First install: a system user, the unit enabled, the server not started.
dpkg_root --install "$deb"
dpkg-query --root="$root" -W -f='${Status}' whisperchat-server | grep -qx 'install ok installed' ||
  no "not installed"
called '^adduser --system --group .*--home /var/lib/whisperchat .*whisperchat$' ||
  no "no system user created"
[ -L "$wants" ] || no "the unit is not enabled"
called '^systemctl --system daemon-reload' || no "no daemon-reload"
called '^deb-systemd-invoke (start|restart)' && no "a first install started the server"
conffiles=$(dpkg-query --root="$root" -W -f='${Conffiles}' whisperchat-server)
for c in /etc/whisperchat/server.ini /etc/default/whisperchat-server; do
  grep -q "$c" <<<"$conffiles" || no "$c is not registered as a conffile"
done

# The installed binary runs from the root's /usr/bin with the shipped
# configuration (its data_dir replaced, as the root is not /).
mkdir -p "$work/state"
"$root/usr/bin/whisperchat-server" --config "$root/etc/whisperchat/server.ini" \
  --data-dir "$work/state" --listen 127.0.0.1 --port 0 --control-port 0 \
  >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 1 200); do
  grep -q 'ready: chat ws://' "$work/server.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if grep -q 'ready: chat ws://' "$work/server.out"; then
  [ -f "$work/state/whisperchat.db" ] || no "the server made no database in its data directory"
else
  cat "$work/server.err"; no "the installed server did not get ready"
fi
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" && rc=0 || rc=$?
server_pid=
[ $rc -eq 0 ] || no "the installed server exited $rc on SIGTERM"

# Upgrade (the same version again): a running server restarts, nothing starts.
: >"$calls"
dpkg_root --install "$deb"
called '^deb-systemd-invoke try-restart whisperchat-server.service' || no "an upgrade does not restart"
called '^deb-systemd-invoke (start|restart) ' && no "an upgrade started a stopped server"
called '^adduser' && no "an upgrade re-created the user"

# The start flag in /etc/default starts the server on a first configuration.
: >"$calls"
sed -i 's/^START_ON_INSTALL=no/START_ON_INSTALL=yes/' "$root/etc/default/whisperchat-server"
PATH="$work/bin:$PATH" DPKG_ROOT="$root" DPKG_MAINTSCRIPT_PACKAGE=whisperchat-server \
  DPKG_MAINTSCRIPT_NAME=postinst sh "$root/var/lib/dpkg/info/whisperchat-server.postinst" \
  configure ""
called '^deb-systemd-invoke start whisperchat-server.service' || no "START_ON_INSTALL=yes did not start"
sed -i 's/^START_ON_INSTALL=yes/START_ON_INSTALL=no/' "$root/etc/default/whisperchat-server"

# Remove: stopped, program gone, configuration and state kept.
mkdir -p "$root/var/lib/whisperchat"
touch "$root/var/lib/whisperchat/whisperchat.db"
: >"$calls"
dpkg_root --remove whisperchat-server
called '^deb-systemd-invoke stop whisperchat-server.service' || no "remove did not stop the server"
[ -e "$root/usr/bin/whisperchat-server" ] && no "remove left the program"
[ -f "$root/etc/whisperchat/server.ini" ] || no "remove deleted the configuration"
[ -f "$root/var/lib/whisperchat/whisperchat.db" ] || no "remove deleted the state"

# Purge: configuration, state and enablement gone.
dpkg_root --purge whisperchat-server
[ -e "$root/etc/whisperchat/server.ini" ] && no "purge left the configuration"
[ -e "$root/var/lib/whisperchat" ] && no "purge left the state"
[ -e "$wants" ] && no "purge left the unit enabled"

# A first install with WHISPERCHAT_START_ON_INSTALL=yes in its environment
# starts the server.
: >"$calls"
WHISPERCHAT_START_ON_INSTALL=yes dpkg_root --install "$deb"
called '^deb-systemd-invoke start whisperchat-server.service' ||
  no "WHISPERCHAT_START_ON_INSTALL=yes did not start"

[ $fail -eq 0 ] && echo "tst_package_install: PASS"
exit $fail
