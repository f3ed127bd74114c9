#!/usr/bin/env bash
# Builds the uniffi binding (debug), generates its Kotlin sources, runs the JUnit 5 suite of
# bindings-uniffi/kotlin with Maven (the client, auth, emulator and registry tests run against the
# emulator on loopback, certificate mode included; the registry tests run on SQLite files in temporary
# directories and on a fresh database each in PostgreSQL and in MariaDB — servers started on loopback for
# the run by scripts/services/{postgres,mysql}.sh, installed from Debian's packages when missing, and
# stopped on exit whatever happens; ALIPAY_ISV_SERVICES_ROOT, when set, keeps their files, and so the
# servers, apart from another suite's; the fault, secret and boundary tests drive every fault mode, search every error text,
# toString and captured output for secrets, and panic through the debug-only hooks; the RSS test runs
# in a surefire execution of its own with a fixed heap; the gateway tests serve the Gateway through its
# JDK HttpHandler on loopback, the emulator pushing to it) and runs the Kotlin examples, the
# certificate-mode call and the plugin server (merchants and orders in a registry file, the Gateway's
# JDK handler as its application gateway) against the emulator included. Needs cargo, java 17 and
# maven; every Maven dependency and plugin is pinned in the pom and comes from Maven Central.
#
# `--release`: the same suite and examples against the release library that scripts/package/jvm.sh
# ships (built the same way, with zig for glibc 2.17, so one build serves both; not stripped), its
# Kotlin generated from it. A release library has no debug-only hooks: the tests tagged `debug-hooks`
# are skipped, each with its reason (DebugHooks.kt). In the default (debug) run they are required.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
release=false
case "${1:-}" in
  --release) release=true ;;
  "") ;;
  *) echo "usage: scripts/test-kotlin.sh [--release]" >&2; exit 2 ;;
esac
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
if $release; then
  native_dir="$target_dir/x86_64-unknown-linux-gnu/release"
  debug_hooks=optional
else
  native_dir="$target_dir/debug"
  debug_hooks=required
fi
library="$native_dir/libalipay_isv_uniffi.so"
# What uniffi-bindgen reads the interface from: the zig-linked release .so has no .symtab (where it
# looks for the UNIFFI_META_* symbols), the release rlib of the same rustc run keeps them.
metadata_source="$library"
$release && metadata_source="$native_dir/libalipay_isv_uniffi.rlib"
project="$root/bindings-uniffi/kotlin"
generated="$project/target/generated-sources/uniffi"

for tool in cargo java mvn; do
  command -v "$tool" >/dev/null || { echo "test-kotlin: $tool is required" >&2; exit 1; }
done

if $release; then
  echo "== cargo zigbuild --release -p alipay-isv-uniffi (x86_64, glibc 2.17: the build scripts/package/jvm.sh ships)"
  # shellcheck source=package/common.sh
  source "$root/scripts/package/common.sh"
  ensure_cargo_zigbuild
  cargo zigbuild --release --locked -p alipay-isv-uniffi --target x86_64-unknown-linux-gnu.2.17
  cargo build -p uniffi-bindgen
else
  echo "== cargo build -p alipay-isv-uniffi (debug)"
  cargo build -p alipay-isv-uniffi -p uniffi-bindgen

  echo "== cargo test -p alipay-isv-uniffi -p uniffi-bindgen (the Kotlin patch)"
  cargo test -p alipay-isv-uniffi -p uniffi-bindgen
fi

echo "== uniffi-bindgen generate (Kotlin)"
# A fresh target/: the generated sources always match the library just built, no stale classes.
rm -rf "$project/target"
cargo run -q -p uniffi-bindgen -- generate --library "$metadata_source" --language kotlin \
  --out-dir "$generated" --config "$root/uniffi.toml" --no-format
test -f "$generated/alipay/isv/alipay_isv_uniffi.kt" || {
  echo "test-kotlin: the generated Kotlin file is missing" >&2
  exit 1
}

echo "== the database servers of the registry tests, on loopback (stopped on exit whatever happens)"
services_root="${ALIPAY_ISV_SERVICES_ROOT:-$root/target/services}"
stop_services() {
  "$root/scripts/services/postgres.sh" stop || true
  "$root/scripts/services/mysql.sh" stop || true
}
trap stop_services EXIT
for service in postgres mysql; do
  service_started=$(date +%s%N)
  # `start` on a running server (a previous run killed before its trap) reuses it.
  "$root/scripts/services/$service.sh" start >/dev/null
  echo "   $service started in $(( ($(date +%s%N) - service_started) / 1000000 )) ms"
  set -a
  # shellcheck source=/dev/null
  source "$services_root/$service/env"
  set +a
done

echo "== mvn test ($($release && echo "release library, debug-hooks tests skipped" || echo "debug library, debug-hooks tests required"))"
suite_started=$(date +%s)
mvn -B -ntp -Dstyle.color=never -f "$project/pom.xml" -Dnative.dir="$native_dir" -Ddebug.hooks="$debug_hooks" test
echo "   mvn test took $(( $(date +%s) - suite_started )) s"
# The skipped tests by name, with their reason (a release build: those of the debug-only hooks).
awk '/<testcase /{match($0, /name="[^"]*"/); name = substr($0, RSTART + 6, RLENGTH - 7)
                  match($0, /classname="[^"]*"/); class = substr($0, RSTART + 11, RLENGTH - 12)}
     /<skipped/{match($0, /skipped: [^\n<]*/); print "   skipped: " class " > " name ": " substr($0, RSTART + 9, RLENGTH - 9)}' \
  "$project"/target/surefire-reports/TEST-*.xml
stop_services
trap - EXIT

echo "== examples/kotlin"
classpath="$project/target/classes:$(cat "$project/target/runtime-classpath.txt")"
java -Djna.library.path="$native_dir" -cp "$classpath" alipay.isv.examples.SignAndVerifyKt
java -Djna.library.path="$native_dir" -cp "$classpath" alipay.isv.examples.SignedCall
# Certificate mode against the emulator: configuration from certificates, a rotation followed.
java -Djna.library.path="$native_dir" -cp "$classpath" alipay.isv.examples.CertModeCall
# The plugin server (JDK HttpServer) driven end to end against the emulator on loopback.
java -Djna.library.path="$native_dir" -cp "$classpath" alipay.isv.examples.PluginServerRun
echo "test-kotlin: all passed ($($release && echo release || echo debug) library)"
