#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The browser client in Debian's headless Chromium against a real
# whisperchat-server (browser-test.js). Installs the npm packages the test
# needs (puppeteer-core, axe-core: exact versions from package-lock.json)
# under the build directory with `npm ci`, only when the lock file changed;
# nothing downloads a browser.
#   run.sh BIN_DIR OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin_dir=${1:?usage: run.sh BIN_DIR OUT_DIR}
out_dir=${2:?usage: run.sh BIN_DIR OUT_DIR}
chromium=${CHROMIUM:-/usr/bin/chromium}

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "browser test: $tool missing (scripts/install-deps.sh)"; exit 1; }
done
[ -x "$chromium" ] || { echo "browser test: $chromium missing (scripts/install-deps.sh)"; exit 1; }

deps="$out_dir/node"
mkdir -p "$deps"
stamp="$deps/node_modules/.whisperchat-lock"
if ! cmp -s "$here/package-lock.json" "$stamp" 2>/dev/null; then
  cp "$here/package.json" "$here/package-lock.json" "$deps/"
  (cd "$deps" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  cp "$here/package-lock.json" "$stamp"
fi

exec env PUPPETEER_SKIP_DOWNLOAD=1 node "$here/browser-test.js" \
  --bin-dir "$bin_dir" --out-dir "$out_dir" --node-modules "$deps" --chromium "$chromium"
