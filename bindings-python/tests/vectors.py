"""The shared conformance vectors of tests/vectors/ (every language's suite runs every case)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

VECTORS_DIR = Path(__file__).resolve().parents[2] / "tests" / "vectors"


def load(name: str) -> dict[str, Any]:
    """Parses one vectors file, e.g. ``sign.json``."""
    return json.loads((VECTORS_DIR / name).read_text(encoding="utf-8"))


def read_key(relative: str) -> str:
    """The text of a key file, path relative to tests/vectors/."""
    return (VECTORS_DIR / relative).read_text(encoding="utf-8")


def key_body(text: str) -> str:
    """The key material of a key file: every line that is not a PEM marker, joined."""
    return "".join(line.strip() for line in text.splitlines() if not line.startswith("-----"))


KEY_CASES: list[dict[str, Any]] = load("keys.json")["cases"]
SIGN_CASES: list[dict[str, Any]] = load("sign.json")["cases"]
VERIFY_CASES: list[dict[str, Any]] = load("sign.json")["verify_cases"]
RESPONSE_CASES: list[dict[str, Any]] = load("responses.json")["cases"]
NOTIFICATION_CASES: list[dict[str, Any]] = load("notifications.json")["cases"]
# Genuine notifications signed by Alipay (official SDKs' test suites) and a tampered twin of each.
REAL_NOTIFICATION_CASES: list[dict[str, Any]] = load("real_notifications.json")["cases"]
# The typed fields a genuine `servicemarket_order` case names in its `order` object (`null` when the
# message leaves the field out or sends it empty); every one is a property of
# ServiceMarketOrderNotification.
ORDER_FIELDS = (
    "commodity_order_id",
    "merchant_pid",
    "notify_id",
    "merchant_name",
    "consumer_mini_app_id",
    "title",
    "total_price",
    "order_item_num",
    "order_ticket",
)

# The `expect` of a protocol case that fails, as the error `kind` it names.
ERROR_KINDS = {
    "signature_error": "signature",
    "protocol_error": "protocol",
    "config_error": "config",
    "api_error": "api",
}


def case_body(case: dict[str, Any]) -> bytes:
    """The exact bytes of a protocol case's body (`body` as UTF-8 text, or `body_base64`)."""
    if "body" in case:
        return case["body"].encode("utf-8")
    return base64.b64decode(case["body_base64"])


def case_id(case: dict[str, Any]) -> str:
    """The pytest id of a case: its name."""
    return case["name"]


def real_notification_case(name: str) -> dict[str, Any]:
    """The genuine notification case of this name (real_notifications.json)."""
    return next(case for case in REAL_NOTIFICATION_CASES if case["name"] == name)


CERTS: dict[str, Any] = load("certs.json")
# Alipay's public production root bundle gives this `alipay_root_cert_sn`
# (docs/protocol.md, "Public-key certificate mode").
PRODUCTION_ROOT_SN = "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6"


def vector_path(relative: str) -> Path:
    """The path of a vectors file, relative to tests/vectors/."""
    return VECTORS_DIR / relative


def vector_bytes(relative: str) -> bytes:
    """The exact bytes of a vectors file, path relative to tests/vectors/."""
    return (VECTORS_DIR / relative).read_bytes()
