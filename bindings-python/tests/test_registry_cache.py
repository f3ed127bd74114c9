"""The registry's token cache (``token_cache_ttl``) from Python: two registries on one SQLite file
stand for two instances sharing a database, the second with a 400 ms cache. A revocation written
by the other instance may be served from the cache only when asked before the bound, and is
refused from then on; a revocation through the cached registry itself is refused at once; a zero,
negative or non-finite bound is a configuration error. Tokens come from the emulator and live a
year, so ``token_for`` never calls the gateway."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from alipay_isv import (
    AppAuthToken,
    ConfigError,
    Registry,
    StoreError,
    aio,
    app_auth_link,
    parse_app_auth_callback,
)

from emulated import APP_ID, CALLBACK, Setup

BOUND = 0.4  # seconds: the cache of the second registry
POLL = 0.02  # seconds between lookups
DEADLINE = 0.6  # seconds after the revocation: refused by then


def authorise(setup: Setup) -> AppAuthToken:
    """A merchant authorises through the emulator; its exchanged token."""
    link = app_auth_link(APP_ID, CALLBACK, host=setup.emulator.base_url)
    callback = parse_app_auth_callback(
        setup.emulator.merchant_authorizes(link.url), APP_ID, link.state
    )
    (token,) = setup.client.exchange_app_auth_code(callback.app_auth_code)
    return token


def two_instances(setup: Setup, path: Path) -> tuple[Registry, Registry]:
    """``writer`` without a cache and ``reader`` with one of :data:`BOUND`, on one file."""
    writer = Registry(path, client=setup.client)
    reader = Registry(path, client=setup.client, token_cache_ttl=BOUND)
    assert writer.token_cache_ttl is None
    assert reader.token_cache_ttl == BOUND
    return writer, reader


def test_another_instances_revocation_is_refused_within_the_bound(
    setup: Setup, tmp_path: Path
) -> None:
    writer, reader = two_instances(setup, tmp_path / "registry.db")
    with writer, reader:
        token = authorise(setup)
        writer.ingest_tokens([token])
        assert reader.token_for(token.auth_app_id) == token.app_auth_token  # now cached

        writer.revoke(token.auth_app_id)
        revoked_at = time.monotonic()
        while True:
            # When the lookup was asked (the thread may be descheduled after it returns).
            asked = time.monotonic() - revoked_at
            try:
                served = reader.token_for(token.auth_app_id)
            except StoreError as refused:
                assert "revoked" in refused.reason, refused.reason
                break
            assert served == token.app_auth_token
            assert asked < BOUND, f"served {asked:.3f} s after the revocation (bound {BOUND} s)"
            assert asked < DEADLINE
            time.sleep(POLL)
        assert asked <= DEADLINE, f"refused only {asked:.3f} s after the revocation"

        # Refused from then on.
        for _ in range(3):
            with pytest.raises(StoreError):
                reader.token_for(token.auth_app_id)
            time.sleep(POLL)


def test_a_revocation_through_the_cached_registry_is_refused_at_once(
    setup: Setup, tmp_path: Path
) -> None:
    writer, reader = two_instances(setup, tmp_path / "registry.db")
    with writer, reader:
        token = authorise(setup)
        writer.ingest_tokens([token])
        assert reader.token_for(token.auth_app_id) == token.app_auth_token  # now cached

        reader.revoke(token.auth_app_id)
        with pytest.raises(StoreError) as refused:
            reader.token_for(token.auth_app_id)
        assert "revoked" in refused.value.reason
        with pytest.raises(StoreError):
            writer.token_for(token.auth_app_id)


@pytest.mark.parametrize("ttl", [0.0, -0.4, math.nan, math.inf])
def test_a_bad_ttl_is_a_config_error(setup: Setup, tmp_path: Path, ttl: float) -> None:
    path = tmp_path / "registry.db"
    with pytest.raises(ConfigError) as raised:
        Registry(path, client=setup.client, token_cache_ttl=ttl)
    assert "token_cache_ttl" in str(raised.value)
    with pytest.raises(ConfigError):
        aio.Registry(path, client=setup.client, token_cache_ttl=ttl)


def test_the_bound_is_shown_and_the_asyncio_registry_takes_it(setup: Setup, tmp_path: Path) -> None:
    path = tmp_path / "registry.db"
    with Registry(path, client=setup.client, token_cache_ttl=BOUND) as cached:
        assert f"token_cache_ttl={BOUND}" in repr(cached)
    with Registry(path, client=setup.client) as plain:
        assert "token_cache_ttl" not in repr(plain)
    assert Registry.in_memory(client=setup.client).token_cache_ttl is None
    registry = aio.Registry(path, client=setup.client, token_cache_ttl=BOUND)
    try:
        assert registry.token_cache_ttl == BOUND
        assert registry.blocking.token_cache_ttl == BOUND
    finally:
        registry.blocking.close()
