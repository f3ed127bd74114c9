"""alipay_isv keys (core module ``key``): every keys.json case, formats, equality, safe repr."""

from __future__ import annotations

import base64
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

import alipay_isv
from alipay_isv import ConfigError, PrivateKey, PublicKey

from vectors import KEY_CASES, case_id, key_body, read_key

APP_PKCS8 = read_key("keys/app_2048_pkcs8.pem")
APP_PKCS1_TXT = read_key("keys/app_2048_pkcs1.txt").strip()
APP_PKCS8_TXT = read_key("keys/app_2048_pkcs8.txt").strip()
APP_PUBLIC = read_key("keys/app_2048_public.pem")
ALIPAY_PUBLIC = read_key("keys/alipay_2048_public.pem")
FINGERPRINT = re.compile(r"^SHA256:[0-9a-f]{16}$")


def load(role: str, text: str) -> PrivateKey | PublicKey:
    return PrivateKey(text) if role == "private" else PublicKey(text)


def chunks(secret: str, size: int = 16) -> list[str]:
    return [secret[i : i + size] for i in range(0, len(secret) - size, size)]


def test_the_vectors_are_all_there() -> None:
    assert len(KEY_CASES) >= 20
    assert {c["expect"] for c in KEY_CASES} == {"ok", "config_error"}


@pytest.mark.parametrize("case", [c for c in KEY_CASES if c["expect"] == "ok"], ids=case_id)
def test_valid_key_loads_with_its_size(case: dict) -> None:
    text = read_key(case["file"])
    key = load(case["role"], text)
    assert key.bits == case["bits"]
    shown = repr(key)
    assert str(case["bits"]) in shown
    assert "MII" not in shown
    for chunk in chunks(key_body(text)):
        assert chunk not in shown


@pytest.mark.parametrize(
    "case", [c for c in KEY_CASES if c["expect"] == "config_error"], ids=case_id
)
def test_bad_key_is_a_config_error_that_does_not_echo_the_key(case: dict) -> None:
    text = read_key(case["file"])
    with pytest.raises(ConfigError) as raised:
        load(case["role"], text)
    error = raised.value
    assert error.kind == "config"
    assert case["reason_contains"] in error.reason.lower()
    body = key_body(text)
    if len(body) > 16:
        for shown in (error.reason, str(error), repr(error)):
            assert body[:16] not in shown


def test_private_key_exports_round_trip_and_match_the_fixtures() -> None:
    key = PrivateKey(APP_PKCS8)
    assert key.to_pkcs8_pem() == APP_PKCS8
    assert key.to_pkcs8_base64() == APP_PKCS8_TXT
    assert key.to_pkcs1_base64() == APP_PKCS1_TXT
    assert key.to_pkcs1_pem().startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    for text in (key.to_pkcs1_pem(), key.to_pkcs8_base64(), key.to_pkcs1_base64()):
        assert PrivateKey(text).public_key() == key.public_key()


def test_private_key_from_der_accepts_pkcs8_and_pkcs1() -> None:
    for encoded in (APP_PKCS8_TXT, APP_PKCS1_TXT):
        key = PrivateKey.from_der(base64.b64decode(encoded))
        assert key.bits == 2048
        assert key.public_key() == PublicKey(APP_PUBLIC)


def test_from_der_refuses_garbage_and_the_wrong_half() -> None:
    with pytest.raises(ConfigError):
        PrivateKey.from_der(b"\x30\x03\x02\x01\x00")
    with pytest.raises(ConfigError, match="public key"):
        PrivateKey.from_der(PublicKey(APP_PUBLIC).to_der())
    with pytest.raises(ConfigError, match="private key"):
        PublicKey.from_der(base64.b64decode(APP_PKCS8_TXT))
    with pytest.raises(TypeError):
        PrivateKey.from_der("not bytes")  # type: ignore[arg-type]


def test_public_key_exports() -> None:
    key = PublicKey(APP_PUBLIC)
    assert key.to_pem() == APP_PUBLIC
    assert key.to_base64() == key_body(APP_PUBLIC)
    assert "\n" not in key.to_base64()
    assert key.to_der() == base64.b64decode(key.to_base64())
    assert isinstance(key.to_der(), bytes)
    assert PublicKey.from_der(key.to_der()) == key
    assert FINGERPRINT.match(key.fingerprint)
    assert key.fingerprint == PrivateKey(APP_PKCS8).public_key().fingerprint


def test_public_key_equality_and_hash_ignore_the_format() -> None:
    shapes = [
        PublicKey(read_key(name))
        for name in (
            "keys/app_2048_public.pem",
            "keys/app_2048_public.txt",
            "keys/app_2048_public_pkcs1.pem",
            "keys/app_2048_cert.pem",
            "keys/app_2048_public_indented.pem",
        )
    ]
    assert all(shape == shapes[0] for shape in shapes)
    assert len({hash(shape) for shape in shapes}) == 1
    assert len(set(shapes)) == 1
    alipay = PublicKey(ALIPAY_PUBLIC)
    assert alipay != shapes[0]
    assert len({alipay, *shapes}) == 2
    assert shapes[0] != "not a key"
    assert alipay.fingerprint != shapes[0].fingerprint


def test_private_key_repr_shows_size_and_fingerprint_only() -> None:
    key = PrivateKey(APP_PKCS8)
    shown = repr(key)
    assert shown == (f"PrivateKey(bits=2048, public_fingerprint='{key.public_key().fingerprint}')")
    for secret in (key.to_pkcs8_base64(), key.to_pkcs1_base64()):
        for chunk in chunks(secret):
            assert chunk not in shown
    assert str(key) == shown


def test_keys_are_immutable() -> None:
    key = PrivateKey(APP_PKCS8)
    with pytest.raises(AttributeError):
        key.bits = 1024  # type: ignore[misc]
    public = key.public_key()
    with pytest.raises(AttributeError):
        public.fingerprint = "x"  # type: ignore[misc]


def test_keyword_arguments() -> None:
    assert PrivateKey(text=APP_PKCS8).bits == 2048
    assert PublicKey(text=APP_PUBLIC).bits == 2048
    assert PublicKey.from_der(data=PublicKey(APP_PUBLIC).to_der()).bits == 2048


def test_generate_key_pair_refuses_unsupported_sizes() -> None:
    for bits in (1024, 2047, 8192):
        with pytest.raises(ConfigError, match="2048"):
            alipay_isv.generate_key_pair(bits=bits)


def test_keys_parse_from_several_threads() -> None:
    texts = [APP_PKCS8, APP_PUBLIC] * 8
    with ThreadPoolExecutor(max_workers=2) as pool:
        keys = list(pool.map(lambda t: load("private" if "PRIVATE" in t else "public", t), texts))
    assert all(k.bits == 2048 for k in keys)
