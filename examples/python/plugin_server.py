"""A minimal ISV plugin server on the standard library's ``http.server``:

* ``GET /alipay/authorize`` — redirects the merchant to the authorisation link; the ``state`` is
  remembered in a cookie (a real server would use its session).
* ``GET /alipay/callback`` — checks the callback (``app_id``, ``state``), exchanges the code and
  keeps the merchant's tokens in memory (a real server would store them, encrypted).
* ``POST /alipay/gateway`` — the application gateway: verifies each notification (merchant
  authorisations, cancellations) and answers ``success``; answers the signed gateway check
  (``service=alipay.service.check``) too.
* ``GET /merchants/<auth_app_id>/versions`` — one delegated call on the merchant's behalf.

Nothing Alipay-specific is done by hand: every check and signature is alipay_isv's. See
``plugin_server_demo.py`` for a run against the emulator.
"""

from __future__ import annotations

import http.cookies
import http.server
import json
import threading
import urllib.parse
from typing import Any

import alipay_isv

STATE_COOKIE = "alipay_state"


class PluginServer:
    """The plugin's state (tokens by merchant app, verified notifications) and its HTTP server."""

    def __init__(
        self,
        config: alipay_isv.IsvConfig,
        *,
        auth_host: str = "production",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.config = config
        self.client = alipay_isv.Client(config, read_timeout=10)
        self.verifier = config.notification_verifier()
        self.auth_host = auth_host
        self.tokens: dict[str, alipay_isv.AppAuthToken | alipay_isv.AppAuthDetail] = {}
        self.notifications: list[Any] = []
        self.lock = threading.Lock()
        self.httpd = http.server.ThreadingHTTPServer((host, port), self._handler())
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> PluginServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- the four endpoints: each returns (status, headers, body) ---

    def authorize(self) -> tuple[int, dict[str, str], bytes]:
        link = alipay_isv.app_auth_link(
            self.config.app_id, self.base_url + "/alipay/callback", host=self.auth_host
        )
        cookie = f"{STATE_COOKIE}={link.state}; HttpOnly; SameSite=Lax; Path=/alipay"
        return 302, {"Location": link.url, "Set-Cookie": cookie}, b""

    def callback(self, url: str, cookies: str | None) -> tuple[int, dict[str, str], bytes]:
        jar = http.cookies.SimpleCookie(cookies or "")
        issued = jar[STATE_COOKIE].value if STATE_COOKIE in jar else None
        if issued is None:
            return 400, {}, b"no authorisation in progress\n"
        try:
            callback = alipay_isv.parse_app_auth_callback(url, self.config.app_id, issued)
            tokens = self.client.exchange_app_auth_code(callback.app_auth_code)
        except alipay_isv.AlipayError as error:  # never shows a token or a code
            return 400, {}, f"authorisation failed: {error.kind}: {error}\n".encode()
        with self.lock:
            for token in tokens:
                self.tokens[token.auth_app_id] = token
        apps = ", ".join(token.auth_app_id for token in tokens)
        clear = f"{STATE_COOKIE}=; Max-Age=0; Path=/alipay"
        return 200, {"Set-Cookie": clear}, f"authorised {apps}\n".encode()

    def gateway(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        params = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        try:
            notification = self.verifier.verify_body(body)
        except alipay_isv.AlipayError:
            if params.get("service") == alipay_isv.SERVICE_CHECK:
                answer = self.config.service_check_answer(verified=False)
                return 200, {"Content-Type": "text/xml; charset=utf-8"}, answer.encode()
            return 200, {}, b"fail"
        if notification.params.get("service") == alipay_isv.SERVICE_CHECK:
            answer = self.config.service_check_answer(verified=True)
            return 200, {"Content-Type": "text/xml; charset=utf-8"}, answer.encode()
        with self.lock:
            self.notifications.append(notification)
            if isinstance(notification, alipay_isv.AppAuthNotification):
                self.tokens.setdefault(notification.detail.auth_app_id, notification.detail)
            elif (
                isinstance(notification, alipay_isv.MessageNotification)
                and notification.is_app_auth_cancelled
                and notification.msg_app_id
            ):
                self.tokens.pop(notification.msg_app_id, None)
        return 200, {}, alipay_isv.SUCCESS_ACK.encode()

    def versions(self, auth_app_id: str) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            token = self.tokens.get(auth_app_id)
        if token is None:
            return 404, {}, b"unknown merchant\n"
        try:
            answer = self.client.execute(
                "alipay.open.mini.version.list.query", {}, app_auth_token=token.app_auth_token
            )
            status, payload = 200, answer.fields
        except alipay_isv.ApiError as error:
            status, payload = 502, {"code": error.code, "sub_code": error.sub_code}
        except alipay_isv.AlipayError as error:
            status, payload = 502, {"error": error.kind}
        body = json.dumps(payload, ensure_ascii=False).encode()
        return status, {"Content-Type": "application/json; charset=utf-8"}, body

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        plugin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                parts = path.strip("/").split("/")
                if path == "/alipay/authorize":
                    self._answer(*plugin.authorize())
                elif path == "/alipay/callback":
                    self._answer(*plugin.callback(self.path, self.headers.get("Cookie")))
                elif len(parts) == 3 and parts[0] == "merchants" and parts[2] == "versions":
                    self._answer(*plugin.versions(parts[1]))
                else:
                    self._answer(404, {}, b"not found\n")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if urllib.parse.urlsplit(self.path).path == "/alipay/gateway":
                    self._answer(*plugin.gateway(body))
                else:
                    self._answer(404, {}, b"not found\n")

            def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                headers.setdefault("Content-Type", "text/plain; charset=utf-8")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                # Paths only (the callback query carries a code): never log query strings.
                print(f"  plugin: {self.command} {urllib.parse.urlsplit(self.path).path}")

        return Handler
