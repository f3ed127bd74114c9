"""The registry in a database server (the core's PostgreSQL and MySQL stores) from Python, each
test run on PostgreSQL and on MySQL (MariaDB) — the ``server`` fixture; see :mod:`stores` —
against the servers scripts/test-python.sh starts on loopback: a wrong password refused with a
``StoreError`` naming the user and never the password (in no text of the exception, its
traceback or ``repr()``); an unreachable port and a missing database refused within seconds;
two registries on one database — two instances of a backend — seeing each other's records,
notifications, revocations and orders, and refreshing a due token exactly once between them;
the URL's options (TLS verified against the test CA, refused against roots that do not know it;
the pool's size and timeout) and malformed URLs as ``ConfigError`` without the password; the
database as the core names it in ``repr()``, ``database`` and ``store_kind``."""

from __future__ import annotations

import asyncio
import threading
import time
import traceback

import pytest

from alipay_isv import (
    AppAuthToken,
    AuthStatus,
    ConfigError,
    IngestOutcome,
    Registry,
    StoreError,
    TokenKey,
    aio,
    app_auth_link,
    parse_app_auth_callback,
)

from emulated import APP_ID, CALLBACK, MARGIN, SUCCEEDING_METHOD, Setup
from stores import TEST_USER, Store, assert_hidden, free_port, password_of, with_params

TOKEN_METHOD = "alipay.open.auth.token.app"


def authorise(setup: Setup) -> list[AppAuthToken]:
    """A merchant authorises through the emulator; returns the exchanged tokens."""
    link = app_auth_link(APP_ID, CALLBACK, host=setup.emulator.base_url)
    callback = parse_app_auth_callback(
        setup.emulator.merchant_authorizes(link.url), APP_ID, link.state
    )
    return setup.client.exchange_app_auth_code(callback.app_auth_code)


def every_text(error: BaseException) -> list[str]:
    """Every text an exception shows: ``str``, ``repr``, its arguments, its reason and the
    formatted traceback (with its chained causes)."""
    return [
        str(error),
        repr(error),
        repr(error.args),
        str(getattr(error, "reason", "")),
        "".join(traceback.format_exception(error)),
    ]


def test_a_wrong_password_names_the_user_and_never_the_password(server: Store) -> None:
    url = server.base_url()
    secret = password_of(url)
    wrong = url.replace(f":{secret}@", ":wrong-Passw0rd-xyz@", 1)
    for opening in (lambda: Registry(wrong), lambda: aio.Registry(wrong)):
        started = time.monotonic()
        with pytest.raises(StoreError) as raised:
            opening()
        assert time.monotonic() - started < 10
        error = raised.value
        assert error.kind == "store"
        assert f"refused the login of user `{TEST_USER}`" in error.reason, error.reason
        assert "password" in error.reason
        texts = every_text(error)
        assert_hidden("wrong-Passw0rd-xyz", *texts)
        assert_hidden(secret, *texts)


def test_an_unreachable_port_and_a_missing_database_are_store_errors_within_seconds(
    server: Store,
) -> None:
    url = server.base_url()
    secret = password_of(url)
    host_port = url.split("@", 1)[1].split("/", 1)[0]
    port = free_port()
    unreachable = url.replace(f"@{host_port}/", f"@127.0.0.1:{port}/", 1)
    started = time.monotonic()
    with pytest.raises(StoreError) as raised:
        Registry(unreachable)
    assert time.monotonic() - started < 5, "the refusal took too long"
    assert f"nothing answers at 127.0.0.1:{port}" in raised.value.reason, raised.value.reason
    assert_hidden(secret, *every_text(raised.value))

    # A database that does not exist on the server.
    name = url.rsplit("/", 1)[1]
    missing = url.replace(f"/{name}", f"/{name}_missing", 1)
    with pytest.raises(StoreError) as raised:
        Registry(missing)
    assert f"the database `{name}_missing` does not exist" in raised.value.reason
    assert_hidden(secret, *every_text(raised.value))


def test_two_registries_on_one_database_see_each_others_records(
    setup: Setup, server: Store
) -> None:
    """Two instances of a backend (two hosts) on one database."""
    url = server.fresh()
    key = TokenKey.generate_base64()
    first = Registry(url, key=key, client=setup.client)
    second = Registry(url, key=key, client=setup.client)
    (token,) = authorise(setup)
    auth_app_id = token.auth_app_id

    # What one stores, the other reads (tokens sealed by one, opened by the other).
    assert second.get(auth_app_id) is None
    assert first.ingest_tokens([token]) == [IngestOutcome.APPLIED]
    seen = second.get(auth_app_id)
    assert seen is not None and seen.app_auth_token == token.app_auth_token
    assert second.token_for(auth_app_id) == token.app_auth_token
    assert [r.auth_app_id for r in second.list()] == [auth_app_id]
    assert second.execute_for(auth_app_id, SUCCEEDING_METHOD, {}).fields["code"] == "10000"

    # A notification ingested by one is a duplicate for the other (one journal).
    (other,) = authorise(setup)
    push = None
    deadline = time.monotonic() + 10
    while push is None:
        found = [
            d
            for d in setup.emulator.deliveries()
            if d.kind == "open_app_auth_notify" and d.auth_app_id == other.auth_app_id
        ]
        if found:
            push = setup.config.notification_verifier().verify_body(found[-1].body.encode())
        else:
            assert time.monotonic() < deadline, "no authorisation push"
            time.sleep(0.02)
    assert first.ingest_notification(push) == IngestOutcome.APPLIED
    assert second.ingest_notification(push) == IngestOutcome.DUPLICATE
    assert second.get(other.auth_app_id) is not None

    # A revocation by one: the other refuses the merchant (within 5 s; at once without a cache).
    second.revoke(auth_app_id)
    deadline = time.monotonic() + 5
    while True:
        try:
            first.token_for(auth_app_id)
        except StoreError as refused:
            assert auth_app_id in refused.reason
            break
        assert time.monotonic() < deadline, "the revocation was not seen by the other instance"
        time.sleep(0.05)
    assert first.get(auth_app_id).status is AuthStatus.REVOKED

    # Closing one leaves the other working.
    first.close()
    assert len(second.list()) == 2
    second.close()


