#!/usr/bin/env bash
# The `alipay-isv` command as release binaries in dist/cli/, each in a tarball with the licences and the
# README: `alipay-isv-cli-VERSION-TRIPLE.tar.gz`.
#
#   scripts/package/cli.sh        static musl binaries for x86_64 and aarch64 (the Rust targets are added
#                                 with rustup when missing), linked by zig (from PyPI) through zig_env
#   scripts/package/cli.sh --ci   this machine's binary only: static musl x86_64 when that Rust target is
#                                 installed, else x86_64 glibc ≥ 2.17 (zig links against glibc 2.17) — the
#                                 tarball's name says which
#
# `--locked`: the binaries are built from Cargo.lock, the versions the project tested.
set -euo pipefail
# shellcheck source=scripts/package/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

parse_ci_flag "$@"
out="$dist/cli"
mkdir -p "$out"

# build TRIPLE [ZIG_TARGET]: one release binary, stripped, packed with the licences. Built with cargo under
# zig_env, as the other packaging scripts build, so they share one build of the core.
build() {
  local triple="$1" zig_target="${2:-$1}" stage binary
  log "cli: cargo build --release --locked --target $triple (zig: $zig_target)"
  (
    zig_env "$zig_target"
    cd "$repo" && cargo build --quiet --release --locked -p alipay-isv-cli --target "$triple"
  )
  binary="$repo/target/$triple/release/alipay-isv"
  stage="$(mktemp -d)"
  cp "$binary" "$stage/alipay-isv"
  strip_binary "$stage/alipay-isv"
  chmod 755 "$stage/alipay-isv"
  cp "$repo/LICENSE-MIT" "$repo/LICENSE-APACHE" "$repo/README.md" "$stage/"
  tar -C "$stage" -czf "$out/alipay-isv-cli-$version-$triple.tar.gz" alipay-isv LICENSE-MIT LICENSE-APACHE README.md
  rm -rf "$stage"
}

if $ci; then
  rm -f "$out"/alipay-isv-cli-*-x86_64-*.tar.gz
  if rustup target list --installed | grep -qx x86_64-unknown-linux-musl; then
    build x86_64-unknown-linux-musl
  else
    log "cli: the Rust target x86_64-unknown-linux-musl is not installed: building x86_64 for glibc >= 2.17"
    build x86_64-unknown-linux-gnu x86_64-unknown-linux-gnu.2.17
  fi
else
  rm -f "$out"/alipay-isv-cli-*.tar.gz
  for triple in x86_64-unknown-linux-musl aarch64-unknown-linux-musl; do
    ensure_rust_target "$triple"
    build "$triple"
  done
fi
