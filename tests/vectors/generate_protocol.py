#!/usr/bin/env python3
"""Generate the protocol-level test vectors for alipay-isv: responses.json and notifications.json.

Companion of generate.py (which owns the keys, keys.json and sign.json and is not modified by this
script). Uses only the Python standard library and the `cryptography` package, and reuses the key
files already in tests/vectors/keys/ (it never creates or changes a key):

  * keys/alipay_2048_pkcs8.pem   signs everything "Alipay" sends (responses, notifications);
  * keys/alipay_2048_public.pem  is the Alipay public key every case verifies with;
  * keys/app_2048_pkcs8.pem      signs the "signed with the wrong key" cases.

Usage:  python3 tests/vectors/generate_protocol.py

Deterministic: fixed timestamps, ids and AES key; PKCS#1 v1.5 signatures and AES-CBC with a zero IV
are deterministic, so a re-run produces byte-identical files (the script reports `written: 0 file(s)`).
Files are rewritten only when their content differs.

At the end the script checks itself with a small verifier written independently of the builders
(a quote/escape-aware raw JSON scanner for responses, a one-pass form decoder for notifications):
every case's verdict and expected values are recomputed from the body bytes as stored in the JSON.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, padding as sympadding
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import APP_ID, b64, jdump, read_private, read_public  # noqa: E402  (same directory)

ALIPAY_PRIV = "keys/alipay_2048_pkcs8.pem"
ALIPAY_PUB = "keys/alipay_2048_public.pem"
APP_PRIV = "keys/app_2048_pkcs8.pem"

# Fixed test identities (test-only values, shared with sign.json where they already appear).
AUTH_APP_ID = "2021000000000999"       # the merchant's app, authorised to the ISV (APP_ID)
AUTH_APP_ID_2 = "2021000000000998"
MERCHANT_PID = "2088102000000009"      # merchant user_id
USER_ID = "2088102000000001"           # end user
OPEN_ID = "074aB3cD5eF7gH9iJ1kL3mN5oP7qR9sT1uV3wX5yZ7aB9cD1eF3"
APP_AUTH_TOKEN = "202611BB8f3c5a1e4d2b4a6f9e0c7d1a2b3c4X21"
APP_REFRESH_TOKEN = "202611BBf0e1d2c3b4a5968778695a4b3c2d1R21"
APP_AUTH_TOKEN_2 = "202611BB1a2b3c4d5e6f7a8b9c0d1e2f3a4b5X22"
APP_REFRESH_TOKEN_2 = "202611BB9f8e7d6c5b4a3f2e1d0c9b8a7f6e5R22"
ACCESS_TOKEN = "authusrB2e8f4c6a1d3b5e7f9a0c2e4b6d8f1a3c5X21"
REFRESH_TOKEN = "authusrB9d7b5f3e1c0a8e6d4b2f0c9a7e5d3b1f9R21"
APP_AUTH_CODE = "P9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4X"
ALIPAY_CERT_SN = "a8b4c2d1e0f9a8b7c6d5e4f3a2b1c0d9"

# Fixed AES content-encryption key (test-only): 16 bytes derived from a fixed label.
AES_KEY = hashlib.sha256(b"alipay-isv test AES content key").digest()[:16]
AES_KEY_B64 = b64(AES_KEY)

# --------------------------------------------------------------------------------------------------
# File helpers (same behaviour as generate.py: LF, UTF-8, rewrite only when different)
# --------------------------------------------------------------------------------------------------

_written: list[str] = []
_unchanged: list[str] = []


def write_text(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    rel = str(path.relative_to(HERE))
    if path.exists() and path.read_bytes() == data:
        _unchanged.append(rel)
        return
    path.write_bytes(data)
    _written.append(rel)


# --------------------------------------------------------------------------------------------------
# Crypto helpers
# --------------------------------------------------------------------------------------------------

CODEC = {"UTF-8": "utf-8", "GBK": "gbk"}
_priv_cache: dict[str, object] = {}


def priv(path: str):
    if path not in _priv_cache:
        _priv_cache[path] = read_private(HERE / path)
    return _priv_cache[path]


def rsa2_sign(data: bytes, key_path: str = ALIPAY_PRIV, sign_type: str = "RSA2") -> str:
    dg = {"RSA2": hashes.SHA256(), "RSA": hashes.SHA1()}[sign_type]
    return b64(priv(key_path).sign(data, padding.PKCS1v15(), dg))


def aes_encrypt(plain: bytes, key: bytes = AES_KEY) -> str:
    padder = sympadding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(b"\0" * 16)).encryptor()
    return b64(enc.update(padded) + enc.finalize())


# --------------------------------------------------------------------------------------------------
# responses.json
# --------------------------------------------------------------------------------------------------


def node_key(method: str) -> str:
    return method.replace(".", "_") + "_response"


def sign_node(node_text: str, charset: str = "UTF-8", key_path: str = ALIPAY_PRIV) -> str:
    """Signature over the exact raw node text, encoded in the charset."""
    return rsa2_sign(node_text.encode(CODEC[charset]), key_path)


def body_of(key: str, node_text: str, sign: str | None) -> str:
    """The usual compact body: {"<key>":<node>,"sign":"..."}."""
    if sign is None:
        return '{"' + key + '":' + node_text + "}"
    return '{"' + key + '":' + node_text + ',"sign":"' + sign + '"}'


M_TOKEN = "alipay.open.auth.token.app"
M_OAUTH = "alipay.system.oauth.token"
M_SHARE = "alipay.user.info.share"
M_QUERY = "alipay.trade.query"

# Node texts are written by hand (never json.dumps of a dict) so that order, whitespace and escapes
# are exactly what the signature covers.
TOKEN_NODE = (
    '{"code":"10000","msg":"Success","app_auth_token":"' + APP_AUTH_TOKEN + '",'
    '"app_refresh_token":"' + APP_REFRESH_TOKEN + '","user_id":"' + MERCHANT_PID + '",'
    '"auth_app_id":"' + AUTH_APP_ID + '","expires_in":31536000,"re_expires_in":"32140800"}'
)
TOKEN_FIELDS = {
    "code": "10000", "msg": "Success", "app_auth_token": APP_AUTH_TOKEN,
    "app_refresh_token": APP_REFRESH_TOKEN, "user_id": MERCHANT_PID, "auth_app_id": AUTH_APP_ID,
    "expires_in": 31536000, "re_expires_in": "32140800",
}

SHARE_NODE = (
    '{"code":"10000","msg":"Success","user_id":"' + USER_ID + '","open_id":"' + OPEN_ID + '",'
    '"nick_name":"支付宝小店·杭州","avatar":"https://tfs.alipayobjects.com/images/partner/T1abcXXXX",'
    '"province":"浙江省","city":"杭州市","gender":"F"}'
)
SHARE_FIELDS = {
    "code": "10000", "user_id": USER_ID, "open_id": OPEN_ID, "nick_name": "支付宝小店·杭州",
    "avatar": "https://tfs.alipayobjects.com/images/partner/T1abcXXXX", "province": "浙江省",
    "city": "杭州市", "gender": "F",
}

SLASH_NODE = (
    '{"code":"10000","msg":"Success","user_id":"' + USER_ID + '",'
    r'"avatar":"https:\/\/tfs.alipayobjects.com\/images\/partner\/T1abcXXXX"}'
)
SLASH_FIELDS = {"code": "10000", "user_id": USER_ID,
                "avatar": "https://tfs.alipayobjects.com/images/partner/T1abcXXXX"}


def response_cases() -> list[dict]:
    cases: list[dict] = []

    def add(name, method, expect, *, body=None, body_bytes=None, charset="UTF-8", aes_key=None,
            max_body_bytes=None, fields=None, code=None, sub_code=None, signed=None):
        c = {"name": name, "method": method, "charset": charset, "sign_type": "RSA2",
             "alipay_public_key": ALIPAY_PUB, "aes_key": aes_key, "max_body_bytes": max_body_bytes}
        if body_bytes is not None:
            c["body_base64"] = b64(body_bytes)
        else:
            assert body is not None
            c["body"] = body
        c["expect"] = expect
        if expect == "ok":
            assert fields, name
            c["fields"] = fields
        if expect == "api_error":
            c["code"], c["sub_code"], c["signed"] = code, sub_code, signed
        cases.append(c)

    # ---- success shapes ---------------------------------------------------------------------
    add("token_app_success_flat", M_TOKEN, "ok",
        body=body_of(node_key(M_TOKEN), TOKEN_NODE, sign_node(TOKEN_NODE)), fields=TOKEN_FIELDS)

    batch_node = (
        '{"code":"10000","msg":"Success","tokens":['
        '{"app_auth_token":"' + APP_AUTH_TOKEN + '","app_refresh_token":"' + APP_REFRESH_TOKEN + '",'
        '"user_id":"' + MERCHANT_PID + '","auth_app_id":"' + AUTH_APP_ID + '",'
        '"expires_in":31536000,"re_expires_in":32140800},'
        '{"app_auth_token":"' + APP_AUTH_TOKEN_2 + '","app_refresh_token":"' + APP_REFRESH_TOKEN_2 + '",'
        '"user_id":"' + MERCHANT_PID + '","auth_app_id":"' + AUTH_APP_ID_2 + '",'
        '"expires_in":"31536000","re_expires_in":"32140800"}]}'
    )
    add("token_app_success_batch_tokens", M_TOKEN, "ok",
        body=body_of(node_key(M_TOKEN), batch_node, sign_node(batch_node)),
        fields={"code": "10000", "tokens": [
            {"app_auth_token": APP_AUTH_TOKEN, "app_refresh_token": APP_REFRESH_TOKEN,
             "user_id": MERCHANT_PID, "auth_app_id": AUTH_APP_ID,
             "expires_in": 31536000, "re_expires_in": 32140800},
            {"app_auth_token": APP_AUTH_TOKEN_2, "app_refresh_token": APP_REFRESH_TOKEN_2,
             "user_id": MERCHANT_PID, "auth_app_id": AUTH_APP_ID_2,
             "expires_in": "31536000", "re_expires_in": "32140800"}]})

    oauth_node = (
        '{"user_id":"' + USER_ID + '","open_id":"' + OPEN_ID + '","access_token":"' + ACCESS_TOKEN + '",'
        '"expires_in":1296000,"refresh_token":"' + REFRESH_TOKEN + '","re_expires_in":2592000,'
        '"auth_start":"2026-11-21 15:04:05"}'
    )
    add("oauth_token_success_without_code", M_OAUTH, "ok",
        body=body_of(node_key(M_OAUTH), oauth_node, sign_node(oauth_node)),
        fields={"user_id": USER_ID, "open_id": OPEN_ID, "access_token": ACCESS_TOKEN,
                "expires_in": 1296000, "refresh_token": REFRESH_TOKEN, "re_expires_in": 2592000,
                "auth_start": "2026-11-21 15:04:05"})

    add("user_info_share_chinese_nick_name", M_SHARE, "ok",
        body=body_of(node_key(M_SHARE), SHARE_NODE, sign_node(SHARE_NODE)), fields=SHARE_FIELDS)

    add("whitespace_around_node_and_colon", M_SHARE, "ok",
        body=("\r\n{\n  \"" + node_key(M_SHARE) + "\" \t:\r\n    " + SHARE_NODE + "  \n  ,\n  \"sign\"  :  \""
              + sign_node(SHARE_NODE) + "\"\n}\n\n"),
        fields=SHARE_FIELDS)

    pretty_node = (
        '{\n    "code": "10000",\n    "msg": "Success",\n    "user_id": "' + USER_ID + '",\n'
        '    "nick_name": "支付宝小店·杭州"\n  }'
    )
    add("pretty_printed_node_whitespace_is_signed", M_SHARE, "ok",
        body='{\n  "' + node_key(M_SHARE) + '": ' + pretty_node + ',\n  "sign": "' + sign_node(pretty_node) + '"\n}',
        fields={"code": "10000", "user_id": USER_ID, "nick_name": "支付宝小店·杭州"})

    add("sign_before_node", M_TOKEN, "ok",
        body='{"sign":"' + sign_node(TOKEN_NODE) + '","' + node_key(M_TOKEN) + '":' + TOKEN_NODE + "}",
        fields=TOKEN_FIELDS)

    add("alipay_cert_sn_between_node_and_sign", M_TOKEN, "ok",
        body=('{"' + node_key(M_TOKEN) + '":' + TOKEN_NODE + ',"alipay_cert_sn":"' + ALIPAY_CERT_SN
              + '","sign":"' + sign_node(TOKEN_NODE) + '"}'),
        fields=TOKEN_FIELDS)

    tricky_node = (
        '{"code":"10000","msg":"Success","user_id":"' + USER_ID + '",'
        r'"nick_name":"shop }{ \"sign\":\"fake\", \"x\":{","city":"back\\slash\\",'
        r'"province":"end\\\"quote}","gender":"M"}'
    )
    add("braces_quotes_backslashes_in_strings", M_SHARE, "ok",
        body=body_of(node_key(M_SHARE), tricky_node, sign_node(tricky_node)),
        fields={"code": "10000", "user_id": USER_ID, "nick_name": 'shop }{ "sign":"fake", "x":{',
                "city": "back\\slash\\", "province": 'end\\"quote}', "gender": "M"})

    uesc_node = (
        '{"code":"10000","msg":"Success","user_id":"' + USER_ID + '",'
        r'"nick_name":"\u652f\u4ed8\u5b9d\u5c0f\u5e97","city":"\u676d\u5dde\u5e02"}'
    )
    add("unicode_escapes_signed_over_raw_escape_text", M_SHARE, "ok",
        body=body_of(node_key(M_SHARE), uesc_node, sign_node(uesc_node)),
        fields={"code": "10000", "user_id": USER_ID, "nick_name": "支付宝小店", "city": "杭州市"})

    add("escaped_slash_signed_unescaped_passes_on_retry", M_SHARE, "ok",
        body=body_of(node_key(M_SHARE), SLASH_NODE, sign_node(SLASH_NODE.replace("\\/", "/"))),
        fields=SLASH_FIELDS)
    add("escaped_slash_signed_raw_passes_directly", M_SHARE, "ok",
        body=body_of(node_key(M_SHARE), SLASH_NODE, sign_node(SLASH_NODE)), fields=SLASH_FIELDS)
    add("escaped_slash_tampered_fails_after_retry", M_SHARE, "signature_error",
        body=body_of(node_key(M_SHARE), SLASH_NODE.replace(USER_ID, USER_ID[:-1] + "2"),
                     sign_node(SLASH_NODE.replace("\\/", "/"))))

    # ---- API errors -------------------------------------------------------------------------
    def err_node(code, msg, sub_code, sub_msg):
        return ('{"code":"' + code + '","msg":"' + msg + '","sub_code":"' + sub_code
                + '","sub_msg":"' + sub_msg + '"}')

    n = err_node("40004", "Business Failed", "isv.code-invalid", "授权码code无效")
    add("method_node_business_error_code_invalid_signed", M_TOKEN, "api_error",
        body=body_of(node_key(M_TOKEN), n, sign_node(n)),
        code="40004", sub_code="isv.code-invalid", signed=True)
    n = err_node("40006", "Insufficient Permissions", "isv.self-invoke-forbidden", "此用户不允许自调用")
    add("method_node_self_invoke_forbidden_signed", M_QUERY, "api_error",
        body=body_of(node_key(M_QUERY), n, sign_node(n)),
        code="40006", sub_code="isv.self-invoke-forbidden", signed=True)
    n = err_node("20001", "Insufficient Token Permissions", "aop.invalid-app-auth-token", "无效的应用授权令牌")
    add("method_node_invalid_app_auth_token_signed", M_SHARE, "api_error",
        body=body_of(node_key(M_SHARE), n, sign_node(n)),
        code="20001", sub_code="aop.invalid-app-auth-token", signed=True)
    n = err_node("40002", "Invalid Arguments", "isv.invalid-signature",
                 "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为："
                 "app_id=" + APP_ID + "&charset=UTF-8&method=alipay.user.info.share&sign_type=RSA2"
                 "&timestamp=2026-11-21 15:04:05&version=1.0")
    add("error_response_invalid_signature_signed", M_SHARE, "api_error",
        body=body_of("error_response", n, sign_node(n)),
        code="40002", sub_code="isv.invalid-signature", signed=True)
    n = err_node("40002", "Invalid Arguments", "isv.invalid-app-id", "无效的AppID参数")
    add("error_response_invalid_app_id_unsigned", M_TOKEN, "api_error",
        body=body_of("error_response", n, None),
        code="40002", sub_code="isv.invalid-app-id", signed=False)

    # ---- signature failures -----------------------------------------------------------------
    add("success_without_sign", M_TOKEN, "signature_error",
        body=body_of(node_key(M_TOKEN), TOKEN_NODE, None))
    tampered = TOKEN_NODE.replace('"user_id":"' + MERCHANT_PID, '"user_id":"' + MERCHANT_PID[:-1] + "8")
    assert tampered != TOKEN_NODE
    add("tampered_user_id_after_signing", M_TOKEN, "signature_error",
        body=body_of(node_key(M_TOKEN), tampered, sign_node(TOKEN_NODE)))
    add("signed_by_app_key_not_alipay_key", M_TOKEN, "signature_error",
        body=body_of(node_key(M_TOKEN), TOKEN_NODE, sign_node(TOKEN_NODE, key_path=APP_PRIV)))
    add("signature_base64_truncated", M_TOKEN, "signature_error",
        body=body_of(node_key(M_TOKEN), TOKEN_NODE, sign_node(TOKEN_NODE)[:100]))

    # ---- malformed bodies -------------------------------------------------------------------
    other_node = TOKEN_NODE.replace(MERCHANT_PID, "2088102000000666")
    add("duplicated_method_node", M_TOKEN, "protocol_error",
        body=('{"' + node_key(M_TOKEN) + '":' + TOKEN_NODE + ',"' + node_key(M_TOKEN) + '":' + other_node
              + ',"sign":"' + sign_node(TOKEN_NODE) + '"}'))
    add("duplicated_sign_key", M_TOKEN, "protocol_error",
        body=('{"' + node_key(M_TOKEN) + '":' + TOKEN_NODE + ',"sign":"' + sign_node(TOKEN_NODE)
              + '","sign":"' + sign_node(other_node) + '"}'))
    full = body_of(node_key(M_TOKEN), TOKEN_NODE, sign_node(TOKEN_NODE))
    cut = full.index('"user_id"') + 12
    add("truncated_body_mid_node", M_TOKEN, "protocol_error", body=full[:cut])
    add("html_502_page", M_TOKEN, "protocol_error",
        body=("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
              "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n"
              "</body>\r\n</html>\r\n"))
    add("empty_body", M_TOKEN, "protocol_error", body="")
    add("trailing_garbage_after_closing_brace", M_TOKEN, "protocol_error", body=full + "garbage")
    q_node = ('{"code":"10000","msg":"Success","trade_no":"2026112122001412345678901234",'
              '"out_trade_no":"20261121150405000001","trade_status":"TRADE_SUCCESS","total_amount":"88.88"}')
    add("node_for_another_method_only", M_SHARE, "protocol_error",
        body=body_of(node_key(M_QUERY), q_node, sign_node(q_node)))

    # ---- GBK --------------------------------------------------------------------------------
    gbk_node = (
        '{"code":"10000","msg":"Success","user_id":"' + USER_ID + '","nick_name":"支付宝小店",'
        '"province":"浙江省","city":"杭州市"}'
    )
    add("gbk_success_chinese_nick_name", M_SHARE, "ok", charset="GBK",
        body_bytes=body_of(node_key(M_SHARE), gbk_node, sign_node(gbk_node, "GBK")).encode("gbk"),
        fields={"code": "10000", "user_id": USER_ID, "nick_name": "支付宝小店", "province": "浙江省",
                "city": "杭州市"})
    n = err_node("40002", "Invalid Arguments", "isv.code-invalid", "授权码code无效或已被使用")
    add("gbk_error_response_chinese_sub_msg_signed", M_OAUTH, "api_error", charset="GBK",
        body_bytes=body_of("error_response", n, sign_node(n, "GBK")).encode("gbk"),
        code="40002", sub_code="isv.code-invalid", signed=True)
    # UTF-8 bytes declared GBK: "中" is E4 B8 AD; E4 B8 is a GBK pair, then AD (a lead byte) is
    # followed by '"' (0x22), not a valid trail byte -> the body is not GBK.
    utf8_node = '{"code":"10000","msg":"Success","user_id":"' + USER_ID + '","nick_name":"中"}'
    add("utf8_bytes_declared_gbk_invalid", M_SHARE, "protocol_error", charset="GBK",
        body_bytes=body_of(node_key(M_SHARE), utf8_node, sign_node(utf8_node, "UTF-8")).encode("utf-8"))

    # ---- AES content encryption -------------------------------------------------------------
    aes_plain = (
        '{"code":"10000","msg":"Success","user_id":"' + USER_ID + '","nick_name":"支付宝小店",'
        '"mobile":"13800000000","cert_no":"330100199001011234"}'
    )
    ct = aes_encrypt(aes_plain.encode("utf-8"))
    aes_node = '"' + ct + '"'
    add("aes_encrypted_success", M_SHARE, "ok", aes_key=AES_KEY_B64,
        body=body_of(node_key(M_SHARE), aes_node, sign_node(aes_node)),
        fields={"code": "10000", "user_id": USER_ID, "nick_name": "支付宝小店", "mobile": "13800000000",
                "cert_no": "330100199001011234"})
    add("aes_node_without_configured_key", M_SHARE, "config_error", aes_key=None,
        body=body_of(node_key(M_SHARE), aes_node, sign_node(aes_node)))
    i = 10
    swapped = "B" if ct[i] != "B" else "C"
    aes_tampered = '"' + ct[:i] + swapped + ct[i + 1:] + '"'
    add("aes_ciphertext_tampered", M_SHARE, "signature_error", aes_key=AES_KEY_B64,
        body=body_of(node_key(M_SHARE), aes_tampered, sign_node(aes_node)))

    # ---- size limit -------------------------------------------------------------------------
    assert len(full.encode("utf-8")) > 100
    add("oversize_body_over_max_body_bytes", M_TOKEN, "protocol_error", max_body_bytes=100, body=full)

    return cases


# --------------------------------------------------------------------------------------------------
# notifications.json
# --------------------------------------------------------------------------------------------------

_UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._")


def url_encode(s: str, codec: str) -> str:
    """Java URLEncoder: unreserved bytes raw, space as '+', everything else %XX (upper-case hex)."""
    out = []
    for b in s.encode(codec):
        if b in _UNRESERVED:
            out.append(chr(b))
        elif b == 0x20:
            out.append("+")
        else:
            out.append(f"%{b:02X}")
    return "".join(out)


def form_body(pairs: list[tuple[str, str]], codec: str) -> str:
    return "&".join(url_encode(k, codec) + "=" + url_encode(v, codec) for k, v in pairs)


def notify_content(pairs: list[tuple[str, str]], version: str) -> str:
    drop = {"sign", "alipay_cert_sn"} | ({"sign_type"} if version == "V1" else set())
    items = [(k, v) for k, v in pairs if k not in drop and v != ""]
    items.sort(key=lambda kv: kv[0].encode("utf-16-be"))
    return "&".join(f"{k}={v}" for k, v in items)


def signed_pairs(pairs, *, version="V1", codec="utf-8", key_path=ALIPAY_PRIV, sign_type="RSA2"):
    sig = rsa2_sign(notify_content(pairs, version).encode(codec), key_path, sign_type)
    return list(pairs) + [("sign", sig)], sig


TRADE_SUBJECT = "年货大礼包（坚果礼盒）"


def trade_nid(n: int) -> str:
    return f"2026112100222150421{n:015d}"


def msg_nid(n: int) -> str:
    return f"2026112100222160000{n:015d}"


def trade_pairs(notify_id: str, *, charset="utf-8", **overrides: str) -> list[tuple[str, str]]:
    p = [
        ("gmt_create", "2026-11-21 15:04:10"),
        ("charset", charset),
        ("gmt_payment", "2026-11-21 15:04:20"),
        ("notify_time", "2026-11-21 15:04:21"),
        ("subject", TRADE_SUBJECT),
        ("buyer_id", USER_ID),
        ("invoice_amount", "88.88"),
        ("version", "1.0"),
        ("notify_id", notify_id),
        ("fund_bill_list", '[{"amount":"88.88","fundChannel":"ALIPAYACCOUNT"}]'),
        ("notify_type", "trade_status_sync"),
        ("out_trade_no", "20261121150405000001"),
        ("total_amount", "88.88"),
        ("trade_status", "TRADE_SUCCESS"),
        ("trade_no", "2026112122001412345678901234"),
        ("auth_app_id", AUTH_APP_ID),
        ("receipt_amount", "88.88"),
        ("point_amount", "0.00"),
        ("app_id", APP_ID),
        ("buyer_pay_amount", "88.88"),
        ("sign_type", "RSA2"),
        ("seller_id", MERCHANT_PID),
    ]
    d = dict(p)
    for k, v in overrides.items():
        if k in d:
            p = [(kk, v if kk == k else vv) for kk, vv in p]
        else:
            p.append((k, v))
    return p


def app_auth_biz(*, expires_as_strings: bool) -> tuple[str, dict]:
    exp = "31536000" if expires_as_strings else 31536000
    rexp = "32140800" if expires_as_strings else 32140800
    detail = {"app_auth_token": APP_AUTH_TOKEN, "app_refresh_token": APP_REFRESH_TOKEN,
              "user_id": MERCHANT_PID, "auth_app_id": AUTH_APP_ID, "app_id": AUTH_APP_ID,
              "expires_in": exp, "re_expires_in": rexp, "auth_time": 1763700000000,
              "app_auth_code": APP_AUTH_CODE}
    biz = jdump({"notify_context": {"trigger": "user_app_auth", "trigger_context": {}},
                 "detail": detail, "error": {}})
    expected = {"app_auth_token": APP_AUTH_TOKEN, "app_refresh_token": APP_REFRESH_TOKEN,
                "user_id": MERCHANT_PID, "auth_app_id": AUTH_APP_ID, "expires_in": 31536000,
                "re_expires_in": 32140800, "auth_time": 1763700000000, "app_auth_code": APP_AUTH_CODE}
    return biz, expected


def notification_cases() -> list[dict]:
    cases: list[dict] = []

    def add(name, expect, *, body=None, body_bytes=None, pairs=None, kind=None, detail=None,
            msg_method=None):
        c = {"name": name, "alipay_public_key": ALIPAY_PUB}
        if body_bytes is not None:
            c["body_base64"] = b64(body_bytes)
        else:
            c["body"] = body
        c["expect"] = expect
        if expect == "ok":
            c["kind"] = kind
            # What the verifier hands over: the signed parameters (every case here is signed without its
            # empty values and without alipay_cert_sn, so those are not among them) and sign_type.
            c["params"] = {k: v for k, v in pairs
                           if k not in ("sign", "alipay_cert_sn") and v.strip() != ""}
            if kind == "app_auth":
                c["detail"] = detail
            if kind == "message":
                c["msg_method"] = msg_method
        cases.append(c)

    # Trade notification, V1, whose signature contains a '+': vary notify_id deterministically.
    n = 0
    while True:
        n += 1
        notify_id = trade_nid(n)
        base = trade_pairs(notify_id)
        trade, sig = signed_pairs(base)
        if "+" in sig:
            break
    assert n < 100, "no '+' found"
    trade_body = form_body(trade, "utf-8")
    assert "%2B" in trade_body
    add("trade_status_sync_v1_sign_contains_plus", "ok", body=trade_body, pairs=trade, kind="other")

    enc_sig = url_encode(sig, "utf-8")
    literal = trade_body.replace("sign=" + enc_sig, "sign=" + enc_sig.replace("%2B", "+"))
    assert literal != trade_body and literal.count("sign=") >= 1
    add("sign_plus_written_literally_becomes_space", "signature_error", body=literal)

    add("tampered_total_amount", "signature_error",
        body=trade_body.replace("total_amount=88.88", "total_amount=88.89"))
    assert "total_amount=88.89" in cases[-1]["body"]

    unsigned = [kv for kv in trade if kv[0] != "sign"]
    add("missing_sign", "signature_error", body=form_body(unsigned, "utf-8"))

    wrong, _ = signed_pairs(base, key_path=APP_PRIV)
    add("signed_by_app_key", "signature_error", body=form_body(wrong, "utf-8"))

    dup = trade + [("total_amount", "0.01")]
    add("duplicated_total_amount", "protocol_error", body=form_body(dup, "utf-8"))

    add("segment_without_equals", "protocol_error", body=trade_body + "&orphan_segment")

    bad_utf8 = trade_body.replace("subject=" + url_encode(TRADE_SUBJECT, "utf-8"), "subject=%FF%FE")
    assert "subject=%FF%FE" in bad_utf8
    add("invalid_utf8_percent_bytes", "protocol_error", body=bad_utf8)

    p, _ = signed_pairs(trade_pairs(trade_nid(101),
                                    passback_params="a%3Db%26c"))
    body = form_body(p, "utf-8")
    assert "passback_params=a%253Db%2526c" in body
    add("passback_params_value_is_single_decoded", "ok", body=body, pairs=p, kind="other")

    p, _ = signed_pairs(trade_pairs(trade_nid(102), buyer_logon_id=""))
    body = form_body(p, "utf-8")
    assert "&buyer_logon_id=&" in body or body.endswith("buyer_logon_id=")
    add("empty_value_excluded_from_content", "ok", body=body, pairs=p, kind="other")

    p, _ = signed_pairs(trade_pairs(trade_nid(103), charset="GBK"), codec="gbk")
    gbody = form_body(p, "gbk")
    assert url_encode(TRADE_SUBJECT, "gbk") in gbody
    assert TRADE_SUBJECT.encode("gbk") == TRADE_SUBJECT.encode("gb18030")
    add("gbk_trade_notification", "ok", body=gbody, pairs=p, kind="other")

    p, _ = signed_pairs(trade_pairs(trade_nid(104), subject="A+B C 50%"))
    body = form_body(p, "utf-8")
    assert "subject=A%2BB+C+50%25" in body
    add("plus_and_space_in_value", "ok", body=body, pairs=p, kind="other")

    p, _ = signed_pairs(trade_pairs(trade_nid(105)))
    body = form_body(p, "utf-8")
    lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), body)
    assert lower != body
    add("lowercase_percent_hex", "ok", body=lower, pairs=p, kind="other")

    p, _ = signed_pairs(trade_pairs(trade_nid(107), alipay_cert_sn=ALIPAY_CERT_SN))
    add("alipay_cert_sn_excluded_from_content", "ok", body=form_body(p, "utf-8"), pairs=p, kind="other")

    # App-authorisation notification (V1).
    for name, as_str, nid in [("open_app_auth_notify", False, msg_nid(201)),
                              ("open_app_auth_notify_expires_as_strings", True,
                               msg_nid(202))]:
        biz, detail = app_auth_biz(expires_as_strings=as_str)
        base = [("notify_id", nid), ("notify_time", "2026-11-21 16:00:00"),
                ("notify_type", "open_app_auth_notify"), ("status", "execute_auth"),
                ("app_id", APP_ID), ("auth_app_id", AUTH_APP_ID), ("charset", "utf-8"),
                ("version", "1.0"), ("sign_type", "RSA2"), ("biz_content", biz)]
        p, _ = signed_pairs(base)
        add(name, "ok", body=form_body(p, "utf-8"), pairs=p, kind="app_auth", detail=detail)

    # Message-service messages.
    def message(msg_method, nid, biz, version, msg_uid=MERCHANT_PID, msg_app_id=AUTH_APP_ID):
        base = [("notify_id", nid), ("utc_timestamp", "1763712000000"), ("msg_method", msg_method),
                ("app_id", APP_ID), ("msg_type", "sys"), ("msg_uid", msg_uid),
                ("msg_app_id", msg_app_id), ("version", "1.1"), ("biz_content", biz),
                ("charset", "UTF-8"), ("sign_type", "RSA2")]
        return signed_pairs(base, version=version)[0]

    mm = "alipay.open.auth.appauth.cancelled"
    p = message(mm, msg_nid(301),
                jdump({"auth_app_id": AUTH_APP_ID, "app_id": APP_ID, "auth_time": 1763700000000}), "V1")
    add("appauth_cancelled_message", "ok", body=form_body(p, "utf-8"), pairs=p, kind="message",
        msg_method=mm)

    mm = "alipay.open.auth.userauth.cancelled"
    p = message(mm, msg_nid(302),
                jdump({"user_id": USER_ID, "open_id": OPEN_ID, "auth_app_id": AUTH_APP_ID,
                       "cancel_time": "2026-11-21 16:30:00"}), "V1", msg_uid=USER_ID)
    add("userauth_cancelled_message", "ok", body=form_body(p, "utf-8"), pairs=p, kind="message",
        msg_method=mm)

    mm = "alipay.open.mini.version.audit.passed"
    p = message(mm, msg_nid(303),
                jdump({"mini_app_id": AUTH_APP_ID, "mini_app_version": "0.0.12",
                       "audit_time": "2026-11-21 17:00:00"}), "V2")
    add("v2_signed_message_sign_type_in_content", "ok", body=form_body(p, "utf-8"), pairs=p,
        kind="message", msg_method=mm)

    return cases


# --------------------------------------------------------------------------------------------------
# Independent re-check (does not use the builders above; works from the stored case only)
# --------------------------------------------------------------------------------------------------

_WS = " \t\r\n"
_DEC = json.JSONDecoder()


def _pub(path: str):
    return read_public(HERE / path)


def _verify(pub_path: str, data: bytes, sig_b64: str, sign_type: str = "RSA2") -> bool:
    try:
        sig = base64.b64decode(sig_b64, validate=True)
    except ValueError:
        return False
    dg = {"RSA2": hashes.SHA256(), "RSA": hashes.SHA1()}[sign_type]
    try:
        _pub(pub_path).verify(sig, data, padding.PKCS1v15(), dg)
        return True
    except InvalidSignature:
        return False


class Protocol(Exception):
    pass


def scan_root(text: str) -> list[tuple[str, str]]:
    """Top-level (key, raw value text) pairs of a JSON object, in order; strict about trailing data."""
    i, n = 0, len(text)

    def ws(j):
        while j < n and text[j] in _WS:
            j += 1
        return j

    def value(j):
        try:
            v, end = _DEC.raw_decode(text, j)
        except json.JSONDecodeError as e:
            raise Protocol(str(e))
        return v, end

    i = ws(i)
    if i >= n or text[i] != "{":
        raise Protocol("not a JSON object")
    i = ws(i + 1)
    out = []
    if i < n and text[i] == "}":
        i += 1
    else:
        while True:
            if i >= n or text[i] != '"':
                raise Protocol("key expected")
            k, i = value(i)
            i = ws(i)
            if i >= n or text[i] != ":":
                raise Protocol("colon expected")
            i = ws(i + 1)
            start = i
            _, i = value(i)
            out.append((k, text[start:i]))
            i = ws(i)
            if i < n and text[i] == ",":
                i = ws(i + 1)
                continue
            if i < n and text[i] == "}":
                i += 1
                break
            raise Protocol("comma or brace expected")
    if ws(i) != n:
        raise Protocol("trailing data")
    return out


def check_response(c: dict) -> dict:
    """Returns {"expect": ..., plus fields / code / sub_code / signed}."""
    raw = base64.b64decode(c["body_base64"]) if "body_base64" in c else c["body"].encode("utf-8")
    codec = CODEC[c["charset"]]
    try:
        if c["max_body_bytes"] is not None and len(raw) > c["max_body_bytes"]:
            raise Protocol("too big")
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as e:
            raise Protocol(str(e))
        pairs = scan_root(text)
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise Protocol("duplicated root key")
        root = dict(pairs)
        mkey = c["method"].replace(".", "_") + "_response"
        nkey = mkey if mkey in root else "error_response" if "error_response" in root else None
        if nkey is None:
            raise Protocol("no node")
        node_raw = root[nkey]
        sign = json.loads(root["sign"]) if "sign" in root else None
        node_val = json.loads(node_raw)
    except Protocol:
        return {"expect": "protocol_error"}

    def ok_sig(txt):
        if _verify(c["alipay_public_key"], txt.encode(codec), sign):
            return True
        return "\\/" in txt and _verify(c["alipay_public_key"], txt.replace("\\/", "/").encode(codec), sign)

    if isinstance(node_val, str):
        if c["aes_key"] is None:
            return {"expect": "config_error"}
        if sign is None or not ok_sig(node_raw):
            return {"expect": "signature_error"}
        key = base64.b64decode(c["aes_key"])
        dec = Cipher(algorithms.AES(key), modes.CBC(b"\0" * 16)).decryptor()
        padded = dec.update(base64.b64decode(node_val)) + dec.finalize()
        unp = sympadding.PKCS7(128).unpadder()
        node_val = json.loads((unp.update(padded) + unp.finalize()).decode(codec))
        signed_ok = True
    elif isinstance(node_val, dict):
        signed_ok = None if sign is None else ok_sig(node_raw)
    else:
        return {"expect": "protocol_error"}
    is_err = nkey == "error_response" or bool(node_val.get("sub_code")) or \
        ("code" in node_val and node_val["code"] != "10000")
    if signed_ok is False:
        return {"expect": "signature_error"}
    if is_err:
        return {"expect": "api_error", "code": node_val.get("code"), "sub_code": node_val.get("sub_code"),
                "signed": signed_ok is True}
    if signed_ok is None:
        return {"expect": "signature_error"}
    return {"expect": "ok", "node": node_val}


def _pct_decode(s: str) -> bytes:
    out = bytearray()
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "+":
            out.append(0x20)
            i += 1
        elif ch == "%":
            h = s[i + 1:i + 3]
            if len(h) != 2 or any(x not in "0123456789abcdefABCDEF" for x in h):
                raise Protocol("bad percent escape")
            out.append(int(h, 16))
            i += 3
        else:
            out.append(ord(ch))
            i += 1
    return bytes(out)


def check_notification(c: dict) -> dict:
    raw = base64.b64decode(c["body_base64"]) if "body_base64" in c else c["body"].encode("utf-8")
    try:
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            raise Protocol("raw non-ASCII byte")
        segs = text.split("&")
        if any("=" not in s for s in segs):
            raise Protocol("segment without '='")
        raw_pairs = [s.split("=", 1) for s in segs]
        codec = "utf-8"
        for k, v in raw_pairs:
            if k == "charset" and _pct_decode(v).decode("ascii", "replace").lower() in ("gbk", "gb2312"):
                codec = "gbk"
        params: dict[str, str] = {}
        for k, v in raw_pairs:
            try:
                dk, dv = _pct_decode(k).decode(codec), _pct_decode(v).decode(codec)
            except UnicodeDecodeError as e:
                raise Protocol(str(e))
            if dk in params:
                raise Protocol("duplicated parameter")
            params[dk] = dv
    except Protocol:
        return {"expect": "protocol_error"}
    sign = params.get("sign")
    if not sign:
        return {"expect": "signature_error"}
    st = params.get("sign_type") or "RSA2"

    def content(drop):
        items = sorted(((k, v) for k, v in params.items() if k not in drop and v != ""),
                       key=lambda kv: kv[0].encode("utf-16-be"))
        return "&".join(f"{k}={v}" for k, v in items).encode(codec)

    v1 = content({"sign", "sign_type", "alipay_cert_sn"})
    v2 = content({"sign", "alipay_cert_sn"})
    if not (_verify(c["alipay_public_key"], v1, sign, st) or _verify(c["alipay_public_key"], v2, sign, st)):
        return {"expect": "signature_error"}
    res = {"expect": "ok", "params": params, "_v1": v1, "_sign": sign}
    if params.get("notify_type") == "open_app_auth_notify":
        res["kind"] = "app_auth"
        d = json.loads(params["biz_content"])["detail"]
        res["detail"] = {k: (int(d[k]) if k in ("expires_in", "re_expires_in", "auth_time") else d[k])
                         for k in ("app_auth_token", "app_refresh_token", "user_id", "auth_app_id",
                                   "expires_in", "re_expires_in", "auth_time", "app_auth_code")}
    elif params.get("msg_method"):
        res["kind"] = "message"
        res["msg_method"] = params["msg_method"]
    else:
        res["kind"] = "other"
    return res


def recheck(resp_doc: dict, notif_doc: dict) -> list[str]:
    report = []
    for c in resp_doc["cases"]:
        got = check_response(c)
        assert got["expect"] == c["expect"], (c["name"], got)
        if c["expect"] == "ok":
            for k, v in c["fields"].items():
                assert got["node"].get(k) == v, (c["name"], k, got["node"].get(k), v)
        if c["expect"] == "api_error":
            assert (got["code"], got["sub_code"], got["signed"]) == (c["code"], c["sub_code"], c["signed"]), \
                (c["name"], got)
    # The two `\/` cases must pass for the intended reason.
    by = {c["name"]: c for c in resp_doc["cases"]}
    for name, direct in [("escaped_slash_signed_unescaped_passes_on_retry", False),
                         ("escaped_slash_signed_raw_passes_directly", True)]:
        pairs = dict(scan_root(by[name]["body"]))
        node, sig = pairs["alipay_user_info_share_response"], json.loads(pairs["sign"])
        assert "\\/" in node
        assert _verify(ALIPAY_PUB, node.encode(), sig) is direct, name
        assert _verify(ALIPAY_PUB, node.replace("\\/", "/").encode(), sig) is not direct, name
    # The app key really is a different key.
    assert _pub("keys/app_2048_public.pem").public_numbers() != _pub(ALIPAY_PUB).public_numbers()
    report.append(f"responses.json: {len(resp_doc['cases'])} cases re-checked")

    for c in notif_doc["cases"]:
        got = check_notification(c)
        assert got["expect"] == c["expect"], (c["name"], got)
        if c["expect"] == "ok":
            assert got["kind"] == c["kind"], c["name"]
            for k, v in c["params"].items():
                assert got["params"].get(k) == v, (c["name"], k)
            if c["kind"] == "app_auth":
                assert got["detail"] == c["detail"], c["name"]
            if c["kind"] == "message":
                assert got["msg_method"] == c["msg_method"], c["name"]
    nby = {c["name"]: c for c in notif_doc["cases"]}
    t = nby["trade_status_sync_v1_sign_contains_plus"]["body"]
    assert "%2B" in t.split("&sign=")[1].split("&")[0]
    lit = nby["sign_plus_written_literally_becomes_space"]["body"]
    assert "+" in lit.split("&sign=")[1].split("&")[0]
    assert nby["passback_params_value_is_single_decoded"]["params"]["passback_params"] == "a%3Db%26c"
    report.append(f"notifications.json: {len(notif_doc['cases'])} cases re-checked")
    return report


def check_openssl(resp_doc: dict, notif_doc: dict) -> list[str]:
    """Third implementation: the openssl CLI verifies a few signatures over the bytes we extracted."""
    openssl = shutil.which("openssl")
    if not openssl:
        return ["openssl not found: CLI cross-check skipped"]
    rby = {c["name"]: c for c in resp_doc["cases"]}
    nby = {c["name"]: c for c in notif_doc["cases"]}
    jobs = []
    for name, charset in [("token_app_success_flat", "utf-8"), ("gbk_success_chinese_nick_name", "gbk"),
                          ("aes_encrypted_success", "utf-8"), ("braces_quotes_backslashes_in_strings", "utf-8")]:
        c = rby[name]
        raw = base64.b64decode(c["body_base64"]) if "body_base64" in c else c["body"].encode("utf-8")
        pairs = dict(scan_root(raw.decode(charset)))
        node = pairs[c["method"].replace(".", "_") + "_response"]
        jobs.append(("responses.json " + name, node.encode(charset), json.loads(pairs["sign"]), True))
    for name in ["gbk_trade_notification", "trade_status_sync_v1_sign_contains_plus", "open_app_auth_notify"]:
        r = check_notification(nby[name])
        jobs.append(("notifications.json " + name, r["_v1"], r["_sign"], True))
    c = rby["signed_by_app_key_not_alipay_key"]
    pairs = dict(scan_root(c["body"]))
    jobs.append(("responses.json signed_by_app_key_not_alipay_key",
                 pairs["alipay_open_auth_token_app_response"].encode(), json.loads(pairs["sign"]), False))
    report = []
    with tempfile.TemporaryDirectory() as td:
        t = Path(td)
        for label, data, sig, good in jobs:
            (t / "data").write_bytes(data)
            (t / "sig").write_bytes(base64.b64decode(sig))
            r = subprocess.run([openssl, "dgst", "-sha256", "-verify", str(HERE / ALIPAY_PUB),
                                "-signature", str(t / "sig"), str(t / "data")], capture_output=True, text=True)
            assert (r.returncode == 0) is good, (label, r.stdout, r.stderr)
            report.append(f"openssl {'verifies' if good else 'rejects'}: {label}")
    return report


# --------------------------------------------------------------------------------------------------


def main() -> int:
    for p in (ALIPAY_PRIV, ALIPAY_PUB, APP_PRIV):
        assert (HERE / p).exists(), f"missing {p}: run generate.py first"
    assert priv(ALIPAY_PRIV).public_key().public_numbers() == _pub(ALIPAY_PUB).public_numbers()

    rcases = response_cases()
    ncases = notification_cases()
    for cs in (rcases, ncases):
        names = [c["name"] for c in cs]
        assert len(names) == len(set(names)), "duplicate case names"

    resp_doc = {
        "description": (
            "Response verification vectors (docs/protocol.md, 'Response verification' and 'AES content "
            "encryption'). The body is `body` (UTF-8 text) or `body_base64` (exact bytes). If "
            "`max_body_bytes` is set and the body is longer -> protocol_error. Decode the body in `charset` "
            "(invalid bytes -> protocol_error); it must be one JSON object with nothing after it, no root key "
            "twice (else protocol_error). Node = `<method with . -> _>_response`, else `error_response`, "
            "else protocol_error. `sign` (RSA2 = SHA256withRSA, PKCS#1 v1.5, standard Base64) covers the "
            "exact raw text of the node's value as it appears in the body, encoded in `charset`; if it fails "
            "and the raw text contains `\\/`, retry once with every `\\/` replaced by `/`. An object node is "
            "an error when it is error_response, has a non-empty sub_code, or has a code other than "
            "\"10000\"; success without `sign` or any failed signature -> signature_error; a verified error "
            "-> api_error signed=true; an error without `sign` -> api_error signed=false. A string node is "
            "AES content: no `aes_key` -> config_error; verify the quoted string (quotes included), then "
            "Base64-decode, AES-CBC decrypt with the Base64 `aes_key`, IV = 16 zero bytes, PKCS#7, and parse "
            "the JSON object. expect=ok: the verified (decrypted) node contains `fields` (a subset). "
            "expect=api_error: `code`, `sub_code`, `signed`. Key paths are relative to tests/vectors/. "
            "Generated by generate_protocol.py with Python `cryptography`, not by this project's code."
        ),
        "cases": rcases,
    }
    notif_doc = {
        "description": (
            "Application-gateway notification vectors (docs/protocol.md, 'Notifications to the application "
            "gateway'). The body is `body` (ASCII form text) or `body_base64`. Parse the "
            "application/x-www-form-urlencoded body exactly once: split on '&', each segment must contain "
            "'=' (else protocol_error); '+' is a space and %XX a byte; decode bytes in the charset given by "
            "the `charset` parameter (GBK when it says GBK, else UTF-8); invalid bytes or a parameter given "
            "twice -> protocol_error. Missing `sign` -> signature_error. Every case here is signed in one "
            "of two forms: V1 content: drop sign, sign_type and alipay_cert_sn, drop empty values, sort keys "
            "by UTF-16 code units (Java's String.compareTo), join k=v with '&', encode in the charset; V2: "
            "the same but sign_type stays. A verifier also tries the forms that keep empty values or "
            "alipay_cert_sn (real_notifications.json has a genuine one); none verifies -> signature_error. "
            "Use `alipay_public_key` and the `sign_type` parameter (RSA2 = SHA256withRSA, RSA = "
            "SHA1withRSA). "
            "expect=ok: the verified parameters contain `params` (a subset, strings; a parameter the "
            "signature did not cover, such as an empty value left out of the signed content, is not "
            "handed over); `kind` is app_auth "
            "(notify_type=open_app_auth_notify; `detail` is biz_content.detail with expires_in, "
            "re_expires_in and auth_time as integers whether sent as numbers or strings), message "
            "(msg_method present; `msg_method`), or other. Generated by generate_protocol.py with Python "
            "`cryptography`, not by this project's code."
        ),
        "cases": ncases,
    }
    # Re-check from the JSON round trip, exactly what the test suites will read.
    resp_rt = json.loads(json.dumps(resp_doc, ensure_ascii=False))
    notif_rt = json.loads(json.dumps(notif_doc, ensure_ascii=False))
    report = recheck(resp_rt, notif_rt)
    report += check_openssl(resp_rt, notif_rt)

    write_text(HERE / "responses.json", json.dumps(resp_doc, ensure_ascii=False, indent=2) + "\n")
    write_text(HERE / "notifications.json", json.dumps(notif_doc, ensure_ascii=False, indent=2) + "\n")

    def tally(cs):
        t: dict[str, int] = {}
        for c in cs:
            t[c["expect"]] = t.get(c["expect"], 0) + 1
        return ", ".join(f"{k} {v}" for k, v in sorted(t.items()))

    print(f"responses.json: {len(rcases)} cases ({tally(rcases)})")
    print(f"notifications.json: {len(ncases)} cases ({tally(ncases)})")
    for line in report:
        print(line)
    print(f"written: {len(_written)} file(s)" + (": " + ", ".join(_written) if _written else ""))
    print(f"unchanged: {len(_unchanged)} file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
