"""The merchant authorisation registry (core module ``registry``) from Python, against the
emulator on loopback, each storing test run on every store (the ``store`` fixture: a SQLite file
in a temporary directory, a fresh PostgreSQL database, a fresh MySQL database; see
:mod:`stores`): ingestion of every kind (exchange, the pushed authorisation and cancellation
verified first, query), idempotence under replays (the notification journal), late messages,
revocation with no call made, lookups by PID, expiry-driven refresh exactly once under 8 threads
(and under asyncio), persistence and the key of tokens at rest, and no token (nor database
password) in any ``repr``. SQLite only: the tokens absent from the file's bytes, foreign and
corrupt files refused untouched, ``sqlite://`` and ``memory:`` URLs and places that are not
one; memory only: ``Registry.in_memory``."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from alipay_isv import (
    ORDER_PLACED,
    AppAuthNotification,
    AppAuthToken,
    AuthStatus,
    Client,
    ConfigError,
    IngestOutcome,
    IsvConfig,
    MerchantAuthorisation,
    MessageNotification,
    OtherNotification,
    PublicKey,
    Registry,
    RetryPolicy,
    ServiceMarketOrderNotification,
    Signer,
    StoreError,
    TokenKey,
    aio,
    app_auth_link,
    parse_app_auth_callback,
    sign_content,
)

from emulated import (
    ALIPAY_PRIVATE,
    APP_ID,
    APP_PRIVATE,
    CALLBACK,
    MARGIN,
    SUCCEEDING_METHOD,
    Setup,
)
from stores import Store, assert_hidden, password_of
from vectors import case_body, read_key, real_notification_case

TOKEN_METHOD = "alipay.open.auth.token.app"
APP_AUTH_NOTIFY = "open_app_auth_notify"
APP_AUTH_CANCELLED = "alipay.open.auth.appauth.cancelled"


def authorise(setup: Setup, **link_params: str) -> list[AppAuthToken]:
    """A merchant authorises through the emulator (``auth_app_id=`` re-authorises an app,
    ``merchant_pid=`` picks the merchant); returns the exchanged tokens."""
    link = app_auth_link(APP_ID, CALLBACK, host=setup.emulator.base_url)
    url = link.url + "".join(f"&{name}={value}" for name, value in link_params.items())
    callback = parse_app_auth_callback(setup.emulator.merchant_authorizes(url), APP_ID, link.state)
    return setup.client.exchange_app_auth_code(callback.app_auth_code)


def pushed(setup: Setup, kind: str, auth_app_id: str, skip: int = 0) -> object:
    """The latest-but-``skip`` push of ``kind`` about ``auth_app_id``, verified as the
    application gateway would."""
    deadline = time.monotonic() + 10
    while True:
        found = [
            delivery
            for delivery in setup.emulator.deliveries()
            if delivery.kind == kind and delivery.auth_app_id == auth_app_id
        ]
        if len(found) > skip:
            body = found[-1 - skip].body
            return setup.config.notification_verifier().verify_body(body.encode())
        assert time.monotonic() < deadline, f"no {kind} push for {auth_app_id}"
        time.sleep(0.02)


def wait_until_ms(epoch_ms: float) -> None:
    """Sleeps until the wall clock (which the registry's expiries use) reaches ``epoch_ms``."""
    time.sleep(max(0.0, epoch_ms / 1000 - time.time()))


def file_bytes(path: Path) -> bytes:
    """The database file and its WAL companions, concatenated."""
    return b"".join(
        Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    )


def test_every_kind_of_ingestion_from_real_answers_and_pushes(setup: Setup, store: Store) -> None:
    registry = Registry(store.fresh(), client=setup.client)
    assert registry.store_kind == store.kind
    (token,) = authorise(setup)
    auth_app_id = token.auth_app_id

    # The exchange: a new authorisation.
    assert registry.ingest_tokens([token]) == [IngestOutcome.APPLIED]
    assert registry.ingest_tokens([token]) == ["applied"]  # str enums compare as strings
    record = registry.get(auth_app_id)
    assert isinstance(record, MerchantAuthorisation)
    assert record.status is AuthStatus.ACTIVE and record.is_active
    assert (record.merchant_pid, record.app_auth_token) == (token.user_id, token.app_auth_token)
    assert record.app_refresh_token == token.app_refresh_token
    assert record.expires_at_ms is not None
    year_ms = 365 * 24 * 3600 * 1000
    assert abs(record.expires_at_ms - (time.time() * 1000 + year_ms)) < 60_000
    assert record.revoked_at_ms is None and record.refresh_lease is None
    assert record.version >= 1

    # The authorisation push was sent when the merchant agreed, before the exchange: stale;
    # Alipay's retry of it: a duplicate.
    notice = pushed(setup, APP_AUTH_NOTIFY, auth_app_id)
    assert isinstance(notice, AppAuthNotification)
    assert registry.ingest_notification(notice) == IngestOutcome.STALE
    assert registry.ingest_notification(notice) == IngestOutcome.DUPLICATE

    # The query: granted APIs; the same answer again changes nothing.
    calls = setup.emulator.call_count(TOKEN_METHOD)
    assert registry.token_for(auth_app_id) == token.app_auth_token
    assert setup.emulator.call_count(TOKEN_METHOD) == calls, "no refresh was due"
    info = setup.client.query_app_auth_token(token.app_auth_token)
    assert registry.ingest_query(token.app_auth_token, info) == IngestOutcome.APPLIED
    granted = registry.get(auth_app_id).granted_methods
    assert granted and granted == info.auth_methods
    assert registry.ingest_query(token.app_auth_token, info) == IngestOutcome.STALE

    # The delegated call through the registry, with and without a retry policy.
    answer = registry.execute_for(auth_app_id, SUCCEEDING_METHOD, {})
    assert answer.fields["code"] == "10000"
    answer = registry.execute_for(auth_app_id, SUCCEEDING_METHOD, retry=RetryPolicy(attempts=2))
    assert answer.fields["code"] == "10000"

    # The merchant revokes at Alipay: the cancellation push revokes, its retry is a duplicate.
    setup.emulator.revoke(auth_app_id)
    cancelled = pushed(setup, APP_AUTH_CANCELLED, auth_app_id)
    assert isinstance(cancelled, MessageNotification) and cancelled.is_app_auth_cancelled
    assert registry.ingest_notification(cancelled) == IngestOutcome.APPLIED
    assert registry.ingest_notification(cancelled) == IngestOutcome.DUPLICATE
    record = registry.get(auth_app_id)
    assert record.status == "revoked" and not record.is_active
    assert record.revoked_at_ms is not None
    assert registry.get(auth_app_id) is not None, "never deleted"
    assert [kept.auth_app_id for kept in registry.by_merchant(str(token.user_id))] == [auth_app_id]

    # A revoked merchant: a typed error naming it, and nothing reaches the gateway.
    total = setup.emulator.total_calls()
    for attempt in (
        lambda: registry.token_for(auth_app_id),
        lambda: registry.execute_for(auth_app_id, SUCCEEDING_METHOD, {}),
        lambda: registry.execute_for(auth_app_id, SUCCEEDING_METHOD, retry=RetryPolicy()),
    ):
        with pytest.raises(StoreError) as raised:
            attempt()
        assert auth_app_id in raised.value.reason and raised.value.kind == "store"
    with pytest.raises(StoreError, match=str(token.user_id)):
        registry.token_for_merchant(str(token.user_id))
    assert setup.emulator.total_calls() == total, "a call reached the gateway"

    # The merchant authorises the same app again: active again, with the new token.
    (again,) = authorise(setup, auth_app_id=auth_app_id)
    assert registry.ingest_tokens([again]) == [IngestOutcome.APPLIED]
    assert registry.get(auth_app_id).status is AuthStatus.ACTIVE
    assert registry.token_for(auth_app_id) == again.app_auth_token
    # Its push was sent before the exchange: stale.
    assert (
        registry.ingest_notification(pushed(setup, APP_AUTH_NOTIFY, auth_app_id))
        == IngestOutcome.STALE
    )

    # Late messages, to a registry that never saw them: they never overwrite newer state.
    with Registry(store.fresh("empty")) as empty:
        assert empty.ingest_notification(cancelled) == IngestOutcome.IGNORED
    late = Registry(store.fresh("late"))
    assert late.ingest_tokens([again]) == [IngestOutcome.APPLIED]
    assert late.ingest_notification(cancelled) == IngestOutcome.STALE
    assert late.ingest_notification(notice) == IngestOutcome.STALE
    assert late.ingest_query(token.app_auth_token, info) == IngestOutcome.STALE
    record = late.get(auth_app_id)
    assert record.status is AuthStatus.ACTIVE and record.app_auth_token == again.app_auth_token
    late.close()
    registry.close()


def test_list_is_ordered_by_auth_app_id(setup: Setup, store: Store) -> None:
    with Registry(store.fresh()) as registry:
        tokens = authorise(setup) + authorise(setup)
        registry.ingest_tokens(tokens)
        listed = [record.auth_app_id for record in registry.list()]
        assert listed == sorted(token.auth_app_id for token in tokens)


def test_a_genuine_service_market_order_is_stored_once_and_kept_apart_from_authorisations(
    store: Store,
) -> None:
    case = real_notification_case("easysdk_2020_servicemarket_order_notify")
    config = IsvConfig(APP_ID, APP_PRIVATE, PublicKey(read_key(case["alipay_public_key"])))
    order = Client(config).verify_notification(case_body(case))
    assert isinstance(order, ServiceMarketOrderNotification)
    order_id = case["order"]["commodity_order_id"]
    assert order.commodity_order_id == order_id
    registry = Registry(store.fresh())
    assert registry.ingest_notification(order) == IngestOutcome.APPLIED
    # Alipay's retry of the same message changes nothing.
    assert registry.ingest_notification(order) == IngestOutcome.DUPLICATE
    assert registry.list() == []  # an order is not an authorisation
    stored = registry.order(order_id)
    assert stored is not None and [o.commodity_order_id for o in registry.orders()] == [order_id]
    assert stored.app_id == case["params"]["app_id"]  # the app the message was sent to
    assert stored.merchant_pid == case["order"]["merchant_pid"]
    assert stored.consumer_mini_app_id == case["order"]["consumer_mini_app_id"]
    assert (stored.status, stored.version, stored.notify_id) == (
        ORDER_PLACED,
        1,
        case["order"]["notify_id"],
    )
    assert [(c.status, c.source, c.item) for c in stored.history] == [
        (ORDER_PLACED, "notification", None)
    ]
    # The order's merchant has not authorised yet.
    assert registry.order_authorisation(order_id) is None

    async def through_aio() -> tuple[object, IngestOutcome]:
        verified = await aio.Client(config).verify_notification(case_body(case))
        return verified, await aio.Registry.wrap(registry).ingest_notification(verified)

    verified, outcome = asyncio.run(through_aio())
    assert isinstance(verified, ServiceMarketOrderNotification)
    assert outcome == IngestOutcome.DUPLICATE
    assert registry.order(order_id).version == 1


def test_list_in_memory(setup: Setup) -> None:
    registry = Registry.in_memory()
    assert registry.list() == [] and registry.path is None and not registry.encrypted
    tokens = authorise(setup) + authorise(setup)
    registry.ingest_tokens(tokens)
    registry.revoke(tokens[0].auth_app_id)
    listed = registry.list()
    assert [record.auth_app_id for record in listed] == sorted(t.auth_app_id for t in tokens)
    assert {record.status for record in listed} == {AuthStatus.ACTIVE, AuthStatus.REVOKED}


def test_other_notifications_and_unknown_merchants(setup: Setup, store: Store) -> None:
    registry = Registry(store.fresh(), client=setup.client)
    params = {"notify_type": "trade_status_sync", "notify_id": "n-1", "charset": "utf-8"}
    signed = {**params, "sign_type": "RSA2"}
    signed["sign"] = Signer(ALIPAY_PRIVATE).sign(sign_content(params))
    other = setup.config.notification_verifier().verify_params(signed)
    assert isinstance(other, OtherNotification)
    assert registry.ingest_notification(other) == IngestOutcome.IGNORED
    with pytest.raises(TypeError):
        registry.ingest_notification(signed)
    with pytest.raises(TypeError):
        registry.ingest_tokens(["not a token"])

    unknown = "2021999999999999"
    assert registry.get(unknown) is None
    for attempt in (registry.token_for, registry.revoke):
        with pytest.raises(StoreError, match=unknown):
            attempt(unknown)
    with pytest.raises(StoreError, match=unknown):
        registry.execute_for(unknown, SUCCEEDING_METHOD)


def test_lookups_by_merchant_pid_and_local_revocation(setup: Setup, store: Store) -> None:
    registry = Registry(store.fresh(), client=setup.client)
    (first,) = authorise(setup)
    pid = str(first.user_id)
    (second,) = authorise(setup, merchant_pid=pid)
    assert second.user_id == pid and second.auth_app_id != first.auth_app_id
    assert registry.ingest_tokens([first, second]) == [IngestOutcome.APPLIED] * 2

    assert sorted(r.auth_app_id for r in registry.by_merchant(pid)) == sorted(
        [first.auth_app_id, second.auth_app_id]
    )
    assert registry.by_merchant("2088000000000000") == []
    with pytest.raises(StoreError) as raised:
        registry.token_for_merchant(pid)  # two apps: ask by auth_app_id
    assert first.auth_app_id in raised.value.reason and second.auth_app_id in raised.value.reason

    revoked = registry.revoke(first.auth_app_id)
    assert revoked.status is AuthStatus.REVOKED and revoked.revoked_at_ms is not None
    assert registry.token_for_merchant(pid) == second.app_auth_token
    answer = registry.execute_for(second.auth_app_id, SUCCEEDING_METHOD, {})
    assert answer.fields["code"] == "10000"


def test_tokens_refreshed_outside_the_registry(short: Setup, store: Store) -> None:
    registry = Registry(store.fresh(), client=short.client, refresh_margin=MARGIN)
    (token,) = authorise(short)
    registry.ingest_tokens([token])
    authorised_at = registry.get(token.auth_app_id).authorised_at_ms
    refreshed = short.client.refresh_app_auth_token(str(token.app_refresh_token))
    assert registry.ingest_refreshed_tokens(refreshed) == [IngestOutcome.APPLIED]
    record = registry.get(token.auth_app_id)
    assert record.app_auth_token == refreshed[0].app_auth_token != token.app_auth_token
    assert record.authorised_at_ms == authorised_at, "a refresh is the same authorisation"


def test_a_due_refresh_without_a_client(short: Setup, store: Store) -> None:
    registry = Registry(store.fresh())  # the default margin (600 s) exceeds the 6 s lifetime
    assert registry.refresh_margin == 600.0 and registry.client is None
    (token,) = authorise(short)
    registry.ingest_tokens([token])
    calls = short.emulator.total_calls()
    # Due but not expired: a failed refresh is no outage, the stored token still serves.
    assert registry.token_for(token.auth_app_id) == token.app_auth_token
    # Expired: the refresh's error, a ConfigError (no client to refresh with).
    wait_until_ms(registry.get(token.auth_app_id).expires_at_ms + 50)
    with pytest.raises(ConfigError, match="client"):
        registry.token_for(token.auth_app_id)
    with pytest.raises(ConfigError, match="client"):
        registry.execute_for(token.auth_app_id, SUCCEEDING_METHOD)
    assert short.emulator.total_calls() == calls, "nothing reached the gateway"
    with pytest.raises(ConfigError):
        Registry.in_memory(refresh_margin=-1)


def test_eight_threads_across_the_expiry_boundary_refresh_exactly_once(
    short: Setup, store: Store
) -> None:
    registry = Registry(store.fresh(), client=short.client, refresh_margin=MARGIN)
    (token,) = authorise(short)
    auth_app_id = token.auth_app_id
    registry.ingest_tokens([token])
    refreshes = short.emulator.call_count(TOKEN_METHOD)

    # Every thread starts before the refresh point (expiry minus margin) and runs past it.
    due = registry.get(auth_app_id).expires_at_ms / 1000 - MARGIN
    assert due - time.time() > 0.6, "the refresh point is too close to start before it"
    start, stop = due - 0.5, due + 0.5
    barrier = threading.Barrier(8)
    seen: list[set[str]] = [set() for _ in range(8)]
    calls = [0] * 8
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            wait_until_ms(start * 1000)
            while time.time() < stop or calls[index] < 50:
                seen[index].add(registry.token_for(auth_app_id))
                calls[index] += 1
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
    assert all(count >= 50 for count in calls)

    record = registry.get(auth_app_id)
    assert record.app_auth_token != token.app_auth_token and record.app_auth_token in tokens
    assert record.refresh_lease is None
    assert record.app_refresh_token != token.app_refresh_token
    answer = registry.execute_for(auth_app_id, SUCCEEDING_METHOD, {})
    assert answer.fields["code"] == "10000"
    info = short.client.query_app_auth_token(record.app_auth_token)
    assert info.is_valid
    assert short.emulator.call_count(TOKEN_METHOD) - refreshes == 1


def test_asyncio_registry_refreshes_once_under_gather(short: Setup, store: Store) -> None:
    async def scenario() -> None:
        client = aio.Client.wrap(short.client)
        registry = aio.Registry(store.fresh(), client=client, refresh_margin=MARGIN)
        assert isinstance(registry.blocking, aio.BlockingRegistry)
        (token,) = authorise(short)
        assert await registry.ingest_tokens([token]) == [IngestOutcome.APPLIED]
        refreshes = short.emulator.call_count(TOKEN_METHOD)
        assert await registry.token_for(token.auth_app_id) == token.app_auth_token
        due = (await registry.get(token.auth_app_id)).expires_at_ms / 1000 - MARGIN
        await asyncio.sleep(due - time.time() + 0.1)  # now due
        fresh = await asyncio.gather(*(registry.token_for(token.auth_app_id) for _ in range(24)))
        assert len(set(fresh)) == 1 and fresh[0] != token.app_auth_token
        assert short.emulator.call_count(TOKEN_METHOD) - refreshes == 1
        answer = await registry.execute_for(token.auth_app_id, SUCCEEDING_METHOD, {})
        assert answer.fields["code"] == "10000"
        assert (await registry.get(token.auth_app_id)).auth_app_id == token.auth_app_id
        assert len(await registry.by_merchant(str(token.user_id))) == 1
        assert await registry.token_for_merchant(str(token.user_id)) == fresh[0]
        assert (await registry.revoke(token.auth_app_id)).status is AuthStatus.REVOKED
        with pytest.raises(StoreError, match=token.auth_app_id):
            await registry.execute_for(token.auth_app_id, SUCCEEDING_METHOD)
        assert "aio.Registry(" in repr(registry) and fresh[0] not in repr(registry)
        await registry.close()
        assert registry.blocking.closed

    asyncio.run(scenario())


def test_persistence_and_the_key_of_tokens_at_rest(setup: Setup, store: Store) -> None:
    key_text = TokenKey.generate_base64()
    assert len(key_text) == 44
    place = store.fresh("encrypted")
    (token,) = authorise(setup)

    with Registry(place, key=TokenKey(key_text)) as registry:
        assert registry.encrypted and registry.store_kind == store.kind
        registry.ingest_tokens([token])
    assert registry.closed
    with pytest.raises(ConfigError, match="closed"):
        registry.get(token.auth_app_id)
    registry.close()  # idempotent

    # Reopened (with the key as text this time): everything is still there.
    reopened = Registry(place, key=key_text, client=setup.client)
    record = reopened.get(token.auth_app_id)
    assert record is not None and record.app_auth_token == token.app_auth_token
    assert record.merchant_pid == token.user_id and record.status is AuthStatus.ACTIVE
    assert reopened.execute_for(token.auth_app_id, SUCCEEDING_METHOD).fields["code"] == "10000"
    reopened.close()

    # The wrong key, or none: a clear store error.
    with pytest.raises(StoreError, match="key does not match"):
        Registry(place, key=TokenKey.generate_base64())
    with pytest.raises(StoreError, match="encrypted"):
        Registry(place)

    # Created without a key: opened with one is refused.
    plain_place = store.fresh("plain")
    with Registry(plain_place) as plain:
        plain.ingest_tokens([token])
        assert not plain.encrypted
    with pytest.raises(StoreError, match="unencrypted"):
        Registry(plain_place, key=key_text)
    with Registry(plain_place) as plain:
        assert plain.get(token.auth_app_id).app_auth_token == token.app_auth_token


def test_tokens_are_not_readable_in_the_sqlite_file(setup: Setup, tmp_path: Path) -> None:
    key_text = TokenKey.generate_base64()
    path = tmp_path / "encrypted.db"
    (token,) = authorise(setup)
    secrets = [token.app_auth_token.encode(), str(token.app_refresh_token).encode()]
    with Registry(path, key=TokenKey(key_text)) as registry:
        assert registry.encrypted and registry.path == str(path)
        registry.ingest_tokens([token])
        assert registry.integrity_check() == "ok"

    # The tokens are nowhere in the file (nor its WAL).
    stored = file_bytes(path)
    assert token.auth_app_id.encode() in stored, "the file holds the record"
    for secret in secrets:
        assert secret not in stored, "a token is readable in the database file"

    # The control: without a key, the token is in the file (so the check above can fail).
    plain_path = tmp_path / "plain.db"
    with Registry(plain_path) as plain:
        plain.ingest_tokens([token])
        assert secrets[0] in file_bytes(plain_path)


def test_sqlite_and_memory_urls_and_what_is_no_registry(tmp_path: Path) -> None:
    # sqlite://PATH (sqlite:///abs is the absolute path /abs), sqlite:PATH, a str path, a Path.
    absolute = tmp_path / "by-url.db"
    for place, path in (
        (f"sqlite://{absolute}", str(absolute)),
        (f"sqlite:{tmp_path / 'short.db'}", str(tmp_path / "short.db")),
        (str(tmp_path / "plain.db"), str(tmp_path / "plain.db")),
        (tmp_path / "pathlib.db", str(tmp_path / "pathlib.db")),
    ):
        with Registry(place) as registry:
            assert (registry.store_kind, registry.path, registry.database) == ("sqlite", path, None)
            assert registry.integrity_check() == "ok"
            assert f"path='{path}'" in repr(registry)
        assert Path(path).exists()
    with Registry(f"sqlite://{absolute}") as again:
        assert again.list() == []

    # memory: is a registry in memory (a key is not used there).
    with Registry("memory:", key=TokenKey.generate_base64()) as memory:
        assert (memory.store_kind, memory.path, memory.database) == ("memory", None, None)
        assert not memory.encrypted and "Registry(in_memory" in repr(memory)
        with pytest.raises(ConfigError, match="memory"):
            memory.integrity_check()
    assert Registry.in_memory().store_kind == "memory"
    assert aio.Registry("memory:").blocking.store_kind == "memory"

    # Not a registry: another scheme, no path, a missing directory, not a path at all.
    with pytest.raises(ConfigError, match="postgres://") as raised:
        Registry("ftp://files.example/registry")
    assert raised.value.kind == "config"
    with pytest.raises(ConfigError):
        Registry("sqlite://")
    with pytest.raises(StoreError):
        Registry(tmp_path / "missing" / "registry.db")
    with pytest.raises(TypeError, match="path_or_url"):
        Registry(42)  # type: ignore[arg-type]


def test_token_keys() -> None:
    raw = bytes(range(32))
    assert "TokenKey(AES-256-GCM, redacted)" == repr(TokenKey.from_bytes(raw))
    for bad in (lambda: TokenKey("not base64!"), lambda: TokenKey.from_bytes(b"x" * 16)):
        with pytest.raises(ConfigError):
            bad()
    with pytest.raises(ConfigError):
        Registry.in_memory().integrity_check()  # no file
    with pytest.raises(TypeError):
        Registry("unused.db", key=42)  # type: ignore[arg-type]
    assert TokenKey.generate_base64() != TokenKey.generate_base64()


def test_raw_key_bytes_open_what_the_same_key_sealed(setup: Setup, store: Store) -> None:
    raw = bytes(range(32))
    place = store.fresh()
    (token,) = authorise(setup)
    with Registry(place, key=raw) as registry:
        registry.ingest_tokens([token])
    with Registry(place, key=TokenKey.from_bytes(raw)) as registry:
        assert registry.get(token.auth_app_id).app_auth_token == token.app_auth_token


def test_foreign_and_corrupt_files_are_refused_untouched(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database, and must stay as it is\n" * 64)
    before = garbage.read_bytes()
    with pytest.raises(StoreError) as raised:
        Registry(garbage)
    assert "not a SQLite database" in raised.value.reason
    assert garbage.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["garbage.db"], "no WAL was created"

    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("INSERT INTO customers (name) VALUES ('someone')")
    connection.close()
    before = foreign.read_bytes()
    with pytest.raises(StoreError):
        Registry(foreign)
    assert foreign.read_bytes() == before
    with sqlite3.connect(foreign) as connection:
        assert connection.execute("SELECT name FROM customers").fetchall() == [("someone",)]
    connection.close()


def test_no_token_in_any_repr(setup: Setup, store: Store) -> None:
    key_text = TokenKey.generate_base64()
    place = store.fresh()
    registry = Registry(place, key=key_text, client=setup.client)
    (token,) = authorise(setup)
    registry.ingest_tokens([token])
    record = registry.get(token.auth_app_id)
    secrets = [token.app_auth_token, str(token.app_refresh_token), key_text]
    shown = [
        repr(record),
        str(record),
        repr(registry.by_merchant(str(token.user_id))),
        repr(registry),
        repr(aio.Registry.wrap(registry)),
        repr(TokenKey(key_text)),
    ]
    for text in shown:
        for secret in secrets:
            assert secret not in text, f"a secret leaked into {text!r}"
    assert token.auth_app_id in repr(record) and "status='active'" in repr(record)
    assert "encrypted=True" in repr(registry) and "Client(" in repr(registry)
    if store.kind == "sqlite":
        assert f"path='{place}'" in repr(registry) and registry.database is None
    else:
        # The database as the core names it: no password, no parameter.
        assert_hidden(password_of(place), *shown, str(registry.database))
        assert f"database='{registry.database}'" in repr(registry)
        database_name = place.rsplit("/", 1)[1]
        assert registry.database.startswith(f"{store.kind}://alipay_isv_test@127.0.0.1:")
        assert registry.database.endswith(f"/{database_name}")
        assert registry.path is None
    registry.revoke(token.auth_app_id)
    with pytest.raises(StoreError) as raised:
        registry.token_for(token.auth_app_id)
    for secret in secrets:
        assert secret not in str(raised.value)
    registry.close()
    assert "closed=True" in repr(registry)
