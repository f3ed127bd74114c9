#!/usr/bin/env bash
# Kotlin/JVM benchmark: our uniffi binding (RELEASE build, through JNA) against the official Java SDK
# (com.alipay.sdk:alipay-sdk-java:4.40.734.ALL, AlipaySignature) and raw JCA (SHA256withRSA, cached keys),
# in one JVM, interleaved rounds; prints one markdown table.
#
# Usage: bash benches/jvm/run.sh [quick|crossings]
#   quick: 0.3 s warm-up + 3 rounds of 0.25 s per case (about 30 s once built);
#   default: 1 s warm-up + 6 rounds of 1 s per case (about 3 min);
#   crossings: not the table against the peers but the cost of one uniffi/JNA crossing taken apart
#   (call status, returned RustBuffer, handle clone, map lowering; ns per operation, about 40 s).
#   BENCH_ROUNDS, BENCH_SLOT_SECONDS, BENCH_WARMUP_SECONDS override either setting.
# Needs cargo, java 17 and maven. The peers live only in benches/jvm/pom.xml (a throwaway project whose
# target/ is ignored), never in the project's own dependencies.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
case "$CARGO_TARGET_DIR" in /*) ;; *) CARGO_TARGET_DIR="$root/$CARGO_TARGET_DIR" ;; esac
native_dir="$CARGO_TARGET_DIR/release"
library="$native_dir/libalipay_isv_uniffi.so"
generated="$here/target/generated-sources/uniffi"

mode="${1:-default}"
case "$mode" in
  quick) rounds=3 slot=0.25 warmup=0.3 main=alipay.isv.bench.MainKt ;;
  default) rounds=6 slot=1.0 warmup=1.0 main=alipay.isv.bench.MainKt ;;
  crossings) rounds=5 slot=0.5 warmup=0.5 main=alipay.isv.bench.CrossingsKt ;;
  *) echo "usage: bash benches/jvm/run.sh [quick|crossings]" >&2; exit 2 ;;
esac
rounds="${BENCH_ROUNDS:-$rounds}"
slot="${BENCH_SLOT_SECONDS:-$slot}"
warmup="${BENCH_WARMUP_SECONDS:-$warmup}"

for tool in cargo java mvn; do
  command -v "$tool" >/dev/null || { echo "bench-jvm: $tool is required" >&2; exit 1; }
done

echo "== cargo build --release -p alipay-isv-uniffi" >&2
cargo build -q --release -p alipay-isv-uniffi
echo "== uniffi-bindgen generate (Kotlin, from the release library)" >&2
fresh="$here/target/generated-fresh"
rm -rf "$fresh"
cargo run -q -p uniffi-bindgen -- generate --library "$library" --language kotlin \
  --out-dir "$fresh" --config "$root/uniffi.toml" --no-format >&2
test -f "$fresh/alipay/isv/alipay_isv_uniffi.kt" || { echo "bench-jvm: no generated Kotlin" >&2; exit 1; }
if ! diff -rq "$fresh" "$generated" >/dev/null 2>&1; then
  rm -rf "$generated"
  mkdir -p "$(dirname "$generated")"
  mv "$fresh" "$generated"
else
  rm -rf "$fresh"
fi
# Recompile only when the generated binding, the benchmark or the pom changed since the last build.
stamp="$here/target/.compiled"
if [ ! -f "$stamp" ] || [ ! -d "$here/target/classes" ] || [ -n "$(find "$generated" "$here/src" "$here/pom.xml" -newer "$stamp" -print -quit)" ]; then
  echo "== mvn compile (benches/jvm/pom.xml)" >&2
  if ! mvn -B -q -ntp -Dstyle.color=never -f "$here/pom.xml" compile >"$here/target/mvn.log" 2>&1; then
    cat "$here/target/mvn.log" >&2
    echo "bench-jvm: mvn compile failed" >&2
    exit 1
  fi
  touch "$stamp"
fi

command_line="bash benches/jvm/run.sh${1:+ $1}"
for var in BENCH_ROUNDS BENCH_SLOT_SECONDS BENCH_WARMUP_SECONDS; do
  if [ -n "${!var:-}" ]; then command_line="$var=${!var} $command_line"; fi
done
classpath="$here/target/classes:$(cat "$here/target/runtime-classpath.txt")"
echo "== java (JNA loads $library)" >&2
exec java -Xms2g -Xmx2g -Djna.library.path="$native_dir" \
  -Dkeys.dir="$root/tests/vectors/keys" \
  -Dbench.rounds="$rounds" -Dbench.slot.seconds="$slot" -Dbench.warmup.seconds="$warmup" \
  -Dbench.command="$command_line" ${BENCH_JAVA_OPTS:-} \
  -cp "$classpath" "$main"
