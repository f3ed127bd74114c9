"""Hostile peers (issue 8, item 3): every fault mode of the emulator — a delay beyond the read
timeout, a reset, a truncated body, a 502, an unsigned answer, a peer that hangs, one that
answers byte by byte, one that sends ten times the size limit — ends in its typed error within
``connect_timeout + read_timeout`` (plus a small margin; a correctness bound, not a benchmark);
a registry whose refresh meets each fault keeps serving the stored, still valid token and writes
nothing; and a raw loopback server of this test, which accepts and closes, is a typed
``TransportError`` too."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from alipay_isv import (
    AlipayError,
    AppAuthToken,
    Client,
    ConfigError,
    IsvConfig,
    MerchantAuthorisation,
    ProtocolError,
    PublicKey,
    Registry,
    SignatureError,
    TransportError,
    app_auth_link,
    parse_app_auth_callback,
)

from emulated import (
    APP_ID,
    APP_PRIVATE,
    CALLBACK,
    SUCCEEDING_METHOD,
    Setup,
    authorise_merchant,
    emulated,
)
from vectors import read_key

CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = 1.0
# The whole exchange is bounded by connect + read timeout; the margin covers scheduling on a
# busy machine.
BOUND = CONNECT_TIMEOUT + READ_TIMEOUT + 0.75
MIB = 1024 * 1024
LIMIT = 1 * MIB
SERVED = 10 * LIMIT
# Merchant tokens of the emulator live 5 minutes; a registry margin of 10 minutes makes every
# stored token due for a refresh while still valid.
TOKEN_TTL = 300.0
DUE_MARGIN = 600.0
TOKEN_METHOD = "alipay.open.auth.token.app"


@dataclass(frozen=True)
class FaultCase:
    """A fault kind with its arguments, the error it must end in, and a word its reason has."""

    kind: str
    args: dict[str, float | int]
    error: type[AlipayError]
    says: str | None = None


FAULTS = [
    FaultCase("delay", {"delay": READ_TIMEOUT + 2}, TransportError),
    FaultCase("reset", {}, TransportError),
    FaultCase("truncated_body", {}, TransportError),
    FaultCase("bad_gateway", {}, TransportError, "502"),
    FaultCase("unsigned", {}, SignatureError),
    FaultCase("hang", {}, TransportError),
    FaultCase("trickle", {"pause": 0.05}, TransportError),
    FaultCase("oversized", {"size": SERVED}, TransportError, "limit"),
]
IDS = [case.kind for case in FAULTS]


def test_every_fault_mode_is_covered() -> None:
    assert sorted(IDS) == sorted(
        [
            "delay",
            "reset",
            "truncated_body",
            "bad_gateway",
            "unsigned",
            "hang",
            "trickle",
            "oversized",
        ]
    )


@pytest.fixture(scope="module")
def setup() -> Iterator[Setup]:
    with emulated(
        app_auth_token_ttl=TOKEN_TTL,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        max_response_bytes=LIMIT,
    ) as running:
        yield running


@pytest.fixture(autouse=True)
def cleared(setup: Setup) -> Iterator[None]:
    setup.emulator.set_fault(None)
    yield
    setup.emulator.set_fault(None)


@pytest.fixture(scope="module")
def token(setup: Setup) -> str:
    return authorise_merchant(setup)[0]


def timed(call: Callable[[], object]) -> tuple[BaseException | None, float]:
    """Runs ``call``; returns what it raised (or ``None``) and the seconds it took."""
    started = time.monotonic()
    try:
        call()
    except BaseException as error:  # inspected by the caller
        return error, time.monotonic() - started
    return None, time.monotonic() - started


@pytest.mark.parametrize("case", FAULTS, ids=IDS)
def test_a_fault_ends_in_its_typed_error_within_the_timeout(
    setup: Setup, token: str, case: FaultCase
) -> None:
    setup.emulator.set_fault(case.kind, times=1, **case.args)  # type: ignore[arg-type]
    error, took = timed(lambda: setup.client.execute(SUCCEEDING_METHOD, app_auth_token=token))
    assert type(error) is case.error, f"{case.kind}: {error!r}"
    assert isinstance(error, AlipayError) and error.kind == case.error.kind
    assert took < BOUND, f"{case.kind} took {took:.2f} s (bound {BOUND} s)"
    if case.says is not None:
        assert case.says in error.reason, error.reason
    if isinstance(error, TransportError):
        assert error.request_sent is True, f"{case.kind}: {error.reason}"
    # The fault was used up: the same client succeeds again at once.
    answer = setup.client.execute(SUCCEEDING_METHOD, app_auth_token=token)
    assert answer.fields["code"] == "10000"


def test_the_size_limit_is_the_clients(setup: Setup, token: str) -> None:
    # The same 10 MiB answer within a client limit of 16 MiB: read whole, then refused as an
    # answer that is no signed response (a protocol error, not a transport failure).
    roomy = Client(setup.config, read_timeout=10.0, max_response_bytes=16 * MIB)
    setup.emulator.set_fault("oversized", size=SERVED, times=1)
    with pytest.raises(ProtocolError, match="truncated"):
        roomy.execute(SUCCEEDING_METHOD, app_auth_token=token)


def test_new_fault_arguments_are_checked(setup: Setup, token: str) -> None:
    emulator = setup.emulator
    for kind, args, says in [
        ("trickle", {}, "pause"),
        ("oversized", {}, "size"),
        ("hang", {"delay": 1.0}, "delay"),
        ("trickle", {"pause": 0.1, "size": 10}, "size"),
        ("oversized", {"size": 10, "pause": 0.1}, "pause"),
        ("delay", {"delay": 1.0, "pause": 0.1}, "pause"),
        ("trickle", {"pause": -1.0}, "pause"),
        ("trickle", {"pause": float("inf")}, "pause"),
        ("oversized", {"size": 2 * 1024 * MIB}, "256 MiB"),
        ("oversized", {"size": 0}, "256 MiB"),
        (None, {"size": 10}, "size"),
    ]:
        with pytest.raises(ConfigError, match=says):
            emulator.set_fault(kind, **args)  # type: ignore[arg-type]
    with pytest.raises(OverflowError):
        emulator.set_fault("oversized", size=-1)
    with pytest.raises(ConfigError, match="hang, trickle, oversized"):
        emulator.set_fault("slow_loris")
    # The refused calls left no fault set.
    answer = setup.client.execute(SUCCEEDING_METHOD, app_auth_token=token)
    assert answer.fields["code"] == "10000"


# --- A registry whose refresh meets a fault -------------------------------------------------


def authorise(setup: Setup) -> AppAuthToken:
    """A merchant authorises through the emulator; returns its exchanged token."""
    link = app_auth_link(APP_ID, CALLBACK, host=setup.emulator.base_url)
    callback = parse_app_auth_callback(
        setup.emulator.merchant_authorizes(link.url), APP_ID, link.state
    )
    (token,) = setup.client.exchange_app_auth_code(callback.app_auth_code)
    return token


@pytest.fixture(scope="module")
def stored(setup: Setup, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, AppAuthToken]:
    """A registry file holding one merchant's tokens."""
    path = tmp_path_factory.mktemp("hostile") / "registry.db"
    token = authorise(setup)
    with Registry(path) as registry:
        registry.ingest_tokens([token])
    return path, token


