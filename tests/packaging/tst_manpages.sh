#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The manual pages are generated from the programs (scripts/gen-manpage.pl):
# every setting of the server's table (--dump-settings) appears in its page,
# in --help and in docs/OPERATIONS.md; every option of the other programs'
# --help appears in their pages; and man renders each page without warnings.
set -euo pipefail
src=$2 build=$3
bin="$build/bin" man="$build/man"
export QT_QPA_PLATFORM=offscreen
fail=0
no() { echo "FAIL: $*"; fail=1; }

render() { LC_ALL=C.UTF-8 MANWIDTH=200 man --warnings -l "$1" 2>"$1.warn"; }

settings=$("$bin/whisperchat-server" --dump-settings | cut -f1)
[ "$(wc -l <<<"$settings")" -ge 50 ] || no "--dump-settings lists only $(wc -l <<<"$settings") settings"
help=$("$bin/whisperchat-server" --help)
page=$(render "$man/whisperchat-server.8")
[ -s "$man/whisperchat-server.8.warn" ] && { cat "$man/whisperchat-server.8.warn"; no "server page warnings"; }
# One set per place, then each setting looked up in it (few processes).
in_help=$(sed -nE 's/^ *--([a-z0-9-]+) <.*/\1/p' <<<"$help" | sort -u)
in_page=$(sed -nE 's/^ *--([a-z0-9-]+)( .*)?$/\1/p' <<<"$page" | sort -u)
env_in_page=$(grep -oE 'WHISPERCHAT_[A-Z0-9_]+' <<<"$page" | sort -u)
in_docs=$(grep -oE '`[a-z0-9-]+`' "$src/docs/OPERATIONS.md" | tr -d '`' | sort -u)
missing() { comm -23 <(sort -u <<<"$1") <(printf '%s\n' "$2"); }
for s in $(missing "$settings" "$in_help"); do no "--$s is not in --help"; done
for s in $(missing "$settings" "$in_page"); do no "--$s is not in whisperchat-server(8)"; done
for e in $(missing "$(sed 's/^/WHISPERCHAT_/' <<<"$settings" | tr 'a-z-' 'A-Z_')" "$env_in_page"); do
  no "$e is not in whisperchat-server(8)"
done
# The rate tables name a pair by its stem: `rate-join` for -burst/-leak-ms.
for s in $(missing "$settings" "$in_docs"); do
  stem=$(sed -E 's/-(burst|leak-ms)$//' <<<"$s")
  grep -qx -- "$stem" <<<"$in_docs" || no "$s is not in docs/OPERATIONS.md"
done
for section in SIGNALS FILES 'EXIT STATUS' COMMANDS; do
  grep -qx "$section" <<<"$page" || no "whisperchat-server(8) has no $section section"
done
grep -q 'whisperchat-server user add NAME' <<<"$page" || no "the user command's usage is not in the page"

for p in whisperchat-cli.1 whisperchat-admin.1 whisperchat-loadgen.1; do
  page=$(render "$man/$p")
  [ -s "$man/$p.warn" ] && { cat "$man/$p.warn"; no "$p page warnings"; }
  options=$("$bin/${p%.1}" --help | grep -oE -- '^  (-[a-z], )?--[a-z0-9-]+' | grep -oE -- '--[a-z0-9-]+')
  [ -n "$options" ] || no "${p%.1} --help lists no option"
  for o in $options; do
    grep -qE -- "(^ *|, )$o( |$)" <<<"$page" || no "$o is not in $p"
  done
done

[ $fail -eq 0 ] && echo "tst_manpages: PASS ($(wc -l <<<"$settings") settings)"
exit $fail
