#!/usr/bin/env bash
# Builds the Node.js binding (debug) and runs its whole suite: type check, node:test (key, sign,
# response and notification vectors, requests, errors, official-SDK conformance; the client, the
# authorisation helpers and the emulator: the delegated-call flow, fault modes, 100 concurrent calls,
# the official SDK against the emulator; the merchant authorisation registry on SQLite, PostgreSQL and
# MySQL (MariaDB): every kind of ingestion, refresh exactly once under concurrent calls and across two
# processes, persistence, encryption at rest, orders, two instances on one database, wrong passwords and
# unreachable servers (no password in any error), TLS and pool parameters, corrupt files, masked output;
# certificate mode: every certs.json case, the official SDK's SNs, the flow through an Alipay
# certificate rotation, refused certificates; service-market orders in the registry, one registry for
# several apps; the application gateway (Gateway, GatewayCore) over real HTTP with node:http and
# Express: a subscription end to end, a push answered `fail` retried and stored once, bad input;
# hardening: all eight emulator faults and raw node:net peers end in typed errors within connect +
# read timeout and leave the registry as it was, no secret in any error, string form or output of the
# whole flow, panics and misuse surface as Errors, RSS flat over 100,000 sign / verify iterations;
# packaging: the ES module entry re-exports every name, the platform packages match napi.targets, a
# missing native binding names the platform, the expected package and the published platforms)
# and the examples (the plugin server with its
# Gateway, its merchants and orders in a registry, certificate mode, against the emulator).
# The registry's PostgreSQL and MySQL tests run against real servers on loopback, started for the run by
# scripts/services/{postgres,mysql}.sh (installed from Debian's packages when missing) and stopped on exit
# whatever happens; each test gets a fresh database of its own (`newdb`). ALIPAY_ISV_SERVICES_ROOT moves
# the servers' files (default target/services), so suites run at once on one machine do not share them.
# Needs node >= 20.17 with npm, and cargo; everything else comes from the npm registry at the
# versions pinned in bindings-node/package-lock.json.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

command -v node >/dev/null || { echo "test-node: node is required" >&2; exit 1; }
command -v npm >/dev/null || { echo "test-node: npm is required" >&2; exit 1; }
command -v cargo >/dev/null || { echo "test-node: cargo is required" >&2; exit 1; }
node -e '
  const [major, minor] = process.versions.node.split(".").map(Number)
  if (major < 20 || (major === 20 && minor < 17)) {
    console.error(`test-node: node ${process.versions.node} is too old; @napi-rs/cli needs >= 20.17`)
    process.exit(1)
  }'

cd bindings-node
echo "== npm dependencies (bindings-node)"
# `npm ci`: exactly the versions of the committed lock, which it never rewrites; it fails when
# package.json and package-lock.json disagree (then run `npm install` there and commit the lock).
npm ci --no-audit --no-fund

# napi builds into the workspace target dir (<repo>/target/<triple>/debug, from `cargo metadata`),
# unless CARGO_TARGET_DIR says otherwise; it regenerates index.js and index.d.ts from the Rust code,
# and main.mjs (the ES module entry, scripts/esm-entry.js) from index.js.
echo "== napi build (debug)"
before="$(cat index.js index.d.ts main.mjs 2>/dev/null | cksum)"
npm run --silent build:debug
after="$(cat index.js index.d.ts main.mjs | cksum)"
if [[ "$before" != "$after" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "test-node: the committed index.js / index.d.ts / main.mjs are stale; run scripts/test-node.sh and commit them" >&2
    exit 1
  fi
  echo "note: index.js / index.d.ts / main.mjs were regenerated; commit them"
fi

echo "== tsc --noEmit (test/types-check.ts against main.d.ts: index.d.ts and gateway.d.ts, strict)"
npx --no-install tsc --noEmit -p test/tsconfig.json

log="$(mktemp)"
# On exit, whatever happens: the log removed, both database servers stopped (`stop` on a stopped one does
# nothing).
cleanup() {
  rm -f "$log"
  "$ROOT/scripts/services/postgres.sh" stop || true
  "$ROOT/scripts/services/mysql.sh" stop || true
}
trap cleanup EXIT

echo "== the database servers of the registry's PostgreSQL and MySQL tests, on loopback"
for service in postgres mysql; do
  service_started=$(date +%s%N)
  # `start` on a running server reuses it (prints its URL, which holds the password: not shown).
  "$ROOT/scripts/services/$service.sh" start >/dev/null
  echo "   $service started in $(( ($(date +%s%N) - service_started) / 1000000 )) ms"
  set -a
  # shellcheck source=/dev/null
  source "${ALIPAY_ISV_SERVICES_ROOT:-$ROOT/target/services}/$service/env"
  set +a
done

echo "== node --test"
status=0
tests_started=$(date +%s%N)
# Eight libuv pool threads: the concurrency test runs its calls on them.
UV_THREADPOOL_SIZE=8 node --test --test-reporter=tap test/ 2>&1 | tee "$log" || status=$?
echo "   node --test took $(( ($(date +%s%N) - tests_started) / 1000000 )) ms"
"$ROOT/scripts/services/postgres.sh" stop
"$ROOT/scripts/services/mysql.sh" stop

for example in sign-and-verify protocol plugin-server-emulated cert-mode-emulated; do
  echo "== example: examples/node/$example.js"
  (cd "$ROOT" && node "examples/node/$example.js")
done

passed="$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -n 1)"
failed="$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -n 1)"
echo "node: ${passed:-0} passed, ${failed:-1} failed"
if [[ "$status" -ne 0 || "${failed:-1}" -ne 0 || "${passed:-0}" -eq 0 ]]; then
  exit 1
fi
