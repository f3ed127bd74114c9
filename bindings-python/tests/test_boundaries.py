"""Boundaries (issue 8, item 5): no Rust panic crosses into Python — a panic inside an entry
point (the binding's test hook, with and without the GIL released, from many threads at once
and from asyncio) is the base ``AlipayError`` (kind ``internal``) and leaves the library
working; Python exceptions raised inside the binding's conversions (a mapping or an iterable
that fails half-way) come back as themselves; objects used after they were closed or stopped
raise typed errors. And memory stays flat: the RSS after 100,000 more signature calls through
the binding grows by less than 20 MiB over the RSS after a warm-up of 10,000."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
from collections.abc import Iterator, Mapping

import pytest

from alipay_isv import (
    AlipayError,
    ConfigError,
    PrivateKey,
    Registry,
    SignatureError,
    Signer,
    StoreError,
    Verifier,
    sign_content,
)
from alipay_isv import _native as native

from emulated import APP_ID, emulated
from vectors import read_key

KEY = PrivateKey(read_key("keys/app_2048_pkcs8.pem"))
CONTENT = "app_id=2021000000000001&method=alipay.open.mini.version.list.query&version=1.0"


def assert_internal(error: BaseException) -> None:
    """A caught panic: exactly the base class, kind ``internal``, with the panic's message."""
    assert type(error) is AlipayError, repr(error)
    assert error.kind == "internal"
    assert "deliberate panic" in error.reason and "bug in alipay-isv" in error.reason


def still_works() -> None:
    """A sign/verify round trip after the panics: nothing was left broken."""
    sign = Signer(KEY).sign(CONTENT)
    Verifier(KEY.public_key()).verify(CONTENT, sign)


@pytest.mark.parametrize("detach", [True, False], ids=["gil-released", "gil-held"])
def test_a_panic_is_the_base_error_every_time(detach: bool) -> None:
    for _ in range(100):
        with pytest.raises(AlipayError) as raised:
            native._panic_for_tests(detach)
        assert_internal(raised.value)
    still_works()


def test_panics_on_many_threads_at_once_are_each_the_base_error() -> None:
    barrier = threading.Barrier(8)
    caught: list[BaseException] = []
    other: list[BaseException] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        barrier.wait()
        for round_ in range(50):
            try:
                native._panic_for_tests((index + round_) % 2 == 0)
            except AlipayError as error:
                with lock:
                    caught.append(error)
            except BaseException as error:  # reported below
                with lock:
                    other.append(error)
            # Real work between the panics, on the same threads.
            if round_ % 10 == 0:
                still_works()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert not other, other
    assert len(caught) == 8 * 50
    for error in caught:
        assert_internal(error)
    still_works()


def test_a_panic_under_asyncio_is_the_base_error() -> None:
    async def main() -> list[BaseException | None]:
        return await asyncio.gather(
            *(asyncio.to_thread(native._panic_for_tests, True) for _ in range(16)),
            return_exceptions=True,
        )

    results = asyncio.run(main())
    assert len(results) == 16
    for result in results:
        assert isinstance(result, BaseException)
        assert_internal(result)
    still_works()


class FailingMapping(Mapping[str, str]):
    """A mapping that fails half-way through being read."""

    def __init__(self, fail_at: int) -> None:
        self._fail_at = fail_at

    def __getitem__(self, key: str) -> str:
        if key == f"k{self._fail_at}":
            raise KeyError(key)
        return "v"

    def __iter__(self) -> Iterator[str]:
        for index in range(10):
            if index == self._fail_at:
                raise RuntimeError("the mapping broke while being read")
            yield f"k{index}"

    def __len__(self) -> int:
        return 10


def failing_tokens() -> Iterator[object]:
    raise RuntimeError("the iterable broke while being read")
    yield  # pragma: no cover


