#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/install-deps.sh must never stop a service the user already had
# running; it stops only what installing packages started. apt-get,
# dpkg-query and systemctl are replaced by fakes on PATH that record calls
# (a unit test of the script's logic: nothing is installed or stopped).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
log="$work/calls"
# One package "missing", everything else installed.
cat >"$work/bin/dpkg-query" <<'FAKE'
#!/usr/bin/env bash
pkg=${!#}
[ "$pkg" = redis-server ] && exit 1
echo "install ok installed"
FAKE
cat >"$work/bin/apt-get" <<FAKE
#!/usr/bin/env bash
echo "apt-get \$*" >>"$log"
# Installing starts every service, as Debian's maintainer scripts do.
[ "\$1" = install ] && touch "$work/active-nginx" "$work/active-redis-server" "$work/active-postgresql"
exit 0
FAKE
cat >"$work/bin/systemctl" <<FAKE
#!/usr/bin/env bash
echo "systemctl \$*" >>"$log"
case "\$1" in
  is-active) [ -e "$work/active-\${!#}" ] ;;
  stop) rm -f "$work/active-\$2" ;;
esac
FAKE
cat >"$work/bin/sudo" <<'FAKE'
#!/usr/bin/env bash
exec "$@"
FAKE
chmod +x "$work/bin/"*

# The user already runs nginx; redis-server and postgresql are not running.
touch "$work/active-nginx"
PATH="$work/bin:$PATH" bash "$root/scripts/install-deps.sh" >/dev/null

fail=0
grep -q "^apt-get install .*redis-server" "$log" || { echo "FAIL: redis-server was not installed"; fail=1; }
grep -q "^systemctl stop nginx" "$log" && { echo "FAIL: the user's running nginx was stopped"; fail=1; }
[ -e "$work/active-nginx" ] || { echo "FAIL: nginx is no longer active"; fail=1; }
for svc in redis-server postgresql; do
  grep -q "^systemctl stop $svc" "$log" || { echo "FAIL: $svc, started by the install, was left running"; fail=1; }
done

# Nothing missing: nothing installed, nothing stopped.
: >"$log"
cat >"$work/bin/dpkg-query" <<'FAKE'
#!/usr/bin/env bash
echo "install ok installed"
FAKE
PATH="$work/bin:$PATH" bash "$root/scripts/install-deps.sh" >/dev/null
if [ -s "$log" ] && grep -qE "^(apt-get install|systemctl stop)" "$log"; then
  echo "FAIL: a complete machine saw installs or stops:"; cat "$log"; fail=1
fi

# Groups: `make run` (group run) installs no test service, no Node.js, no
# QML module and no GUI toolkit; `make test` (run build test) gets them.
cat >"$work/bin/dpkg-query" <<'FAKE'
#!/usr/bin/env bash
exit 1
FAKE
installs() {
  : >"$log"
  PATH="$work/bin:$PATH" bash "$root/scripts/install-deps.sh" "$@" >/dev/null
  grep '^apt-get install' "$log" | tr ' ' '\n'
}
run_pkgs=$(installs run)
grep -qx qt6-base-dev <<<"$run_pkgs" || { echo "FAIL: run does not install qt6-base-dev"; fail=1; }
grep -qx libsodium-dev <<<"$run_pkgs" || { echo "FAIL: run does not install libsodium-dev"; fail=1; }
for p in postgresql-15 redis-server nginx nodejs npm chromium qt6-declarative-dev \
  qt6-charts-dev lintian xvfb; do
  grep -qx "$p" <<<"$run_pkgs" && { echo "FAIL: make run's group installs $p"; fail=1; }
done
grep -q '^qml6-module' <<<"$run_pkgs" && { echo "FAIL: make run's group installs QML modules"; fail=1; }
test_pkgs=$(installs run build test)
for p in qt6-base-dev postgresql-15 redis-server nginx qt6-declarative-dev lintian \
  qml6-module-qtquick; do
  grep -qx "$p" <<<"$test_pkgs" || { echo "FAIL: make test's groups do not install $p"; fail=1; }
done
# Where npm is missing, the bench group brings Node.js.
command -v npm >/dev/null 2>&1 || {
  grep -qx nodejs <<<"$(installs bench)" || { echo "FAIL: bench does not install nodejs"; fail=1; }
}
if PATH="$work/bin:$PATH" bash "$root/scripts/install-deps.sh" nonsense >/dev/null 2>&1; then
  echo "FAIL: an unknown group is accepted"; fail=1
fi

[ $fail -eq 0 ] && echo "tst_installdeps: PASS"
exit $fail
