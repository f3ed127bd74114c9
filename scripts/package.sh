#!/usr/bin/env bash
# Builds the release artifacts into dist/ from a clean clone (see the README's "Install" section):
#
#   dist/python/  abi3 wheels: manylinux2014 x86_64 and aarch64, musllinux_1_2 x86_64; the sdist
#   dist/npm/     the main package and one package per platform (linux-x64-gnu, linux-x64-musl,
#                 linux-arm64-gnu), as `npm pack` tarballs
#   dist/jvm/     alipay-isv-kotlin jar with the native libraries (linux-x86-64, linux-aarch64), its
#                 sources and javadoc jars and its pom
#   dist/cli/     static `alipay-isv` binaries (x86_64 and aarch64 musl) in tarballs
#
#   bash scripts/package.sh        every artifact above (cross-built with zig; Rust targets added with rustup)
#   bash scripts/package.sh --ci   only this machine's (x86_64 Linux): what CI builds and checks
#
# Then `bash scripts/test-packages.sh` installs each into a fresh project outside the repository and runs it.
# Tools come prebuilt from PyPI (zig, cargo-zigbuild, maturin, auditwheel) into target/tools, once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=package/common.sh
source scripts/package/common.sh
parse_ci_flag "$@"
mode="$($ci && echo --ci || true)"
started=$SECONDS
for language in python node jvm cli; do
  language_started=$SECONDS
  echo "== package: $language ${mode}"
  bash "scripts/package/$language.sh" ${mode:+"$mode"}
  echo "   $language took $((SECONDS - language_started)) s"
done
echo "== dist/ after $((SECONDS - started)) s"
find dist -maxdepth 2 -type f | sort | while read -r file; do
  printf '   %8s  %s\n' "$(du -h "$file" | cut -f1)" "$file"
done
