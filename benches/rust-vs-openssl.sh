#!/usr/bin/env bash
# Runs `openssl speed -elapsed rsa2048` and the criterion bench (core/benches/sign.rs) in the same run,
# twice interleaved, and prints one table of ops/s with the ratios against OpenSSL.
# Usage: bash benches/rust-vs-openssl.sh [seconds-per-openssl-run, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

openssl_run() {
  openssl speed -elapsed -seconds "$seconds" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6, $7}' >>"$work/openssl"
}
criterion_run() {
  cargo bench -q -p alipay-isv --bench sign -- --warm-up-time 1 --measurement-time "$seconds" '^rsa2048/(sign|verify)$' >/dev/null 2>&1
  python3 - "$work/criterion" <<'PY'
import json, sys
row = []
for op in ("sign", "verify"):
    with open(f"target/criterion/rsa2048/{op}/new/estimates.json") as f:
        row.append(1e9 / json.load(f)["mean"]["point_estimate"])
with open(sys.argv[1], "a") as out:
    out.write(f"{row[0]} {row[1]}\n")
PY
}

cargo bench -q -p alipay-isv --bench sign --no-run >/dev/null 2>&1
for _ in 1 2; do openssl_run; criterion_run; done

python3 - "$work/openssl" "$work/criterion" "$(nproc)" "$(openssl version)" <<'PY'
import sys
def mean(path):
    rows = [list(map(float, line.split())) for line in open(path) if line.strip()]
    return [sum(col) / len(col) for col in zip(*rows)]
ssl_sign, ssl_verify = mean(sys.argv[1])
our_sign, our_verify = mean(sys.argv[2])
print(f"machine: {sys.argv[3]} cores, {sys.argv[4]}; RSA-2048, ~600-byte canonical content, 2 interleaved rounds")
print()
print("| implementation | sign ops/s | verify ops/s |")
print("|---|---:|---:|")
print(f"| `openssl speed -elapsed rsa2048` | {ssl_sign:,.0f} | {ssl_verify:,.0f} |")
print(f"| alipay-isv (aws-lc-rs, key parsed once) | {our_sign:,.0f} | {our_verify:,.0f} |")
print(f"| ratio | {our_sign / ssl_sign:.2f}x | {our_verify / ssl_verify:.2f}x |")
print()
ok = our_sign >= 0.9 * ssl_sign and our_verify >= 0.85 * ssl_verify
print("targets (sign >= 0.90x, verify >= 0.85x):", "met" if ok else "MISSED")
PY
