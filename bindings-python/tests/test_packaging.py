"""The package metadata (``pyproject.toml``) that the wheels and the sdist carry: the licence
files are the repository's, the URLs are under the workspace's ``repository``, the build backend
is the pinned maturin."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

BINDING = Path(__file__).resolve().parents[1]
ROOT = BINDING.parent
PYPROJECT = tomllib.loads((BINDING / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
WORKSPACE = tomllib.loads((ROOT / "Cargo.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["LICENSE-MIT", "LICENSE-APACHE"])
def test_the_licence_files_are_the_repositorys(name: str) -> None:
    # maturin reads license files from the pyproject's directory only (PEP 639 forbids `..`), so
    # bindings-python/ keeps copies; they must not drift from the root ones.
    assert name in PROJECT["license-files"]
    assert (BINDING / name).read_bytes() == (ROOT / name).read_bytes()


def test_the_licence_is_the_workspaces() -> None:
    assert PROJECT["license"] == WORKSPACE["workspace"]["package"]["license"]
    # PEP 639: no deprecated `License ::` classifiers next to the expression.
    assert not [c for c in PROJECT["classifiers"] if c.startswith("License ::")]


def test_every_url_is_under_the_workspaces_repository() -> None:
    repository = WORKSPACE["workspace"]["package"]["repository"]
    urls = PROJECT["urls"]
    assert {"Repository", "Documentation", "Changelog"} <= set(urls)
    assert urls["Repository"] == repository
    for url in urls.values():
        assert url.startswith(repository), url


def test_the_readme_has_no_link_relative_to_the_repository() -> None:
    # PyPI renders the readme away from the repository: a relative link would be broken there.
    readme = (BINDING / PROJECT["readme"]).read_text(encoding="utf-8")
    assert "](../" not in readme
    assert "](tests/" not in readme


def test_the_classifiers_name_every_supported_python() -> None:
    minimum = PROJECT["requires-python"].removeprefix(">=")
    assert minimum == "3.10"
    for minor in range(10, 14):
        assert f"Programming Language :: Python :: 3.{minor}" in PROJECT["classifiers"]
    assert "Development Status :: 3 - Alpha" in PROJECT["classifiers"]
    assert PROJECT["authors"] == [{"name": "alipay-isv developers"}]


def test_the_build_backend_is_the_pinned_maturin() -> None:
    script = (ROOT / "scripts" / "test-python.sh").read_text(encoding="utf-8")
    pinned = script.split('MATURIN_VERSION="', 1)[1].split('"', 1)[0]
    assert PYPROJECT["build-system"]["requires"] == [f"maturin=={pinned}"]
    packaging = (ROOT / "scripts" / "package" / "python.sh").read_text(encoding="utf-8")
    assert f'MATURIN_VERSION="{pinned}"' in packaging
