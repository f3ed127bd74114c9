"""Mirrors core ``secret``: the one masking rule. Every record type the package returns is
collected from a real flow against the emulator, and every one of its fields that the rule calls
secret is fed through it: the ``repr()`` must show the rule's mask of the value and never the
value. A field that holds a token or a code under a name the rule does not list fails the test,
so a new secret field cannot slip past the rule. Personal data (the contact person and phone of a
service-market order, from a genuine order Alipay signed and from the emulator's) is shown by its
length only; the service market's subscription, order page and item are collected too, and the
OpenAPI v3 results (tokens, answer, prepared request, upload)."""

from __future__ import annotations

import pytest

from alipay_isv import (
    AppAuthNotification,
    NotificationVerifier,
    PublicKey,
    Registry,
    ServiceMarketOrderNotification,
    V3File,
    app_auth_link,
    is_personal_field,
    is_secret_field,
    mask_secret,
    parse_app_auth_callback,
    parse_user_auth_callback,
    personal_fields,
    secret_fields,
    shown,
    user_consent_link,
)

from emulated import APP_ID, CALLBACK, Setup, emulated
from vectors import case_body, read_key, real_notification_case

# Suffixes of the names of fields that carry a token or an authorisation code.
SECRET_SUFFIXES = ("_token", "_code")
# Fields with such a suffix that name a product or a purpose, not an authorisation: an order's
# item and service, what an uploaded file is for.
PRODUCT_CODES = ("item_code", "service_code", "biz_code")
# The fields of personal data the core's rule shows by their length only (secret::PERSONAL_FIELDS).
PERSONAL_FIELDS = ("contactor", "phone")
V3_MERCHANT_API = "/v3/alipay/open/mini/version/list/query"


@pytest.fixture(scope="module")
def records() -> dict[str, object]:
    """One instance of every record type that can hold a secret, from a flow on the emulator."""
    with emulated() as setup:
        return collect(setup)


def collect(setup: Setup) -> dict[str, object]:
    found: dict[str, object] = {}
    pushes_before = len(setup.gateway.bodies)
    link = app_auth_link(APP_ID, CALLBACK, host=setup.emulator.base_url)
    callback = parse_app_auth_callback(
        setup.emulator.merchant_authorizes(link.url), APP_ID, link.state
    )
    found["AppAuthCallback"] = callback
    (token,) = setup.client.exchange_app_auth_code(callback.app_auth_code)
    found["AppAuthToken"] = token
    found["AppAuthTokenInfo"] = setup.client.query_app_auth_token(token.app_auth_token)
    body = setup.gateway.wait_for(pushes_before + 1)[pushes_before]
    notification = setup.config.notification_verifier().verify_body(body)
    found["AppAuthNotification"] = notification
    found["AppAuthDetail"] = notification.detail
    registry = Registry.in_memory(client=setup.client)
    registry.ingest_notification(notification)
    record = registry.get(token.auth_app_id)
    assert record is not None
    found["MerchantAuthorisation"] = record
    console = setup.emulator.console_app_auth_token(token.auth_app_id)
    found["ConsoleToken"] = console
    found["TokenImport"] = registry.import_token(console.app_auth_token)
    consent = user_consent_link(
        token.auth_app_id, CALLBACK, "auth_user", host=setup.emulator.base_url
    )
    user_callback = parse_user_auth_callback(
        setup.emulator.user_consents(consent.url), token.auth_app_id, consent.state
    )
    found["UserAuthCallback"] = user_callback
    found["UserToken"] = setup.client.exchange_user_auth_code(
        user_callback.auth_code, token.app_auth_token
    )
    found["ServiceMarketOrderNotification"] = genuine_order()
    # A service-market subscription: its record, both pushes (the plugin authorisation carries a
    # token, the order message a contact person and phone) and the order query's page and item.
    pushes_before = len(setup.gateway.bodies)
    subscription = setup.emulator.subscribe()
    found["Subscription"] = subscription
    for body in setup.gateway.wait_for(pushes_before + 2)[pushes_before:]:
        pushed = setup.client.verify_notification(body)
        if isinstance(pushed, AppAuthNotification):
            assert pushed.is_plugin_authorisation
            found["AppAuthNotification (plugin)"] = pushed
            found["AppAuthDetail (plugin)"] = pushed.detail
        else:
            assert isinstance(pushed, ServiceMarketOrderNotification)
            found["ServiceMarketOrderNotification (emulated)"] = pushed
    page = setup.client.query_servicemarket_order(subscription.commodity_order_id)
    found["ServiceMarketOrderPage"] = page
    found["ServiceMarketOrderItem"] = page.items[0]
    # OpenAPI v3: the typed results of the v3 calls, a v3 answer, a prepared request, an upload.
    link = app_auth_link(APP_ID, CALLBACK, host=setup.emulator.base_url)
    callback = parse_app_auth_callback(
        setup.emulator.merchant_authorizes(link.url), APP_ID, link.state
    )
    (v3_token,) = setup.client.exchange_app_auth_code_v3(callback.app_auth_code)
    found["AppAuthToken (v3)"] = v3_token
    found["AppAuthTokenInfo (v3)"] = setup.client.query_app_auth_token_v3(v3_token.app_auth_token)
    found["V3Response"] = setup.client.execute_v3(
        "POST", V3_MERCHANT_API, body={}, app_auth_token=v3_token.app_auth_token
    )
    found["V3HttpRequest"] = setup.config.prepare_v3(
        "POST", V3_MERCHANT_API, body={}, app_auth_token=v3_token.app_auth_token
    )
    file = V3File(file_name="shop.jpg", content=b"\xff\xd8\xff\xe0 jpeg")
    found["V3File"] = file
    upload = setup.client.upload_file_v3("shop_image", file, v3_token.app_auth_token)
    found["FileUpload"] = upload
    found["UploadedFile"] = setup.emulator.uploaded_file(upload.file_id)
    return found


