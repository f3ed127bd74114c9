"""Concurrency: 100 delegated calls from 8 threads all verify (the GIL is released during each
call, so they overlap); the asyncio client runs 100 calls with ``asyncio.gather`` without
blocking the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from alipay_isv import (
    ApiError,
    AppAuthToken,
    VerifiedResponse,
    aio,
    app_auth_link,
    parse_app_auth_callback,
    parse_user_auth_callback,
)

from emulated import APP_ID, CALLBACK, SUCCEEDING_METHOD, Setup, authorise_merchant

CALLS = 100
THREADS = 8


@pytest.fixture(scope="module")
def merchant(setup: Setup) -> tuple[str, str]:
    return authorise_merchant(setup)


def test_100_delegated_calls_from_8_threads(setup: Setup, merchant: tuple[str, str]) -> None:
    token = merchant[0]
    before = setup.emulator.call_count(SUCCEEDING_METHOD)
    in_flight = 0
    most_in_flight = 0
    lock = threading.Lock()

    def one(index: int) -> dict:
        nonlocal in_flight, most_in_flight
        with lock:
            in_flight += 1
            most_in_flight = max(most_in_flight, in_flight)
        try:
            answer = setup.client.execute(
                SUCCEEDING_METHOD, {"page_num": index}, app_auth_token=token
            )
        finally:
            with lock:
                in_flight -= 1
        return answer.fields

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(one, range(CALLS)))
    assert len(results) == CALLS
    assert all(fields["code"] == "10000" for fields in results)
    assert all(fields["app_versions"] == ["0.0.1"] for fields in results)
    assert setup.emulator.call_count(SUCCEEDING_METHOD) == before + CALLS
    assert most_in_flight > 1, "the calls never overlapped: is the GIL released?"


def test_a_blocking_call_lets_other_python_threads_run(
    setup: Setup, merchant: tuple[str, str]
) -> None:
    token = merchant[0]
    setup.emulator.set_fault("delay", delay=0.5, times=1)
    ticks = 0
    done = threading.Event()

    def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.01)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        setup.client.execute(SUCCEEDING_METHOD, app_auth_token=token)
    finally:
        done.set()
        thread.join()
    assert ticks >= 20, f"only {ticks} ticks while the call waited 0.5 s"


def test_the_aio_client_gathers_100_calls(setup: Setup, merchant: tuple[str, str]) -> None:
    token = merchant[0]
    client = aio.Client(setup.config)
    assert client.config is not None
    assert repr(client).startswith("aio.Client(app_id=")

    async def main() -> tuple[list[VerifiedResponse], int]:
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.005)

        ticking = asyncio.create_task(ticker())
        answers = await asyncio.gather(
            *(
                client.execute(SUCCEEDING_METHOD, {"page_num": i}, app_auth_token=token)
                for i in range(CALLS)
            )
        )
        stop.set()
        await ticking
        return answers, ticks

    answers, ticks = asyncio.run(main())
    assert len(answers) == CALLS
    assert all(answer.fields["code"] == "10000" for answer in answers)
    assert ticks > 1, "the event loop was blocked during the calls"


def test_the_aio_client_covers_the_typed_calls(setup: Setup) -> None:
    emulator = setup.emulator

    async def main() -> None:
        with ThreadPoolExecutor(max_workers=2) as pool:
            client = aio.Client.wrap(setup.client, executor=pool)
            assert client.blocking is setup.client
            link = app_auth_link(APP_ID, CALLBACK, host=emulator.base_url)
            callback_url = await asyncio.to_thread(emulator.merchant_authorizes, link.url)
            code = parse_app_auth_callback(callback_url, APP_ID, link.state).app_auth_code
            (token,) = await client.exchange_app_auth_code(code)
            assert isinstance(token, AppAuthToken)
            assert (await client.query_app_auth_token(token.app_auth_token)).is_valid
            consent = emulator.user_consent_url(token.auth_app_id, CALLBACK, "auth_user", "eHk=")
            user_code = parse_user_auth_callback(
                await asyncio.to_thread(emulator.user_consents, consent), token.auth_app_id, "eHk="
            ).auth_code
            user = await client.exchange_user_auth_code(user_code, token.app_auth_token)
            profile = await client.user_info_share(user.access_token, token.app_auth_token)
            assert profile.user_id or profile.open_id
            assert user.refresh_token
            again = await client.refresh_user_token(user.refresh_token, token.app_auth_token)
            assert again.access_token
            assert token.app_refresh_token
            (fresh,) = await client.refresh_app_auth_token(token.app_refresh_token)
            assert fresh.app_auth_token != token.app_auth_token
            with pytest.raises(ApiError) as raised:
                await client.exchange_app_auth_code(code)
            assert raised.value.sub_code == "isv.code-invalid"

    asyncio.run(main())
