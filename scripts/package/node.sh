#!/usr/bin/env bash
# The Node.js packages in dist/npm/, the napi-rs layout (as @node-rs/argon2 ships): the main package
# `alipay-isv-VERSION.tgz` (JavaScript, TypeScript declarations, README, licences; no native binary) and
# one package per platform, `alipay-isv-PLATFORM-VERSION.tgz`, holding the stripped release addon
# `alipay-isv.PLATFORM.node`. npm installs the platform package through the main package's
# `optionalDependencies`, skipping those whose `os` / `cpu` / `libc` do not match.
#
#   scripts/package/node.sh        linux-x64-gnu and linux-arm64-gnu (glibc >= 2.17) and linux-x64-musl,
#                                  cross-built with napi's `--cross-compile` (cargo-zigbuild and zig from
#                                  PyPI); the Rust targets are added with rustup when missing
#   scripts/package/node.sh --ci   linux-x64-gnu only (this machine's platform; no Rust target added)
#
# The macOS and Windows packages (darwin-x64, darwin-arm64, win32-x64-msvc, in napi.targets and in the
# main package's optionalDependencies) are built only by the release workflow.
#
# Nothing in bindings-node/ is written: the addon is built into target/npm-package/build/, and each
# package is assembled in target/npm-package/ from bindings-node/package.json (the main package) and
# bindings-node/npm/PLATFORM/ (the platform packages). The main package's `optionalDependencies` are
# added there, as `napi prepublish` adds them at publication: bindings-node/package.json cannot list
# them while the platform packages are not in the registry, or `npm ci` would refuse its lock file.
# The build's generated index.js / index.d.ts must equal the committed ones (else this fails: run
# scripts/test-node.sh and commit them), and the licence copies must equal the repository's.
set -euo pipefail
# shellcheck source=scripts/package/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

parse_ci_flag "$@"
node_dir="$repo/bindings-node"
out="$dist/npm"
stage="$repo/target/npm-package"

command -v node >/dev/null || { log "node: node (>= 20.17, for @napi-rs/cli) is required"; exit 1; }
command -v npm >/dev/null || { log "node: npm is required"; exit 1; }

# The platforms: napi's name, the Rust target, the target given to cargo-zigbuild (a `.2.17` suffix
# links against glibc 2.17: manylinux2014's floor, RHEL/CentOS 7 and later).
declare -A rust_target=(
  [linux-x64-gnu]=x86_64-unknown-linux-gnu
  [linux-x64-musl]=x86_64-unknown-linux-musl
  [linux-arm64-gnu]=aarch64-unknown-linux-gnu
)
declare -A zig_target=(
  [linux-x64-gnu]=x86_64-unknown-linux-gnu.2.17
  [linux-x64-musl]=x86_64-unknown-linux-musl
  [linux-arm64-gnu]=aarch64-unknown-linux-gnu.2.17
)
if $ci; then
  platforms=(linux-x64-gnu)
else
  platforms=(linux-x64-gnu linux-x64-musl linux-arm64-gnu)
fi

