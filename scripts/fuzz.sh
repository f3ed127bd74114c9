#!/usr/bin/env bash
# Runs every cargo-fuzz (libFuzzer) target for a bounded time, seeded from the shared test vectors, and fails
# on any crash, timeout or out-of-memory. Prints, per target, how many inputs ran and what was found.
# Usage: bash scripts/fuzz.sh [seconds per target, default 60] [target...]
# Needs a nightly toolchain (rustup) and cargo-fuzz; installs cargo-fuzz from crates.io when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(key_parse cert_parse response_verify notification_parse callback_parse emulator_request)
fi

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz: a nightly toolchain is needed (rustup toolchain install nightly)" >&2
  exit 2
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
python3 fuzz/seeds.py

failed=0
summary=()
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus" "fuzz/artifacts/$target"
  log="$(mktemp)"
  echo "== fuzz $target for ${seconds}s"
  if cargo +nightly fuzz run "$target" "$corpus" "fuzz/seeds/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    verdict="clean"
  else
    verdict="FOUND A FAILURE (see fuzz/artifacts/$target; add it to fuzz/regressions/$target)"
    failed=$((failed + 1))
    tail -40 "$log"
  fi
  runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
  summary+=("$(printf '%-20s %12s inputs  %s' "$target" "${runs:-?}" "$verdict")")
  rm -f "$log"
done

echo
echo "== fuzz summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit $(( failed > 0 ))
