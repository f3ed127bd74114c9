"""Certificate mode end to end against the emulator (``cert_mode=True``): the app certificate it
issues, a configuration in certificate mode, the code exchange, a delegated call, a push verified
by its ``alipay_cert_sn``; then Alipay rotates its certificate and the next call succeeds after
exactly one download; and a downloaded certificate that does not chain to the configured root
bundle is refused with a typed error."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

import pytest

from alipay_isv import (
    ALIPAY_CERT_DOWNLOAD_METHOD,
    ApiError,
    AppAuthNotification,
    Certificate,
    Client,
    ConfigError,
    Emulator,
    IsvConfig,
    MessageNotification,
    SignatureError,
    aio,
    alipay_root_cert_sn,
    app_cert_sn,
    generate_key_pair,
)

from emulated import (
    ALIPAY_PRIVATE,
    APP_ID,
    APP_PRIVATE,
    APP_PUBLIC,
    SUCCEEDING_METHOD,
    AppGateway,
    Setup,
    authorise_merchant,
)


def start_emulator(**options: object) -> Emulator:
    """An emulator in certificate mode signing with the vectors' "Alipay" key."""
    return Emulator(
        APP_ID,
        APP_PUBLIC,
        alipay_private_key=ALIPAY_PRIVATE,
        notify_backoff=0.02,
        cert_mode=True,
        **options,  # type: ignore[arg-type]
    )


def cert_config(emulator: Emulator, roots_from: Emulator | None = None) -> IsvConfig:
    """The test app in certificate mode on ``emulator``: an app certificate it issues, and the
    Alipay certificate and root bundle of ``roots_from`` (``emulator`` itself by default)."""
    trusted = roots_from or emulator
    return IsvConfig(
        APP_ID,
        APP_PRIVATE,
        app_cert=emulator.issue_app_cert(APP_PUBLIC),
        alipay_cert=trusted.alipay_cert_pem,
        root_cert=trusted.root_cert_bundle_pem,
        gateway=emulator.gateway_url,
    )


@contextlib.contextmanager
def cert_emulated() -> Iterator[Setup]:
    """An application gateway, a certificate-mode emulator pushing to it, and a client."""
    gateway = AppGateway()
    emulator = start_emulator(notify_url=gateway.url)
    try:
        config = cert_config(emulator)
        yield Setup(emulator, config, Client(config), gateway)
    finally:
        emulator.stop()
        gateway.close()


def test_the_emulator_hands_out_matching_certificates() -> None:
    with cert_emulated() as setup:
        emulator, config = setup.emulator, setup.config
        assert emulator.is_cert_mode
        assert "cert_mode=True" in repr(emulator)
        bundle = emulator.root_cert_bundle_pem
        assert bundle.count("BEGIN CERTIFICATE") == 2
        assert alipay_root_cert_sn(bundle) == emulator.alipay_root_cert_sn
        assert "_" not in emulator.alipay_root_cert_sn, "the ECDSA root is left out"
        assert config.alipay_root_cert_sn == emulator.alipay_root_cert_sn
        assert config.alipay_cert_sn == emulator.alipay_cert_sn
        assert config.alipay_public_key == emulator.alipay_public_key
        assert config.app_cert_sn is not None
        own = emulator.issue_app_cert(APP_PUBLIC)
        assert Certificate(own).public_key() == APP_PUBLIC
        assert app_cert_sn(own) != config.app_cert_sn, "a new serial for each certificate issued"


def test_the_whole_flow_in_certificate_mode_with_a_rotation() -> None:
    with cert_emulated() as setup:
        emulator, client, config = setup.emulator, setup.client, setup.config
        first = emulator.alipay_cert_sn
        token, merchant = authorise_merchant(setup)
        answer = client.execute(SUCCEEDING_METHOD, {}, app_auth_token=token)
        assert answer.alipay_cert_sn == first

        (pushed,) = setup.gateway.wait_for(1)
        assert f"alipay_cert_sn={first}".encode() in pushed
        assert isinstance(client.verify_notification(pushed), AppAuthNotification)
        assert isinstance(config.notification_verifier().verify_body(pushed), AppAuthNotification)

        # A second client configured before the rotation, with its own certificate store.
        fresh = Client(cert_config(emulator))
        rotated = emulator.rotate_alipay_cert()
        assert rotated != first
        assert rotated == emulator.alipay_cert_sn
        assert config.trusted_alipay_cert_sns == [first]
        assert emulator.call_count(ALIPAY_CERT_DOWNLOAD_METHOD) == 0
        answer = client.execute(SUCCEEDING_METHOD, {}, app_auth_token=token)
        assert answer.alipay_cert_sn == rotated
        assert emulator.call_count(ALIPAY_CERT_DOWNLOAD_METHOD) == 1
        assert config.trusted_alipay_cert_sns == sorted([first, rotated])
        client.execute(SUCCEEDING_METHOD, {}, app_auth_token=token)
        assert emulator.call_count(ALIPAY_CERT_DOWNLOAD_METHOD) == 1, "cached"
        assert client.fetch_alipay_cert(rotated) is False
        assert client.fetch_alipay_cert(first) is False

        # A push signed by the rotated certificate: a client that does not trust it yet fetches
        # it first; the sans-IO verifier names it.
        emulator.revoke(merchant)
        cancelled = setup.gateway.wait_for(2)[-1]
        assert f"alipay_cert_sn={rotated}".encode() in cancelled
        assert fresh.config.trusted_alipay_cert_sns == [first]
        with pytest.raises(SignatureError, match=rotated):
            fresh.config.notification_verifier().verify_body(cancelled)
        assert isinstance(fresh.verify_notification(cancelled), MessageNotification)
        assert emulator.call_count(ALIPAY_CERT_DOWNLOAD_METHOD) == 2
        assert rotated in (fresh.config.trusted_alipay_cert_sns or [])

        with pytest.raises(ApiError) as unknown:
            client.fetch_alipay_cert("0123456789abcdef0123456789abcdef")
        assert unknown.value.kind == "api"