def snapshot(record: MerchantAuthorisation | None) -> dict[str, object]:
    """Every field of a stored record but its bookkeeping: taking and releasing the refresh
    lease (what makes a refresh happen once across processes) advances ``version`` and
    ``updated_at_ms``; the lease itself must be released."""
    assert record is not None
    return {
        name: getattr(record, name)
        for name in (
            "auth_app_id",
            "merchant_pid",
            "app_auth_token",
            "app_refresh_token",
            "expires_at_ms",
            "refresh_expires_at_ms",
            "authorised_at_ms",
            "token_issued_at_ms",
            "status",
            "revoked_at_ms",
            "granted_methods",
            "refresh_lease",
        )
    }


@pytest.mark.parametrize("case", FAULTS, ids=IDS)
def test_a_refresh_that_meets_a_fault_writes_nothing_and_serves_the_valid_token(
    setup: Setup, stored: tuple[Path, AppAuthToken], case: FaultCase
) -> None:
    path, token = stored
    # A fresh registry each time (no back-off remembered from the previous fault), whose margin
    # makes the stored token due for a refresh while it is still valid.
    with Registry(path, client=setup.client, refresh_margin=DUE_MARGIN) as registry:
        before = snapshot(registry.get(token.auth_app_id))
        assert before["app_auth_token"] == token.app_auth_token
        assert before["app_refresh_token"] == token.app_refresh_token
        assert before["refresh_lease"] is None
        expires_at_ms = before["expires_at_ms"]
        assert isinstance(expires_at_ms, int)
        assert time.time() * 1000 < expires_at_ms < (time.time() + DUE_MARGIN) * 1000, "not due"
        refreshes = setup.emulator.call_count(TOKEN_METHOD)
        setup.emulator.set_fault(case.kind, times=1, **case.args)  # type: ignore[arg-type]
        started = time.monotonic()
        assert registry.token_for(token.auth_app_id) == token.app_auth_token
        took = time.monotonic() - started
        assert setup.emulator.call_count(TOKEN_METHOD) == refreshes + 1, "no refresh was tried"
        assert took < BOUND, f"{case.kind} took {took:.2f} s (bound {BOUND} s)"
        assert snapshot(registry.get(token.auth_app_id)) == before, case.kind
    # And on disk, read by another registry.
    with Registry(path) as reopened:
        assert snapshot(reopened.get(token.auth_app_id)) == before, case.kind
        assert reopened.integrity_check() == "ok"


# --- A raw loopback peer of this test ---------------------------------------------------------


class RudePeer:
    """A TCP server on loopback that accepts every connection and closes it at once (or, with
    ``read_first``, after reading what the client sent)."""

    def __init__(self, *, read_first: bool) -> None:
        self.accepted = 0
        self._read_first = read_first
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/gateway.do"

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            with connection:
                if self._read_first:
                    connection.settimeout(1.0)
                    try:
                        connection.recv(65536)
                    except OSError:
                        pass

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._listener.close()


@pytest.mark.parametrize("read_first", [False, True], ids=["at-once", "after-reading"])
def test_a_peer_that_accepts_and_closes_is_a_transport_error(read_first: bool) -> None:
    peer = RudePeer(read_first=read_first)
    try:
        alipay_public = PublicKey(read_key("keys/alipay_2048_public.pem"))
        config = IsvConfig(APP_ID, APP_PRIVATE, alipay_public, gateway=peer.url)
        client = Client(config, connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT)
        error, took = timed(lambda: client.execute(SUCCEEDING_METHOD, app_auth_token="token"))
        assert type(error) is TransportError, repr(error)
        assert error.kind == "transport" and error.reason
        assert took < BOUND, f"took {took:.2f} s"
        assert peer.accepted >= 1, "the client never connected"
    finally:
        peer.close()
