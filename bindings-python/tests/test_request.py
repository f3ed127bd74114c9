"""The app configuration and request building (core modules ``config``, ``request``, ``aes``):
the own-key refusal, fixed-timestamp parameters, the three ways to emit a request decoded back
to the signed parameters, AES, the UTC+8 timestamp under another host time zone, masked
``repr``s."""

from __future__ import annotations

import html.parser
import json
import os
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from alipay_isv import (
    AesKey,
    ConfigError,
    HttpRequest,
    IsvConfig,
    ProtocolError,
    SignedRequest,
    Verifier,
    china_timestamp_now,
    sign_content,
)

from apps import AES_TEXT, ALIPAY_PUBLIC, APP_ID, APP_PRIVATE, APP_PUBLIC, config

SANDBOX = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
TIMESTAMP = "2026-11-21 23:04:05"
APP_AUTH_TOKEN = "202611BBa1b2c3d4e5f6a7b8c9d0e1f2X21"
ACCESS_TOKEN = "authusrBa1b2c3d4e5f6a7b8c9d0e1f2X21"
BIZ = {"subject": '年货 & <礼盒> "精选"', "total_amount": "88.88", "out_trade_no": "T1"}
SYSTEM = {
    "app_id",
    "method",
    "format",
    "charset",
    "sign_type",
    "sign",
    "timestamp",
    "version",
    "notify_url",
    "return_url",
    "encrypt_type",
    "auth_token",
    "app_cert_sn",
    "alipay_root_cert_sn",
}
CHINA = timezone(timedelta(hours=8))


def signed(charset: str = "UTF-8", **options: object) -> SignedRequest:
    defaults: dict = {
        "biz_content": BIZ,
        "app_auth_token": APP_AUTH_TOKEN,
        "auth_token": ACCESS_TOKEN,
        "notify_url": "https://isv.example.com/notify?x=1&y=2",
        "timestamp": TIMESTAMP,
    }
    return config(charset).sign_request("alipay.trade.create", **(defaults | options))


def decode_form(text: str, charset: str = "UTF-8") -> dict[str, str]:
    pairs = urllib.parse.parse_qsl(
        text, keep_blank_values=True, strict_parsing=True, encoding=charset
    )
    decoded = dict(pairs)
    assert len(decoded) == len(pairs), "a parameter appears twice"
    return decoded


def split_url(url: str, charset: str = "UTF-8") -> tuple[str, dict[str, str]]:
    gateway, _, query = url.partition("?")
    return gateway, decode_form(query, charset)


# ---------------------------------------------------------------- configuration


def test_config_defaults_and_properties() -> None:
    cfg = IsvConfig(app_id=APP_ID, private_key=APP_PRIVATE, alipay_public_key=ALIPAY_PUBLIC)
    assert (cfg.app_id, cfg.sign_type, cfg.charset) == (APP_ID, "RSA2", "UTF-8")
    assert cfg.gateway == "https://openapi.alipay.com/gateway.do"
    assert cfg.alipay_public_key == ALIPAY_PUBLIC
    assert config().gateway == SANDBOX
    custom = IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, gateway="http://127.0.0.1:8080/gw")
    assert custom.gateway == "http://127.0.0.1:8080/gw"
    legacy = IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, sign_type="rsa", charset="gbk")
    assert (legacy.sign_type, legacy.charset) == ("RSA", "GBK")


def test_the_apps_own_public_key_is_refused_as_the_alipay_key() -> None:
    with pytest.raises(ConfigError) as raised:
        IsvConfig(APP_ID, APP_PRIVATE, APP_PUBLIC)
    assert "app's own public key" in raised.value.reason
    assert APP_PUBLIC.fingerprint in raised.value.reason


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"app_id": ""}, "app_id"),
        ({"app_id": "20210000x"}, "app_id"),
        ({"gateway": "staging"}, "gateway"),
        ({"sign_type": "MD5"}, "sign_type"),
        ({"charset": "latin1"}, "charset"),
        ({"aes_key": "c2hvcnQ="}, "AES"),
        ({"max_body_bytes": 0}, "max_body_bytes"),
    ],
)
def test_bad_options_are_config_errors(options: dict, words: str) -> None:
    arguments = {"app_id": APP_ID, "private_key": APP_PRIVATE, "alipay_public_key": ALIPAY_PUBLIC}
    with pytest.raises(ConfigError, match=words):
        IsvConfig(**(arguments | options))


def test_config_options_are_keyword_only_and_typed() -> None:
    with pytest.raises(TypeError):
        IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, "RSA2")  # type: ignore[misc]
    with pytest.raises(TypeError):
        IsvConfig(APP_ID, APP_PRIVATE.to_pkcs8_pem(), ALIPAY_PUBLIC)  # type: ignore[arg-type]
    with pytest.raises(OverflowError):
        IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, max_body_bytes=-1)


def test_config_repr_shows_fingerprints_only() -> None:
    shown = repr(config())
    assert APP_ID in shown and APP_PUBLIC.fingerprint in shown
    assert ALIPAY_PUBLIC.fingerprint in shown and "aes=True" in shown
    assert AES_TEXT not in shown and "MII" not in shown