def test_python_exceptions_inside_conversions_come_back_as_themselves() -> None:
    signer = Signer(KEY)
    for call in (
        lambda: sign_content(FailingMapping(3)),
        lambda: signer.sign_params(FailingMapping(5)),
    ):
        with pytest.raises(RuntimeError, match="broke"):
            call()
    with pytest.raises(RuntimeError, match="broke"):
        Registry.in_memory().ingest_tokens(failing_tokens())
    for bad in ({"a": 1}, {1: "a"}, {"a": None}):
        with pytest.raises(TypeError):
            sign_content(bad)  # type: ignore[arg-type]
    still_works()


def test_closed_and_stopped_objects_raise_typed_errors() -> None:
    registry = Registry.in_memory()
    registry.close()
    registry.close()  # idempotent
    for call in (registry.list, lambda: registry.get(APP_ID), lambda: registry.token_for(APP_ID)):
        with pytest.raises(AlipayError) as raised:
            call()
        assert type(raised.value) in (StoreError, ConfigError), repr(raised.value)
    with emulated() as setup:
        emulator = setup.emulator
    assert not emulator.running
    for call in (
        emulator.total_calls,
        lambda: emulator.set_fault("hang"),
        lambda: emulator.revoke(APP_ID),
        lambda: emulator.merchant_authorizes(f"{emulator.base_url}/oauth2/appToAppAuth.htm"),
    ):
        with pytest.raises(ConfigError, match="stopped"):
            call()
    emulator.stop()  # idempotent


# --- Memory stays flat ------------------------------------------------------------------------

WARM_UP = 10_000
MEASURED = 100_000
# Every call verifies (one in ten with a wrong signature, raising SignatureError); one call in
# SIGN_EVERY also signs: an RSA-2048 signature costs ~0.7 ms, so 100,000 of them would take
# over a minute on this machine. 20,000 signatures and 100,000 verifications are measured.
SIGN_EVERY = 5
LIMIT_BYTES = 20 * 1024 * 1024


def rss_bytes() -> int:
    """The resident set size of this process (native memory included), from /proc."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def exercise(signer: Signer, verifier: Verifier, calls: int, offset: int) -> tuple[int, int]:
    """Makes ``calls`` verifications — of the latest content signed, alternately as ``str``
    and as ``bytes``, one in ten of tampered content — signing a new content every
    SIGN_EVERY calls; returns the numbers of signatures made and of verifications refused."""
    signed = refused = 0
    content = CONTENT
    sign = signer.sign(content)
    for index in range(offset, offset + calls):
        if index % SIGN_EVERY == 0:
            content = f"{CONTENT}&n={index}"
            sign = signer.sign(content)
            signed += 1
        if index % 10 == 9:
            try:
                verifier.verify(content + "&tampered=1", sign)
            except SignatureError:
                refused += 1
        elif index % 2 == 0:
            verifier.verify(content, sign)
        else:
            verifier.verify_bytes(content.encode(), sign)
    return signed, refused


def test_memory_stays_flat_over_100k_calls() -> None:
    signer = Signer(KEY)
    verifier = Verifier(KEY.public_key())
    started = time.monotonic()
    exercise(signer, verifier, WARM_UP, 0)
    gc.collect()
    before = rss_bytes()
    signed, refused = exercise(signer, verifier, MEASURED, WARM_UP)
    gc.collect()
    after = rss_bytes()
    took = time.monotonic() - started
    growth = after - before
    print(
        f"\nRSS after {WARM_UP} warm-up calls: {before / 2**20:.1f} MiB; after {MEASURED} more "
        f"({signed} signatures, {MEASURED} verifications, {refused} refused): "
        f"{after / 2**20:.1f} MiB; growth {growth / 2**20:+.2f} MiB; {took:.1f} s"
    )
    assert signed == MEASURED // SIGN_EVERY
    assert refused == MEASURED // 10
    assert growth < LIMIT_BYTES, f"RSS grew by {growth / 2**20:.1f} MiB"
