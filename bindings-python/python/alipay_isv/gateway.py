"""The framework adapters of :class:`alipay_isv.Gateway`, the application gateway (应用网关): an
ASGI 3 application (Starlette, FastAPI, any ASGI server) and a WSGI application (Flask, Django,
any WSGI server), plus :func:`handle_async` for other asyncio hosts.

Each adapter only moves bytes: it reads the raw body (never more than
:attr:`Gateway.max_body_bytes` + 1 bytes), hands it with the ``Content-Type`` to the gateway, runs
the handler of the delivery's kind, and writes the gateway's answer back unchanged. Verifying,
storing, the answer and its status are the gateway's (the Rust core's)::

    import alipay_isv

    gateway = alipay_isv.Gateway(config, registry, on_order=accept)

    # FastAPI / Starlette: route the path given to Alipay to the ASGI app
    from starlette.routing import Route
    app.routes.append(Route("/alipay/gateway", gateway.asgi_app(), methods=["POST"]))

    # Flask: mount the WSGI app beside the Flask app
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/alipay/gateway": gateway.wsgi_app()})

Only ``POST`` is served (405 otherwise). In the ASGI app, the gateway's native calls run on a
worker thread (``asyncio.to_thread``; they release the GIL) and an ``async def`` handler is
awaited on the event loop, a plain one runs on a worker thread; in the WSGI app, everything runs
on the server's request thread.
"""

from __future__ import annotations

import asyncio
import http
import inspect
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import TYPE_CHECKING, Any, Protocol

from alipay_isv._native import GatewayDelivery

if TYPE_CHECKING:
    from alipay_isv._native import Gateway, GatewayResult

__all__ = [
    "AsgiApp",
    "AsgiGateway",
    "StartResponse",
    "WsgiApp",
    "WsgiGateway",
    "asgi_app",
    "handle_async",
    "wsgi_app",
]

AsgiScope = MutableMapping[str, Any]
AsgiMessage = MutableMapping[str, Any]
AsgiReceive = Callable[[], Awaitable[AsgiMessage]]
AsgiSend = Callable[[AsgiMessage], Awaitable[None]]
AsgiApp = Callable[[AsgiScope, AsgiReceive, AsgiSend], Awaitable[None]]
"""An ASGI 3 application: ``await app(scope, receive, send)``."""


class StartResponse(Protocol):
    """The ``start_response`` callable a WSGI server passes to an application."""

    def __call__(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None, /
    ) -> Callable[[bytes], object]: ...


WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
"""A WSGI application: ``app(environ, start_response)``."""

_TEXT = "text/plain; charset=utf-8"


async def handle_async(
    gateway: Gateway, content_type: str | None, body: bytes | str
) -> GatewayResult:
    """:meth:`Gateway.handle` for asyncio: :meth:`Gateway.receive` on a worker thread, the
    handler of the delivery's kind (awaited when it is ``async def`` or returns an awaitable,
    otherwise run on a worker thread), then :meth:`Gateway.finish` on a worker thread. A handler
    that raises an ``Exception`` makes the answer ``fail`` (500); cancellation propagates (the
    notification stays stored, and Alipay's retry runs the handler again).
    """
    received = await asyncio.to_thread(gateway.receive, content_type, body)
    if not isinstance(received, GatewayDelivery):
        return received
    handler = gateway.handler_for(received.kind)
    error: Exception | None = None
    if handler is not None:
        try:
            if inspect.iscoroutinefunction(handler):
                await handler(received)
            else:
                returned = await asyncio.to_thread(handler, received)
                if inspect.isawaitable(returned):
                    await returned
        except Exception as raised:  # the handler's failure is an answer: `fail`, retried
            error = raised
    return await asyncio.to_thread(gateway.finish, received, error)


