"""The exception hierarchy of alipay-isv: one base class, one subclass per error category.

Every error raised by the library is an :class:`AlipayError` with a stable ``kind`` and a
human-readable ``reason``; catch a subclass to handle one category. No exception ever carries a
secret (private key, ``app_auth_token``, ``access_token``, refresh token).

A Rust panic inside the native extension (a bug) is raised as the base :class:`AlipayError`
itself, with ``kind == "internal"``; it is the only case where the base class is raised directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal, TypeAlias

__all__ = [
    "AlipayError",
    "ApiError",
    "ConfigError",
    "ProtocolError",
    "SignatureError",
    "StoreError",
    "TransportError",
]

ErrorKind: TypeAlias = Literal[
    "config", "signature", "api", "transport", "protocol", "store", "internal"
]
"""The stable category names of :attr:`AlipayError.kind`."""


class AlipayError(Exception):
    """Base class of every alipay-isv error.

    Attributes:
        kind: the stable category name: ``"config"``, ``"signature"``, ``"api"``,
            ``"transport"``, ``"protocol"``, ``"store"``, or ``"internal"`` (a caught panic).
        reason: what went wrong and what to check.
    """

    kind: ClassVar[ErrorKind] = "internal"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class ConfigError(AlipayError):
    """The configuration is unusable: a malformed or unsupported key, a bad option, a character
    the charset cannot encode. Fix the input; retrying will not help."""

    kind = "config"


class SignatureError(AlipayError):
    """A signature did not verify: tampered or truncated content, or the wrong public key
    configured (for instance the app's own public key where the Alipay public key belongs)."""

    kind = "signature"


class ApiError(AlipayError):
    """The Alipay gateway answered with an error (``code`` other than ``10000``).

    Attributes:
        code: the gateway's ``code``, e.g. ``"40004"``.
        msg: the gateway's ``msg``, e.g. ``"Business Failed"``.
        sub_code: the gateway's ``sub_code``, e.g. ``"isv.code-invalid"``, when present.
        sub_msg: the gateway's ``sub_msg``, when present.
        signed: whether the error response carried a signature that verified.
        hint: a one-line hint on what to do, for the well-known sub-codes.
        http_status: the HTTP status of an OpenAPI v3 error answer (e.g. ``401``); ``None`` for
            a classic ``gateway.do`` answer (always HTTP 200).
        trace_id: Alipay's trace id of the answer, when it named one: quote it to Alipay's
            support.
        links: the ``links`` of a v3 error answer (Alipay's diagnosis pages for this very call);
            empty for a classic answer.

    A v3 error answer (``{code, message, links}``) sets ``code`` to the v3 code, e.g.
    ``"invalid-app-auth-token"``, and ``msg`` to its ``message``; ``sub_code`` and ``sub_msg``
    are then ``None``.
    """

    kind = "api"

    def __init__(
        self,
        reason: str,
        code: str,
        msg: str,
        sub_code: str | None = None,
        sub_msg: str | None = None,
        signed: bool = False,
        hint: str | None = None,
        http_status: int | None = None,
        trace_id: str | None = None,
        links: Sequence[str] = (),
    ) -> None:
        super().__init__(reason)
        links = list(links)
        # Keep every field in args so that the exception pickles and copies faithfully.
        self.args = (
            reason,
            code,
            msg,
            sub_code,
            sub_msg,
            signed,
            hint,
            http_status,
            trace_id,
            links,
        )
        self.code = code
        self.msg = msg
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        self.signed = signed
        self.hint = hint
        self.http_status = http_status
        self.trace_id = trace_id
        self.links = links


class TransportError(AlipayError):
    """The request did not complete: DNS, connect, timeout, TLS, or an HTTP status other
    than 200.

    Attributes:
        request_sent: ``False`` when the failure happened before the request could reach the
            gateway (DNS, connect, TLS handshake, proxy): retrying cannot run the call twice.
            ``True`` when it may have been received and executed (a timeout waiting for the
            answer, a reset, a truncated body, an HTTP status): retry only idempotent calls.
    """

    kind = "transport"

    def __init__(self, reason: str, request_sent: bool = True) -> None:
        super().__init__(reason)
        # Keep every field in args so that the exception pickles and copies faithfully.
        self.args = (reason, request_sent)
        self.request_sent = request_sent


class ProtocolError(AlipayError):
    """A body did not have the expected shape: malformed JSON, a duplicated root node, a
    missing field."""

    kind = "protocol"


class StoreError(AlipayError):
    """The authorisation registry failed to read or write."""

    kind = "store"
