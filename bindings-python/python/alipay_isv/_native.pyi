"""Type stubs of the native extension ``alipay_isv._native`` (import ``alipay_isv`` instead).

Every function and method raises a subclass of :class:`alipay_isv.AlipayError` on failure
(``ConfigError`` for a bad key or option, ``SignatureError`` for a signature that does not
verify). Key parsing, key generation, signing and verification release the GIL.
"""

from collections.abc import Mapping
from typing import final

@final
class PrivateKey:
    """An RSA private key (the app's), parsed once and reused for every signature.

    ``repr()`` shows the size and the public fingerprint, never key material.
    """

    def __init__(self, text: str) -> None:
        """Parses a private key from PEM or bare one-line Base64 text, PKCS#1 or PKCS#8.

        Raises:
            ConfigError: the text is not an RSA private key of 1024 to 8192 bits (the reason
                says what was found instead, never the key itself).
        """

    @staticmethod
    def from_der(data: bytes) -> PrivateKey:
        """Parses a DER-encoded private key, PKCS#8 or PKCS#1.

        Raises:
            ConfigError: as for the constructor.
        """

    @property
    def bits(self) -> int:
        """The modulus size in bits (2048 for every current Alipay app key)."""

    def public_key(self) -> PublicKey:
        """The public half of this key, e.g. to upload to the Alipay console."""

    def to_pkcs8_pem(self) -> str:
        """PKCS#8 PEM (``-----BEGIN PRIVATE KEY-----``), the form Java tools expect."""

    def to_pkcs1_pem(self) -> str:
        """PKCS#1 PEM (``-----BEGIN RSA PRIVATE KEY-----``), the form most other tools expect."""

    def to_pkcs8_base64(self) -> str:
        """PKCS#8 DER as one line of Base64 (the Alipay key tool's Java format)."""

    def to_pkcs1_base64(self) -> str:
        """PKCS#1 DER as one line of Base64 (the Alipay key tool's non-Java format, and what
        the official Python SDK expects)."""

@final
class PublicKey:
    """An RSA public key (the Alipay public key, or the app's own).

    Two keys are equal (and hash equally) when their modulus and exponent are.
    """

    def __init__(self, text: str) -> None:
        """Parses a public key from PEM or bare Base64 text: SPKI, PKCS#1 or an X.509
        certificate (its subject key).

        Raises:
            ConfigError: the text is not an RSA public key of 1024 to 8192 bits.
        """

    @staticmethod
    def from_der(data: bytes) -> PublicKey:
        """Parses a DER-encoded public key: SPKI, PKCS#1 or an X.509 certificate.

        Raises:
            ConfigError: as for the constructor.
        """

    @property
    def bits(self) -> int:
        """The modulus size in bits."""

    def to_pem(self) -> str:
        """SPKI PEM (``-----BEGIN PUBLIC KEY-----``)."""

    def to_base64(self) -> str:
        """SPKI DER as one line of Base64: what the Alipay console asks for."""

    def to_der(self) -> bytes:
        """SPKI DER bytes."""

    @property
    def fingerprint(self) -> str:
        """``SHA256:`` and 16 hex digits of the SHA-256 of the SPKI DER: a short public name for
        the key, safe to log."""

    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class KeyPair:
    """A freshly generated key pair (see :func:`generate_key_pair`)."""

    @property
    def private_key(self) -> PrivateKey:
        """The private key: keep it secret, export it with ``to_pkcs8_pem()``."""

    @property
    def public_key(self) -> PublicKey:
        """The public key: upload ``to_base64()`` to the Alipay console."""

def generate_key_pair(bits: int = 2048) -> KeyPair:
    """Generates an RSA key pair of ``bits`` bits: 2048 (Alipay's size), 3072 or 4096.

    Raises:
        ConfigError: any other size.
    """

@final
class Signer:
    """Signs with the app private key: ``RSA2`` (SHA256withRSA) or legacy ``RSA`` (SHA1withRSA).

    Immutable and safe to share between threads; signing releases the GIL.
    """

    def __init__(
        self, private_key: PrivateKey, sign_type: str = "RSA2", charset: str = "UTF-8"
    ) -> None:
        """A signer over content encoded in ``charset``.

        Args:
            private_key: the app private key.
            sign_type: ``"RSA2"`` or ``"RSA"`` (case-insensitive).
            charset: ``"UTF-8"`` or ``"GBK"`` (case-insensitive).

        Raises:
            ConfigError: an unknown sign type or charset, or ``RSA2`` with a key shorter than
                2048 bits.
        """

    @property
    def sign_type(self) -> str:
        """``"RSA2"`` or ``"RSA"``."""

    @property
    def charset(self) -> str:
        """``"UTF-8"`` or ``"GBK"``."""

    def sign(self, content: str) -> str:
        """Signs a canonical content string; returns standard Base64 without newlines.

        Raises:
            ConfigError: the content has a character the charset cannot encode.
        """

    def sign_params(self, params: Mapping[str, str]) -> tuple[str, str]:
        """Builds the canonical content of ``params`` (see :func:`sign_content`) and signs it.

        Returns:
            ``(content, sign)``.

        Raises:
            ConfigError: as for :meth:`sign`.
            TypeError: a key or value is not a ``str``.
        """

    def sign_bytes(self, data: bytes) -> str:
        """Signs bytes that are already encoded; returns standard Base64."""

@final
class Verifier:
    """Verifies ``RSA2`` or ``RSA`` signatures with a public key (usually the Alipay public key).

    Immutable and safe to share between threads; verification releases the GIL.
    """

    def __init__(
        self, public_key: PublicKey, sign_type: str = "RSA2", charset: str = "UTF-8"
    ) -> None:
        """A verifier over content encoded in ``charset``.

        Raises:
            ConfigError: an unknown sign type or charset, or ``RSA2`` with a key shorter than
                2048 bits.
        """

    @property
    def sign_type(self) -> str:
        """``"RSA2"`` or ``"RSA"``."""

    @property
    def charset(self) -> str:
        """``"UTF-8"`` or ``"GBK"``."""

    def verify(self, content: str, sign: str) -> None:
        """Verifies a Base64 signature over a content string.

        Raises:
            SignatureError: the signature is malformed or does not verify.
            ConfigError: the content has a character the charset cannot encode.
        """

    def verify_bytes(self, data: bytes, sign: str) -> None:
        """Verifies a Base64 signature over bytes that are already encoded.

        Raises:
            SignatureError: the signature is malformed or does not verify.
        """

def sign_content(params: Mapping[str, str]) -> str:
    """The canonical content Alipay signs: every parameter except ``sign`` and those with an
    empty key or value, sorted by key in UTF-8 byte order, joined as ``key=value`` with ``&``,
    without URL-encoding.

    Raises:
        TypeError: a key or value is not a ``str``.
    """

def looks_like_own_key(private_key: PrivateKey, alipay_public_key: PublicKey) -> bool:
    """True when ``alipay_public_key`` is the public half of the app's own ``private_key``: the
    app public key was configured where the Alipay public key belongs."""

def _panic_for_tests(detach: bool) -> None:
    """Panics inside the extension (test hook): raises the base ``AlipayError``, kind
    ``"internal"``."""

def _error_for_tests(kind: str) -> None:
    """Raises the exception of a core error of ``kind`` (test hook): ``config``, ``signature``,
    ``transport``, ``protocol``, ``store``, ``api`` or ``api_bare``."""