# ---------------------------------------------------------------- parameters


def test_fixed_timestamp_gives_exactly_these_params() -> None:
    request = signed()
    params = request.params
    assert list(params)[-1] == "sign"
    expected = {
        "app_id": APP_ID,
        "method": "alipay.trade.create",
        "format": "JSON",
        "charset": "UTF-8",
        "sign_type": "RSA2",
        "timestamp": TIMESTAMP,
        "version": "1.0",
        "notify_url": "https://isv.example.com/notify?x=1&y=2",
        "app_auth_token": APP_AUTH_TOKEN,
        "auth_token": ACCESS_TOKEN,
        "biz_content": json.dumps(BIZ, ensure_ascii=False, separators=(",", ":")),
    }
    assert {k: v for k, v in params.items() if k != "sign"} == expected
    assert request.sign_content == sign_content(params)
    Verifier(APP_PUBLIC).verify(request.sign_content, params["sign"])
    assert signed().params == params  # deterministic
    params["app_id"] = "mutated"
    assert request.params["app_id"] == APP_ID


def test_biz_content_dict_or_str_and_extra_params() -> None:
    text = '{"grant_type":"authorization_code","code":"P5f3"}'
    by_text = config().sign_request(
        "alipay.open.auth.token.app", biz_content=text, timestamp=TIMESTAMP
    )
    by_dict = config().sign_request(
        "alipay.open.auth.token.app", biz_content=json.loads(text), timestamp=TIMESTAMP
    )
    assert by_text.params["biz_content"] == by_dict.params["biz_content"] == text
    oauth = config().sign_request(
        "alipay.system.oauth.token",
        extra_params={
            "grant_type": "authorization_code",
            "code": "4b203fe6c11548bcabd8da5bb087a83b",
        },
        app_auth_token=APP_AUTH_TOKEN,
        timestamp=TIMESTAMP,
    )
    assert oauth.params["grant_type"] == "authorization_code"
    assert "biz_content" not in oauth.params
    assert "return_url" not in config().sign_request("a.b", return_url="").params


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"biz_content": ["a"]}, TypeError, "dict"),
        ({"biz_content": {"x": float("nan")}}, ValueError, "JSON"),
        ({"extra_params": {"app_id": "1"}}, ConfigError, "collides"),
        ({"extra_params": {"sign": "1"}}, ConfigError, "collides"),
        ({"extra_params": {"n": 1}}, TypeError, '"n"'),
        ({"timestamp": "2026-11-21T23:04:05"}, ConfigError, "timestamp"),
        ({"encrypt": True, "biz_content": {}}, ConfigError, "AES"),
    ],
)
def test_bad_call_options(options: dict, error: type, words: str) -> None:
    cfg = IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC)
    with pytest.raises(error, match=words):
        cfg.sign_request("alipay.trade.create", **options)


@pytest.mark.parametrize("method", ["", "  ", "alipay.trade create"])
def test_bad_method_is_a_config_error(method: str) -> None:
    with pytest.raises(ConfigError, match="method"):
        config().sign_request(method)


def test_gbk_text_outside_gbk_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="GBK"):
        config("GBK").sign_request("a.b", biz_content={"subject": "😀"})


# ---------------------------------------------------------------- the three outputs


@pytest.mark.parametrize("charset", ["UTF-8", "GBK"])
def test_http_request_splits_system_and_application_params(charset: str) -> None:
    request = signed(charset, extra_params={"grant_type": "authorization_code"})
    http = request.http_request()
    assert isinstance(http, HttpRequest)
    assert http.content_type == f"application/x-www-form-urlencoded;charset={charset}"
    gateway, query = split_url(http.url, charset)
    body = decode_form(http.body, charset)
    assert gateway == SANDBOX
    assert set(query) <= SYSTEM and not set(body) & SYSTEM
    assert {"biz_content", "app_auth_token", "grant_type"} <= set(body)
    assert {"sign", "auth_token", "notify_url"} <= set(query)
    assert query | body == request.params
    assert list(query) == sorted(query) and list(body) == sorted(body)
    http.url.encode("ascii")  # fully percent-encoded
    http.body.encode("ascii")


def test_gbk_requests_are_signed_and_encoded_in_gbk() -> None:
    request = signed("GBK")
    assert request.params["charset"] == "GBK"
    Verifier(APP_PUBLIC, charset="GBK").verify(request.sign_content, request.params["sign"])
    assert "%C4%EA" in request.order_string()  # 年 in GBK
    assert request.params["sign"] != signed().params["sign"]


@pytest.mark.parametrize("charset", ["UTF-8", "GBK"])
def test_page_url_carries_every_param(charset: str) -> None:
    request = signed(charset)
    gateway, params = split_url(request.page_url(), charset)
    assert gateway == SANDBOX
    assert params == request.params


