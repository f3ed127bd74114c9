"""Sign an `alipay.open.auth.token.app` request the way the gateway checks it, verify it, and show
that changing one parameter breaks the signature.

Run after building the binding (scripts/test-python.sh does both):

    python examples/python/sign_and_verify.py
"""

from __future__ import annotations

import json

import alipay_isv


def main() -> None:
    # A new app key pair: upload public_key.to_base64() to the Alipay console, keep the private key.
    pair = alipay_isv.generate_key_pair(bits=2048)
    print("generated", pair.private_key)
    print("upload to the console:", pair.public_key.to_base64()[:40] + "...")

    # Exchange an app_auth_code (from the merchant's authorisation redirect) for a token.
    params = {
        "app_id": "2021000000000001",
        "method": "alipay.open.auth.token.app",
        "format": "JSON",
        "charset": "UTF-8",
        "sign_type": "RSA2",
        "timestamp": "2026-11-21 15:04:05",
        "version": "1.0",
        "biz_content": json.dumps(
            {
                "grant_type": "authorization_code",
                "code": "P5f3b1c2d4e6a7b8c9d0e1f2a3b4c5d6",
            },
            separators=(",", ":"),
        ),
    }
    signer = alipay_isv.Signer(pair.private_key, sign_type="RSA2", charset="UTF-8")
    content, sign = signer.sign_params(params)
    print("canonical content:", content)
    print("sign:", sign[:40] + "...")

    # What the gateway does with the app public key.
    verifier = alipay_isv.Verifier(pair.public_key, sign_type="RSA2", charset="UTF-8")
    verifier.verify(content, sign)
    print("verified: ok")

    # One changed parameter and the signature no longer holds.
    tampered = dict(params, app_id="2021000000000002")
    try:
        verifier.verify(alipay_isv.sign_content(tampered), sign)
    except alipay_isv.SignatureError as error:
        print("tampered app_id rejected:", error.kind, "-", error.reason)
    else:
        raise SystemExit("a tampered request verified: this must never happen")

    # The classic misconfiguration: the app's own public key where the Alipay key belongs.
    if not alipay_isv.looks_like_own_key(pair.private_key, pair.public_key):
        raise SystemExit("looks_like_own_key missed the app's own public key")
    print("looks_like_own_key(app key, app public key): True -> configure the Alipay key instead")


if __name__ == "__main__":
    main()
