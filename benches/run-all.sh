#!/usr/bin/env bash
# Runs every benchmark script one after the other (never in parallel: they share 2 cores) and writes
# the tables to BENCHMARKS.md at the repository root, with the machine and the command.
# Usage: bash benches/run-all.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
quick="${1:-}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

section() {
  local title="$1"; shift
  echo "== $title: $*" >&2
  { echo; echo "## $title"; echo; echo "Command: \`$*\`"; echo; "$@" 2>/dev/null | sed -n '/^machine\|^command\|^load\|^alipay-isv:\|^|\|^Targets\|^targets\|^- \|^Ratios\|^Largest/p'; } >>"$out"
}

if [[ "$quick" == "--quick" ]]; then
  section "Rust vs openssl speed" bash benches/rust-vs-openssl.sh 2
  section "Protocol layer vs raw verification (criterion)" bash benches/protocol.sh
  section "Python" bash benches/python/run.sh 30
  section "Node.js" bash benches/node/run.sh --quick
  section "Kotlin/JVM" bash benches/jvm/run.sh quick
  section "Delegated calls end to end (emulator on loopback)" cargo bench -q -p alipay-isv-emulator --bench delegated_e2e
  section "Merchant authorisation registry" cargo bench -q -p alipay-isv --bench registry
  section "Notifications through the Gateway over HTTP" cargo bench -q -p alipay-isv --bench gateway_http
else
  section "Rust vs openssl speed" bash benches/rust-vs-openssl.sh
  section "Protocol layer vs raw verification (criterion)" bash benches/protocol.sh
  section "Python" bash benches/python/run.sh
  section "Node.js" bash benches/node/run.sh
  section "Kotlin/JVM" bash benches/jvm/run.sh
  section "Delegated calls end to end (emulator on loopback)" cargo bench -q -p alipay-isv-emulator --bench delegated_e2e
  section "Merchant authorisation registry" cargo bench -q -p alipay-isv --bench registry
  section "Notifications through the Gateway over HTTP" cargo bench -q -p alipay-isv --bench gateway_http
fi

{
  echo "# Benchmarks"
  echo
  echo "Produced by \`bash benches/run-all.sh${quick:+ $quick}\` on $(date -u '+%Y-%m-%d %H:%M UTC'),"
  echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), commit $(git rev-parse --short HEAD)."
  echo "How to read and rerun: benches/README.md. Every script runs our binding and its peers interleaved in one"
  echo "process; ratios are within one run, absolute figures move with the machine's load."
  cat "$out"
} >BENCHMARKS.md
echo "wrote BENCHMARKS.md" >&2