class AsgiGateway:
    """An ASGI 3 application serving a :class:`Gateway` (build it with :meth:`Gateway.asgi_app`
    or :func:`asgi_app`). Being an object rather than a function, Starlette's and FastAPI's
    ``Route`` takes it as an ASGI application: route Alipay's exact path to it (a ``Mount``
    serves it under a prefix, every path below it).

    It answers ``POST`` requests with the gateway's answer (see :func:`handle_async`), other
    methods with 405; it reads the body as it arrives and stops after
    :attr:`Gateway.max_body_bytes` + 1 bytes (the gateway then answers 413). It also answers the
    ASGI lifespan protocol, so it can be served on its own.
    """

    __slots__ = ("_limit", "gateway")

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        """The gateway it serves."""
        self._limit = gateway.max_body_bytes

    async def __call__(self, scope: AsgiScope, receive: AsgiReceive, send: AsgiSend) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise RuntimeError(f"the Alipay application gateway serves HTTP, not {scope['type']}")
        if scope["method"] != "POST":
            await _asgi_answer(send, 405, _TEXT, b"method not allowed\n", [(b"allow", b"POST")])
            return
        body = await _asgi_body(receive, self._limit)
        if body is None:  # the client went away
            return
        result = await handle_async(self.gateway, _asgi_header(scope, b"content-type"), body)
        await _asgi_answer(send, result.status, result.content_type, result.body.encode())

    def __repr__(self) -> str:
        return f"AsgiGateway({self.gateway!r})"


def asgi_app(gateway: Gateway) -> AsgiGateway:
    """The ASGI 3 application serving ``gateway`` (:class:`AsgiGateway`); the same as
    :meth:`Gateway.asgi_app`."""
    return AsgiGateway(gateway)


async def _lifespan(receive: AsgiReceive, send: AsgiSend) -> None:
    """Answers the ASGI lifespan messages (nothing to start or stop)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _asgi_header(scope: AsgiScope, name: bytes) -> str | None:
    """The value of the request header ``name`` (lower case), or ``None``."""
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _asgi_body(receive: AsgiReceive, limit: int) -> bytes | None:
    """The request body, at most ``limit`` + 1 bytes of it (reading stops there); ``None`` when
    the client disconnected first."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        body += chunk[: limit + 1 - len(body)]
        if len(body) > limit or not message.get("more_body", False):
            return bytes(body)


async def _asgi_answer(
    send: AsgiSend,
    status: int,
    content_type: str,
    body: bytes,
    extra: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    headers = [
        (b"content-type", content_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode("ascii")),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class WsgiGateway:
    """A WSGI application serving a :class:`Gateway` (build it with :meth:`Gateway.wsgi_app` or
    :func:`wsgi_app`): mount it where Alipay posts (werkzeug's ``DispatcherMiddleware`` beside a
    Flask app, a Flask or Django view returning its response) or serve it alone.

    It answers ``POST`` requests with :meth:`Gateway.handle` (handlers run on the request's
    thread), other methods with 405. It reads at most :attr:`Gateway.max_body_bytes` + 1 bytes
    of the ``CONTENT_LENGTH`` the request declares (the gateway then answers 413); a request
    without a length is answered 411, unless the server sets ``wsgi.input_terminated`` (a
    chunked body, read up to the same limit).
    """

    __slots__ = ("_limit", "gateway")

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        """The gateway it serves."""
        self._limit = gateway.max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _wsgi_answer(
                start_response, 405, _TEXT, b"method not allowed\n", [("Allow", "POST")]
            )
        stream = environ["wsgi.input"]
        declared = (environ.get("CONTENT_LENGTH") or "").strip()
        if declared.isdigit():
            body = _wsgi_read(stream, min(int(declared), self._limit + 1))
        elif not declared and environ.get("wsgi.input_terminated"):
            body = _wsgi_read(stream, self._limit + 1)
        else:
            return _wsgi_answer(start_response, 411, _TEXT, b"a Content-Length is required\n")
        result = self.gateway.handle(environ.get("CONTENT_TYPE") or None, body)
        return _wsgi_answer(
            start_response, result.status, result.content_type, result.body.encode()
        )

    def __repr__(self) -> str:
        return f"WsgiGateway({self.gateway!r})"


def wsgi_app(gateway: Gateway) -> WsgiGateway:
    """The WSGI application serving ``gateway`` (:class:`WsgiGateway`); the same as
    :meth:`Gateway.wsgi_app`."""
    return WsgiGateway(gateway)


def _wsgi_read(stream: Any, size: int) -> bytes:
    """Up to ``size`` bytes of ``stream`` (fewer at its end)."""
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = stream.read(min(left, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _wsgi_answer(
    start_response: StartResponse,
    status: int,
    content_type: str,
    body: bytes,
    extra: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra]
    start_response(f"{status} {http.HTTPStatus(status).phrase}", headers)
    return [body]
