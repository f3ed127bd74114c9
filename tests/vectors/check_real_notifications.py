#!/usr/bin/env python3
"""Re-verify every case of real_notifications.json (genuine Alipay-signed notifications).

Standard library + `cryptography` only. For each case the form body is parsed exactly once, then the
signature is tried against the canonical-content variants in this order:

    v1, v1+empty, v2, v2+empty, then the same four with alipay_cert_sn kept (+alipay_cert_sn)

  v1        sign, sign_type and alipay_cert_sn left out, empty (or whitespace-only) values dropped
  v1+empty  the same, empty values kept
  v2        sign_type kept
  v2+empty  sign_type kept, empty values kept

A variant whose content string equals one already tried is skipped, so "+empty" is only ever reported
when the form really has an empty value, and "+alipay_cert_sn" only when that parameter is present.
The first variant that verifies is the case's `signed_form`.

Usage:  python3 tests/vectors/check_real_notifications.py [path/to/real_notifications.json]
Exit status 1 when any case disagrees with its `expect` / `signed_form` / `params` / `kind`.
"""

import base64
import binascii
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

HERE = os.path.dirname(os.path.abspath(__file__))

VARIANTS = [
    # (name, keep sign_type, keep empty values, keep alipay_cert_sn)
    ("v1", False, False, False),
    ("v1+empty", False, True, False),
    ("v2", True, False, False),
    ("v2+empty", True, True, False),
    ("v1+alipay_cert_sn", False, False, True),
    ("v1+empty+alipay_cert_sn", False, True, True),
    ("v2+alipay_cert_sn", True, False, True),
    ("v2+empty+alipay_cert_sn", True, True, True),
]

HASHES = {"RSA2": hashes.SHA256, "RSA": hashes.SHA1}


class ProtocolError(Exception):
    pass


def _unquote_bytes(text):
    """application/x-www-form-urlencoded component -> raw bytes ('+' is a space, %XX a byte)."""
    out = bytearray()
    raw = text.encode("ascii", "strict") if text.isascii() else None
    if raw is None:
        raise ProtocolError("body is not ASCII")
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x2B:  # '+'
            out.append(0x20)
            i += 1
        elif c == 0x25:  # '%'
            pair = raw[i + 1:i + 3]
            if len(pair) != 2:
                raise ProtocolError("truncated percent escape")
            try:
                out.append(int(pair, 16))
            except ValueError:
                raise ProtocolError("bad percent escape %r" % pair)
            i += 3
        else:
            out.append(c)
            i += 1
    return bytes(out)


def parse_form(body):
    """Parse the body once. Returns (ordered list of (key, value) str pairs, python codec name)."""
    raw_pairs = []
    for segment in body.split("&"):
        if "=" not in segment:
            raise ProtocolError("segment without '=': %r" % segment[:40])
        k, v = segment.split("=", 1)
        raw_pairs.append((_unquote_bytes(k), _unquote_bytes(v)))
    charset = "utf-8"
    for k, v in raw_pairs:
        if k == b"charset":
            charset = v.decode("ascii", "replace")
    codec = "gbk" if charset.strip().lower() == "gbk" else "utf-8"
    pairs, seen = [], set()
    for k, v in raw_pairs:
        try:
            ks, vs = k.decode(codec), v.decode(codec)
        except UnicodeDecodeError:
            raise ProtocolError("invalid %s bytes" % codec)
        if ks in seen:
            raise ProtocolError("parameter %r given twice" % ks)
        seen.add(ks)
        pairs.append((ks, vs))
    return pairs, codec


def _utf16_key(s):
    # Java String.compareTo compares UTF-16 code units.
    return s.encode("utf-16-be")


def canonical(params, keep_sign_type, keep_empty, keep_cert_sn):
    kept = []
    for k, v in params.items():
        if k == "sign":
            continue
        if k == "sign_type" and not keep_sign_type:
            continue
        if k == "alipay_cert_sn" and not keep_cert_sn:
            continue
        if not keep_empty and v.strip() == "":
            continue
        kept.append((k, v))
    kept.sort(key=lambda kv: _utf16_key(kv[0]))
    return "&".join("%s=%s" % kv for kv in kept)


