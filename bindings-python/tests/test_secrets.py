"""Secrets (issue 8, item 4): the whole delegated flow against the emulator — merchant
authorisation, code exchange, the registry (encrypted file) ingesting the tokens and the pushes,
a service-market subscription through the application Gateway, user consent, the user token,
``user_info_share``, refreshes, failing calls — with values this test can recognise: an app key
generated here, an AES key and a registry key of recognisable bytes, and every token and code the
emulator mints, collected from the results. Then every error text on the way (deliberately
provoked ones included: wrong state, used codes, a used refresh token, a revoked merchant,
tampered bodies, bad key texts carrying a marker), every ``repr``/``str`` of every object
touched, the captured log records and warnings, and the process's captured stdout/stderr
(file-descriptor level, so Rust's writes count too) are searched: no token, refresh token, access
token, code or private-key material may appear. A masked prefix (at most four characters and
``…``) is fine, so a leak is any run of :data:`WINDOW` characters of a secret."""

from __future__ import annotations

import base64
import logging
import re
import traceback
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from alipay_isv import (
    AesKey,
    AlipayError,
    ApiError,
    AppAuthNotification,
    AuthLink,
    Client,
    ConfigError,
    Gateway,
    GatewayDelivery,
    IsvConfig,
    MessageNotification,
    PrivateKey,
    ProtocolError,
    PublicKey,
    Registry,
    RetryPolicy,
    SignatureError,
    Signer,
    StoreError,
    TokenKey,
    TransportError,
    Verifier,
    app_auth_link,
    generate_key_pair,
    parse_app_auth_callback,
    parse_user_auth_callback,
    user_consent_link,
)
from alipay_isv import Emulator as EmulatorClass

from emulated import ALIPAY_PRIVATE, APP_ID, CALLBACK, SUCCEEDING_METHOD, AppGateway

FORM = "application/x-www-form-urlencoded; charset=utf-8"
# A leak is any run of this many characters of a secret (a masked prefix has at most four).
WINDOW = 12
# Key material is Base64: runs of this many characters (rarer by chance than in hex tokens).
KEY_WINDOW = 16
MARKER = "SecretMarker7Q9Z"
AES_BYTES = b"AES-KEY-MARK-016"
TOKEN_KEY_BYTES = b"REGISTRY-TOKEN-KEY-MARKER-32-BYT"
TOKEN_METHOD = "alipay.open.auth.token.app"
# An app_auth_token / app_refresh_token (``yyyyMMBB`` and hex) or a user token (``authusrB`` and
# hex) as the emulator mints them, beyond a masked prefix.
TOKEN_SHAPE = re.compile(r"\d{6}BB[0-9a-f]{4}|authusrB[0-9a-f]{4}")


