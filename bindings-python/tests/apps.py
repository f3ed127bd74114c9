"""The test app: its id and keys (from tests/vectors/keys), the Alipay public key, an AES key, and
an ``IsvConfig`` built from them, shared by the protocol test modules."""

from __future__ import annotations

from alipay_isv import IsvConfig, PrivateKey, PublicKey

from vectors import read_key

APP_ID = "2021000000000001"
APP_PRIVATE = PrivateKey(read_key("keys/app_2048_pkcs8.pem"))
APP_PUBLIC = APP_PRIVATE.public_key()
ALIPAY_PUBLIC = PublicKey(read_key("keys/alipay_2048_public.pem"))
AES_TEXT = "aa4BtZ4tspm2wnXLb1ThQA=="


def config(charset: str = "UTF-8", **options: object) -> IsvConfig:
    """The test app on the sandbox gateway, with the AES key."""
    return IsvConfig(
        APP_ID,
        APP_PRIVATE,
        ALIPAY_PUBLIC,
        charset=charset,
        gateway="sandbox",
        aes_key=AES_TEXT,
        **options,  # type: ignore[arg-type]
    )
