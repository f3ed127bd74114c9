"""Certificate mode without a network: every case of tests/vectors/certs.json (SNs, root bundles,
chain checks, certificate-mode configurations) run as core/tests/cert.rs runs them; the
``Certificate`` and ``RootBundle`` API and its argument types; the typed refusals; the SNs signed
into requests; responses and notifications verified with the certificate they name."""

from __future__ import annotations

import base64
import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from alipay_isv import (
    ALIPAY_CERT_DOWNLOAD_METHOD,
    Certificate,
    ConfigError,
    IsvConfig,
    NeedsCertificate,
    PrivateKey,
    PublicKey,
    RootBundle,
    SignatureError,
    Signer,
    VerifiedResponse,
    alipay_root_cert_sn,
    app_cert_sn,
    sign_content,
)

from vectors import CERTS, PRODUCTION_ROOT_SN, read_key, vector_bytes, vector_path

SN_CASES: list[dict[str, Any]] = CERTS["sn_cases"]
ROOT_CASES: list[dict[str, Any]] = CERTS["root_cases"]
CHAIN_CASES: list[dict[str, Any]] = CERTS["chain_cases"]
CONFIG_CASES: list[dict[str, Any]] = CERTS["config_cases"]

APP_ID = "2021000000000001"
APP_PRIVATE = PrivateKey(read_key("keys/app_2048_pkcs8.pem"))
ALIPAY_PRIVATE = PrivateKey(read_key("keys/alipay_2048_pkcs8.pem"))
ALIPAY_SIGNER = Signer(ALIPAY_PRIVATE)
# The app certificate of the official Node SDK's fixtures: its SN is confirmed by that SDK.
PRODUCTION_APP_CERT = "certs/production/appCertPublicKey_2021001161683774.crt"
PRODUCTION_APP_CERT_SN = "866efef280dec9137a87d047ac446315"
SM2_OID = "1.2.156.10197.1.501"


def expect_error(error: pytest.ExceptionInfo[Exception], kind: str, case: dict[str, Any]) -> None:
    """The error is of ``kind`` and its lower-cased reason holds the case's ``reason_contains``."""
    assert error.value.kind == kind, case  # type: ignore[attr-defined]
    assert case["reason_contains"] in error.value.reason.lower(), (case, error.value)  # type: ignore[attr-defined]


# --- every vector case --------------------------------------------------------------------------


def test_the_vector_lists_hold_the_cases_the_brief_names() -> None:
    assert len(SN_CASES) >= 7
    assert ROOT_CASES[0]["sn"] == PRODUCTION_ROOT_SN
    assert any(
        c["file"] == PRODUCTION_APP_CERT and c["sn"] == PRODUCTION_APP_CERT_SN for c in SN_CASES
    )
    assert {c["expect"] for c in CHAIN_CASES} == {"ok", "signature_error"}
    assert {c["expect"] for c in CONFIG_CASES} == {"ok", "config_error"}


@pytest.mark.parametrize("case", SN_CASES, ids=lambda case: case["file"])
def test_every_sn_case_matches(case: dict[str, Any]) -> None:
    certificate = Certificate(vector_path(case["file"]))
    assert certificate.issuer == case["issuer"]
    assert str(certificate.serial_number) == case["serial_number"]
    assert certificate.sn == case["sn"]
    assert app_cert_sn(vector_bytes(case["file"])) == case["sn"]
    assert app_cert_sn(vector_path(case["file"])) == case["sn"]


def test_the_official_sdk_confirmed_app_cert_sn() -> None:
    assert app_cert_sn(vector_path(PRODUCTION_APP_CERT)) == PRODUCTION_APP_CERT_SN
    text = vector_bytes(PRODUCTION_APP_CERT).decode("ascii")
    assert app_cert_sn(text) == PRODUCTION_APP_CERT_SN


