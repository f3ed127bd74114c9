"""Notifications (core module ``notify``): every notifications.json case, the typed results,
``verify_params``, masked ``repr``s, the acknowledgement and the gateway-check answer."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from alipay_isv import (
    SERVICE_CHECK,
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
    SignatureError,
    Signer,
    Verifier,
    sign_content,
)

from apps import ALIPAY_PUBLIC, APP_PRIVATE, APP_PUBLIC, config
from vectors import (
    ERROR_KINDS,
    NOTIFICATION_CASES,
    REAL_NOTIFICATION_CASES,
    case_body,
    case_id,
    read_key,
)

ALL_NOTIFICATION_CASES = NOTIFICATION_CASES + REAL_NOTIFICATION_CASES

CLASSES = {
    "app_auth": AppAuthNotification,
    "message": MessageNotification,
    "other": OtherNotification,
}


def verifier_for(case: dict) -> NotificationVerifier:
    return NotificationVerifier(PublicKey(read_key(case["alipay_public_key"])))


def find(name: str) -> dict:
    return next(case for case in NOTIFICATION_CASES if case["name"] == name)


def test_the_vectors_are_all_there() -> None:
    assert len(NOTIFICATION_CASES) >= 16
    assert sum(case["expect"] == "ok" for case in REAL_NOTIFICATION_CASES) >= 5
    assert sum(case["expect"] != "ok" for case in REAL_NOTIFICATION_CASES) >= 5
    kinds = {case.get("kind") for case in NOTIFICATION_CASES if case["expect"] == "ok"}
    assert kinds == set(CLASSES)


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
        shown = repr(notification) + repr(detail)
        for secret in (detail.app_auth_token, detail.app_refresh_token, detail.app_auth_code):
            assert secret and secret not in shown
        assert detail.app_auth_token[:4] in shown
    elif case["kind"] == "message":
        assert isinstance(notification, MessageNotification)
        assert notification.msg_method == case["msg_method"]
        assert notification.is_app_auth_cancelled == (
            case["msg_method"] == "alipay.open.auth.appauth.cancelled"
        )
        assert notification.notify_id == params.get("notify_id")
        assert notification.msg_app_id == params.get("msg_app_id")
        assert isinstance(notification.biz_content, (dict, type(None)))
    for key in ("sign", "biz_content", "app_auth_token", "auth_token"):
        if params.get(key):
            assert params[key] not in repr(notification), key


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
