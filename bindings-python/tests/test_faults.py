"""Network failures against the emulator's fault modes: each one becomes the right typed error
within the configured timeout; a refused connection says the request was not sent; retrying
keeps failing fast and typed."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from alipay_isv import (
    Client,
    ConfigError,
    IsvConfig,
    ProtocolError,
    PublicKey,
    RetryPolicy,
    SignatureError,
    TransportError,
)

from emulated import APP_ID, APP_PRIVATE, SUCCEEDING_METHOD, Setup, authorise_merchant, emulated
from vectors import read_key

READ_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def setup() -> Iterator[Setup]:
    with emulated(read_timeout=READ_TIMEOUT, connect_timeout=1.0) as running:
        yield running


@pytest.fixture(scope="module")
def token(setup: Setup) -> str:
    return authorise_merchant(setup)[0]


@pytest.fixture(autouse=True)
def cleared(setup: Setup) -> Iterator[None]:
    yield
    setup.emulator.set_fault(None)


def call(setup: Setup, token: str, **options: object) -> float:
    """Makes the delegated call that succeeds without a fault; returns the seconds it took
    (re-raising its error)."""
    started = time.monotonic()
    setup.client.execute(SUCCEEDING_METHOD, {}, app_auth_token=token, **options)  # type: ignore[arg-type]
    return time.monotonic() - started


def timed_failure(setup: Setup, token: str, error: type[Exception]) -> tuple[Exception, float]:
    started = time.monotonic()
    with pytest.raises(error) as raised:
        call(setup, token)
    return raised.value, time.monotonic() - started


def test_a_delay_beyond_the_read_timeout(setup: Setup, token: str) -> None:
    setup.emulator.set_fault("delay", delay=READ_TIMEOUT + 2, times=1)
    error, took = timed_failure(setup, token, TransportError)
    assert error.request_sent is True
    assert error.kind == "transport"
    assert took < READ_TIMEOUT + 1.5, f"took {took:.2f} s"
    # A short delay within the timeout is only slow.
    setup.emulator.set_fault("delay", delay=0.2, times=1)
    assert 0.2 <= call(setup, token) < READ_TIMEOUT


def test_a_reset(setup: Setup, token: str) -> None:
    setup.emulator.set_fault("reset", times=1)
    error, took = timed_failure(setup, token, TransportError)
    assert error.request_sent is True
    assert took < READ_TIMEOUT + 1


def test_a_truncated_body(setup: Setup, token: str) -> None:
    # The emulator sends the full Content-Length and half the body: the transport notices the
    # missing bytes before anything is parsed.
    setup.emulator.set_fault("truncated_body", times=1)
    error, took = timed_failure(setup, token, TransportError)
    assert error.request_sent is True
    assert not isinstance(error, ProtocolError)
    assert took < READ_TIMEOUT + 1


def test_a_bad_gateway(setup: Setup, token: str) -> None:
    setup.emulator.set_fault("bad_gateway", times=1)
    error, _ = timed_failure(setup, token, TransportError)
    assert "502" in str(error)
    assert error.request_sent is True


def test_an_unsigned_answer(setup: Setup, token: str) -> None:
    setup.emulator.set_fault("unsigned", times=1)
    error, _ = timed_failure(setup, token, SignatureError)
    assert error.kind == "signature"


def test_faults_last_for_their_count_then_clear(setup: Setup, token: str) -> None:
    setup.emulator.set_fault("bad_gateway", times=2)
    for _ in range(2):
        with pytest.raises(TransportError):
            call(setup, token)
    call(setup, token)
    setup.emulator.set_fault("unsigned")
    for _ in range(3):
        with pytest.raises(SignatureError):
            call(setup, token)
    setup.emulator.set_fault(None)
    call(setup, token)


def test_fault_arguments_are_checked(setup: Setup) -> None:
    with pytest.raises(ConfigError, match="delay"):
        setup.emulator.set_fault("delay")
    with pytest.raises(ConfigError, match="unknown fault"):
        setup.emulator.set_fault("meteor")
    with pytest.raises(ConfigError):
        setup.emulator.set_fault("delay", delay=-1.0)


def refused_client(**options: float) -> Client:
    """A client of a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    alipay_public = PublicKey(read_key("keys/alipay_2048_public.pem"))
    config = IsvConfig(
        APP_ID, APP_PRIVATE, alipay_public, gateway=f"http://127.0.0.1:{port}/gateway.do"
    )
    return Client(config, **options)


def test_a_refused_connection_was_not_sent() -> None:
    client = refused_client(connect_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(TransportError) as raised:
        client.execute(SUCCEEDING_METHOD, {}, app_auth_token="token")
    assert raised.value.request_sent is False
    assert time.monotonic() - started < 1.5


def test_retrying_a_refused_connection_fails_fast_and_typed() -> None:
    client = refused_client(connect_timeout=1.0)
    policy = RetryPolicy(attempts=3, backoff=0.05)
    assert (policy.attempts, policy.backoff, policy.idempotent) == (3, 0.05, False)
    assert repr(policy) == "RetryPolicy(attempts=3, backoff=0.05, idempotent=False)"
    started = time.monotonic()
    with pytest.raises(TransportError) as raised:
        client.execute(SUCCEEDING_METHOD, {}, app_auth_token="token", retry=policy)
    took = time.monotonic() - started
    assert raised.value.request_sent is False
    # Three attempts with 0.05 + 0.1 s of backoff: fast, and it did wait.
    assert 0.15 <= took < 2.0, f"took {took:.2f} s"


def test_retry_runs_again_only_where_safe(setup: Setup, token: str) -> None:
    # A 502 may have run the call: not retried by default...
    setup.emulator.set_fault("bad_gateway", times=1)
    before = setup.emulator.call_count(SUCCEEDING_METHOD)
    with pytest.raises(TransportError):
        call(setup, token, retry=RetryPolicy(attempts=3, backoff=0.01))
    assert setup.emulator.call_count(SUCCEEDING_METHOD) == before + 1
    # ...but retried, and then succeeding, for a call declared idempotent.
    setup.emulator.set_fault("bad_gateway", times=1)
    call(setup, token, retry=RetryPolicy(attempts=3, backoff=0.01, idempotent=True))
    assert setup.emulator.call_count(SUCCEEDING_METHOD) == before + 3


def test_transport_options_are_checked(setup: Setup) -> None:
    for options in ({"read_timeout": 0.0}, {"connect_timeout": -1.0}, {"proxy": "not a url"}):
        with pytest.raises(ConfigError):
            Client(setup.config, **options)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        RetryPolicy(backoff=float("nan"))
