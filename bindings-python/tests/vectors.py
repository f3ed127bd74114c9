"""The shared conformance vectors of tests/vectors/ (every language's suite runs every case)."""

from __future__ import annotations

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


def case_id(case: dict[str, Any]) -> str:
    """The pytest id of a case: its name."""
    return case["name"]
