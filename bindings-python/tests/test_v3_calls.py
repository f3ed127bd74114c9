"""OpenAPI v3 calls without the client (core ``v3::call``, ``v3::multipart``, ``v3::response``):
the ``v3_base`` option; :meth:`IsvConfig.prepare_v3` encoding and signing a JSON call, a query, an
AES call and an upload (from bytes and from a file) exactly as sent; :class:`V3File`;
:meth:`IsvConfig.read_v3_answer` reading successes, encrypted successes and error answers into
:class:`V3Response` or typed errors; a call sent with the standard library's HTTP client to the
emulator and read back; and the masked ``repr()`` of the prepared request."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from alipay_isv import (
    AesKey,
    ApiError,
    ConfigError,
    Emulator,
    IsvConfig,
    PrivateKey,
    ProtocolError,
    PublicKey,
    SignatureError,
    Signer,
    TransportError,
    V3File,
    V3HttpRequest,
    V3Response,
    V3Signature,
    Verifier,
    app_auth_link,
    parse_app_auth_callback,
)

from vectors import read_key

APP_ID = "2021000000000001"
APP_PRIVATE = PrivateKey(read_key("keys/app_2048_pkcs8.pem"))
APP_VERIFIER = Verifier(APP_PRIVATE.public_key())
ALIPAY_PRIVATE = PrivateKey(read_key("keys/alipay_2048_pkcs8.pem"))
ALIPAY_PUBLIC = PublicKey(read_key("keys/alipay_2048_public.pem"))
ALIPAY_SIGNER = Signer(ALIPAY_PRIVATE)
AES_TEXT = "aYA0GP8JEW+D7/UFaskCWA=="
TOKEN = "202612BB0123456789abcdef0123456789abcdef"
ACCESS_TOKEN = "authusrB0123456789abcdef0123456789abcdef"
CONFIG = IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, aes_key=AES_TEXT)
NONCE = "n-fixed"
CLOCK = 1796600001234
JPEG = b"\xff\xd8\xff\xe0 a tiny jpeg \xff\xd9"
TRACE_ID = "0b2f1a7e17966001000001234"


def signed_headers(body: str, nonce: str = "n-1") -> list[tuple[str, str]]:
    """The headers of an answer signed with the test Alipay key, as the gateway signs one."""
    timestamp = "1796600100000"
    return [
        ("alipay-timestamp", timestamp),
        ("alipay-nonce", nonce),
        ("alipay-signature", ALIPAY_SIGNER.sign(f"{timestamp}\n{nonce}\n{body}\n")),
        ("alipay-trace-id", TRACE_ID),
    ]


# --- the v3 base ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "base"),
    [
        ({}, "https://openapi.alipay.com"),
        ({"gateway": "sandbox"}, "https://openapi-sandbox.dl.alipaydev.com"),
        ({"gateway": "http://127.0.0.1:8080/gateway.do"}, "http://127.0.0.1:8080"),
        ({"v3_base": "sandbox"}, "https://openapi-sandbox.dl.alipaydev.com"),
        ({"gateway": "sandbox", "v3_base": "production"}, "https://openapi.alipay.com"),
        ({"v3_base": "https://proxy.example.com:8443/any/path"}, "https://proxy.example.com:8443"),
    ],
)
def test_the_v3_base_is_the_gateways_host_unless_given(options: dict[str, str], base: str) -> None:
    config = IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, **options)  # type: ignore[arg-type]
    assert config.v3_base == base
    prepared = config.prepare_v3("GET", "/v3/x/y", nonce=NONCE, timestamp_ms=CLOCK)
    assert prepared.url == f"{base}/v3/x/y"


def test_a_bad_v3_base_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="v3 base"):
        IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, v3_base="openapi.alipay.com")


# --- preparing ------------------------------------------------------------------------------------


def test_a_json_call_is_encoded_once_and_signed_as_sent() -> None:
    prepared = CONFIG.prepare_v3(
        "post",
        "/v3/alipay/open/mini/version/list/query",
        body={"bundle_id": "com.alipay.alipaywallet", "memo": '杭州 "引号"', "n": 1},
        app_auth_token=TOKEN,
        request_id="req-42",
        nonce=NONCE,
        timestamp_ms=CLOCK,
    )
    assert isinstance(prepared, V3HttpRequest)
    text = '{"bundle_id":"com.alipay.alipaywallet","memo":"杭州 \\"引号\\"","n":1}'
    assert prepared.body == text.encode()
    assert prepared.method == "POST"
    assert prepared.request_target == "/v3/alipay/open/mini/version/list/query"
    assert prepared.url == "https://openapi.alipay.com/v3/alipay/open/mini/version/list/query"
    assert prepared.encrypted is False
    assert prepared.headers == {
        "content-type": "application/json",
        "authorization": prepared.authorization,
        "alipay-app-auth-token": TOKEN,
        "accept": "application/json",
        "alipay-request-id": "req-42",
    }
    assert prepared.string_to_sign == (
        f"app_id={APP_ID},nonce={NONCE},timestamp={CLOCK}\nPOST\n"
        f"/v3/alipay/open/mini/version/list/query\n{text}\n{TOKEN}\n"
    )
    APP_VERIFIER.verify(prepared.string_to_sign, prepared.authorization.rsplit(",sign=", 1)[1])
    # The same signature as the lower-level v3_sign of the same lines; the text body is the same.
    signed = CONFIG.v3_sign(
        "POST", prepared.request_target, text, app_auth_token=TOKEN, nonce=NONCE, timestamp_ms=CLOCK
    )
    assert isinstance(prepared.signature, V3Signature)
    assert prepared.signature == signed
    assert prepared.authorization == signed.authorization
    same = CONFIG.prepare_v3(
        "POST",
        "/v3/alipay/open/mini/version/list/query",
        body=text,
        app_auth_token=TOKEN,
        request_id="req-42",
        nonce=NONCE,
        timestamp_ms=CLOCK,
    )
    assert same.body == prepared.body and same.authorization == prepared.authorization


def test_without_a_token_the_string_to_sign_ends_with_the_body_line() -> None:
    prepared = CONFIG.prepare_v3("POST", "/v3/a/b", body={}, nonce=NONCE, timestamp_ms=CLOCK)
    assert prepared.string_to_sign.endswith("\nPOST\n/v3/a/b\n{}\n")
    assert "alipay-app-auth-token" not in prepared.headers
    empty = CONFIG.prepare_v3("GET", "/v3/a/b", nonce=NONCE, timestamp_ms=CLOCK)
    assert empty.body == b""
    assert empty.string_to_sign.endswith("\nGET\n/v3/a/b\n\n")
    assert "content-type" not in empty.headers
    fresh = CONFIG.prepare_v3("GET", "/v3/a/b")
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["alipay-request-id"])
    assert fresh.authorization != CONFIG.prepare_v3("GET", "/v3/a/b").authorization


def test_the_query_is_percent_encoded_in_order_with_repeats() -> None:
    prepared = CONFIG.prepare_v3(
        "GET",
        "/v3/alipay/user/info/share",
        query=[
            ("auth_token", ACCESS_TOKEN),
            ("note", "支付宝&a=b+c/d?"),
            ("a b", "x"),
            ("a b", "y"),
        ],
        nonce=NONCE,
        timestamp_ms=CLOCK,
    )
    assert prepared.request_target == (
        f"/v3/alipay/user/info/share?auth_token={ACCESS_TOKEN}"
        "&note=%E6%94%AF%E4%BB%98%E5%AE%9D%26a%3Db%2Bc%2Fd%3F&a%20b=x&a%20b=y"
    )
    assert f"\n{prepared.request_target}\n" in prepared.string_to_sign
    from_dict = CONFIG.prepare_v3(
        "GET", "/v3/x", query={"b": "2", "a": "1"}, nonce=NONCE, timestamp_ms=CLOCK
    )
    assert from_dict.request_target == "/v3/x?b=2&a=1"


def test_an_encrypted_call_sends_and_signs_the_ciphertext() -> None:
    prepared = CONFIG.prepare_v3(
        "POST", "/v3/a/b", body={"k": "值"}, encrypt=True, nonce=NONCE, timestamp_ms=CLOCK
    )
    assert prepared.encrypted is True
    ciphertext = prepared.body.decode()
    assert AesKey(AES_TEXT).decrypt(ciphertext) == '{"k":"值"}'.encode()
    assert prepared.headers["content-type"] == "text/plain"  # as both official SDKs send
    assert prepared.headers["alipay-encrypt-type"] == "AES"
    assert prepared.string_to_sign.endswith(f"\n{ciphertext}\n")


def test_an_upload_is_a_multipart_body_with_the_data_part_signed(tmp_path: Path) -> None:
    image = tmp_path / "logo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    prepared = CONFIG.prepare_v3(
        "POST",
        "/v3/alipay/open/file/upload",
        body={"biz_code": "shop_image"},
        files=[
            V3File(file_name="shop.jpg", content=JPEG),
            V3File("other_file", path=image, content_type="application/x-test"),
        ],
        app_auth_token=TOKEN,
        nonce=NONCE,
        timestamp_ms=CLOCK,
    )
    content_type = prepared.headers["content-type"]
    boundary = content_type.removeprefix("multipart/form-data; boundary=")
    assert boundary != content_type
    body = prepared.body
    data = b'{"biz_code":"shop_image"}'
    assert body.startswith(
        f'--{boundary}\r\nContent-Disposition: form-data; name="data"\r\n'
        "Content-Type: application/json\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    assert (
        b'name="file_content"; filename="shop.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        + JPEG
        + b"\r\n"
    ) in body
    assert (
        b'name="other_file"; filename="logo.png"\r\nContent-Type: application/x-test\r\n\r\n'
        + image.read_bytes()
        + b"\r\n"
    ) in body
    assert body.endswith(f"--{boundary}--\r\n".encode())
    # Only the data part is signed (then the token line).
    assert prepared.string_to_sign.endswith(f"\n{data.decode()}\n{TOKEN}\n")
    without_token = CONFIG.prepare_v3(
        "POST",
        "/v3/alipay/open/file/upload",
        body={"biz_code": "shop_image"},
        files=[V3File(path=image)],
        nonce=NONCE,
        timestamp_ms=CLOCK,
    )
    assert without_token.string_to_sign.endswith(f"\n{data.decode()}\n")
    assert b'filename="logo.png"\r\nContent-Type: image/png\r\n' in without_token.body
    image.unlink()
    with pytest.raises(ConfigError, match=r"logo\.png"):
        CONFIG.prepare_v3("POST", "/v3/alipay/open/file/upload", files=[V3File(path=image)])


def test_an_encrypted_upload_sends_the_ciphertext_as_the_data_part() -> None:
    prepared = CONFIG.prepare_v3(
        "POST",
        "/v3/alipay/open/file/upload",
        body={"biz_code": "shop_image"},
        files=[V3File(file_name="a.jpg", content=JPEG)],
        encrypt=True,
        nonce=NONCE,
        timestamp_ms=CLOCK,
    )
    ciphertext = AesKey(AES_TEXT).encrypt('{"biz_code":"shop_image"}')
    assert f"Content-Type: text/plain\r\n\r\n{ciphertext}\r\n".encode() in prepared.body
    assert prepared.string_to_sign.endswith(f"\n{ciphertext}\n")


def test_fixed_clock_arguments_come_together() -> None:
    with pytest.raises(ConfigError, match="nonce"):
        CONFIG.prepare_v3("GET", "/v3/x", nonce=NONCE)
    with pytest.raises(ConfigError, match="nonce"):
        CONFIG.prepare_v3("GET", "/v3/x", timestamp_ms=CLOCK)
    with pytest.raises(OverflowError):
        CONFIG.prepare_v3("GET", "/v3/x", nonce=NONCE, timestamp_ms=-1)


def test_the_prepared_request_masks_the_tokens_in_its_repr() -> None:
    prepared = CONFIG.prepare_v3(
        "POST",
        "/v3/alipay/user/info/share",
        query={"auth_token": ACCESS_TOKEN},
        app_auth_token=TOKEN,
        nonce=NONCE,
        timestamp_ms=CLOCK,
    )
    shown = repr(prepared)
    assert shown.startswith("V3HttpRequest(method='POST', url='https://openapi.alipay.com/v3/")
    assert "'alipay-app-auth-token': '2026…(40 chars)'" in shown
    assert "auth_token=auth…(40 chars)" in shown
    assert f"string_to_sign_chars={len(prepared.string_to_sign)}" in shown
    assert "body_bytes=0" in shown
    for secret in (TOKEN, ACCESS_TOKEN):
        assert secret[4:] not in shown and secret[4:] not in str(prepared)
        assert secret[4:] not in repr(prepared.signature)
    assert ACCESS_TOKEN in prepared.url and ACCESS_TOKEN in prepared.request_target
    with pytest.raises(AttributeError):
        prepared.body = b"x"  # type: ignore[misc]
    prepared.headers["authorization"] = "forged"  # a new dict on each access
    assert prepared.headers["authorization"] == prepared.authorization
    with pytest.raises(TypeError):
        V3HttpRequest()  # type: ignore[call-arg]


# --- files ----------------------------------------------------------------------------------------


def test_a_file_is_bytes_or_a_path(tmp_path: Path) -> None:
    in_memory = V3File(file_name="Shop.JPG", content=bytearray(JPEG))
    assert (in_memory.field, in_memory.file_name) == ("file_content", "Shop.JPG")
    assert in_memory.content == JPEG and in_memory.path is None
    assert in_memory.content_type == "image/jpeg"
    assert repr(in_memory) == (
        f"V3File(field='file_content', file_name='Shop.JPG', content_type='image/jpeg', "
        f"content=<{len(JPEG)} bytes>)"
    )
    on_disk = V3File("photo", path=tmp_path / "a.pdf")
    assert on_disk.path == tmp_path / "a.pdf" and isinstance(on_disk.path, Path)
    assert (on_disk.file_name, on_disk.content_type, on_disk.content) == (
        "a.pdf",
        "application/pdf",
        None,
    )
    renamed = V3File(path=str(tmp_path / "a.pdf"), file_name="b.bin", content_type="x/y")
    assert (renamed.file_name, renamed.content_type) == ("b.bin", "x/y")
    assert V3File(file_name="a.jpg", content=b"1") == V3File(file_name="a.jpg", content=b"1")
    assert V3File(file_name="a.jpg", content=b"1") != V3File(file_name="a.jpg", content=b"2")
    with pytest.raises(AttributeError):
        in_memory.field = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"file_name": "a.jpg"},
        {"content": b"x"},
        {"content": b"x", "file_name": " "},
        {"content": b"x", "file_name": "a.jpg", "path": "/tmp/a.jpg"},
        {"path": "/"},
    ],
    ids=["nothing", "name only", "content without a name", "blank name", "both", "no file name"],
)
def test_a_file_needs_content_with_a_name_or_a_path(arguments: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="V3File"):
        V3File(**arguments)  # type: ignore[arg-type]


def test_file_arguments_of_another_type() -> None:
    with pytest.raises(TypeError, match="content"):
        V3File(file_name="a.txt", content="text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        V3File(path=42)  # type: ignore[arg-type]


# --- reading answers ------------------------------------------------------------------------------


def test_a_signed_success_is_read_into_a_response() -> None:
    body = '{"nick_name":"支付宝用户","app_versions":["0.0.1"],"big":123456789012345678901234}'
    response = CONFIG.read_v3_answer(200, signed_headers(body), body.encode())
    assert isinstance(response, V3Response)
    assert (response.status, response.verified, response.trace_id) == (200, True, TRACE_ID)
    assert response.body == body
    # As json.loads reads it, but an integer beyond 64 bits is a float.
    expected = json.loads(body)
    assert isinstance(response.fields["big"], float)
    assert response.fields["big"] == pytest.approx(expected.pop("big"))
    assert {name: response.fields[name] for name in expected} == expected
    assert list(response.fields) == ["nick_name", "app_versions", "big"]
    assert repr(response) == (
        f"V3Response(status=200, fields=['nick_name', 'app_versions', 'big'], "
        f"trace_id='{TRACE_ID}', verified=True)"
    )
    empty = CONFIG.read_v3_answer(204, signed_headers(""), b"")
    assert (empty.status, empty.body, empty.fields) == (204, "", {})
    with pytest.raises(TypeError):
        V3Response()  # type: ignore[call-arg]


def test_an_encrypted_success_is_decrypted_after_verifying_the_ciphertext() -> None:
    plain = '{"app_auth_token":"' + TOKEN + '","auth_app_id":"2021000000000002"}'
    ciphertext = AesKey(AES_TEXT).encrypt(plain)
    response = CONFIG.read_v3_answer(200, signed_headers(ciphertext), ciphertext, encrypted=True)
    assert response.body == plain and response.fields["app_auth_token"] == TOKEN
    assert TOKEN[4:] not in repr(response)
    # Read as a plain answer, the ciphertext is not JSON.
    with pytest.raises(ProtocolError, match="encrypted"):
        CONFIG.read_v3_answer(200, signed_headers(ciphertext), ciphertext)
    other = IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, aes_key="wEA0iV4eLSTV+o5/T9RKjg==")
    with pytest.raises(ProtocolError):
        other.read_v3_answer(200, signed_headers(ciphertext), ciphertext, encrypted=True)


def test_an_error_answer_is_a_typed_api_error() -> None:
    link = f"https://open.alipay.com/api/errCheck?traceId={TRACE_ID}"
    body = json.dumps(
        {
            "code": "invalid-app-auth-token",
            "message": "无效的应用授权令牌",
            "links": [{"link": link}],
        },
        ensure_ascii=False,
    )
    headers = [("Content-Type", "application/json"), ("alipay-trace-id", TRACE_ID)]
    with pytest.raises(ApiError) as raised:
        CONFIG.read_v3_answer(401, headers, body)
    error = raised.value
    assert (error.http_status, error.code, error.msg) == (
        401,
        "invalid-app-auth-token",
        "无效的应用授权令牌",
    )
    assert (error.sub_code, error.sub_msg, error.signed) == (None, None, False)
    assert error.trace_id == TRACE_ID and error.links == [link]
    assert error.hint and "authorise again" in error.hint
    assert "HTTP 401" in error.reason and TRACE_ID in error.reason
    with pytest.raises(ApiError) as signed:
        CONFIG.read_v3_answer(401, signed_headers(body), body)
    assert signed.value.signed is True


def test_other_answers_are_typed_errors() -> None:
    with pytest.raises(TransportError) as proxy:
        CONFIG.read_v3_answer(502, {"content-type": "text/html"}, b"<html>Bad Gateway</html>")
    assert "502" in proxy.value.reason and proxy.value.request_sent is True
    with pytest.raises(SignatureError, match=r"gateway\.do"):
        CONFIG.read_v3_answer(200, {}, b"{}")
    body = '{"a":1}'
    with pytest.raises(SignatureError):
        CONFIG.read_v3_answer(200, signed_headers(body), '{"a":2}')
    with pytest.raises(ProtocolError, match="JSON object"):
        CONFIG.read_v3_answer(200, signed_headers("[1]"), "[1]")
    with pytest.raises(TypeError, match="headers"):
        CONFIG.read_v3_answer(200, "alipay-signature: x", b"{}")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="body"):
        CONFIG.read_v3_answer(200, {}, 42)  # type: ignore[arg-type]


# --- our own HTTP stack against the emulator ------------------------------------------------------


def send(request: V3HttpRequest) -> tuple[int, list[tuple[str, str]], bytes]:
    """Sends a prepared request with urllib; returns the status, headers and raw body."""
    http_request = urllib.request.Request(
        request.url, data=request.body or None, headers=request.headers, method=request.method
    )
    try:
        with urllib.request.urlopen(http_request, timeout=10) as answer:
            return answer.status, answer.headers.items(), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.items(), error.read()


def test_a_call_sent_by_our_own_http_stack_and_read_back() -> None:
    emulator = Emulator(APP_ID, APP_PRIVATE.public_key(), alipay_private_key=ALIPAY_PRIVATE)
    try:
        config = IsvConfig(
            APP_ID, APP_PRIVATE, emulator.alipay_public_key, gateway=emulator.gateway_url
        )
        link = app_auth_link(APP_ID, "https://isv.example.com/cb", host=emulator.base_url)
        code = parse_app_auth_callback(
            emulator.merchant_authorizes(link.url), APP_ID, link.state
        ).app_auth_code
        request = config.prepare_v3(
            "POST",
            "/v3/alipay/open/auth/token/app",
            body={"grant_type": "authorization_code", "code": code},
        )
        answer = config.read_v3_answer(*send(request), encrypted=request.encrypted)
        token = answer.fields["app_auth_token"]
        assert answer.verified and token.startswith("202")
        upload = config.prepare_v3(
            "POST",
            "/v3/alipay/open/file/upload",
            body={"biz_code": "shop_image"},
            files=[V3File(file_name="a.jpg", content=JPEG)],
            app_auth_token=token,
        )
        assert config.read_v3_answer(*send(upload)).fields["file_id"]
        with pytest.raises(ApiError) as used:
            config.read_v3_answer(*send(request))
        assert (used.value.http_status, used.value.code) == (400, "code-invalid")
        assert used.value.trace_id
    finally:
        emulator.stop()
