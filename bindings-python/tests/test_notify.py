"""Notifications (core module ``notify``): every notifications.json and real_notifications.json
case, the typed results (service-market orders and plugin authorisations included),
``verify_params``, masked ``repr``s, the acknowledgement and the gateway-check answer."""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest

from alipay_isv import (
    SERVICE_CHECK,
    SERVICEMARKET_ORDER_NOTIFY,
    SUCCESS_ACK,
    AlipayError,
    AppAuthDetail,
    AppAuthNotification,
    ConfigError,
    MessageNotification,
    NotificationVerifier,
    OtherNotification,
    ProtocolError,
    PublicKey,
    ServiceMarketOrderNotification,
    SignatureError,
    Signer,
    Verifier,
    shown,
    sign_content,
)

from apps import ALIPAY_PUBLIC, APP_ID, APP_PRIVATE, APP_PUBLIC, config
from vectors import (
    ERROR_KINDS,
    NOTIFICATION_CASES,
    ORDER_FIELDS,
    REAL_NOTIFICATION_CASES,
    case_body,
    case_id,
    read_key,
)

ALL_NOTIFICATION_CASES = NOTIFICATION_CASES + REAL_NOTIFICATION_CASES

CLASSES = {
    "app_auth": AppAuthNotification,
    "message": MessageNotification,
    "servicemarket_order": ServiceMarketOrderNotification,
    "other": OtherNotification,
}

# The order properties the vectors' `order` objects leave out, and the parameter each is read from
# (trimmed; `None` when absent or empty).
ORDER_PARAMS = {
    "notify_time": "notify_time",
    "app_id": "app_id",
    "order_time": "order_time",
    "item_code": "item_code",
    "specifications": "specifications",
    "service_code": "service_code",
    "isv_ticket": "isv_ticket",
    "contactor": "contactor",
    "phone": "phone",
}
PERSONAL_FIELDS = ("contactor", "phone")


def verifier_for(case: dict) -> NotificationVerifier:
    return NotificationVerifier(PublicKey(read_key(case["alipay_public_key"])))


def find(name: str) -> dict:
    return next(case for case in NOTIFICATION_CASES if case["name"] == name)


def test_the_vectors_are_all_there() -> None:
    assert len(NOTIFICATION_CASES) >= 16
    assert sum(case["expect"] == "ok" for case in REAL_NOTIFICATION_CASES) >= 5
    assert sum(case["expect"] != "ok" for case in REAL_NOTIFICATION_CASES) >= 5
    kinds = {case.get("kind") for case in NOTIFICATION_CASES if case["expect"] == "ok"}
    assert kinds == set(CLASSES) - {"servicemarket_order"}
    orders = [case for case in REAL_NOTIFICATION_CASES if case.get("kind") == "servicemarket_order"]
    assert len(orders) >= 2
    for case in orders:
        assert set(case["order"]) == set(ORDER_FIELDS), case["name"]
    # Every genuine order has a tampered twin that must still fail.
    for case in orders:
        twins = [c for c in REAL_NOTIFICATION_CASES if c["name"].startswith(case["name"] + "_")]
        assert twins and all(twin["expect"] == "signature_error" for twin in twins), case["name"]


def check_notification(case: dict, notification: object) -> None:
    assert type(notification) is CLASSES[case["kind"]]
    assert notification.kind == case["kind"]  # type: ignore[attr-defined]
    if "signed_form" in case:
        assert notification.signed_form == case["signed_form"]  # type: ignore[attr-defined]
    params = notification.params  # type: ignore[attr-defined]
    assert params | case["params"] == params
    if case["kind"] == "app_auth":
        assert isinstance(notification, AppAuthNotification)
        detail = notification.detail
        assert isinstance(detail, AppAuthDetail)
        for field, value in case["detail"].items():
            assert getattr(detail, field) == value, field
        assert notification.notify_id == params["notify_id"]
        assert notification.status == params.get("status")
        assert notification.app_id == params.get("app_id")
        biz_content = json.loads(params["biz_content"])
        trigger = biz_content.get("notify_context", {}).get("trigger")
        assert notification.trigger == trigger
        assert detail.authorised_app_id == biz_content["detail"].get("app_id")
        assert detail.agent_app_id == biz_content["detail"].get("agent_app_id")
        assert notification.is_plugin_authorisation == (
            trigger == "appstore" or detail.agent_app_id is not None
        )
        text = repr(notification) + repr(detail)
        for secret in (detail.app_auth_token, detail.app_refresh_token, detail.app_auth_code):
            assert secret and secret not in text
        assert detail.app_auth_token[:4] in text
    elif case["kind"] == "message":
        assert isinstance(notification, MessageNotification)
        assert notification.msg_method == case["msg_method"]
        assert notification.is_app_auth_cancelled == (
            case["msg_method"] == "alipay.open.auth.appauth.cancelled"
        )
        assert notification.notify_id == params.get("notify_id")
        assert notification.msg_app_id == params.get("msg_app_id")
        assert isinstance(notification.biz_content, (dict, type(None)))
    elif case["kind"] == "servicemarket_order":
        assert isinstance(notification, ServiceMarketOrderNotification)
        for field, value in case["order"].items():
            assert getattr(notification, field) == value, field
        assert type(notification.order_item_num) is int
        for field, name in ORDER_PARAMS.items():
            assert getattr(notification, field) == (params.get(name, "").strip() or None), field
        assert notification.period_day is None  # neither sample has one
        check_order_repr(notification)
    for key in ("sign", "biz_content", "app_auth_token", "auth_token"):
        if params.get(key):
            assert params[key] not in repr(notification), key


