"""OpenAPI v3 (core module ``v3``): every case of tests/vectors/v3.json, made by the official Node
SDK (alipay-sdk 4.14.0), run as protocol/tests/v3_vectors.rs runs them — our ``Authorization``
header byte for byte in key and certificate mode, our verdict on every answer —, and again through
the whole-call API: :meth:`IsvConfig.prepare_v3` sending what the SDK sent (the AES ciphertext of
``plaintext``, the signed ``data`` part of a multipart upload) and
:meth:`IsvConfig.read_v3_answer` reading every answer (decrypting to ``decrypted``, or failing as
``decrypt_expect`` says); the headers of an answer in the shapes Python's HTTP libraries hand
out, repeats kept; answers we sign ourselves in certificate mode; the auth string's extension
(``v3_additional_auth_info``, the SDK's ``additionalAuthInfo``: vectors made with it, and its
refusals); the typed refusals, none of which shows the merchant's token; the masked ``repr()``."""

from __future__ import annotations

import http.client
import io
import json
import re
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from starlette.datastructures import Headers as StarletteHeaders
from werkzeug.datastructures import Headers as WerkzeugHeaders

from alipay_isv import (
    ApiError,
    ConfigError,
    IsvConfig,
    PrivateKey,
    ProtocolError,
    PublicKey,
    SignatureError,
    Signer,
    TransportError,
    V3File,
    V3Signature,
    Verifier,
)

from vectors import case_id, load, read_key, vector_path

V3 = load("v3.json")
REQUESTS: list[dict[str, Any]] = V3["requests"]
ANSWERS: list[dict[str, Any]] = V3["answers"]

APP_ID = "2021000000000001"
APP_PRIVATE = PrivateKey(read_key("keys/app_2048_pkcs8.pem"))
APP_VERIFIER = Verifier(APP_PRIVATE.public_key())
ALIPAY_PUBLIC = PublicKey(read_key("keys/alipay_2048_public.pem"))
ALIPAY_SIGNER = Signer(PrivateKey(read_key("keys/alipay_2048_pkcs8.pem")))
TOKEN = "202612BB0123456789abcdef0123456789abcdef"
SCHEME = "ALIPAY-SHA256withRSA "
EXPECTED_ERRORS: dict[str, type[Exception]] = {
    "signature_error": SignatureError,
    "protocol_error": ProtocolError,
}

KEY_MODE = IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC)
CERT_MODE = IsvConfig(
    APP_ID,
    APP_PRIVATE,
    app_cert=vector_path("certs/app_cert.crt"),
    alipay_cert=vector_path("certs/alipay_cert.crt"),
    root_cert=vector_path("certs/root_bundle.crt"),
)


def config_with_aes(
    cert_mode: bool, aes_key: str | None, additional_auth_info: str | None = None
) -> IsvConfig:
    """The test app in key or certificate mode with an AES key (or none) and an auth-string
    extension (or none)."""
    if cert_mode:
        return IsvConfig(
            APP_ID,
            APP_PRIVATE,
            app_cert=vector_path("certs/app_cert.crt"),
            alipay_cert=vector_path("certs/alipay_cert.crt"),
            root_cert=vector_path("certs/root_bundle.crt"),
            aes_key=aes_key,
            v3_additional_auth_info=additional_auth_info,
        )
    return IsvConfig(
        APP_ID,
        APP_PRIVATE,
        ALIPAY_PUBLIC,
        aes_key=aes_key,
        v3_additional_auth_info=additional_auth_info,
    )


def sign_case(config: IsvConfig, case: dict[str, Any]) -> V3Signature:
    """Signs a `requests` case with its nonce and clock."""
    return config.v3_sign(
        case["method"],
        case["request_target"],
        case["body"],
        app_auth_token=case["app_auth_token"],
        nonce=case["nonce"],
        timestamp_ms=case["timestamp_ms"],
    )


