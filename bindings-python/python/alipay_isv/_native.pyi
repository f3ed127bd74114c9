"""Type stubs of the native extension ``alipay_isv._native`` (import ``alipay_isv`` instead).

Every function and method raises a subclass of :class:`alipay_isv.AlipayError` on failure
(``ConfigError`` for a bad key or option, ``SignatureError`` for a signature that does not
verify, ``ProtocolError`` for a malformed body, ``ApiError`` for a gateway error answer,
``TransportError`` for a network failure, ``StoreError`` for the registry's store). Key
parsing, key generation, configuration, signing, every verification, every network call and
every registry call release the GIL.

No ``repr()`` shows key material or a token: keys show their size and fingerprint, requests and
notifications their parameter names, token details a masked prefix.
"""

import builtins
import datetime
import os
import pathlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Generic, Literal, TypeAlias, TypedDict, TypeVar, final

from alipay_isv import aio
from alipay_isv.enums import ApplicationType, AuthOrigin, AuthStatus, IngestOutcome, UserScope
from alipay_isv.errors import AlipayError
from alipay_isv.gateway import AsgiGateway, WsgiGateway

# The closed sets of strings the API takes or answers. At run time a parameter also takes the
# upper- or lower-case spelling where its docstring says "case-insensitive", and any other string
# is a ConfigError naming the expected values; these aliases name what type checkers accept.

SignType: TypeAlias = Literal["RSA2", "RSA"]
"""A signature type: ``"RSA2"`` (SHA256withRSA, the default) or the legacy ``"RSA"``
(SHA1withRSA). Answered in upper case."""

Charset: TypeAlias = Literal["UTF-8", "GBK"]
"""The charset content is signed and sent in: ``"UTF-8"`` (the default) or ``"GBK"``. Answered
in upper case."""

V3Method: TypeAlias = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
"""The HTTP method of an OpenAPI v3 operation."""

ApplicationTypeName: TypeAlias = Literal[
    "MOBILEAPP", "WEBAPP", "PUBLICAPP", "TINYAPP", "ARAPP", "BASEAPP"
]
"""The application types of a batch or console authorisation link, as plain strings (the values
of :class:`alipay_isv.ApplicationType`)."""

UserScopeName: TypeAlias = Literal["auth_base", "auth_user"]
"""The user consent scopes as plain strings (the values of :class:`alipay_isv.UserScope`)."""

MetricKind: TypeAlias = Literal["call", "notification", "refresh", "revocation"]
"""The kind of an observed event (the ``kind`` of a :func:`metrics_snapshot` sample)."""

MetricOutcome: TypeAlias = Literal[
    "success", "config", "signature", "api", "transport", "protocol", "store"
]
"""How an observed event ended: ``"success"`` or the :attr:`AlipayError.kind` of its error."""

class MetricSample(TypedDict):
    """One counter of :func:`metrics_snapshot` (a plain ``dict`` at run time)."""

    kind: MetricKind
    method: str
    """The API method (``-`` when the event had none, ``other`` past the series limit)."""
    outcome: MetricOutcome
    count: int
    latency_seconds_total: float

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
        self, private_key: PrivateKey, sign_type: SignType = "RSA2", charset: Charset = "UTF-8"
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
    def sign_type(self) -> SignType:
        """``"RSA2"`` or ``"RSA"``."""

    @property
    def charset(self) -> Charset:
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
        self, public_key: PublicKey, sign_type: SignType = "RSA2", charset: Charset = "UTF-8"
    ) -> None:
        """A verifier over content encoded in ``charset``.

        Raises:
            ConfigError: an unknown sign type or charset, or ``RSA2`` with a key shorter than
                2048 bits.
        """

    @property
    def sign_type(self) -> SignType:
        """``"RSA2"`` or ``"RSA"``."""

    @property
    def charset(self) -> Charset:
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
    """The canonical content Alipay signs, as Java computes it: every parameter except ``sign``
    and those with an empty key or an empty or whitespace-only value, sorted by key in UTF-16
    code-unit order (Java's ``String.compareTo``), joined as ``key=value`` with ``&``, without
    URL-encoding.

    Raises:
        TypeError: a key or value is not a ``str``.
    """

def looks_like_own_key(private_key: PrivateKey, alipay_public_key: PublicKey) -> bool:
    """True when ``alipay_public_key`` is the public half of the app's own ``private_key``: the
    app public key was configured where the Alipay public key belongs."""

SUCCESS_ACK: Final = "success"
"""The body to answer a handled notification with (plain text), so Alipay stops retrying."""

SERVICE_CHECK: Final = "alipay.service.check"
"""The ``service`` parameter of the legacy gateway check; answer it with
:meth:`IsvConfig.service_check_answer`."""

SERVICEMARKET_ORDER_NOTIFY: Final = "servicemarket_order_notify"
"""The ``notify_type`` of a service-market order message, verified as a
:class:`ServiceMarketOrderNotification`."""

DEFAULT_MAX_BODY_BYTES: Final = 10485760
"""The default limit on response and notification bodies: 10 MiB."""

@final
class AesKey:
    """The AES content-encryption key issued in the Alipay console (``encrypt_type=AES``:
    AES-CBC, zero IV, PKCS#7). ``repr()`` shows the size only."""

    def __init__(self, text: str) -> None:
        """Parses the Base64 key from the console (16, 24 or 32 bytes once decoded).

        Raises:
            ConfigError: not Base64, or another length.
        """

    def encrypt(self, plain: bytes | str) -> str:
        """Encrypts ``bytes``, or a ``str`` as UTF-8; returns standard Base64."""

    def decrypt(self, ciphertext: str) -> bytes:
        """Decrypts standard Base64 ciphertext.

        Raises:
            ProtocolError: not Base64, not whole blocks, or bad padding (usually the wrong key).
        """

CertificateInput: TypeAlias = str | bytes | bytearray | os.PathLike[str] | Certificate
"""A certificate argument: a ``str`` is the contents (PEM or Base64 text; a ``str`` ending like a
file name is refused), ``bytes`` are PEM, DER or Base64, an ``os.PathLike`` is read, a
:class:`Certificate` is used as is."""

ALIPAY_CERT_DOWNLOAD_METHOD: Final = "alipay.open.app.alipaycert.download"
"""The API that downloads an Alipay certificate by its SN (certificate mode)."""

@final
class Certificate:
    """One X.509 certificate, parsed once: what certificate mode needs of it. Immutable,
    hashable, equal when the DER is. ``repr()`` shows its SN, names and fingerprint."""

    def __init__(self, data: CertificateInput) -> None:
        """Parses the first certificate of the input (the leaf of a chain file).

        Raises:
            ConfigError: no certificate, or its first block does not parse; a file that cannot
                be read; a ``str`` that looks like a file name (pass a ``pathlib.Path``).
            TypeError: an argument of another type.
        """

    @staticmethod
    def parse_all(data: CertificateInput) -> list[Certificate]:
        """Every certificate of the input, in order. A block that is not valid X.509 (the SM2
        root of Alipay's bundle, say) is skipped when it is not RSA-signed.

        Raises:
            ConfigError: empty input, no certificate block, bad Base64, or an RSA-signed block
                that does not parse.
        """

    @property
    def sn(self) -> str:
        """The certificate's SN: lowercase hex MD5 of :attr:`issuer` followed by the decimal
        :attr:`serial_number` (``app_cert_sn`` of an app certificate, ``alipay_cert_sn`` of an
        Alipay certificate)."""

    @property
    def issuer(self) -> str:
        """The issuer DN in RFC 2253 form, as Java's ``X500Principal.getName()`` prints it
        (``CN=…,OU=…,O=…,C=…``)."""

    @property
    def subject(self) -> str:
        """The subject DN in RFC 2253 form."""

    @property
    def serial_number(self) -> int:
        """The serial number."""

    @property
    def signature_algorithm(self) -> str:
        """The dotted OID of the signature algorithm, e.g. ``"1.2.840.113549.1.1.11"``."""

    @property
    def is_rsa_signed(self) -> bool:
        """Whether the signature algorithm is RSA (OID under ``1.2.840.113549.1.1``): the
        certificates a root SN counts."""

    @property
    def not_before(self) -> datetime.datetime:
        """Start of the validity period (aware, UTC)."""

    @property
    def not_after(self) -> datetime.datetime:
        """End of the validity period (aware, UTC)."""

    def public_key(self) -> PublicKey:
        """The subject's RSA public key.

        Raises:
            ConfigError: the key is not RSA (SM2, EC) or of an unaccepted size.
        """

    @property
    def pem(self) -> str:
        """PEM (``-----BEGIN CERTIFICATE-----``, 64-character lines, LF)."""

    @property
    def der(self) -> bytes:
        """The DER bytes."""

    @property
    def fingerprint(self) -> str:
        """``SHA256:`` and 16 hex digits of the DER's SHA-256: a short public name."""

@final
class RootBundle:
    """The Alipay root bundle (``alipayRootCert.crt``): its RSA-signed roots, its SN, and the
    chain check of Alipay certificates. Immutable."""

    def __init__(self, data: CertificateInput) -> None:
        """Parses a root bundle: PEM (any line endings, text between blocks), DER, or Base64.

        Raises:
            ConfigError: a block cannot be read, or no certificate is RSA-signed (a bundle of
                only SM2 / ECDSA roots).
            TypeError: as for :class:`Certificate`.
        """

    @property
    def sn(self) -> str:
        """The ``alipay_root_cert_sn``: the SNs of the RSA-signed roots joined with ``_``, in
        file order."""

    @property
    def roots(self) -> list[Certificate]:
        """The RSA-signed roots, in file order."""

    def verify_chain(
        self,
        alipay_cert: CertificateInput,
        at: datetime.datetime | float | None = None,
    ) -> Certificate:
        """Checks an Alipay certificate (its first certificate, plus at most one CA
        intermediate from the rest of the input) against this bundle at ``at`` (a ``datetime``,
        Unix seconds, or ``None`` for now; a naive ``datetime`` is local time, as
        ``datetime.timestamp()`` reads it); returns the leaf.

        Raises:
            SignatureError: the leaf or the intermediate is expired or not valid yet, the issuer
                is neither a root nor an intermediate of the input, or a signature does not
                verify (a tampered certificate).
            ConfigError: the input does not parse.
        """

def app_cert_sn(app_cert: CertificateInput) -> str:
    """The ``app_cert_sn`` of an app public-key certificate (its first certificate).

    Raises:
        ConfigError: the input holds no certificate that parses.
    """

def alipay_root_cert_sn(root_cert: CertificateInput) -> str:
    """The ``alipay_root_cert_sn`` of a root bundle: the SNs of its RSA-signed certificates
    joined with ``_`` (for Alipay's production bundle
    ``687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6``).

    Raises:
        ConfigError: no RSA-signed certificate (only SM2 or ECDSA roots), or a block that cannot
            be read.
    """

