"""Fixtures shared by the registry tests: the stores they run on (see :mod:`stores`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stores import KINDS, SERVICES, Store


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """Each store in turn: a SQLite file, a PostgreSQL database, a MySQL database."""
    return Store(request.param, tmp_path)


@pytest.fixture(params=tuple(SERVICES))
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """Each database server in turn: PostgreSQL, MySQL."""
    return Store(request.param, tmp_path)
