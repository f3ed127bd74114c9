"""alipay-isv: the Alipay Open Platform protocol for third-party apps (ISV) calling Alipay on
behalf of merchants, implemented once in Rust.

Keys (:class:`PrivateKey`, :class:`PublicKey`, :func:`generate_key_pair`), canonical content
(:func:`sign_content`) and RSA signatures (:class:`Signer`, :class:`Verifier`); the signed-call
protocol: the app configuration (:class:`IsvConfig`) signs requests (:class:`SignedRequest`,
emitted as an HTTP request, a page URL or form, or an order string), verifies gateway responses
(:class:`ResponseVerifier`) and application-gateway notifications
(:class:`NotificationVerifier`, typed as :class:`AppAuthNotification`,
:class:`MessageNotification` or :class:`OtherNotification`; answer :data:`SUCCESS_ACK`).
Every error is an :class:`AlipayError`; RSA operations release the GIL.
"""

from alipay_isv._native import (
    DEFAULT_MAX_BODY_BYTES,
    SERVICE_CHECK,
    SUCCESS_ACK,
    AesKey,
    AppAuthDetail,
    AppAuthNotification,
    HttpRequest,
    IsvConfig,
    KeyPair,
    MessageNotification,
    NotificationVerifier,
    OtherNotification,
    PrivateKey,
    PublicKey,
    ResponseVerifier,
    SignedRequest,
    Signer,
    VerifiedResponse,
    Verifier,
    china_timestamp_now,
    generate_key_pair,
    looks_like_own_key,
    sign_content,
)
from alipay_isv.errors import (
    AlipayError,
    ApiError,
    ConfigError,
    ProtocolError,
    SignatureError,
    StoreError,
    TransportError,
)

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "SERVICE_CHECK",
    "SUCCESS_ACK",
    "AesKey",
    "AlipayError",
    "ApiError",
    "AppAuthDetail",
    "AppAuthNotification",
    "ConfigError",
    "HttpRequest",
    "IsvConfig",
    "KeyPair",
    "MessageNotification",
    "NotificationVerifier",
    "OtherNotification",
    "PrivateKey",
    "ProtocolError",
    "PublicKey",
    "ResponseVerifier",
    "SignatureError",
    "SignedRequest",
    "Signer",
    "StoreError",
    "TransportError",
    "VerifiedResponse",
    "Verifier",
    "china_timestamp_now",
    "generate_key_pair",
    "looks_like_own_key",
    "sign_content",
]