def config_of(case: dict[str, Any]) -> IsvConfig:
    """The configuration a `requests` case was made with: key or certificate mode, its AES key and
    its auth-string extension (the SDK's ``additionalAuthInfo``, ``null`` when none)."""
    if "aes_key" in case or case["additional_auth_info"] is not None:
        return config_with_aes(case["cert_mode"], case.get("aes_key"), case["additional_auth_info"])
    return CERT_MODE if case["cert_mode"] else KEY_MODE


def signed_answer(body: str, *, timestamp: str = "1796600100000", nonce: str = "n-1") -> list:
    """The headers of an answer we sign with the test Alipay key, as the gateway would."""
    signature = ALIPAY_SIGNER.sign(f"{timestamp}\n{nonce}\n{body}\n")
    return [
        ("alipay-timestamp", timestamp),
        ("alipay-nonce", nonce),
        ("alipay-signature", signature),
        ("alipay-trace-id", "0b2f1a7e17966001000001234"),
    ]


# --- requests -------------------------------------------------------------------------------------


def test_the_vectors_hold_the_cases_the_core_runs() -> None:
    assert len(REQUESTS) >= 7
    assert any(case["cert_mode"] for case in REQUESTS)
    assert any(case["app_auth_token"] for case in REQUESTS)
    assert any("aes_key" in case and case["cert_mode"] for case in REQUESTS)
    assert any(case.get("multipart") for case in REQUESTS)
    extended = [case for case in REQUESTS if case["additional_auth_info"] is not None]
    assert {case["cert_mode"] for case in extended} == {False, True}
    assert any(case["app_auth_token"] for case in extended)
    assert any(case.get("decrypted") for case in ANSWERS)
    assert any(case.get("decrypt_expect") for case in ANSWERS)
    assert {case["expect"] for case in ANSWERS} == {
        "verified",
        "unsigned",
        "signature_error",
        "protocol_error",
    }


@pytest.mark.parametrize("case", REQUESTS, ids=case_id)
def test_our_authorization_is_the_official_sdks_byte_for_byte(case: dict[str, Any]) -> None:
    signed = sign_case(config_of(case), case)
    assert signed.authorization == case["authorization"]
    assert signed.authorization.encode() == case["authorization"].encode()
    headers = signed.headers
    assert headers["authorization"] == case["authorization"]
    assert headers.get("alipay-root-cert-sn") == case["alipay_root_cert_sn"]
    assert headers.get("alipay-app-auth-token") == case["app_auth_token"]
    assert next(iter(headers)) == "authorization"
    # The header is the scheme, the auth string and the signature over string_to_sign.
    assert signed.authorization.startswith(f"{SCHEME}{signed.auth_string},sign=")
    assert signed.string_to_sign.startswith(signed.auth_string + "\n")
    APP_VERIFIER.verify(signed.string_to_sign, signed.authorization.rsplit(",sign=", 1)[1])
    # The token is the last signed line exactly when it is sent.
    token = case["app_auth_token"]
    assert signed.string_to_sign.endswith(f"\n{token}\n") == (token is not None)
    # Reproducible: the same inputs give an equal value.
    assert sign_case(config_of(case), case) == signed


@pytest.mark.parametrize("case", [case for case in REQUESTS if not case["cert_mode"]], ids=case_id)
def test_the_classic_sign_type_and_charset_do_not_change_a_v3_signature(
    case: dict[str, Any],
) -> None:
    classic = IsvConfig(
        APP_ID,
        APP_PRIVATE,
        ALIPAY_PUBLIC,
        sign_type="RSA",
        charset="GBK",
        v3_additional_auth_info=case["additional_auth_info"],
    )
    assert sign_case(classic, case).authorization == case["authorization"]


def test_a_fresh_signature_has_a_random_nonce_and_the_time_now() -> None:
    before = int(time.time() * 1000)
    first = KEY_MODE.v3_sign("POST", "/v3/alipay/open/auth/token/app", '{"grant_type":"x"}')
    second = KEY_MODE.v3_sign("POST", "/v3/alipay/open/auth/token/app", '{"grant_type":"x"}')
    after = int(time.time() * 1000)
    match = re.fullmatch(
        r"app_id=2021000000000001,nonce=([0-9a-f]{32}),timestamp=(\d+)", first.auth_string
    )
    assert match, first.auth_string
    assert before <= int(match.group(2)) <= after
    assert first.auth_string != second.auth_string
    assert first != second
    APP_VERIFIER.verify(first.string_to_sign, first.authorization.rsplit(",sign=", 1)[1])
    assert list(first.headers) == ["authorization"]


