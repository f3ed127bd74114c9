"""The exception hierarchy of alipay-isv: one base class, one subclass per error category.

Every error raised by the library is an :class:`AlipayError` with a stable ``kind`` and a
human-readable ``reason``; catch a subclass to handle one category. No exception ever carries a
secret (private key, ``app_auth_token``, ``access_token``, refresh token).

A Rust panic inside the native extension (a bug) is raised as the base :class:`AlipayError`
itself, with ``kind == "internal"``; it is the only case where the base class is raised directly.
"""

from __future__ import annotations

__all__ = [
    "AlipayError",
    "ApiError",
    "ConfigError",
    "ProtocolError",
    "SignatureError",
    "StoreError",
    "TransportError",
]


class AlipayError(Exception):
    """Base class of every alipay-isv error.

    Attributes:
        kind: the stable category name: ``"config"``, ``"signature"``, ``"api"``,
            ``"transport"``, ``"protocol"``, ``"store"``, or ``"internal"`` (a caught panic).
        reason: what went wrong and what to check.
    """

    kind: str = "internal"

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
    ) -> None:
        super().__init__(reason)
        # Keep every field in args so that the exception pickles and copies faithfully.
        self.args = (reason, code, msg, sub_code, sub_msg, signed, hint)
        self.code = code
        self.msg = msg
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        self.signed = signed
        self.hint = hint


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