class FormReader(html.parser.HTMLParser):
    """Collects the form action and the hidden inputs of the page form."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.inputs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.action = found["action"] or ""
            assert (found["method"], found["name"]) == ("post", "punchout_form")
        if tag == "input" and found["type"] == "hidden":
            self.inputs[found["name"] or ""] = found["value"] or ""


def test_page_form_is_html_escaped_and_decodes_to_the_params() -> None:
    request = signed()
    form = request.page_form()
    reader = FormReader()
    reader.feed(form)
    gateway, query = split_url(reader.action)
    assert gateway == SANDBOX
    assert query | reader.inputs == request.params
    assert set(reader.inputs) == {"biz_content", "app_auth_token"}
    assert "&quot;" in form and "&lt;" in form and '"精选"' not in form
    assert form.rstrip().endswith("<script>document.forms[0].submit();</script>")


def test_order_string_is_sorted_and_decodes_to_the_params() -> None:
    request = signed()
    order = request.order_string()
    params = decode_form(order)
    assert params == request.params
    assert list(params) == sorted(params)
    assert "+" not in request.params["sign"] or "%2B" in order


# ---------------------------------------------------------------- AES


def test_aes_request_round_trip() -> None:
    request = signed(encrypt=True)
    params = request.params
    assert params["encrypt_type"] == "AES"
    plain = json.dumps(BIZ, ensure_ascii=False, separators=(",", ":"))
    assert params["biz_content"] != plain
    assert AesKey(AES_TEXT).decrypt(params["biz_content"]).decode() == plain
    Verifier(APP_PUBLIC).verify(request.sign_content, params["sign"])
    assert "encrypt_type" in split_url(request.http_request().url)[1]


def test_aes_key_round_trip_and_errors() -> None:
    key = AesKey(AES_TEXT)
    for plain in (b"", b"\x00\xff" * 40, "中文 json".encode()):
        assert key.decrypt(key.encrypt(plain)) == plain
    assert key.decrypt(key.encrypt("中文")) == "中文".encode()
    assert key.encrypt(b"x") != AesKey("AAAAAAAAAAAAAAAAAAAAAA==").encrypt(b"x")
    assert repr(key) == "AesKey(bits=128)"
    assert repr(AesKey("A" * 43 + "=")) == "AesKey(bits=256)"
    with pytest.raises(ProtocolError):
        AesKey("AAAAAAAAAAAAAAAAAAAAAA==").decrypt(key.encrypt(b'{"code":"10000"}'))
    with pytest.raises(ProtocolError):
        key.decrypt("not base64!")
    for bad in ("", "short", "A" * 30):
        with pytest.raises(ConfigError):
            AesKey(bad)


# ---------------------------------------------------------------- timestamp


def china_now() -> datetime:
    """Now in UTC+8, computed without this project's code."""
    return datetime.now(timezone.utc).astimezone(CHINA).replace(tzinfo=None)


def assert_close_to_china_now(text: str) -> None:
    stamp = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    assert abs((stamp - china_now()).total_seconds()) < 5, text


def test_timestamp_is_china_time_with_the_host_elsewhere_in_a_subprocess() -> None:
    script = (
        "import time, alipay_isv;"
        "print(time.strftime('%Y-%m-%d %H:%M:%S'));"
        "print(alipay_isv.china_timestamp_now())"
    )
    for zone in ("America/Los_Angeles", "UTC", "Pacific/Kiritimati"):
        env = dict(os.environ, TZ=zone)
        output = subprocess.run(
            [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
        ).stdout.split("\n")
        local, china = output[0], output[1]
        assert_close_to_china_now(china)
        assert (
            abs((datetime.strptime(local, "%Y-%m-%d %H:%M:%S") - china_now()).total_seconds())
            > 3600
        ), f"TZ={zone} did not apply"


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is Unix-only")
def test_timestamp_is_china_time_with_tz_changed_in_process() -> None:
    saved = os.environ.get("TZ")
    try:
        os.environ["TZ"] = "America/New_York"
        time.tzset()
        assert time.strftime("%H") != china_now().strftime("%H")
        assert_close_to_china_now(china_timestamp_now())
        assert_close_to_china_now(config().sign_request("a.b").params["timestamp"])
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


# ---------------------------------------------------------------- secrets and threads


def test_reprs_never_show_tokens() -> None:
    request = signed()
    http = request.http_request()
    for shown in (repr(request), repr(http)):
        assert APP_AUTH_TOKEN not in shown and ACCESS_TOKEN not in shown
        assert APP_AUTH_TOKEN[:12] not in shown
        assert request.params["sign"][:16] not in shown
    assert "'app_auth_token'" in repr(request) and "alipay.trade.create" in repr(request)
    assert repr(http).startswith(f"HttpRequest(url='{SANDBOX}?…', body_bytes=")


def test_signing_from_several_threads() -> None:
    cfg = config()
    with ThreadPoolExecutor(max_workers=4) as pool:

        def sign(n: int) -> str:
            return cfg.sign_request("a.b", biz_content={"n": n}, timestamp=TIMESTAMP).params["sign"]

        signs = list(pool.map(sign, [1, 2, 1, 2] * 4))
    assert len(set(signs)) == 2
