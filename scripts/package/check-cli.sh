#!/usr/bin/env bash
# Checks the CLI tarballs of dist/cli/ as a user gets them: unpacked outside the repository and run with no
# Rust toolchain on PATH. A binary for this machine runs `--version` and the whole delegated flow
# (`alipay-isv demo`, with its registry in a SQLite file of the temporary directory); every binary's
# architecture and linkage are checked (a musl binary must be static); one for another architecture runs
# under qemu-user when Debian's qemu-user is installed, else only its architecture and linkage are checked,
# which its line says.
set -euo pipefail
# shellcheck source=scripts/package/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

shopt -s nullglob
tarballs=("$dist"/cli/alipay-isv-cli-*.tar.gz)
if (( ${#tarballs[@]} == 0 )); then
  log "check-cli: no tarball in $dist/cli"
  exit 1
fi
clean_path="$(without_rust)"
host_arch="$(uname -m)"

for tarball in "${tarballs[@]}"; do
  name="$(basename "$tarball" .tar.gz)"
  triple="${name#alipay-isv-cli-"$version"-}"
  work="$(mktemp -d /tmp/alipay-isv-check-cli.XXXXXX)"
  tar -C "$work" -xzf "$tarball"
  for file in alipay-isv LICENSE-MIT LICENSE-APACHE README.md; do
    [[ -f "$work/$file" ]] || { log "check-cli: $name lacks $file"; exit 1; }
  done
  binary="$work/alipay-isv"
  arch="${triple%%-*}"
  described="$(file -b "$binary" 2>/dev/null || readelf -h "$binary" | sed -n 's/ *Machine: *//p')"
  case "$arch" in
    x86_64) [[ "$described" == *x86-64* || "$described" == *X86-64* ]] ;;
    aarch64) [[ "$described" == *aarch64* || "$described" == *AArch64* ]] ;;
  esac || { log "check-cli: $name is not an $arch binary: $described"; exit 1; }
  if [[ "$triple" == *musl* ]]; then
    if readelf -d "$binary" 2>/dev/null | grep -q NEEDED || readelf -l "$binary" | grep -q "Requesting program interpreter"; then
      log "check-cli: $name should be static but links dynamically"
      exit 1
    fi
    linkage="static"
  else
    # The newest glibc symbol version the binary needs.
    newest="$(readelf -V "$binary" | grep -o 'GLIBC_[0-9.]*' | sort -t. -k1,1 -k2,2n -V | tail -1)"
    linkage="dynamic, needs ${newest:-no versioned glibc}"
  fi
  runner=()
  if [[ "$arch" != "$host_arch" ]]; then
    if command -v "qemu-$arch" >/dev/null 2>&1; then
      runner=("qemu-$arch")
    elif command -v "qemu-$arch-static" >/dev/null 2>&1; then
      runner=("qemu-$arch-static")
    else
      artifact_line "$name" "$tarball" "$triple" "$linkage; architecture checked, not run (no qemu-user here)"
      rm -rf "$work"
      continue
    fi
  fi
  (
    cd "$work"
    export PATH="$clean_path"
    if command -v cargo >/dev/null 2>&1; then
      echo "check-cli: cargo is still on PATH" >&2
      exit 1
    fi
    "${runner[@]}" ./alipay-isv --version | grep -q "$version"
    "${runner[@]}" ./alipay-isv demo --db "$work/registry.db" > "$work/demo.log" 2>&1 || {
      cat "$work/demo.log" >&2
      exit 1
    }
    grep -q "all 30 steps passed" "$work/demo.log"
  ) || { log "check-cli: $name failed"; exit 1; }
  artifact_line "$name" "$tarball" "$triple" "$linkage; --version and demo (30 steps) ran${runner:+ under ${runner[0]}}"
  rm -rf "$work"
done