def test_without_a_body_the_body_line_is_empty() -> None:
    signed = KEY_MODE.v3_sign("GET", "/v3/x?a=1", nonce="n", timestamp_ms=1)
    assert (
        signed.string_to_sign == "app_id=2021000000000001,nonce=n,timestamp=1\nGET\n/v3/x?a=1\n\n"
    )


def test_cert_mode_signs_the_app_cert_sn_and_sends_the_root_sn() -> None:
    signed = CERT_MODE.v3_sign("GET", "/v3/x", nonce="n", timestamp_ms=1)
    assert signed.auth_string == (
        f"app_id={APP_ID},app_cert_sn={CERT_MODE.app_cert_sn},nonce=n,timestamp=1"
    )
    assert signed.headers == {
        "authorization": signed.authorization,
        "alipay-root-cert-sn": CERT_MODE.alipay_root_cert_sn,
    }


def test_signing_from_8_threads_gives_the_vectors() -> None:
    def one(index: int) -> bool:
        case = REQUESTS[index % len(REQUESTS)]
        return sign_case(config_of(case), case).authorization == case["authorization"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(one, range(10 * len(REQUESTS))))


def call_of(case: dict[str, Any]) -> dict[str, Any]:
    """The :meth:`IsvConfig.prepare_v3` arguments of a `requests` case: its path and query (each
    pair percent-decoded, ``+`` kept as it is), the body as the SDK was given it — the
    ``plaintext`` of an AES case, the ``data`` part of an upload (with a file part: its bytes are
    not signed, so any bytes do) —, the token, the nonce and the clock."""
    path, _, query = case["request_target"].partition("?")
    pairs = [
        tuple(urllib.parse.unquote(part) for part in pair.split("=", 1))
        for pair in query.split("&")
        if query
    ]
    arguments: dict[str, Any] = {
        "method": case["method"],
        "path": path,
        "query": pairs or None,
        "body": case.get("plaintext", case["body"]) or None,
        "app_auth_token": case["app_auth_token"],
        "encrypt": "aes_key" in case,
        "nonce": case["nonce"],
        "timestamp_ms": case["timestamp_ms"],
    }
    if case.get("multipart"):
        arguments["files"] = [V3File(file_name=case["file_name"], content=b"not signed")]
    return arguments


def encodes_as_sent(case: dict[str, Any]) -> bool:
    """Whether our query encoding (RFC 3986, space as ``%20``) gives the case's request target
    back from its decoded pairs: not when the SDK sent a bare ``+``, which decodes to itself and
    encodes as ``%2B`` (the signature then covers another target; ``v3_sign`` above signs the
    SDK's own target)."""
    _, _, query = case["request_target"].partition("?")
    return "+" not in query


PREPARED = [case for case in REQUESTS if encodes_as_sent(case)]


def test_every_aes_and_multipart_request_is_prepared() -> None:
    assert len(PREPARED) >= len(REQUESTS) - 1
    for case in REQUESTS:
        if "aes_key" in case or case.get("multipart"):
            assert case in PREPARED, case["name"]


@pytest.mark.parametrize("case", PREPARED, ids=case_id)
def test_prepare_v3_sends_what_the_official_sdk_sent(case: dict[str, Any]) -> None:
    prepared = config_of(case).prepare_v3(**call_of(case))
    assert prepared.authorization == case["authorization"]
    assert prepared.request_target == case["request_target"]
    assert prepared.headers.get("alipay-app-auth-token") == case["app_auth_token"]
    assert prepared.headers.get("alipay-root-cert-sn") == case["alipay_root_cert_sn"]
    assert prepared.encrypted is ("aes_key" in case)
    signed_body = prepared.string_to_sign.split("\n")[3]
    assert signed_body == case["body"]
    if case.get("multipart"):
        # The data part carries the SDK's data text; the file part follows.
        assert (
            f'name="data"\r\nContent-Type: application/json\r\n\r\n{case["body"]}\r\n'.encode()
            in (prepared.body)
        )
        assert f'filename="{case["file_name"]}"'.encode() in prepared.body
    else:
        # The body as sent: the JSON, or the ciphertext of the plaintext.
        assert prepared.body == case["body"].encode()
    if "aes_key" in case:
        assert prepared.headers["alipay-encrypt-type"] == "AES"