@pytest.mark.parametrize("case", ROOT_CASES, ids=lambda case: case["file"])
def test_every_root_case_matches(case: dict[str, Any]) -> None:
    data = vector_bytes(case["file"])
    if case["expect"] == "ok":
        assert alipay_root_cert_sn(data) == case["sn"]
        assert alipay_root_cert_sn(vector_path(case["file"])) == case["sn"]
        assert RootBundle(data).sn == case["sn"]
    else:
        with pytest.raises(ConfigError) as error:
            alipay_root_cert_sn(data)
        expect_error(error, "config", case)
        with pytest.raises(ConfigError):
            RootBundle(data)


def test_the_production_root_sn() -> None:
    bundle = RootBundle(vector_path("certs/production/alipayRootCert.crt"))
    assert bundle.sn == PRODUCTION_ROOT_SN
    assert [root.sn for root in bundle.roots] == PRODUCTION_ROOT_SN.split("_")


def at_of(case: dict[str, Any]) -> datetime.datetime | None:
    """The case's point in time as an aware ``datetime`` (``None``: now)."""
    if case["at"] is None:
        return None
    return datetime.datetime.fromtimestamp(case["at"], tz=datetime.timezone.utc)


@pytest.mark.parametrize(
    "case", CHAIN_CASES, ids=lambda case: f"{case['alipay_cert']}@{case['at']}"
)
def test_every_chain_case_matches(case: dict[str, Any]) -> None:
    bundle = RootBundle(vector_path(case["root_bundle"]))
    cert = vector_bytes(case["alipay_cert"])
    if case["expect"] == "ok":
        assert bundle.verify_chain(cert, at_of(case)).sn == case["sn"]
        assert bundle.verify_chain(vector_path(case["alipay_cert"]), at=case["at"]).sn == case["sn"]
    else:
        with pytest.raises(SignatureError) as error:
            bundle.verify_chain(cert, at_of(case))
        expect_error(error, "signature", case)
        if case["at"] is not None:
            with pytest.raises(SignatureError):
                bundle.verify_chain(cert, at=float(case["at"]))


@pytest.mark.parametrize(
    "case", CONFIG_CASES, ids=lambda case: f"{case['alipay_cert']}+{case['root_bundle']}"
)
def test_every_config_case_matches(case: dict[str, Any]) -> None:
    def build() -> IsvConfig:
        return IsvConfig(
            case["app_id"],
            PrivateKey(read_key(case["private_key"])),
            app_cert=vector_path(case["app_cert"]),
            alipay_cert=vector_bytes(case["alipay_cert"]),
            root_cert=vector_bytes(case["root_bundle"]).decode("ascii"),
        )

    if case["expect"] == "ok":
        config = build()
        assert config.cert_mode
        assert config.app_cert_sn == case["app_cert_sn"]
        assert config.alipay_cert_sn == case["alipay_cert_sn"]
        assert config.alipay_root_cert_sn == case["alipay_root_cert_sn"]
    else:
        with pytest.raises(ConfigError) as error:
            build()
        expect_error(error, "config", case)


# --- typed refusals -----------------------------------------------------------------------------

REFUSED = {
    "expired": ("certs/alipay_cert_expired.crt", "expired"),
    "not chained to the root": ("certs/alipay_cert_not_chained.crt", "not chained"),
    "tampered": ("certs/alipay_cert_tampered.crt", "does not verify"),
}


@pytest.mark.parametrize("what", sorted(REFUSED))
def test_a_bad_alipay_certificate_is_refused_with_a_typed_error(what: str) -> None:
    file, reason = REFUSED[what]
    with pytest.raises(SignatureError, match=reason) as checked:
        RootBundle(vector_path("certs/root_bundle.crt")).verify_chain(vector_path(file))
    assert checked.value.kind == "signature"
    with pytest.raises(ConfigError, match=reason) as configured:
        IsvConfig(
            APP_ID,
            APP_PRIVATE,
            app_cert=vector_path("certs/app_cert.crt"),
            alipay_cert=vector_path(file),
            root_cert=vector_path("certs/root_bundle.crt"),
        )
    assert configured.value.kind == "config"
    with pytest.raises(SignatureError, match="refused") as downloaded:
        cert_config().trust_alipay_cert(vector_path(file))
    assert downloaded.value.kind == "signature"


