"""The official Python SDK (``alipay-sdk-python``, pinned in scripts/test-python.sh) as a real
client of the emulator, with signature validation on: its ``DefaultAlipayClient.execute``
completes ``alipay.open.auth.token.app`` (a code minted through ``merchant_authorizes``) and
``alipay.system.oauth.token`` (a user code, delegated with the merchant's ``app_auth_token``);
the tokens it obtains then work with our client, and the emulator's signatures are what the SDK
verifies.

Two bugs of the SDK are worked around here, each asserted first:

* Its ``WebUtils.get_http_connection`` ignores the port of the gateway URL (it always connects
  to 80, then fails concatenating the port number to a string): the test replaces that one
  helper with one that honours the port (and sends the request target in origin form).
  Everything else — request building, signing, the POST, response extraction and
  verification — is the SDK's own code.
* It stamps ``timestamp`` with ``datetime.now()``, the HOST's local time, while the gateway reads
  it as China time (UTC+8): on a host in another time zone every request is refused with
  ``isv.invalid-timestamp`` (the emulator, like Alipay, allows ±15 minutes). The SDK calls run
  with ``TZ=CST-8`` (a POSIX zone string, UTC+8, needing no tz database); the refusal under
  ``TZ=UTC0`` is asserted too.
"""

from __future__ import annotations

import http.client as httplib
import json
import os
import time
import urllib.parse
from collections.abc import Iterator
from importlib.metadata import version

import alipay.aop.api.util.WebUtils as web_utils
import pytest
from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
from alipay.aop.api.domain.AlipayOpenAuthTokenAppModel import AlipayOpenAuthTokenAppModel
from alipay.aop.api.exception.Exception import ResponseException
from alipay.aop.api.request.AlipayOpenAuthTokenAppRequest import AlipayOpenAuthTokenAppRequest
from alipay.aop.api.request.AlipaySystemOauthTokenRequest import AlipaySystemOauthTokenRequest

from alipay_isv import generate_key_pair, parse_app_auth_callback, parse_user_auth_callback

from emulated import APP_ID, APP_PRIVATE, CALLBACK, SUCCEEDING_METHOD, Setup

SDK_VERSION = "3.7.1411"


def test_the_pinned_sdk_is_installed() -> None:
    assert version("alipay-sdk-python") == SDK_VERSION


def set_time_zone(zone: str | None) -> None:
    if zone is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = zone
    time.tzset()


@pytest.fixture
def host_zone() -> Iterator[None]:
    """Restores the process time zone after a test changed it."""
    saved = os.environ.get("TZ")
    yield
    set_time_zone(saved)


def port_honouring_connection(url: str, query_string: str, timeout: int):  # type: ignore[no-untyped-def]
    """``WebUtils.get_http_connection`` with the port of ``url`` honoured. The request target
    is sent in origin form (``/gateway.do?…``) where the SDK's own sends the absolute form
    (``http://host/gateway.do?…``): the emulator answers 404 to absolute-form targets."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        connection = httplib.HTTPSConnection(parts.hostname, parts.port or 443, timeout=timeout)
    else:
        connection = httplib.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    return f"{parts.path}?{query_string}", connection


@pytest.fixture
def sdk_http(monkeypatch: pytest.MonkeyPatch) -> None:
    original = web_utils.get_http_connection
    with pytest.raises(TypeError):  # the bug: it adds the int port to a str
        original("http://127.0.0.1:8080/gateway.do", "a=b", 1)
    monkeypatch.setattr(web_utils, "get_http_connection", port_honouring_connection)


def sdk_client(setup: Setup, alipay_public_base64: str | None = None) -> DefaultAlipayClient:
    config = AlipayClientConfig()
    config.server_url = setup.emulator.gateway_url
    config.app_id = APP_ID
    config.app_private_key = APP_PRIVATE.to_pkcs1_base64()  # the format the SDK loads
    config.alipay_public_key = alipay_public_base64 or setup.emulator.alipay_public_key.to_base64()
    config.charset = "utf-8"
    config.sign_type = "RSA2"
    config.format = "JSON"
    config.timeout = 5
    assert config.skip_sign is False  # signature validation on
    return DefaultAlipayClient(config)


def merchant_code(setup: Setup) -> str:
    link = setup.emulator.app_auth_url(CALLBACK, "c3RhdGU=")
    return parse_app_auth_callback(
        setup.emulator.merchant_authorizes(link), APP_ID, "c3RhdGU="
    ).app_auth_code


def exchange_with_sdk(client: DefaultAlipayClient, code: str) -> dict:
    model = AlipayOpenAuthTokenAppModel()
    model.grant_type = "authorization_code"
    model.code = code
    return json.loads(client.execute(AlipayOpenAuthTokenAppRequest(biz_model=model)))


@pytest.mark.usefixtures("sdk_http", "host_zone")
def test_the_sdk_completes_both_token_calls(setup: Setup) -> None:
    set_time_zone("CST-8")
    assert time.strftime("%z") == "+0800"
    client = sdk_client(setup)

    # alipay.open.auth.token.app with a code minted by merchant_authorizes.
    before = setup.emulator.call_count("alipay.open.auth.token.app")
    answer = exchange_with_sdk(client, merchant_code(setup))
    assert answer["code"] == "10000", answer
    token, auth_app_id = answer["app_auth_token"], answer["auth_app_id"]
    assert answer["tokens"][0]["app_auth_token"] == token
    assert setup.emulator.call_count("alipay.open.auth.token.app") == before + 1
    # The token the SDK obtained works for our client's delegated call.
    reply = setup.client.execute(SUCCEEDING_METHOD, app_auth_token=token)
    assert reply.fields["code"] == "10000"

    # alipay.system.oauth.token: a user code, delegated with the merchant's token.
    consent = setup.emulator.user_consent_url(auth_app_id, CALLBACK, "auth_user", "eHk=")
    user_code = parse_user_auth_callback(
        setup.emulator.user_consents(consent), auth_app_id, "eHk="
    ).auth_code
    request = AlipaySystemOauthTokenRequest()
    request.grant_type = "authorization_code"
    request.code = user_code
    request.add_other_text_param("app_auth_token", token)
    user = json.loads(client.execute(request))
    assert user["access_token"] and user["refresh_token"]
    assert user.get("user_id") or user.get("open_id")
    profile = setup.client.user_info_share(user["access_token"], token)
    assert profile.fields["code"] == "10000"

    # The same request again: the used code is refused (the SDK returns the verified error).
    error = json.loads(client.execute(request))
    assert (error["code"], error["sub_code"]) == ("40002", "isv.code-invalid")


@pytest.mark.usefixtures("sdk_http", "host_zone")
def test_the_sdk_really_verifies_the_emulator_signature(setup: Setup) -> None:
    set_time_zone("CST-8")
    stranger = generate_key_pair().public_key.to_base64()
    with pytest.raises(ResponseException, match="sign verify failed"):
        exchange_with_sdk(sdk_client(setup, stranger), merchant_code(setup))


@pytest.mark.usefixtures("sdk_http", "host_zone")
def test_the_sdk_host_time_zone_bug_is_refused(setup: Setup) -> None:
    set_time_zone("UTC0")
    answer = exchange_with_sdk(sdk_client(setup), merchant_code(setup))
    assert (answer["code"], answer["sub_code"]) == ("40002", "isv.invalid-timestamp")
