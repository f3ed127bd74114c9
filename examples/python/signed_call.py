"""A delegated call end to end, without a network: sign an `alipay.trade.query` request for a
merchant, verify the gateway's answer, and verify a merchant-authorisation notification.

A locally generated key pair stands in for Alipay's, so the example can play the gateway. Run
after building the binding (scripts/test-python.sh does both):

    python examples/python/signed_call.py
"""

from __future__ import annotations

import json
import urllib.parse

import alipay_isv


def main() -> None:
    app = alipay_isv.generate_key_pair()
    alipay = alipay_isv.generate_key_pair()  # stands in for the Alipay key pair
    config = alipay_isv.IsvConfig(
        app_id="2021000000000001",
        private_key=app.private_key,
        alipay_public_key=alipay.public_key,
        gateway="sandbox",
    )
    print(config)

    # 1. A delegated call: the ISV's app_id and key, the merchant's app_auth_token.
    request = config.sign_request(
        "alipay.trade.query",
        biz_content={"out_trade_no": "20261121150405000001"},
        app_auth_token="202611BBa1b2c3d4e5f6a7b8c9d0e1f2X21",
    )
    http = request.http_request()
    print(request)
    print(
        "POST",
        http.url.split("?")[0],
        "|",
        http.content_type,
        "|",
        len(http.body),
        "bytes",
    )

    # 2. The gateway's answer, signed over the node's raw text (here by the stand-in key).
    node = '{"code":"10000","msg":"Success","trade_status":"TRADE_SUCCESS","total_amount":"88.88"}'
    sign = alipay_isv.Signer(alipay.private_key).sign(node)
    body = f'{{"alipay_trade_query_response":{node},"sign":"{sign}"}}'.encode()
    verified = config.response_verifier().verify("alipay.trade.query", body)
    print("verified:", verified.fields["trade_status"], verified.fields["total_amount"])

    # A business error arrives as ApiError with the gateway fields and a hint.
    node = json.dumps(
        {
            "code": "40006",
            "msg": "Insufficient Permissions",
            "sub_code": "isv.self-invoke-forbidden",
        },
        separators=(",", ":"),
    )
    sign = alipay_isv.Signer(alipay.private_key).sign(node)
    body = f'{{"alipay_trade_query_response":{node},"sign":"{sign}"}}'.encode()
    try:
        config.response_verifier().verify("alipay.trade.query", body)
    except alipay_isv.ApiError as error:
        print(
            "api error:",
            error.code,
            error.sub_code,
            "signed" if error.signed else "unsigned",
        )
        print("  hint:", error.hint)

    # 3. A merchant authorised the app: Alipay posts a form to the application gateway.
    detail = {"app_auth_token": "202611BB8f3c5a1e4d2b4a6f9e0c7d1a2b3c4X21",
              "auth_app_id": "2021000000000999", "user_id": "2088102000000009",
              "expires_in": 31536000}  # fmt: skip
    params = {
        "notify_id": "2026112100222150421000000000000009",
        "notify_type": "open_app_auth_notify",
        "app_id": config.app_id,
        "status": "execute_auth",
        "biz_content": json.dumps({"detail": detail}, separators=(",", ":")),
    }
    params["sign"] = alipay_isv.Signer(alipay.private_key).sign(alipay_isv.sign_content(params))
    params["sign_type"] = "RSA2"
    form = urllib.parse.urlencode(params).encode()
    notification = config.notification_verifier().verify_body(form)
    if not isinstance(notification, alipay_isv.AppAuthNotification):
        raise SystemExit(f"expected an app-auth notification, got {notification!r}")
    print(notification)  # tokens masked
    print(
        "store:",
        notification.detail.user_id,
        notification.detail.auth_app_id,
        "-> token",
    )
    print("answer:", alipay_isv.SUCCESS_ACK)


if __name__ == "__main__":
    main()
