#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Puts an SPDX licence line at the top of every tracked source file that has
# none (after a #! line where there is one). Idempotent: run it after a merge
# or before a commit that adds files. Data, SQL migrations (applied verbatim)
# and generated files are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
tag='SPDX-License-Identifier: MIT'

add() { # file comment-prefix
    local file=$1 prefix=$2
    [ -f "$file" ] || return 0
    head -n 3 "$file" | grep -q 'SPDX-License-Identifier' && return 0
    local tmp
    tmp=$(mktemp)
    if head -n 1 "$file" | grep -q '^#!'; then
        { head -n 1 "$file"; printf '%s %s\n' "$prefix" "$tag"; tail -n +2 "$file"; } >"$tmp"
    else
        { printf '%s %s\n' "$prefix" "$tag"; cat "$file"; } >"$tmp"
    fi
    # Keep the file's mode (scripts stay executable).
    cat "$tmp" >"$file"
    rm -f "$tmp"
}

git ls-files -z -- '*.h' '*.cpp' '*.js' | while IFS= read -r -d '' f; do add "$f" '//'; done
git ls-files -z -- '*CMakeLists.txt' '*.cmake' '*.sh' '*.py' 'Makefile' '.ci/run' |
    while IFS= read -r -d '' f; do add "$f" '#'; done