# Every package at the workspace's version; the licence copies are the repository's.
package_version() { node -p "require('$1/package.json').version"; }
for dir in "$node_dir" "$node_dir"/npm/*; do
  if [[ "$(package_version "$dir")" != "$version" ]]; then
    log "node: $dir/package.json has version $(package_version "$dir"), the workspace $version"
    exit 1
  fi
  for licence in LICENSE-MIT LICENSE-APACHE; do
    if ! cmp -s "$repo/$licence" "$dir/$licence"; then
      log "node: $dir/$licence is not the repository's $licence: cp $repo/$licence $dir/"
      exit 1
    fi
  done
done

# The pinned build tools (@napi-rs/cli) from the lock file, unless already installed at that version.
napi_pinned="$(node -p "require('$node_dir/package.json').devDependencies['@napi-rs/cli']")"
napi_installed="$(node -p "try { require('$node_dir/node_modules/@napi-rs/cli/package.json').version } catch { '' }")"
if [[ "$napi_installed" != "$napi_pinned" ]]; then
  log "node: npm ci (bindings-node: @napi-rs/cli $napi_pinned)"
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi

ensure_cargo_zigbuild
rm -rf "$stage"
mkdir -p "$stage/build" "$out"
if $ci; then
  rm -f "$out/alipay-isv-$version.tgz" "$out/alipay-isv-linux-x64-gnu-$version.tgz"
else
  rm -f "$out"/alipay-isv-*.tgz
fi

for platform in "${platforms[@]}"; do
  triple="${rust_target[$platform]}"
  if $ci; then
    if ! rustup target list --installed | grep -qx "$triple"; then
      log "node: the Rust target $triple is not installed (--ci adds none)"
      exit 1
    fi
  else
    ensure_rust_target "$triple"
  fi
  build="$stage/build/$platform"
  mkdir -p "$build"
  log "node: napi build --release --cross-compile --target ${zig_target[$platform]}"
  (cd "$node_dir" && npx --no-install napi build --platform --release --cross-compile \
    --target "${zig_target[$platform]}" --output-dir "$build" --js index.js --dts index.d.ts -- --locked)
  binary="$build/alipay-isv.$platform.node"
  if [[ ! -f "$binary" ]]; then
    log "node: napi build did not produce $binary"
    exit 1
  fi
  for generated in index.js index.d.ts; do
    if ! cmp -s "$build/$generated" "$node_dir/$generated"; then
      log "node: the committed bindings-node/$generated is stale (the $platform build generates another): run scripts/test-node.sh and commit it"
      diff "$node_dir/$generated" "$build/$generated" | head -20 >&2 || true
      exit 1
    fi
  done
  strip_binary "$binary"

  # The platform package: its package.json, README and licences, and the stripped addon.
  package="$stage/alipay-isv-$platform"
  mkdir -p "$package"
  cp "$node_dir/npm/$platform/package.json" "$node_dir/npm/$platform/README.md" \
    "$node_dir/npm/$platform/LICENSE-MIT" "$node_dir/npm/$platform/LICENSE-APACHE" "$package/"
  cp "$binary" "$package/"
  chmod 755 "$package/alipay-isv.$platform.node"
  (cd "$package" && npm pack --silent --pack-destination "$out" >/dev/null)
  log "node: $(basename "$out/alipay-isv-$platform-$version.tgz") ($(du -h "$package/alipay-isv.$platform.node" | cut -f1) addon, stripped)"
done

# The main package: the files of `files`, the README, and package.json with the optionalDependencies
# on every platform package of napi.targets (the ones built here and those of the release workflow),
# without the development scripts and dependencies.
main="$stage/alipay-isv"
mkdir -p "$main"
(cd "$node_dir" && node -e '
  const fs = require("fs")
  const path = require("path")
  const [main] = process.argv.slice(1)
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"))
  for (const file of [...pkg.files, "README.md"]) {
    fs.copyFileSync(file, path.join(main, file))
  }
  const triples = { "x86_64-unknown-linux-gnu": "linux-x64-gnu", "x86_64-unknown-linux-musl": "linux-x64-musl",
    "aarch64-unknown-linux-gnu": "linux-arm64-gnu", "x86_64-apple-darwin": "darwin-x64",
    "aarch64-apple-darwin": "darwin-arm64", "x86_64-pc-windows-msvc": "win32-x64-msvc" }
  pkg.optionalDependencies = {}
  for (const triple of pkg.napi.targets) {
    if (!triples[triple]) throw new Error(`node.sh: no platform name for the napi target ${triple}`)
    const name = `${pkg.name}-${triples[triple]}`
    const platform = JSON.parse(fs.readFileSync(path.join("npm", triples[triple], "package.json"), "utf8"))
    if (platform.name !== name) throw new Error(`node.sh: npm/${triples[triple]} is named ${platform.name}`)
    pkg.optionalDependencies[name] = pkg.version
  }
  delete pkg.scripts
  delete pkg.devDependencies
  fs.writeFileSync(path.join(main, "package.json"), JSON.stringify(pkg, null, 2) + "\n")
' "$main")
(cd "$main" && npm pack --silent --pack-destination "$out" >/dev/null)
if tar -tzf "$out/alipay-isv-$version.tgz" | grep -q '\.node$'; then
  log "node: the main package holds a .node file"
  exit 1
fi
log "node: $(basename "$out/alipay-isv-$version.tgz") ($(tar -tzf "$out/alipay-isv-$version.tgz" | wc -l) files)"
