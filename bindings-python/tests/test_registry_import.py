"""Importing a merchant's ``app_auth_token`` copied from the open-platform console (获得
app_auth_token 的方法二) into the registry (core ``Registry::import_token``) from Python,
against the emulator on loopback and its console (``Emulator.console_app_auth_token``): the
console token imported and used for a delegated call; expired, revoked, never-issued and
garbage tokens refused with nothing stored; importing twice is one record; an imported token
without a refresh token refused plainly once due; no token in any ``repr`` or error. Every test
runs on each store (the ``store`` fixture: a SQLite file, a fresh PostgreSQL database, a fresh
MySQL database; see :mod:`stores`)."""

from __future__ import annotations

import asyncio

import pytest

from alipay_isv import (
    ApiError,
    AuthOrigin,
    ConfigError,
    ConsoleToken,
    IngestOutcome,
    Registry,
    StoreError,
    TokenImport,
    aio,
    app_auth_link,
)

from emulated import APP_ID, CALLBACK, SUCCEEDING_METHOD, Setup, emulated
from stores import Store


def console_token(setup: Setup, auth_app_id: str, merchant_pid: str) -> ConsoleToken:
    """The merchant authorises ``auth_app_id`` (the ISV exchanges no code) and the ISV reads the
    token off the console."""
    link = app_auth_link(APP_ID, CALLBACK, host=setup.emulator.base_url)
    setup.emulator.merchant_authorizes(
        f"{link.url}&auth_app_id={auth_app_id}&merchant_pid={merchant_pid}"
    )
    return setup.emulator.console_app_auth_token(auth_app_id)


def test_a_console_token_is_imported_once_and_serves_a_delegated_call(
    setup: Setup, store: Store
) -> None:
    console = console_token(setup, "2021005500000001", "2088005500000001")
    secret = console.app_auth_token[8:]
    assert console.merchant_pid == "2088005500000001"
    assert secret not in repr(console)
    place = store.fresh("merchants")
    with Registry(place, client=setup.client) as registry:
        imported = registry.import_token(console.app_auth_token + "\n")
        assert isinstance(imported, TokenImport)
        assert imported.outcome is IngestOutcome.APPLIED
        record = imported.record
        assert record.auth_app_id == "2021005500000001"
        assert record.merchant_pid == "2088005500000001"
        assert record.app_auth_token == console.app_auth_token
        assert record.app_refresh_token is None
        assert record.origin is AuthOrigin.IMPORTED
        assert record.origin == "imported"
        assert record.is_active
        assert SUCCEEDING_METHOD in record.granted_methods
        assert secret not in repr(imported)
        assert "origin='imported'" in repr(record)

        answer = registry.execute_for("2021005500000001", SUCCEEDING_METHOD, {})
        assert answer.fields["code"] == "10000"
        assert registry.token_for_merchant("2088005500000001") == console.app_auth_token

        again = registry.import_token(console.app_auth_token)
        assert again.outcome is IngestOutcome.DUPLICATE
        assert again.record.version == record.version
        assert len(registry.list()) == 1
    with Registry(place) as reopened:
        stored = reopened.get("2021005500000001")
        assert stored is not None and stored.origin is AuthOrigin.IMPORTED


def test_expired_revoked_unknown_and_garbage_tokens_are_refused_with_nothing_stored(
    setup: Setup, store: Store
) -> None:
    expired = console_token(setup, "2021005500000002", "2088005500000002").app_auth_token
    revoked = console_token(setup, "2021005500000003", "2088005500000003").app_auth_token
    setup.emulator.expire_app_auth_token("2021005500000002")
    setup.emulator.revoke("2021005500000003")
    with pytest.raises(ConfigError, match="revoked"):
        setup.emulator.console_app_auth_token("2021005500000003")
    registry = Registry(store.fresh(), client=setup.client)
    for token, auth_app_id in ((expired, "2021005500000002"), (revoked, "2021005500000003")):
        with pytest.raises(StoreError, match="invalid") as raised:
            registry.import_token(token)
        assert auth_app_id in str(raised.value)
        assert token[8:] not in str(raised.value)
        assert token[8:] not in repr(raised.value)
    unknown = "202509BB0000000000000000000000000000beef"
    with pytest.raises(ApiError) as raised:
        registry.import_token(unknown)
    assert raised.value.sub_code == "aop.invalid-app-auth-token"
    queries = setup.emulator.call_count("alipay.open.auth.token.app.query")
    for garbage in ("", "   ", "not a token at all", "202509BB\x00secret", "令牌令牌"):
        with pytest.raises(ConfigError) as refused:
            registry.import_token(garbage)
        assert "secret" not in str(refused.value)
    with pytest.raises(ConfigError):
        registry.import_token(unknown, "bad refresh token")
    assert setup.emulator.call_count("alipay.open.auth.token.app.query") == queries
    assert registry.list() == []
    with pytest.raises(ConfigError, match="client"):
        Registry.in_memory().import_token(unknown)


def test_an_imported_token_without_refresh_token_is_refused_plainly_once_due(
    store: Store,
) -> None:
    with emulated(app_auth_token_ttl=30.0) as short:
        console = console_token(short, "2021005500000004", "2088005500000004")
        registry = Registry(store.fresh(), client=short.client, refresh_margin=60.0)
        registry.import_token(console.app_auth_token)
        with pytest.raises(StoreError) as raised:
            registry.token_for("2021005500000004")
        reason = str(raised.value)
        assert "2021005500000004" in reason
        assert "no app_refresh_token" in reason
        assert "import a fresh token" in reason
        assert console.app_auth_token[8:] not in reason


def test_the_asyncio_registry_imports_too(setup: Setup, store: Store) -> None:
    console = console_token(setup, "2021005500000005", "2088005500000005")

    async def scenario() -> None:
        registry = aio.Registry(store.fresh(), client=setup.client)
        imported = await registry.import_token(console.app_auth_token)
        assert imported.outcome is IngestOutcome.APPLIED
        answer = await registry.execute_for("2021005500000005", SUCCEEDING_METHOD, {})
        assert answer.fields["code"] == "10000"

    asyncio.run(scenario())
