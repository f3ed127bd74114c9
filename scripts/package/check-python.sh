#!/usr/bin/env bash
# Checks the Python artifacts in dist/python/ as a user gets them: outside the repository, with no
# Rust toolchain on PATH, one line per artifact (artifact_line). Fails loudly.
#
#   manylinux2014 x86_64 wheel (this machine's platform): in a fresh virtualenv under /tmp for the
#       oldest supported Python (3.10) and for the newest one installed (pyenv or apt), `pip install`
#       the wheel and run a real program (written here, into the temporary project) that starts the
#       emulator the wheel ships, authorises a merchant, exchanges the code, makes a delegated call
#       (classic and OpenAPI v3, the latter through the registry), and checks `__version__`, the
#       metadata and the licence files; `mypy --strict` on that program must pass, and on a second
#       program with a wrong `sign_type`/`charset` it must fail (the stubs' Literal types ship).
#   manylinux2014 aarch64 wheel: the extension's architecture (AArch64), its libraries (libc, libm,
#       libgcc_s, … only) and its newest glibc symbol version (<= 2.17), by readelf; it is run under
#       qemu-user only when Debian's qemu-user is installed and an AArch64 Python is at hand
#       (neither is installed by this script).
#   musllinux_1_2 x86_64 wheel: architecture and linkage (musl's libc, no glibc symbol version);
#       not run (that needs a musl Python), and the line says so.
#   sdist: its contents (licences, readme, Cargo.lock, the workspace crates); without --ci also
#       `pip install`ed into a fresh virtualenv, which builds it with maturin from PyPI and the Rust
#       toolchain (kept on PATH for that build only; target dir: the shared target/), and the same
#       program is run on the result without Rust on PATH.
#
# Usage: scripts/package/check-python.sh [--ci]
set -euo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MYPY_VERSION="2.4.1"

parse_ci_flag "$@"

out="$dist/python"
shopt -s nullglob
artifacts=("$out"/*.whl "$out"/*.tar.gz)
shopt -u nullglob
if ((${#artifacts[@]} == 0)); then
  echo "check-python: no artifact in $out (run scripts/package/python.sh)" >&2
  exit 1
fi

fail() {
  echo "check-python: FAILED: $*" >&2
  exit 1
}

work="$(mktemp -d /tmp/alipay-isv-python-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT
case "$work" in "$repo"/*) fail "the temporary project $work is inside the repository" ;; esac
no_rust_path="$(without_rust)"
if PATH="$no_rust_path" command -v cargo >/dev/null || PATH="$no_rust_path" command -v rustc >/dev/null; then
  fail "cargo or rustc is still on the PATH meant to have no Rust toolchain"
fi

# The interpreters: the oldest supported (3.10) and the newest installed.
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
oldest=""
newest=""
newest_version=""
for candidate in "$pyenv_root"/versions/3.*/bin/python3 /usr/bin/python3.[0-9]*; do
  [[ -x "$candidate" ]] || continue
  candidate_version="$("$candidate" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)" || continue
  case "$candidate_version" in
    3.10.*) [[ -z "$oldest" ]] && oldest="$candidate" ;;
  esac
  if [[ -z "$newest_version" ]] || [[ "$(printf '%s\n%s\n' "$newest_version" "$candidate_version" | sort -V | tail -1)" != "$newest_version" ]]; then
    newest="$candidate"
    newest_version="$candidate_version"
  fi
done
[[ -n "$oldest" ]] || fail "no Python 3.10 found (pyenv: $pyenv_root/versions/3.10.*)"
[[ -n "$newest" ]] || fail "no Python found"
pythons=("$oldest")
[[ "$newest" != "$oldest" ]] && pythons+=("$newest")