def test_threads_after_a_rotation_share_the_downloaded_certificate() -> None:
    with cert_emulated() as setup:
        token, _ = authorise_merchant(setup)
        rotated = setup.emulator.rotate_alipay_cert()
        seen: list[str | None] = []
        errors: list[BaseException] = []

        def call() -> None:
            try:
                answer = setup.client.execute(SUCCEEDING_METHOD, {}, app_auth_token=token)
                seen.append(answer.alipay_cert_sn)
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=call) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert seen == [rotated] * 4
        downloads = setup.emulator.call_count(ALIPAY_CERT_DOWNLOAD_METHOD)
        assert 1 <= downloads <= 4


def test_the_asyncio_client_fetches_and_verifies() -> None:
    with cert_emulated() as setup:
        token, _ = authorise_merchant(setup)
        (pushed,) = setup.gateway.wait_for(1)
        rotated = setup.emulator.rotate_alipay_cert()
        client = aio.Client.wrap(setup.client)

        async def run() -> None:
            assert await client.fetch_alipay_cert(rotated) is True
            assert await client.fetch_alipay_cert(rotated) is False
            answer = await client.execute(SUCCEEDING_METHOD, {}, app_auth_token=token)
            assert answer.alipay_cert_sn == rotated
            assert isinstance(await client.verify_notification(pushed), AppAuthNotification)

        asyncio.run(run())
        assert setup.emulator.call_count(ALIPAY_CERT_DOWNLOAD_METHOD) == 1


def test_a_downloaded_certificate_that_does_not_chain_is_refused() -> None:
    with cert_emulated() as setup, contextlib.closing(start_emulator()) as other:
        emulator = setup.emulator
        # Same names and serials (so the same SNs), other root keys: the other emulator's bundle
        # accepts its own Alipay certificate, which has the same SN and key as this one's.
        assert other.alipay_root_cert_sn == emulator.alipay_root_cert_sn
        assert other.alipay_cert_sn == emulator.alipay_cert_sn
        assert other.root_cert_bundle_pem != emulator.root_cert_bundle_pem
        config = cert_config(emulator, roots_from=other)
        client = Client(config)
        token, _ = authorise_merchant(Setup(emulator, config, client, setup.gateway))
        client.execute(SUCCEEDING_METHOD, {}, app_auth_token=token)

        rotated = emulator.rotate_alipay_cert()
        with pytest.raises(SignatureError, match="refused") as refused:
            client.execute(SUCCEEDING_METHOD, {}, app_auth_token=token)
        assert refused.value.kind == "signature"
        assert "does not verify" in refused.value.reason
        assert emulator.call_count(ALIPAY_CERT_DOWNLOAD_METHOD) == 1
        assert rotated not in (config.trusted_alipay_cert_sns or [])
        with pytest.raises(SignatureError):
            client.fetch_alipay_cert(rotated)
        # The same certificate checked against the bundle it was issued under is fine.
        assert setup.client.fetch_alipay_cert(rotated) is True


def test_public_key_mode_clients_and_plain_emulators() -> None:
    with cert_emulated() as setup:
        token, _ = authorise_merchant(setup)
        plain_config = IsvConfig(
            APP_ID,
            APP_PRIVATE,
            setup.emulator.alipay_public_key,
            gateway=setup.emulator.gateway_url,
        )
        with pytest.raises(ApiError) as missing:
            Client(plain_config).execute(SUCCEEDING_METHOD, {}, app_auth_token=token)
        assert missing.value.sub_code == "isv.invalid-app-cert-sn"
        with pytest.raises(ConfigError, match="not in certificate mode"):
            Client(plain_config).fetch_alipay_cert(setup.emulator.alipay_cert_sn)
        other_key = generate_key_pair().public_key
        foreign = setup.emulator.issue_app_cert(other_key)
        assert Certificate(foreign).public_key() == other_key
    with Emulator(APP_ID, APP_PUBLIC, alipay_private_key=ALIPAY_PRIVATE) as plain:
        assert not plain.is_cert_mode
        for member in (
            "root_cert_bundle_pem",
            "alipay_root_cert_sn",
            "alipay_cert_pem",
            "alipay_cert_sn",
        ):
            with pytest.raises(ConfigError, match="not in certificate mode"):
                getattr(plain, member)
        with pytest.raises(ConfigError):
            plain.rotate_alipay_cert()
        with pytest.raises(ConfigError):
            plain.issue_app_cert(APP_PUBLIC)
