"""Fixtures shared by the tests: the emulators (``setup``, one per module; ``short``, whose
merchant tokens live :data:`emulated.SHORT_TTL` seconds) and the stores the registry tests run on
(see :mod:`stores`). A module that needs an emulator of its own kind defines its own ``setup``,
which takes precedence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulated import SHORT_TTL, Setup, emulated
from stores import KINDS, SERVICES, Store


@pytest.fixture(scope="module")
def setup() -> Iterator[Setup]:
    """An emulator and an application gateway, shared by the tests of one module."""
    with emulated() as running:
        yield running


@pytest.fixture(scope="module")
def short() -> Iterator[Setup]:
    """An emulator whose merchant tokens live :data:`emulated.SHORT_TTL` seconds."""
    with emulated(app_auth_token_ttl=SHORT_TTL) as running:
        yield running


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """Each store in turn: a SQLite file, a PostgreSQL database, a MySQL database."""
    return Store(request.param, tmp_path)


@pytest.fixture(params=tuple(SERVICES))
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """Each database server in turn: PostgreSQL, MySQL."""
    return Store(request.param, tmp_path)