# --- the auth string's extension (the Node SDK's additionalAuthInfo) -----------------------------


def test_the_additional_auth_info_follows_the_timestamp_in_header_and_signed_line() -> None:
    config = IsvConfig(
        APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, v3_additional_auth_info="expired_seconds=120"
    )
    assert config.v3_additional_auth_info == "expired_seconds=120"
    assert KEY_MODE.v3_additional_auth_info is None
    signed = config.v3_sign("GET", "/v3/x", nonce="n-1", timestamp_ms=1796600000000)
    auth = f"app_id={APP_ID},nonce=n-1,timestamp=1796600000000,expired_seconds=120"
    assert signed.auth_string == auth
    assert signed.authorization.startswith(f"{SCHEME}{auth},sign=")
    assert signed.string_to_sign == f"{auth}\nGET\n/v3/x\n\n"
    APP_VERIFIER.verify(signed.string_to_sign, signed.authorization.rsplit(",sign=", 1)[1])
    # The whole-call API signs it too.
    prepared = config.prepare_v3("GET", "/v3/x", nonce="n-1", timestamp_ms=1796600000000)
    assert prepared.authorization == signed.authorization
    # Certificate mode: after the app_cert_sn, nonce and timestamp.
    cert = config_with_aes(True, None, "expired_seconds=120,trace-id=A_1")
    assert cert.v3_sign("GET", "/v3/x", nonce="n", timestamp_ms=1).auth_string == (
        f"app_id={APP_ID},app_cert_sn={cert.app_cert_sn},nonce=n,timestamp=1,"
        "expired_seconds=120,trace-id=A_1"
    )


@pytest.mark.parametrize("empty", [None, ""])
def test_no_or_an_empty_additional_auth_info_is_none(empty: str | None) -> None:
    config = IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, v3_additional_auth_info=empty)
    assert config.v3_additional_auth_info is None
    case = REQUESTS[0]
    assert case["additional_auth_info"] is None
    assert sign_case(config, case).authorization == case["authorization"]


EXTENSIONS_REFUSED: dict[str, tuple[str, str]] = {
    "not a pair": ("expired_seconds", "key=value"),
    "empty pair": ("a=1,,b=2", "key=value"),
    "trailing comma": ("expired_seconds=120,", "key=value"),
    "comma in a value": ("ids=1,2", "no comma inside a value"),
    "empty key": ("=120", "letters, digits"),
    "space in a key": ("expired seconds=120", "letters, digits"),
    "line break": ("expired_seconds=120\nGET", "line break"),
    "carriage return": ("expired_seconds=120\r", "line break"),
    "app_id": ("app_id=2021000000000002", "must not set `app_id`"),
    "app_cert_sn": ("app_cert_sn=x", "must not set `app_cert_sn`"),
    "nonce": ("expired_seconds=120,nonce=x", "must not set `nonce`"),
    "timestamp": ("timestamp=1", "must not set `timestamp`"),
    "sign": ("sign=AAAA", "must not set `sign`"),
    "a key twice": ("a=1,a=2", "names `a` twice"),
}


@pytest.mark.parametrize(
    ("text", "says"), EXTENSIONS_REFUSED.values(), ids=EXTENSIONS_REFUSED.keys()
)
def test_a_malformed_additional_auth_info_is_a_config_error(text: str, says: str) -> None:
    with pytest.raises(ConfigError) as raised:
        IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, v3_additional_auth_info=text)
    assert raised.value.kind == "config"
    assert says in raised.value.reason
    assert "v3_additional_auth_info" in raised.value.reason
    assert "\n" not in raised.value.reason
    with pytest.raises(ConfigError):
        config_with_aes(True, None, text)


