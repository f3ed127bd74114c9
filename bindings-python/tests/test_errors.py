"""The exception hierarchy (core module ``error``): every category maps to its class, each
carries ``kind`` and ``reason``, ``ApiError`` its gateway fields, and a Rust panic becomes the
base ``AlipayError``."""

from __future__ import annotations

import copy
import pickle

import pytest

import alipay_isv
from alipay_isv import (
    AlipayError,
    ApiError,
    ConfigError,
    PrivateKey,
    ProtocolError,
    PublicKey,
    SignatureError,
    StoreError,
    TransportError,
    Verifier,
)
from alipay_isv import _native as native

CATEGORIES = {
    "config": ConfigError,
    "signature": SignatureError,
    "api": ApiError,
    "transport": TransportError,
    "protocol": ProtocolError,
    "store": StoreError,
}


@pytest.mark.parametrize("kind", sorted(CATEGORIES))
def test_every_category_is_an_alipay_error(kind: str) -> None:
    cls = CATEGORIES[kind]
    assert issubclass(cls, AlipayError)
    assert issubclass(cls, Exception)
    assert cls.kind == kind
    assert cls.__module__ == "alipay_isv.errors"


def test_the_categories_are_siblings() -> None:
    for cls in CATEGORIES.values():
        others = [other for other in CATEGORIES.values() if other is not cls]
        assert not any(issubclass(cls, other) for other in others)


@pytest.mark.parametrize("kind", ["config", "signature", "transport", "protocol", "store"])
def test_native_errors_map_to_their_class(kind: str) -> None:
    with pytest.raises(CATEGORIES[kind]) as raised:
        native._error_for_tests(kind)
    error = raised.value
    assert type(error) is CATEGORIES[kind]
    assert isinstance(error, AlipayError)
    assert error.kind == kind
    assert error.reason == f"test {kind} error"
    assert str(error) == error.reason


def test_native_api_error_carries_the_gateway_fields() -> None:
    with pytest.raises(ApiError) as raised:
        native._error_for_tests("api")
    error = raised.value
    assert error.kind == "api"
    assert (error.code, error.msg) == ("40004", "Business Failed")
    assert (error.sub_code, error.sub_msg) == ("isv.code-invalid", "授权码code无效")
    assert error.signed is True
    assert error.hint == "exchange a fresh app_auth_code"
    assert "40004" in error.reason and "isv.code-invalid" in error.reason
    assert str(error) == error.reason


def test_native_api_error_without_optional_fields() -> None:
    with pytest.raises(ApiError) as raised:
        native._error_for_tests("api_bare")
    error = raised.value
    assert (error.code, error.sub_code, error.sub_msg, error.hint) == ("40002", None, None, None)
    assert error.signed is False
    assert "[unsigned]" in error.reason


def test_native_api_error_of_openapi_v3_carries_status_trace_id_and_links() -> None:
    with pytest.raises(ApiError) as raised:
        native._error_for_tests("api_v3")
    error = raised.value
    assert (error.code, error.msg) == ("invalid-app-auth-token", "app_auth_token无效")
    assert (error.sub_code, error.sub_msg, error.signed) == (None, None, False)
    assert error.http_status == 401
    assert error.trace_id == "0b2f1a7e17966001000001234"
    assert error.links == ["https://open.alipay.com/api/errCheck?traceId=0b2f1a7e17966001000001234"]
    assert error.hint == "ask the merchant to authorise again"
    assert "HTTP 401" in error.reason and error.trace_id in error.reason
    clone = pickle.loads(pickle.dumps(error))
    assert (clone.http_status, clone.trace_id, clone.links) == (
        401,
        error.trace_id,
        error.links,
    )


def test_a_classic_api_error_has_no_v3_fields() -> None:
    for kind in ("api", "api_bare"):
        with pytest.raises(ApiError) as raised:
            native._error_for_tests(kind)
        error = raised.value
        assert (error.http_status, error.trace_id, error.links) == (None, None, [])
    made = ApiError("reason", "40004", "Business Failed")
    assert (made.http_status, made.trace_id, made.links) == (None, None, [])
    given = ApiError("r", "c", "m", http_status=403, trace_id="t", links=("a", "b"))
    assert (given.http_status, given.trace_id, given.links) == (403, "t", ["a", "b"])


def test_library_errors_are_caught_by_the_base_class() -> None:
    with pytest.raises(AlipayError) as raised:
        PrivateKey("not a key")
    assert type(raised.value) is ConfigError
    verifier = Verifier(PublicKey(alipay_isv.generate_key_pair().public_key.to_pem()))
    try:
        verifier.verify("a=1", "AAAA")
    except SignatureError as error:
        assert error.kind == "signature"
    else:
        pytest.fail("verify accepted a garbage signature")


@pytest.mark.parametrize("detach", [True, False])
def test_a_panic_becomes_the_base_error(detach: bool) -> None:
    with pytest.raises(AlipayError) as raised:
        native._panic_for_tests(detach)
    error = raised.value
    assert type(error) is AlipayError
    assert error.kind == "internal"
    assert "deliberate panic" in error.reason


def test_errors_pickle_and_copy_with_their_fields() -> None:
    api = ApiError("reason", "40004", "Business Failed", "isv.x", "sub", True, "hint")
    for clone in (pickle.loads(pickle.dumps(api)), copy.deepcopy(api)):
        assert type(clone) is ApiError
        assert (clone.code, clone.sub_code, clone.signed, clone.hint) == (
            "40004",
            "isv.x",
            True,
            "hint",
        )
        assert str(clone) == "reason"
    config = pickle.loads(pickle.dumps(ConfigError("bad key")))
    assert (type(config), config.kind, config.reason) == (ConfigError, "config", "bad key")


def test_the_package_exports_every_error() -> None:
    for name in ("AlipayError", *(cls.__name__ for cls in CATEGORIES.values())):
        assert name in alipay_isv.__all__
        assert getattr(alipay_isv, name) is getattr(alipay_isv.errors, name)
    assert sorted(alipay_isv.__all__) == sorted(set(alipay_isv.__all__))
    for name in alipay_isv.__all__:
        assert hasattr(alipay_isv, name), name


@pytest.mark.parametrize(("kind", "sent"), [("transport", True), ("transport_unsent", False)])
def test_transport_errors_say_whether_the_request_was_sent(kind: str, sent: bool) -> None:
    with pytest.raises(TransportError) as raised:
        native._error_for_tests(kind)
    error = raised.value
    assert error.request_sent is sent
    assert error.reason == f"test {kind} error"
    clone = pickle.loads(pickle.dumps(error))
    assert (type(clone), clone.request_sent, clone.reason) == (TransportError, sent, error.reason)
    assert TransportError("x").request_sent is True
