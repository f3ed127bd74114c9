"""alipay-isv: the Alipay Open Platform protocol for third-party apps (ISV) calling Alipay on
behalf of merchants, implemented once in Rust.

Keys (:class:`PrivateKey`, :class:`PublicKey`, :func:`generate_key_pair`), canonical content
(:func:`sign_content`) and RSA signatures (:class:`Signer`, :class:`Verifier`). Every error is an
:class:`AlipayError`; RSA operations release the GIL.
"""

from alipay_isv._native import (
    KeyPair,
    PrivateKey,
    PublicKey,
    Signer,
    Verifier,
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
    "AlipayError",
    "ApiError",
    "ConfigError",
    "KeyPair",
    "PrivateKey",
    "ProtocolError",
    "PublicKey",
    "SignatureError",
    "Signer",
    "StoreError",
    "TransportError",
    "Verifier",
    "generate_key_pair",
    "looks_like_own_key",
    "sign_content",
]