def genuine_order() -> ServiceMarketOrderNotification:
    """The order message of Alipay's EasySDK test suite (2020), verified with its key: it has a
    contact person and a phone."""
    case = real_notification_case("easysdk_2020_servicemarket_order_notify")
    verifier = NotificationVerifier(PublicKey(read_key(case["alipay_public_key"])))
    order = verifier.verify_body(case_body(case))
    assert isinstance(order, ServiceMarketOrderNotification)
    return order


def fields(record: object) -> dict[str, object]:
    """The public attributes of a record and their values."""
    names = [name for name in dir(type(record)) if not name.startswith("_")]
    values = {name: getattr(record, name) for name in names}
    return {name: value for name, value in values.items() if not callable(value)}


def test_the_rule_is_the_cores() -> None:
    names = secret_fields()
    for expected in ("app_auth_token", "app_refresh_token", "access_token", "refresh_token"):
        assert expected in names and is_secret_field(expected)
    for name in names:
        assert is_secret_field(name)
    assert not is_secret_field("auth_app_id")
    assert mask_secret("202311BBsecretsecretsecret") == "2023…(26 chars)"
    assert mask_secret("short") == "…(5 chars)"
    assert shown("auth_app_id", "2021000000000001") == "2021000000000001"
    assert shown("app_auth_token", "202311BBsecretsecretsecret") == "2023…(26 chars)"
    assert shown("biz_content", '{"code":"x"}') == "(12 chars)"
    assert shown("phone", "17826894615") == "…(11 chars)"
    assert shown("contactor", "赵华杰") == "…(3 chars)"
    assert not is_secret_field("phone") and not is_secret_field("contactor")


def test_the_personal_fields_are_the_cores() -> None:
    names = personal_fields()
    assert names == list(PERSONAL_FIELDS)
    assert personal_fields() is not names, "a new list each time"
    assert all(is_personal_field(name) for name in names)
    assert not set(names) & set(secret_fields())
    for name in ("name", "merchant_pid", "Phone", "app_auth_token", ""):
        assert not is_personal_field(name), name
    for name in names:
        assert shown(name, "x") == "…(1 chars)"


def test_every_secret_field_of_every_record_type_is_masked(records: dict[str, object]) -> None:
    fed: set[str] = set()
    for type_name, record in records.items():
        text = repr(record)
        for name, value in fields(record).items():
            if (
                name.endswith(SECRET_SUFFIXES)
                and name not in PRODUCT_CODES
                and isinstance(value, str)
            ):
                assert is_secret_field(name), f"{type_name}.{name} holds a secret the rule misses"
            if not is_secret_field(name) or value is None:
                continue
            assert isinstance(value, str) and len(value) > 8, f"{type_name}.{name}: {value!r}"
            assert value not in text, f"{type_name}.{name} shown in {text}"
            assert mask_secret(value) in text, f"{type_name}.{name} not masked by the rule: {text}"
            fed.add(name)
    # `auth_token` is a call option (the user's token on a delegated call), not a record field.
    assert set(secret_fields()) - fed <= {"auth_token"}, fed


def test_personal_data_of_every_record_type_is_shown_by_its_length(
    records: dict[str, object],
) -> None:
    fed: set[str] = set()
    for type_name, record in records.items():
        text = repr(record)
        for name, value in fields(record).items():
            if name not in PERSONAL_FIELDS or value is None:
                continue
            assert isinstance(value, str) and value, f"{type_name}.{name}: {value!r}"
            assert value not in text, f"{type_name}.{name} shown in {text}"
            assert shown(name, value) == f"…({len(value)} chars)"
            assert f"{name}='{shown(name, value)}'" in text, f"{type_name}.{name}: {text}"
            fed.add(name)
    assert fed == set(PERSONAL_FIELDS), fed