class Secrets:
    """Every secret value seen, and the runs of characters that would betray each."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self._windows: dict[str, str] = {}

    def add(self, what: str, value: str | None, window: int = WINDOW) -> None:
        """Records a secret (``None`` and empty values are ignored); ``what`` names it."""
        if not value:
            return
        assert len(value) > window, f"{what} is too short to search for: {value!r}"
        self.values[value] = what
        for start in range(len(value) - window + 1):
            self._windows.setdefault(value[start : start + window], what)

    def forget(self, public: Iterable[str]) -> None:
        """Drops the runs that also occur in public text (a public key shares the modulus with
        its private key; every PKCS#8 key starts with the same structure)."""
        public_text = "\n".join(public)
        self._windows = {run: what for run, what in self._windows.items() if run not in public_text}

    def leaks(self, text: str) -> list[str]:
        """The secrets of which a run appears in ``text``."""
        return sorted({what for run, what in self._windows.items() if run in text})


class Evidence:
    """Every text the test must search: error texts, object representations, log lines."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []
        self.errors: list[BaseException] = []

    def show(self, where: str, *objects: object) -> None:
        """Records ``repr()`` and ``str()`` of each object."""
        for index, item in enumerate(objects):
            self.texts.append((f"repr({where}[{index}])", repr(item)))
            self.texts.append((f"str({where}[{index}])", str(item)))

    def error(self, where: str, error: BaseException) -> None:
        """Records every text of an error: ``str``, ``repr``, reason, args, the fields of an
        ``ApiError``, and the formatted traceback."""
        self.errors.append(error)
        parts = [str(error), repr(error), *map(str, error.args)]
        if isinstance(error, AlipayError):
            parts.append(error.reason)
        if isinstance(error, ApiError):
            parts += [
                str(field) for field in (error.msg, error.sub_code, error.sub_msg, error.hint)
            ]
        parts += traceback.format_exception(error)
        self.texts.append((f"error at {where}", "\n".join(parts)))

    def provoke(
        self, where: str, call: Callable[[], object], expected: type[BaseException]
    ) -> BaseException:
        """Runs a call that must fail with ``expected``; records its error."""
        with pytest.raises(expected) as raised:
            call()
        self.error(where, raised.value)
        return raised.value


@pytest.fixture
def gateway() -> Iterator[AppGateway]:
    running = AppGateway()
    yield running
    running.close()


def pem(label: str, body: str) -> str:
    """A PEM block of ``label`` around ``body``."""
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"


def key_material(private: PrivateKey) -> list[str]:
    """The private key's Base64 forms (PKCS#8 and PKCS#1; a PEM body is the same Base64)."""
    return [private.to_pkcs8_base64(), private.to_pkcs1_base64()]


def test_no_secret_appears_anywhere(
    gateway: AppGateway,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    recwarn: pytest.WarningsRecorder,
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = Secrets()
    seen = Evidence()

    # Keys this test controls.
    pair = generate_key_pair(2048)
    app_private, app_public = pair.private_key, pair.public_key
    for form in key_material(app_private):
        secrets.add("app private key", form, KEY_WINDOW)
    pem_body = "".join(app_private.to_pkcs8_pem().splitlines()[1:-1])
    assert pem_body == app_private.to_pkcs8_base64()
    aes_text = base64.b64encode(AES_BYTES).decode()
    secrets.add("AES key", aes_text)
    secrets.add("AES key bytes", AES_BYTES.decode())
    token_key_text = base64.b64encode(TOKEN_KEY_BYTES).decode()
    secrets.add("registry key", token_key_text)
    secrets.add("registry key bytes", TOKEN_KEY_BYTES.decode())
    secrets.add("marker", MARKER)

    # The emulator, the configuration, the client, the encrypted registry.
    emulator = EmulatorClass(
        APP_ID,
        app_public,
        notify_url=gateway.url,
        alipay_private_key=ALIPAY_PRIVATE,
        notify_backoff=0.02,
        app_auth_token_ttl=300.0,
    )
    with emulator:
        config = IsvConfig(
            APP_ID, app_private, emulator.alipay_public_key, gateway=emulator.gateway_url
        )
        config_aes = IsvConfig(
            APP_ID,
            app_private,
            emulator.alipay_public_key,
            gateway=emulator.gateway_url,
            aes_key=aes_text,
        )
        client = Client(config, connect_timeout=2.0, read_timeout=5.0)
        token_key = TokenKey.from_bytes(TOKEN_KEY_BYTES)
        registry = Registry(tmp_path / "secrets.db", key=token_key, client=client)
        seen.show(
            "setup",
            pair,
            app_private,
            app_public,
            AesKey(aes_text),
            config,
            config_aes,
            client,
            token_key,
            registry,
            emulator,
            Signer(app_private),
            Verifier(app_public),
            config.response_verifier(),
            config.notification_verifier(),
            RetryPolicy(),
        )

        # 1. The merchant authorises; the callback carries the app_auth_code.
        link = app_auth_link(APP_ID, CALLBACK, host=emulator.base_url)
        callback_url = emulator.merchant_authorizes(link.url)
        callback = parse_app_auth_callback(callback_url, APP_ID, link.state)
        secrets.add("app_auth_code", callback.app_auth_code)
        seen.show("merchant callback", link, callback)
        seen.provoke(
            "wrong state",
            lambda: parse_app_auth_callback(callback_url, APP_ID, link.state + "x"),
            AlipayError,
        )
        seen.provoke(
            "wrong app",
            lambda: parse_app_auth_callback(callback_url, "2021000000000999", link.state),
            AlipayError,
        )
        seen.provoke(
            "no state given",
            lambda: parse_app_auth_callback(callback_url, APP_ID),
            AlipayError,
        )

        # 2. The exchange, then the code again (used).
        tokens = client.exchange_app_auth_code(callback.app_auth_code)
        (token,) = tokens
        secrets.add("app_auth_token", token.app_auth_token)
        secrets.add("app_refresh_token", token.app_refresh_token)
        seen.show("tokens", *tokens)
        seen.provoke(
            "used app_auth_code",
            lambda: client.exchange_app_auth_code(callback.app_auth_code),
            ApiError,
        )
        seen.provoke(
            "made-up app_auth_code",
            lambda: client.exchange_app_auth_code(f"{MARKER}code"),
            ApiError,
        )

        # 3. The registry ingests the tokens and the push; the query.
        seen.show("ingest", registry.ingest_tokens(tokens))
        gateway.wait_for(1)
        push = config.notification_verifier().verify_body(gateway.bodies[0])
        assert isinstance(push, AppAuthNotification)
        seen.show("push", push, push.detail, registry.ingest_notification(push))
        for delivery in emulator.deliveries():
            seen.show("delivery", delivery)
        info = client.query_app_auth_token(token.app_auth_token)
        seen.show("query", info, registry.ingest_query(token.app_auth_token, info))
        seen.show("record", registry.get(token.auth_app_id), *registry.list())

        # A tampered push: its body (with the tokens) must not be echoed.
        tampered = gateway.bodies[0].replace(b"sign=", b"sign=AAAA", 1)
        seen.provoke(
            "tampered push",
            lambda: config.notification_verifier().verify_body(tampered),
            AlipayError,
        )
        unsigned = b"&".join(
            part for part in gateway.bodies[0].split(b"&") if not part.startswith(b"sign=")
        )
        seen.provoke(
            "unsigned push",
            lambda: config.notification_verifier().verify_body(unsigned),
            AlipayError,
        )

        # 3b. A subscription through the application Gateway (its order handler failing once):
        #     the plugin's tokens appear in no result, delivery, order or error.
        delivered: list[GatewayDelivery[Any]] = []

        def on_order(delivery: GatewayDelivery[Any]) -> None:
            delivered.append(delivery)
            if [d.kind for d in delivered].count("order") == 1:
                raise RuntimeError("the order service is down")

        isv_gateway = Gateway(
            config, registry, on_order=on_order, on_authorisation=delivered.append
        )
        pushed_before = len(gateway.bodies)
        subscription = emulator.subscribe()
        pushed = sorted(  # the authorisation first, then the order
            gateway.wait_for(pushed_before + 2)[pushed_before:],
            key=lambda body: b"servicemarket_order_notify" in body,
        )
        results = [isv_gateway.handle(FORM, body) for body in pushed + pushed]
        results.append(isv_gateway.handle(FORM, pushed[0].replace(b"sign=", b"sign=AAAA", 1)))
        results.append(isv_gateway.handle("application/json", pushed[0]))
        assert [result.status for result in results] == [200, 500, 200, 200, 400, 415]
        (grant,) = [d for d in delivered if d.kind == "authorisation"]
        secrets.add("plugin app_auth_token", grant.notification.detail.app_auth_token)
        secrets.add("plugin app_refresh_token", grant.notification.detail.app_refresh_token)
        seen.show("gateway results", isv_gateway, *results, *delivered)
        for index, result in enumerate(results):
            if result.error is not None:
                seen.error(f"gateway result {index}", result.error)
        order_id = subscription.commodity_order_id
        seen.show(
            "gateway order",
            registry.order(order_id),
            registry.order_authorisation(order_id),
            registry.accept_order(order_id),
            *registry.orders(),
        )

        # 4. A delegated call, with and without the registry.
        seen.show(
            "calls",
            client.execute(SUCCEEDING_METHOD, {}, app_auth_token=token.app_auth_token),
            registry.execute_for(token.auth_app_id, SUCCEEDING_METHOD, {}),
            config.sign_request(SUCCEEDING_METHOD, app_auth_token=token.app_auth_token),
        )
        signed = config.sign_request(SUCCEEDING_METHOD, app_auth_token=token.app_auth_token)
        seen.show("signed request", signed, signed.http_request())

        # 5. A user consents; the user token; the profile; the user refresh.
        consent = user_consent_link(
            token.auth_app_id, CALLBACK, "auth_user", host=emulator.base_url
        )
        consent_url = emulator.user_consents(consent.url)
        user_callback = parse_user_auth_callback(consent_url, token.auth_app_id, consent.state)
        secrets.add("auth_code", user_callback.auth_code)
        seen.show("user callback", consent, user_callback)
        seen.provoke(
            "wrong user state",
            lambda: parse_user_auth_callback(consent_url, token.auth_app_id, "nope-nope-nope"),
            AlipayError,
        )
        user = client.exchange_user_auth_code(user_callback.auth_code, token.app_auth_token)
        secrets.add("access_token", user.access_token)
        secrets.add("user refresh_token", user.refresh_token)
        seen.provoke(
            "used auth_code",
            lambda: client.exchange_user_auth_code(user_callback.auth_code, token.app_auth_token),
            ApiError,
        )
        profile = client.user_info_share(user.access_token, token.app_auth_token)
        refreshed_user = client.refresh_user_token(str(user.refresh_token), token.app_auth_token)
        secrets.add("refreshed access_token", refreshed_user.access_token)
        secrets.add("refreshed user refresh_token", refreshed_user.refresh_token)
        seen.show("user", user, profile, refreshed_user)
        seen.provoke(
            "used user refresh_token",
            lambda: client.refresh_user_token(str(user.refresh_token), token.app_auth_token),
            ApiError,
        )
        seen.provoke(
            "made-up access_token",
            lambda: client.user_info_share(f"authusrB{MARKER}", token.app_auth_token),
            ApiError,
        )

        # 6. The registry refreshes the merchant token (due under a 600 s margin).
        with Registry(
            tmp_path / "secrets.db", key=token_key, client=client, refresh_margin=600.0
        ) as refreshing:
            fresh = refreshing.token_for(token.auth_app_id)
            record = refreshing.get(token.auth_app_id)
            assert record is not None and fresh == record.app_auth_token != token.app_auth_token
            secrets.add("refreshed app_auth_token", record.app_auth_token)
            secrets.add("refreshed app_refresh_token", record.app_refresh_token)
            seen.show("refreshed record", refreshing, record)
        seen.provoke(
            "used app_refresh_token",
            lambda: client.refresh_app_auth_token(str(token.app_refresh_token)),
            ApiError,
        )

        # Answers that carry tokens but fail: a fault on the refresh (the tokens minted for it
        # are never returned, so the emulator's token shapes are searched for below), a
        # malformed body, a body with a forged signature.
        current = registry.get(token.auth_app_id)
        assert current is not None
        for fault in ("unsigned", "truncated_body"):
            emulator.set_fault(fault, times=1)
            seen.provoke(
                f"{fault} refresh",
                lambda: client.refresh_app_auth_token(str(current.app_refresh_token)),
                SignatureError if fault == "unsigned" else TransportError,
            )
        answer = (
            '{"alipay_open_auth_token_app_response":{"code":"10000","msg":"Success",'
            f'"tokens":[{{"app_auth_token":"{token.app_auth_token}",'
            f'"app_refresh_token":"{token.app_refresh_token}"}}]}},"sign":"{MARKER}AAAA"}}'
        )
        verifier = config.response_verifier()
        seen.provoke("forged answer", lambda: verifier.verify(TOKEN_METHOD, answer), SignatureError)
        seen.provoke(
            "malformed answer",
            lambda: verifier.verify(TOKEN_METHOD, answer[: len(answer) // 2]),
            ProtocolError,
        )
        seen.provoke(
            "answer of another method",
            lambda: verifier.verify(SUCCEEDING_METHOD, answer),
            AlipayError,
        )

        # 7. The merchant revokes: the push revokes the record; every use fails.
        pushed_before = len(gateway.bodies)
        emulator.revoke(token.auth_app_id)
        gateway.wait_for(pushed_before + 1)
        cancelled = config.notification_verifier().verify_body(gateway.bodies[pushed_before])
        assert isinstance(cancelled, MessageNotification)
        seen.show("cancellation", cancelled, registry.ingest_notification(cancelled))
        seen.show("revoked record", registry.get(token.auth_app_id))
        seen.provoke("revoked token_for", lambda: registry.token_for(token.auth_app_id), StoreError)
        seen.provoke(
            "revoked execute_for",
            lambda: registry.execute_for(token.auth_app_id, SUCCEEDING_METHOD, {}),
            StoreError,
        )
        seen.provoke(
            "revoked token call",
            lambda: client.execute(SUCCEEDING_METHOD, {}, app_auth_token=fresh),
            ApiError,
        )
        seen.provoke(
            "made-up token call",
            lambda: client.execute(SUCCEEDING_METHOD, {}, app_auth_token=f"202511BB{MARKER}"),
            ApiError,
        )
        seen.show("revoked query", client.query_app_auth_token(fresh))

        # 8. Bad key texts and keys: the errors never quote them.
        pkcs8_pem = app_private.to_pkcs8_pem()
        lines = pkcs8_pem.splitlines()
        bad_texts = {
            "marker PEM": pem("PRIVATE KEY", MARKER * 2),
            "marker public PEM": pem("PUBLIC KEY", MARKER * 2),
            "marker RSA PEM": pem("RSA PRIVATE KEY", MARKER),
            "not Base64": f"{MARKER}!@#$%^&*(){MARKER}",
            "marker Base64": f"{MARKER}{MARKER}{MARKER}",
            "truncated PEM": "\n".join(lines[:-3] + lines[-1:]),
            "flipped Base64": app_private.to_pkcs8_base64()[:-20]
            + MARKER
            + app_private.to_pkcs8_base64()[-4:],
            "PKCS#1 Base64 with a marker": app_private.to_pkcs1_base64()[:200] + MARKER,
        }
        for what, text in bad_texts.items():
            seen.provoke(f"PrivateKey({what})", lambda text=text: PrivateKey(text), ConfigError)
            seen.provoke(f"PublicKey({what})", lambda text=text: PublicKey(text), ConfigError)
        seen.provoke(
            "PrivateKey.from_der",
            lambda: PrivateKey.from_der(base64.b64decode(app_private.to_pkcs8_base64())[:-40]),
            ConfigError,
        )
        seen.provoke("AesKey(marker)", lambda: AesKey(MARKER + "=="), ConfigError)
        seen.provoke(
            "TokenKey(short)", lambda: TokenKey.from_bytes(TOKEN_KEY_BYTES[:31]), ConfigError
        )
        seen.provoke("TokenKey(marker)", lambda: TokenKey(MARKER * 2), ConfigError)
        seen.provoke(
            "registry with another key",
            lambda: Registry(tmp_path / "secrets.db", key=TokenKey.generate_base64()),
            StoreError,
        )
        seen.provoke(
            "registry without its key", lambda: Registry(tmp_path / "secrets.db"), StoreError
        )
        seen.provoke(
            "own key as the Alipay key",
            lambda: IsvConfig(APP_ID, app_private, app_public, gateway=emulator.gateway_url),
            ConfigError,
        )
        seen.provoke(
            "an AES key of the wrong size",
            lambda: IsvConfig(
                APP_ID,
                app_private,
                emulator.alipay_public_key,
                aes_key=base64.b64encode(AES_BYTES[:15]).decode(),
            ),
            ConfigError,
        )
        registry.close()
        seen.show("closed", registry, emulator)
    seen.show("stopped", emulator)

    # The test saw what it meant to: the secrets, the errors, the objects.
    kinds = set(secrets.values.values())
    for expected in (
        "app_auth_code",
        "app_auth_token",
        "app_refresh_token",
        "auth_code",
        "access_token",
        "user refresh_token",
        "refreshed app_auth_token",
        "refreshed app_refresh_token",
        "plugin app_auth_token",
        "plugin app_refresh_token",
        "app private key",
    ):
        assert expected in kinds, expected
    assert len(seen.errors) >= 30, len(seen.errors)
    assert {error.kind for error in seen.errors if isinstance(error, AlipayError)} >= {
        "config",
        "signature",
        "api",
        "store",
    }
    # The search works: a secret planted in a text is found, a masked prefix is not.
    assert secrets.leaks(f"x{token.app_auth_token}y") == ["app_auth_token"]
    assert secrets.leaks(f"x{pem_body[200:230]}y") == ["app private key"]
    assert secrets.leaks(f"{token.app_auth_token[:4]}…(40 chars)") == []
    for minted in (token.app_auth_token, token.app_refresh_token, user.access_token):
        assert TOKEN_SHAPE.search(str(minted)), minted
    assert f"{token.app_auth_token[:4]}…" in repr(token), "the token repr is not masked as known"

    # Public text may share runs with the private key (the modulus, the PKCS#8 structure).
    other = generate_key_pair(2048).private_key
    secrets.forget(
        [app_public.to_pem(), app_public.to_base64(), *key_material(other), other.to_pkcs8_pem()]
    )

    captured = capfd.readouterr()
    logged = [record.getMessage() for record in caplog.records]
    texts = [
        *seen.texts,
        ("stdout", captured.out),
        ("stderr", captured.err),
        *((f"log {index}", line) for index, line in enumerate(logged)),
        *((f"warning {index}", str(caught.message)) for index, caught in enumerate(recwarn)),
    ]
    leaked = {where: secrets.leaks(text) for where, text in texts if secrets.leaks(text)}
    assert not leaked, f"secrets leaked: {leaked}"
    # Tokens the test never received (minted for a faulted refresh) have the emulator's shapes.
    shaped = {where: TOKEN_SHAPE.findall(text) for where, text in texts}
    assert not {where: found for where, found in shaped.items() if found}, shaped
    assert len(texts) > 100, len(texts)


def test_callback_and_link_reprs_hide_the_query() -> None:
    # The callback URL's code, and an authorisation link's own parameters, stay out of reprs.
    link = app_auth_link(APP_ID, CALLBACK, host="sandbox")
    assert isinstance(link, AuthLink)
    query = urllib.parse.urlsplit(link.url).query
    assert query and query not in repr(link)
    code = "0123456789abcdef0123456789abcdef"
    callback = parse_app_auth_callback(
        f"{CALLBACK}?app_id={APP_ID}&app_auth_code={code}&state={link.state}", APP_ID, link.state
    )
    assert callback.app_auth_code == code
    assert code[4:] not in repr(callback) and code[4:] not in str(callback)
