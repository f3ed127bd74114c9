#!/usr/bin/env bash
# The Kotlin/JVM artifacts (issue 19) into dist/jvm: alipay-isv-kotlin-<version>.jar (the compiled
# binding — the Kotlin uniffi-bindgen generates from the release library and the hand-written
# bindings-uniffi/kotlin/src/main/kotlin — with the native libraries under JNA's resource path and
# META-INF/LICENSE-*), its -sources.jar and -javadoc.jar (Dokka, javadoc format) and its .pom (the
# runtime dependencies only), built by bindings-uniffi/kotlin-library/pom.xml.
#
#   scripts/package/jvm.sh        linux-x86-64 and linux-aarch64 (adds the aarch64 Rust target if needed)
#   scripts/package/jvm.sh --ci   linux-x86-64 only (this machine's platform; no target is added)
#
# The native library: `cargo zigbuild --release` of alipay-isv-uniffi for glibc 2.17 (zig and
# cargo-zigbuild from PyPI, common.sh), with its default features (the emulator, the SQL stores),
# in the shared target dir; the copy in the jar is stripped. The Kotlin is generated from the x86_64
# release build's rlib: the zig-linked .so has no .symtab, where uniffi-bindgen looks for the
# UNIFFI_META_* symbols, and the rlib (crate-type ["cdylib", "lib"]: the same rustc run as the .so)
# keeps them in its objects. Checked by scripts/package/check-jvm.sh.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

parse_ci_flag "$@"

for tool in cargo java mvn; do
  command -v "$tool" >/dev/null || { log "jvm: $tool is required"; exit 1; }
done

project="$repo/bindings-uniffi/kotlin-library"
build="$repo/target/kotlin-library" # the library pom's build directory
generated="$build/generated-sources/uniffi"
native="$build/native"
out="$dist/jvm"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
case "$target_dir" in /*) ;; *) target_dir="$repo/$target_dir" ;; esac

# The library pom must build with the versions the test suite (bindings-uniffi/kotlin/pom.xml) runs.
for property in kotlin.version jna.version slf4j.version; do
  tested="$(sed -n "s:.*<$property>\(.*\)</$property>.*:\1:p" "$repo/bindings-uniffi/kotlin/pom.xml")"
  shipped="$(sed -n "s:.*<$property>\(.*\)</$property>.*:\1:p" "$project/pom.xml")"
  if [[ -z "$tested" || "$tested" != "$shipped" ]]; then
    log "jvm: $property is '$shipped' in kotlin-library/pom.xml but '$tested' in the tested kotlin/pom.xml"
    exit 1
  fi
done

# Rust target → JNA's resource prefix.
targets=(x86_64-unknown-linux-gnu)
$ci || targets+=(aarch64-unknown-linux-gnu)
jna_prefix() {
  case "$1" in
    x86_64-unknown-linux-gnu) echo linux-x86-64 ;;
    aarch64-unknown-linux-gnu) echo linux-aarch64 ;;
    *) log "jvm: no JNA prefix for $1"; exit 1 ;;
  esac
}

# A stripper that reads both architectures: LLVM's if installed, else zig's objcopy.
strip_copy() {
  if command -v llvm-strip >/dev/null; then
    llvm-strip --strip-all -o "$2" "$1"
  else
    zig objcopy --strip-all "$1" "$2"
  fi
}

ensure_cargo_zigbuild
rm -rf "$build"
mkdir -p "$native"
for triple in "${targets[@]}"; do
  $ci || ensure_rust_target "$triple"
  log "jvm: cargo zigbuild --release -p alipay-isv-uniffi --target $triple.2.17"
  started=$(date +%s)
  cargo zigbuild --release --locked -p alipay-isv-uniffi --target "$triple.2.17"
  log "jvm: $triple built in $(($(date +%s) - started)) s"
  built="$target_dir/$triple/release/libalipay_isv_uniffi.so"
  prefix="$(jna_prefix "$triple")"
  mkdir -p "$native/$prefix"
  strip_copy "$built" "$native/$prefix/libalipay_isv_uniffi.so"
  log "jvm: $prefix/libalipay_isv_uniffi.so $(du -h "$built" | cut -f1) → $(du -h "$native/$prefix/libalipay_isv_uniffi.so" | cut -f1) stripped"
done

log "jvm: uniffi-bindgen generate (Kotlin) from the x86_64 release build (its rlib)"
cargo run -q --locked -p uniffi-bindgen -- generate \
  --library "$target_dir/x86_64-unknown-linux-gnu/release/libalipay_isv_uniffi.rlib" --language kotlin \
  --out-dir "$generated" --config "$repo/uniffi.toml" --no-format
if grep -q 'ForTests' "$generated/alipay/isv/alipay_isv_uniffi.kt"; then
  log "jvm: the release library exports the debug-only test hooks"
  exit 1
fi

log "jvm: mvn package (bindings-uniffi/kotlin-library)"
timestamp=()
if [[ -n "${SOURCE_DATE_EPOCH:-}" ]]; then
  timestamp=(-Dproject.build.outputTimestamp="$SOURCE_DATE_EPOCH")
fi
mvn -B -ntp -q -Dstyle.color=never -f "$project/pom.xml" "${timestamp[@]}" \
  -Duniffi.generated="$generated" -Dnative.resources="$native" package

name="alipay-isv-kotlin-$version"
rm -rf "$out"
mkdir -p "$out"
cp "$build/$name.jar" "$build/$name-sources.jar" "$build/$name-javadoc.jar" "$out/"
cp "$build/.flattened-pom.xml" "$out/$name.pom"
for file in "$out"/*; do
  log "jvm: $(du -h "$file" | cut -f1)  ${file#"$repo"/}"
done
