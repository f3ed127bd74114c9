#!/usr/bin/env python3
"""Generate the cross-language test vectors for alipay-isv.

Independent of the project's Rust code: uses only the Python standard library and the
`cryptography` package (OpenSSL-backed), so the vectors check our implementation against
another one rather than against itself.

Usage:  python3 tests/vectors/generate.py

Re-runnable: RSA/EC keys (and the self-signed certificate) are generated only when their file does
not exist yet; otherwise they are loaded. Every other file is derived deterministically from them
(PKCS#1 v1.5 signatures are deterministic), so a second run changes nothing. Files are rewritten only
when their content differs.

At the end the script checks itself: every signature is verified with the key read from its
`public_key` file, every verify case's `valid` flag is recomputed, every keys.json case is loaded
(or must fail to load), and, when the `openssl` command is available, a few signatures and keys are
checked with the openssl CLI as a third implementation.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

HERE = Path(__file__).resolve().parent
KEYS = HERE / "keys"

APP_ID = "2021000000000001"

# --------------------------------------------------------------------------------------------------
# File helpers
# --------------------------------------------------------------------------------------------------

_written: list[str] = []
_unchanged: list[str] = []


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rel = str(path.relative_to(HERE))
    if path.exists() and path.read_bytes() == data:
        _unchanged.append(rel)
        return
    path.write_bytes(data)
    _written.append(rel)


def write_text(path: Path, text: str) -> None:
    # Always LF, always UTF-8, whatever the platform.
    write_bytes(path, text.encode("utf-8"))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def pem_wrap(label: str, der: bytes, eol: str = "\n") -> str:
    body = b64(der)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return eol.join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"]) + eol


# --------------------------------------------------------------------------------------------------
# Lenient key reader used only for self-checks (so that every file shape is exercised here too)
# --------------------------------------------------------------------------------------------------

_PEM_RE = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)


def _pem_or_raw(path: Path) -> tuple[str | None, bytes]:
    text = path.read_text("utf-8")
    m = _PEM_RE.search(text)
    if m:
        label, body = m.group(1), m.group(2)
    else:
        label, body = None, text
    body = re.sub(r"\s+", "", body)
    if not body:
        raise ValueError("empty key")
    return label, base64.b64decode(body, validate=True)


def read_private(path: Path):
    label, der = _pem_or_raw(path)
    if label not in (None, "PRIVATE KEY", "RSA PRIVATE KEY"):
        raise ValueError(f"unexpected label {label}")
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA key")
    return key


def read_public(path: Path):
    label, der = _pem_or_raw(path)
    if label == "CERTIFICATE":
        key = x509.load_der_x509_certificate(der).public_key()
    elif label in (None, "PUBLIC KEY", "RSA PUBLIC KEY"):
        key = serialization.load_der_public_key(der)
    else:
        raise ValueError(f"unexpected label {label}")
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA key")
    return key


# --------------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------------


def load_or_generate_rsa(path: Path, bits: int, fmt: serialization.PrivateFormat):
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == bits, path
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    write_bytes(path, key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()))
    return key


def priv_der(key, fmt) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, fmt, serialization.NoEncryption())


def priv_pem(key, fmt) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())


def pub_der(key) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def pub_pem(key, fmt=serialization.PublicFormat.SubjectPublicKeyInfo) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, fmt)


PKCS1 = serialization.PrivateFormat.TraditionalOpenSSL
PKCS8 = serialization.PrivateFormat.PKCS8


def make_keys() -> None:
    # -- key material: generated once, loaded afterwards --------------------------------------
    app = load_or_generate_rsa(KEYS / "app_2048_pkcs8.pem", 2048, PKCS8)
    alipay = load_or_generate_rsa(KEYS / "alipay_2048_pkcs8.pem", 2048, PKCS8)
    app1024 = load_or_generate_rsa(KEYS / "app_1024_pkcs1.pem", 1024, PKCS1)
    app4096 = load_or_generate_rsa(KEYS / "app_4096_pkcs8.pem", 4096, PKCS8)

    ec_path = KEYS / "bad_ec_p256_pkcs8.pem"
    if ec_path.exists():
        eck = serialization.load_pem_private_key(ec_path.read_bytes(), password=None)
    else:
        eck = ec.generate_private_key(ec.SECP256R1())
        write_bytes(ec_path, priv_pem(eck, PKCS8))

    # -- app 2048 in every shape --------------------------------------------------------------
    pkcs8_pem = priv_pem(app, PKCS8).decode("ascii")
    write_text(KEYS / "app_2048_pkcs8.pem", pkcs8_pem)
    write_text(KEYS / "app_2048_pkcs1.pem", priv_pem(app, PKCS1).decode("ascii"))
    write_text(KEYS / "app_2048_pkcs8.txt", b64(priv_der(app, PKCS8)) + "\n")
    write_text(KEYS / "app_2048_pkcs1.txt", b64(priv_der(app, PKCS1)) + "\n")
    write_text(KEYS / "app_2048_public.pem", pub_pem(app).decode("ascii"))
    write_text(KEYS / "app_2048_public.txt", b64(pub_der(app)) + "\n")
    write_text(
        KEYS / "app_2048_public_pkcs1.pem",
        pub_pem(app, serialization.PublicFormat.PKCS1).decode("ascii"),
    )
    write_bytes(KEYS / "app_2048_pkcs8_crlf.pem", pkcs8_pem.replace("\n", "\r\n").encode("ascii"))
    write_text(
        KEYS / "app_2048_pkcs8_oneline.pem",
        "-----BEGIN PRIVATE KEY-----" + b64(priv_der(app, PKCS8)) + "-----END PRIVATE KEY-----",
    )
    spki_lines = pub_pem(app).decode("ascii").splitlines()
    indents = ["    ", "\t", "  \t", "        "]
    indented = "\n" + "   \n" + "".join(
        indents[i % len(indents)] + line + "\n" for i, line in enumerate(spki_lines)
    ) + "\n\t\n"
    write_text(KEYS / "app_2048_public_indented.pem", indented)

    cert_path = KEYS / "app_2048_cert.pem"
    if not cert_path.exists():
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "alipay-isv"),
                x509.NameAttribute(NameOID.COMMON_NAME, "alipay-isv test app"),
            ]
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(app.public_key())
            .serial_number(20240001)
            .not_valid_before(datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))
            .not_valid_after(datetime.datetime(2044, 1, 1, tzinfo=datetime.timezone.utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(app, hashes.SHA256())
        )
        write_bytes(cert_path, cert.public_bytes(serialization.Encoding.PEM))

    # -- Alipay pair --------------------------------------------------------------------------
    write_text(KEYS / "alipay_2048_pkcs8.pem", priv_pem(alipay, PKCS8).decode("ascii"))
    write_text(KEYS / "alipay_2048_public.pem", pub_pem(alipay).decode("ascii"))
    write_text(KEYS / "alipay_2048_public.txt", b64(pub_der(alipay)) + "\n")

    # -- legacy 1024 and 4096 -----------------------------------------------------------------
    write_text(KEYS / "app_1024_pkcs1.pem", priv_pem(app1024, PKCS1).decode("ascii"))
    write_text(KEYS / "app_1024_public.pem", pub_pem(app1024).decode("ascii"))
    write_text(KEYS / "app_4096_pkcs8.pem", priv_pem(app4096, PKCS8).decode("ascii"))
    write_text(KEYS / "app_4096_public.pem", pub_pem(app4096).decode("ascii"))

    # -- bad keys -----------------------------------------------------------------------------
    write_text(ec_path, priv_pem(eck, PKCS8).decode("ascii"))
    write_text(KEYS / "bad_ec_p256_public.pem", pub_pem(eck).decode("ascii"))

    body = b64(priv_der(app, PKCS8))
    half = (len(body) // 2) // 4 * 4  # still valid Base64: the failure must be in the DER, not Base64
    cut = body[:half]
    write_text(
        KEYS / "bad_truncated_pkcs8.pem",
        "-----BEGIN PRIVATE KEY-----\n"
        + "".join(cut[i : i + 64] + "\n" for i in range(0, len(cut), 64))
        + "-----END PRIVATE KEY-----\n",
    )
    write_text(KEYS / "bad_wrong_label.pem", pem_wrap("CERTIFICATE", priv_der(app, PKCS8)))
    write_text(KEYS / "bad_garbage.txt", "this is not a key at all\n")
    write_text(KEYS / "bad_not_base64.txt", "!!!@@@###!!!@@@###\n")
    write_text(KEYS / "bad_empty.txt", "")


# --------------------------------------------------------------------------------------------------
# keys.json
# --------------------------------------------------------------------------------------------------


def keys_json() -> dict:
    ok_private = [
        ("app_2048_pkcs1_pem", "app_2048_pkcs1.pem", 2048),
        ("app_2048_pkcs8_pem", "app_2048_pkcs8.pem", 2048),
        ("app_2048_pkcs8_txt", "app_2048_pkcs8.txt", 2048),
        ("app_2048_pkcs1_txt", "app_2048_pkcs1.txt", 2048),
        ("app_2048_pkcs8_crlf", "app_2048_pkcs8_crlf.pem", 2048),
        ("app_2048_pkcs8_oneline", "app_2048_pkcs8_oneline.pem", 2048),
        ("alipay_2048_pkcs8_pem", "alipay_2048_pkcs8.pem", 2048),
        ("app_1024_pkcs1_pem", "app_1024_pkcs1.pem", 1024),
        ("app_4096_pkcs8_pem", "app_4096_pkcs8.pem", 4096),
    ]
    ok_public = [
        ("app_2048_public_pem", "app_2048_public.pem", 2048),
        ("app_2048_public_txt", "app_2048_public.txt", 2048),
        ("app_2048_public_pkcs1_pem", "app_2048_public_pkcs1.pem", 2048),
        ("app_2048_cert_pem", "app_2048_cert.pem", 2048),
        ("app_2048_public_indented", "app_2048_public_indented.pem", 2048),
        ("alipay_2048_public_pem", "alipay_2048_public.pem", 2048),
        ("alipay_2048_public_txt", "alipay_2048_public.txt", 2048),
        ("app_1024_public_pem", "app_1024_public.pem", 1024),
        ("app_4096_public_pem", "app_4096_public.pem", 4096),
    ]
    bad = [
        ("bad_ec_private", "private", "bad_ec_p256_pkcs8.pem", "rsa"),
        ("bad_ec_public", "public", "bad_ec_p256_public.pem", "rsa"),
        ("bad_truncated_private", "private", "bad_truncated_pkcs8.pem", "private key"),
        ("bad_wrong_label_private", "private", "bad_wrong_label.pem", "certificate"),
        ("bad_garbage_private", "private", "bad_garbage.txt", "base64"),
        ("bad_garbage_public", "public", "bad_garbage.txt", "base64"),
        ("bad_not_base64_private", "private", "bad_not_base64.txt", "base64"),
        ("bad_empty_private", "private", "bad_empty.txt", "empty"),
        ("bad_empty_public", "public", "bad_empty.txt", "empty"),
        ("public_key_given_as_private", "private", "app_2048_public.pem", "public key"),
        ("private_key_given_as_public", "public", "app_2048_pkcs8.pem", "private key"),
    ]
    cases = []
    for name, f, bits in ok_private:
        cases.append({"name": name, "role": "private", "file": f"keys/{f}", "expect": "ok", "bits": bits})
    for name, f, bits in ok_public:
        cases.append({"name": name, "role": "public", "file": f"keys/{f}", "expect": "ok", "bits": bits})
    for name, role, f, reason in bad:
        cases.append(
            {
                "name": name,
                "role": role,
                "file": f"keys/{f}",
                "expect": "config_error",
                "reason_contains": reason,
            }
        )
    return {
        "description": (
            "Key loading vectors. Load `file` (relative to tests/vectors/) as a private or public key "
            "according to `role`. expect=ok: loading succeeds and the RSA modulus has `bits` bits. "
            "expect=config_error: loading fails with a configuration error whose reason, lower-cased, "
            "contains `reason_contains`. Test-only keys, never secret."
        ),
        "cases": cases,
    }


# --------------------------------------------------------------------------------------------------
# Canonical content and signature (docs/protocol.md, "Canonical content and signature")
# --------------------------------------------------------------------------------------------------


# Java's Character.isWhitespace: the Java SDK's StringUtils.isEmpty drops values made only of these.
JAVA_WHITESPACE = set("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                      "\u2008\u2009\u200a\u2028\u2029\u205f\u3000")


def blank(text: str) -> bool:
    return all(c in JAVA_WHITESPACE for c in text)


def canonical(params: dict[str, str]) -> str:
    items = [(k, v) for k, v in params.items() if k != "sign" and not blank(k) and not blank(v)]
    # Java's String.compareTo: by UTF-16 code units.
    items.sort(key=lambda kv: kv[0].encode("utf-16-be"))
    return "&".join(f"{k}={v}" for k, v in items)


def digest_for(sign_type: str):
    return {"RSA2": hashes.SHA256(), "RSA": hashes.SHA1()}[sign_type]


def codec_for(charset: str) -> str:
    return {"UTF-8": "utf-8", "GBK": "gbk"}[charset]


def sign(key, content: str, sign_type: str, charset: str) -> str:
    data = content.encode(codec_for(charset))
    return b64(key.sign(data, padding.PKCS1v15(), digest_for(sign_type)))


def verify(pub, content: str, sig_b64: str, sign_type: str, charset: str) -> bool:
    try:
        sig = base64.b64decode(sig_b64, validate=True)
    except ValueError:
        return False
    try:
        pub.verify(sig, content.encode(codec_for(charset)), padding.PKCS1v15(), digest_for(sign_type))
        return True
    except InvalidSignature:
        return False


# --------------------------------------------------------------------------------------------------
# sign.json
# --------------------------------------------------------------------------------------------------

CN_SUBJECT = "测试商品：年货大礼包（坚果礼盒）"
CN_BODY = "支付宝开放平台第三方应用代调用测试，商户授权后由服务商发起。"


def req(method: str, biz: str | None, *, charset="UTF-8", sign_type="RSA2", ts="2026-11-21 15:04:05",
        **extra: str) -> dict[str, str]:
    p = {
        "app_id": APP_ID,
        "method": method,
        "format": "JSON",
        "charset": charset,
        "sign_type": sign_type,
        "timestamp": ts,
        "version": "1.0",
    }
    if biz is not None:
        p["biz_content"] = biz
    p.update(extra)
    return p


def jdump(obj) -> str:
    # Compact JSON as most SDKs send it; Chinese kept as-is (not \u-escaped).
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def sign_cases() -> list[dict]:
    P1 = "keys/app_2048_pkcs1.pem"
    P8 = "keys/app_2048_pkcs8.pem"
    PUB = "keys/app_2048_public.pem"
    cases: list[dict] = []

    def add(name, params, *, sign_type="RSA2", charset="UTF-8", private_key=P1, public_key=PUB):
        assert params.get("sign_type", sign_type) == sign_type or name.startswith("sign_type_"), name
        cases.append(
            {
                "name": name,
                "params": params,
                "sign_type": sign_type,
                "charset": charset,
                "private_key": private_key,
                "public_key": public_key,
            }
        )

    trade_biz_cn = jdump(
        {
            "out_trade_no": "20261121150405000001",
            "total_amount": "88.88",
            "subject": CN_SUBJECT,
            "body": CN_BODY,
            "product_code": "FAST_INSTANT_TRADE_PAY",
        }
    )

    # 1. basic
    add(
        "utf8_basic_auth_token_app",
        req("alipay.open.auth.token.app",
            jdump({"grant_type": "authorization_code", "code": "P5f3b1c2d4e6a7b8c9d0e1f2a3b4c5d6"})),
    )
    # 2. Chinese UTF-8
    add("utf8_chinese_biz_content", req("alipay.trade.page.pay", trade_biz_cn,
                                        notify_url="https://isv.example.com/alipay/notify"))
    # 3-6. Same Chinese text, GBK
    add("gbk_chinese_biz_content_rsa2",
        req("alipay.trade.page.pay", trade_biz_cn, charset="GBK",
            notify_url="https://isv.example.com/alipay/notify"),
        charset="GBK")
    add("gbk_chinese_biz_content_rsa_2048",
        req("alipay.trade.page.pay", trade_biz_cn, charset="GBK", sign_type="RSA",
            notify_url="https://isv.example.com/alipay/notify"),
        charset="GBK", sign_type="RSA")
    add("gbk_chinese_biz_content_rsa_1024",
        req("alipay.trade.page.pay", trade_biz_cn, charset="GBK", sign_type="RSA"),
        charset="GBK", sign_type="RSA",
        private_key="keys/app_1024_pkcs1.pem", public_key="keys/app_1024_public.pem")
    add("gbk_chinese_delegated_query_rsa2",
        req("alipay.trade.query", jdump({"out_trade_no": "20261121150405000001",
                                         "query_options": ["trade_settle_info"]}),
            charset="GBK", ts="2026-11-21 15:10:00",
            app_auth_token="202611BB8f3c5a1e4d2b4a6f9e0c7d1a2b3c4X21",
            return_url="https://isv.example.com/返回页面?来源=支付宝"),
        charset="GBK")
    add("gbk_chinese_notification_rsa2",
        {
            "notify_time": "2026-11-21 15:05:01",
            "notify_type": "trade_status_sync",
            "notify_id": "2026112100222150501012345678901234",
            "charset": "GBK",
            "version": "1.0",
            "app_id": APP_ID,
            "auth_app_id": "2021000000000999",
            "trade_no": "2026112122001412345678901234",
            "out_trade_no": "20261121150405000001",
            "trade_status": "TRADE_SUCCESS",
            "total_amount": "88.88",
            "subject": CN_SUBJECT,
            "body": CN_BODY,
            "buyer_logon_id": "159****1234",
        },
        charset="GBK")
    # 8-10. URL-ish special characters, never URL-encoded
    add("special_ampersand_equals_in_values",
        req("alipay.trade.create",
            jdump({"out_trade_no": "A&B=C", "subject": "tea&coffee=2 cups", "total_amount": "1.00"}),
            notify_url="https://isv.example.com/notify?a=1&b=2"))
    add("special_plus_percent_in_values",
        req("alipay.trade.create",
            jdump({"out_trade_no": "P+1", "subject": "50% off + free %2B shipping", "total_amount": "2.00"}),
            ts="2026-11-21 15:04:06",
            notify_url="https://isv.example.com/notify?x=a%2Bb&y=c+d&z=100%"))
    add("special_question_hash_in_values",
        req("alipay.trade.wap.pay",
            jdump({"out_trade_no": "Q?1#2", "subject": "what? #1 deal", "total_amount": "3.00",
                   "quit_url": "https://isv.example.com/cart?step=2#top"}),
            return_url="https://isv.example.com/return?order=Q%3F1#done"))
    # 11. JSON with \/ and \"
    add("json_escaped_slash_and_quotes",
        req("alipay.trade.create",
            '{"out_trade_no":"20261121000011","subject":"He said \\"hi\\"",'
            '"goods_detail":[{"goods_name":"a\\/b","show_url":"https:\\/\\/isv.example.com\\/g\\/1"}],'
            '"total_amount":"9.90"}'))
    # 12. empty values dropped
    add("empty_values_dropped",
        req("alipay.trade.query", jdump({"out_trade_no": "20261121000012"}),
            notify_url="", return_url="", app_auth_token=""))
    # 13. "0" kept
    add("zero_value_kept",
        req("alipay.trade.query", jdump({"out_trade_no": "20261121000013"}),
            app_auth_token="0", return_url=""))
    # 14. whitespace-only values dropped (the Java SDK's StringUtils.isEmpty), inner spaces kept
    add("whitespace_value_dropped",
        req("alipay.trade.query", jdump({"out_trade_no": "20261121000014"}),
            return_url=" ", notify_url="\t \u3000", auth_token=" a b "))
    # 15. keys that are prefixes of each other
    add("prefix_keys_byte_order",
        {"b": "6", "abc": "5", "a.b": "2", "ab": "4", "a_b": "3", "a": "1", "app_id": APP_ID,
         "sign_type": "RSA2"})
    # 16. upper vs lower case
    add("uppercase_sorts_before_lowercase",
        {"app_id": APP_ID, "a": "lower-a", "B": "upper-B", "b": "lower-b", "A": "upper-A",
         "Method": "Capitalised", "_x": "underscore", "Z": "upper-Z", "sign_type": "RSA2"})
    # 17. sign excluded, sign_type included
    add("sign_excluded_sign_type_included",
        req("alipay.open.auth.token.app.query",
            jdump({"app_auth_token": "202611BB8f3c5a1e4d2b4a6f9e0c7d1a2b3c4X21"}),
            sign="c2lnbmF0dXJlLXRoYXQtbXVzdC1iZS1pZ25vcmVkKy8="))
    # 18. single parameter
    add("single_parameter", {"app_id": APP_ID})
    # 19. long biz_content (~1500 bytes)
    goods = [
        {"goods_id": f"SKU{i:05d}", "goods_name": f"Premium green tea gift box no.{i}",
         "quantity": 1 + i % 3, "price": f"{10 + i}.50", "goods_category": "food/tea",
         "show_url": f"https://isv.example.com/goods/{i}"}
        for i in range(1, 9)
    ]
    long_biz = jdump({"out_trade_no": "20261121000019", "total_amount": "1234.56",
                      "subject": "Long order", "goods_detail": goods,
                      "extend_params": {"sys_service_provider_id": "2088000000000001"}})
    assert 1400 <= len(long_biz.encode()) <= 1700, len(long_biz.encode())
    add("long_biz_content", req("alipay.trade.create", long_biz))
    # 20. newline and tab
    add("newline_and_tab_in_value",
        req("alipay.trade.create",
            jdump({"out_trade_no": "20261121000020", "total_amount": "5.00",
                   "subject": "line1"}).replace("line1", "line1\nline2\tcol2"),
            return_url="https://isv.example.com/r\r\nx"))
    # 21. emoji
    add("emoji_in_utf8_value",
        req("alipay.trade.create",
            jdump({"out_trade_no": "20261121000021", "total_amount": "6.66",
                   "subject": "生日蛋糕 🎂🎉 party"})))
    # 22. notification-shaped (V2 style: only `sign` removed, everything else kept by the generic rule)
    add("notification_shaped_params",
        {
            "gmt_create": "2026-11-21 15:04:10",
            "charset": "UTF-8",
            "gmt_payment": "2026-11-21 15:04:20",
            "notify_time": "2026-11-21 15:04:21",
            "subject": "Order 20261121000022",
            "sign": "ignored+sign/value==",
            "buyer_id": "2088102000000001",
            "invoice_amount": "100.00",
            "version": "1.0",
            "notify_id": "2026112100222150421012345678900022",
            "fund_bill_list": '[{"amount":"100.00","fundChannel":"ALIPAYACCOUNT"}]',
            "notify_type": "trade_status_sync",
            "out_trade_no": "20261121000022",
            "total_amount": "100.00",
            "trade_status": "TRADE_SUCCESS",
            "trade_no": "2026112122001400000000000022",
            "auth_app_id": "2021000000000999",
            "receipt_amount": "100.00",
            "point_amount": "0.00",
            "app_id": APP_ID,
            "buyer_pay_amount": "100.00",
            "seller_id": "2088102000000002",
            "passback_params": "merchant%3Dshop01%26channel%3Dmini",
        })
    # 23-25. legacy RSA (SHA1) and 4096
    add("rsa_sha1_1024",
        req("alipay.open.auth.token.app",
            jdump({"grant_type": "refresh_token", "refresh_token": "202611BBf0e1d2c3b4a5968778695a4b3c2d1R21"}),
            sign_type="RSA"),
        sign_type="RSA", private_key="keys/app_1024_pkcs1.pem", public_key="keys/app_1024_public.pem")
    add("rsa_sha1_2048",
        req("alipay.open.auth.token.app",
            jdump({"grant_type": "refresh_token", "refresh_token": "202611BBf0e1d2c3b4a5968778695a4b3c2d1R21"}),
            sign_type="RSA"),
        sign_type="RSA")
    add("rsa2_4096",
        req("alipay.open.auth.token.app.query",
            jdump({"app_auth_token": "202611BB8f3c5a1e4d2b4a6f9e0c7d1a2b3c4X21"})),
        private_key="keys/app_4096_pkcs8.pem", public_key="keys/app_4096_public.pem")
    add("rsa2_4096_chinese_utf8", req("alipay.trade.page.pay", trade_biz_cn),
        private_key="keys/app_4096_pkcs8.pem", public_key="keys/app_4096_public.pem")
    # 26-31. same request, every private-key file format (same key -> same signature)
    fmt_params = req("alipay.system.oauth.token", None, ts="2026-11-21 16:00:00",
                     grant_type="authorization_code", code="4b203fe6c11548bcabd8da5bb087a83b",
                     app_auth_token="202611BB8f3c5a1e4d2b4a6f9e0c7d1a2b3c4X21")
    for suffix, f in [("pkcs1_pem", "app_2048_pkcs1.pem"), ("pkcs8_pem", "app_2048_pkcs8.pem"),
                      ("pkcs8_txt", "app_2048_pkcs8.txt"), ("pkcs1_txt", "app_2048_pkcs1.txt"),
                      ("pkcs8_crlf", "app_2048_pkcs8_crlf.pem"),
                      ("pkcs8_oneline", "app_2048_pkcs8_oneline.pem")]:
        add(f"private_key_format_{suffix}", dict(fmt_params), private_key=f"keys/{f}")
    # 32-36. every public-key file format
    for suffix, f in [("spki_pem", "app_2048_public.pem"), ("spki_txt", "app_2048_public.txt"),
                      ("pkcs1_pem", "app_2048_public_pkcs1.pem"), ("cert_pem", "app_2048_cert.pem"),
                      ("spki_indented", "app_2048_public_indented.pem")]:
        add(f"public_key_format_{suffix}", dict(fmt_params), private_key=P8, public_key=f"keys/{f}")
    # 37-40. other realistic shapes
    add("user_info_share_delegated",
        req("alipay.user.info.share", None, ts="2026-11-21 16:01:02",
            auth_token="authusrB5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0X21",
            app_auth_token="202611BB8f3c5a1e4d2b4a6f9e0c7d1a2b3c4X21"))
    add("alipay_key_signs_response_like_params",
        {"app_id": APP_ID, "charset": "UTF-8", "msg_method": "alipay.open.auth.appauth.cancelled",
         "notify_id": "2026112100222160000012345678900039", "utc_timestamp": "1795246800000",
         "msg_type": "sys", "msg_uid": "2088102000000009", "msg_app_id": "2021000000000999",
         "version": "1.1", "sign_type": "RSA2",
         "biz_content": jdump({"auth_app_id": "2021000000000999", "user_id": "2088102000000009",
                               "cancel_time": "2026-11-21 16:00:00"})},
        private_key="keys/alipay_2048_pkcs8.pem", public_key="keys/alipay_2048_public.pem")
    add("gbk_fullwidth_punctuation_rsa",
        req("alipay.trade.precreate",
            jdump({"out_trade_no": "20261121000040", "total_amount": "12.00",
                   "subject": "早餐：豆浆、油条，共计￥12。", "store_id": "杭州西湖店"}),
            charset="GBK", sign_type="RSA"),
        charset="GBK", sign_type="RSA")
    # Keys outside ASCII: UTF-16 code-unit order (Java's, the gateway's) differs from UTF-8 byte order
    # (U+1F600 is the surrogate pair D83D DE00, before U+FF21 in UTF-16; after it in UTF-8).
    add("non_ascii_keys_utf16_order",
        {"app_id": APP_ID, "\uff21": "fullwidth-A", "\U0001F600": "grinning-face", "z": "last-ascii",
         "é": "e-acute"})

    for c in cases:
        c["content"] = canonical(c["params"])
    return cases


def verify_cases(cases: list[dict], priv: dict) -> list[dict]:
    by = {c["name"]: c for c in cases}
    out: list[dict] = []

    def vc(name, content, sig, sign_type, charset, public_key, valid):
        out.append({"name": name, "content": content, "sign": sig, "sign_type": sign_type,
                    "charset": charset, "public_key": public_key, "valid": valid})

    def copy_valid(new_name, case_name, public_key=None):
        c = by[case_name]
        vc(new_name, c["content"], c["sign"], c["sign_type"], c["charset"],
           public_key or c["public_key"], True)

    copy_valid("valid_utf8_rsa2", "utf8_chinese_biz_content")
    copy_valid("valid_gbk_rsa2", "gbk_chinese_biz_content_rsa2")
    copy_valid("valid_gbk_rsa_1024", "gbk_chinese_biz_content_rsa_1024")
    copy_valid("valid_rsa_sha1_2048", "rsa_sha1_2048")
    copy_valid("valid_rsa2_4096", "rsa2_4096")
    copy_valid("valid_notification", "notification_shaped_params")
    copy_valid("valid_cert_public_key", "public_key_format_cert_pem")
    copy_valid("valid_alipay_key_pem", "alipay_key_signs_response_like_params")
    copy_valid("valid_alipay_key_txt", "alipay_key_signs_response_like_params",
               public_key="keys/alipay_2048_public.txt")
    copy_valid("valid_emoji_utf8", "emoji_in_utf8_value")

    n = by["notification_shaped_params"]
    assert "total_amount=100.00" in n["content"]
    vc("invalid_content_amount_changed", n["content"].replace("total_amount=100.00", "total_amount=100.01"),
       n["sign"], "RSA2", "UTF-8", n["public_key"], False)

    u = by["utf8_chinese_biz_content"]
    vc("invalid_signed_by_other_key", u["content"],
       sign(priv["alipay"], u["content"], "RSA2", "UTF-8"), "RSA2", "UTF-8", u["public_key"], False)

    a = by["alipay_key_signs_response_like_params"]
    vc("invalid_alipay_signed_checked_with_app_public_key", a["content"], a["sign"], "RSA2", "UTF-8",
       "keys/app_2048_public.pem", False)

    s = by["rsa_sha1_2048"]
    vc("invalid_sha1_signature_checked_as_rsa2", s["content"], s["sign"], "RSA2", "UTF-8",
       s["public_key"], False)
    vc("invalid_sha256_signature_checked_as_rsa", u["content"], u["sign"], "RSA", "UTF-8",
       u["public_key"], False)

    raw = bytearray(base64.b64decode(u["sign"]))
    raw[len(raw) // 2] ^= 0x01
    vc("invalid_signature_byte_flipped", u["content"], b64(bytes(raw)), "RSA2", "UTF-8",
       u["public_key"], False)

    g = by["gbk_chinese_biz_content_rsa2"]
    vc("invalid_gbk_signed_checked_as_utf8", g["content"], g["sign"], "RSA2", "UTF-8",
       g["public_key"], False)

    vc("invalid_signature_truncated", u["content"], u["sign"][:100], "RSA2", "UTF-8",
       u["public_key"], False)
    return out


# --------------------------------------------------------------------------------------------------
# Self-checks
# --------------------------------------------------------------------------------------------------


def check_keys(kj: dict) -> None:
    for c in kj["cases"]:
        path = HERE / c["file"]
        reader = read_private if c["role"] == "private" else read_public
        try:
            k = reader(path)
            loaded = True
        except Exception:
            loaded = False
        if c["expect"] == "ok":
            assert loaded, c
            assert k.key_size == c["bits"], c
        else:
            # A private key file must not load as public, nor a public one as private, etc.
            assert not loaded, c


def check_openssl(cases: list[dict], vcases: list[dict]) -> list[str]:
    openssl = shutil.which("openssl")
    if not openssl:
        return ["openssl not found: CLI cross-check skipped"]
    report = []
    by = {c["name"]: c for c in cases}
    picks = ["utf8_chinese_biz_content", "gbk_chinese_biz_content_rsa2", "rsa_sha1_1024",
             "rsa2_4096", "non_ascii_keys_utf16_order"]
    with tempfile.TemporaryDirectory() as td:
        t = Path(td)
        for name in picks:
            c = by[name]
            (t / "data").write_bytes(c["content"].encode(codec_for(c["charset"])))
            (t / "sig").write_bytes(base64.b64decode(c["sign"]))
            dg = "-sha256" if c["sign_type"] == "RSA2" else "-sha1"
            r = subprocess.run([openssl, "dgst", dg, "-verify", str(HERE / c["public_key"]),
                                "-signature", str(t / "sig"), str(t / "data")],
                               capture_output=True, text=True)
            assert r.returncode == 0 and "Verified OK" in r.stdout, (name, r.stdout, r.stderr)
            # and openssl signs to the very same bytes (PKCS#1 v1.5 is deterministic)
            r = subprocess.run([openssl, "dgst", dg, "-sign", str(HERE / c["private_key"]),
                                "-out", str(t / "sig2"), str(t / "data")], capture_output=True, text=True)
            assert r.returncode == 0, (name, r.stderr)
            assert (t / "sig2").read_bytes() == base64.b64decode(c["sign"]), name
            report.append(f"openssl verify+sign OK: {name}")
        v = next(x for x in vcases if x["name"] == "invalid_content_amount_changed")
        (t / "data").write_bytes(v["content"].encode("utf-8"))
        (t / "sig").write_bytes(base64.b64decode(v["sign"]))
        r = subprocess.run([openssl, "dgst", "-sha256", "-verify", str(HERE / v["public_key"]),
                            "-signature", str(t / "sig"), str(t / "data")], capture_output=True, text=True)
        assert r.returncode != 0, "openssl accepted a tampered content"
        report.append("openssl rejects invalid_content_amount_changed: OK")
        r = subprocess.run([openssl, "x509", "-in", str(KEYS / "app_2048_cert.pem"), "-noout",
                            "-subject", "-serial", "-dates"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        report.append("openssl x509: " + " | ".join(r.stdout.split("\n")).strip(" |"))
        for f in ["app_2048_pkcs1.pem", "app_2048_pkcs8.pem", "app_1024_pkcs1.pem", "app_4096_pkcs8.pem"]:
            r = subprocess.run([openssl, "pkey", "-in", str(KEYS / f), "-noout"], capture_output=True)
            assert r.returncode == 0, f
        r = subprocess.run([openssl, "pkey", "-in", str(KEYS / "bad_truncated_pkcs8.pem"), "-noout"],
                           capture_output=True)
        assert r.returncode != 0, "openssl loaded the truncated key"
        report.append("openssl pkey: good keys load, truncated key rejected")
    return report


# --------------------------------------------------------------------------------------------------


def main() -> int:
    make_keys()

    priv = {
        "app": read_private(KEYS / "app_2048_pkcs8.pem"),
        "alipay": read_private(KEYS / "alipay_2048_pkcs8.pem"),
    }
    app_pub_nums = priv["app"].public_key().public_numbers()
    for f in ["app_2048_public.pem", "app_2048_public.txt", "app_2048_public_pkcs1.pem",
              "app_2048_cert.pem", "app_2048_public_indented.pem"]:
        assert read_public(KEYS / f).public_numbers() == app_pub_nums, f
    for f in ["app_2048_pkcs1.pem", "app_2048_pkcs1.txt", "app_2048_pkcs8.txt",
              "app_2048_pkcs8_crlf.pem", "app_2048_pkcs8_oneline.pem"]:
        assert read_private(KEYS / f).private_numbers() == priv["app"].private_numbers(), f

    kj = keys_json()
    check_keys(kj)

    cases = sign_cases()
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    for c in cases:
        if c["charset"] == "GBK":
            # Must be encodable, and unambiguous: GBK and GB18030 agree on these bytes.
            assert c["content"].encode("gbk") == c["content"].encode("gb18030"), c["name"]
            assert c["content"].encode("gbk") != c["content"].encode("utf-8"), c["name"]
            assert c["params"].get("charset", "GBK") == "GBK", c["name"]
        key = read_private(HERE / c["private_key"])
        c["sign"] = sign(key, c["content"], c["sign_type"], c["charset"])
        assert verify(read_public(HERE / c["public_key"]), c["content"], c["sign"], c["sign_type"],
                      c["charset"]), c["name"]

    # Hand-checked expectations for the sorting / filtering rules.
    by = {c["name"]: c for c in cases}
    assert by["prefix_keys_byte_order"]["content"] == \
        f"a=1&a.b=2&a_b=3&ab=4&abc=5&app_id={APP_ID}&b=6&sign_type=RSA2"
    assert by["uppercase_sorts_before_lowercase"]["content"] == (
        f"A=upper-A&B=upper-B&Method=Capitalised&Z=upper-Z&_x=underscore&a=lower-a&app_id={APP_ID}"
        "&b=lower-b&sign_type=RSA2")
    assert by["single_parameter"]["content"] == f"app_id={APP_ID}"
    assert by["non_ascii_keys_utf16_order"]["content"] == \
        f"app_id={APP_ID}&z=last-ascii&é=e-acute&\U0001F600=grinning-face&\uff21=fullwidth-A"
    c = by["empty_values_dropped"]["content"]
    assert "notify_url" not in c and "return_url" not in c and "app_auth_token" not in c
    assert by["zero_value_kept"]["content"].startswith("app_auth_token=0&app_id=")
    assert "return_url" not in by["whitespace_value_dropped"]["content"]
    assert "notify_url" not in by["whitespace_value_dropped"]["content"]
    assert "auth_token= a b &" in by["whitespace_value_dropped"]["content"]
    c = by["sign_excluded_sign_type_included"]["content"]
    assert "sign=" not in c.replace("sign_type=", "") and "sign_type=RSA2" in c
    assert "passback_params=merchant%3Dshop01%26channel%3Dmini" in by["notification_shaped_params"]["content"]
    fmt_sigs = {c["sign"] for c in cases if c["name"].startswith(("private_key_format_", "public_key_format_"))}
    assert len(fmt_sigs) == 1, "key formats must give one signature"
    assert by["gbk_chinese_biz_content_rsa2"]["content"] == by["utf8_chinese_biz_content"]["content"].replace(
        "charset=UTF-8", "charset=GBK")
    assert by["gbk_chinese_biz_content_rsa2"]["sign"] != by["utf8_chinese_biz_content"]["sign"]

    vcases = verify_cases(cases, priv)
    for v in vcases:
        got = verify(read_public(HERE / v["public_key"]), v["content"], v["sign"], v["sign_type"], v["charset"])
        assert got == v["valid"], v["name"]

    sign_doc = {
        "description": (
            "Canonical content and signature vectors (docs/protocol.md, 'Canonical content and signature'). "
            "cases: build the canonical content from `params` (drop `sign`, drop values equal to \"\", "
            "drop values made only of whitespace as Java's StringUtils.isEmpty does, keep \"0\", sort keys by UTF-16 code units (Java's String.compareTo), join key=value with '&', no "
            "URL-encoding) and compare with `content`; encode it in `charset`; sign with `private_key` "
            "(RSA2 = SHA256withRSA, RSA = SHA1withRSA, PKCS#1 v1.5) and compare the standard Base64 with "
            "`sign`; verify `sign` with `public_key`. verify_cases: verify `sign` over `content` encoded "
            "in `charset` with `public_key`; the result must equal `valid` (false, not an error, for a "
            "wrong or malformed signature). Key paths are relative to tests/vectors/. Generated by "
            "generate.py with Python `cryptography`, not by this project's code."
        ),
        "cases": [
            {k: c[k] for k in ("name", "params", "sign_type", "charset", "private_key", "public_key",
                               "content", "sign")}
            for c in cases
        ],
        "verify_cases": vcases,
    }
    write_text(HERE / "keys.json", json.dumps(kj, ensure_ascii=False, indent=2) + "\n")
    write_text(HERE / "sign.json", json.dumps(sign_doc, ensure_ascii=False, indent=2) + "\n")

    report = check_openssl(cases, vcases)

    print(f"keys.json: {len(kj['cases'])} cases")
    print(f"sign.json: {len(cases)} cases, {len(vcases)} verify_cases")
    for line in report:
        print(line)
    print(f"written: {len(_written)} file(s)" + (": " + ", ".join(_written) if _written else ""))
    print(f"unchanged: {len(_unchanged)} file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
