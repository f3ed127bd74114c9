"""Type stubs of the native extension ``alipay_isv._native`` (import ``alipay_isv`` instead).

Every function and method raises a subclass of :class:`alipay_isv.AlipayError` on failure
(``ConfigError`` for a bad key or option, ``SignatureError`` for a signature that does not
verify, ``ProtocolError`` for a malformed body, ``ApiError`` for a gateway error answer). Key
parsing, key generation, configuration, signing and every verification release the GIL.

No ``repr()`` shows key material or a token: keys show their size and fingerprint, requests and
notifications their parameter names, token details a masked prefix.
"""

from collections.abc import Mapping
from typing import Any, Final, Literal, final

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

SUCCESS_ACK: Final = "success"
"""The body to answer a handled notification with (plain text), so Alipay stops retrying."""

SERVICE_CHECK: Final = "alipay.service.check"
"""The ``service`` parameter of the legacy gateway check; answer it with
:meth:`IsvConfig.service_check_answer`."""

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

@final
class IsvConfig:
    """The third-party app's configuration: ``app_id``, keys and options, checked once.

    Immutable and safe to share between threads.
    """

    def __init__(
        self,
        app_id: str,
        private_key: PrivateKey,
        alipay_public_key: PublicKey,
        *,
        sign_type: str = "RSA2",
        charset: str = "UTF-8",
        gateway: str = "production",
        aes_key: AesKey | str | None = None,
        max_body_bytes: int = 10485760,
    ) -> None:
        """Checks and builds the configuration.

        Args:
            app_id: the ISV app's id (digits, from the console).
            private_key: the app private key.
            alipay_public_key: the **Alipay** public key (支付宝公钥), not the app's own.
            sign_type: ``"RSA2"`` or ``"RSA"``.
            charset: ``"UTF-8"`` or ``"GBK"``.
            gateway: ``"production"``, ``"sandbox"`` or an ``http(s)://`` URL.
            aes_key: the content-encryption key (an :class:`AesKey` or its Base64 text).
            max_body_bytes: the largest response or notification body accepted.

        Raises:
            ConfigError: a bad ``app_id``, gateway, sign type, charset or AES key, a key too short
                for ``RSA2``, or the app's own public key given as the Alipay public key.
        """

    @property
    def app_id(self) -> str:
        """The app's ``app_id``."""

    @property
    def gateway(self) -> str:
        """The gateway URL."""

    @property
    def sign_type(self) -> str:
        """``"RSA2"`` or ``"RSA"``."""

    @property
    def charset(self) -> str:
        """``"UTF-8"`` or ``"GBK"``."""

    @property
    def alipay_public_key(self) -> PublicKey:
        """The Alipay public key."""

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
        body limit)."""

    def notification_verifier(self) -> NotificationVerifier:
        """A verifier of the notifications posted to this app's gateway (its body limit)."""

    def service_check_answer(self, verified: bool = True) -> str:
        """The signed XML answer to the legacy gateway check (``service=alipay.service.check``),
        carrying the app public key. Pass ``verified=False`` when the check request's own
        signature did not verify: the answer then says ``VERIFY_FAILED``."""

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
        sign_type: str = "RSA2",
        charset: str = "UTF-8",
        aes_key: AesKey | str | None = None,
        max_body_bytes: int = 10485760,
    ) -> None:
        """A verifier of responses to requests signed with ``sign_type`` in ``charset``.

        Raises:
            ConfigError: an unknown sign type, charset or AES key.
        """

    @property
    def sign_type(self) -> str:
        """``"RSA2"`` or ``"RSA"``."""

    @property
    def charset(self) -> str:
        """``"UTF-8"`` or ``"GBK"``: bodies are decoded in it (and ``str`` bodies encoded)."""

    def verify(self, method: str, body: bytes | str) -> VerifiedResponse:
        """Verifies the body the gateway answered for ``method`` (pass the raw ``bytes``).

        Raises:
            ApiError: the gateway answered an error (``signed`` says whether it was verified).
            SignatureError: a success without ``sign``, or a signature that does not verify.
            ProtocolError: a malformed, truncated, oversized, wrongly encoded or duplicated body.
            ConfigError: an AES-encrypted node and no AES key.
        """

@final
class VerifiedResponse:
    """A verified response node. ``repr()`` shows the field names only."""

    @property
    def fields(self) -> dict[str, Any]:
        """The node's fields as ``json.loads`` gives them (decrypted first for AES)."""

    @property
    def alipay_cert_sn(self) -> str | None:
        """The ``alipay_cert_sn`` the body named (certificate mode)."""

@final
class NotificationVerifier:
    """Verifies notifications posted to the application gateway (form bodies) with the Alipay
    public key: V1 (without ``sign_type``), then V2; ``alipay_cert_sn`` ignored.

    Immutable and safe to share between threads; verification releases the GIL.
    """

    def __init__(
        self,
        alipay_public_key: PublicKey,
        *,
        default_sign_type: str = "RSA2",
        max_body_bytes: int = 10485760,
    ) -> None:
        """A verifier using ``alipay_public_key``; ``default_sign_type`` applies to
        notifications without a ``sign_type``.

        Raises:
            ConfigError: an unknown sign type.
        """

    def verify_body(
        self, body: bytes | str
    ) -> AppAuthNotification | MessageNotification | OtherNotification:
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
    ) -> AppAuthNotification | MessageNotification | OtherNotification:
        """Verifies parameters a web framework already decoded (once).

        Raises:
            SignatureError: as for :meth:`verify_body`.
            ProtocolError: an unknown ``sign_type`` or ``charset``, malformed ``biz_content``.
            TypeError: a key or value is not a ``str``.
        """

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
    def detail(self) -> AppAuthDetail:
        """The tokens and the merchant they belong to."""

    @property
    def params(self) -> dict[str, str]:
        """The verified parameters."""

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
        """The verified parameters."""

@final
class OtherNotification:
    """Any other verified notification (payment notifications, …). ``repr()`` shows parameter
    names only."""

    @property
    def kind(self) -> Literal["other"]:
        """``"other"``."""

    @property
    def params(self) -> dict[str, str]:
        """The verified parameters."""

def _panic_for_tests(detach: bool) -> None:
    """Panics inside the extension (test hook): raises the base ``AlipayError``, kind
    ``"internal"``."""

def _error_for_tests(kind: str) -> None:
    """Raises the exception of a core error of ``kind`` (test hook): ``config``, ``signature``,
    ``transport``, ``protocol``, ``store``, ``api`` or ``api_bare``."""
