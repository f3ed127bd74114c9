"""The registry's stores under test: a SQLite file in the test's temporary directory, and a fresh
database in the PostgreSQL and the MariaDB (MySQL) server that ``scripts/test-python.sh`` starts
on loopback for the run.

Each registry test asks :meth:`Store.fresh` for the path or URL of a new, empty registry: a new
file, or a new database made by ``scripts/services/<name>.sh newdb`` (called here as a
subprocess; about 0.1 s). A test never sees another test's records, whichever the store, so the
tests are written exactly as on SQLite files and may run in any order.

The servers are found through the environment ``scripts/services/<name>.sh start`` writes to
``${ALIPAY_ISV_SERVICES_ROOT:-target/services}/<name>/env`` (``ALIPAY_ISV_TEST_POSTGRES_URL``,
``ALIPAY_ISV_TEST_MYSQL_URL`` and the CA of their TLS certificates); ``newdb`` uses the same
``ALIPAY_ISV_SERVICES_ROOT``. A run without them fails (it does not skip) and says what to run.
The URLs hold the test user's password: nothing here prints one, and a :class:`Store`'s
``repr()`` names its kind only.
"""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The test user the service scripts create (scripts/services/common.sh).
TEST_USER = "alipay_isv_test"


@dataclass(frozen=True)
class Service:
    """A database server of the tests, as its script and env file name it."""

    name: str  # the script: scripts/services/<name>.sh
    product: str
    prefix: str  # the env file's variables: <prefix>_URL, <prefix>_CA
    schemes: tuple[str, ...]  # what open_store reads as this store
    verified_tls: str  # the URL parameters of TLS verified against a CA file ({ca})
    unverified_tls: str  # TLS against the Mozilla roots, which do not know the test CA

    def env(self, suffix: str) -> str:
        name = f"{self.prefix}_{suffix}"
        value = os.environ.get(name)
        if not value:
            pytest.fail(
                f"{name} is not set: the registry tests need a {self.product} server. Run "
                f"`scripts/services/{self.name}.sh start` and source "
                f"${{ALIPAY_ISV_SERVICES_ROOT:-target/services}}/{self.name}/env (with "
                f"`set -a`), or run scripts/test-python.sh, which does both",
                pytrace=False,
            )
        return value


SERVICES = {
    "postgres": Service(
        "postgres",
        "PostgreSQL",
        "ALIPAY_ISV_TEST_POSTGRES",
        ("postgres://", "postgresql://"),
        "sslmode=verify-full&sslrootcert={ca}",
        "sslmode=verify-full",
    ),
    "mysql": Service(
        "mysql",
        "MySQL (MariaDB)",
        "ALIPAY_ISV_TEST_MYSQL",
        ("mysql://", "mariadb://"),
        "ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}",
        "ssl-mode=VERIFY_IDENTITY",
    ),
}
KINDS = ("sqlite", *SERVICES)


class Store:
    """One kind of store (``"sqlite"``, ``"postgres"`` or ``"mysql"``) for one test."""

    def __init__(self, kind: str, directory: Path) -> None:
        self.kind = kind
        self._directory = directory
        self._made = 0

    def __repr__(self) -> str:
        return f"Store({self.kind!r})"

    @property
    def service(self) -> Service:
        """The database server (not for ``"sqlite"``)."""
        return SERVICES[self.kind]

    def fresh(self, name: str = "registry") -> str:
        """The path or URL of a new, empty registry."""
        self._made += 1
        if self.kind == "sqlite":
            return str(self._directory / f"{name}-{self._made}.db")
        service = self.service
        service.env("URL")  # fails plainly when the server was not started
        script = REPO / "scripts" / "services" / f"{service.name}.sh"
        made = subprocess.run(
            [str(script), "newdb"], capture_output=True, text=True, timeout=60, check=False
        )
        if made.returncode != 0:
            pytest.fail(
                f"`scripts/services/{service.name}.sh newdb` failed ({made.returncode}): "
                f"{made.stderr.strip()}",
                pytrace=False,
            )
        url = made.stdout.strip()
        if not url.startswith(service.schemes[0]):
            pytest.fail(f"`scripts/services/{service.name}.sh newdb` printed no URL", pytrace=False)
        return url

    def base_url(self) -> str:
        """The URL of the run's database (``<prefix>_URL``)."""
        return self.service.env("URL")

    def ca_file(self) -> str:
        """The CA of the server's TLS certificate (``<prefix>_CA``)."""
        return self.service.env("CA")


def with_params(url: str, params: str) -> str:
    """``url`` with ``params`` (``a=1&b=2``) appended to its query."""
    return f"{url}{'&' if '?' in url else '?'}{params}"


def password_of(url: str) -> str:
    """The password of ``scheme://user:password@…``."""
    credentials = url.split("://", 1)[1].split("@", 1)[0]
    return credentials.split(":", 1)[1]


def assert_hidden(secret: str, *texts: str) -> None:
    """Fails when ``secret`` is in one of ``texts`` — without showing either (a plain ``assert``
    would print them)."""
    assert secret, "no secret to look for"
    for index, text in enumerate(texts):
        if secret in text:
            pytest.fail(f"a secret leaked into text #{index}", pytrace=False)


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
