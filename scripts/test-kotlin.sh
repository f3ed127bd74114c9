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
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
native_dir="$target_dir/debug"
library="$native_dir/libalipay_isv_uniffi.so"
project="$root/bindings-uniffi/kotlin"
generated="$project/target/generated-sources/uniffi"

for tool in cargo java mvn; do
  command -v "$tool" >/dev/null || { echo "test-kotlin: $tool is required" >&2; exit 1; }
done

echo "== cargo build -p alipay-isv-uniffi (debug)"
cargo build -p alipay-isv-uniffi -p uniffi-bindgen

echo "== cargo test -p alipay-isv-uniffi -p uniffi-bindgen (the Kotlin patch)"
cargo test -p alipay-isv-uniffi -p uniffi-bindgen

echo "== uniffi-bindgen generate (Kotlin)"
# A fresh target/: the generated sources always match the library just built, no stale classes.
rm -rf "$project/target"
cargo run -q -p uniffi-bindgen -- generate --library "$library" --language kotlin \
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

echo "== mvn test"
suite_started=$(date +%s)
mvn -B -ntp -Dstyle.color=never -f "$project/pom.xml" -Dnative.dir="$native_dir" test
echo "   mvn test took $(( $(date +%s) - suite_started )) s"
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
echo "test-kotlin: all passed"
