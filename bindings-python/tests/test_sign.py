"""alipay_isv signatures (core module ``sign``): every sign.json case and verify_case, options,
errors, key-pair round trip, the own-key probe, and signing from several threads."""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor

import pytest

import alipay_isv
from alipay_isv import (
    ConfigError,
    PrivateKey,
    PublicKey,
    SignatureError,
    Signer,
    Verifier,
    generate_key_pair,
    looks_like_own_key,
    sign_content,
)

from vectors import SIGN_CASES, VERIFY_CASES, case_id, read_key

APP_PRIVATE = PrivateKey(read_key("keys/app_2048_pkcs1.pem"))
APP_PUBLIC = PublicKey(read_key("keys/app_2048_public.pem"))
ALIPAY_PUBLIC = PublicKey(read_key("keys/alipay_2048_public.pem"))
LEGACY_PRIVATE = PrivateKey(read_key("keys/app_1024_pkcs1.pem"))
LEGACY_PUBLIC = PublicKey(read_key("keys/app_1024_public.pem"))


def test_the_vectors_are_all_there() -> None:
    assert len(SIGN_CASES) >= 30
    assert len(VERIFY_CASES) >= 12


@pytest.mark.parametrize("case", SIGN_CASES, ids=case_id)
def test_sign_case(case: dict) -> None:
    content = sign_content(case["params"])
    assert content == case["content"]
    private = PrivateKey(read_key(case["private_key"]))
    signer = Signer(private, sign_type=case["sign_type"], charset=case["charset"])
    sign = signer.sign(content)
    assert sign == case["sign"]
    assert signer.sign_params(case["params"]) == (case["content"], case["sign"])
    assert signer.sign_bytes(content.encode(case["charset"])) == case["sign"]
    public = PublicKey(read_key(case["public_key"]))
    verifier = Verifier(public, sign_type=case["sign_type"], charset=case["charset"])
    assert verifier.verify(content, sign) is None
    assert verifier.verify_bytes(content.encode(case["charset"]), sign) is None


@pytest.mark.parametrize("case", VERIFY_CASES, ids=case_id)
def test_verify_case(case: dict) -> None:
    public = PublicKey(read_key(case["public_key"]))
    verifier = Verifier(public, case["sign_type"], case["charset"])
    if case["valid"]:
        verifier.verify(case["content"], case["sign"])
    else:
        with pytest.raises(SignatureError) as raised:
            verifier.verify(case["content"], case["sign"])
        assert raised.value.kind == "signature"


def test_defaults_are_rsa2_and_utf8_and_names_are_normalised() -> None:
    signer = Signer(APP_PRIVATE)
    assert (signer.sign_type, signer.charset) == ("RSA2", "UTF-8")
    signer = Signer(private_key=APP_PRIVATE, sign_type="rsa", charset="gbk")
    assert (signer.sign_type, signer.charset) == ("RSA", "GBK")
    verifier = Verifier(public_key=APP_PUBLIC, sign_type="Rsa2", charset="utf8")
    assert (verifier.sign_type, verifier.charset) == ("RSA2", "UTF-8")
    assert "RSA2" in repr(verifier)
    assert APP_PUBLIC.fingerprint in repr(Signer(APP_PRIVATE))


def test_unknown_sign_type_or_charset_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="sign_type"):
        Signer(APP_PRIVATE, sign_type="MD5")
    with pytest.raises(ConfigError, match="charset"):
        Verifier(APP_PUBLIC, charset="latin1")


def test_rsa2_with_a_1024_bit_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="2048"):
        Signer(LEGACY_PRIVATE, sign_type="RSA2")
    with pytest.raises(ConfigError, match="2048"):
        Verifier(LEGACY_PUBLIC, sign_type="RSA2")
    sign = Signer(LEGACY_PRIVATE, sign_type="RSA").sign("a=1")
    Verifier(LEGACY_PUBLIC, sign_type="RSA").verify("a=1", sign)


def test_character_outside_gbk_is_a_config_error() -> None:
    signer = Signer(APP_PRIVATE, charset="GBK")
    with pytest.raises(ConfigError, match="U\\+1F600"):
        signer.sign("subject=pay 😀")
    with pytest.raises(ConfigError, match="GBK"):
        signer.sign_params({"subject": "😀"})
    verifier = Verifier(APP_PUBLIC, charset="GBK")
    with pytest.raises(ConfigError):
        verifier.verify("subject=😀", signer.sign("subject=x"))
    assert signer.sign("subject=中文") != Signer(APP_PRIVATE).sign("subject=中文")


