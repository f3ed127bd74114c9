"""Response verification (core module ``response``): every responses.json case, the API error
fields and hints, bytes/str bodies, the size limit, and a masked ``repr``."""

from __future__ import annotations

import json

import pytest

from alipay_isv import (
    AesKey,
    AlipayError,
    ApiError,
    ConfigError,
    ProtocolError,
    PublicKey,
    ResponseVerifier,
    SignatureError,
    Signer,
    VerifiedResponse,
)

from apps import ALIPAY_PUBLIC, APP_PRIVATE, APP_PUBLIC, config
from vectors import ERROR_KINDS, RESPONSE_CASES, case_body, case_id, read_key


def verifier_for(case: dict) -> ResponseVerifier:
    options: dict = {"sign_type": case["sign_type"], "charset": case["charset"]}
    if case["aes_key"] is not None:
        options["aes_key"] = case["aes_key"]
    if case["max_body_bytes"] is not None:
        options["max_body_bytes"] = case["max_body_bytes"]
    return ResponseVerifier(PublicKey(read_key(case["alipay_public_key"])), **options)


def test_the_vectors_are_all_there() -> None:
    assert len(RESPONSE_CASES) >= 30
    expects = {case["expect"] for case in RESPONSE_CASES}
    assert expects == {"ok", "api_error", "signature_error", "protocol_error", "config_error"}


@pytest.mark.parametrize("case", RESPONSE_CASES, ids=case_id)
def test_response_case(case: dict) -> None:
    verifier = verifier_for(case)
    if case["expect"] == "ok":
        verified = verifier.verify(case["method"], case_body(case))
        assert isinstance(verified, VerifiedResponse)
        assert verified.fields | case["fields"] == verified.fields
        for key, value in case["fields"].items():
            assert type(verified.fields[key]) is type(value), key
        return
    with pytest.raises(AlipayError) as raised:
        verifier.verify(case["method"], case_body(case))
    error = raised.value
    assert error.kind == ERROR_KINDS[case["expect"]], error.reason
    if case["expect"] == "api_error":
        assert isinstance(error, ApiError)
        assert (error.code, error.sub_code, error.signed) == (
            case["code"],
            case["sub_code"],
            case["signed"],
        )
        assert error.msg
        assert case["code"] in error.reason


def find(name: str) -> dict:
    return next(case for case in RESPONSE_CASES if case["name"] == name)


def test_api_errors_carry_the_well_known_hints() -> None:
    hints = {
        "method_node_self_invoke_forbidden_signed": "app_auth_token",
        "method_node_invalid_app_auth_token_signed": "authorise again",
        "method_node_business_error_code_invalid_signed": "single-use",
        "error_response_invalid_signature_signed": "public key",
    }
    for name, words in hints.items():
        case = find(name)
        with pytest.raises(ApiError) as raised:
            verifier_for(case).verify(case["method"], case_body(case))
        assert raised.value.hint is not None and words in raised.value.hint, name
        assert raised.value.sub_msg, name


def test_an_unsigned_error_is_flagged_in_the_reason() -> None:
    case = find("error_response_invalid_app_id_unsigned")
    with pytest.raises(ApiError) as raised:
        verifier_for(case).verify(case["method"], case_body(case))
    assert raised.value.signed is False
    assert "unsigned" in raised.value.reason


def test_str_bodies_are_encoded_in_the_verifier_charset() -> None:
    for name in ("user_info_share_chinese_nick_name", "gbk_success_chinese_nick_name"):
        case = find(name)
        body = case_body(case)
        text = body.decode(case["charset"])
        verifier = verifier_for(case)
        assert verifier.verify(case["method"], text).fields == (
            verifier.verify(case["method"], body).fields
        )
        assert verifier.verify(case["method"], bytearray(body)).fields["code"] == "10000"


def test_a_body_of_another_type_is_a_type_error() -> None:
    case = find("token_app_success_flat")
    with pytest.raises(TypeError, match="bytes or str"):
        verifier_for(case).verify(case["method"], json.loads(case_body(case)))  # type: ignore[arg-type]


def test_the_default_body_limit_is_10_mib() -> None:
    verifier = ResponseVerifier(ALIPAY_PUBLIC)
    with pytest.raises(ProtocolError, match="10485760"):
        verifier.verify("alipay.user.info.share", b" " * (10 * 1024 * 1024 + 1))


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\x00garbage", b"{" * 100_000, b"\x00" * 1000, b'{"a":"\\u', "😀".encode()],
)
def test_hostile_bodies_are_typed_errors(body: bytes) -> None:
    with pytest.raises((ProtocolError, SignatureError)):
        ResponseVerifier(ALIPAY_PUBLIC).verify("alipay.user.info.share", body)