def test_two_registries_refresh_a_due_token_exactly_once_between_them(
    short: Setup, server: Store
) -> None:
    url = server.fresh()
    registries = [Registry(url, client=short.client, refresh_margin=MARGIN) for _ in range(2)]
    (token,) = authorise(short)
    auth_app_id = token.auth_app_id
    registries[0].ingest_tokens([token])
    refreshes = short.emulator.call_count(TOKEN_METHOD)

    # 4 threads per instance start before the refresh point and run past it.
    due = registries[1].get(auth_app_id).expires_at_ms / 1000 - MARGIN
    assert due - time.time() > 0.6, "the refresh point is too close to start before it"
    start, stop = due - 0.3, due + 0.7
    barrier = threading.Barrier(8)
    seen: list[set[str]] = [set() for _ in range(8)]
    errors: list[BaseException] = []

    def work(index: int) -> None:
        registry = registries[index % 2]
        try:
            barrier.wait()
            time.sleep(max(0.0, start - time.time()))
            while time.time() < stop:
                seen[index].add(registry.token_for(auth_app_id))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert short.emulator.call_count(TOKEN_METHOD) - refreshes == 1, "exactly one refresh"
    tokens = set().union(*seen)
    assert len(tokens) == 2 and token.app_auth_token in tokens, "the old, then the new token"
    fresh = registries[0].get(auth_app_id)
    assert fresh.app_auth_token in tokens and fresh.app_auth_token != token.app_auth_token
    assert fresh.refresh_lease is None
    assert registries[1].token_for(auth_app_id) == fresh.app_auth_token
    for registry in registries:
        registry.close()


def test_url_options_tls_and_the_pool(setup: Setup, server: Store) -> None:
    url = server.fresh()
    secret = password_of(url)
    service = server.service
    (token,) = authorise(setup)

    # TLS verified against the test CA (the server's certificate names 127.0.0.1), and a small
    # pool shared by 4 threads.
    verified = with_params(url, service.verified_tls.format(ca=server.ca_file()))
    pooled = with_params(verified, "pool_max_size=1&pool_timeout=5&connect_timeout=3")
    with Registry(pooled, client=setup.client) as registry:
        assert registry.store_kind == server.kind and registry.path is None
        registry.ingest_tokens([token])
        found: list[object] = []
        threads = [
            threading.Thread(target=lambda: found.append(registry.get(token.auth_app_id)))
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(found) == 4 and all(r.auth_app_id == token.auth_app_id for r in found)
        shown = repr(registry)
        # The database as the core names it: no password, no parameter.
        assert_hidden(secret, shown, str(registry.database))
        assert "sslmode" not in shown and "ssl-mode" not in shown and "pool" not in shown
        assert f"database='{registry.database}'" in shown
        assert registry.database.startswith(f"{server.kind}://{TEST_USER}@127.0.0.1:")
        with pytest.raises(ConfigError, match="not a SQLite file"):
            registry.integrity_check()

    # The other scheme of the same store.
    alias = service.schemes[1] + url.split("://", 1)[1]
    with Registry(alias) as registry:
        assert registry.store_kind == server.kind
        assert [r.auth_app_id for r in registry.list()] == [token.auth_app_id]

    # TLS against roots that do not know the test CA: refused at the handshake.
    with pytest.raises(StoreError, match="TLS handshake") as raised:
        Registry(with_params(url, service.unverified_tls))
    assert_hidden(secret, *every_text(raised.value))

    # Malformed: configuration errors that never show the password.
    for params in ("pool_max_size=0", "pool_timeout=never", "pool_max_size"):
        with pytest.raises(ConfigError) as raised:
            Registry(with_params(url, params))
        assert raised.value.kind == "config"
        assert_hidden(secret, *every_text(raised.value))
    bogus = "sslmode=sometimes" if server.kind == "postgres" else "ssl-mode=SOMETIMES"
    with pytest.raises(ConfigError, match="is none of") as raised:
        Registry(with_params(url, bogus))
    assert_hidden(secret, *every_text(raised.value))


def test_the_asyncio_registry_on_a_server(setup: Setup, server: Store) -> None:
    url = server.fresh()
    secret = password_of(url)
    (token,) = authorise(setup)

    async def scenario() -> None:
        registry = aio.Registry(url, client=setup.client)
        assert registry.blocking.store_kind == server.kind
        assert await registry.ingest_tokens([token]) == [IngestOutcome.APPLIED]
        tokens = await asyncio.gather(*(registry.token_for(token.auth_app_id) for _ in range(16)))
        assert set(tokens) == {token.app_auth_token}
        answer = await registry.execute_for(token.auth_app_id, SUCCEEDING_METHOD, {})
        assert answer.fields["code"] == "10000"
        assert_hidden(secret, repr(registry))
        await registry.close()

    asyncio.run(scenario())