@pytest.mark.parametrize("garbage", ["", "not base64 at all!", "AAAA", "=" * 8, "x" * 344])
def test_garbage_signature_is_a_signature_error(garbage: str) -> None:
    verifier = Verifier(APP_PUBLIC)
    with pytest.raises(SignatureError):
        verifier.verify("a=1", garbage)
    with pytest.raises(SignatureError):
        verifier.verify_bytes(b"a=1", garbage)


def test_signature_with_line_breaks_still_verifies() -> None:
    sign = Signer(APP_PRIVATE).sign("a=1")
    wrapped = "\n".join(sign[i : i + 64] for i in range(0, len(sign), 64))
    Verifier(APP_PUBLIC).verify("a=1", wrapped)


def test_signature_from_the_wrong_key_names_the_key() -> None:
    sign = Signer(APP_PRIVATE).sign("a=1")
    with pytest.raises(SignatureError) as raised:
        Verifier(ALIPAY_PUBLIC).verify(content="a=1", sign=sign)
    assert ALIPAY_PUBLIC.fingerprint in raised.value.reason


class ParamsMapping(Mapping):
    """A read-only Mapping that is not a dict."""

    def __init__(self, data: dict[str, str]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> str:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def test_sign_params_and_sign_content_take_any_mapping() -> None:
    params = {"method": "alipay.open.auth.token.app", "app_id": "2021", "sign": "old", "x": ""}
    expected = "app_id=2021&method=alipay.open.auth.token.app"
    assert sign_content(params) == expected
    assert sign_content(ParamsMapping(params)) == expected
    assert sign_content(types.MappingProxyType(params)) == expected
    assert sign_content(params={}) == ""
    content, sign = Signer(APP_PRIVATE).sign_params(params=ParamsMapping(params))
    assert content == expected
    Verifier(APP_PUBLIC).verify(content, sign)


def test_params_must_be_a_mapping_of_str() -> None:
    with pytest.raises(TypeError, match="Mapping"):
        sign_content([("a", "1")])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match='"amount"'):
        sign_content({"amount": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="keys"):
        Signer(APP_PRIVATE).sign_params({1: "a"})  # type: ignore[dict-item]


def test_secret_values_are_not_echoed_in_type_errors() -> None:
    with pytest.raises(TypeError) as raised:
        sign_content({"app_auth_token": b"202311BBsecret"})  # type: ignore[dict-item]
    assert "secret" not in str(raised.value)


def test_generate_key_pair_2048_round_trip() -> None:
    pair = generate_key_pair()
    assert pair.private_key.bits == pair.public_key.bits == 2048
    assert pair.private_key.public_key() == pair.public_key
    assert "PRIVATE" not in repr(pair)
    content, sign = Signer(pair.private_key).sign_params({"app_id": "2021", "a": "中文"})
    Verifier(pair.public_key).verify(content, sign)
    reloaded = PrivateKey(pair.private_key.to_pkcs8_pem())
    assert Signer(reloaded).sign(content) == sign
    Verifier(PublicKey(pair.public_key.to_base64())).verify(content, sign)
    with pytest.raises(SignatureError):
        Verifier(APP_PUBLIC).verify(content, sign)


def test_generated_pairs_differ() -> None:
    assert generate_key_pair(2048).public_key != generate_key_pair(bits=2048).public_key


def test_looks_like_own_key() -> None:
    assert looks_like_own_key(APP_PRIVATE, APP_PUBLIC) is True
    assert looks_like_own_key(private_key=APP_PRIVATE, alipay_public_key=ALIPAY_PUBLIC) is False
    certificate = PublicKey(read_key("keys/app_2048_cert.pem"))
    assert looks_like_own_key(APP_PRIVATE, certificate) is True


def test_signing_from_two_threads_concurrently() -> None:
    cases = [c for c in SIGN_CASES if c["private_key"] == "keys/app_2048_pkcs1.pem"]
    signers = {
        (s, c): Signer(APP_PRIVATE, sign_type=s, charset=c)
        for s in ("RSA2", "RSA")
        for c in ("UTF-8", "GBK")
    }
    shared = Verifier(APP_PUBLIC)

    def run(case: dict) -> str:
        sign = signers[(case["sign_type"], case["charset"])].sign(case["content"])
        if case["sign_type"] == "RSA2" and case["charset"] == "UTF-8":
            shared.verify(case["content"], sign)
        return sign

    work = cases * 4
    with ThreadPoolExecutor(max_workers=2) as pool:
        signs = list(pool.map(run, work))
    assert signs == [case["sign"] for case in work]


def test_the_package_exports_the_sign_api() -> None:
    for name in ("Signer", "Verifier", "sign_content", "looks_like_own_key"):
        assert name in alipay_isv.__all__