@final
class IsvConfig:
    """The third-party app's configuration: ``app_id``, keys and options, checked once.

    Immutable and safe to share between threads.
    """

    def __init__(
        self,
        app_id: str,
        private_key: PrivateKey,
        alipay_public_key: PublicKey | None = None,
        *,
        app_cert: CertificateInput | None = None,
        alipay_cert: CertificateInput | None = None,
        root_cert: CertificateInput | None = None,
        sign_type: SignType = "RSA2",
        charset: Charset = "UTF-8",
        gateway: str = "production",
        aes_key: AesKey | str | None = None,
        max_body_bytes: int = 10485760,
        v3_base: str | None = None,
        v3_additional_auth_info: str | None = None,
    ) -> None:
        """Checks and builds the configuration, in public-key mode (``alipay_public_key``) or in
        public-key certificate mode (公钥证书模式: ``app_cert``, ``alipay_cert`` and ``root_cert``).

        In certificate mode the Alipay key is the key of ``alipay_cert``, which must be valid
        now and chained to ``root_cert``; ``app_cert`` must hold the public half of
        ``private_key``; ``app_cert_sn`` and ``alipay_root_cert_sn`` are then signed into every
        request, and answers are verified with the Alipay certificate they name
        (``alipay_cert_sn``; an unknown one is downloaded by :class:`Client`). Each certificate
        is a ``str`` (PEM or Base64 contents), ``bytes`` (PEM, DER or Base64), a
        ``pathlib.Path`` (read), or a :class:`Certificate`.

        Args:
            app_id: the ISV app's id (digits, from the console).
            private_key: the app private key.
            alipay_public_key: the **Alipay** public key (支付宝公钥), not the app's own. In
                certificate mode it may be left out (when given it must be the key of
                ``alipay_cert``).
            app_cert: the app public-key certificate (``appCertPublicKey_<app_id>.crt``).
            alipay_cert: the Alipay public-key certificate (``alipayCertPublicKey_RSA2.crt``).
            root_cert: the Alipay root bundle (``alipayRootCert.crt``).
            sign_type: ``"RSA2"`` or ``"RSA"``.
            charset: ``"UTF-8"`` or ``"GBK"``.
            gateway: ``"production"``, ``"sandbox"`` or an ``http(s)://`` URL.
            aes_key: the content-encryption key (an :class:`AesKey` or its Base64 text).
            max_body_bytes: the largest response or notification body accepted.
            v3_base: where OpenAPI v3 calls go: ``"production"``
                (``https://openapi.alipay.com``), ``"sandbox"`` or an ``http(s)://`` URL (its
                path is dropped); ``None`` takes the gateway's scheme and host.
            v3_additional_auth_info: extra ``key=value`` pairs, separated by commas, appended
                to the auth string of every OpenAPI v3 request after ``timestamp``, in the
                ``Authorization`` header and in its signed first line, e.g.
                ``"expired_seconds=120"`` (the official Node SDK's ``additionalAuthInfo``).
                Keys are letters, digits, ``_`` and ``-``; values hold no comma; ``app_id``,
                ``app_cert_sn``, ``nonce``, ``timestamp`` and ``sign`` are refused. ``None``
                or ``""``: none.

        Raises:
            ConfigError: a bad ``app_id``, gateway, v3 base, v3 additional auth info, sign
                type, charset or AES key, a key too short for ``RSA2``, or the app's own public
                key given as the Alipay public key; no Alipay key at all, or only some of the
                three certificates. In certificate mode also: a certificate that does not parse
                or cannot be read, a root bundle without an RSA-signed root (only SM2 / ECDSA),
                an Alipay certificate that is expired, not chained to the bundle or tampered
                with, an app certificate for another key; a ``str`` certificate that looks like
                a file name (pass a ``pathlib.Path``).
            TypeError: a certificate of another type.
        """

    @property
    def app_id(self) -> str:
        """The app's ``app_id``."""

    @property
    def gateway(self) -> str:
        """The gateway URL."""

    @property
    def v3_base(self) -> str:
        """The base URL of OpenAPI v3 calls (scheme and host, no path), e.g.
        ``"https://openapi.alipay.com"``: the ``v3_base`` given, or the gateway's scheme and
        host."""

    @property
    def v3_additional_auth_info(self) -> str | None:
        """The ``key=value`` pairs appended to the auth string of every OpenAPI v3 request
        after ``timestamp`` (e.g. ``"expired_seconds=120"``); ``None`` when none were given."""

    @property
    def sign_type(self) -> SignType:
        """``"RSA2"`` or ``"RSA"``."""

    @property
    def charset(self) -> Charset:
        """``"UTF-8"`` or ``"GBK"``."""

    @property
    def alipay_public_key(self) -> PublicKey:
        """The Alipay public key (in certificate mode: the key of ``alipay_cert``)."""

    @property
    def cert_mode(self) -> bool:
        """Whether the configuration is in public-key certificate mode."""

    @property
    def app_cert_sn(self) -> str | None:
        """Certificate mode: the ``app_cert_sn`` signed into every request; else ``None``."""

    @property
    def alipay_root_cert_sn(self) -> str | None:
        """Certificate mode: the ``alipay_root_cert_sn`` signed into every request; else
        ``None``."""

    @property
    def alipay_cert_sn(self) -> str | None:
        """Certificate mode: the SN of the configured Alipay certificate; else ``None``."""

    @property
    def trusted_alipay_cert_sns(self) -> list[str] | None:
        """Certificate mode: the SNs of every trusted Alipay certificate (the configured one and
        those downloaded since, by any client of this configuration), sorted; else ``None``."""

    def trust_alipay_cert(self, alipay_cert: CertificateInput) -> str:
        """Certificate mode, without a :class:`Client`: checks an Alipay certificate you
        downloaded yourself (``alipay.open.app.alipaycert.download``) against the root bundle
        now, then trusts it for every user of this configuration; returns its SN.

        Raises:
            SignatureError: the certificate does not parse, is expired, is not chained to the
                root bundle, is tampered with, or its key is not RSA.
            ConfigError: the configuration is not in certificate mode.
        """

    def sign_request(
        self,
        method: str,
        *,
        biz_content: dict[str, Any] | str | None = None,
        app_auth_token: str | None = None,
        auth_token: str | None = None,
        notify_url: str | None = None,
        return_url: str | None = None,
        extra_params: Mapping[str, str] | None = None,
        encrypt: bool = False,
        timestamp: str | None = None,
    ) -> SignedRequest:
        """Builds and signs a request for ``method`` (``app_id, method, format=JSON, charset,
        sign_type, timestamp, version=1.0`` plus the options given, then ``sign``).

        Args:
            method: the API, e.g. ``"alipay.open.auth.token.app"``.
            biz_content: a ``dict`` (serialised to compact JSON) or JSON text.
            app_auth_token: the merchant's token, for a delegated call.
            auth_token: the user's ``access_token``.
            notify_url: where Alipay posts this call's notifications.
            return_url: where a page flow returns.
            extra_params: other top-level parameters, e.g. ``grant_type`` and ``code`` of
                ``alipay.system.oauth.token``.
            encrypt: AES-encrypt ``biz_content`` (``encrypt_type=AES``) with the configured key.
            timestamp: ``yyyy-MM-dd HH:mm:ss`` China time instead of now (tests, replays).

        Raises:
            ConfigError: an empty method, an extra parameter colliding with a common one,
                ``encrypt`` without an AES key, a malformed timestamp, text the charset cannot
                encode.
            TypeError: ``biz_content`` not a ``dict``/``str``, ``extra_params`` not str to str.
            ValueError: ``biz_content`` holds ``NaN`` or infinity.
        """

    def response_verifier(self) -> ResponseVerifier:
        """A verifier of this app's gateway responses (its sign type, charset, AES key and
        body limit; in certificate mode, the trusted Alipay certificates)."""

    def notification_verifier(self) -> NotificationVerifier:
        """A verifier of the notifications posted to this app's gateway (its body limit; in
        certificate mode it picks the key by ``alipay_cert_sn``)."""

    def service_check_answer(self, verified: bool = True) -> str:
        """The signed XML answer to the legacy gateway check (``service=alipay.service.check``),
        carrying the app public key. Pass ``verified=False`` when the check request's own
        signature did not verify: the answer then says ``VERIFY_FAILED``."""

    def v3_sign(
        self,
        method: V3Method,
        request_target: str,
        body: str = "",
        *,
        app_auth_token: str | None = None,
        nonce: str | None = None,
        timestamp_ms: int | None = None,
    ) -> V3Signature:
        """Signs an OpenAPI v3 request (``https://openapi.alipay.com/v3/…``) as this app: the
        ``Authorization`` header ``ALIPAY-SHA256withRSA app_id=…,nonce=…,timestamp=…,sign=…``
        (with :attr:`v3_additional_auth_info` after ``timestamp`` when configured) over the
        auth string, the method, the request target, the body and, on a merchant's
        behalf, its ``app_auth_token`` (SHA256withRSA over UTF-8, whatever ``sign_type`` and
        ``charset`` say). Send every header of :attr:`V3Signature.headers` with the request,
        and the body exactly as signed. Tokens are per call, never per configuration.

        Args:
            method: the HTTP method, upper case (``"POST"``, ``"GET"``).
            request_target: the path and query exactly as sent, percent-encoded, e.g.
                ``"/v3/alipay/open/auth/token/app"``.
            body: the body exactly as sent (the JSON text); ``""`` when there is none.
            app_auth_token: the merchant's token, for a call on its behalf (signed, and sent in
                the ``alipay-app-auth-token`` header).
            nonce: a fixed nonce instead of a fresh random one (tests, replays); only with
                ``timestamp_ms``.
            timestamp_ms: a fixed time, in milliseconds since the Unix epoch, instead of now;
                only with ``nonce``.

        Raises:
            ConfigError: a method that is not upper case, a request target that does not start
                with ``/`` or holds a space or a line break, a token with a line break, a nonce
                with a comma, ``nonce`` without ``timestamp_ms`` or the reverse. The text never
                holds the token.
            OverflowError: a negative ``timestamp_ms``.
        """

    def v3_verify(self, status: int, headers: V3Headers, body: bytes | str) -> V3Verdict:
        """Verifies an OpenAPI v3 answer: Alipay's ``alipay-signature`` over the
        ``alipay-timestamp`` and ``alipay-nonce`` headers and the raw body, one per line, with
        the Alipay public key (in certificate mode, the trusted Alipay certificate that
        ``alipay-sn`` names). Returns ``"verified"``, or ``"unsigned"`` for an unsigned answer
        that is not a success (Alipay's error answers often are not signed: nobody vouches for
        their ``code`` and ``message``). Alipay's trace id is the ``alipay-trace-id`` header.

        Args:
            status: the HTTP status.
            headers: every header received, names in any case: a mapping, or a sequence of
                ``(name, value)`` pairs. A header received twice must be passed twice: give
                httpx's or Starlette's ``Headers`` as they are (their ``multi_items()`` are
                read), aiohttp's, werkzeug's or ``http.client``'s too (their ``items()``).
                ``bytes`` names and values are read as Latin-1.
            body: the raw body as received, before any AES decryption (``bytes``; a ``str`` is
                encoded in UTF-8).

        Raises:
            SignatureError: a success (2xx) answer without ``alipay-signature`` (is the
                endpoint a v2 ``gateway.do``?), a signature that does not verify, an
                ``alipay-sn`` this configuration does not trust (see
                :meth:`trust_alipay_cert`).
            ProtocolError: the signature, timestamp, nonce or SN header given twice, an
                ``alipay-timestamp`` that is not a number, no ``alipay-nonce``, a body that is
                not UTF-8 or is over 10 MiB.
            TypeError: ``headers`` of another shape, ``body`` not ``bytes`` or ``str``.
        """

    def prepare_v3(
        self,
        method: V3Method,
        path: str,
        *,
        query: V3Query | None = None,
        body: dict[str, Any] | str | None = None,
        app_auth_token: str | None = None,
        encrypt: bool = False,
        files: Sequence[V3File] | None = None,
        request_id: str | None = None,
        nonce: str | None = None,
        timestamp_ms: int | None = None,
    ) -> V3HttpRequest:
        """Encodes and signs an OpenAPI v3 call as this app, without sending it: the sans-IO form
        of :meth:`Client.execute_v3`, for a host with its own HTTP stack. Send the request's
        ``method`` to its ``url`` with its ``headers`` and ``body``, then read the answer with
        :meth:`read_v3_answer`::

            request = config.prepare_v3("POST", "/v3/alipay/open/mini/version/list/query",
                                        body={}, app_auth_token=token)
            answer = httpx.request(request.method, request.url, headers=request.headers,
                                   content=request.body)
            response = config.read_v3_answer(answer.status_code, answer.headers, answer.content,
                                             encrypted=request.encrypted)

        Args:
            method, path, query, body, app_auth_token, encrypt, files, request_id: as for
                :meth:`Client.execute_v3`.
            nonce: a fixed nonce instead of a fresh random one (tests, replays); only with
                ``timestamp_ms``.
            timestamp_ms: a fixed time, in milliseconds since the Unix epoch, instead of now;
                only with ``nonce``.

        Raises:
            ConfigError: as for :meth:`Client.execute_v3`; ``nonce`` without ``timestamp_ms`` or
                the reverse. The text never holds a token.
            TypeError, ValueError: as for :meth:`Client.execute_v3`.
            OverflowError: a negative ``timestamp_ms``.
        """

    def read_v3_answer(
        self, status: int, headers: V3Headers, body: bytes | str, encrypted: bool = False
    ) -> V3Response:
        """Verifies and reads the answer to an OpenAPI v3 call sent by your own HTTP stack (the
        sans-IO form of what :meth:`Client.execute_v3` does): the signature as
        :meth:`v3_verify` checks it, then a success's body, decrypted when the call was
        ``encrypted``, or the typed error of a failure.

        Args:
            status: the HTTP status.
            headers: every header received, as for :meth:`v3_verify`.
            body: the raw body as received (``bytes``; a ``str`` is encoded in UTF-8).
            encrypted: whether the call was encrypted (:attr:`V3HttpRequest.encrypted`).

        Raises:
            ApiError: a v3 error answer (``{code, message, links}``): ``http_status``, ``code``
                (e.g. ``"invalid-app-auth-token"``), ``msg``, ``trace_id``, ``links``, a ``hint``
                for the codes ISVs meet, ``signed`` whether it verified.
            TransportError: a non-2xx answer that is not an Alipay error (a proxy's or load
                balancer's page).
            SignatureError: as for :meth:`v3_verify` (an unsigned success, a signature that does
                not verify, an ``alipay-sn`` not trusted yet: fetch that certificate with
                :meth:`Client.fetch_alipay_cert` or :meth:`trust_alipay_cert` and read the same
                answer again).
            ProtocolError: as for :meth:`v3_verify`; a success that is not a JSON object or does
                not decrypt.
            TypeError: ``headers`` or ``body`` of another shape.
        """

@final
class SignedRequest:
    """A signed request, ready to be emitted in one of the three ways. ``repr()`` shows the
    parameter names only."""

    @property
    def params(self) -> dict[str, str]:
        """Every parameter, ``sign`` last (a new ``dict`` on each access)."""

    @property
    def sign_content(self) -> str:
        """The canonical content that was signed."""

    def http_request(self) -> HttpRequest:
        """The ``execute`` form: POST ``url`` (gateway and system parameters) with ``body``
        (``biz_content``, ``app_auth_token`` and other application parameters)."""

    def page_url(self) -> str:
        """The ``page_execute`` GET form: the gateway URL with every parameter."""

    def page_form(self) -> str:
        """The ``page_execute`` POST form: an auto-submitting HTML form (system parameters in
        the action URL, the others as hidden inputs, values HTML-escaped)."""

    def order_string(self) -> str:
        """The ``sdk_execute`` order string for the Alipay app or mini-program client: every
        parameter, sorted, values URL-encoded in the charset."""

@final
class HttpRequest:
    """The HTTP request of an ``execute`` call. ``repr()`` hides the query and the body."""

    @property
    def url(self) -> str:
        """``gateway?system parameters``, URL-encoded in the charset."""

    @property
    def body(self) -> str:
        """The ``application/x-www-form-urlencoded`` body: the application parameters."""

    @property
    def content_type(self) -> str:
        """``application/x-www-form-urlencoded;charset=<charset>``."""

V3Headers: TypeAlias = Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]]
"""The headers of a v3 answer: a mapping, or ``(name, value)`` pairs (repeats kept)."""

V3Verdict: TypeAlias = Literal["verified", "unsigned"]
"""What :meth:`IsvConfig.v3_verify` found: the signature verified, or an unsigned answer that
is not a success (2xx) was accepted unverified."""

