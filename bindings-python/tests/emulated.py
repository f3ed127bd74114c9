"""Helpers of the tests that run against the emulator: the test app's keys, an application
gateway served by the standard library that records (and acknowledges) every push, a way to
start an emulator with a client configured for it, and notifications signed with the emulator's
"Alipay" key as the gateway signs them."""

from __future__ import annotations

import contextlib
import http.server
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from alipay_isv import (
    Client,
    Emulator,
    IsvConfig,
    PrivateKey,
    Signer,
    app_auth_link,
    parse_app_auth_callback,
    sign_content,
)

from vectors import read_key

APP_ID = "2021000000000001"
APP_PRIVATE = PrivateKey(read_key("keys/app_2048_pkcs8.pem"))
APP_PUBLIC = APP_PRIVATE.public_key()
# The emulator's own "Alipay" key: fixed (from the vectors) so that no test waits for key
# generation, and so that the official SDK can be given its public half as text.
ALIPAY_PRIVATE = PrivateKey(read_key("keys/alipay_2048_pkcs8.pem"))
CALLBACK = "https://isv.example.com/alipay/callback"
SUCCEEDING_METHOD = "alipay.open.mini.version.list.query"


class AppGateway:
    """A tiny application gateway (应用网关) on loopback: records each POSTed form body and
    answers ``success`` (or ``fail`` while ``failures_left`` > 0, to the bodies containing
    ``failing_only`` when it is set)."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.failures_left = 0
        self.failing_only: bytes | None = None
        self._changed = threading.Condition()
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with gateway._changed:
                    failing = gateway.failures_left > 0 and (
                        gateway.failing_only is None or gateway.failing_only in body
                    )
                    if failing:
                        gateway.failures_left -= 1
                    else:
                        gateway.bodies.append(body)
                    gateway._changed.notify_all()
                answer = b"fail" if failing else b"success"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep the test output clean (and tokens out of it)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Where the emulator posts."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/alipay/gateway"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[bytes]:
        """Waits until ``count`` bodies were acknowledged; returns them all."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self.bodies) >= count, timeout)
            assert arrived, f"{len(self.bodies)} of {count} pushes arrived within {timeout} s"
            return list(self.bodies)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Setup:
    """An emulator, a client configured for it, and the application gateway it pushes to."""

    emulator: Emulator
    config: IsvConfig
    client: Client
    gateway: AppGateway


# Tokens of the short-lived emulator (the ``short`` fixture) live 6 s; registries under test
# refresh 3 s before expiry.
SHORT_TTL = 6.0
MARGIN = 3.0


def config_for(emulator: Emulator) -> IsvConfig:
    """The test app's configuration pointing at ``emulator``."""
    return IsvConfig(APP_ID, APP_PRIVATE, emulator.alipay_public_key, gateway=emulator.gateway_url)


@contextlib.contextmanager
def emulated(*, app_auth_token_ttl: float = 31536000.0, **client_options: float) -> Iterator[Setup]:
    """Starts an application gateway and an emulator pushing to it (merchant tokens living
    ``app_auth_token_ttl`` seconds); stops both afterwards."""
    gateway = AppGateway()
    emulator = Emulator(
        APP_ID,
        APP_PUBLIC,
        notify_url=gateway.url,
        alipay_private_key=ALIPAY_PRIVATE,
        notify_backoff=0.02,
        app_auth_token_ttl=app_auth_token_ttl,
    )
    try:
        config = config_for(emulator)
        yield Setup(emulator, config, Client(config, **client_options), gateway)
    finally:
        emulator.stop()
        gateway.close()


def authorise_merchant(setup: Setup) -> tuple[str, str]:
    """A merchant authorises through the emulator; returns ``(app_auth_token, auth_app_id)``."""
    link = app_auth_link(APP_ID, CALLBACK, host=setup.emulator.base_url)
    callback = parse_app_auth_callback(
        setup.emulator.merchant_authorizes(link.url), APP_ID, link.state
    )
    (token,) = setup.client.exchange_app_auth_code(callback.app_auth_code)
    return token.app_auth_token, token.auth_app_id


def signed_body(params: Mapping[str, str]) -> bytes:
    """A form body of ``params`` signed with the emulator's "Alipay" key (:data:`ALIPAY_PRIVATE`)
    as the gateway signs a notification (V1: ``sign_type`` left out of the content)."""
    sign = Signer(ALIPAY_PRIVATE).sign(sign_content(dict(params)))
    return urllib.parse.urlencode({**params, "sign_type": "RSA2", "sign": sign}).encode()
