"""OpenAPI v3 calls of the client against the emulator's ``/v3/…`` front, over real HTTP: the
merchant flow (code, query, refresh), the user flow on the merchant's behalf (code, profile,
refresh), a generic delegated :meth:`Client.execute_v3`, :meth:`Registry.execute_v3_for`; the
typed errors (HTTP status, v3 code, hint, trace id, links) of a used code, an unknown token and a
merchant API called without the merchant's token; bad calls refused before anything is sent;
every fault of the emulator ending in a typed error within the timeout; certificate mode (with a
certificate rotation); AES both ways; uploads from bytes and from a file (checked on the
emulator); the asyncio twins; and no token in any ``repr()``, error or log line on the way."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alipay_isv import (
    ALIPAY_CERT_DOWNLOAD_METHOD,
    AlipayError,
    ApiError,
    AppAuthToken,
    AppAuthTokenInfo,
    Client,
    ConfigError,
    Emulator,
    FileUpload,
    IsvConfig,
    Registry,
    SignatureError,
    StoreError,
    TransportError,
    UploadedFile,
    UserInfo,
    UserToken,
    V3File,
    V3Response,
    aio,
    app_auth_link,
    parse_app_auth_callback,
    parse_user_auth_callback,
    user_consent_link,
)

from emulated import (
    ALIPAY_PRIVATE,
    APP_ID,
    APP_PRIVATE,
    APP_PUBLIC,
    CALLBACK,
    SUCCEEDING_METHOD,
    Setup,
    emulated,
)

MERCHANT_API = "/v3/alipay/open/mini/version/list/query"
TOKEN_METHOD = "alipay.open.auth.token.app"
USER_ID = "2088000000000777"
# The AES key of the v3 vectors (the official Node SDK's test key).
AES_KEY = "aYA0GP8JEW+D7/UFaskCWA=="
OTHER_AES_KEY = "wEA0iV4eLSTV+o5/T9RKjg=="
# A tiny JPEG: the SOI and APP0 markers, then some bytes.
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00 alipay-isv test \xff\xd9"
)


@pytest.fixture
def setup() -> Iterator[Setup]:
    with emulated() as running:
        yield running


def merchant_code(emulator: Emulator) -> str:
    """A fresh ``app_auth_code``: a merchant authorises the test app on the emulator."""
    link = app_auth_link(APP_ID, CALLBACK, host=emulator.base_url)
    return parse_app_auth_callback(
        emulator.merchant_authorizes(link.url), APP_ID, link.state
    ).app_auth_code


def user_code(emulator: Emulator, auth_app_id: str) -> str:
    """A fresh user ``auth_code`` for the merchant app ``auth_app_id``."""
    link = user_consent_link(auth_app_id, CALLBACK, "auth_user", host=emulator.base_url)
    location = emulator.user_consents(f"{link.url}&user_id={USER_ID}")
    return parse_user_auth_callback(location, auth_app_id, link.state).auth_code


def merchant(setup: Setup) -> AppAuthToken:
    """A merchant authorised and its tokens exchanged over v3."""
    (token,) = setup.client.exchange_app_auth_code_v3(merchant_code(setup.emulator))
    return token


def api_error(call: object, *args: object, **kwargs: object) -> ApiError:
    with pytest.raises(ApiError) as raised:
        call(*args, **kwargs)  # type: ignore[operator]
    return raised.value


# --- the flows ------------------------------------------------------------------------------------


def test_the_merchant_flow_runs_over_v3(setup: Setup) -> None:
    assert setup.config.v3_base == setup.emulator.base_url
    calls = setup.emulator.call_count(TOKEN_METHOD)
    tokens = setup.client.exchange_app_auth_code_v3(merchant_code(setup.emulator))
    assert len(tokens) == 1 and isinstance(tokens[0], AppAuthToken)
    token = tokens[0]
    assert token.app_auth_token.startswith("202") and token.app_refresh_token
    assert token.auth_app_id and token.user_id and token.expires_in
    assert setup.emulator.call_count(TOKEN_METHOD) == calls + 1

    info = setup.client.query_app_auth_token_v3(token.app_auth_token)
    assert isinstance(info, AppAuthTokenInfo)
    assert info.is_valid and info.auth_app_id == token.auth_app_id
    assert info.user_id == token.user_id

    (refreshed,) = setup.client.refresh_app_auth_token_v3(token.app_refresh_token or "")
    assert refreshed.auth_app_id == token.auth_app_id
    assert refreshed.app_auth_token != token.app_auth_token
    assert setup.client.query_app_auth_token_v3(refreshed.app_auth_token).is_valid
    # The classic calls still work on the same client.
    assert setup.client.query_app_auth_token(refreshed.app_auth_token).is_valid


def test_the_user_flow_runs_over_v3_on_the_merchants_behalf(setup: Setup) -> None:
    token = merchant(setup)
    user = setup.client.exchange_user_auth_code_v3(
        user_code(setup.emulator, token.auth_app_id), token.app_auth_token
    )
    assert isinstance(user, UserToken)
    assert user.user_id == USER_ID and user.access_token.startswith("authusr")
    profile = setup.client.user_info_share_v3(user.access_token, token.app_auth_token)
    assert isinstance(profile, UserInfo)
    assert profile.user_id == USER_ID
    assert profile.fields["user_id"] == USER_ID
    refreshed = setup.client.refresh_user_token_v3(user.refresh_token or "", token.app_auth_token)
    assert refreshed.access_token != user.access_token
    assert setup.client.user_info_share_v3(refreshed.access_token, token.app_auth_token).user_id


def test_a_generic_delegated_call(setup: Setup) -> None:
    token = merchant(setup)
    answer = setup.client.execute_v3(
        "POST", MERCHANT_API, body={}, app_auth_token=token.app_auth_token
    )
    assert isinstance(answer, V3Response)
    assert answer.status == 200 and answer.verified is True
    assert answer.trace_id
    assert "app_versions" in answer.fields
    assert answer.fields == json.loads(answer.body)
    assert list(answer.fields) == list(json.loads(answer.body))  # document order
    # The body as JSON text, sent as it is; the method in any case.
    again = setup.client.execute_v3(
        "post", MERCHANT_API, body="{}", app_auth_token=token.app_auth_token, request_id="req-1"
    )
    assert again.fields["app_versions"] == answer.fields["app_versions"]
    # A GET with a query (a mapping, or pairs), no body.
    for query in (
        {"app_auth_token": token.app_auth_token},
        [("app_auth_token", token.app_auth_token)],
    ):
        queried = setup.client.execute_v3(
            "GET", "/v3/alipay/open/auth/token/app/query", query=query
        )
        assert queried.fields["auth_app_id"] == token.auth_app_id
    with pytest.raises(AttributeError):
        answer.status = 500  # type: ignore[misc]


def test_the_registry_calls_over_v3_on_the_merchants_behalf(setup: Setup) -> None:
    token = merchant(setup)
    registry = Registry.in_memory(client=setup.client)
    registry.ingest_tokens([token])
    answer = registry.execute_v3_for(token.auth_app_id, "POST", MERCHANT_API, body={})
    assert isinstance(answer, V3Response)
    assert "app_versions" in answer.fields and answer.verified
    with pytest.raises(StoreError) as raised:
        registry.execute_v3_for("2021009999999999", "GET", "/v3/x/y")
    assert "2021009999999999" in raised.value.reason
    registry.revoke(token.auth_app_id)
    calls = setup.emulator.call_count(SUCCEEDING_METHOD)
    with pytest.raises(StoreError):
        registry.execute_v3_for(token.auth_app_id, "POST", MERCHANT_API, body={})
    assert setup.emulator.call_count(SUCCEEDING_METHOD) == calls


# --- typed errors ---------------------------------------------------------------------------------


def test_v3_errors_are_typed_with_status_code_hint_trace_id_and_links(setup: Setup) -> None:
    code = merchant_code(setup.emulator)
    setup.client.exchange_app_auth_code_v3(code)

    used = api_error(setup.client.exchange_app_auth_code_v3, code)
    assert used.kind == "api"
    assert (used.http_status, used.code) == (400, "code-invalid")
    assert used.hint and "single-use" in used.hint
    assert used.signed is False
    assert used.trace_id
    assert used.links and used.trace_id in used.links[0]
    assert (used.sub_code, used.sub_msg) == (None, None)
    assert "HTTP 400" in str(used) and used.trace_id in str(used)
    assert code not in str(used) + repr(used)

    unknown_token = "202612BBnot-a-real-token-0123456789abcdef"
    unknown = api_error(setup.client.query_app_auth_token_v3, unknown_token)
    assert (unknown.http_status, unknown.code) == (401, "invalid-app-auth-token")
    assert unknown.hint and "authorise again" in unknown.hint
    assert "not-a-real-token" not in str(unknown) + repr(unknown)

    self_invoke = api_error(setup.client.execute_v3, "POST", MERCHANT_API, body={})
    assert (self_invoke.http_status, self_invoke.code) == (403, "self-invoke-forbidden")
    assert self_invoke.hint and "app_auth_token" in self_invoke.hint


BAD_CALLS: dict[str, dict[str, object]] = {
    "path without /v3/": {"path": "alipay/open/mini/version/list/query"},
    "classic gateway path": {"path": "/gateway.do"},
    "path with a query": {"path": f"{MERCHANT_API}?x=1"},
    "body that is not JSON": {"body": "{not json"},
    "encrypt without an AES key": {"encrypt": True},
    "upload that is not a POST": {
        "method": "PUT",
        "files": [V3File(file_name="a.jpg", content=JPEG)],
    },
    "upload of a missing file": {"files": [V3File(path="/nonexistent/alipay-isv/a.jpg")]},
    "file part named data": {"files": [V3File("data", file_name="a.jpg", content=JPEG)]},
    "request id with a line break": {"request_id": "a\nb"},
}


@pytest.mark.parametrize("changes", BAD_CALLS.values(), ids=BAD_CALLS.keys())
def test_bad_calls_are_config_errors_before_anything_is_sent(
    setup: Setup, changes: dict[str, object]
) -> None:
    token = "202612BB0123456789abcdef0123456789abcdef"
    arguments: dict[str, object] = {
        "method": "POST",
        "path": MERCHANT_API,
        "body": {},
        "app_auth_token": token,
        **changes,
    }
    total = setup.emulator.total_calls()
    with pytest.raises(ConfigError) as raised:
        setup.client.execute_v3(**arguments)  # type: ignore[arg-type]
    assert setup.emulator.total_calls() == total
    assert token not in str(raised.value) + repr(raised.value)
    with pytest.raises(ConfigError):
        setup.config.prepare_v3(**arguments)  # type: ignore[arg-type]


def test_arguments_of_another_shape_are_type_errors(setup: Setup) -> None:
    client = setup.client
    with pytest.raises(TypeError, match="query"):
        client.execute_v3("GET", MERCHANT_API, query="a=1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="query"):
        client.execute_v3("GET", MERCHANT_API, query=[("a",)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="query parameter `n` must be a str"):
        client.execute_v3("GET", MERCHANT_API, query={"n": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="body"):
        client.execute_v3("POST", MERCHANT_API, body=[1])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        client.execute_v3("POST", MERCHANT_API, body={"x": math.nan})
    with pytest.raises(TypeError, match="files"):
        client.execute_v3("POST", MERCHANT_API, files=V3File(file_name="a.jpg", content=b"x"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="files"):
        client.execute_v3("POST", MERCHANT_API, files=[b"x"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        client.execute_v3("POST", MERCHANT_API, {})  # type: ignore[misc]


FAULTS: dict[str, tuple[dict[str, float], type[AlipayError]]] = {
    "bad_gateway": ({}, TransportError),
    "unsigned": ({}, SignatureError),
    "reset": ({}, TransportError),
    "truncated_body": ({}, TransportError),
    "oversized": ({"size": 11 * 1024 * 1024}, TransportError),
    "hang": ({}, TransportError),
    "trickle": ({"pause": 0.4}, TransportError),
}


@pytest.mark.parametrize("kind", FAULTS, ids=FAULTS.keys())
def test_every_emulator_fault_on_v3_is_a_typed_error_within_the_timeout(kind: str) -> None:
    options, expected = FAULTS[kind]
    with emulated(connect_timeout=1.0, read_timeout=1.0) as setup:
        token = merchant(setup)
        setup.emulator.set_fault(kind, times=1, **options)  # type: ignore[arg-type]
        started = time.monotonic()
        with pytest.raises(expected) as raised:
            setup.client.execute_v3(
                "POST", MERCHANT_API, body={}, app_auth_token=token.app_auth_token
            )
        assert time.monotonic() - started < 5
        assert token.app_auth_token[4:] not in str(raised.value) + repr(raised.value)
        if isinstance(raised.value, TransportError):
            assert raised.value.request_sent is True
        # The fault is spent: the next call succeeds.
        answer = setup.client.execute_v3(
            "POST", MERCHANT_API, body={}, app_auth_token=token.app_auth_token
        )
        assert "app_versions" in answer.fields


# --- certificate mode -----------------------------------------------------------------------------


def test_certificate_mode_speaks_v3_and_follows_a_rotation() -> None:
    emulator = Emulator(APP_ID, APP_PUBLIC, alipay_private_key=ALIPAY_PRIVATE, cert_mode=True)
    try:
        config = IsvConfig(
            APP_ID,
            APP_PRIVATE,
            app_cert=emulator.issue_app_cert(APP_PUBLIC),
            alipay_cert=emulator.alipay_cert_pem,
            root_cert=emulator.root_cert_bundle_pem,
            gateway=emulator.gateway_url,
        )
        client = Client(config)
        (token,) = client.exchange_app_auth_code_v3(merchant_code(emulator))
        assert client.query_app_auth_token_v3(token.app_auth_token).is_valid
        # Alipay rotates its certificate: the next answer names the new one, downloaded once.
        rotated = emulator.rotate_alipay_cert()
        assert rotated not in (config.trusted_alipay_cert_sns or [])
        downloads = emulator.call_count(ALIPAY_CERT_DOWNLOAD_METHOD)
        assert client.query_app_auth_token_v3(token.app_auth_token).is_valid
        assert rotated in (config.trusted_alipay_cert_sns or [])
        assert emulator.call_count(ALIPAY_CERT_DOWNLOAD_METHOD) == downloads + 1
        answer = client.execute_v3(
            "POST", MERCHANT_API, body={}, app_auth_token=token.app_auth_token
        )
        assert answer.verified and "app_versions" in answer.fields
    finally:
        emulator.stop()


# --- AES ------------------------------------------------------------------------------------------


def test_aes_encrypts_the_request_and_decrypts_the_answer() -> None:
    emulator = Emulator(APP_ID, APP_PUBLIC, alipay_private_key=ALIPAY_PRIVATE, aes_key=AES_KEY)
    try:
        config = IsvConfig(
            APP_ID,
            APP_PRIVATE,
            emulator.alipay_public_key,
            gateway=emulator.gateway_url,
            aes_key=AES_KEY,
        )
        client = Client(config)
        code = merchant_code(emulator)
        answer = client.execute_v3(
            "POST",
            "/v3/alipay/open/auth/token/app",
            body={"grant_type": "authorization_code", "code": code},
            encrypt=True,
        )
        assert answer.verified and answer.status == 200
        assert answer.fields == json.loads(answer.body)  # the decrypted JSON
        token = answer.fields["app_auth_token"]
        delegated = client.execute_v3(
            "POST", MERCHANT_API, body={}, app_auth_token=token, encrypt=True
        )
        assert "app_versions" in delegated.fields
        # An encrypted upload: the data part is the ciphertext.
        upload = client.execute_v3(
            "POST",
            "/v3/alipay/open/file/upload",
            body={"biz_code": "shop_image"},
            files=[V3File(file_name="shop.jpg", content=JPEG)],
            app_auth_token=token,
            encrypt=True,
        )
        assert upload.fields["file_id"]
        # The same call under another key: the emulator cannot decrypt it.
        other = Client(
            IsvConfig(
                APP_ID,
                APP_PRIVATE,
                emulator.alipay_public_key,
                gateway=emulator.gateway_url,
                aes_key=OTHER_AES_KEY,
            )
        )
        refused = api_error(
            other.execute_v3, "POST", MERCHANT_API, body={}, app_auth_token=token, encrypt=True
        )
        assert refused.http_status == 400 and refused.code
    finally:
        emulator.stop()


def test_an_emulator_without_an_aes_key_refuses_encrypted_calls(setup: Setup) -> None:
    config = IsvConfig(
        APP_ID,
        APP_PRIVATE,
        setup.emulator.alipay_public_key,
        gateway=setup.emulator.gateway_url,
        aes_key=AES_KEY,
    )
    refused = api_error(Client(config).execute_v3, "POST", MERCHANT_API, body={}, encrypt=True)
    assert (refused.http_status, refused.code) == (400, "missing-encrypt-key")


# --- uploads --------------------------------------------------------------------------------------


def test_uploads_from_bytes_and_from_a_file(setup: Setup, tmp_path: Path) -> None:
    token = merchant(setup)
    from_bytes = setup.client.upload_file_v3(
        "shop_image", V3File(file_name="shop.jpg", content=JPEG), token.app_auth_token
    )
    assert isinstance(from_bytes, FileUpload)
    assert from_bytes.file_id and from_bytes.fields["file_id"] == from_bytes.file_id
    assert repr(from_bytes) == f"FileUpload(file_id='{from_bytes.file_id}', fields=['file_id'])"
    stored = setup.emulator.uploaded_file(from_bytes.file_id)
    assert isinstance(stored, UploadedFile)
    assert (stored.file_id, stored.file_name, stored.size) == (
        from_bytes.file_id,
        "shop.jpg",
        len(JPEG),
    )
    assert stored.md5 == hashlib.md5(JPEG).hexdigest()
    assert (stored.biz_code, stored.auth_app_id) == ("shop_image", token.auth_app_id)
    assert stored.content_type == "image/jpeg" and stored.uploaded_ms > 0
    assert repr(stored).startswith(f"UploadedFile(file_id='{from_bytes.file_id}', ")
    assert setup.emulator.uploaded_file("A*never-given") is None

    image = tmp_path / "logo.jpeg"
    image.write_bytes(JPEG * 2000)  # ~100 KB, streamed from disk
    from_path = setup.client.upload_file_v3("shop_image", V3File(path=image), token.app_auth_token)
    assert from_path.file_id and from_path.file_id != from_bytes.file_id
    streamed = setup.emulator.uploaded_file(from_path.file_id)
    assert streamed is not None
    assert (streamed.file_name, streamed.size) == ("logo.jpeg", len(JPEG) * 2000)
    assert streamed.md5 == hashlib.md5(image.read_bytes()).hexdigest()
    # The field a V3File names does not matter to the typed upload; the ISV may upload for itself.
    own = setup.client.upload_file_v3("shop_image", V3File("anything", path=str(image)))
    own_stored = setup.emulator.uploaded_file(own.file_id)
    assert own_stored is not None and own_stored.auth_app_id is None
    assert setup.emulator.call_count("alipay.open.file.upload") == 3

    refused = api_error(
        setup.client.upload_file_v3,
        "shop_image",
        V3File(file_name="tool.exe", content=b"MZ"),
        token.app_auth_token,
    )
    assert (refused.http_status, refused.code) == (400, "invalid-file-extension")
    with pytest.raises(ConfigError, match="biz_code"):
        setup.client.upload_file_v3("", V3File(file_name="a.jpg", content=JPEG))
    image.unlink()
    with pytest.raises(ConfigError, match=r"logo\.jpeg"):
        setup.client.upload_file_v3("shop_image", V3File(path=image))
    assert setup.emulator.call_count("alipay.open.file.upload") == 4


def test_a_generic_upload_through_execute_v3(setup: Setup, tmp_path: Path) -> None:
    token = merchant(setup)
    image = tmp_path / "shop.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n test")
    answer = setup.client.execute_v3(
        "POST",
        "/v3/alipay/open/file/upload",
        body={"biz_code": "shop_image", "md5": hashlib.md5(image.read_bytes()).hexdigest()},
        files=[V3File("file_content", path=image)],
        app_auth_token=token.app_auth_token,
    )
    assert answer.fields["file_id"]
    wrong = api_error(
        setup.client.execute_v3,
        "POST",
        "/v3/alipay/open/file/upload",
        body={"biz_code": "shop_image", "md5": "0" * 32},
        files=[V3File(path=image)],
    )
    assert wrong.code == "file-check-fail"


# --- asyncio --------------------------------------------------------------------------------------


def test_the_asyncio_twins(setup: Setup) -> None:
    async def flow() -> None:
        client = aio.Client.wrap(setup.client)
        (token,) = await client.exchange_app_auth_code_v3(merchant_code(setup.emulator))
        info = await client.query_app_auth_token_v3(token.app_auth_token)
        assert info.is_valid
        answers = await asyncio.gather(
            *(
                client.execute_v3(
                    "POST", MERCHANT_API, body={}, app_auth_token=token.app_auth_token
                )
                for _ in range(8)
            )
        )
        assert all("app_versions" in answer.fields for answer in answers)
        user = await client.exchange_user_auth_code_v3(
            user_code(setup.emulator, token.auth_app_id), token.app_auth_token
        )
        assert (await client.user_info_share_v3(user.access_token, token.app_auth_token)).user_id
        assert await client.refresh_user_token_v3(user.refresh_token or "", token.app_auth_token)
        upload = await client.upload_file_v3(
            "shop_image", V3File(file_name="a.jpg", content=JPEG), token.app_auth_token
        )
        assert upload.file_id
        registry = aio.Registry.in_memory(client=client)
        await registry.ingest_tokens([token])
        answer = await registry.execute_v3_for(token.auth_app_id, "POST", MERCHANT_API, body={})
        assert "app_versions" in answer.fields
        (refreshed,) = await client.refresh_app_auth_token_v3(token.app_refresh_token or "")
        assert refreshed.app_auth_token != token.app_auth_token
        with pytest.raises(ApiError) as raised:
            await client.execute_v3("POST", MERCHANT_API, body={})
        assert raised.value.http_status == 403

    asyncio.run(flow())


# --- secrets --------------------------------------------------------------------------------------


def test_no_token_shows_in_any_repr_error_or_log_line(
    setup: Setup, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG, logger="alipay_isv")
    code = merchant_code(setup.emulator)
    token = setup.client.exchange_app_auth_code_v3(code)[0]
    user_auth_code = user_code(setup.emulator, token.auth_app_id)
    user = setup.client.exchange_user_auth_code_v3(user_auth_code, token.app_auth_token)
    profile = setup.client.user_info_share_v3(user.access_token, token.app_auth_token)
    secrets = [
        code,
        user_auth_code,
        token.app_auth_token,
        token.app_refresh_token or "",
        user.access_token,
        user.refresh_token or "",
    ]
    shown: list[object] = [token, user, profile]
    shown.append(
        setup.client.execute_v3("POST", MERCHANT_API, body={}, app_auth_token=token.app_auth_token)
    )
    shown.append(
        setup.client.execute_v3(
            "GET",
            "/v3/alipay/open/auth/token/app/query",
            query={"app_auth_token": token.app_auth_token},
        )
    )
    file = V3File(file_name="a.jpg", content=JPEG)
    shown += [file, V3File(path=tmp_path / "a.jpg")]
    for request in (
        setup.config.prepare_v3("POST", MERCHANT_API, body={}, app_auth_token=token.app_auth_token),
        setup.config.prepare_v3(
            "POST",
            "/v3/alipay/user/info/share",
            query={"auth_token": user.access_token},
            app_auth_token=token.app_auth_token,
        ),
        setup.config.prepare_v3(
            "POST",
            "/v3/alipay/open/file/upload",
            body={"biz_code": "x"},
            files=[file],
            app_auth_token=token.app_auth_token,
        ),
    ):
        shown += [request, request.signature]
        assert token.app_auth_token in request.string_to_sign  # the one field that holds it
        assert request.headers["alipay-app-auth-token"] == token.app_auth_token
    errors: list[AlipayError] = []
    for call, args in (
        (setup.client.exchange_app_auth_code_v3, (code,)),
        (setup.client.exchange_user_auth_code_v3, (user_auth_code, token.app_auth_token)),
        (setup.client.user_info_share_v3, (user.access_token + "x", token.app_auth_token)),
        (setup.client.query_app_auth_token_v3, (token.app_auth_token + "x",)),
        (setup.client.refresh_app_auth_token_v3, (token.app_auth_token,)),
    ):
        with pytest.raises(AlipayError) as raised:
            call(*args)  # type: ignore[operator]
        errors.append(raised.value)
    texts = [repr(item) for item in shown] + [str(item) for item in shown]
    texts += [f"{error!r} {error} {error.args}" for error in errors]
    texts += [record.getMessage() + repr(record.__dict__) for record in caplog.records]
    assert caplog.records, "the calls were logged"
    assert_hidden(secrets, texts)


def test_a_token_in_a_path_given_by_mistake_is_not_echoed(
    setup: Setup, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="alipay_isv")
    access_token = "authusrB6141c6189ed63a05a51033a926bc5908"
    with pytest.raises(ConfigError) as refused:
        setup.client.execute_v3("POST", f"{MERCHANT_API}?auth_token={access_token}")
    error = refused.value
    texts = [f"{error!r} {error} {error.args}"]
    texts += [record.getMessage() + repr(record.__dict__) for record in caplog.records]
    assert_hidden([access_token], texts)


def assert_hidden(secrets: list[str], texts: list[str], window: int = 12) -> None:
    """No run of ``window`` characters of a secret in any text (a masked prefix is shorter)."""
    for secret in secrets:
        assert secret and len(secret) > window
        for text in texts:
            for start in range(len(secret) - window + 1):
                assert secret[start : start + window] not in text, (secret[:4], text[:200])
