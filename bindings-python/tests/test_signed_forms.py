"""Notifications in every form the real gateway has signed them in: the emulator pushes in one
fixed form per run (``push_form=``) or a seeded mix (``push_form="mixed"``), each
:class:`Delivery` says its ``signed_form``, and the application gateway's
:class:`NotificationVerifier` reports the same form on every verified notification; a tampered
push is a :class:`SignatureError`."""

from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import Iterator

import pytest

from alipay_isv import (
    AppAuthNotification,
    ConfigError,
    Delivery,
    Emulator,
    IsvConfig,
    MessageNotification,
    NotificationVerifier,
    SignatureError,
)

from emulated import (
    ALIPAY_PRIVATE,
    APP_ID,
    APP_PRIVATE,
    APP_PUBLIC,
    CALLBACK,
    AppGateway,
    config_for,
)

BASIC_FORMS = ["v1", "v1+empty", "v2", "v2+empty"]
EVERY_FORM = [
    *BASIC_FORMS,
    "v1+alipay_cert_sn",
    "v1+empty+alipay_cert_sn",
    "v2+alipay_cert_sn",
    "v2+empty+alipay_cert_sn",
]


@contextlib.contextmanager
def pushing(**options: object) -> Iterator[tuple[Emulator, AppGateway]]:
    """An application gateway and an emulator pushing to it with ``options``."""
    gateway = AppGateway()
    emulator = Emulator(
        APP_ID,
        APP_PUBLIC,
        notify_url=gateway.url,
        alipay_private_key=ALIPAY_PRIVATE,
        notify_backoff=0.02,
        **options,  # type: ignore[arg-type]
    )
    try:
        yield emulator, gateway
    finally:
        emulator.stop()
        gateway.close()


def cert_config(emulator: Emulator) -> IsvConfig:
    """The test app in certificate mode on ``emulator`` (its verifier picks the key by
    ``alipay_cert_sn``)."""
    return IsvConfig(
        APP_ID,
        APP_PRIVATE,
        app_cert=emulator.issue_app_cert(APP_PUBLIC),
        alipay_cert=emulator.alipay_cert_pem,
        root_cert=emulator.root_cert_bundle_pem,
        gateway=emulator.gateway_url,
    )


def authorise_and_revoke(emulator: Emulator, merchants: int) -> list[Delivery]:
    """``merchants`` merchants authorise (one push each), then each revokes (one more push);
    returns the deliveries once all are acknowledged."""
    apps = []
    for _ in range(merchants):
        emulator.merchant_authorizes(emulator.app_auth_url(CALLBACK))
        apps.append(emulator.deliveries()[-1].auth_app_id)
    for app in apps:
        emulator.revoke(app)
    assert emulator.wait_for_deliveries(2 * merchants, timeout=20.0)
    deliveries = emulator.deliveries()
    assert len(deliveries) == 2 * merchants
    assert all(delivery.acknowledged for delivery in deliveries)
    return deliveries


def check_received(
    verifier: NotificationVerifier, gateway: AppGateway, deliveries: list[Delivery]
) -> set[str]:
    """Verifies every body the gateway received: each reports the form of its delivery; returns
    the forms seen."""
    by_id = {delivery.notify_id: delivery for delivery in deliveries}
    bodies = gateway.wait_for(len(deliveries))
    assert len(bodies) == len(deliveries)
    seen = set()
    for body in bodies:
        notification = verifier.verify_body(body)
        assert isinstance(notification, (AppAuthNotification, MessageNotification))
        assert notification.notify_id is not None
        delivery = by_id[notification.notify_id]
        assert notification.signed_form == delivery.signed_form, repr(delivery)
        assert ("isv_ticket" in notification.params) == ("+empty" in delivery.signed_form)
        assert ("alipay_cert_sn" in notification.params) == (
            "+alipay_cert_sn" in delivery.signed_form
        )
        if isinstance(notification, MessageNotification):
            assert notification.is_app_auth_cancelled
        seen.add(notification.signed_form)
    return seen


@pytest.mark.parametrize("form", BASIC_FORMS)
def test_each_fixed_form_verifies_as_that_form(form: str) -> None:
    with pushing(push_form=form) as (emulator, gateway):
        deliveries = authorise_and_revoke(emulator, 2)
        assert {delivery.signed_form for delivery in deliveries} == {form}
        verifier = config_for(emulator).notification_verifier()
        assert check_received(verifier, gateway, deliveries) == {form}
        for delivery in deliveries:
            params = dict(urllib.parse.parse_qsl(delivery.body, keep_blank_values=True))
            notification = verifier.verify_params(params)
            assert notification.signed_form == form


def test_a_seeded_mix_uses_every_basic_form() -> None:
    with pushing(push_form="mixed", push_form_seed=7) as (emulator, gateway):
        deliveries = authorise_and_revoke(emulator, 6)
        verifier = NotificationVerifier(emulator.alipay_public_key)
        assert check_received(verifier, gateway, deliveries) == set(BASIC_FORMS)
        assert all("alipay_cert_sn" not in delivery.body for delivery in deliveries)


def test_a_seeded_mix_in_certificate_mode_uses_every_form() -> None:
    with pushing(push_form="mixed", push_form_seed=11, cert_mode=True) as (emulator, gateway):
        deliveries = authorise_and_revoke(emulator, 4)
        verifier = cert_config(emulator).notification_verifier()
        assert check_received(verifier, gateway, deliveries) == set(EVERY_FORM)


def test_the_default_is_v1_for_authorisations_and_v2_for_cancellations() -> None:
    with pushing() as (emulator, gateway):
        deliveries = authorise_and_revoke(emulator, 1)
        assert [d.signed_form for d in deliveries] == ["v1", "v2"]
        check_received(NotificationVerifier(emulator.alipay_public_key), gateway, deliveries)


def test_tampered_pushes_fail_with_a_signature_error() -> None:
    with pushing(push_form="v1+empty") as (emulator, _gateway):
        deliveries = authorise_and_revoke(emulator, 1)
        verifier = NotificationVerifier(emulator.alipay_public_key)
        for delivery in deliveries:
            assert "&isv_ticket=&" in delivery.body
            without_empty = delivery.body.replace("&isv_ticket=&", "&")
            with pytest.raises(SignatureError):
                verifier.verify_body(without_empty)
            changed = delivery.body.replace("notify_id=", "notify_id=0", 1)
            with pytest.raises(SignatureError):
                verifier.verify_body(changed)


def test_reprs_show_the_form_and_no_token() -> None:
    with pushing(push_form="v2+empty") as (emulator, _gateway):
        deliveries = authorise_and_revoke(emulator, 1)
        notification = NotificationVerifier(emulator.alipay_public_key).verify_body(
            deliveries[0].body
        )
        assert isinstance(notification, AppAuthNotification)
        token = notification.detail.app_auth_token
        for shown in (repr(deliveries[0]), repr(notification)):
            assert "signed_form='v2+empty'" in shown, shown
            assert token not in shown


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"push_form": "v3"}, "v3"),
        ({"push_form": "v1", "push_form_seed": 1}, "mixed"),
        ({"push_form": "v1+alipay_cert_sn"}, "certificate mode"),
    ],
)
def test_bad_push_forms_are_config_errors(options: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Emulator(APP_ID, APP_PUBLIC, alipay_private_key=ALIPAY_PRIVATE, **options)  # type: ignore[arg-type]
    assert needle in str(raised.value)
