#!/usr/bin/env bash
# Node.js benchmark (issue 7): our binding, built in release mode, against npm `alipay-sdk` (pinned in
# package.json / package-lock.json) and raw `node:crypto` with cached KeyObjects, interleaved in one run;
# prints one markdown table with the ratios and the issue's targets.
#
# Usage: bash benches/node/run.sh [--quick]
#   --quick            0.25 s slices, 3 rounds: well under a minute once built (default: 1 s, 6 rounds, 2-3 min)
#   BENCH_SECONDS=N    seconds per slice;  BENCH_ROUNDS=N  interleaved rounds (override either setting)
#
# Nothing of the project is touched: the peers go into benches/node/node_modules (gitignored, `npm ci`
# from the lock), and the release addon is copied with a copy of bindings-node/index.js into a temporary
# folder; the committed index.js / index.d.ts / debug .node stay as they are. The release build uses
# CARGO_TARGET_DIR (default: the workspace's target/), so it is shared with the other benches.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
command_line="bash benches/node/run.sh${*:+ $*}"

case "${1:-}" in
  --quick)
    export BENCH_SECONDS="${BENCH_SECONDS:-0.25}" BENCH_ROUNDS="${BENCH_ROUNDS:-3}"
    ;;
  "") ;;
  *)
    echo "usage: bash benches/node/run.sh [--quick]" >&2
    exit 2
    ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. The peers, in the throwaway node_modules next to this script (reinstalled only when the pin moves).
if [ "$(node -p "try { require('$here/node_modules/alipay-sdk/package.json').version } catch { '' }")" != "4.14.0" ]; then
  echo "installing the peers (npm ci) into benches/node/node_modules" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

# 2. Our binding in release mode, loaded from a temporary folder.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
echo "building alipay-isv-node (release) in $CARGO_TARGET_DIR" >&2
(cd "$root" && cargo build --release --quiet -p alipay-isv-node >&2)
case "$(uname -s)" in
  Darwin) lib="libalipay_isv_node.dylib" ;;
  *) lib="libalipay_isv_node.so" ;;
esac
# The file name the generated loader looks for on this platform (e.g. alipay-isv.linux-x64-gnu.node).
triple="$(node -p "
  const { platform, arch } = process
  const abi = platform === 'linux' ? (process.report.getReport().header.glibcVersionRuntime ? '-gnu' : '-musl') : ''
  platform + '-' + arch + abi
")"
mkdir -p "$work/alipay-isv"
cp "$root/bindings-node/index.js" "$work/alipay-isv/index.js"
cp "$CARGO_TARGET_DIR/release/$lib" "$work/alipay-isv/alipay-isv.$triple.node"

# 3. The benchmark (the addon is required from the temporary folder, in the main thread and in workers).
cd "$here"
unset NAPI_RS_NATIVE_LIBRARY_PATH
ALIPAY_ISV_NODE_DIR="$work/alipay-isv" BENCH_COMMAND="$command_line" node bench.js