def test_aes_key_as_object_or_text_and_missing() -> None:
    case = find("aes_encrypted_success")
    key = PublicKey(read_key(case["alipay_public_key"]))
    body = case_body(case)
    by_text = ResponseVerifier(key, aes_key=case["aes_key"]).verify(case["method"], body)
    by_object = ResponseVerifier(key, aes_key=AesKey(case["aes_key"])).verify(case["method"], body)
    assert by_text.fields == by_object.fields
    with pytest.raises(ConfigError, match="AES"):
        ResponseVerifier(key).verify(case["method"], body)
    with pytest.raises(ConfigError):
        ResponseVerifier(key, aes_key="not base64!")
    with pytest.raises(TypeError):
        ResponseVerifier(key, aes_key=b"bytes")  # type: ignore[arg-type]


def test_options_and_repr() -> None:
    verifier = ResponseVerifier(ALIPAY_PUBLIC, sign_type="rsa2", charset="gbk")
    assert (verifier.sign_type, verifier.charset) == ("RSA2", "GBK")
    assert repr(verifier) == "ResponseVerifier(sign_type='RSA2', charset='GBK', cert_mode=False)"
    with pytest.raises(ConfigError, match="charset"):
        ResponseVerifier(ALIPAY_PUBLIC, charset="latin1")
    with pytest.raises(TypeError):
        ResponseVerifier(ALIPAY_PUBLIC, "RSA2")  # type: ignore[misc]


def test_verified_response_repr_shows_field_names_not_tokens() -> None:
    case = find("token_app_success_flat")
    verified = verifier_for(case).verify(case["method"], case_body(case))
    shown = repr(verified)
    assert "'app_auth_token'" in shown and "alipay_cert_sn=None" in shown
    assert case["fields"]["app_auth_token"] not in shown
    assert case["fields"]["app_refresh_token"] not in shown


def test_alipay_cert_sn_is_returned() -> None:
    case = find("alipay_cert_sn_between_node_and_sign")
    verified = verifier_for(case).verify(case["method"], case_body(case))
    assert verified.alipay_cert_sn == json.loads(case_body(case))["alipay_cert_sn"]


def test_the_config_verifier_uses_the_config_options() -> None:
    verifier = config(charset="GBK").response_verifier()
    assert (verifier.sign_type, verifier.charset) == ("RSA2", "GBK")
    case = find("gbk_success_chinese_nick_name")
    assert verifier.verify(case["method"], case_body(case)).fields["code"] == "10000"


def test_a_response_signed_with_the_app_key_points_at_the_key() -> None:
    node = json.dumps({"code": "10000", "msg": "Success", "user_id": "2088"}, separators=(",", ":"))
    sign = Signer(APP_PRIVATE).sign(node)
    body = f'{{"alipay_user_info_share_response":{node},"sign":"{sign}"}}'
    ResponseVerifier(APP_PUBLIC).verify("alipay.user.info.share", body)
    with pytest.raises(SignatureError) as raised:
        ResponseVerifier(ALIPAY_PUBLIC).verify("alipay.user.info.share", body)
    assert ALIPAY_PUBLIC.fingerprint in raised.value.reason


# A node exercising every JSON shape: escapes (quotes, backslashes, \/, \u sequences incl. a
# surrogate pair), non-ASCII text, integers at and beyond the 64-bit limits (beyond: a float),
# floats, exponents, nulls, booleans, nested arrays and objects, an empty key, and a key given
# twice (the last one wins, as in json.loads).
TRICKY_NODE = (
    '{"code":"10000","msg":"Success","plain":"abc","quoted":"say \\"hi\\" \\\\ \\/path",'
    '"unicode":"\\u5e74\\u8d27 \\ud83d\\ude00 年货","raw_chinese":"证大五道口店",'
    '"small":-9223372036854775808,"big":18446744073709551615,"bigger":18446744073709551616,'
    '"float":88.88,"exp":1.5e-7,"zero":0,"nothing":null,"yes":true,"no":false,'
    '"list":[1,"two",[3,{"four":4}],[],{}],"nested":{"a":{"b":{"c":[null]}}},"":"empty key",'
    '"twice":"first","twice":"second"}'
)


@pytest.mark.parametrize("how", ["verify", "check"])
def test_fields_are_what_json_loads_makes_of_the_node(how: str) -> None:
    signer = Signer(APP_PRIVATE)
    body = f'{{"alipay_trade_query_response":{TRICKY_NODE},"sign":"{signer.sign(TRICKY_NODE)}"}}'
    verifier = ResponseVerifier(APP_PUBLIC)
    verified = getattr(verifier, how)("alipay.trade.query", body.encode())
    expected = json.loads(TRICKY_NODE)
    # Beyond 64 bits an integer becomes a float (documented; json.loads would keep an int).
    expected["bigger"] = float(expected["bigger"])
    assert verified.fields == expected
    assert list(verified.fields) == list(expected), "keys in document order"
    for key, value in expected.items():
        assert type(verified.fields[key]) is type(value), key
    assert verified.fields["unicode"] == "年货 \U0001f600 年货"
    assert verified.fields["twice"] == "second"