@final
class V3Signature:
    """A signed OpenAPI v3 request (:meth:`IsvConfig.v3_sign`): the headers to send with it.
    Immutable; equal to another when every field is. ``repr()`` shows the merchant's token
    masked and ``string_to_sign``, which holds it, by its length only."""

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header's value:
        ``ALIPAY-SHA256withRSA <auth string>,sign=<Base64 signature>``."""

    @property
    def auth_string(self) -> str:
        """The auth string, the first signed line (also in the header):
        ``app_id=…[,app_cert_sn=…],nonce=…,timestamp=<epoch ms>[,<additional auth info>]``."""

    @property
    def string_to_sign(self) -> str:
        """Exactly what was signed, one line each ending with a line break: the auth string, the
        method, the request target, the body and, on a merchant's behalf, its
        ``app_auth_token`` (for debugging a signature Alipay refuses, 验签失败). It holds the
        token: keep it out of logs."""

    @property
    def headers(self) -> dict[str, str]:
        """Every header the request must carry besides ``Content-Type``, by lower-case name, in
        order: ``authorization``, ``alipay-app-auth-token`` (on a merchant's behalf),
        ``alipay-root-cert-sn`` (certificate mode). A new ``dict`` on each access."""

    def __eq__(self, other: object) -> bool: ...

V3Query: TypeAlias = Mapping[str, str] | Iterable[tuple[str, str]]
"""The query of a v3 call, unencoded, in order: a mapping, or ``(name, value)`` pairs (a name may
repeat)."""

@final
class V3File:
    """One file of an OpenAPI v3 upload (``multipart/form-data``): its bytes in memory
    (``content``) or a file on disk (``path``, streamed when the request is sent, never read whole).
    Immutable; equal to another when every field is. ``repr()`` shows the size of ``content``,
    not the bytes."""

    def __init__(
        self,
        field: str = "file_content",
        *,
        file_name: str | None = None,
        content: bytes | bytearray | None = None,
        path: str | os.PathLike[str] | None = None,
        content_type: str | None = None,
    ) -> None:
        """A file part.

        Args:
            field: the form field, ``"file_content"`` for ``alipay.open.file.upload`` (what
                :meth:`Client.upload_file_v3` sends whatever this says).
            file_name: the file name sent (its extension is what Alipay checks); required with
                ``content``; with ``path``, the file's own name when left out.
            content: the bytes (``bytes`` or ``bytearray``).
            path: a file on disk (``str`` or ``os.PathLike``), read when the request is sent.
            content_type: the part's ``Content-Type``; guessed from the extension when left out
                (``image/jpeg``, ``image/png``, ``application/pdf``, ...;
                ``application/octet-stream`` otherwise).

        Raises:
            ConfigError: neither or both of ``content`` and ``path``; ``content`` without a
                ``file_name``, or a ``path`` that names no file.
            TypeError: ``content`` not ``bytes``/``bytearray``, ``path`` not a path.
        """

    @property
    def field(self) -> str:
        """The form field of the part."""

    @property
    def file_name(self) -> str:
        """The file name sent."""

    @property
    def content_type(self) -> str:
        """The part's ``Content-Type``: the one given, or the extension's."""

    @property
    def content(self) -> bytes | None:
        """The bytes, for a file in memory; else ``None``."""

    @property
    def path(self) -> pathlib.Path | None:
        """The file on disk (a ``pathlib.Path``), for a streamed file; else ``None``."""

    def __eq__(self, other: object) -> bool: ...

@final
class V3HttpRequest:
    """An OpenAPI v3 call encoded and signed (:meth:`IsvConfig.prepare_v3`): send ``method`` to
    ``url`` with every header of ``headers`` and ``body``, then read the answer with
    :meth:`IsvConfig.read_v3_answer` (``encrypted=request.encrypted``). Immutable. ``repr()``
    masks the merchant's token and the user's ``auth_token`` and shows the body and
    ``string_to_sign`` by their length only."""

    @property
    def method(self) -> V3Method:
        """The HTTP method, upper case."""

    @property
    def url(self) -> str:
        """The full URL: the configuration's :attr:`IsvConfig.v3_base` and
        :attr:`request_target`."""

    @property
    def request_target(self) -> str:
        """The path and query as signed and sent (the query percent-encoded, space as ``%20``)."""

    @property
    def headers(self) -> dict[str, str]:
        """Every header to send, by lower-case name, in order: ``content-type`` (when there is a
        body), ``authorization``, ``alipay-app-auth-token`` (on a merchant's behalf),
        ``alipay-root-cert-sn`` (certificate mode), ``accept``, ``alipay-request-id``, and
        ``alipay-encrypt-type`` with AES. A new ``dict`` on each access."""

    @property
    def body(self) -> bytes:
        """The body exactly as signed and to be sent: the JSON text, its Base64 ciphertext with
        AES, or a whole ``multipart/form-data`` upload; ``b""`` when there is none."""

    @property
    def encrypted(self) -> bool:
        """Whether the body is encrypted, and so the answer will be: pass it to
        :meth:`IsvConfig.read_v3_answer`."""

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header's value."""

    @property
    def string_to_sign(self) -> str:
        """Exactly what was signed (see :attr:`V3Signature.string_to_sign`). It holds the
        merchant's token: keep it out of logs."""

    @property
    def signature(self) -> V3Signature:
        """The signature, with its auth string and headers."""

@final
class V3Response:
    """A verified OpenAPI v3 success (HTTP 2xx): the answer's status, JSON text and fields.
    ``repr()`` shows the field names only."""

    @property
    def status(self) -> int:
        """The HTTP status (2xx)."""

    @property
    def body(self) -> str:
        """The answer's JSON text as received (decrypted when the call was encrypted); ``""`` for
        an empty body."""

    @property
    def fields(self) -> dict[str, Any]:
        """The answer's fields as ``json.loads`` gives them, keys in document order (``{}`` for an
        empty body); integers beyond 64 bits become ``float``."""

    @property
    def trace_id(self) -> str | None:
        """Alipay's trace id (the ``alipay-trace-id`` header), when the answer named one: quote it
        to Alipay's support."""

    @property
    def verified(self) -> bool:
        """Whether the answer's ``alipay-signature`` verified (always ``True`` for a success: an
        unsigned one is a ``SignatureError``)."""

@final
class FileUpload:
    """What ``alipay.open.file.upload`` answered (:meth:`Client.upload_file_v3`): the stored
    file's id and every field of the answer. ``repr()`` shows the id and the field names."""

    @property
    def file_id(self) -> str:
        """The stored file's id, to pass to the API that uses the file."""

    @property
    def fields(self) -> dict[str, Any]:
        """Every field of the answer (``file_id`` among them)."""

def metrics_snapshot() -> list[MetricSample]:
    """Every counter of observed events (gateway calls, notifications, registry refreshes and
    revocations): dicts with ``kind``, ``method``, ``outcome`` (``success`` or an error kind),
    ``count`` and ``latency_seconds_total``. Process-wide."""

def prometheus_metrics() -> str:
    """The counters in the Prometheus text exposition format: serve it at ``/metrics`` with
    ``Content-Type: text/plain; version=0.0.4``."""

def reset_metrics() -> None:
    """Forgets every counter (tests; exporters of deltas)."""

def secret_fields() -> list[str]:
    """The field names whose values are secrets (``app_auth_token``, ``app_refresh_token``,
    ``access_token``, ``refresh_token``, ``auth_token``, ``app_auth_code``, ``auth_code``), masked
    in every ``repr()``, error and log event: the one rule of the Rust core."""

def is_secret_field(name: str) -> bool:
    """Whether a field of this name holds a secret."""

def personal_fields() -> list[str]:
    """The field names whose values are personal data of the merchant's staff (``contactor``,
    ``phone``: the contact person and phone of a service-market order), shown by their length
    only in every ``repr()`` (:func:`shown`): the one rule of the Rust core."""

def is_personal_field(name: str) -> bool:
    """Whether a field of this name (protocol spelling, e.g. ``phone``) holds personal data."""

def mask_secret(value: str) -> str:
    """A secret as it may be shown: at most its first four characters, ``…`` and its length."""

def shown(name: str, value: str) -> str:
    """The value of the field ``name`` as it may be shown: masked when the field is secret, its
    length when it may carry a secret (``biz_content``) or is personal data (``contactor``,
    ``phone``: ``…(N chars)``), unchanged otherwise."""

def china_timestamp_now() -> str:
    """The current time as the gateway expects it: ``yyyy-MM-dd HH:mm:ss`` in China time
    (UTC+8), whatever the host's time zone."""

@final
class ResponseVerifier:
    """Verifies gateway response bodies with the Alipay public key: extracts the signed node's
    exact raw text, refuses a duplicated root node, verifies (once more with ``\\/`` → ``/``),
    decrypts AES nodes, and raises :class:`ApiError` for error answers.

    Immutable and safe to share between threads; verification releases the GIL.
    """

    def __init__(
        self,
        alipay_public_key: PublicKey,
        *,
        sign_type: SignType = "RSA2",
        charset: Charset = "UTF-8",
        aes_key: AesKey | str | None = None,
        max_body_bytes: int = 10485760,
    ) -> None:
        """A verifier of responses to requests signed with ``sign_type`` in ``charset``.

        Raises:
            ConfigError: an unknown sign type, charset or AES key.
        """

    @property
    def sign_type(self) -> SignType:
        """``"RSA2"`` or ``"RSA"``."""

    @property
    def charset(self) -> Charset:
        """``"UTF-8"`` or ``"GBK"``: bodies are decoded in it (and ``str`` bodies encoded)."""

    def verify(self, method: str, body: bytes | str) -> VerifiedResponse:
        """Verifies the body the gateway answered for ``method`` (pass the raw ``bytes``).

        Raises:
            ApiError: the gateway answered an error (``signed`` says whether it was verified).
            SignatureError: a success without ``sign``, or a signature that does not verify.
            ProtocolError: a malformed, truncated, oversized, wrongly encoded or duplicated body.
            ConfigError: an AES-encrypted node and no AES key.

        In certificate mode (a verifier from :meth:`IsvConfig.response_verifier`) also
        ``SignatureError`` for a success without ``alipay_cert_sn``, and for an
        ``alipay_cert_sn`` not trusted yet (the reason names it; see :meth:`check`).
        """

    def check(self, method: str, body: bytes | str) -> VerifiedResponse | NeedsCertificate:
        """Verifies like :meth:`verify`, but answers :class:`NeedsCertificate` instead of
        raising when the body is signed by an Alipay certificate not trusted yet (certificate
        mode, after Alipay rotated its certificate): fetch it (:meth:`Client.fetch_alipay_cert`
        or :meth:`IsvConfig.trust_alipay_cert`) and check the same body again::

            match verifier.check(method, body):
                case NeedsCertificate(sn):
                    client.fetch_alipay_cert(sn)
                case VerifiedResponse() as answer:
                    ...

        Raises:
            As for :meth:`verify`.
        """

    @property
    def cert_mode(self) -> bool:
        """Whether the key is chosen by the body's ``alipay_cert_sn`` (certificate mode)."""

@final
class NeedsCertificate:
    """The answer of :meth:`ResponseVerifier.check` for a body signed by an Alipay certificate
    not trusted yet. Supports ``match`` (``case NeedsCertificate(sn):``) and equality."""

    @property
    def alipay_cert_sn(self) -> str:
        """The ``alipay_cert_sn`` the body names: fetch that certificate."""

@final
class VerifiedResponse:
    """A verified response node. ``repr()`` shows the field names only."""

    @property
    def fields(self) -> dict[str, Any]:
        """The node's fields as ``json.loads`` gives them, keys in document order (decrypted
        first for AES); integers beyond 64 bits become ``float``."""

    @property
    def alipay_cert_sn(self) -> str | None:
        """The ``alipay_cert_sn`` the body named (certificate mode)."""

@final
class NotificationVerifier:
    """Verifies notifications posted to the application gateway (form bodies) with the Alipay
    public key, under every form the gateway signs (V1 without ``sign_type``, V2 with it; empty
    values dropped or kept; ``alipay_cert_sn`` in or out), the likeliest first; the form that
    matched is the result's ``signed_form``. A verifier made with the constructor ignores
    ``alipay_cert_sn``; in certificate mode (:meth:`IsvConfig.notification_verifier`) the key is
    the Alipay certificate the notification names, and an unknown one is a ``SignatureError``
    naming it (:meth:`Client.verify_notification` fetches it first).

    Immutable and safe to share between threads; verification releases the GIL.
    """

    def __init__(
        self,
        alipay_public_key: PublicKey,
        *,
        default_sign_type: SignType = "RSA2",
        max_body_bytes: int = 10485760,
    ) -> None:
        """A verifier using ``alipay_public_key``; ``default_sign_type`` applies to
        notifications without a ``sign_type``.

        Raises:
            ConfigError: an unknown sign type.
        """

    def verify_body(
        self, body: bytes | str
    ) -> (
        AppAuthNotification
        | MessageNotification
        | ServiceMarketOrderNotification
        | OtherNotification
    ):
        """Parses the raw ``application/x-www-form-urlencoded`` body exactly once (in its
        declared ``charset``) and verifies it. Prefer this over :meth:`verify_params`: a web
        framework's own parsing may decode twice.

        Raises:
            SignatureError: no ``sign``, or a signature that verifies under neither V1 nor V2.
            ProtocolError: an oversized or malformed body, a parameter given twice, bytes
                invalid in the declared charset.
        """

    def verify_params(
        self, params: Mapping[str, str]
    ) -> (
        AppAuthNotification
        | MessageNotification
        | ServiceMarketOrderNotification
        | OtherNotification
    ):
        """Verifies parameters a web framework already decoded (once).

        Raises:
            SignatureError: as for :meth:`verify_body`.
            ProtocolError: an unknown ``sign_type`` or ``charset``, malformed ``biz_content``.
            TypeError: a key or value is not a ``str``.
        """

SignedFormName: TypeAlias = Literal[
    "v1",
    "v1+empty",
    "v2",
    "v2+empty",
    "v1+alipay_cert_sn",
    "v1+empty+alipay_cert_sn",
    "v2+alipay_cert_sn",
    "v2+empty+alipay_cert_sn",
]
"""A form the gateway has signed notifications in: ``v1`` (without ``sign`` and ``sign_type``) or
``v2`` (without ``sign`` only), ``+empty`` when empty values were signed, ``+alipay_cert_sn``
when that parameter was."""

PushForm: TypeAlias = SignedFormName | Literal["classic", "mixed"]
"""How the :class:`Emulator` signs its pushes: ``"classic"`` (authorisations ``v1``,
cancellations ``v2``), ``"mixed"`` (a seeded mix of every form) or one fixed form."""

@final
class AppAuthNotification:
    """A merchant authorised (or re-authorised) the app (``notify_type=open_app_auth_notify``).

    ``repr()`` masks the tokens.
    """

    @property
    def kind(self) -> Literal["app_auth"]:
        """``"app_auth"``."""

    @property
    def notify_id(self) -> str:
        """Alipay's id of this notification: deduplicate retries with it."""

    @property
    def notify_time(self) -> str | None:
        """When it was sent (``yyyy-MM-dd HH:mm:ss``, China time)."""

    @property
    def app_id(self) -> str | None:
        """The ISV's ``app_id``."""

    @property
    def status(self) -> str | None:
        """``execute_auth`` for a new authorisation."""

    @property
    def trigger(self) -> str | None:
        """What caused it (``biz_content.notify_context.trigger``): ``appstore`` when a merchant's
        order of a plugin in the service market granted it."""

    @property
    def is_plugin_authorisation(self) -> bool:
        """Whether a merchant's order of a plugin in the service market granted this
        authorisation (``trigger`` is ``appstore``, or the detail names an ``agent_app_id``): the
        token is then for the plugin (``detail.authorised_app_id``) on the merchant's app
        (``detail.auth_app_id``)."""

    @property
    def detail(self) -> AppAuthDetail:
        """The tokens and the merchant they belong to."""

    @property
    def params(self) -> dict[str, str]:
        """The verified parameters: only those the matching signature covers (and ``sign``,
        ``sign_type``)."""

    @property
    def signed_form(self) -> SignedFormName | None:
        """The form of the signature that matched; ``None`` for a notification a :class:`Gateway`
        delivered (it verified, but the gateway does not report the form)."""

@final
class AppAuthDetail:
    """The token detail of a merchant authorisation. ``repr()`` masks the tokens and the code;
    store the tokens with the relation PID (``user_id``) - ``auth_app_id`` - token."""

    @property
    def app_auth_token(self) -> str:
        """The token for delegated calls on the merchant's behalf: keep it secret."""

    @property
    def app_refresh_token(self) -> str | None:
        """The token to refresh it with: keep it secret."""

    @property
    def user_id(self) -> str | None:
        """The merchant's PID (``2088…``)."""

    @property
    def auth_app_id(self) -> str:
        """The merchant's authorised app."""

    @property
    def expires_in(self) -> int | None:
        """Seconds the token lives (sent as a number or a string)."""

    @property
    def re_expires_in(self) -> int | None:
        """Seconds the refresh token lives."""

    @property
    def auth_time(self) -> int | None:
        """When the merchant authorised, epoch milliseconds."""

    @property
    def app_auth_code(self) -> str | None:
        """The single-use code this authorisation came with."""

    @property
    def authorised_app_id(self) -> str | None:
        """The app the merchant authorised (``detail.app_id``): the plugin's id for a plugin
        authorisation."""

    @property
    def agent_app_id(self) -> str | None:
        """The third-party app owning the plugin (``detail.agent_app_id``): present only for a
        plugin authorisation."""

@final
class MessageNotification:
    """A message-service message (``msg_method`` present). ``repr()`` shows parameter names
    only."""

    @property
    def kind(self) -> Literal["message"]:
        """``"message"``."""

    @property
    def msg_method(self) -> str:
        """The message method, e.g. ``alipay.open.auth.appauth.cancelled``."""

    @property
    def notify_id(self) -> str | None:
        """Alipay's id of this message: deduplicate retries with it."""

    @property
    def utc_timestamp(self) -> str | None:
        """When it was sent, epoch milliseconds as text."""

    @property
    def app_id(self) -> str | None:
        """The ISV's ``app_id``."""

    @property
    def msg_app_id(self) -> str | None:
        """The merchant app the message concerns, when given."""

    @property
    def msg_uid(self) -> str | None:
        """The merchant PID the message concerns, when given."""

    @property
    def biz_content(self) -> Any:
        """The parsed ``biz_content`` JSON (``None`` when absent)."""

    @property
    def is_app_auth_cancelled(self) -> bool:
        """Whether a merchant revoked the app's authorisation
        (``alipay.open.auth.appauth.cancelled``): forget its ``app_auth_token``."""

    @property
    def params(self) -> dict[str, str]:
        """The verified parameters: only those the matching signature covers (and ``sign``,
        ``sign_type``)."""

    @property
    def signed_form(self) -> SignedFormName | None:
        """The form of the signature that matched; ``None`` for a notification a :class:`Gateway`
        delivered (it verified, but the gateway does not report the form)."""

@final
class ServiceMarketOrderNotification:
    """A merchant's order of the ISV's plugin or service in the service market (下单消息,
    ``notify_type=servicemarket_order_notify``). ``notify_id``, ``commodity_order_id`` and
    ``merchant_pid`` are always there (a message without one is a ``ProtocolError``); the rest
    is ``None`` when the message leaves it out or sends it empty. No token comes with it: the
    token comes in the plugin authorisation, an :class:`AppAuthNotification` whose
    ``is_plugin_authorisation`` is true. ``repr()`` shows the contact person and phone by their
    length only (:func:`shown`) and parameter names only."""

    @property
    def kind(self) -> Literal["servicemarket_order"]:
        """``"servicemarket_order"``."""

    @property
    def notify_id(self) -> str:
        """Alipay's id of this message: deduplicate retries with it."""

    @property
    def notify_time(self) -> str | None:
        """When it was sent (``yyyy-MM-dd HH:mm:ss``, China time)."""

    @property
    def app_id(self) -> str | None:
        """The app the message was sent to (the ISV's third-party app or plugin)."""

    @property
    def commodity_order_id(self) -> str:
        """The order number: the key of every later call (query, accept, reject, item
        complete…)."""

    @property
    def merchant_pid(self) -> str:
        """The ordering merchant's PID (``2088…``)."""

    @property
    def merchant_name(self) -> str | None:
        """The merchant's name as Alipay shows it (``name``; often partly masked by Alipay)."""

    @property
    def consumer_mini_app_id(self) -> str | None:
        """The merchant's mini program the order is for (``consumer_miniAppId``), for
        mini-program orders: the ``auth_app_id`` of the plugin authorisation that comes with it."""

    @property
    def order_time(self) -> str | None:
        """When the merchant ordered (``yyyy-MM-dd HH:mm:ss``)."""

    @property
    def title(self) -> str | None:
        """The ordered service's name."""

    @property
    def total_price(self) -> str | None:
        """The order's price in yuan, as sent (``"0.00"``): money stays text."""

    @property
    def order_item_num(self) -> int | None:
        """How many items (shops, mini programs) the order holds."""

    @property
    def item_code(self) -> str | None:
        """The service's item code (``AM0…``)."""

    @property
    def specifications(self) -> str | None:
        """The chosen specification (``标准版``)."""

    @property
    def period_day(self) -> int | None:
        """The subscription period in days."""

    @property
    def order_ticket(self) -> str | None:
        """The order authorisation ticket, for ``alipay.open.agent.create`` in pre-authorised
        mode."""

    @property
    def service_code(self) -> str | None:
        """The service code."""

    @property
    def isv_ticket(self) -> str | None:
        """The ISV's pass-through value from the order link (often sent empty, then ``None``)."""

    @property
    def contactor(self) -> str | None:
        """The merchant's contact person. Personal data: ``repr()`` shows its length only."""

    @property
    def phone(self) -> str | None:
        """The merchant's contact phone. Personal data: ``repr()`` shows its length only."""

    @property
    def params(self) -> dict[str, str]:
        """The verified parameters: only those the matching signature covers (and ``sign``,
        ``sign_type``), unknown ones included."""

    @property
    def signed_form(self) -> SignedFormName | None:
        """The form of the signature that matched; ``None`` for a notification a :class:`Gateway`
        delivered (it verified, but the gateway does not report the form)."""

@final
class OtherNotification:
    """Any other verified notification (payment notifications, …). ``repr()`` shows parameter
    names only."""

    @property
    def kind(self) -> Literal["other"]:
        """``"other"``."""

    @property
    def params(self) -> dict[str, str]:
        """The verified parameters: only those the matching signature covers (and ``sign``,
        ``sign_type``)."""

    @property
    def signed_form(self) -> SignedFormName | None:
        """The form of the signature that matched; ``None`` for a notification a :class:`Gateway`
        delivered (it verified, but the gateway does not report the form)."""

@final
class RetryPolicy:
    """How :meth:`Client.execute` retries transport failures (``retry=RetryPolicy(...)``).

    By default only failures before the request could reach the gateway are retried
    (``TransportError.request_sent`` false: DNS, connect, TLS): that can never run a call twice.
    """

    def __init__(self, attempts: int = 3, backoff: float = 0.2, idempotent: bool = False) -> None:
        """A retry policy.

        Args:
            attempts: total attempts, the first included (0 counts as 1).
            backoff: seconds to wait before the second attempt, doubled before each later one.
            idempotent: also retry failures after the request may have been received (timeouts,
                resets, HTTP 5xx): set it only for idempotent calls such as queries.

        Raises:
            ConfigError: a negative or non-finite backoff.
        """

    @property
    def attempts(self) -> int:
        """Total attempts, the first included."""

    @property
    def backoff(self) -> float:
        """Seconds before the second attempt, doubled before each later one."""

    @property
    def idempotent(self) -> bool:
        """Whether failures after the request may have been received are retried too."""

@final
class Client:
    """Calls the Alipay gateway on behalf of merchants: signs, POSTs, verifies.

    Immutable and safe to share between threads (one client serves every merchant; tokens are
    passed per call). Every call releases the GIL for its whole duration; nothing is retried
    unless ``retry`` says so. ``repr()`` shows the app id, gateway and timeouts only. For asyncio,
    use :class:`alipay_isv.aio.Client`.
    """

    def __init__(
        self,
        config: IsvConfig,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        max_response_bytes: int = 10485760,
        proxy: str | None = None,
        max_idle_connections_per_host: int = 16,
    ) -> None:
        """A client of ``config`` on the default HTTP transport (TLS on rustls/aws-lc-rs,
        pooled keep-alive connections).

        Args:
            config: the ISV app's configuration (its gateway: production, sandbox or a URL
                such as :attr:`Emulator.gateway_url`).
            connect_timeout: seconds to resolve, connect and finish the TLS handshake.
            read_timeout: seconds to send the request and receive the whole answer; the
                whole exchange never takes longer than ``connect_timeout + read_timeout``
                (a peer that hangs or answers byte by byte ends in a ``TransportError``).
            max_response_bytes: answers larger than this are refused (``TransportError``).
            proxy: an ``http://host:port`` proxy; ``None`` reads ``HTTPS_PROXY``,
                ``HTTP_PROXY``, ``ALL_PROXY`` (honouring ``NO_PROXY``).
            max_idle_connections_per_host: idle keep-alive connections kept per host.

        Raises:
            ConfigError: a zero, negative or non-finite timeout, a malformed proxy URL.
        """

    @property
    def config(self) -> IsvConfig:
        """The configuration the client signs and verifies with."""

    def execute(
        self,
        method: str,
        biz_content: dict[str, Any] | str | None = None,
        *,
        app_auth_token: str | None = None,
        auth_token: str | None = None,
        notify_url: str | None = None,
        return_url: str | None = None,
        extra_params: Mapping[str, str] | None = None,
        encrypt: bool = False,
        retry: RetryPolicy | None = None,
        auth_app_id: str | None = None,
    ) -> VerifiedResponse:
        """Calls any Alipay API: signs ``method`` (see :meth:`IsvConfig.sign_request` for the
        arguments), POSTs it, verifies the answer and returns its fields.

        Args:
            retry: retry transport failures under this policy, signing each attempt afresh;
                ``None`` (the default) tries once.
            auth_app_id: the merchant app the call is for; not sent, it labels the call's
                logging event and counters (:meth:`Registry.execute_for` sets it itself).

        Raises:
            ApiError: the gateway answered an error (``code``, ``sub_code``, ``signed``...).
            SignatureError: the answer did not verify (or carried no ``sign``).
            TransportError: no complete answer (DNS, connect, timeout, reset, TLS, an HTTP status
                other than 200); ``request_sent`` says whether the call may have run.
            ProtocolError: a malformed, truncated or oversized answer.
            ConfigError: bad arguments, as for :meth:`IsvConfig.sign_request`.
        """

    def exchange_app_auth_code(self, app_auth_code: str) -> list[AppAuthToken]:
        """Exchanges the ``app_auth_code`` of an authorisation callback for the merchant's
        tokens (``alipay.open.auth.token.app``): one per authorised app, several for a batch
        authorisation. Called as the ISV itself.

        Raises:
            ApiError: ``40002 isv.code-invalid`` for an unknown, expired or used code; the other
                errors of :meth:`execute`.
        """

    def refresh_app_auth_token(self, app_refresh_token: str) -> list[AppAuthToken]:
        """Refreshes a merchant's token with its ``app_refresh_token``. The previous token keeps
        working for about ten minutes; the previous refresh token is dead at once.

        Raises:
            ApiError: as for :meth:`exchange_app_auth_code`.
        """

    def query_app_auth_token(self, app_auth_token: str) -> AppAuthTokenInfo:
        """Asks the gateway what it knows of a merchant token
        (``alipay.open.auth.token.app.query``).

        Raises:
            ApiError: ``20001 aop.invalid-app-auth-token`` for an unknown token.
        """

    def exchange_user_auth_code(
        self, auth_code: str, app_auth_token: str | None = None
    ) -> UserToken:
        """Exchanges a user's ``auth_code`` for an access token (``alipay.system.oauth.token``),
        on the merchant's behalf when ``app_auth_token`` is given.

        Raises:
            ApiError: ``40002 isv.code-invalid`` for a bad or used code.
        """

    def refresh_user_token(
        self, refresh_token: str, app_auth_token: str | None = None
    ) -> UserToken:
        """Refreshes a user's access token with its ``refresh_token``.

        Raises:
            ApiError: as for :meth:`exchange_user_auth_code`.
        """

    def user_info_share(self, access_token: str, app_auth_token: str | None = None) -> UserInfo:
        """Reads the user's profile (``alipay.user.info.share``) with their access token, on
        the merchant's behalf when ``app_auth_token`` is given.

        Raises:
            ApiError: ``20001 aop.invalid-auth-token`` for an expired access token.
        """

    def execute_v3(
        self,
        method: V3Method,
        path: str,
        *,
        query: V3Query | None = None,
        body: dict[str, Any] | str | None = None,
        app_auth_token: str | None = None,
        encrypt: bool = False,
        files: Sequence[V3File] | None = None,
        request_id: str | None = None,
    ) -> V3Response:
        """Calls any OpenAPI v3 operation (``https://openapi.alipay.com/v3/…``, the host being
        :attr:`IsvConfig.v3_base`): encodes and signs the call (``Authorization:
        ALIPAY-SHA256withRSA …``, the merchant's token in the signed string and the
        ``alipay-app-auth-token`` header), sends it, verifies the answer's ``alipay-signature``
        over its exact bytes (in certificate mode, downloading a new Alipay certificate the
        answer names) and returns it. Nothing is retried::

            answer = client.execute_v3("POST", "/v3/alipay/open/mini/version/list/query",
                                       body={}, app_auth_token=token)
            answer.fields["app_versions"]

        Args:
            method: the HTTP method (``"GET"``, ``"POST"``, ...; sent in upper case).
            path: the path, e.g. ``"/v3/alipay/open/mini/version/list/query"``, path parameters
                already substituted and percent-encoded; no query (pass ``query``).
            query: query parameters, unencoded, in order: a ``dict`` (any ``Mapping[str, str]``)
                or a sequence of ``(name, value)`` pairs (a name may repeat).
            body: the JSON body: a ``dict`` (serialised once, to compact JSON) or JSON text sent
                as it is; ``None`` for no body.
            app_auth_token: the merchant's token, for a call on its behalf.
            encrypt: AES-encrypt the body (and decrypt the answer) with the configured key.
            files: :class:`V3File` parts: the call becomes a ``multipart/form-data`` upload whose
                signed ``data`` part is the body (a POST).
            request_id: the ``alipay-request-id`` header; a fresh one when ``None``.

        Raises:
            ApiError: Alipay answered a v3 error: ``http_status`` (e.g. ``401``), ``code`` (e.g.
                ``"invalid-app-auth-token"``), ``msg``, ``trace_id``, ``links``, a ``hint`` for
                the codes ISVs meet; ``signed`` whether it verified.
            SignatureError: the answer did not verify, or a success was not signed (is the v3
                base a v2 ``gateway.do``?).
            TransportError: no complete answer, or a proxy answered instead of Alipay;
                ``request_sent`` says whether the call may have run.
            ProtocolError: a malformed answer (not JSON, not decryptable, duplicated signature
                headers).
            ConfigError: a bad call, refused before anything is sent: a path that does not
                start with ``/v3/`` or holds a ``?``, a body that is not JSON, ``encrypt``
                without an AES key, files with another method than POST, an unreadable file.
                The text never holds a token.
            TypeError: ``query``, ``body`` or ``files`` of another shape.
            ValueError: ``body`` holds ``NaN`` or infinity.
        """

    def exchange_app_auth_code_v3(self, app_auth_code: str) -> list[AppAuthToken]:
        """The v3 form of :meth:`exchange_app_auth_code` (``POST
        /v3/alipay/open/auth/token/app``).

        Raises:
            ApiError: HTTP 400 ``code-invalid`` for an unknown, expired or used code; the other
                errors of :meth:`execute_v3`.
        """

    def refresh_app_auth_token_v3(self, app_refresh_token: str) -> list[AppAuthToken]:
        """The v3 form of :meth:`refresh_app_auth_token`.

        Raises:
            ApiError: as for :meth:`exchange_app_auth_code_v3`.
        """

    def query_app_auth_token_v3(self, app_auth_token: str) -> AppAuthTokenInfo:
        """The v3 form of :meth:`query_app_auth_token` (``GET
        /v3/alipay/open/auth/token/app/query``; the token queried is a query parameter).

        Raises:
            ApiError: HTTP 401 ``invalid-app-auth-token`` for an unknown token.
        """

    def exchange_user_auth_code_v3(
        self, auth_code: str, app_auth_token: str | None = None
    ) -> UserToken:
        """The v3 form of :meth:`exchange_user_auth_code` (``POST
        /v3/alipay/system/oauth/token``), on the merchant's behalf when ``app_auth_token`` is
        given.

        Raises:
            ApiError: ``code-invalid`` for a bad or used code; the other errors of
                :meth:`execute_v3`.
        """

    def refresh_user_token_v3(
        self, refresh_token: str, app_auth_token: str | None = None
    ) -> UserToken:
        """The v3 form of :meth:`refresh_user_token`.

        Raises:
            ApiError: as for :meth:`exchange_user_auth_code_v3`.
        """

    def user_info_share_v3(self, access_token: str, app_auth_token: str | None = None) -> UserInfo:
        """The v3 form of :meth:`user_info_share` (``POST
        /v3/alipay/user/info/share?auth_token=…``), on the merchant's behalf when
        ``app_auth_token`` is given.

        Raises:
            ApiError: HTTP 401 ``invalid-auth-token`` for an expired access token.
        """

    def upload_file_v3(
        self, biz_code: str, file: V3File, app_auth_token: str | None = None
    ) -> FileUpload:
        """Uploads a file with ``alipay.open.file.upload`` (``POST
        /v3/alipay/open/file/upload``), on the merchant's behalf when ``app_auth_token`` is
        given: the signed ``data`` part ``{biz_code, md5}`` (the file's MD5, computed here) and
        the file in part ``file_content`` (whatever :attr:`V3File.field` says), streamed from
        disk for a :class:`V3File` of a ``path``.

        Args:
            biz_code: what the file is for, as the API that uses it says (e.g.
                ``"openpt_appstore"``).
            file: the file.
            app_auth_token: the merchant's token, for an upload on its behalf.

        Raises:
            ApiError: ``invalid-file-extension``, ``invalid-file-size`` or ``file-check-fail``
                as Alipay answers; the other errors of :meth:`execute_v3`.
            ConfigError: an empty ``biz_code``, a file that cannot be read.
        """

    def fetch_alipay_cert(self, alipay_cert_sn: str) -> bool:
        """Certificate mode: makes sure the Alipay certificate ``alipay_cert_sn`` is trusted.
        Nothing happens when it already is; otherwise it is downloaded
        (``alipay.open.app.alipaycert.download``), its validity and its chain to the root bundle
        are checked, and it is trusted by every client of this configuration. Returns whether a
        download happened. :meth:`execute` and :meth:`verify_notification` do this by
        themselves.

        Raises:
            SignatureError: the certificate is expired, not chained to the root bundle, tampered
                with or not the one asked for, or the download answer does not verify.
            ConfigError: the client is not in certificate mode, or the SN is empty.
            ApiError, TransportError, ProtocolError: as for :meth:`execute`.
        """

    def verify_notification(
        self, body: bytes | str
    ) -> (
        AppAuthNotification
        | MessageNotification
        | ServiceMarketOrderNotification
        | OtherNotification
    ):
        """Verifies a notification body as :meth:`NotificationVerifier.verify_body` does; in
        certificate mode an ``alipay_cert_sn`` not trusted yet is fetched first
        (:meth:`fetch_alipay_cert`).

        Raises:
            SignatureError, ProtocolError: as for :meth:`NotificationVerifier.verify_body`.
            ApiError, TransportError: the certificate download failed.
        """

    def query_servicemarket_order(
        self, commodity_order_id: str, page: int = 1
    ) -> ServiceMarketOrderPage:
        """One page (from 1) of a service-market order (``alipay.open.servicemarket.order.query``):
        its state and up to 100 of its items. Called as the ISV itself.

        Raises:
            ApiError: ``ORDER_NOT_EXIST`` for an unknown order; the other errors of :meth:`execute`.
            ConfigError: an empty id, or page 0.
        """

    def servicemarket_order_pages(self, commodity_order_id: str) -> ServiceMarketOrderPages:
        """Every page of a service-market order, fetched as the iterator advances (one call per
        page of 100 items, the GIL released); the iteration ends after the last page. Nothing is
        fetched until the first ``next()``; an error raises from ``next()`` and ends the
        iteration."""

    def accept_servicemarket_order(self, commodity_order_id: str) -> None:
        """Accepts (接单) a service-market order the merchant placed
        (``alipay.open.servicemarket.order.accept``). Called as the ISV itself.

        Raises:
            ApiError: ``COMMODITY_ORDER_STATUS_INVALID`` when the order is not awaiting the ISV
                (already accepted or rejected), ``ORDER_NOT_EXIST``; the other errors of
                :meth:`execute`.
        """

    def reject_servicemarket_order(self, commodity_order_id: str, reason: str) -> None:
        """Rejects (拒单) a service-market order, with the reason the merchant will read
        (``alipay.open.servicemarket.order.reject``).

        Raises:
            ApiError: as for :meth:`accept_servicemarket_order`.
            ConfigError: an empty id or reason.
        """

    def complete_servicemarket_order_item(
        self,
        commodity_order_id: str,
        *,
        mini_app_id: str | None = None,
        shop_id: str | None = None,
    ) -> None:
        """Marks one item of an accepted order implemented
        (``alipay.open.servicemarket.order.item.complete``); the merchant then confirms it. The
        item is named by exactly one of ``mini_app_id`` and ``shop_id``.

        Raises:
            ApiError: ``ITEM_STATUS_NOT_ALLOW`` when the item is not in progress (the order not
                accepted yet, the item already completed or cancelled),
                ``COMMODITY_ORDER_ITEM_NOT_EXIST``; the other errors of :meth:`execute`.
            ConfigError: neither or both of ``mini_app_id`` and ``shop_id``, or an empty one.
        """

    def confirm_servicemarket_order_item(
        self,
        commodity_order_id: str,
        app_auth_token: str,
        *,
        mini_app_id: str | None = None,
        shop_id: str | None = None,
    ) -> None:
        """Confirms a completed item on the merchant's behalf, with the merchant's
        ``app_auth_token`` (``alipay.open.servicemarket.order.item.confirm``; for a plugin, the
        token of the plugin authorisation that came with the order). The item is named as for
        :meth:`complete_servicemarket_order_item`.

        Raises:
            ApiError: ``ITEM_STATUS_NOT_ALLOW`` when the item is not completed,
                ``NO_PERMISSION_COMFIRM_ORDERITEM`` for another merchant's token,
                ``CONFIRM_CHARGE_ITEM_NOT_ALLOW`` for a priced item, the token errors of a
                delegated call (``isv.self-invoke-forbidden`` without one); the other errors of
                :meth:`execute`.
            ConfigError: as for :meth:`complete_servicemarket_order_item`.
        """

    def cancel_servicemarket_order_item(
        self,
        commodity_order_id: str,
        reason: str,
        *,
        mini_app_id: str | None = None,
        shop_id: str | None = None,
    ) -> None:
        """Cancels one item of an order, with the reason the merchant will read
        (``alipay.open.servicemarket.order.item.cancel``). The item is named as for
        :meth:`complete_servicemarket_order_item`.

        Raises:
            ApiError: as for :meth:`complete_servicemarket_order_item` (a done, rejected or
                cancelled item cannot be cancelled).
            ConfigError: as for :meth:`complete_servicemarket_order_item`; an empty reason.
        """

@final
class ServiceMarketOrderPage:
    """One page of a service-market order (``alipay.open.servicemarket.order.query``): the order's
    state and up to 100 of its items. ``repr()`` shows the order's state and its items."""

    @property
    def commodity_id(self) -> str | None:
        """The ordered commodity."""

    @property
    def status(self) -> str | None:
        """The order's state: ``MERCHANT_ORDED`` while it awaits the ISV, then as Alipay answers
        (``ISV_ACCEPTED``, ``ISV_REJECTED``…)."""

    @property
    def specifications(self) -> str | None:
        """The ordered specification."""

    @property
    def auto_upgrade(self) -> bool | None:
        """Whether the merchant turned automatic upgrades on."""

    @property
    def current_page(self) -> int:
        """This page's number (from 1)."""

    @property
    def total_size(self) -> int:
        """How many items the order holds in all."""

    @property
    def has_next(self) -> bool:
        """Whether a later page may hold more items: this one was full (100 items) and the total
        goes beyond it."""

    @property
    def items(self) -> list[ServiceMarketOrderItem]:
        """This page's items (a new ``list`` each time)."""

@final
class ServiceMarketOrderItem:
    """One item of a service-market order, as the order query answers it (every field text, as
    sent; ``None`` when absent). ``repr()`` shows the identifiers, dates and field names."""

    @property
    def order_status(self) -> str | None:
        """The item's state: ``TO_DO``, ``DOING``, ``TO_CONFIRM``, ``CONFIRMED``, ``DONE``,
        ``MERCHANT_REJECTED``, ``MERCHANT_CANCELLED``, ``ISV_REJECTED``, ``ISV_CANCELLED``."""

    @property
    def mini_app_id(self) -> str | None:
        """The merchant's mini program of a plugin or template order: pass it as ``mini_app_id``
        to the item calls."""

    @property
    def mini_app_name(self) -> str | None:
        """Its name."""

    @property
    def shop_id(self) -> str | None:
        """The shop of a shop service: pass it as ``shop_id`` to the item calls."""

    @property
    def shop_name(self) -> str | None:
        """The shop's name."""

    @property
    def merchant_pid(self) -> str | None:
        """The merchant's PID (``2088…``)."""

    @property
    def merchant_name(self) -> str | None:
        """The merchant's name."""

    @property
    def commodity_id(self) -> str | None:
        """The ordered commodity."""

    @property
    def service_effect_date(self) -> str | None:
        """When the service starts (``yyyy-MM-dd HH:mm:ss``)."""

    @property
    def service_expire_date(self) -> str | None:
        """When the service ends (``yyyy-MM-dd HH:mm:ss``)."""

    @property
    def fields(self) -> dict[str, Any]:
        """Every field of the item as answered, as ``json.loads`` gives them (a new ``dict`` each
        time)."""

@final
class ServiceMarketOrderPages:
    """Every page of a service-market order (:meth:`Client.servicemarket_order_pages`): an
    iterator fetching one page per step, with the GIL released, until the last page. An error
    raises from ``next()`` and ends the iteration. Safe to share between threads (steps run one
    at a time)."""

    @property
    def commodity_order_id(self) -> str:
        """The order the pages are of."""

    def __iter__(self) -> ServiceMarketOrderPages: ...
    def __next__(self) -> ServiceMarketOrderPage: ...

@final
class AppAuthToken:
    """One merchant authorisation: the token for delegated calls and the merchant it belongs
    to. ``repr()`` masks the tokens."""

    @property
    def app_auth_token(self) -> str:
        """The token to pass as ``app_auth_token`` on delegated calls: keep it secret."""

    @property
    def app_refresh_token(self) -> str | None:
        """The token to refresh it with: keep it secret."""

    @property
    def auth_app_id(self) -> str:
        """The merchant's authorised app."""

    @property
    def user_id(self) -> str | None:
        """The merchant's PID (``2088…``)."""

    @property
    def expires_in(self) -> int | None:
        """Seconds the token lives from now."""

    @property
    def re_expires_in(self) -> int | None:
        """Seconds the refresh token lives from now."""

@final
class AppAuthTokenInfo:
    """What ``alipay.open.auth.token.app.query`` says of a merchant token."""

    @property
    def user_id(self) -> str | None:
        """The merchant's PID."""

    @property
    def auth_app_id(self) -> str | None:
        """The merchant's authorised app."""

    @property
    def expires_in(self) -> int | None:
        """Seconds the token still lives."""

    @property
    def auth_methods(self) -> list[str]:
        """The APIs the merchant granted."""

    @property
    def auth_start(self) -> str | None:
        """When the authorisation started (``yyyy-MM-dd HH:mm:ss``, China time)."""

    @property
    def auth_end(self) -> str | None:
        """When it ends."""

    @property
    def status(self) -> str | None:
        """``"valid"`` or ``"invalid"`` (revoked or expired)."""

    @property
    def is_valid(self) -> bool:
        """Whether the gateway says the token is valid."""

@final
class UserToken:
    """A user's authorisation, from ``alipay.system.oauth.token``. ``repr()`` masks the
    tokens."""

    @property
    def user_id(self) -> str | None:
        """The user's id (``2088…``), when the app still receives it."""

    @property
    def open_id(self) -> str | None:
        """The user's per-app ``open_id``, when present."""

    @property
    def access_token(self) -> str:
        """The token to pass as ``auth_token`` on calls for this user: keep it secret."""

    @property
    def expires_in(self) -> int | None:
        """Seconds the access token lives."""

    @property
    def refresh_token(self) -> str | None:
        """The token to refresh it with: keep it secret."""

    @property
    def re_expires_in(self) -> int | None:
        """Seconds the refresh token lives."""

    @property
    def auth_start(self) -> str | None:
        """When the user authorised (``yyyy-MM-dd HH:mm:ss``, China time)."""

@final
class UserInfo:
    """A user's profile, from ``alipay.user.info.share``; every attribute optional.
    ``repr()`` shows the identifiers and the field names only."""

    @property
    def user_id(self) -> str | None:
        """The user's id (``2088…``)."""

    @property
    def open_id(self) -> str | None:
        """The user's per-app ``open_id``."""

    @property
    def nick_name(self) -> str | None:
        """Nickname."""

    @property
    def avatar(self) -> str | None:
        """Avatar URL."""

    @property
    def province(self) -> str | None:
        """Province."""

    @property
    def city(self) -> str | None:
        """City."""

    @property
    def gender(self) -> str | None:
        """``"m"`` or ``"f"``."""

    @property
    def fields(self) -> dict[str, Any]:
        """Every field of the answer (``code`` and ``msg`` included), as ``json.loads``
        gives them."""

@final
class AuthLink:
    """A link to send a merchant or user to, with the ``state`` to check on the way back.
    ``repr()`` shows the page and the state, not the query."""

    @property
    def url(self) -> str:
        """The URL to open (redirect the browser to it)."""

    @property
    def state(self) -> str:
        """The ``state`` the callback must carry back: keep it (session, signed cookie)."""

ApplicationTypes: TypeAlias = (
    ApplicationType | ApplicationTypeName | Sequence[ApplicationType | ApplicationTypeName]
)
"""One application type or a sequence of them: :class:`alipay_isv.ApplicationType` members or
their plain strings (case-insensitive at run time)."""

UserScopes: TypeAlias = UserScope | UserScopeName | Sequence[UserScope | UserScopeName]
"""One consent scope or a sequence of them: :class:`alipay_isv.UserScope` members or their plain
strings (case-insensitive at run time)."""

def app_auth_link(
    app_id: str,
    redirect_uri: str,
    *,
    host: str = "production",
    application_types: ApplicationTypes | None = None,
    state: str | None = None,
) -> AuthLink:
    """The merchant authorisation link: single (``appToAppAuth.htm``), or batch
    (``appToAppBatchAuth.htm?application_type=…``) when ``application_types`` is given.

    Args:
        app_id: the ISV app's id.
        redirect_uri: the http(s) callback URL configured for the app.
        host: ``"production"``, ``"sandbox"`` or a URL (:attr:`Emulator.base_url`).
        application_types: ``"TINYAPP"``, ``"WEBAPP"``... (see
            :class:`alipay_isv.ApplicationType`), one or a sequence.
        state: a Base64 ``state`` of your own; ``None`` generates one.

    Raises:
        ConfigError: an empty ``app_id``, a ``redirect_uri`` that is not http(s), a ``state``
            that is not Base64, an unknown host or application type.
    """

def console_auth_link(
    app_id: str,
    redirect_uri: str,
    application_types: ApplicationTypes,
    *,
    host: str = "production",
    state: str | None = None,
) -> AuthLink:
    """The console-style merchant authorisation link
    (``b.alipay.com/page/message/tasksDetail?bizData=…``); ``host`` is ``"production"`` or a
    URL.

    Raises:
        ConfigError: as for :func:`app_auth_link`; at least one application type is required
            and the sandbox has no console links.
    """

def user_consent_link(
    app_id: str,
    redirect_uri: str,
    scopes: UserScopes,
    *,
    host: str = "production",
    state: str | None = None,
) -> AuthLink:
    """The user consent link (``publicAppAuthorize.htm``) for the app ``app_id`` — for a
    delegated mini-program, the merchant's ``auth_app_id``.

    Args:
        scopes: ``"auth_user"`` or ``"auth_base"`` (see :class:`alipay_isv.UserScope`), one or a
            sequence.

    Raises:
        ConfigError: as for :func:`app_auth_link`; at least one scope is required.
    """

def generate_state() -> str:
    """A fresh ``state``: 24 random bytes as URL-safe Base64 (32 characters)."""

def states_match(issued: str, received: str) -> bool:
    """Whether the ``state`` a callback carried equals the one issued (constant-time)."""

@final
class AppAuthCallback:
    """A checked merchant authorisation callback. ``repr()`` masks the code."""

    @property
    def app_auth_code(self) -> str:
        """The single-use code to exchange with :meth:`Client.exchange_app_auth_code`."""

    @property
    def app_id(self) -> str:
        """The ISV ``app_id`` (checked to be ours)."""

    @property
    def source(self) -> str | None:
        """``"alipay_app_auth"`` for Alipay's redirect."""

    @property
    def state(self) -> str | None:
        """The ``state`` carried back, when there was one."""

def parse_app_auth_callback(
    url_or_query: str,
    expected_app_id: str,
    state: str | None = None,
    *,
    allow_missing_state: bool = False,
) -> AppAuthCallback:
    """Parses and checks a merchant authorisation callback (a full URL, or its query with or
    without ``?``).

    Args:
        url_or_query: the callback as received.
        expected_app_id: the ISV app's id: the callback must name it.
        state: the ``state`` issued with the link (compared in constant time).
        allow_missing_state: accept a callback without ``state`` (links issued from the Alipay
            console come back without one); a ``state`` that is present is still compared with
            ``state`` when given.

    Raises:
        SignatureError: another ``app_id``, a ``state`` that does not match, or a missing one.
        ProtocolError: no ``app_id`` or ``app_auth_code`` (the merchant declined), or a
            parameter given twice.
        ConfigError: neither ``state`` nor ``allow_missing_state`` given.
    """

@final
class UserAuthCallback:
    """A checked user consent callback. ``repr()`` masks the code."""

    @property
    def auth_code(self) -> str:
        """The single-use code to exchange with :meth:`Client.exchange_user_auth_code`."""

    @property
    def app_id(self) -> str:
        """The app the user consented to (for a delegated mini-program, the merchant's
        ``auth_app_id``)."""

    @property
    def scope(self) -> str | None:
        """The scopes granted, e.g. ``"auth_user"``."""

    @property
    def state(self) -> str | None:
        """The ``state`` carried back, when there was one."""

def parse_user_auth_callback(
    url_or_query: str,
    expected_app_id: str,
    state: str | None = None,
    *,
    allow_missing_state: bool = False,
) -> UserAuthCallback:
    """Parses and checks a user consent callback; ``expected_app_id`` is the app the link
    named. Arguments and errors as for :func:`parse_app_auth_callback`, with ``auth_code``."""

@final
class TokenKey:
    """A 256-bit key encrypting stored tokens at rest (AES-256-GCM), provided by the host (a
    secret manager, an environment variable). ``repr()`` shows nothing of it."""

    def __init__(self, text: str) -> None:
        """A key from its Base64 text (44 characters for 32 bytes).

        Raises:
            ConfigError: the text is not Base64 of 32 bytes.
        """

    @staticmethod
    def from_bytes(data: bytes) -> TokenKey:
        """A key from 32 raw bytes.

        Raises:
            ConfigError: not 32 bytes.
        """

    @staticmethod
    def generate_base64() -> str:
        """A fresh random key as Base64 text, for a host setting up encryption: store it as a
        secret and pass it (or a :class:`TokenKey` of it) as ``Registry(..., key=...)``."""

@final
class MerchantAuthorisation:
    """One merchant authorisation stored in a :class:`Registry`: unique per (``app_id``,
    ``auth_app_id``) — our app the merchant authorised, and the merchant's app — and indexed by
    the merchant's PID. A snapshot: read the registry again for fresh state. ``repr()`` masks
    the tokens."""

    @property
    def app_id(self) -> str:
        """Our app the merchant authorised: the third-party app, or the plugin for a plugin
        authorisation. Empty for a record stored before the registry recorded apps, until the
        first write by an app moves it under that app."""

    @property
    def auth_app_id(self) -> str:
        """The merchant's authorised app (with :attr:`app_id`, the unique key)."""

    @property
    def merchant_pid(self) -> str | None:
        """The merchant's PID (``2088…``), when known."""

    @property
    def app_auth_token(self) -> str:
        """The stored token for delegated calls: keep it secret. Prefer
        :meth:`Registry.token_for`, which refreshes it when due."""

    @property
    def app_refresh_token(self) -> str | None:
        """The token to refresh it with: keep it secret."""

    @property
    def expires_at_ms(self) -> int | None:
        """When the token expires, epoch milliseconds, when known."""

    @property
    def refresh_expires_at_ms(self) -> int | None:
        """When the refresh token expires, epoch milliseconds, when known."""

    @property
    def authorised_at_ms(self) -> int:
        """When the merchant authorised (or re-authorised), epoch milliseconds."""

    @property
    def token_issued_at_ms(self) -> int:
        """When the current token was issued (authorisation or refresh), epoch milliseconds."""

    @property
    def status(self) -> AuthStatus:
        """:attr:`AuthStatus.ACTIVE` or :attr:`AuthStatus.REVOKED` (equal to ``"active"`` /
        ``"revoked"``)."""

    @property
    def is_active(self) -> bool:
        """Whether the token can be used."""

    @property
    def revoked_at_ms(self) -> int | None:
        """When it was revoked, epoch milliseconds."""

    @property
    def granted_methods(self) -> list[str]:
        """The APIs the merchant granted, when a query told (a new list on each access)."""

    @property
    def version(self) -> int:
        """Incremented by every write (the compare-and-swap guard between processes)."""

    @property
    def refresh_lease(self) -> tuple[str, int] | None:
        """``(owner, until_ms)`` of the registry refreshing the token right now, if any."""

    @property
    def updated_at_ms(self) -> int:
        """The last write, epoch milliseconds."""

    @property
    def origin(self) -> AuthOrigin:
        """:attr:`AuthOrigin.AUTHORISED` (the merchant authorised through a link) or
        :attr:`AuthOrigin.IMPORTED` (a token copied from the open-platform console and imported
        with :meth:`Registry.import_token`); equal to ``"authorised"`` / ``"imported"``."""

@final
class TokenImport:
    """What :meth:`Registry.import_token` did, and the merchant's record as stored now.
    ``repr()`` masks the tokens."""

    @property
    def outcome(self) -> IngestOutcome:
        """``APPLIED`` (stored or updated), ``DUPLICATE`` (this token was already stored) or
        ``STALE`` (the stored token is newer, or the record was revoked after this token's
        authorisation: nothing changed)."""

    @property
    def record(self) -> MerchantAuthorisation:
        """The merchant's record after the import (the stored one when nothing changed)."""

ORDER_PLACED: Final = "MERCHANT_ORDED"
"""The status of a new service-market order, as Alipay names it: placed by the merchant,
awaiting the ISV."""

ORDER_ACCEPTED: Final = "ISV_ACCEPTED"
"""The order status :meth:`Registry.accept_order` records."""

ORDER_REJECTED: Final = "ISV_REJECTED"
"""The order status :meth:`Registry.reject_order` records."""

ITEM_TO_CONFIRM: Final = "TO_CONFIRM"
"""The item status :meth:`Registry.complete_order_item` records: awaiting the merchant's
confirmation."""

ITEM_DONE: Final = "DONE"
"""The item status :meth:`Registry.confirm_order_item` records."""

ITEM_CANCELLED: Final = "ISV_CANCELLED"
"""The item status :meth:`Registry.cancel_order_item` records."""

@final
class OrderItemState:
    """The state of one item of a stored order (a mini program or a shop), as the ISV's item
    calls and order queries left it."""

    @property
    def mini_app_id(self) -> str | None:
        """The merchant's mini program, for plugin and template orders."""

    @property
    def shop_id(self) -> str | None:
        """The shop, for shop services."""

    @property
    def status(self) -> str:
        """Alipay's item status (``TO_DO``, ``DOING``, ``TO_CONFIRM``, ``DONE``,
        ``ISV_CANCELLED``, …)."""

OrderChangeSource: TypeAlias = Literal[
    "notification", "accept", "reject", "item.complete", "item.confirm", "item.cancel", "query"
]
"""What moved a stored order (:attr:`OrderStatusChange.source`)."""

@final
class OrderStatusChange:
    """One change of a stored order's status, or of one of its items'."""

    @property
    def status(self) -> str:
        """The new status."""

    @property
    def item(self) -> str | None:
        """The item it is about (its mini program or shop id); ``None`` for the order itself."""

    @property
    def source(self) -> OrderChangeSource:
        """What changed it: ``notification`` (the order message), ``accept``, ``reject``,
        ``item.complete``, ``item.confirm``, ``item.cancel`` (the registry's order calls) or
        ``query`` (:meth:`Registry.refresh_order`)."""

    @property
    def at_ms(self) -> int:
        """When, epoch milliseconds."""

@final
class OrderRecord:
    """A service-market order as the :class:`Registry` keeps it: what the order message said, the
    status as the ISV's calls and queries moved it, and the history of those moves. Keyed by
    ``commodity_order_id``. A snapshot: read the registry again for fresh state. ``repr()``
    shows the merchant's contact person and phone (personal data) by their length only, leaves
    out the merchant's name (as a notification's ``repr()`` does), and shows the message's
    parameters by name only."""

    @property
    def commodity_order_id(self) -> str:
        """The order number (the unique key)."""

    @property
    def app_id(self) -> str:
        """The app that received the order message (our third-party app or plugin): its client
        makes the order calls."""

    @property
    def merchant_pid(self) -> str:
        """The ordering merchant's PID (``2088…``)."""

    @property
    def consumer_mini_app_id(self) -> str | None:
        """The merchant's mini program the order is for (``consumer_miniAppId``), when given: the
        ``auth_app_id`` of the authorisation that comes with the order."""

    @property
    def merchant_name(self) -> str | None:
        """The merchant's name as Alipay showed it."""

    @property
    def title(self) -> str | None:
        """The ordered service's name."""

    @property
    def total_price(self) -> str | None:
        """The price in yuan, as sent."""

    @property
    def order_time(self) -> str | None:
        """When the merchant ordered (``yyyy-MM-dd HH:mm:ss``, China time)."""

    @property
    def contactor(self) -> str | None:
        """The merchant's contact person: personal data, keep it out of logs."""

    @property
    def phone(self) -> str | None:
        """The merchant's contact phone: personal data, keep it out of logs."""

    @property
    def status(self) -> str:
        """The order's status: :data:`ORDER_PLACED` (``MERCHANT_ORDED``),
        :data:`ORDER_ACCEPTED`, :data:`ORDER_REJECTED`, or what a query answered."""

    @property
    def items(self) -> list[OrderItemState]:
        """The items whose status is known, from the ISV's item calls and from queries (a new
        ``list`` each time)."""

    @property
    def notify_id(self) -> str | None:
        """The ``notify_id`` of the order message whose fields are stored (the latest sent)."""

    @property
    def notified_at_ms(self) -> int | None:
        """When that message was sent, epoch milliseconds."""

    @property
    def params(self) -> dict[str, str]:
        """Every verified parameter of that message (a new ``dict`` each time; ``contactor`` and
        ``phone`` are personal data)."""

    @property
    def history(self) -> list[OrderStatusChange]:
        """Every status change, oldest first (a new ``list`` each time)."""

    @property
    def version(self) -> int:
        """Incremented by every write: ``1`` for an order stored once and never moved."""

    @property
    def created_at_ms(self) -> int:
        """When the registry first stored it, epoch milliseconds."""

    @property
    def updated_at_ms(self) -> int:
        """The last write, epoch milliseconds."""

    def item_status(
        self, *, mini_app_id: str | None = None, shop_id: str | None = None
    ) -> str | None:
        """The status of one item, when known: named by exactly one of ``mini_app_id`` and
        ``shop_id``.

        Raises:
            ConfigError: neither or both of ``mini_app_id`` and ``shop_id``.
        """

@final
class Registry:
    """The merchant authorisation registry: the unique relation merchant PID - ``auth_app_id`` -
    ``app_auth_token`` an ISV server must keep, in a SQLite file (WAL; shared safely by threads
    and by processes), in PostgreSQL or MySQL/MariaDB (shared by every instance of a backend, on
    any number of hosts), or in memory.

    Fed idempotently from token answers (:meth:`ingest_tokens`), verified notifications
    (:meth:`ingest_notification`: Alipay's retries are duplicates, late messages never overwrite
    newer state, a cancellation revokes without deleting) and queries (:meth:`ingest_query`);
    serves usable tokens (:meth:`token_for`), refreshed ahead of expiry exactly once however many
    threads, processes or hosts sharing the store ask, and delegated calls (:meth:`execute_for`).

    One registry serves several of our apps (a third-party app and its plugins): records are
    keyed by (``app_id``, ``auth_app_id``), and each is refreshed and called through the client
    of its app (``client`` for the default app, ``clients`` for the others; see
    :meth:`get_for_app`). Service-market orders (:meth:`order`, :class:`OrderRecord`) are stored
    from their order messages, and the order calls made through the registry
    (:meth:`accept_order`, :meth:`complete_order_item`, …) record each new status.

    Thread-safe: open one per process and share it. Every method releases the GIL (opening and
    ingesting touch the disk or the database server; :meth:`token_for`, :meth:`execute_for` and
    the order calls may call the gateway). For asyncio, use :class:`alipay_isv.aio.Registry`.
    ``repr()`` shows no token, no key and no database password.
    """

    def __init__(
        self,
        path_or_url: str | os.PathLike[str],
        *,
        key: TokenKey | str | bytes | None = None,
        client: Client | None = None,
        clients: Sequence[Client] = (),
        refresh_margin: float = 600.0,
        token_cache_ttl: float | None = None,
    ) -> None:
        """Opens the registry at ``path_or_url``: a SQLite file (created if missing), a
        PostgreSQL or MySQL/MariaDB database (its tables created on first use), or memory. The
        core's ``registry::open_store`` reads the URL, as every binding and the CLI do:

        - a file path, ``sqlite://PATH`` or ``sqlite:PATH`` (``sqlite:///var/lib/isv/r.db`` is
          the absolute path ``/var/lib/isv/r.db``), or an ``os.PathLike``: a SQLite file (WAL;
          its ``-wal`` and ``-shm`` companions live beside it);
        - ``postgres://USER:PASSWORD@HOST:PORT/DATABASE?…`` (or ``postgresql://``): PostgreSQL.
          TLS as libpq's ``sslmode`` says: absent or ``disable`` — none; ``prefer``/``require``
          — encrypted, the certificate not checked (``require`` with ``sslrootcert`` checks the
          chain); ``verify-ca`` — the chain; ``verify-full`` — the chain and the host name (use
          it across any network you do not control), against ``sslrootcert=/path/ca.pem`` or
          the Mozilla roots. Also ``connect_timeout`` (seconds, default 10), ``options`` (e.g.
          ``options=-csearch_path%3Dregistry`` for a schema of its own; the tables go to the
          first schema of the ``search_path``), ``application_name`` and the other libpq
          parameters the driver knows; client certificates (``sslcert``) are refused;
        - ``mysql://USER:PASSWORD@HOST:PORT/DATABASE?…`` (or ``mariadb://``): MySQL 5.7+ or
          MariaDB 10.2+. TLS as the ``mysql`` client's ``ssl-mode`` says (any case):
          ``DISABLED`` (the default) — none; ``PREFERRED``/``REQUIRED`` — encrypted, the
          certificate not checked (``REQUIRED`` with ``ssl-ca`` checks the chain);
          ``VERIFY_CA`` — the chain; ``VERIFY_IDENTITY`` — the chain and the host name, against
          ``ssl-ca=/path/ca.pem`` or the Mozilla roots. Also ``connect_timeout`` (seconds); any
          other parameter is refused by name;
        - both servers: ``pool_max_size`` (connections, 1 to 1000, default 8) and
          ``pool_timeout`` (seconds a call waits for a free connection, default 10); a password
          with ``@``, ``:``, ``/``, ``?`` or ``%`` is written percent-encoded (``%40`` …);
        - ``memory:``: in memory, as :meth:`in_memory` (``key`` is not used).

        Instances on any number of hosts may share one PostgreSQL or MySQL database: each sees
        the others' records, and a token due for refresh is refreshed by exactly one of them.
        The password is in no error, no ``repr()`` and not in :attr:`database`.

        Args:
            path_or_url: the SQLite file or the URL, as above.
            key: encrypt stored tokens with this key (a :class:`TokenKey`, its Base64 text, or
                32 bytes); a file or database created with a key must always be opened with that
                key.
            client: the client of the *default app* (the third-party app): tokens of
                :meth:`ingest_tokens` are stored under its app, and it refreshes tokens and makes
                :meth:`execute_for` calls for the merchants who authorised it.
            clients: one client per other app of ours (each plugin) whose merchants the registry
                keeps: each record is refreshed and called through the client of its app.
            refresh_margin: refresh a token when it expires within this many seconds.
            token_cache_ttl: serve :meth:`token_for` and the delegated calls from a cache in this
                instance whose entries live at most this many seconds (and only while the token
                is not due), sparing a database round trip; ``None`` (the default): no cache. A
                write through this registry evicts at once; a revocation or refresh written by
                another instance sharing the database is seen within this bound, never after.

        Raises:
            StoreError: the file is not SQLite, or a SQLite database of another application (it
                is left untouched), or was encrypted with another key (or none), or cannot be
                opened; the database server cannot be reached (within ``connect_timeout``) or
                refuses the login (the error names the user, never the password), the database
                does not exist, holds tables of another application or a newer schema (nothing
                is written to it), or the key does not match.
            ConfigError: a URL that is not valid (another scheme, an unknown or malformed
                parameter, an unreadable CA file; never showing the password), a server URL in a
                build without the ``sql-stores`` feature, a malformed key, a negative margin, or a
                ``token_cache_ttl`` that is zero, negative or not finite.
            TypeError: ``path_or_url`` is neither a ``str`` nor an ``os.PathLike``, or
                ``clients`` holds something other than :class:`Client` objects.
        """

    @staticmethod
    def in_memory(
        *,
        client: Client | None = None,
        clients: Sequence[Client] = (),
        refresh_margin: float = 600.0,
    ) -> Registry:
        """A registry in memory (gone with the process), for tests and single-process tools.
        Arguments as for the constructor."""

    @property
    def path(self) -> str | None:
        """The SQLite file, or ``None`` for a registry in a database server or in memory."""

    @property
    def database(self) -> str | None:
        """The database of a registry in PostgreSQL or MySQL as the core names it —
        ``postgres://USER@HOST:PORT/DATABASE``, ``mysql://…`` (never the password, no
        parameters) —, or ``None`` for a SQLite file or memory."""

    @property
    def store_kind(self) -> Literal["sqlite", "postgres", "mysql", "memory"]:
        """Which store keeps the records: ``"sqlite"`` (a file), ``"postgres"``, ``"mysql"``
        (MySQL or MariaDB) or ``"memory"``."""

    @property
    def encrypted(self) -> bool:
        """Whether stored tokens are encrypted with a :class:`TokenKey`."""

    @property
    def client(self) -> Client | None:
        """The default app's client, if any: tokens of its merchants are refreshed and delegated
        calls made with it."""

    @property
    def clients(self) -> builtins.list[Client]:
        """The clients of our other apps (plugins), as given (a new ``list`` each time)."""

    @property
    def default_app_id(self) -> str:
        """The *default app*: the app of :attr:`client` (else of the first of :attr:`clients`),
        ``""`` without a client. Tokens of :meth:`ingest_tokens` are stored under it, and it wins
        when a merchant app that authorised several of our apps is asked for by ``auth_app_id``
        alone."""

    @property
    def refresh_margin(self) -> float:
        """Seconds before expiry a token is refreshed."""

    @property
    def token_cache_ttl(self) -> float | None:
        """The bound, in seconds, of the token cache (``None``: no cache): a cached token is
        served at most this long after it was read, so another instance's revocation or refresh
        is seen within it; a write through this registry evicts at once."""

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""

    def ingest_tokens(self, tokens: Iterable[AppAuthToken]) -> builtins.list[IngestOutcome]:
        """Stores the tokens :meth:`Client.exchange_app_auth_code` returned (every token of a
        batch): each is a new authorisation and replaces what was stored for its
        ``auth_app_id``. Returns one outcome per token.

        Raises:
            ProtocolError: a token without ``auth_app_id``.
            StoreError: the store failed.
        """

    def ingest_refreshed_tokens(
        self, tokens: Iterable[AppAuthToken]
    ) -> builtins.list[IngestOutcome]:
        """Stores the tokens of a :meth:`Client.refresh_app_auth_token` made outside the
        registry (the authorisation time is kept). Errors as for :meth:`ingest_tokens`."""

    def ingest_notification(
        self,
        notification: AppAuthNotification
        | MessageNotification
        | ServiceMarketOrderNotification
        | OtherNotification,
    ) -> IngestOutcome:
        """Ingests a notification :meth:`NotificationVerifier.verify_body` verified: an
        ``open_app_auth_notify`` stores its tokens under the app the merchant authorised (the
        plugin for a plugin authorisation), an ``alipay.open.auth.appauth.cancelled`` revokes, a
        ``servicemarket_order_notify`` stores the order (:meth:`order`); each de-duplicated by
        ``notify_id`` (``DUPLICATE``) and ordered (``STALE`` when older than what is stored).
        Anything else is ``IGNORED``. Answer ``success`` only after this returned (a
        :class:`Gateway` does all of it).

        Raises:
            StoreError: the store failed.
        """

    def ingest_query(self, app_auth_token: str, info: AppAuthTokenInfo) -> IngestOutcome:
        """Ingests what :meth:`Client.query_app_auth_token` answered for ``app_auth_token``:
        granted APIs, expiry and — when the gateway says ``invalid`` — revocation. A query about
        a token that is no longer the stored one is ``STALE``.

        Raises:
            StoreError: the store failed.
        """

    def import_token(
        self, app_auth_token: str, app_refresh_token: str | None = None
    ) -> TokenImport:
        """Imports a merchant's ``app_auth_token`` copied from the open-platform console
        (获得 app_auth_token 的方法二), with its ``app_refresh_token`` when known. The token is
        checked with ``alipay.open.auth.token.app.query`` through the registry's client (the GIL
        released), and the relation the gateway answers — merchant PID, ``auth_app_id``, granted
        APIs, expiry — is stored with :attr:`AuthOrigin.IMPORTED`. Importing the stored token
        again is ``DUPLICATE`` (one record); a token older than the stored one (it expires
        earlier) is ``STALE`` and changes nothing. Without a refresh token, :meth:`token_for`
        refuses the token once it is due for refresh (re-import it, or have the merchant
        authorise again). Nothing is stored on any error, and no error holds either token.

        Raises:
            ConfigError: text that cannot be a token (empty, spaces, control or non-ASCII
                characters, too long; no call is made), or a registry without a client.
            ApiError: the gateway refused the query (``20001 aop.invalid-app-auth-token`` for a
                token it never issued).
            StoreError: the gateway reports the token ``invalid`` (expired or revoked), or the
                store failed.
            TransportError: the gateway could not be reached.
            ProtocolError: an answer without ``auth_app_id`` or ``status``.
        """

    def get(self, auth_app_id: str) -> MerchantAuthorisation | None:
        """The record of the merchant app ``auth_app_id``, or ``None``: its only one, or — when it
        authorised several of our apps — the default app's.

        Raises:
            StoreError: it authorised several of our apps and none is the default app (ask with
                :meth:`get_for_app`), or the store failed.
        """

    def get_for_app(self, app_id: str, auth_app_id: str) -> MerchantAuthorisation | None:
        """The record of the merchant app ``auth_app_id``'s authorisation of our app ``app_id``
        (a plugin's, say), or ``None``. A record stored before the registry recorded apps is
        found too.

        Raises:
            StoreError: the store failed.
        """

    def list(self) -> builtins.list[MerchantAuthorisation]:
        """Every record (revoked ones included), by ``auth_app_id``."""

    def by_merchant(self, merchant_pid: str) -> builtins.list[MerchantAuthorisation]:
        """The records of one merchant PID (a merchant may authorise several apps)."""

    def revoke(self, auth_app_id: str) -> MerchantAuthorisation:
        """Marks the merchant app revoked locally (the record is kept) and returns the record.

        Raises:
            StoreError: no record of ``auth_app_id``.
        """

    def token_for(self, auth_app_id: str) -> str:
        """A usable ``app_auth_token`` for the merchant app: the stored one, or — when it
        expires within the refresh margin — a fresh one obtained with the stored refresh token
        through the client of the record's app (:attr:`client`, or one of :attr:`clients`) and
        stored before it is returned. Exactly one refresh reaches the
        gateway when many threads (or processes sharing the file) ask at once. A refresh that
        fails while the stored token is still valid returns the stored token (and is retried a
        few seconds later); once it has expired, the refresh's error is raised.

        Raises:
            StoreError: an unknown or revoked merchant app (the reason names its
                ``auth_app_id``; no call is made), or a store failure.
            ConfigError: the token has expired and the registry has no client to refresh it.
            ApiError: the refresh was refused; the other errors of :meth:`Client.execute`.
        """

    def token_for_app(self, app_id: str, auth_app_id: str) -> str:
        """:meth:`token_for` the authorisation of the merchant app ``auth_app_id`` to our app
        ``app_id`` (refreshed through that app's client).

        Raises:
            StoreError: no such authorisation, a revoked one (no call is made), or a store
                failure.
            ConfigError: the token is due and the registry has no client of ``app_id``.
            ApiError: the refresh was refused; the other errors of :meth:`Client.execute`.
        """

    def token_for_merchant(self, merchant_pid: str) -> str:
        """A usable token of the merchant's only active authorisation, by PID.

        Raises:
            StoreError: the merchant has no active authorisation, or several (ask by
                ``auth_app_id``); otherwise as for :meth:`token_for`.
        """

    def execute_for(
        self,
        auth_app_id: str,
        method: str,
        biz_content: dict[str, Any] | str | None = None,
        *,
        auth_token: str | None = None,
        notify_url: str | None = None,
        return_url: str | None = None,
        extra_params: Mapping[str, str] | None = None,
        encrypt: bool = False,
        retry: RetryPolicy | None = None,
    ) -> VerifiedResponse:
        """:meth:`Client.execute` on behalf of the merchant app ``auth_app_id``: its token is
        looked up (and refreshed when due) by the registry, and the call made through the client
        of the app it authorised. Arguments as for :meth:`Client.execute`, without
        ``app_auth_token``.

        Raises:
            StoreError: as for :meth:`token_for` (no call is made for a revoked merchant).
            ConfigError: the registry has no client of the merchant's app.
            ApiError: the errors of :meth:`Client.execute`.
        """

    def execute_v3_for(
        self,
        auth_app_id: str,
        method: V3Method,
        path: str,
        *,
        query: V3Query | None = None,
        body: dict[str, Any] | str | None = None,
        encrypt: bool = False,
        files: Sequence[V3File] | None = None,
        request_id: str | None = None,
    ) -> V3Response:
        """:meth:`Client.execute_v3` on behalf of the merchant app ``auth_app_id``: its token is
        looked up (and refreshed when due) by the registry and sent in the
        ``alipay-app-auth-token`` header and the signed string, and the call made through the
        client of the app it authorised. Arguments as for :meth:`Client.execute_v3`, without
        ``app_auth_token``.

        Raises:
            StoreError: as for :meth:`token_for` (no call is made for a revoked or unknown
                merchant).
            ConfigError: the registry has no client of the merchant's app; a bad call, as for
                :meth:`Client.execute_v3`.
            ApiError: the errors of :meth:`Client.execute_v3`.
        """

    def order(self, commodity_order_id: str) -> OrderRecord | None:
        """The stored service-market order ``commodity_order_id``, or ``None`` when its order
        message was not ingested.

        Raises:
            StoreError: the store failed.
        """

    def orders(self) -> builtins.list[OrderRecord]:
        """Every stored order, oldest first.

        Raises:
            StoreError: the store failed.
        """

    def order_authorisation(self, commodity_order_id: str) -> MerchantAuthorisation | None:
        """The merchant authorisation an order goes with: the authorisation of the order's mini
        program (``consumer_mini_app_id``) to the app that received the order, else the
        merchant's only active authorisation of that app. ``None`` while it has not arrived (the
        order message and the plugin authorisation come in either order).

        Raises:
            StoreError: an unknown order, or a store failure.
        """

    def accept_order(self, commodity_order_id: str) -> OrderRecord:
        """Accepts the stored order (接单) through the client of the app that received it
        (:meth:`Client.accept_servicemarket_order`), records :data:`ORDER_ACCEPTED` in its
        status and history, and returns the updated order.

        Raises:
            StoreError: an order the registry does not hold (no call is made).
            ConfigError: the registry has no client of the order's app.
            ApiError: the errors of :meth:`Client.accept_servicemarket_order` (nothing is
                recorded).
        """

    def reject_order(self, commodity_order_id: str, reason: str) -> OrderRecord:
        """Rejects the stored order (拒单) with the reason the merchant will read, and records
        :data:`ORDER_REJECTED`. Errors as for :meth:`accept_order`."""

    def complete_order_item(
        self, commodity_order_id: str, *, mini_app_id: str | None = None, shop_id: str | None = None
    ) -> OrderRecord:
        """Marks one item of the stored order implemented and records it :data:`ITEM_TO_CONFIRM`
        (the merchant confirms it next). The item is named by exactly one of ``mini_app_id``
        and ``shop_id``.

        Raises:
            ConfigError: neither or both of ``mini_app_id`` and ``shop_id``; otherwise as for
                :meth:`accept_order` (:meth:`Client.complete_servicemarket_order_item`).
        """

    def confirm_order_item(
        self, commodity_order_id: str, *, mini_app_id: str | None = None, shop_id: str | None = None
    ) -> OrderRecord:
        """Confirms a completed item on the merchant's behalf with the token of the order's
        authorisation (:meth:`order_authorisation`; refreshed if due), and records it
        :data:`ITEM_DONE`. The item is named as for :meth:`complete_order_item`.

        Raises:
            StoreError: an unknown order, or the merchant's authorisation has not arrived or is
                revoked (no call is made).
            ConfigError: as for :meth:`complete_order_item`.
            ApiError: the errors of :meth:`Client.confirm_servicemarket_order_item`.
        """

    def cancel_order_item(
        self,
        commodity_order_id: str,
        reason: str,
        *,
        mini_app_id: str | None = None,
        shop_id: str | None = None,
    ) -> OrderRecord:
        """Cancels one item of the stored order with the reason the merchant will read, and
        records it :data:`ITEM_CANCELLED`. The item is named as for
        :meth:`complete_order_item`; errors as for it."""

    def refresh_order(self, commodity_order_id: str) -> OrderRecord:
        """Queries every page of the stored order (:meth:`Client.servicemarket_order_pages`) and
        records the status and item states Alipay answered (each change in the history with
        source ``query``); returns the updated order.

        Raises:
            StoreError: an order the registry does not hold (no call is made).
            ConfigError: the registry has no client of the order's app.
            ApiError: the errors of :meth:`Client.query_servicemarket_order`.
        """

    def integrity_check(self) -> str:
        """Runs SQLite's ``PRAGMA integrity_check``: ``"ok"`` when the file is healthy.

        Raises:
            ConfigError: a registry in a database server or in memory (no file), or a closed
                one.
            StoreError: the check could not run.
        """

    def close(self) -> None:
        """Closes the registry (idempotent): later calls raise ``ConfigError``; calls in flight
        finish first. Leaving a ``with`` block closes it too."""

    def __enter__(self) -> Registry: ...
    def __exit__(self, *args: object) -> bool: ...

DeliveryKind: TypeAlias = Literal["authorisation", "cancellation", "order", "other"]
"""Which handler of a :class:`Gateway` a verified notification goes to."""

GatewayOutcomeName: TypeAlias = Literal[
    "service_check", "handled", "already_handled", "refused", "failed", "handler_failed"
]
"""What a :class:`Gateway` did with one request (:attr:`GatewayResult.outcome`)."""

AnyNotification: TypeAlias = (
    AppAuthNotification | MessageNotification | ServiceMarketOrderNotification | OtherNotification
)
"""A verified notification of any type."""

_Notification = TypeVar("_Notification", bound=AnyNotification, covariant=True)

@final
class GatewayDelivery(Generic[_Notification]):
    """A verified notification the :class:`Gateway` stored (as :attr:`ingest` says), on its way to
    the handler of its :attr:`kind`. Generic in the type of its notification, for annotations
    (``GatewayDelivery[ServiceMarketOrderNotification]`` is what ``on_order`` gets).
    ``repr()`` shows the notification as its own ``repr()`` does (tokens and personal data
    masked)."""

    @property
    def kind(self) -> DeliveryKind:
        """Which handler it goes to: ``"authorisation"`` (a merchant authorised one of our apps,
        already stored), ``"cancellation"`` (a merchant revoked one, already stored),
        ``"order"`` (a service-market order, already stored: accept or reject it) or
        ``"other"`` (anything else: only the host knows what to do)."""

    @property
    def notification(self) -> _Notification:
        """The verified notification: an :class:`AppAuthNotification`,
        :class:`MessageNotification`, :class:`ServiceMarketOrderNotification` or
        :class:`OtherNotification` (its ``signed_form`` names the content the gateway had
        signed)."""

    @property
    def ingest(self) -> IngestOutcome:
        """What the registry did with it (an :class:`IngestOutcome`): ``DUPLICATE`` when an
        earlier delivery stored it but its handler did not finish (the handler runs again),
        ``IGNORED`` for a notification the registry does not keep."""

    @property
    def notify_id(self) -> str | None:
        """Alipay's id of the notification, when it has one."""

OrderHandler: TypeAlias = Callable[[GatewayDelivery[ServiceMarketOrderNotification]], object]
"""The ``on_order`` handler of a :class:`Gateway`: a function (or an ``async def`` one, served by
:meth:`Gateway.asgi_app`) taking the delivery of a service-market order; raising makes the
answer ``fail``."""

AuthorisationHandler: TypeAlias = Callable[[GatewayDelivery[AppAuthNotification]], object]
"""The ``on_authorisation`` handler of a :class:`Gateway` (as :data:`OrderHandler`)."""

CancellationHandler: TypeAlias = Callable[[GatewayDelivery[MessageNotification]], object]
"""The ``on_cancellation`` handler of a :class:`Gateway` (as :data:`OrderHandler`)."""

OtherHandler: TypeAlias = Callable[
    [GatewayDelivery[MessageNotification | OtherNotification]], object
]
"""The ``on_other`` handler of a :class:`Gateway` (as :data:`OrderHandler`)."""

Handler: TypeAlias = Callable[[GatewayDelivery[Any]], object]
"""Any handler of a :class:`Gateway`, as :meth:`Gateway.handler_for` returns it."""

@final
class GatewayResult:
    """The application gateway's answer to one request and what it did: write :attr:`status`,
    :attr:`content_type` and :attr:`body` back as the HTTP response. Alipay stops retrying a
    notification only when the body is ``success``. ``repr()`` shows the status, the outcome and
    the error's kind and reason (never a secret)."""

    @property
    def status(self) -> int:
        """The HTTP status: 200 for ``success`` and the gateway check; 400 for a refused
        notification (signature, malformed, missing required fields), 413 for a body over the
        limit, 415 for a body that is not a form, 500 when storing or handling failed (each with
        the body ``fail``, so Alipay retries)."""

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header (``text/plain; charset=utf-8``, or ``text/xml; charset=…``
        for the gateway check)."""

    @property
    def body(self) -> str:
        """The body (ASCII text): ``success``, ``fail`` or the signed XML of the gateway check."""

    @property
    def is_success(self) -> bool:
        """Whether the body is ``success`` (Alipay stops retrying)."""

    @property
    def outcome(self) -> GatewayOutcomeName:
        """What was done: ``"service_check"`` (the gateway check answered), ``"handled"`` (a
        notification stored and handled), ``"already_handled"`` (Alipay retried one handled
        before: nothing done), ``"refused"`` (nothing stored), ``"failed"`` (storing failed:
        Alipay retries) or ``"handler_failed"`` (stored, but the handler raised: Alipay retries
        and the handler runs again)."""

    @property
    def error(self) -> AlipayError | None:
        """The library's error of a refused or failed request: an :class:`AlipayError` (not
        raised); ``None`` otherwise (a failed handler's exception is :attr:`handler_error`). It
        never reaches the HTTP body."""

    @property
    def handler_error(self) -> str | None:
        """What a failed handler raised (its exception's text, shortened), for
        ``"handler_failed"``; ``None`` otherwise. It never reaches the HTTP body."""

    @property
    def ingest(self) -> IngestOutcome | None:
        """What the registry did with a handled notification (an :class:`IngestOutcome`);
        ``None`` for the other outcomes."""

    @property
    def verified(self) -> bool | None:
        """For a gateway check, whether the check request's own signature verified; ``None``
        otherwise."""

@final
class Gateway:
    """The application gateway (应用网关) of one app: give it each request's ``Content-Type`` and
    raw body, write back the answer it gives. It refuses what is not a form (415) or is over
    the size limit (413), answers the gateway check (``service=alipay.service.check``) with the
    signed XML, verifies every other body (400 when it does not verify), stores what the
    registry keeps — authorisations, cancellations, service-market orders — and hands each
    verified notification to the handler of its kind, answering ``success`` only after the
    registry write and the handler finished; ``fail`` (500) otherwise, so Alipay retries. A
    retried notification is stored once; one already handled is acknowledged without calling
    the handler again.

    Frameworks: :meth:`asgi_app` (Starlette, FastAPI, any ASGI 3 server) and :meth:`wsgi_app`
    (Flask, Django, any WSGI server); :meth:`handle` for anything else. Safe to share between
    threads; every verification and store write releases the GIL.
    """

    def __init__(
        self,
        config: IsvConfig,
        registry: Registry | aio.Registry,
        *,
        on_order: OrderHandler | None = None,
        on_authorisation: AuthorisationHandler | None = None,
        on_cancellation: CancellationHandler | None = None,
        on_other: OtherHandler | None = None,
    ) -> None:
        """The application gateway of the app ``config`` describes (its private key signs the
        gateway check's answer, its Alipay key or certificates verify), storing into
        ``registry``.

        Each handler is called with the :class:`GatewayDelivery` of its kind, after the
        notification was stored; it may call the registry (``registry.accept_order(...)``). A
        handler that raises makes the answer ``fail`` (500; the exception's text goes to the
        result's :attr:`GatewayResult.error`, never to the HTTP body), so Alipay retries and the
        handler runs again; a kind without a handler is acknowledged once stored. Handlers may be
        ``async def`` functions when the gateway is served by :meth:`asgi_app` (or
        :func:`alipay_isv.gateway.handle_async`).

        Args:
            config: the app's configuration.
            registry: the registry notifications are stored into (an
                :class:`alipay_isv.aio.Registry` stands for the registry it wraps).
            on_order: called for each service-market order (``servicemarket_order_notify``).
            on_authorisation: called for each merchant authorisation (``open_app_auth_notify``,
                a plugin's too).
            on_cancellation: called for each revocation (``alipay.open.auth.appauth.cancelled``).
            on_other: called for every other verified notification (payments, other messages).

        Raises:
            ConfigError: the registry is closed.
            TypeError: a handler that is not callable, a registry of another type.
        """

    @property
    def config(self) -> IsvConfig:
        """The app's configuration."""

    @property
    def registry(self) -> Registry:
        """The registry notifications are stored into (the blocking one an
        :class:`alipay_isv.aio.Registry` wraps)."""

    @property
    def max_body_bytes(self) -> int:
        """The largest body accepted, in bytes (the configuration's ``max_body_bytes``): read at
        most one byte more from a request, and hand that to :meth:`receive` (it answers 413)."""

    def handler_for(self, kind: DeliveryKind) -> Handler | None:
        """The handler of a delivery kind (``"authorisation"``, ``"cancellation"``, ``"order"``
        or ``"other"``), or ``None`` when the gateway has none for it.

        Raises:
            ValueError: an unknown kind.
        """

    def handle(self, content_type: str | None, body: bytes | str) -> GatewayResult:
        """Handles one request: :meth:`receive`, the handler of the delivery's kind (with the GIL
        held), then :meth:`finish`. Write the result's :attr:`GatewayResult.status`,
        :attr:`GatewayResult.content_type` and :attr:`GatewayResult.body` back. Never raises for
        a bad request or a failed handler (they are answers); a handler's ``KeyboardInterrupt``
        or ``SystemExit`` propagates (the notification stays stored, and the retry runs the
        handler again).

        Args:
            content_type: the request's ``Content-Type`` header (``None`` when absent).
            body: the raw request body (a ``str`` is encoded as UTF-8); read at most
                :attr:`max_body_bytes` + 1 bytes of it.

        Raises:
            ConfigError: the registry is closed.
        """

    def receive(
        self, content_type: str | None, body: bytes | str
    ) -> GatewayResult | GatewayDelivery[AnyNotification]:
        """The first half of :meth:`handle`, for hosts whose handlers run elsewhere (an event
        loop, a queue): a :class:`GatewayResult` to write back when there is nothing for a
        handler (refused, the gateway check, a notification already handled, a store failure),
        or the :class:`GatewayDelivery` of a verified, stored notification: run its handler,
        then :meth:`finish`. Releases the GIL. Arguments as for :meth:`handle`.

        Raises:
            ConfigError: the registry is closed.
        """

    def finish(
        self, delivery: GatewayDelivery[Any], error: BaseException | str | None = None
    ) -> GatewayResult:
        """The second half of :meth:`handle`, after the delivery's handler ran: ``error=None``
        when it finished (the notification is marked handled, ``success`` answered), else the
        exception it raised (or a reason as ``str``): answered ``fail`` (500), so Alipay retries
        and the handler runs again. Releases the GIL.

        Raises:
            ConfigError: the registry is closed.
            TypeError: ``error`` is neither ``None``, a ``str`` nor an exception.
        """

    def asgi_app(self) -> AsgiGateway:
        """An ASGI 3 application serving this gateway (:class:`alipay_isv.gateway.AsgiGateway`):
        route Alipay's path to it in Starlette or FastAPI
        (``app.add_route("/alipay/gateway", gateway.asgi_app(), methods=["POST"])``), or serve it
        with any ASGI server."""

    def wsgi_app(self) -> WsgiGateway:
        """A WSGI application serving this gateway (:class:`alipay_isv.gateway.WsgiGateway`):
        mount it beside a Flask app (werkzeug's ``DispatcherMiddleware``), call it from a view, or
        serve it with any WSGI server."""

FaultKind: TypeAlias = Literal[
    "delay", "reset", "truncated_body", "bad_gateway", "unsigned", "hang", "trickle", "oversized"
]
"""A fault :meth:`Emulator.set_fault` injects into the next gateway calls."""

@final
class Emulator:
    """An offline Alipay gateway on loopback, for tests and demos: a real HTTP server with its
    own "Alipay" key pair, the authorisation pages, the token methods, signed pushes to the
    application gateway, and injectable faults.

    Starting it starts serving; :meth:`stop` (or leaving a ``with`` block, or :meth:`close`)
    stops it. Safe to share between threads; calls that wait release the GIL.
    """

    def __init__(
        self,
        app_id: str,
        app_public_key: PublicKey | str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        notify_url: str | None = None,
        alipay_private_key: PrivateKey | str | None = None,
        app_auth_token_ttl: float = 31536000.0,
        access_token_ttl: float = 7200.0,
        timestamp_window: float = 900.0,
        notify_attempts: int = 8,
        notify_backoff: float = 0.1,
        refresh_grace: float = 600.0,
        cert_mode: bool = False,
        push_form: PushForm = "classic",
        push_form_seed: int | None = None,
        aes_key: AesKey | str | None = None,
    ) -> None:
        """Starts an emulator serving the ISV app ``app_id``.

        Args:
            app_id: the ISV app's id: requests with another are refused (unsigned
                ``isv.invalid-app-id``).
            app_public_key: the app's public key (object or PEM text): request signatures are
                verified with it.
            host: the interface to listen on.
            port: the port; ``0`` takes a free one (see :attr:`base_url`).
            notify_url: the application gateway the pushes are posted to.
            alipay_private_key: the "Alipay" key to sign with (object or PEM text); ``None``
                generates a 2048-bit pair.
            app_auth_token_ttl: seconds an ``app_auth_token`` lives (365 days).
            access_token_ttl: seconds a user ``access_token`` lives (2 hours).
            timestamp_window: seconds a request ``timestamp`` may be off (15 minutes).
            notify_attempts: how many times a push is attempted until ``success``.
            notify_backoff: seconds before the first retry of a push, doubled after each.
            refresh_grace: seconds the old ``app_auth_token`` works after a refresh (10 min).
            cert_mode: public-key certificate mode: the emulator makes a test root CA (its bundle
                also holds an ECDSA root) and an Alipay certificate for its key, requires the
                ``app_cert_sn`` of an app certificate it issued (:meth:`issue_app_cert`) and its
                ``alipay_root_cert_sn`` on every request, names ``alipay_cert_sn`` in every
                signed answer and push, and serves ``alipay.open.app.alipaycert.download``.
            push_form: the form pushes are signed in (see :attr:`Delivery.signed_form`):
                ``"classic"`` (authorisations ``v1``, cancellations ``v2``); one form for every
                push (``"v1"``, ``"v1+empty"``, ``"v2"``, ``"v2+empty"``, and in certificate mode
                the ``+alipay_cert_sn`` forms); or ``"mixed"``: each push in a form dealt from a
                deck of every form (the ``+alipay_cert_sn`` ones in certificate mode only),
                reshuffled by a generator seeded with ``push_form_seed``. A form with ``+empty``
                sends and signs an empty ``isv_ticket=``; in a mix, about half the pushes whose
                form drops empty values carry it unsigned (a verifier leaves it out).
            push_form_seed: the seed of ``"mixed"`` (default 0); only with ``"mixed"``.
            aes_key: the app's AES content-encryption key (an :class:`AesKey` or its Base64
                text): encrypted requests (classic ``encrypt_type=AES``, v3
                ``alipay-encrypt-type: AES``) are decrypted and answered encrypted; without it
                they are refused.

        Raises:
            ConfigError: a non-numeric ``app_id``, a bad key or AES key, a ``notify_url`` that
                is not ``http://``, zero attempts or window, an unknown ``push_form``, a seed
                without ``"mixed"``, a ``+alipay_cert_sn`` form outside certificate mode.
            TransportError: the address cannot be bound.
        """

    @staticmethod
    def start(
        app_id: str,
        app_public_key: PublicKey | str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        notify_url: str | None = None,
        alipay_private_key: PrivateKey | str | None = None,
        app_auth_token_ttl: float = 31536000.0,
        access_token_ttl: float = 7200.0,
        timestamp_window: float = 900.0,
        notify_attempts: int = 8,
        notify_backoff: float = 0.1,
        refresh_grace: float = 600.0,
        cert_mode: bool = False,
        push_form: PushForm = "classic",
        push_form_seed: int | None = None,
        aes_key: AesKey | str | None = None,
    ) -> Emulator:
        """Starts an emulator: the same as the constructor."""

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: the ``host`` of the emulator's authorisation links."""

    @property
    def gateway_url(self) -> str:
        """``base_url + "/gateway.do"``: the gateway to configure."""

    @property
    def app_id(self) -> str:
        """The ISV ``app_id`` the emulator serves."""

    @property
    def alipay_public_key(self) -> PublicKey:
        """The emulator's "Alipay" public key: configure it as the Alipay public key."""

    @property
    def alipay_public_key_pem(self) -> str:
        """The same key as SPKI PEM, for SDKs that take text."""

    @property
    def is_cert_mode(self) -> bool:
        """Whether the emulator runs in certificate mode."""

    @property
    def root_cert_bundle_pem(self) -> str:
        """Certificate mode: the root bundle to configure as ``root_cert``: an ECDSA root
        (which the root SN leaves out), then the RSA root that signs the other certificates.

        Raises:
            ConfigError: the emulator is not in certificate mode (as for the other
                certificate-mode members).
        """

    @property
    def alipay_root_cert_sn(self) -> str:
        """Certificate mode: the ``alipay_root_cert_sn`` the emulator requires."""

    @property
    def alipay_cert_pem(self) -> str:
        """Certificate mode: the current Alipay certificate (``alipayCertPublicKey_RSA2.crt``),
        PEM."""

    @property
    def alipay_cert_sn(self) -> str:
        """Certificate mode: the SN of the current Alipay certificate, named in every signed
        answer and push."""

    def issue_app_cert(self, app_public_key: PublicKey | str) -> str:
        """Certificate mode: issues an app public-key certificate (PEM) for ``app_public_key``,
        signed by the emulator's root. Its SN is accepted as ``app_cert_sn`` only when the key is
        the app key the emulator serves; others are issued for tests of a mismatch."""

    def rotate_alipay_cert(self) -> str:
        """Certificate mode: Alipay rotates its certificate: a new 2048-bit key and a new
        certificate from the same root sign every later answer and push (clients must download
        it); earlier certificates stay downloadable. Returns the new ``alipay_cert_sn``."""

    @property
    def running(self) -> bool:
        """Whether the emulator is still serving."""

    def set_notify_url(self, url: str | None) -> None:
        """Where pushes go from now on (``None``: nowhere; they are still recorded)."""

    def set_fault(
        self,
        kind: FaultKind | None,
        *,
        delay: float | None = None,
        times: int | None = None,
        pause: float | None = None,
        size: int | None = None,
    ) -> None:
        """Injects a fault into the next ``times`` gateway calls (``None``: until cleared);
        ``kind=None`` clears it.

        * ``"delay"``: wait ``delay`` seconds, then answer normally.
        * ``"reset"``: close the connection with a TCP reset without answering.
        * ``"truncated_body"``: send the headers and half the body, then close.
        * ``"bad_gateway"``: answer HTTP 502 with an HTML page.
        * ``"unsigned"``: answer a success without ``sign``.
        * ``"hang"``: read the request and never answer (until the emulator stops).
        * ``"trickle"``: send the answer one byte at a time, ``pause`` seconds apart.
        * ``"oversized"``: answer HTTP 200 with a body of ``size`` bytes (a JSON-looking prefix
          padded with spaces, at most 1 GiB), to meet the client's ``max_response_bytes``.

        ``delay``, ``pause`` and ``size`` each belong to their one kind.

        Raises:
            ConfigError: an unknown kind, a kind without its argument (``"delay"`` without
                ``delay``, ``"trickle"`` without ``pause``, ``"oversized"`` without ``size``),
                an argument the kind does not take, a negative or non-finite number of
                seconds, or a ``size`` over 1 GiB.
        """

    def app_auth_url(self, redirect_uri: str, state: str | None = None) -> str:
        """The single merchant authorisation link on this emulator."""

    def user_consent_url(
        self,
        auth_app_id: str,
        redirect_uri: str,
        scope: UserScope | UserScopeName = "auth_user",
        state: str | None = None,
    ) -> str:
        """The user consent link for the merchant app ``auth_app_id`` on this emulator."""

    def merchant_authorizes(self, link: str) -> str:
        """The merchant opens an authorisation link (single, batch or console-style, built with
        ``host=emulator.base_url``) and agrees; returns the redirect target: the callback URL
        with ``app_auth_code`` and ``state``. The app-auth push starts now.

        Raises:
            ConfigError: the link points elsewhere.
            TransportError: the page refused (e.g. a wrong ``app_id``).
        """

    def user_consents(self, link: str) -> str:
        """The user opens a consent link and agrees; returns the callback URL with
        ``auth_code``. Errors as for :meth:`merchant_authorizes`."""

    def revoke(self, auth_app_id: str) -> None:
        """The merchant revokes the authorisation of ``auth_app_id``: its tokens stop working
        and ``alipay.open.auth.appauth.cancelled`` is pushed.

        Raises:
            ConfigError: the app never authorised.
        """

    def subscribe(
        self,
        *,
        merchant_pid: str | None = None,
        auth_app_id: str | None = None,
        title: str | None = None,
        total_price: str | None = None,
        authorisation_first: bool = False,
        unknown_to_query: bool = False,
    ) -> Subscription:
        """A merchant orders the ISV's plugin in the service market (服务市场订购): the emulator
        records the order (one item, ``TO_DO``, for the merchant's mini program), authorises the
        plugin on that mini program, and pushes both the order message
        (``servicemarket_order_notify``, a :class:`ServiceMarketOrderNotification`) and the plugin
        authorisation (an :class:`AppAuthNotification` with ``trigger=appstore``), each retried
        until the application gateway answers ``success``. The order calls of :class:`Client`
        then walk the order (accept or reject, complete, confirm, cancel).

        Args:
            merchant_pid: the ordering merchant (default: the owner of ``auth_app_id`` when it
                authorised before, else a new PID).
            auth_app_id: the merchant's mini program the plugin is for (default: a new app id).
            title: the ordered service's name (default ``插件订购``).
            total_price: the price in yuan, as text (default ``"0.00"``; a priced item cannot be
                confirmed on the merchant's behalf: ``CONFIRM_CHARGE_ITEM_NOT_ALLOW``).
            authorisation_first: push the plugin authorisation before the order message (the
                real gateway may send either first).
            unknown_to_query: fault: the order query answers ``ORDER_NOT_EXIST`` for this order.

        Raises:
            ConfigError: a price that is not a non-negative number of yuan.
        """

    def console_app_auth_token(self, auth_app_id: str) -> ConsoleToken:
        """The merchant's current ``app_auth_token`` as the open-platform console shows it (with
        the merchant app, PID, and when the authorisation started and the token ends): what an
        ISV copies to import the merchant with :meth:`Registry.import_token`. No refresh token
        is shown.

        Raises:
            ConfigError: the app never authorised, or the merchant revoked the authorisation.
        """

    def uploaded_file(self, file_id: str) -> UploadedFile | None:
        """The file an OpenAPI v3 upload (:meth:`Client.upload_file_v3`) stored under ``file_id``:
        its name, size, MD5, ``biz_code`` and the merchant app it was uploaded for; ``None`` for
        an id the emulator never gave.

        Raises:
            ConfigError: the emulator is stopped.
        """

    def expire_app_auth_token(self, auth_app_id: str) -> None:
        """Test hook: the current tokens of ``auth_app_id`` expire now (refresh tokens keep
        working).

        Raises:
            ConfigError: the app never authorised.
        """

    def advance_clock(self, seconds: float) -> None:
        """Test hook: codes and tokens age by ``seconds`` (request timestamps are still checked
        against real time)."""

    def call_count(self, method: str) -> int:
        """Gateway requests received for ``method`` (faulted ones included)."""

    def total_calls(self) -> int:
        """Gateway requests received in all."""

    def deliveries(self) -> list[Delivery]:
        """Every push so far, in the order they were made."""

    def wait_for_deliveries(self, count: int, timeout: float = 10.0) -> bool:
        """Waits until at least ``count`` pushes are finished (acknowledged, attempts
        exhausted, or nowhere to post); ``False`` on timeout."""

    def stop(self) -> None:
        """Stops the server and waits for it (idempotent). Other methods then raise
        :class:`ConfigError`."""

    def close(self) -> None:
        """The same as :meth:`stop`."""

    def __enter__(self) -> Emulator: ...
    def __exit__(self, *args: object) -> bool: ...

@final
class ConsoleToken:
    """What the emulator's open-platform console shows of one merchant authorisation
    (:meth:`Emulator.console_app_auth_token`). ``repr()`` masks the token."""

    @property
    def auth_app_id(self) -> str:
        """The merchant's authorised app."""

    @property
    def merchant_pid(self) -> str:
        """The merchant's PID (``2088…``)."""

    @property
    def app_auth_token(self) -> str:
        """The merchant's current token, to import: keep it secret."""

    @property
    def auth_start(self) -> str:
        """When the merchant authorised, ``yyyy-MM-dd HH:mm:ss`` (UTC+8)."""

    @property
    def auth_end(self) -> str:
        """When the token ends, ``yyyy-MM-dd HH:mm:ss`` (UTC+8)."""

@final
class UploadedFile:
    """A file the emulator stored for an OpenAPI v3 upload (:meth:`Emulator.uploaded_file`): its
    name, size and MD5 (the bytes are not kept), ``biz_code`` and the merchant app it was uploaded
    for."""

    @property
    def file_id(self) -> str:
        """The id the answer gave (:attr:`FileUpload.file_id`)."""

    @property
    def file_name(self) -> str:
        """The file name of the ``file_content`` part."""

    @property
    def content_type(self) -> str | None:
        """The part's own ``Content-Type``, when it had one."""

    @property
    def size(self) -> int:
        """The size in bytes."""

    @property
    def md5(self) -> str:
        """The lower-case hex MD5 of the bytes received."""

    @property
    def biz_code(self) -> str:
        """The ``biz_code`` of the ``data`` part."""

    @property
    def auth_app_id(self) -> str | None:
        """The merchant app the upload was made for (from the ``alipay-app-auth-token`` header);
        ``None`` when the ISV uploaded for itself."""

    @property
    def uploaded_ms(self) -> int:
        """When it was received, in milliseconds since the Unix epoch on the emulator's clock."""

@final
class Delivery:
    """One push the emulator made to the application gateway. ``repr()`` hides the body."""

    @property
    def notify_id(self) -> str:
        """The push's ``notify_id``."""

    @property
    def kind(
        self,
    ) -> Literal[
        "open_app_auth_notify", "alipay.open.auth.appauth.cancelled", "servicemarket_order_notify"
    ]:
        """``"open_app_auth_notify"`` (a plugin authorisation too),
        ``"alipay.open.auth.appauth.cancelled"`` or ``"servicemarket_order_notify"``."""

    @property
    def auth_app_id(self) -> str:
        """The merchant app it concerns."""

    @property
    def url(self) -> str | None:
        """Where it was posted (``None``: no notify URL was set)."""

    @property
    def attempts(self) -> int:
        """How many times it was posted so far."""

    @property
    def acknowledged(self) -> bool:
        """Whether the application gateway answered ``success``."""

    @property
    def finished(self) -> bool:
        """Whether delivery is over (acknowledged, attempts exhausted, or nowhere to post)."""

    @property
    def signed_form(self) -> SignedFormName:
        """The form the push is signed in: a verifier that accepts it reports this form."""

    @property
    def body(self) -> str:
        """The exact form body posted: it carries tokens, keep it out of logs."""

@final
class Subscription:
    """A merchant's order of the ISV's plugin that the emulator made (:meth:`Emulator.subscribe`):
    what the ISV learns from the two pushes that follow it."""

    @property
    def commodity_order_id(self) -> str:
        """The order number (``commodity_order_id``): the key of the order calls."""

    @property
    def merchant_pid(self) -> str:
        """The ordering merchant's PID (``2088…``)."""

    @property
    def auth_app_id(self) -> str:
        """The merchant's mini program the plugin was authorised on: the ``auth_app_id`` of the
        plugin authorisation and the ``mini_app_id`` of the order's item."""

def _panic_for_tests(detach: bool) -> None:
    """Panics inside the extension (test hook): raises the base ``AlipayError``, kind
    ``"internal"``."""

def _error_for_tests(
    kind: Literal[
        "config",
        "signature",
        "transport",
        "transport_unsent",
        "protocol",
        "store",
        "api",
        "api_bare",
        "api_v3",
    ],
) -> None:
    """Raises the exception of a core error of ``kind`` (test hook): ``config``, ``signature``,
    ``transport`` (``request_sent`` true), ``transport_unsent``, ``protocol``, ``store``, ``api``,
    ``api_bare`` or ``api_v3`` (an OpenAPI v3 error: HTTP status, trace id and links)."""
