# Shared by the packaging scripts (scripts/package/*.sh, scripts/package.sh, scripts/test-packages.sh):
# sourced, not run. Sets `repo` (the repository root), `dist` (where artifacts go: $repo/dist),
# `version` (the workspace's version), `tools` (prebuilt tools installed once: $repo/target/tools), and:
#
#   parse_ci_flag ARGS...              sets `ci` to true for the one argument `--ci`, false for none; any
#                                      other argument prints the usage and exits 2
#   log MESSAGE...                     prints a progress line to stderr
#   artifact_line NAME FILE TAG WHAT   prints one line per artifact: name, size, tag, what ran
#   pip_tool DIR SPEC...               installs PyPI packages into $tools/DIR once (reused later); their
#                                      programs are in $tools/DIR/bin
#   ensure_zig                         zig from PyPI (ziglang) in $tools/zig, on PATH as `zig`
#   ensure_cargo_zigbuild              cargo-zigbuild from PyPI in $tools/cargo-zigbuild, on PATH
#   ensure_rust_target TRIPLE          `rustup target add TRIPLE` unless it is installed
#   zig_env ZIG_TARGET                 exports the environment cargo-zigbuild gives cargo for ZIG_TARGET
#                                      (e.g. x86_64-unknown-linux-gnu.2.17: zig as C compiler and linker,
#                                      glibc 2.17): plain `cargo build --target TRIPLE`, maturin without
#                                      --zig and napi without -x then build exactly as cargo-zigbuild would,
#                                      so every packaging script shares ONE release build of the core
#   strip_binary FILE                  strips FILE's symbols: binutils' strip for the host's architecture,
#                                      llvm-strip for another
#   without_rust                       prints PATH without any directory holding cargo or rustc (for the
#                                      checks that run "with no Rust toolchain")

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dist="${ALIPAY_ISV_DIST:-$repo/dist}"
tools="$repo/target/tools"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -1)"

# Pinned tool versions (prebuilt, from PyPI).
ZIG_VERSION="0.17.0"
CARGO_ZIGBUILD_VERSION="0.24.0"

parse_ci_flag() {
  ci=false
  case "$#:${1:-}" in
    0:) ;;
    1:--ci) ci=true ;;
    *)
      echo "usage: $0 [--ci]" >&2
      exit 2
      ;;
  esac
}

log() { echo "package: $*" >&2; }

artifact_line() {
  local name="$1" file="$2" tag="$3" what="$4" size
  size="$(du -h "$file" 2>/dev/null | cut -f1)"
  printf '%-34s %7s  %-40s %s\n' "$name" "${size:-?}" "$tag" "$what"
}

pip_tool() {
  local dir="$1"
  shift
  local stamp="$tools/$dir/.installed"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$*" ]]; then
    return 0
  fi
  rm -rf "${tools:?}/$dir"
  mkdir -p "$tools/$dir"
  python3 -m pip install --quiet --disable-pip-version-check --target "$tools/$dir" "$@" 2>&1 |
    grep -v "as the 'root' user" || true
  echo "$*" > "$stamp"
}

ensure_zig() {
  pip_tool zig "ziglang==$ZIG_VERSION"
  mkdir -p "$tools/zig/bin"
  if [[ ! -x "$tools/zig/bin/zig" ]]; then
    ln -sf "$tools/zig/ziglang/zig" "$tools/zig/bin/zig"
  fi
  case ":$PATH:" in *":$tools/zig/bin:"*) ;; *) export PATH="$tools/zig/bin:$PATH" ;; esac
}

ensure_cargo_zigbuild() {
  ensure_zig
  pip_tool cargo-zigbuild "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
  case ":$PATH:" in *":$tools/cargo-zigbuild/bin:"*) ;; *) export PATH="$tools/cargo-zigbuild/bin:$PATH" ;; esac
}

ensure_rust_target() {
  if ! rustup target list --installed | grep -qx "$1"; then
    log "adding the Rust target $1"
    rustup target add "$1" >/dev/null
  fi
}

strip_binary() {
  local machine
  machine="$(readelf -h "$1" | sed -n 's/^ *Machine: *//p')"
  case "$machine" in
    *X86-64*) [[ "$(uname -m)" == x86_64 ]] && { strip --strip-all "$1"; return; } ;;
    *AArch64*) [[ "$(uname -m)" == aarch64 ]] && { strip --strip-all "$1"; return; } ;;
  esac
  # Another architecture than the host's: LLVM's strip knows them all.
  if command -v llvm-strip >/dev/null 2>&1; then
    llvm-strip --strip-all "$1"
  else
    log "llvm-strip is needed to strip $1 ($machine): apt-get install llvm"
    return 1
  fi
}

zig_env() {
  local zig_target="$1" captured
  ensure_cargo_zigbuild
  mkdir -p "$tools/zig-env"
  captured="$tools/zig-env/$zig_target.env"
  # cargo-zigbuild runs $CARGO with its environment: a script that records it instead of building.
  printf '#!/bin/sh\nenv > "%s"\n' "$captured" > "$tools/zig-env/record.sh"
  chmod +x "$tools/zig-env/record.sh"
  (cd "$repo" && CARGO="$tools/zig-env/record.sh" cargo-zigbuild zigbuild --release --target "$zig_target" >/dev/null)
  local name value
  while IFS='=' read -r name value; do
    case "$name" in
      AR_* | BINDGEN_EXTRA_CLANG_ARGS_* | CARGO_TARGET_* | CARGO_UNSTABLE_TARGET_APPLIES_TO_HOST | \
        CARGO_ZIGBUILD_* | CC_* | CMAKE_TOOLCHAIN_FILE_* | CXX_* | RANLIB_* | __CARGO_TEST_CHANNEL_OVERRIDE_DO_NOT_USE_THIS)
        export "$name=$value"
        ;;
    esac
  done < "$captured"
}

without_rust() {
  local entry kept=""
  local IFS=:
  for entry in $PATH; do
    [[ -z "$entry" ]] && continue
    if [[ -x "$entry/cargo" || -x "$entry/rustc" || "$entry" == *"/.cargo/bin" || "$entry" == *"/.rustup/"* ]]; then
      continue
    fi
    kept="${kept:+$kept:}$entry"
  done
  echo "$kept"
}