def check_order_repr(order: ServiceMarketOrderNotification) -> None:
    """The ``repr()`` of an order shows its ids, title and price, and its personal data only as
    ``shown`` (the core's rule) has it."""
    text = repr(order)
    assert text.startswith("ServiceMarketOrderNotification(")
    for value in (order.notify_id, order.commodity_order_id, order.merchant_pid):
        assert f"'{value}'" in text
    for value in (order.consumer_mini_app_id, order.title, order.total_price):
        assert value is None or f"'{value}'" in text
    assert f"signed_form='{order.signed_form}'" in text
    for name in PERSONAL_FIELDS:
        value = getattr(order, name)
        if value is not None:
            assert value not in text, name
            assert f"{name}='{shown(name, value)}'" in text, text
            assert shown(name, value) == f"…({len(value)} chars)"


@pytest.mark.parametrize("case", ALL_NOTIFICATION_CASES, ids=case_id)
def test_notification_case(case: dict) -> None:
    verifier = verifier_for(case)
    if case["expect"] != "ok":
        with pytest.raises(AlipayError) as raised:
            verifier.verify_body(case_body(case))
        assert raised.value.kind == ERROR_KINDS[case["expect"]], raised.value.reason
        return
    check_notification(case, verifier.verify_body(case_body(case)))


@pytest.mark.parametrize(
    "case", [c for c in ALL_NOTIFICATION_CASES if c["expect"] == "ok"], ids=case_id
)
def test_notification_case_through_verify_params(case: dict) -> None:
    body = case_body(case)
    charset = "gbk" if re.search(rb"charset=gbk", body, re.IGNORECASE) else "utf-8"
    params = dict(
        urllib.parse.parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding=charset)
    )
    check_notification(case, verifier_for(case).verify_params(params))


def test_str_bodies_are_accepted() -> None:
    case = find("trade_status_sync_v1_sign_contains_plus")
    notification = verifier_for(case).verify_body(case_body(case).decode("ascii"))
    assert notification.params["trade_status"] == "TRADE_SUCCESS"
    with pytest.raises(TypeError, match="bytes or str"):
        verifier_for(case).verify_body(123)  # type: ignore[arg-type]


def test_a_framework_that_decodes_twice_breaks_the_signature() -> None:
    case = find("passback_params_value_is_single_decoded")
    params = dict(urllib.parse.parse_qsl(case_body(case).decode("ascii"), keep_blank_values=True))
    verifier_for(case).verify_params(params)
    twice = {key: urllib.parse.unquote_plus(value) for key, value in params.items()}
    assert twice != params
    with pytest.raises(SignatureError):
        verifier_for(case).verify_params(twice)


def test_verify_params_type_checks() -> None:
    with pytest.raises(TypeError, match="Mapping"):
        NotificationVerifier(ALIPAY_PUBLIC).verify_params([("sign", "x")])  # type: ignore[arg-type]
    with pytest.raises(SignatureError, match="no sign"):
        NotificationVerifier(ALIPAY_PUBLIC).verify_params({"a": "1"})
    with pytest.raises(ProtocolError, match="sign_type"):
        NotificationVerifier(ALIPAY_PUBLIC).verify_params({"sign": "x", "sign_type": "MD5"})


def test_the_body_limit() -> None:
    case = find("trade_status_sync_v1_sign_contains_plus")
    body = case_body(case)
    small = NotificationVerifier(ALIPAY_PUBLIC, max_body_bytes=len(body) - 1)
    with pytest.raises(ProtocolError, match="limit"):
        small.verify_body(body)
    assert NotificationVerifier(ALIPAY_PUBLIC, max_body_bytes=len(body)).verify_body(body)
    with pytest.raises(ProtocolError):
        NotificationVerifier(ALIPAY_PUBLIC).verify_body(b"a=" + b"x" * (10 * 1024 * 1024))