@pytest.mark.parametrize("bundle", ["root_bundle_only_sm2.crt", "root_bundle_only_sm2_ec.crt"])
def test_a_root_bundle_without_rsa_roots_is_refused(bundle: str) -> None:
    path = vector_path(f"certs/{bundle}")
    for attempt in (lambda: RootBundle(path), lambda: alipay_root_cert_sn(path)):
        with pytest.raises(ConfigError, match="no RSA-signed certificate") as error:
            attempt()
        assert error.value.kind == "config"
    assert all(not c.is_rsa_signed for c in Certificate.parse_all(path))


# --- Certificate and RootBundle -----------------------------------------------------------------


def test_certificate_properties() -> None:
    cert = Certificate(vector_path("certs/alipay_cert.crt"))
    assert cert.subject.startswith("CN=")
    assert cert.signature_algorithm == "1.2.840.113549.1.1.11"
    assert cert.is_rsa_signed
    assert isinstance(cert.serial_number, int)
    assert cert.not_before.tzinfo is not None
    assert cert.not_before < datetime.datetime.now(datetime.timezone.utc) < cert.not_after
    assert cert.public_key() == PublicKey(read_key("keys/alipay_2048_public.pem"))
    assert cert.pem.startswith("-----BEGIN CERTIFICATE-----\n")
    assert cert.der == vector_bytes("certs/alipay_cert.der")
    assert cert.fingerprint.startswith("SHA256:") and len(cert.fingerprint) == 7 + 16
    assert repr(cert) == (
        f"Certificate(sn='{cert.sn}', subject='{cert.subject}', issuer='{cert.issuer}', "
        f"fingerprint='{cert.fingerprint}')"
    )
    expired = Certificate(vector_path("certs/alipay_cert_expired.crt"))
    assert expired.not_after < datetime.datetime.now(datetime.timezone.utc)


def test_every_input_form_reads_the_same_certificate() -> None:
    path = vector_path("certs/alipay_cert.crt")
    cert = Certificate(path)
    der = vector_bytes("certs/alipay_cert.der")
    forms: list[object] = [
        str(path.read_text()),
        path.read_bytes(),
        bytearray(path.read_bytes()),
        der,
        base64.b64encode(der),
        base64.b64encode(der).decode(),
        base64.b64encode(cert.pem.encode()),
        cert.pem.replace("\n", "\r\n"),
        cert,
    ]
    for form in forms:
        assert Certificate(form) == cert, type(form)  # type: ignore[arg-type]
        assert app_cert_sn(form) == cert.sn  # type: ignore[arg-type]
    assert len({Certificate(path), Certificate(der)}) == 1


