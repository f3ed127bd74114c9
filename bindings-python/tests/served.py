"""Real web servers on loopback for the tests of the Gateway's framework adapters: an ASGI
application served by uvicorn, a WSGI application served by werkzeug (threaded), each on
127.0.0.1 and a free port in a background thread; and a small HTTP client that can send a body
without a ``Content-Length``."""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from werkzeug.serving import make_server

FORM = "application/x-www-form-urlencoded; charset=utf-8"

# werkzeug logs every request to the "werkzeug" logger: keep the output to failures.
logging.getLogger("werkzeug").setLevel(logging.WARNING)


@contextlib.contextmanager
def asgi_served(app: Any) -> Iterator[str]:
    """Serves the ASGI ``app`` with uvicorn; yields its base URL, stops it afterwards."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


@contextlib.contextmanager
def wsgi_served(app: Any) -> Iterator[str]:
    """Serves the WSGI ``app`` with werkzeug's threaded server; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Answer:
    """An HTTP answer."""

    status: int
    headers: dict[str, str]
    body: bytes


def request(
    method: str,
    url: str,
    body: bytes | None = None,
    content_type: str | None = FORM,
    *,
    chunked: bool = False,
) -> Answer:
    """One request; ``chunked`` sends the body with ``Transfer-Encoding: chunked`` (no
    ``Content-Length``)."""
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname and parts.port
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Content-Type": content_type} if content_type else {}
    if chunked:  # an iterable body without a length goes chunked
        connection.request(method, parts.path, body=iter([body or b""]), headers=headers)
    else:
        connection.request(method, parts.path, body=body, headers=headers)
    response = connection.getresponse()
    answer = Answer(
        response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    )
    connection.close()
    return answer


def post_without_length(url: str, content_type: str = FORM) -> Answer:
    """A ``POST`` with neither ``Content-Length`` nor ``Transfer-Encoding`` (HTTP/1.0 style,
    the body ending with the connection), sent on a raw socket."""
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname and parts.port
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        connection.sendall(
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Content-Type: {content_type}\r\nConnection: close\r\n\r\n".encode()
        )
        connection.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return Answer(status, {}, body)
