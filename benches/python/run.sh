#!/usr/bin/env bash
# Python benchmark: alipay-isv (release wheel) against alipay-sdk-python, python-alipay-sdk and
# cryptography, interleaved in one run; prints one markdown table (see bench.py).
#
# Usage: bash benches/python/run.sh [seconds]      (or BENCH_SECONDS=...; default 180, quick: 30)
#        BENCH_FRESH=1 bash benches/python/run.sh  (recreate the throwaway venv first)
#
# Everything is installed into benches/python/.venv-bench (gitignored), never into the project's
# .venv; our binding is built with `maturin build --release` (shared target dir) into a temp dir
# and installed from there.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv-bench"
seconds="${1:-${BENCH_SECONDS:-180}}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ "${BENCH_FRESH:-0}" = 1 ]; then
    rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "== creating $venv" >&2
    python3 -m venv "$venv"
fi

echo "== installing the pinned peers and maturin" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"

echo "== building alipay-isv (release wheel)" >&2
"$venv/bin/maturin" build --release --quiet \
    --manifest-path "$root/bindings-python/Cargo.toml" \
    --interpreter "$venv/bin/python" --out "$work/wheels" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --force-reinstall --no-deps "$work"/wheels/alipay_isv-*.whl

echo "== benchmarking (about ${seconds}s of measurement)" >&2
if [ $# -gt 0 ]; then
    command="bash benches/python/run.sh $1"
elif [ -n "${BENCH_SECONDS:-}" ]; then
    command="BENCH_SECONDS=$BENCH_SECONDS bash benches/python/run.sh"
else
    command="bash benches/python/run.sh"
fi
cd "$root"
"$venv/bin/python" "$here/bench.py" --seconds "$seconds" --command "$command"
