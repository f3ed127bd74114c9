#!/usr/bin/env bash
# Installs every artifact of dist/ as a user would — into a fresh project outside the repository, with no Rust
# toolchain on PATH — and runs a real program against the emulator the package includes; prints one line per
# artifact (name, size, tag, what ran). Cross-built artifacts (aarch64, musl) are checked for their
# architecture and linkage, and run where this machine can run them.
#
#   bash scripts/test-packages.sh              checks what scripts/package.sh put in dist/
#   bash scripts/test-packages.sh --build-ci   first builds this machine's artifacts (scripts/package.sh --ci,
#                                              release, once), then checks them: what CI runs
#
# Each language must have artifacts in dist/ (a language with none fails the run); its check script is
# scripts/package/check-<language>.sh.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ "${1:-}" == "--build-ci" ]]; then
  bash scripts/package.sh --ci || exit 1
elif [[ -n "${1:-}" ]]; then
  echo "usage: $0 [--build-ci]" >&2
  exit 2
fi

dist="${ALIPAY_ISV_DIST:-dist}"
# An aarch64 binary runs under qemu-user (Debian's package), installed here when one is to be checked.
if compgen -G "$dist/cli/*aarch64*" >/dev/null && ! command -v qemu-aarch64 >/dev/null 2>&1; then
  echo "== installing qemu-user from Debian's packages (to run the aarch64 CLI)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends qemu-user >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends qemu-user >/dev/null; } ||
    echo "   qemu-user could not be installed: the aarch64 CLI is checked for architecture and linkage only"
fi
declare -A directory=([python]=python [node]=npm [jvm]=jvm [cli]=cli)
failed=0
for language in python node jvm cli; do
  started=$SECONDS
  echo "== check: $language"
  if ! compgen -G "$dist/${directory[$language]}/*" >/dev/null; then
    echo "   no artifacts in $dist/${directory[$language]}: run scripts/package.sh" >&2
    failed=$((failed + 1))
    continue
  fi
  if bash "scripts/package/check-$language.sh"; then
    echo "   $language checked in $((SECONDS - started)) s"
  else
    echo "   $language FAILED after $((SECONDS - started)) s" >&2
    failed=$((failed + 1))
  fi
done
if (( failed > 0 )); then
  echo "test-packages: $failed language(s) failed" >&2
  exit 1
fi
echo "test-packages: every artifact checked"
