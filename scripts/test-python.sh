#!/usr/bin/env bash
# Builds the Python binding (debug) into .venv and runs its whole suite: ruff, mypy --strict on the
# examples, the Rust doc comments checked against the docstrings of _native.pyi
# (scripts/sync-python-docs.py --check), pytest (including
# conformance with the official alipay-sdk-python, and the flow, fault, concurrency, registry and
# official-SDK tests against the emulator on loopback, certificate mode — the certs.json vectors,
# and the whole flow with a certificate rotation on an emulator in cert mode —, the registry on
# every store: SQLite files in temporary directories, and a fresh database per test in PostgreSQL
# and in MariaDB (MySQL), both started for the run on loopback by scripts/services/{postgres,mysql}.sh
# and stopped on exit whatever happens (authorisations per app, service-market orders, two
# instances on one database, connection failures without the password), the
# application Gateway over real HTTP through its ASGI adapter (Starlette, FastAPI on uvicorn) and
# WSGI adapter (Flask on werkzeug) with the emulator pushing a subscription to it; hardening: every emulator fault and a rude loopback peer
# ending in typed errors within the timeout with nothing written to the registry, no secret in
# any error, repr or captured output, no panic crossing into Python, and RSS flat over 100,000
# signature calls), and the examples (the plugin server, keeping its
# merchants in a registry behind a Gateway, and the certificate-mode flow run against the emulator). Idempotent;
# run from anywhere.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Pinned tool versions.
MATURIN_VERSION="1.16.0"
PYTEST_VERSION="9.2.0"
RUFF_VERSION="0.17.6"
ALIPAY_SDK_VERSION="3.7.1411" # the official SDK; its `rsa` and `pycryptodome` dependencies come with it
# The web frameworks the Gateway's adapters are tested with (ASGI: Starlette, FastAPI, served by
# uvicorn; WSGI: Flask on werkzeug's server).
STARLETTE_VERSION="1.10.0"
FASTAPI_VERSION="0.165.0"
UVICORN_VERSION="0.55.0"
FLASK_VERSION="3.1.3"
WERKZEUG_VERSION="3.1.9"
# The same mypy as scripts/package/check-python.sh: the examples must type-check against the stubs.
MYPY_VERSION="2.4.1"

if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv"
    python3 -m venv .venv
fi
PYTHON=.venv/bin/python

echo "== installing pinned tools"
"$PYTHON" -m pip install --quiet --disable-pip-version-check \
    "maturin==${MATURIN_VERSION}" \
    "pytest==${PYTEST_VERSION}" \
    "ruff==${RUFF_VERSION}" \
    "alipay-sdk-python==${ALIPAY_SDK_VERSION}" \
    "starlette==${STARLETTE_VERSION}" \
    "fastapi==${FASTAPI_VERSION}" \
    "uvicorn==${UVICORN_VERSION}" \
    "flask==${FLASK_VERSION}" \
    "werkzeug==${WERKZEUG_VERSION}" \
    "mypy==${MYPY_VERSION}"

echo "== building alipay_isv (debug) into .venv"
# maturin installs into the active virtualenv.
VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH" \
    .venv/bin/maturin develop --manifest-path bindings-python/Cargo.toml --quiet

echo "== ruff"
RUFF_CONFIG=bindings-python/pyproject.toml
.venv/bin/ruff check --config "$RUFF_CONFIG" bindings-python examples/python
.venv/bin/ruff format --check --config "$RUFF_CONFIG" bindings-python examples/python

echo "== mypy --strict examples/python (against the installed package's stubs)"
.venv/bin/mypy --strict --cache-dir target/mypy-cache examples/python

echo "== Rust doc comments in step with the docstrings of _native.pyi"
python3 scripts/sync-python-docs.py --check

echo "== the database servers of the registry's tests, on loopback (stopped on exit whatever happens)"
# ALIPAY_ISV_SERVICES_ROOT (default target/services) keeps this run's servers apart from another
# suite's running on the same machine.
services_root="${ALIPAY_ISV_SERVICES_ROOT:-target/services}"
trap 'scripts/services/postgres.sh stop; scripts/services/mysql.sh stop' EXIT
for service in postgres mysql; do
    service_started=$(date +%s%N)
    "scripts/services/$service.sh" start >/dev/null
    echo "   $service started in $(( ($(date +%s%N) - service_started) / 1000000 )) ms"
    set -a
    # shellcheck source=/dev/null
    source "$services_root/$service/env"
    set +a
done

echo "== pytest (the registry tests on SQLite, PostgreSQL and MySQL)"
pytest_started=$(date +%s%N)
.venv/bin/python -m pytest bindings-python/tests -q -rs -p no:cacheprovider
echo "   pytest took $(( ($(date +%s%N) - pytest_started) / 1000000 )) ms"
scripts/services/postgres.sh stop
scripts/services/mysql.sh stop
trap - EXIT

echo "== example"
.venv/bin/python examples/python/sign_and_verify.py
.venv/bin/python examples/python/signed_call.py
.venv/bin/python examples/python/plugin_server_demo.py
.venv/bin/python examples/python/cert_mode.py

echo "== python: all passed"