def load_public_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_public_key(f.read())


def verify(case, base_dir):
    """Returns (outcome, signed_form, params, info); outcome is ok / signature_error / protocol_error."""
    try:
        pairs, codec = parse_form(case["body"])
    except ProtocolError as e:
        return "protocol_error", None, None, str(e)
    params = dict(pairs)
    sign = params.get("sign")
    if not sign:
        return "signature_error", None, params, "no sign"
    hash_cls = HASHES.get(params.get("sign_type", "RSA2"))
    if hash_cls is None:
        return "signature_error", None, params, "unknown sign_type"
    try:
        signature = base64.b64decode(sign, validate=True)
    except (binascii.Error, ValueError):
        return "signature_error", None, params, "sign is not Base64"
    key = load_public_key(os.path.join(base_dir, case["alipay_public_key"]))
    tried = set()
    for name, keep_st, keep_empty, keep_sn in VARIANTS:
        content = canonical(params, keep_st, keep_empty, keep_sn)
        if content in tried:
            continue
        tried.add(content)
        try:
            key.verify(signature, content.encode(codec), padding.PKCS1v15(), hash_cls())
        except InvalidSignature:
            continue
        return "ok", name, params, ""
    return "signature_error", None, params, "%d variant(s) tried" % len(tried)


def expected_kind(params):
    if params.get("notify_type") == "servicemarket_order_notify":
        return "servicemarket_order"
    if params.get("notify_type") == "open_app_auth_notify":
        return "app_auth"
    if "msg_method" in params:
        return "message"
    return "other"


def expected_order(params):
    """The typed fields of an order message, read straight from its decoded parameters."""

    def text(name):
        value = params.get(name, "").strip()
        return value or None

    count = text("order_item_num")
    return {
        "commodity_order_id": text("commodity_order_id"),
        "merchant_pid": text("merchant_pid"),
        "notify_id": text("notify_id"),
        "merchant_name": text("name"),
        "consumer_mini_app_id": text("consumer_miniAppId"),
        "title": text("title"),
        "total_price": text("total_price"),
        "order_item_num": int(count) if count is not None else None,
        "order_ticket": text("order_ticket"),
    }


def main(argv):
    path = argv[1] if len(argv) > 1 else os.path.join(HERE, "real_notifications.json")
    base_dir = os.path.dirname(os.path.abspath(path))
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)

    rows, failures = [], 0
    for case in doc["cases"]:
        outcome, form, params, info = verify(case, base_dir)
        problems = []
        if outcome != case["expect"]:
            problems.append("expect %s, got %s (%s)" % (case["expect"], outcome, info))
        if case["expect"] == "ok" and outcome == "ok":
            if form != case.get("signed_form"):
                problems.append("signed_form %s, got %s" % (case.get("signed_form"), form))
            for k, v in case.get("params", {}).items():
                if params.get(k) != v:
                    problems.append("params[%s] = %r, decoded %r" % (k, v, params.get(k)))
            if case.get("kind") != expected_kind(params):
                problems.append("kind %s, decoded %s" % (case.get("kind"), expected_kind(params)))
            if case.get("kind") == "servicemarket_order" and case.get("order") != expected_order(params):
                problems.append("order %s, decoded %s" % (case.get("order"), expected_order(params)))
        if problems:
            failures += 1
        rows.append((case["name"], case["expect"], outcome, form or "-", "FAIL: " + "; ".join(problems) if problems else "ok"))

    widths = [max(len(r[i]) for r in rows + [("case", "expect", "result", "signed_form", "check")]) for i in range(5)]
    fmt = "  ".join("%%-%ds" % w for w in widths)
    print(fmt % ("case", "expect", "result", "signed_form", "check"))
    print(fmt % tuple("-" * w for w in widths))
    for r in rows:
        print(fmt % r)
    print("\n%d case(s), %d disagreement(s)" % (len(rows), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