def test_the_additional_auth_info_must_be_a_str() -> None:
    with pytest.raises(TypeError):
        IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, v3_additional_auth_info=120)  # type: ignore[arg-type]


# --- refusals -------------------------------------------------------------------------------------

REFUSED: dict[str, dict[str, Any]] = {
    "lower-case method": {"method": "post"},
    "empty method": {"method": ""},
    "target without a slash": {"request_target": "v3/alipay/open/auth/token/app"},
    "full URL as target": {"request_target": "https://openapi.alipay.com/v3/x"},
    "target with a space": {"request_target": f"/v3/x?app_auth_token={TOKEN}&q=a b"},
    "target with a line break": {"request_target": f"/v3/x?auth_token={TOKEN}\nX: y"},
    "token with a line break": {"app_auth_token": f"{TOKEN}\nGET"},
    "token with a carriage return": {"app_auth_token": f"{TOKEN}\r"},
    "nonce with a comma": {"nonce": "a,b", "timestamp_ms": 1},
    "nonce with a line break": {"nonce": "a\nb", "timestamp_ms": 1},
    "nonce without timestamp": {"nonce": "n"},
    "timestamp without nonce": {"timestamp_ms": 1796600001111},
}


@pytest.mark.parametrize("changes", REFUSED.values(), ids=REFUSED.keys())
def test_refusals_are_config_errors_without_the_token(changes: dict[str, Any]) -> None:
    arguments: dict[str, Any] = {
        "method": "POST",
        "request_target": "/v3/alipay/open/mini/version/list/query",
        "body": "{}",
        "app_auth_token": TOKEN,
        **changes,
    }
    with pytest.raises(ConfigError) as raised:
        KEY_MODE.v3_sign(**arguments)
    assert raised.value.kind == "config"
    assert TOKEN not in str(raised.value)
    assert TOKEN not in repr(raised.value)
    assert TOKEN not in raised.value.reason
    assert "v3" in raised.value.reason


def test_argument_types() -> None:
    with pytest.raises(OverflowError):
        KEY_MODE.v3_sign("GET", "/v3/x", nonce="n", timestamp_ms=-1)
    with pytest.raises(TypeError):
        KEY_MODE.v3_sign("POST", "/v3/x", b"{}")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        KEY_MODE.v3_sign("GET", "/v3/x", "", TOKEN)  # type: ignore[misc]


# --- the value ------------------------------------------------------------------------------------


def test_repr_masks_the_token_and_shows_string_to_sign_by_its_length() -> None:
    case = next(case for case in REQUESTS if case["cert_mode"] and case["app_auth_token"])
    signed = sign_case(CERT_MODE, case)
    shown = repr(signed)
    assert case["app_auth_token"] not in shown
    assert signed.string_to_sign not in shown
    assert f"string_to_sign_chars={len(signed.string_to_sign)}" in shown
    assert "'alipay-app-auth-token': '2026…(40 chars)'" in shown
    assert f"'alipay-root-cert-sn': '{case['alipay_root_cert_sn']}'" in shown
    assert f"authorization='{case['authorization']}'" in shown
    assert shown.startswith("V3Signature(")
    assert TOKEN not in str(signed)


def test_the_value_is_immutable_and_made_only_by_signing() -> None:
    signed = KEY_MODE.v3_sign("GET", "/v3/x", nonce="n", timestamp_ms=1)
    with pytest.raises(AttributeError):
        signed.authorization = "forged"  # type: ignore[misc]
    signed.headers["authorization"] = "forged"  # a new dict on each access
    assert signed.headers["authorization"] == signed.authorization
    with pytest.raises(TypeError):
        V3Signature()  # type: ignore[call-arg]
    assert signed != "not a signature"
    with pytest.raises(TypeError):
        hash(signed)


# --- answers --------------------------------------------------------------------------------------


def expect(case: dict[str, Any], verify: Any) -> None:
    """Runs `verify()` and checks the case's expectation."""
    wanted = case["expect"]
    if wanted in EXPECTED_ERRORS:
        with pytest.raises(EXPECTED_ERRORS[wanted]) as raised:
            verify()
        assert raised.value.kind == wanted.removesuffix("_error")
    else:
        assert verify() == wanted