def test_bad_inputs() -> None:
    with pytest.raises(ConfigError, match=r"pathlib\.Path"):
        Certificate("certs/alipay_cert.crt")
    with pytest.raises(ConfigError, match="cannot read"):
        Certificate(Path("/nonexistent/alipay_cert.crt"))
    for garbage in ["", "not a certificate", b"-----BEGIN CERTIFICATE-----\nAAAA"]:
        with pytest.raises(ConfigError):
            Certificate(garbage)
    with pytest.raises(ConfigError, match="PUBLIC KEY"):
        Certificate(read_key("keys/alipay_2048_public.pem"))
    with pytest.raises(TypeError):
        Certificate(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        RootBundle(vector_path("certs/root_bundle.crt")).verify_chain(
            vector_path("certs/alipay_cert.crt"), at="yesterday"
        )  # type: ignore[arg-type]


def test_bundles_read_every_block_and_count_the_rsa_signed_roots() -> None:
    production = Certificate.parse_all(vector_path("certs/production/alipayRootCert.crt"))
    assert len(production) == 4
    assert production[0].signature_algorithm == SM2_OID
    assert [c.is_rsa_signed for c in production] == [False, True, False, True]
    der = vector_bytes("certs/alipay_cert.der")
    assert len(Certificate.parse_all(der + der)) == 2
    bundle = RootBundle(vector_path("certs/root_bundle_crlf.crt"))
    assert len(bundle.roots) == 1 and "_" not in bundle.sn
    assert repr(bundle) == f"RootBundle(sn='{bundle.sn}', roots=1)"
    with pytest.raises(ConfigError, match="not an RSA key"):
        Certificate(vector_path("certs/test_ec_root_ca.crt")).public_key()


def test_a_chain_through_an_intermediate_in_the_same_file() -> None:
    path = vector_path("certs/alipay_cert_via_intermediate.crt")
    chain = Certificate.parse_all(path)
    assert len(chain) == 2
    leaf = RootBundle(vector_path("certs/root_bundle.crt")).verify_chain(path)
    assert leaf == chain[0]
    assert leaf.issuer == chain[1].subject


# --- configuration ------------------------------------------------------------------------------


def cert_config(**options: Any) -> IsvConfig:
    """The test app in certificate mode with the vectors' certificates."""
    return IsvConfig(
        APP_ID,
        APP_PRIVATE,
        app_cert=vector_path("certs/app_cert.crt"),
        alipay_cert=vector_path("certs/alipay_cert.crt"),
        root_cert=vector_path("certs/root_bundle.crt"),
        gateway="http://gateway.test/gateway.do",
        **options,
    )


def test_certificate_mode_configuration() -> None:
    config = cert_config()
    assert config.cert_mode
    assert config.alipay_public_key == PublicKey(read_key("keys/alipay_2048_public.pem"))
    assert config.trusted_alipay_cert_sns == [config.alipay_cert_sn]
    assert "cert_mode=True" in repr(config)
    plain = IsvConfig(APP_ID, APP_PRIVATE, PublicKey(read_key("keys/alipay_2048_public.pem")))
    assert not plain.cert_mode
    assert plain.app_cert_sn is None
    assert plain.alipay_root_cert_sn is None
    assert plain.alipay_cert_sn is None
    assert plain.trusted_alipay_cert_sns is None
    with pytest.raises(ConfigError, match="not in certificate mode"):
        plain.trust_alipay_cert(vector_path("certs/alipay_cert.crt"))


def test_the_alipay_public_key_given_in_certificate_mode_must_be_the_certificates() -> None:
    certs = {
        "app_cert": vector_path("certs/app_cert.crt"),
        "alipay_cert": vector_path("certs/alipay_cert.crt"),
        "root_cert": vector_path("certs/root_bundle.crt"),
    }
    matching = PublicKey(read_key("keys/alipay_2048_public.pem"))
    assert IsvConfig(APP_ID, APP_PRIVATE, matching, **certs).cert_mode
    other = PrivateKey(read_key("keys/app_1024_pkcs1.pem")).public_key()
    with pytest.raises(ConfigError, match="is not the key of the Alipay certificate"):
        IsvConfig(APP_ID, APP_PRIVATE, other, **certs)


def test_missing_keys_and_certificates_are_named() -> None:
    with pytest.raises(ConfigError, match="no Alipay key"):
        IsvConfig(APP_ID, APP_PRIVATE)
    with pytest.raises(ConfigError, match="missing: alipay_cert, root_cert"):
        IsvConfig(APP_ID, APP_PRIVATE, app_cert=vector_path("certs/app_cert.crt"))


def test_both_sns_are_signed_into_every_request() -> None:
    config = cert_config()
    request = config.sign_request("alipay.user.info.share")
    assert request.params["app_cert_sn"] == config.app_cert_sn
    assert request.params["alipay_root_cert_sn"] == config.alipay_root_cert_sn
    assert f"app_cert_sn={config.app_cert_sn}" in request.sign_content
    assert f"alipay_root_cert_sn={config.alipay_root_cert_sn}" in request.sign_content
    assert "alipay_root_cert_sn=" in request.http_request().url


def test_trusting_a_checked_certificate_is_shared_by_the_configuration() -> None:
    config = cert_config()
    via = vector_path("certs/alipay_cert_via_intermediate.crt")
    sn = config.trust_alipay_cert(via)
    assert sn == Certificate(via).sn
    assert sorted([config.alipay_cert_sn, sn]) == config.trusted_alipay_cert_sns
    with pytest.raises(SignatureError, match="refused"):
        config.trust_alipay_cert(vector_path("certs/alipay_cert_issued_by_app_cert.crt"))
    with pytest.raises(SignatureError):
        config.trust_alipay_cert(b"garbage")
    assert len(config.trusted_alipay_cert_sns or []) == 2


# --- responses and notifications ----------------------------------------------------------------

METHOD = "alipay.user.info.share"
NODE = "alipay_user_info_share_response"
OK = '{"code":"10000","msg":"Success","user_id":"2088"}'


def body(raw: str, sn: str | None, signer: Signer = ALIPAY_SIGNER) -> bytes:
    """A signed answer naming ``sn`` as its ``alipay_cert_sn``."""
    named = f',"alipay_cert_sn":"{sn}"' if sn is not None else ""
    return f'{{"{NODE}":{raw}{named},"sign":"{signer.sign(raw)}"}}'.encode()


def test_responses_are_verified_with_the_certificate_they_name() -> None:
    config = cert_config()
    verifier = config.response_verifier()
    assert verifier.cert_mode
    sn = config.alipay_cert_sn
    assert sn is not None
    verified = verifier.verify(METHOD, body(OK, sn))
    assert verified.alipay_cert_sn == sn
    assert verified.fields["user_id"] == "2088"
    checked = verifier.check(METHOD, body(OK, sn))
    assert isinstance(checked, VerifiedResponse) and checked.alipay_cert_sn == sn
    with pytest.raises(SignatureError, match="names no alipay_cert_sn"):
        verifier.verify(METHOD, body(OK, None))
    with pytest.raises(SignatureError):
        verifier.verify(METHOD, body(OK, sn, Signer(APP_PRIVATE)))


def test_check_tells_which_certificate_is_needed() -> None:
    config = cert_config()
    verifier = config.response_verifier()
    via = vector_path("certs/alipay_cert_via_intermediate.crt")
    unknown = Certificate(via).sn
    answer = body(OK, unknown)
    checked = verifier.check(METHOD, answer)
    assert isinstance(checked, NeedsCertificate)
    assert checked == verifier.check(METHOD, answer)
    match checked:
        case NeedsCertificate(needed):
            assert needed == unknown
        case _:
            pytest.fail(f"expected NeedsCertificate, got {checked!r}")
    assert repr(checked) == f"NeedsCertificate(alipay_cert_sn='{unknown}')"
    with pytest.raises(SignatureError, match=ALIPAY_CERT_DOWNLOAD_METHOD) as error:
        verifier.verify(METHOD, answer)
    assert unknown in error.value.reason
    config.trust_alipay_cert(via)
    assert verifier.check(METHOD, answer).alipay_cert_sn == unknown  # type: ignore[union-attr]


def notification(sn: str | None) -> bytes:
    """A notification form signed by the Alipay key, naming ``sn``."""
    params = {"notify_id": "n1", "notify_type": "trade_status_sync", "charset": "utf-8"}
    signed = dict(params, sign_type="RSA2", sign=ALIPAY_SIGNER.sign(sign_content(params)))
    if sn is not None:
        signed["alipay_cert_sn"] = sn
    return urlencode(signed).encode()


def test_notifications_pick_the_key_by_alipay_cert_sn() -> None:
    config = cert_config()
    verifier = config.notification_verifier()
    verifier.verify_body(notification(config.alipay_cert_sn))
    verifier.verify_body(notification(None))
    with pytest.raises(SignatureError) as error:
        verifier.verify_body(notification("ffff"))
    assert "ffff" in error.value.reason and "fetch" in error.value.reason