@pytest.mark.parametrize(
    "body", [b"", b"&&&", b"\xff\xfe", b"a=%zz&sign=%", b"=" * 10_000, b"a" * 100_000]
)
def test_hostile_bodies_are_typed_errors(body: bytes) -> None:
    with pytest.raises((ProtocolError, SignatureError)):
        NotificationVerifier(ALIPAY_PUBLIC).verify_body(body)


def signed_notification(params: dict[str, str], sign_type: str = "RSA2") -> dict[str, str]:
    """Signs like Alipay does (V1: without sign_type), with the app key standing in."""
    content = sign_content({k: v for k, v in params.items() if k != "sign_type"})
    return dict(params, sign_type=sign_type, sign=Signer(APP_PRIVATE, sign_type).sign(content))


def test_default_sign_type_applies_without_a_sign_type() -> None:
    params = {"notify_id": "n1", "notify_type": "trade_status_sync", "total_amount": "1.00"}
    rsa = signed_notification(params, "RSA")
    del rsa["sign_type"]
    with pytest.raises(SignatureError):
        NotificationVerifier(APP_PUBLIC).verify_params(rsa)
    other = NotificationVerifier(APP_PUBLIC, default_sign_type="RSA").verify_params(rsa)
    assert isinstance(other, OtherNotification)
    assert other.params == rsa
    with pytest.raises(ConfigError):
        NotificationVerifier(APP_PUBLIC, default_sign_type="MD5")


def test_the_config_verifier_verifies_with_the_alipay_key() -> None:
    case = find("open_app_auth_notify")
    notification = config().notification_verifier().verify_body(case_body(case))
    assert isinstance(notification, AppAuthNotification)
    assert "NotificationVerifier" in repr(config().notification_verifier())


def test_success_ack_and_service_check_answer() -> None:
    assert SUCCESS_ACK == "success"
    assert SERVICE_CHECK == "alipay.service.check"
    answer = config().service_check_answer()
    response = re.search(r"<response>(.*)</response>", answer)
    sign = re.search(r"<sign>(.*)</sign>", answer)
    assert response and sign
    assert APP_PUBLIC.to_base64() in response.group(1)
    assert "<success>true</success>" in response.group(1)
    Verifier(APP_PUBLIC).verify(response.group(1), sign.group(1))
    assert "<sign_type>RSA2</sign_type>" in answer
    failed = config().service_check_answer(verified=False)
    assert "VERIFY_FAILED" in failed and "<success>false</success>" in failed


# ---------------------------------------------------------------- service-market orders

ORDER = {
    "notify_id": "2026112100222150421000000000000042",
    "notify_type": SERVICEMARKET_ORDER_NOTIFY,
    "notify_time": "2026-11-21 15:04:21",
    "app_id": APP_ID,
    "charset": "UTF-8",
    "version": "1.0",
    "method": "alipay.open.servicemarket.order.notify",
    "commodity_order_id": "202611210000000001234567",
    "merchant_pid": "2088102000000042",
    "name": "杭*****司",
    "consumer_miniAppId": "2021000000000777",
    "order_time": "2026-11-21 15:04:00",
    "title": "点餐插件",
    "total_price": "99.00",
    "order_item_num": "2",
    "item_code": "AM010000000000000001",
    "specifications": "标准版",
    "period_day": "365",
    "order_ticket": "0123456789abcdef0123456789abcdef",
    "service_code": "58621634",
    "isv_ticket": "",
    "contactor": "张三丰",
    "phone": "13800000000",
    "miniapp_release_bundle": "1032",
}


def test_a_signed_order_comes_out_typed() -> None:
    signed = signed_notification(ORDER)
    for verify in (
        lambda: NotificationVerifier(APP_PUBLIC).verify_params(signed),
        lambda: NotificationVerifier(APP_PUBLIC).verify_body(
            urllib.parse.urlencode(signed).encode()
        ),
    ):
        order = verify()
        assert isinstance(order, ServiceMarketOrderNotification)
        assert order.kind == "servicemarket_order" and order.signed_form == "v1"
        assert (order.notify_id, order.commodity_order_id, order.merchant_pid) == (
            ORDER["notify_id"],
            ORDER["commodity_order_id"],
            ORDER["merchant_pid"],
        )
        assert (order.merchant_name, order.consumer_mini_app_id) == (
            ORDER["name"],
            ORDER["consumer_miniAppId"],
        )
        assert (order.order_item_num, order.period_day) == (2, 365)
        assert (order.title, order.total_price, order.specifications) == (
            "点餐插件",
            "99.00",
            "标准版",
        )
        assert order.isv_ticket is None  # sent empty
        assert (order.contactor, order.phone) == ("张三丰", "13800000000")
        # What the V1 signature covers (not the empty isv_ticket), unknown parameters included.
        assert order.params == {key: value for key, value in signed.items() if value}
        assert order.params["miniapp_release_bundle"] == "1032"
        check_order_repr(order)
        assert "…(3 chars)" in repr(order) and "…(11 chars)" in repr(order)