@pytest.mark.parametrize("case", ANSWERS, ids=case_id)
def test_our_verdict_on_every_answer_is_the_official_sdks(case: dict[str, Any]) -> None:
    pairs = case["headers"]  # a list of [name, value] lists, as in the JSON
    body = case["body"].encode()
    expect(case, lambda: KEY_MODE.v3_verify(case["status"], pairs, body))
    expect(case, lambda: KEY_MODE.v3_verify(case["status"], [tuple(p) for p in pairs], body))
    expect(case, lambda: KEY_MODE.v3_verify(case["status"], pairs, case["body"]))
    # Any case in the names; bytes as ASGI servers give them.
    upper = [(name.upper(), value) for name, value in pairs]
    expect(case, lambda: KEY_MODE.v3_verify(case["status"], upper, body))
    raw = [(name.encode(), value.encode()) for name, value in pairs]
    expect(case, lambda: KEY_MODE.v3_verify(case["status"], raw, body))
    # A mapping, when no name repeats.
    if len({name.lower() for name, _ in pairs}) == len(pairs):
        expect(case, lambda: KEY_MODE.v3_verify(case["status"], dict(pairs), body))


@pytest.mark.parametrize("case", ANSWERS, ids=case_id)
def test_read_v3_answer_agrees_with_every_answer(case: dict[str, Any]) -> None:
    encrypted = "aes_key" in case
    config = config_with_aes(False, case["aes_key"]) if encrypted else KEY_MODE
    status, body = case["status"], case["body"].encode()

    def read() -> Any:
        return config.read_v3_answer(status, case["headers"], body, encrypted=encrypted)

    wanted = case["expect"]
    if wanted in EXPECTED_ERRORS:
        with pytest.raises(EXPECTED_ERRORS[wanted]):
            read()
        return
    if case.get("decrypt_expect"):
        # The signature verifies, the decryption fails.
        assert KEY_MODE.v3_verify(status, case["headers"], body) == wanted
        with pytest.raises(EXPECTED_ERRORS[case["decrypt_expect"]]):
            read()
        return
    if 200 <= status < 300:
        response = read()
        text = case["decrypted"] if encrypted else case["body"]
        assert response.body == text
        assert response.fields == (json.loads(text) if text else {})
        assert (response.status, response.verified) == (status, True)
        return
    answer = json.loads(case["body"]) if case["body"].startswith("{") else None
    if answer is None or "code" not in answer:
        with pytest.raises(TransportError):
            read()
        return
    with pytest.raises(ApiError) as raised:
        read()
    error = raised.value
    assert (error.http_status, error.code) == (status, answer["code"])
    assert error.msg == answer.get("message", "")
    assert error.signed is (wanted == "verified")
    links = [link["link"] if isinstance(link, dict) else link for link in answer.get("links", [])]
    assert error.links == links


def test_an_unsigned_success_says_the_endpoint_may_be_a_v2_gateway() -> None:
    with pytest.raises(SignatureError) as raised:
        KEY_MODE.v3_verify(200, {"Content-Type": "application/json"}, b"{}")
    assert "gateway.do" in raised.value.reason


@pytest.mark.parametrize(
    "body", [b"a" * (10 * 1024 * 1024 + 1), b"\xff\xfe{}"], ids=["over 10 MiB", "not UTF-8"]
)
def test_a_huge_answer_or_one_that_is_not_utf8_is_a_protocol_error(body: bytes) -> None:
    headers = {"alipay-signature": "AAAA", "alipay-timestamp": "1796600100000", "alipay-nonce": "n"}
    with pytest.raises(ProtocolError) as raised:
        KEY_MODE.v3_verify(200, headers, body)
    assert len(raised.value.reason) < 200


