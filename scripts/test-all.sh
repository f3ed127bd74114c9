#!/usr/bin/env bash
# Every test suite of the project, from a fresh clone: Rust, Python, Node.js, Kotlin/JVM, and the packages
# (this machine's release artifacts built once by scripts/package.sh --ci, then installed outside the
# repository and run by scripts/test-packages.sh).
# Each suite's script installs what it needs (venv + maturin, npm packages, Maven dependencies, zig).
# Runs them all, then prints one summary; exits non-zero if any suite failed.
set -uo pipefail
cd "$(dirname "$0")/.."

suites=(rust python node kotlin packages)
declare -A status
failed=0
for suite in "${suites[@]}"; do
  echo
  echo "################ ${suite} ################"
  start=$SECONDS
  arguments=()
  [[ "$suite" == packages ]] && arguments=(--build-ci)
  if bash "scripts/test-${suite}.sh" "${arguments[@]}"; then
    status[$suite]="passed ($((SECONDS - start)) s)"
  else
    status[$suite]="FAILED ($((SECONDS - start)) s)"
    failed=$((failed + 1))
  fi
  # The build's size and the disk left, after each suite (a full disk fails a build in odd places).
  echo "== after ${suite}: target/ holds $(du -sh target 2>/dev/null | cut -f1); $(df -h --output=avail . | tail -1 | tr -d ' ') left on the disk"
done

echo
echo "################ summary ################"
for suite in "${suites[@]}"; do
  printf '%-8s %s\n' "$suite" "${status[$suite]}"
done
passed=$(( ${#suites[@]} - failed ))
echo "suites: ${passed} passed, ${failed} failed"
exit $(( failed > 0 ))
