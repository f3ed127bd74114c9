"""The authorisation helpers without a network (core module ``auth``): links on the production,
sandbox and custom hosts, states, callback parsing; and the emulator handle itself: keys as
objects or PEM, pushes recorded without a notify URL, stop and the context manager."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from alipay_isv import (
    ApplicationType,
    AuthLink,
    ConfigError,
    Emulator,
    ProtocolError,
    PublicKey,
    SignatureError,
    TransportError,
    UserScope,
    app_auth_link,
    console_auth_link,
    generate_state,
    parse_app_auth_callback,
    parse_user_auth_callback,
    states_match,
    user_consent_link,
)

from emulated import ALIPAY_PRIVATE, APP_ID, APP_PUBLIC, CALLBACK

STATE = "c3RhdGU="


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def test_the_single_link_on_production_and_sandbox() -> None:
    link = app_auth_link(APP_ID, CALLBACK + "?tenant=7", state=STATE)
    assert isinstance(link, AuthLink)
    assert link.url == (
        "https://openauth.alipay.com/oauth2/appToAppAuth.htm?app_id=2021000000000001"
        "&redirect_uri=https%3A%2F%2Fisv.example.com%2Falipay%2Fcallback%3Ftenant%3D7"
        "&state=c3RhdGU%3D"
    )
    assert link.state == STATE
    assert repr(link) == (
        "AuthLink(url='https://openauth.alipay.com/oauth2/appToAppAuth.htm?…', state='c3RhdGU=')"
    )
    sandbox = app_auth_link(APP_ID, CALLBACK, host="sandbox")
    assert sandbox.url.startswith("https://openauth-sandbox.dl.alipaydev.com/oauth2/")
    assert len(sandbox.state) == 32
    assert query(sandbox.url)["state"] == sandbox.state


def test_batch_console_and_consent_links() -> None:
    batch = app_auth_link(
        APP_ID, CALLBACK, application_types=("tinyapp", ApplicationType.WEBAPP, "TINYAPP")
    )
    assert query(batch.url)["application_type"] == "TINYAPP,WEBAPP"
    single_type = app_auth_link(APP_ID, CALLBACK, application_types="BASEAPP")
    assert query(single_type.url)["application_type"] == "BASEAPP"
    console = console_auth_link(APP_ID, CALLBACK, [ApplicationType.TINYAPP], state=STATE)
    assert console.url.startswith("https://b.alipay.com/page/message/tasksDetail?bizData=")
    task = json.loads(query(console.url)["bizData"])
    assert task["agentOpParam"] == {
        "redirectUri": CALLBACK,
        "appTypes": ["TINYAPP"],
        "isvAppId": APP_ID,
        "state": STATE,
    }
    consent = user_consent_link(
        "2021000000000042", CALLBACK, [UserScope.AUTH_BASE, "auth_user"], host="http://h:1/"
    )
    assert consent.url.startswith(
        "http://h:1/oauth2/publicAppAuthorize.htm?app_id=2021000000000042"
    )
    assert query(consent.url)["scope"] == "auth_base,auth_user"
    assert str(ApplicationType.TINYAPP) == "TINYAPP" and str(UserScope.AUTH_USER) == "auth_user"


@pytest.mark.parametrize(
    "build",
    [
        lambda: app_auth_link("", CALLBACK),
        lambda: app_auth_link(APP_ID, "isv.example.com/cb"),
        lambda: app_auth_link(APP_ID, CALLBACK, state="not base64!"),
        lambda: app_auth_link(APP_ID, CALLBACK, host="moon"),
        lambda: app_auth_link(APP_ID, CALLBACK, application_types=["MINIAPP"]),
        lambda: console_auth_link(APP_ID, CALLBACK, []),
        lambda: console_auth_link(APP_ID, CALLBACK, "TINYAPP", host="sandbox"),
        lambda: user_consent_link(APP_ID, CALLBACK, []),
        lambda: user_consent_link(APP_ID, CALLBACK, "auth_everything"),
    ],
)
def test_bad_link_arguments_are_config_errors(build) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError):
        build()


def test_link_argument_types_are_checked() -> None:
    with pytest.raises(TypeError, match="application_types"):
        app_auth_link(APP_ID, CALLBACK, application_types=7)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="scopes"):
        user_consent_link(APP_ID, CALLBACK, [1])  # type: ignore[list-item]


def test_states() -> None:
    first, second = generate_state(), generate_state()
    assert first != second and len(first) == 32
    assert states_match(first, first)
    assert not states_match(first, second)
    assert not states_match("abc", "abcd")


def test_callbacks_parse_and_check() -> None:
    url = (
        f"{CALLBACK}?app_id={APP_ID}&source=alipay_app_auth"
        "&app_auth_code=P2fcode123456&state=c3RhdGU%3D"
    )
    callback = parse_app_auth_callback(url, APP_ID, STATE)
    assert (callback.app_auth_code, callback.source, callback.state) == (
        "P2fcode123456",
        "alipay_app_auth",
        STATE,
    )
    assert "P2fcode123456" not in repr(callback)
    with pytest.raises(SignatureError):
        parse_app_auth_callback(url, APP_ID, "b3RoZXI=")
    with pytest.raises(ProtocolError, match="decline"):
        parse_app_auth_callback(f"app_id={APP_ID}&state=c3RhdGU%3D", APP_ID, STATE)
    user = parse_user_auth_callback(
        "?app_id=2021&source=alipay_wallet&scope=auth_user&auth_code=abc&state=eHk%3D",
        "2021",
        "eHk=",
    )
    assert (user.auth_code, user.app_id, user.scope, user.state) == (
        "abc",
        "2021",
        "auth_user",
        "eHk=",
    )
    assert "abc" not in repr(user).replace("app_id", "")
    with pytest.raises(ConfigError):
        parse_user_auth_callback("app_id=2021&auth_code=abc", "2021")
    assert parse_user_auth_callback("app_id=2021&auth_code=abc", "2021", allow_missing_state=True)


def test_the_emulator_handle() -> None:
    emulator = Emulator.start(
        APP_ID, APP_PUBLIC.to_pem(), alipay_private_key=ALIPAY_PRIVATE.to_pkcs1_pem()
    )
    with emulator:
        assert emulator.running
        assert emulator.app_id == APP_ID
        assert emulator.base_url.startswith("http://127.0.0.1:")
        assert emulator.gateway_url == emulator.base_url + "/gateway.do"
        assert isinstance(emulator.alipay_public_key, PublicKey)
        assert emulator.alipay_public_key == ALIPAY_PRIVATE.public_key()
        assert PublicKey(emulator.alipay_public_key_pem) == emulator.alipay_public_key
        assert emulator.alipay_public_key.fingerprint in repr(emulator)
        # Without a notify URL, pushes are recorded and finished at once.
        callback = emulator.merchant_authorizes(emulator.app_auth_url(CALLBACK, STATE))
        assert parse_app_auth_callback(callback, APP_ID, STATE).app_auth_code
        assert emulator.wait_for_deliveries(1, timeout=5.0)
        (delivery,) = emulator.deliveries()
        assert (delivery.kind, delivery.url, delivery.attempts) == ("open_app_auth_notify", None, 0)
        assert delivery.finished and not delivery.acknowledged
        assert "app_auth_token" in delivery.body
        assert "body_bytes=" in repr(delivery) and "app_auth_token" not in repr(delivery)
        assert not emulator.wait_for_deliveries(2, timeout=0.05)
        assert emulator.total_calls() == 0 and emulator.call_count("x") == 0
        emulator.set_notify_url(None)
        emulator.advance_clock(1.0)
        with pytest.raises(ConfigError):
            emulator.revoke("2021000000000404")
    assert not emulator.running
    assert "running=False" in repr(emulator)
    with pytest.raises(ConfigError, match="stopped"):
        emulator.total_calls()
    emulator.close()  # idempotent


def test_bad_emulator_options() -> None:
    with pytest.raises(ConfigError):
        Emulator("not-digits", APP_PUBLIC)
    with pytest.raises(ConfigError):
        Emulator(APP_ID, "not a key")
    with pytest.raises(TypeError):
        Emulator(APP_ID, 42)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        Emulator(APP_ID, APP_PUBLIC, notify_url="ftp://x")
    with pytest.raises(ConfigError):
        Emulator(APP_ID, APP_PUBLIC, notify_attempts=0)
    with Emulator(APP_ID, APP_PUBLIC, alipay_private_key=ALIPAY_PRIVATE) as first:
        port = int(first.base_url.rsplit(":", 1)[1])
        with pytest.raises(TransportError) as raised:
            Emulator(APP_ID, APP_PUBLIC, port=port, alipay_private_key=ALIPAY_PRIVATE)
        assert raised.value.request_sent is False
