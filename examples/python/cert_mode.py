"""Public-key certificate mode (公钥证书模式) end to end against the offline emulator: the app
certificate, the Alipay certificate and the root bundle configured instead of the Alipay public
key; a merchant authorises; a delegated call; Alipay rotates its certificate and the client
downloads, checks and trusts the new one by itself.

With real files, give paths instead of the emulator's PEM text::

    config = alipay_isv.IsvConfig(
        "2021000000000001",
        alipay_isv.PrivateKey(Path("app_private_key.pem").read_text()),
        app_cert=Path("appCertPublicKey_2021000000000001.crt"),
        alipay_cert=Path("alipayCertPublicKey_RSA2.crt"),
        root_cert=Path("alipayRootCert.crt"),
    )

Run after building the binding (scripts/test-python.sh does both):

    python examples/python/cert_mode.py
"""

from __future__ import annotations

import alipay_isv

APP_ID = "2021000000000001"
CALLBACK = "https://isv.example.com/alipay/callback"
METHOD = "alipay.open.mini.version.list.query"


def main() -> None:
    app = alipay_isv.generate_key_pair()
    with alipay_isv.Emulator(APP_ID, app.public_key, cert_mode=True) as emulator:
        config = alipay_isv.IsvConfig(
            APP_ID,
            app.private_key,
            app_cert=emulator.issue_app_cert(app.public_key),
            alipay_cert=emulator.alipay_cert_pem,
            root_cert=emulator.root_cert_bundle_pem,
            gateway=emulator.gateway_url,
        )
        print("app_cert_sn:        ", config.app_cert_sn)
        print("alipay_root_cert_sn:", config.alipay_root_cert_sn)
        print("alipay_cert_sn:     ", config.alipay_cert_sn)
        client = alipay_isv.Client(config)

        # A merchant authorises the app; the code is exchanged for its token.
        link = alipay_isv.app_auth_link(APP_ID, CALLBACK, host=emulator.base_url)
        callback = alipay_isv.parse_app_auth_callback(
            emulator.merchant_authorizes(link.url), APP_ID, link.state
        )
        (token,) = client.exchange_app_auth_code(callback.app_auth_code)

        answer = client.execute(METHOD, {}, app_auth_token=token.app_auth_token)
        print("answer signed by:   ", answer.alipay_cert_sn)

        # Alipay rotates its certificate: the next answer names an unknown SN; the client
        # downloads it (alipay.open.app.alipaycert.download), checks its chain to the root
        # bundle, trusts it, and verifies the answer.
        rotated = emulator.rotate_alipay_cert()
        answer = client.execute(METHOD, {}, app_auth_token=token.app_auth_token)
        assert answer.alipay_cert_sn == rotated
        downloads = emulator.call_count(alipay_isv.ALIPAY_CERT_DOWNLOAD_METHOD)
        print("after the rotation: ", answer.alipay_cert_sn, f"({downloads} download)")
        print("trusted:            ", config.trusted_alipay_cert_sns)


if __name__ == "__main__":
    main()
