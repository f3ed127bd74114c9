"""A minimal ISV plugin server: a WSGI application on the standard library's ``wsgiref`` server
(threaded), keeping its merchants and service-market orders in an ``alipay_isv.Registry`` (a
SQLite file; tokens encrypted at rest when a key is given):

* ``GET /alipay/authorize`` — redirects the merchant to the authorisation link; the ``state`` is
  remembered in a cookie (a real server would use its session).
* ``GET /alipay/callback`` — checks the callback (``app_id``, ``state``), exchanges the code and
  ingests the merchant's tokens into the registry.
* ``POST /alipay/gateway`` — the application gateway: an ``alipay_isv.Gateway`` served by its
  WSGI adapter (``gateway.wsgi_app()``). It verifies each notification, stores it in the
  registry (authorisations, cancellations, service-market orders; Alipay's retries are stored
  once, late messages never win) and only then runs the handler of its kind and answers
  ``success`` (``fail`` when the handler raises, so Alipay retries); it answers the signed
  gateway check (``service=alipay.service.check``) too. The order handler accepts each new
  order through the registry, which records it.
* ``GET /merchants/<auth_app_id>/versions`` — one delegated call on the merchant's behalf, the
  token looked up (and refreshed when due) by the registry.
* ``GET /metrics`` — the counters of every gateway call, notification, refresh and revocation,
  in Prometheus' text format (``alipay_isv.prometheus_metrics()``): point a scrape job at it.
  The same events are logged to the ``alipay_isv.*`` loggers (``logging.basicConfig`` shows them).

Nothing Alipay-specific is done by hand: every check, signature, answer and token rule is
alipay_isv's. With Flask, mount ``gateway.wsgi_app()`` with werkzeug's ``DispatcherMiddleware``;
with FastAPI or Starlette, route the path to ``gateway.asgi_app()``. See
``plugin_server_demo.py`` for a run against the emulator.
"""

from __future__ import annotations

import http
import http.cookies
import json
import os
import socketserver
import threading
from collections.abc import Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.util import request_uri

import alipay_isv

STATE_COOKIE = "alipay_state"

Answer = tuple[int, dict[str, str], bytes]


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    """``wsgiref``'s server, one thread per request (the registry is shared by all)."""

    daemon_threads = True


class _Handler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # the application logs each request (paths only) as it starts


class PluginServer:
    """The plugin's HTTP server, its merchant registry, its application gateway, and the
    notifications its handlers received."""

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
        self.auth_host = auth_host
        # One registry per process, shared by every request thread; it survives restarts.
        self.registry = alipay_isv.Registry(registry_path, key=token_key, client=self.client)
        # What the gateway's handlers received: (notification, what the registry did with it).
        self.ingested: list[tuple[Any, alipay_isv.IngestOutcome]] = []
        self.lock = threading.Lock()
        self.gateway = alipay_isv.Gateway(
            config,
            self.registry,
            on_authorisation=self.record,
            on_cancellation=self.record,
            on_order=self.accept,
        )
        self.gateway_app = self.gateway.wsgi_app()
        self.httpd = make_server(
            host, port, self.app, server_class=_ThreadingServer, handler_class=_Handler
        )
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    def start(self) -> PluginServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.registry.close()

    # --- the gateway's handlers: each runs after the notification was stored ---

    def record(self, delivery: alipay_isv.GatewayDelivery[Any]) -> None:
        """An authorisation or a cancellation: the registry already holds it."""
        with self.lock:
            self.ingested.append((delivery.notification, delivery.ingest))

    def accept(
        self, delivery: alipay_isv.GatewayDelivery[alipay_isv.ServiceMarketOrderNotification]
    ) -> None:
        """A service-market order: accept it (接单) through the registry, which records it. An
        order already accepted (the handler ran before, and Alipay retried) is left as it is;
        a failed call raises, the gateway answers ``fail`` and Alipay retries."""
        order_id = delivery.notification.commodity_order_id
        stored = self.registry.order(order_id)
        if stored is not None and stored.status == alipay_isv.ORDER_PLACED:
            self.registry.accept_order(order_id)
        self.record(delivery)

    # --- the other endpoints: each returns (status, headers, body) ---

    def authorize(self) -> Answer:
        link = alipay_isv.app_auth_link(
            self.config.app_id, self.base_url + "/alipay/callback", host=self.auth_host
        )
        cookie = f"{STATE_COOKIE}={link.state}; HttpOnly; SameSite=Lax; Path=/alipay"
        return 302, {"Location": link.url, "Set-Cookie": cookie}, b""

    def callback(self, url: str, cookies: str | None) -> Answer:
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

    def versions(self, auth_app_id: str) -> Answer:
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

    def app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """The WSGI application: the gateway's adapter at ``/alipay/gateway``, the rest here."""
        path = environ.get("PATH_INFO", "")
        # Paths only (the callback query carries a code): never log query strings.
        print(f"  plugin: {environ['REQUEST_METHOD']} {path}")
        if path == "/alipay/gateway":
            return self.gateway_app(environ, start_response)
        parts = path.strip("/").split("/")
        if environ["REQUEST_METHOD"] != "GET":
            answer: Answer = 404, {}, b"not found\n"
        elif path == "/alipay/authorize":
            answer = self.authorize()
        elif path == "/alipay/callback":
            answer = self.callback(request_uri(environ), environ.get("HTTP_COOKIE"))
        elif len(parts) == 3 and parts[0] == "merchants" and parts[2] == "versions":
            answer = self.versions(parts[1])
        elif path == "/metrics":
            metrics = alipay_isv.prometheus_metrics().encode()
            answer = 200, {"Content-Type": "text/plain; version=0.0.4"}, metrics
        else:
            answer = 404, {}, b"not found\n"
        status, headers, body = answer
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        headers["Content-Length"] = str(len(body))
        start_response(f"{status} {http.HTTPStatus(status).phrase}", list(headers.items()))
        return [body]