# The user's program: typed, so that `mypy --strict` checks it against the shipped stubs.
cat >"$work/first_program.py" <<'PY'
"""A first program against alipay-isv installed from a wheel: the emulator the package ships
plays Alipay, a merchant authorises the app, the code is exchanged for the merchant's token, and
calls are made on the merchant's behalf (classic, and OpenAPI v3 through the registry)."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import alipay_isv
from alipay_isv import Client, Emulator, IsvConfig, Registry

APP_ID = "2021000000000001"


def main(expected_version: str) -> None:
    assert alipay_isv.__version__ == expected_version, alipay_isv.__version__
    installed = Path(alipay_isv.__file__).resolve()
    assert "site-packages" in installed.parts, f"alipay_isv imported from {installed}"

    app = alipay_isv.generate_key_pair()
    with Emulator(APP_ID, app.public_key) as emulator:
        config = IsvConfig(
            APP_ID,
            app.private_key,
            emulator.alipay_public_key,
            sign_type="RSA2",
            charset="UTF-8",
            gateway=emulator.gateway_url,
        )
        client = Client(config, read_timeout=10)
        link = alipay_isv.app_auth_link(
            config.app_id, "https://isv.example.com/alipay/callback", host=emulator.base_url
        )
        callback_url = emulator.merchant_authorizes(link.url)
        callback = alipay_isv.parse_app_auth_callback(callback_url, config.app_id, link.state)
        (token,) = client.exchange_app_auth_code(callback.app_auth_code)
        answer = client.execute(
            "alipay.open.mini.version.list.query", {}, app_auth_token=token.app_auth_token
        )
        versions = answer.fields["app_versions"]
        assert versions == ["0.0.1"], versions

        with Registry.in_memory(client=client) as registry:
            registry.ingest_tokens([token])
            v3 = registry.execute_v3_for(
                token.auth_app_id, "POST", "/v3/alipay/open/mini/version/list/query", body={}
            )
            assert v3.status == 200, v3.status
        calls = emulator.total_calls()

    metadata = importlib.metadata.metadata("alipay-isv")
    assert metadata["License-Expression"] == "MIT OR Apache-2.0", metadata["License-Expression"]
    files = [str(path) for path in importlib.metadata.files("alipay-isv") or []]
    for licence in ("LICENSE-MIT", "LICENSE-APACHE"):
        assert any(path.endswith(f".dist-info/licenses/{licence}") for path in files), licence
    assert "Raises:" in (Client.execute.__doc__ or ""), "help() shows no full docs"
    assert "sign_type:" in (IsvConfig.__doc__ or ""), "help(IsvConfig) shows no constructor docs"

    python = ".".join(str(part) for part in sys.version_info[:3])
    print(
        f"alipay-isv {alipay_isv.__version__} on Python {python}: merchant {token.auth_app_id} "
        f"authorised, classic and v3 delegated calls answered ({calls} gateway calls)"
    )


if __name__ == "__main__":
    main(sys.argv[1])
PY

# What a type checker must refuse: the closed sets are Literal types in the stubs.
cat >"$work/wrong_types.py" <<'PY'
from alipay_isv import Signer, generate_key_pair

key = generate_key_pair().private_key
Signer(key, "RSA3")
Signer(key, "RSA2", "latin-1")
PY

# Runs the program (and mypy) in a fresh virtualenv of `python` with `install` installed, with
# no Rust toolchain on PATH. Prints what ran.
run_program() {
  local python="$1" install="$2" label="$3" venv python_version started output
  python_version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
  venv="$work/venv-$label-$python_version"
  "$python" -m venv "$venv"
  started=$(date +%s)
  (cd "$work" && env PATH="$venv/bin:$no_rust_path" "$venv/bin/python" -m pip install --quiet \
    --disable-pip-version-check "$install" "mypy==$MYPY_VERSION" >&2) ||
    fail "pip install $(basename "$install") on Python $python_version"
  output="$(cd "$work" && env PATH="$venv/bin:$no_rust_path" "$venv/bin/python" first_program.py "$version" 2>&1)" || {
    echo "$output" >&2
    fail "the program on Python $python_version ($(basename "$install"))"
  }
  log "python: $output"
  output="$(cd "$work" && env PATH="$venv/bin:$no_rust_path" "$venv/bin/mypy" --strict \
    --no-incremental first_program.py 2>&1)" || {
    echo "$output" >&2
    fail "mypy --strict on the program, Python $python_version"
  }
  output="$(cd "$work" && env PATH="$venv/bin:$no_rust_path" "$venv/bin/mypy" --strict \
    --no-incremental wrong_types.py 2>&1)" && fail "mypy accepted a wrong sign_type and charset"
  grep -q 'Literal\[.RSA2., .RSA.\]' <<<"$output" && grep -q 'Literal\[.UTF-8., .GBK.\]' <<<"$output" ||
    {
      echo "$output" >&2
      fail "mypy refused wrong_types.py for another reason than the Literal types"
    }
  rm -rf "$venv"
  printf '%s' "$python_version ($(($(date +%s) - started)) s)"
}

# The extension module inside a wheel, extracted into $work/<label>/.
extract_extension() {
  local wheel="$1" label="$2"
  mkdir -p "$work/$label"
  python3 -m zipfile -e "$wheel" "$work/$label" >/dev/null
  local so
  so="$(find "$work/$label" -name '_native*.so' | head -1)"
  [[ -n "$so" ]] || fail "no extension module in $(basename "$wheel")"
  for licence in LICENSE-MIT LICENSE-APACHE; do
    [[ -f "$(find "$work/$label" -path "*.dist-info/licenses/$licence" | head -1)" ]] ||
      fail "$(basename "$wheel") lacks .dist-info/licenses/$licence"
  done
  find "$work/$label" -name '_native.pyi' | grep -q . || fail "$(basename "$wheel") lacks _native.pyi"
  find "$work/$label" -name 'py.typed' | grep -q . || fail "$(basename "$wheel") lacks py.typed"
  echo "$so"
}

# The shared libraries an extension may need on a manylinux / musllinux system.
check_needed() {
  local so="$1" allowed="$2" needed
  needed="$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
  while read -r library; do
    [[ -z "$library" ]] && continue
    grep -qxE "$allowed" <<<"$library" || fail "$(basename "$so") needs $library"
  done <<<"$needed"
  tr '\n' ' ' <<<"$needed"
}

# The libraries of a manylinux2014 extension: glibc's own only, no symbol version above 2.17.
# Prints what it needs and the newest glibc version it asks for.
check_manylinux2014() {
  local so="$1" loader="$2" needed glibc
  needed="$(check_needed "$so" "lib(c|m|dl|rt|pthread|gcc_s|util)\.so\.[0-9]+|$loader")"
  glibc="$(readelf -V "$so" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)"
  [[ -n "$glibc" ]] || fail "$(basename "$so") asks for no glibc symbol version"
  [[ "$(printf '%s\n2.17\n' "$glibc" | sort -V | tail -1)" == "2.17" ]] ||
    fail "$(basename "$so") needs glibc $glibc (> 2.17)"
  echo "needs ${needed% }, glibc <= $glibc"
}

for artifact in "${artifacts[@]}"; do
  name="$(basename "$artifact")"
  case "$name" in
    *-manylinux2014_x86_64.manylinux_2_17_x86_64.whl)
      so="$(extract_extension "$artifact" x86_64-gnu)"
      file -b "$so" | grep -q 'x86-64' || fail "$name: $(file -b "$so")"
      linkage="$(check_manylinux2014 "$so" 'ld-linux-x86-64\.so\.2')"
      log "python: $name: x86-64, $linkage"
      ran=""
      for python in "${pythons[@]}"; do
        ran+="${ran:+, }$(run_program "$python" "$artifact" wheel)"
      done
      artifact_line "python wheel linux-x86_64-gnu" "$artifact" "cp310-abi3-manylinux2014_x86_64" \
        "emulator flow + mypy --strict on Python $ran"
      ;;
    *-manylinux2014_aarch64.manylinux_2_17_aarch64.whl)
      so="$(extract_extension "$artifact" aarch64-gnu)"
      file -b "$so" | grep -q 'ARM aarch64' || fail "$name: $(file -b "$so")"
      what="readelf: AArch64, $(check_manylinux2014 "$so" 'ld-linux-aarch64\.so\.1')"
      if dpkg -s qemu-user >/dev/null 2>&1 || dpkg -s qemu-user-static >/dev/null 2>&1; then
        what+="; not run: qemu-user is installed but no AArch64 Python is"
      else
        what+="; not run (no qemu-user)"
      fi
      artifact_line "python wheel linux-aarch64-gnu" "$artifact" "cp310-abi3-manylinux2014_aarch64" "$what"
      ;;
    *-musllinux_1_2_x86_64.whl)
      so="$(extract_extension "$artifact" x86_64-musl)"
      file -b "$so" | grep -q 'x86-64' || fail "$name: $(file -b "$so")"
      needed="$(check_needed "$so" 'libc\.musl-x86_64\.so\.1|libgcc_s\.so\.1')"
      grep -q 'libc.musl-x86_64.so.1' <<<"$needed" || fail "$name does not link musl's libc ($needed)"
      if readelf -V "$so" | grep -q 'GLIBC_'; then
        fail "$name carries glibc symbol versions"
      fi
      artifact_line "python wheel linux-x86_64-musl" "$artifact" "cp310-abi3-musllinux_1_2_x86_64" \
        "readelf: x86-64, needs ${needed% }, no glibc symbol; not run (needs a musl Python)"
      ;;
    *.tar.gz)
      listing="$(tar tzf "$artifact")"
      prefix="${name%.tar.gz}"
      for member in PKG-INFO pyproject.toml Cargo.lock README.md LICENSE-MIT LICENSE-APACHE \
        bindings-python/src/lib.rs core/src/lib.rs protocol/src/lib.rs emulator/src/lib.rs \
        python/alipay_isv/_native.pyi; do
        grep -qx "$prefix/$member" <<<"$listing" || fail "$name lacks $member"
      done
      if $ci; then
        artifact_line "python sdist" "$artifact" "sdist" \
          "contents checked; not built (--ci: building it needs Rust and minutes)"
        continue
      fi
      # Building from source needs Rust: the toolchain stays on PATH for the install only.
      venv="$work/venv-sdist"
      "$oldest" -m venv "$venv"
      started=$(date +%s)
      (cd "$work" && CARGO_TARGET_DIR="$repo/target" "$venv/bin/python" -m pip install --quiet \
        --disable-pip-version-check "$artifact" "mypy==$MYPY_VERSION") || fail "pip install $name"
      build_seconds=$(($(date +%s) - started))
      output="$(cd "$work" && env PATH="$venv/bin:$no_rust_path" "$venv/bin/python" first_program.py "$version" 2>&1)" || {
        echo "$output" >&2
        fail "the program on the sdist's build"
      }
      log "python: sdist: $output"
      artifact_line "python sdist" "$artifact" "sdist" \
        "pip install (maturin build, ${build_seconds} s) + emulator flow on Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())')"
      rm -rf "$venv"
      ;;
    *)
      fail "unexpected artifact $name in $out"
      ;;
  esac
done
