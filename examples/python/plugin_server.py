"""A minimal ISV plugin server on the standard library's ``http.server``, keeping its merchants in
an ``alipay_isv.Registry`` (a SQLite file; tokens encrypted at rest when a key is given):

* ``GET /alipay/authorize`` — redirects the merchant to the authorisation link; the ``state`` is
  remembered in a cookie (a real server would use its session).
* ``GET /alipay/callback`` — checks the callback (``app_id``, ``state``), exchanges the code and
  ingests the merchant's tokens into the registry.
* ``POST /alipay/gateway`` — the application gateway: verifies each notification, ingests it
  (merchant authorisations, cancellations; retries are duplicates, late ones stale) and only
  then answers ``success``; answers the signed gateway check (``service=alipay.service.check``)
  too.
* ``GET /merchants/<auth_app_id>/versions`` — one delegated call on the merchant's behalf, the
  token looked up (and refreshed when due) by the registry.
* ``GET /metrics`` — the counters of every gateway call, notification, refresh and revocation,
  in Prometheus' text format (``alipay_isv.prometheus_metrics()``): point a scrape job at it.
  The same events are logged to the ``alipay_isv.*`` loggers (``logging.basicConfig`` shows them).

Nothing Alipay-specific is done by hand: every check, signature and token rule is alipay_isv's.
See ``plugin_server_demo.py`` for a run against the emulator.
"""

from __future__ import annotations

import http.cookies
import http.server
import json
import os
import threading
import urllib.parse
from typing import Any

import alipay_isv

STATE_COOKIE = "alipay_state"
# The largest body the gateway endpoint reads (the library's own limit for notifications).
MAX_BODY_BYTES = 10 * 1024 * 1024


class PluginServer:
    """The plugin's HTTP server, its merchant registry and the notifications it ingested."""

    def __init__(
        self,
        config: alipay_isv.IsvConfig,
        registry_path: str | os.PathLike[str],
        *,
        token_key: alipay_isv.TokenKey | str | None = None,
        auth_host: str = "production",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.config = config
        self.client = alipay_isv.Client(config, read_timeout=10)
        self.verifier = config.notification_verifier()
        self.auth_host = auth_host
        # One registry per process, shared by every request thread; it survives restarts.
        self.registry = alipay_isv.Registry(registry_path, key=token_key, client=self.client)
        self.ingested: list[tuple[Any, alipay_isv.IngestOutcome]] = []
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
        self.registry.close()

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
            self.registry.ingest_tokens(tokens)
        except alipay_isv.AlipayError as error:  # never shows a token or a code
            return 400, {}, f"authorisation failed: {error.kind}: {error}\n".encode()
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
        try:
            # Stored before `success` is answered: a failure makes Alipay retry later.
            outcome = self.registry.ingest_notification(notification)
        except alipay_isv.AlipayError:
            return 200, {}, b"fail"
        with self.lock:
            self.ingested.append((notification, outcome))
        return 200, {}, alipay_isv.SUCCESS_ACK.encode()

    def versions(self, auth_app_id: str) -> tuple[int, dict[str, str], bytes]:
        try:
            answer = self.registry.execute_for(
                auth_app_id, "alipay.open.mini.version.list.query", {}
            )
            status, payload = 200, answer.fields
        except alipay_isv.StoreError:  # unknown or revoked: no call was made
            record = self.registry.get(auth_app_id)
            status = 404 if record is None else 410
            payload = {"error": "unknown merchant" if record is None else "merchant revoked"}
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
                elif path == "/metrics":
                    metrics = alipay_isv.prometheus_metrics().encode()
                    self._answer(200, {"Content-Type": "text/plain; version=0.0.4"}, metrics)
                else:
                    self._answer(404, {}, b"not found\n")

            def do_POST(self) -> None:
                # Never read more than a notification may hold: the length is checked first.
                try:
                    length = int(self.headers.get("Content-Length", ""))
                except ValueError:
                    self._answer(411, {}, b"a Content-Length is required\n")
                    return
                if not 0 <= length <= MAX_BODY_BYTES:
                    self._answer(413, {}, b"too large\n")
                    return
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