@pytest.mark.parametrize(
    "change",
    [
        {"commodity_order_id": None},
        {"commodity_order_id": ""},
        {"commodity_order_id": "   "},
        {"merchant_pid": None},
        {"notify_id": None},
        {"order_item_num": "many"},
        {"period_day": "-1"},
    ],
    ids=lambda change: "-".join(f"{k}={v!r}" for k, v in change.items()),
)
def test_an_order_it_cannot_act_on_is_a_protocol_error(change: dict[str, str | None]) -> None:
    params = {**ORDER, **change}
    params = {key: value for key, value in params.items() if value is not None}
    signed = signed_notification(params)
    (name,) = change
    with pytest.raises(ProtocolError, match=name) as raised:
        NotificationVerifier(APP_PUBLIC).verify_params(signed)
    assert raised.value.kind == "protocol"
    with pytest.raises(ProtocolError, match=name):
        NotificationVerifier(APP_PUBLIC).verify_body(urllib.parse.urlencode(signed).encode())
    # The signature is checked first: a forged order is a signature error, not a protocol one.
    with pytest.raises(SignatureError):
        NotificationVerifier(ALIPAY_PUBLIC).verify_params(signed)


# ---------------------------------------------------------------- plugin authorisations

PLUGIN_ID = "2021004100000777"
MERCHANT_APP_ID = "2021000000000999"


def auth_notification(detail: dict[str, object], notify_context: dict[str, object]) -> dict:
    """An ``open_app_auth_notify`` as the gateway sends it, signed with the vector app key."""
    params = {
        "notify_id": "2026112100222150421000000000000077",
        "notify_type": "open_app_auth_notify",
        "notify_time": "2026-11-21 15:04:21",
        "app_id": APP_ID,
        "auth_app_id": MERCHANT_APP_ID,
        "status": "execute_auth",
        "charset": "utf-8",
        "version": "1.0",
        "biz_content": json.dumps(
            {"notify_context": notify_context, "detail": detail, "error": {}},
            separators=(",", ":"),
        ),
    }
    return signed_notification(params)


TOKENS = {
    "app_auth_token": "202611BBplugin0token0secret0value00X77",
    "app_refresh_token": "202611BBplugin0refresh0secret0value0R77",
    "user_id": "2088102000000042",
    "auth_app_id": MERCHANT_APP_ID,
    "expires_in": 31536000,
    "re_expires_in": 32140800,
    "auth_time": 1763700000000,
    "app_auth_code": "P0plugin0code0secret0value000000X77",
}


@pytest.mark.parametrize(
    ("detail", "notify_context", "plugin"),
    [
        (
            {**TOKENS, "app_id": PLUGIN_ID, "agent_app_id": APP_ID},
            {"trigger": "appstore", "trigger_context": {}},
            True,
        ),
        ({**TOKENS, "app_id": PLUGIN_ID, "agent_app_id": APP_ID}, {}, True),
        ({**TOKENS, "app_id": PLUGIN_ID}, {"trigger": "appstore"}, True),
        ({**TOKENS, "app_id": MERCHANT_APP_ID}, {"trigger": "user_app_auth"}, False),
        (TOKENS, {}, False),
    ],
    ids=["appstore+agent", "agent_only", "appstore_only", "user_app_auth", "bare"],
)
def test_a_plugin_authorisation(
    detail: dict[str, object], notify_context: dict[str, object], plugin: bool
) -> None:
    notification = NotificationVerifier(APP_PUBLIC).verify_params(
        auth_notification(detail, notify_context)
    )
    assert isinstance(notification, AppAuthNotification)
    assert notification.is_plugin_authorisation is plugin
    assert notification.trigger == notify_context.get("trigger")
    assert notification.detail.authorised_app_id == detail.get("app_id")
    assert notification.detail.agent_app_id == detail.get("agent_app_id")
    assert notification.detail.auth_app_id == MERCHANT_APP_ID
    assert notification.detail.app_auth_token == TOKENS["app_auth_token"]
    text = repr(notification)
    assert f"trigger={notification.trigger!r}" in text
    assert f"authorised_app_id={notification.detail.authorised_app_id!r}" in text
    assert f"agent_app_id={notification.detail.agent_app_id!r}" in text
    for secret in ("app_auth_token", "app_refresh_token", "app_auth_code"):
        assert TOKENS[secret] not in text and shown(secret, str(TOKENS[secret])) in text