def test_the_header_shapes_of_python_http_libraries_keep_repeats() -> None:
    body = '{"code":"10000"}'
    pairs = signed_answer(body)
    # Starlette's (and so FastAPI's) Headers: read through multi_items().
    raw = [(name.encode(), value.encode()) for name, value in pairs]
    assert KEY_MODE.v3_verify(200, StarletteHeaders(raw=raw), body.encode()) == "verified"
    doubled = StarletteHeaders(raw=[*raw, raw[2]])
    assert dict(doubled.items())["alipay-signature"] == pairs[2][1]  # items() would hide it
    with pytest.raises(ProtocolError, match="alipay-signature"):
        KEY_MODE.v3_verify(200, doubled, body.encode())
    # http.client's HTTPMessage (urllib's answers too) and werkzeug's Headers (Flask's test client):
    # items() has every header.
    wire = "".join(f"{name}: {value}\r\n" for name, value in pairs).encode() + b"\r\n"
    message = http.client.parse_headers(io.BytesIO(wire))
    assert KEY_MODE.v3_verify(200, message, body.encode()) == "verified"
    message["Alipay-Nonce"] = "n-2"
    with pytest.raises(ProtocolError, match="alipay-nonce"):
        KEY_MODE.v3_verify(200, message, body.encode())
    werkzeug_headers = WerkzeugHeaders(pairs)
    assert KEY_MODE.v3_verify(200, werkzeug_headers, body.encode()) == "verified"
    werkzeug_headers.add("ALIPAY-TIMESTAMP", "1796600100000")
    with pytest.raises(ProtocolError, match="alipay-timestamp"):
        KEY_MODE.v3_verify(200, werkzeug_headers, body.encode())
    # Any iterable of pairs.
    assert KEY_MODE.v3_verify(200, iter(pairs), body.encode()) == "verified"
    assert KEY_MODE.v3_verify(200, tuple(pairs), bytearray(body.encode())) == "verified"


@pytest.mark.parametrize(
    "headers",
    [
        "alipay-signature: x",
        b"alipay-signature: x",
        42,
        [("alipay-signature",)],
        [("alipay-signature", "x", "y")],
        ["ab"],
        [("alipay-signature", 1)],
        {"alipay-signature": None},
    ],
    ids=["str", "bytes", "int", "1-tuple", "3-tuple", "str item", "int value", "None value"],
)
def test_headers_of_another_shape_are_a_type_error(headers: Any) -> None:
    with pytest.raises(TypeError, match="headers"):
        KEY_MODE.v3_verify(200, headers, b"{}")


def test_the_body_must_be_bytes_or_str() -> None:
    with pytest.raises(TypeError, match="body"):
        KEY_MODE.v3_verify(200, {}, 42)  # type: ignore[arg-type]


def test_cert_mode_answers_are_verified_with_the_certificate_alipay_sn_names() -> None:
    body = '{"app_versions":["0.0.1"],"code":"10000"}'
    headers = signed_answer(body)
    assert CERT_MODE.v3_verify(200, headers, body) == "verified"  # no alipay-sn: the configured one
    named = [*headers, ("Alipay-SN", CERT_MODE.alipay_cert_sn)]
    assert CERT_MODE.v3_verify(200, named, body) == "verified"
    unknown = [*headers, ("alipay-sn", "0123456789abcdef0123456789abcdef")]
    with pytest.raises(SignatureError, match=r"alipaycert\.download"):
        CERT_MODE.v3_verify(200, unknown, body)
    with pytest.raises(SignatureError):
        CERT_MODE.v3_verify(200, headers, body.replace("0.0.1", "0.0.2"))
    twice = [*named, ("alipay-sn", CERT_MODE.alipay_cert_sn)]
    with pytest.raises(ProtocolError):
        CERT_MODE.v3_verify(200, twice, body)


def test_an_error_answer_we_sign_is_verified_and_an_unsigned_one_accepted() -> None:
    body = '{"code":"invalid-parameter","message":"参数有误"}'
    assert KEY_MODE.v3_verify(400, signed_answer(body), body) == "verified"
    assert KEY_MODE.v3_verify(400, {"content-type": "application/json"}, body) == "unsigned"
    assert KEY_MODE.v3_verify(500, [], b"") == "unsigned"
    with pytest.raises(SignatureError):
        KEY_MODE.v3_verify(400, signed_answer(body), body + " ")
