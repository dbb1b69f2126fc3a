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

# The installed programs run from the root's /usr/bin: the server with the
# shipped configuration (its data_dir replaced, as the root is not /), under
# the kernel's memory-deny-write-execute (what MemoryDenyWriteExecute= in the
# unit enforces; x86-64, Linux 6.3 or later), and two installed console
# clients chat through it.
dpkg_root --install "$(echo "$deb_dir"/whisperchat-tools_*.deb)"
mdwe=()
if [ "$(uname -m)" = x86_64 ] &&
  perl -e 'syscall(157, 65, 1, 0, 0, 0) == 0 or exit 1' 2>/dev/null; then
  # prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN), kept across exec.
  mdwe=(perl -e 'syscall(157, 65, 1, 0, 0, 0) == 0 or die "prctl: $!\n"; exec @ARGV or die' --)
else
  echo "note: no PR_SET_MDWE here; the server runs without it"
fi
mkdir -m 0700 "$work/state"
"${mdwe[@]}" "$root/usr/bin/whisperchat-server" --config "$root/etc/whisperchat/server.ini" \
  --data-dir "$work/state" --listen 127.0.0.1 --port 0 --control-port 0 --http-port 0 \
  >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
wait_for() { # FILE PATTERN: up to 30 s
  for _ in $(seq 1 300); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
if wait_for "$work/server.out" 'ready: chat ws://'; then
  [ -f "$work/state/whisperchat.db" ] || no "the server made no database in its data directory"
  url=$(sed -n 's/.*ready: chat \(ws:[^ ]*\) .*/\1/p' "$work/server.out")
  mkfifo "$work/a.in" "$work/b.in"
  cli=("$root/usr/bin/whisperchat-cli" --url "$url" --range 10 --linger-ms 100 --lat 52.52)
  "${cli[@]}" --lon 13.405 <"$work/a.in" >"$work/a.out" 2>&1 &
  a_pid=$!
  exec 3>"$work/a.in"
  "${cli[@]}" --lon 13.4493 <"$work/b.in" >"$work/b.out" 2>&1 &
  b_pid=$!
  exec 4>"$work/b.in"
  if wait_for "$work/a.out" '\* matched' && wait_for "$work/b.out" '\* matched'; then
    echo "hello from the package" >&3
    wait_for "$work/b.out" ': hello from the package' || no "the installed clients did not chat"
  else
    no "the installed clients were not matched"
  fi
  exec 3>&- 4>&-
  wait "$a_pid" "$b_pid" || no "a console client failed"
else
  cat "$work/server.err"; no "the installed server did not get ready"
fi
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" && rc=0 || rc=$?
server_pid=
[ $rc -eq 0 ] || { cat "$work/server.err"; no "the installed server exited $rc on SIGTERM"; }
dpkg_root --remove whisperchat-tools

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
