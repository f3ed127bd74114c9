"""The delegated-call flow end to end against the emulator on loopback (core modules ``client``
and ``auth``): authorisation link, merchant consent, callback, code exchange, query, the app-auth
push verified by an application gateway in this process, user consent, delegated user token,
profile, refresh, revocation and its push, and the revoked token refused. Then the error cases,
and no token in any ``repr``."""

from __future__ import annotations

import urllib.parse

import pytest

from alipay_isv import (
    ApiError,
    AppAuthNotification,
    AppAuthToken,
    ApplicationType,
    ConfigError,
    MessageNotification,
    ProtocolError,
    SignatureError,
    TransportError,
    UserScope,
    VerifiedResponse,
    app_auth_link,
    console_auth_link,
    parse_app_auth_callback,
    parse_user_auth_callback,
    user_consent_link,
)

from emulated import (
    APP_ID,
    CALLBACK,
    SUCCEEDING_METHOD,
    Setup,
    authorise_merchant,
)


def assert_hidden(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret leaked into {text!r}"


def test_the_whole_delegated_flow(setup: Setup) -> None:
    emulator, client, gateway = setup.emulator, setup.client, setup.gateway
    pushes_before = len(gateway.bodies)
    verifier = setup.config.notification_verifier()

    # 1. The ISV builds the merchant authorisation link; the merchant authorises.
    link = app_auth_link(APP_ID, CALLBACK, host=emulator.base_url)
    assert link.url.startswith(f"{emulator.base_url}/oauth2/appToAppAuth.htm?")
    callback_url = emulator.merchant_authorizes(link.url)
    assert callback_url.startswith(CALLBACK + "?")

    # 2. The callback: app_id and state checked.
    callback = parse_app_auth_callback(callback_url, APP_ID, link.state)
    assert (callback.app_id, callback.source, callback.state) == (
        APP_ID,
        "alipay_app_auth",
        link.state,
    )

    # 3. Exchange the code, then query the token.
    (token,) = client.exchange_app_auth_code(callback.app_auth_code)
    assert isinstance(token, AppAuthToken)
    assert token.app_auth_token and token.app_refresh_token
    assert token.user_id and token.user_id.startswith("2088")
    assert token.expires_in is not None
    assert 365 * 24 * 3600 - 60 <= token.expires_in <= 365 * 24 * 3600
    info = client.query_app_auth_token(token.app_auth_token)
    assert info.is_valid and info.status == "valid"
    assert (info.auth_app_id, info.user_id) == (token.auth_app_id, token.user_id)
    assert info.auth_methods and all(isinstance(m, str) for m in info.auth_methods)

    # 4. The app-auth push arrives at the application gateway and verifies.
    body = gateway.wait_for(pushes_before + 1)[pushes_before]
    notification = verifier.verify_body(body)
    assert isinstance(notification, AppAuthNotification)
    assert notification.detail.app_auth_token == token.app_auth_token
    assert notification.detail.auth_app_id == token.auth_app_id
    assert notification.app_id == APP_ID

    # 5. A user of the merchant's mini-program consents; the ISV exchanges the code on the
    #    merchant's behalf and reads the profile.
    consent = user_consent_link(
        token.auth_app_id, CALLBACK, UserScope.AUTH_USER, host=emulator.base_url
    )
    user_callback = parse_user_auth_callback(
        emulator.user_consents(consent.url), token.auth_app_id, consent.state
    )
    assert user_callback.scope == "auth_user"
    user = client.exchange_user_auth_code(user_callback.auth_code, token.app_auth_token)
    assert user.access_token and user.refresh_token
    assert user.user_id or user.open_id
    profile = client.user_info_share(user.access_token, token.app_auth_token)
    assert profile.nick_name and profile.gender in ("m", "f")
    assert profile.fields["code"] == "10000"
    assert any(ord(ch) > 127 for ch in (profile.nick_name or "") + (profile.city or ""))
    refreshed_user = client.refresh_user_token(user.refresh_token, token.app_auth_token)
    assert refreshed_user.access_token != user.access_token

    # 6. A delegated call with the merchant token.
    answer = client.execute(SUCCEEDING_METHOD, {}, app_auth_token=token.app_auth_token)
    assert isinstance(answer, VerifiedResponse)
    assert answer.fields["code"] == "10000"
    assert answer.fields["app_versions"] == ["0.0.1"]

    # 7. Refresh the merchant token: the new one works, and the old one still does.
    (fresh,) = client.refresh_app_auth_token(token.app_refresh_token)
    assert fresh.app_auth_token != token.app_auth_token
    for usable in (fresh.app_auth_token, token.app_auth_token):
        assert client.execute(SUCCEEDING_METHOD, app_auth_token=usable).fields["code"] == "10000"
    with pytest.raises(ApiError) as used_refresh:
        client.refresh_app_auth_token(token.app_refresh_token)
    assert used_refresh.value.sub_code == "isv.refresh-token-invalid"

    # 8. The merchant revokes: the cancellation push arrives and verifies.
    emulator.revoke(token.auth_app_id)
    cancelled = verifier.verify_body(gateway.wait_for(pushes_before + 2)[pushes_before + 1])
    assert isinstance(cancelled, MessageNotification)
    assert cancelled.is_app_auth_cancelled
    assert cancelled.msg_app_id == token.auth_app_id
    assert cancelled.biz_content["auth_app_id"] == token.auth_app_id

    # 9. A call with the revoked token fails with its real, signed error.
    with pytest.raises(ApiError) as revoked:
        client.execute(SUCCEEDING_METHOD, {}, app_auth_token=fresh.app_auth_token)
    error = revoked.value
    assert (error.code, error.sub_code, error.signed) == (
        "20001",
        "aop.invalid-app-auth-token",
        True,
    )
    assert client.query_app_auth_token(fresh.app_auth_token).status == "invalid"

    deliveries = [d for d in emulator.deliveries() if d.auth_app_id == token.auth_app_id]
    assert [d.kind for d in deliveries] == [
        "open_app_auth_notify",
        "alipay.open.auth.appauth.cancelled",
    ]
    assert all(d.acknowledged and d.finished and d.url == gateway.url for d in deliveries)
    assert emulator.call_count("alipay.open.auth.token.app") >= 3
    assert emulator.total_calls() >= emulator.call_count(SUCCEEDING_METHOD) >= 3


def test_batch_and_console_links_grant_one_token_per_app(setup: Setup) -> None:
    emulator, client = setup.emulator, setup.client
    types = [ApplicationType.TINYAPP, "webapp"]
    batch = app_auth_link(APP_ID, CALLBACK, host=emulator.base_url, application_types=types)
    assert "appToAppBatchAuth.htm" in batch.url
    assert "application_type=TINYAPP%2CWEBAPP" in batch.url
    callback = parse_app_auth_callback(emulator.merchant_authorizes(batch.url), APP_ID, batch.state)
    tokens = client.exchange_app_auth_code(callback.app_auth_code)
    assert len(tokens) == 2
    assert len({t.auth_app_id for t in tokens}) == 2
    assert len({t.user_id for t in tokens}) == 1

    console = console_auth_link(APP_ID, CALLBACK, "TINYAPP", host=emulator.base_url)
    assert "/page/message/tasksDetail?bizData=" in console.url
    console_callback = emulator.merchant_authorizes(console.url)
    parsed = parse_app_auth_callback(console_callback, APP_ID, allow_missing_state=True)
    assert client.exchange_app_auth_code(parsed.app_auth_code)


def test_a_used_code_is_a_signed_code_invalid(setup: Setup) -> None:
    link = app_auth_link(APP_ID, CALLBACK, host=setup.emulator.base_url)
    callback = parse_app_auth_callback(
        setup.emulator.merchant_authorizes(link.url), APP_ID, link.state
    )
    setup.client.exchange_app_auth_code(callback.app_auth_code)
    with pytest.raises(ApiError) as raised:
        setup.client.exchange_app_auth_code(callback.app_auth_code)
    error = raised.value
    assert (error.code, error.sub_code, error.signed) == ("40002", "isv.code-invalid", True)
    assert error.kind == "api"


def test_a_used_user_code_is_code_invalid(setup: Setup) -> None:
    token, auth_app_id = authorise_merchant(setup)
    link = user_consent_link(auth_app_id, CALLBACK, "auth_base", host=setup.emulator.base_url)
    code = parse_user_auth_callback(
        setup.emulator.user_consents(link.url), auth_app_id, link.state
    ).auth_code
    user = setup.client.exchange_user_auth_code(code, token)
    with pytest.raises(ApiError) as used:
        setup.client.exchange_user_auth_code(code, token)
    assert (used.value.code, used.value.sub_code) == ("40002", "isv.code-invalid")
    with pytest.raises(ApiError) as base_only:
        setup.client.user_info_share(user.access_token, token)
    assert base_only.value.sub_code == "isv.insufficient-user-permissions"


def test_a_merchant_method_without_token_is_self_invoke_forbidden(setup: Setup) -> None:
    with pytest.raises(ApiError) as raised:
        setup.client.execute(SUCCEEDING_METHOD, '{"page":1}')
    error = raised.value
    assert (error.code, error.sub_code, error.signed) == (
        "40006",
        "isv.self-invoke-forbidden",
        True,
    )


def test_an_unknown_token_and_an_expired_one(setup: Setup) -> None:
    with pytest.raises(ApiError) as unknown:
        setup.client.execute(SUCCEEDING_METHOD, app_auth_token="202601BBnot-a-real-token")
    assert (unknown.value.code, unknown.value.sub_code) == ("20001", "aop.invalid-app-auth-token")
    token, auth_app_id = authorise_merchant(setup)
    setup.emulator.expire_app_auth_token(auth_app_id)
    with pytest.raises(ApiError) as expired:
        setup.client.execute(SUCCEEDING_METHOD, app_auth_token=token)
    assert expired.value.sub_code == "aop.app-auth-token-time-out"
    with pytest.raises(ConfigError):
        setup.emulator.expire_app_auth_token("2021999999999999")


def test_a_wrong_state_is_a_signature_error(setup: Setup) -> None:
    link = app_auth_link(APP_ID, CALLBACK, host=setup.emulator.base_url)
    callback_url = setup.emulator.merchant_authorizes(link.url)
    other = app_auth_link(APP_ID, CALLBACK, host=setup.emulator.base_url).state
    with pytest.raises(SignatureError, match="state"):
        parse_app_auth_callback(callback_url, APP_ID, other)
    with pytest.raises(SignatureError, match="state"):
        parse_app_auth_callback(callback_url, APP_ID, other, allow_missing_state=True)
    without_state = callback_url.split("&state=")[0]
    with pytest.raises(SignatureError, match="state"):
        parse_app_auth_callback(without_state, APP_ID, link.state)
    assert parse_app_auth_callback(without_state, APP_ID, allow_missing_state=True).state is None
    with pytest.raises(ConfigError, match="allow_missing_state"):
        parse_app_auth_callback(callback_url, APP_ID)


def test_a_callback_for_another_app_is_refused(setup: Setup) -> None:
    link = app_auth_link(APP_ID, CALLBACK, host=setup.emulator.base_url)
    callback_url = setup.emulator.merchant_authorizes(link.url)
    with pytest.raises(SignatureError, match="2021000000000002"):
        parse_app_auth_callback(callback_url, "2021000000000002", link.state)
    forged = callback_url.replace(f"app_id={APP_ID}", "app_id=2021000000000009")
    with pytest.raises(SignatureError):
        parse_app_auth_callback(forged, APP_ID, link.state)
    query = urllib.parse.urlsplit(callback_url).query
    assert parse_app_auth_callback(query, APP_ID, link.state).app_id == APP_ID
    with pytest.raises(ProtocolError):
        parse_app_auth_callback(f"{query}&app_auth_code=again", APP_ID, link.state)


def test_a_link_for_another_app_is_refused_by_the_page(setup: Setup) -> None:
    link = app_auth_link("2021000000000002", CALLBACK, host=setup.emulator.base_url)
    with pytest.raises(TransportError, match="400"):
        setup.emulator.merchant_authorizes(link.url)
    with pytest.raises(ConfigError):
        setup.emulator.merchant_authorizes("https://isv.example.com/elsewhere")


def test_no_token_in_any_repr(setup: Setup) -> None:
    link = app_auth_link(APP_ID, CALLBACK, host=setup.emulator.base_url)
    callback = parse_app_auth_callback(
        setup.emulator.merchant_authorizes(link.url), APP_ID, link.state
    )
    code = callback.app_auth_code
    assert_hidden(repr(callback), code)
    (token,) = setup.client.exchange_app_auth_code(code)
    secrets = (token.app_auth_token, token.app_refresh_token or "")
    assert_hidden(repr(token), *secrets)
    assert token.auth_app_id in repr(token)
    info = setup.client.query_app_auth_token(token.app_auth_token)
    assert_hidden(repr(info), *secrets)
    consent = user_consent_link(
        token.auth_app_id, CALLBACK, "auth_user", host=setup.emulator.base_url
    )
    user_callback = parse_user_auth_callback(
        setup.emulator.user_consents(consent.url), token.auth_app_id, consent.state
    )
    assert_hidden(repr(user_callback), user_callback.auth_code)
    user = setup.client.exchange_user_auth_code(user_callback.auth_code, token.app_auth_token)
    assert_hidden(repr(user), user.access_token, user.refresh_token or "")
    profile = setup.client.user_info_share(user.access_token, token.app_auth_token)
    assert_hidden(repr(profile), user.access_token, profile.nick_name or "")
    answer = setup.client.execute(SUCCEEDING_METHOD, app_auth_token=token.app_auth_token)
    assert_hidden(repr(answer), *secrets)
    for shown in (repr(setup.client), repr(setup.emulator), repr(setup.emulator.deliveries())):
        assert_hidden(shown, *secrets, user.access_token)
    assert "Client(app_id='2021000000000001'" in repr(setup.client)
    with pytest.raises(ApiError) as raised:
        setup.client.exchange_app_auth_code(code)
    assert_hidden(str(raised.value) + repr(raised.value.args), code, *secrets)
