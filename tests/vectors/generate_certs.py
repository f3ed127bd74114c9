#!/usr/bin/env python3
"""Generate the certificate-mode test vectors (tests/vectors/certs/ and certs.json).

Uses only the standard library and `cryptography` (OpenSSL), independent of the project's Rust code.
Keys of the test CAs are generated only when their file is missing; certificates have fixed serials,
names and validity dates and PKCS#1 v1.5 signatures are deterministic, so a re-run rewrites nothing.
Expected SNs are computed here with an RFC 2253 formatter written after Java's
`X500Principal.getName()`, and cross-checked with Java itself (`java CertSn.java`) when a JDK is on
the PATH, and with the official Node SDK's `getSN` when bindings-node/node_modules has it.

Usage:  bindings-python/.venv/bin/python tests/vectors/generate_certs.py   (any Python with cryptography)
"""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

HERE = Path(__file__).resolve().parent
CERTS = HERE / "certs"
KEYS = HERE / "keys"
REPO = HERE.parent.parent

VALID_FROM = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
VALID_UNTIL = datetime.datetime(2120, 1, 1, tzinfo=datetime.timezone.utc)

_written: list[str] = []


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return
    path.write_bytes(data)
    _written.append(str(path.relative_to(HERE)))


def rsa_key(name: str):
    path = CERTS / name
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        write(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return serialization.load_pem_private_key(path.read_bytes(), None)


def ec_key(name: str):
    path = CERTS / name
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        write(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return serialization.load_pem_private_key(path.read_bytes(), None)


def name(cn: str, org: str = "alipay-isv tests") -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Certification Authority"),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def cert(subject, issuer, public_key, signing_key, serial, ca, not_before=VALID_FROM,
         not_after=VALID_UNTIL, hash_algorithm=None):
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer).public_key(public_key)
               .serial_number(serial).not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    return builder.sign(signing_key, hash_algorithm or hashes.SHA256())


def pem(*certificates) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


# ---------------------------------------------------------------------------------------------
# Java's X500Principal.getName() (RFC 2253) and the SN
# ---------------------------------------------------------------------------------------------

KEYWORDS = {"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O",
            "2.5.4.11": "OU", "2.5.4.9": "STREET", "0.9.2342.19200300.100.1.25": "DC",
            "0.9.2342.19200300.100.1.1": "UID"}
STRING_TAGS = {12, 19, 20, 22, 30}  # UTF8, Printable, T61, IA5, BMP


def der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def java_escape(text: str) -> str:
    out = "".join(("\\" + c) if c in ',=+<>#;"\\' else ("\\00" if c == "\0" else c) for c in text)
    lead = len(out) - len(out.lstrip(" \r"))
    trail = len(out) - len(out.rstrip(" \r"))
    return "".join(("\\" + c) if (i < lead or i >= len(out) - trail) else c for i, c in enumerate(out))


def java_rfc2253(dn: x509.Name) -> str:
    rdns = []
    for rdn in reversed(list(dn.rdns)):
        parts = []
        for attribute in rdn:
            oid = attribute.oid.dotted_string
            tag = attribute._type.value
            keyword = KEYWORDS.get(oid)
            if keyword and tag in STRING_TAGS:
                parts.append(f"{keyword}={java_escape(attribute.value)}")
            else:
                raw = attribute.value.encode("utf-8" if tag == 12 else "latin-1")
                parts.append(f"{keyword or oid}=#{bytes([tag]).hex()}{der_length(len(raw)).hex()}{raw.hex()}")
        rdns.append("+".join(parts))
    return ",".join(rdns)


def cert_sn(certificate: x509.Certificate) -> str:
    text = java_rfc2253(certificate.issuer) + str(certificate.serial_number)
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def certificates_in(path: Path) -> list:
    """Certificates of a PEM file, skipping blocks this library cannot load (SM2)."""
    found = []
    for block in path.read_bytes().replace(b"\r\n", b"\n").split(b"-----END CERTIFICATE-----"):
        start = block.find(b"-----BEGIN CERTIFICATE-----")
        if start < 0:
            continue
        try:
            found.append(x509.load_pem_x509_certificate(block[start:] + b"-----END CERTIFICATE-----\n"))
        except ValueError:
            found.append(None)
    return found


def root_sn(path: Path) -> str | None:
    """The root SN of a bundle (None when no certificate is RSA-signed)."""
    sns = [cert_sn(c) for c in certificates_in(path)
           if c is not None and c.signature_algorithm_oid.dotted_string.startswith("1.2.840.113549.1.1.")]
    return "_".join(sns) or None


# ---------------------------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------------------------

def main() -> None:
    warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)  # the production roots
    production = CERTS / "production"
    sm2_block = production.joinpath("alipayRootCert.crt").read_text().split("-----END CERTIFICATE-----")[0] \
        + "-----END CERTIFICATE-----\n"

    root_key = rsa_key("test_root_ca.key.pem")
    root_name = name("alipay-isv Test Root CA R1")
    root = cert(root_name, root_name, root_key.public_key(), root_key, 0x1001, True)
    ec_root_key = ec_key("test_ec_root_ca.key.pem")
    ec_name = name("alipay-isv Test Root CA E1")
    ec_path = CERTS / "test_ec_root_ca.crt"  # ECDSA signatures are randomised: made once, then kept
    ec_root = (x509.load_pem_x509_certificate(ec_path.read_bytes()) if ec_path.exists()
               else cert(ec_name, ec_name, ec_root_key.public_key(), ec_root_key, 0x1002, True))
    inter_key = rsa_key("test_intermediate_ca.key.pem")
    inter_name = name("alipay-isv Test CA Class 2")
    intermediate = cert(inter_name, root_name, inter_key.public_key(), root_key, 0x1003, True)
    other_key = rsa_key("other_ca.key.pem")
    other_name = name("Some Other CA", "Elsewhere Ltd")
    other = cert(other_name, other_name, other_key.public_key(), other_key, 0x1004, True)

    alipay_key = serialization.load_pem_private_key((KEYS / "alipay_2048_pkcs8.pem").read_bytes(), None)
    app_key = serialization.load_pem_private_key((KEYS / "app_2048_pkcs8.pem").read_bytes(), None)
    alipay_subject = name("alipay-isv Test Alipay Certificate", "alipay-isv tests Alipay")
    app_subject = name("2088000000000001-2021000000000001", "alipay-isv tests App")

    files = {
        "test_root_ca.crt": pem(root),
        "test_ec_root_ca.crt": pem(ec_root),
        "test_intermediate_ca.crt": pem(intermediate),
        "other_ca.crt": pem(other),
        "root_bundle.crt": sm2_block.encode() + pem(root, ec_root),
        "root_bundle_crlf.crt": ("Alipay root certificates (test)\r\n\r\n" + sm2_block.replace("\n", "\r\n")
                                 + "\r\nsubject=C = CN, O = alipay-isv tests\r\n"
                                 + pem(root).decode().replace("\n", "\r\n") + "\r\n# comment\r\n"
                                 + pem(ec_root).decode().replace("\n", "\r\n") + "trailing text\r\n").encode(),
        "root_bundle_only_sm2.crt": sm2_block.encode(),
        "root_bundle_only_sm2_ec.crt": sm2_block.encode() + pem(ec_root),
    }
    alipay = cert(alipay_subject, root_name, alipay_key.public_key(), root_key, 0x2001, False)
    files["alipay_cert.crt"] = pem(alipay)
    files["alipay_cert.der"] = alipay.public_bytes(serialization.Encoding.DER)
    via = cert(alipay_subject, inter_name, alipay_key.public_key(), inter_key, 0x2002, False)
    files["alipay_cert_via_intermediate.crt"] = pem(via, intermediate)
    files["alipay_cert_missing_intermediate.crt"] = pem(via)
    expired = cert(alipay_subject, root_name, alipay_key.public_key(), root_key, 0x2003, False,
                   datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc),
                   datetime.datetime(2001, 1, 1, tzinfo=datetime.timezone.utc))
    files["alipay_cert_expired.crt"] = pem(expired)
    not_chained = cert(alipay_subject, other_name, alipay_key.public_key(), other_key, 0x2004, False)
    files["alipay_cert_not_chained.crt"] = pem(not_chained)
    der = bytearray(alipay.public_bytes(serialization.Encoding.DER))
    marker = b"Test Alipay Certificate"
    at = der.find(marker)
    der[at:at + len(marker)] = b"Test Alipay Certificat3"
    tampered = x509.load_der_x509_certificate(bytes(der))
    files["alipay_cert_tampered.crt"] = pem(tampered)
    app = cert(app_subject, root_name, app_key.public_key(), root_key, 0x3001, False)
    files["app_cert.crt"] = pem(app)
    by_app = cert(alipay_subject, app_subject, alipay_key.public_key(), app_key, 0x2005, False)
    files["alipay_cert_issued_by_app_cert.crt"] = pem(by_app, app)
    escaped_issuer = x509.Name([
        x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]),
        x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example, Inc. <a+b=c>")]),
        x509.RelativeDistinguishedName([
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "#1; \"quoted\" \\ unit"),
            x509.NameAttribute(NameOID.USER_ID, "uid-7"),
        ]),
        x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.EMAIL_ADDRESS, "ca@example.com")]),
        x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.SERIAL_NUMBER, "42")]),
        x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COMMON_NAME, " 支付宝 测试 CA ")]),
    ])
    escaped = cert(app_subject, escaped_issuer, app_key.public_key(), other_key, 0x00F1E2D3C4B5A69788, False)
    files["escaped_issuer.crt"] = pem(escaped)
    for file_name, data in files.items():
        write(CERTS / file_name, data)

    sn_files = ["app_cert.crt", "alipay_cert.crt", "alipay_cert.der", "alipay_cert_via_intermediate.crt",
                "escaped_issuer.crt", "production/appCertPublicKey_2021001161683774.crt",
                "production/alipayCertPublicKey_RSA2.crt"]
    sn_cases = []
    for file_name in sn_files:
        path = CERTS / file_name
        first = (x509.load_der_x509_certificate(path.read_bytes()) if file_name.endswith(".der")
                 else certificates_in(path)[0])
        sn_cases.append({"file": f"certs/{file_name}", "issuer": java_rfc2253(first.issuer),
                         "serial_number": str(first.serial_number), "sn": cert_sn(first)})
    root_cases = []
    for file_name in ["production/alipayRootCert.crt", "root_bundle.crt", "root_bundle_crlf.crt",
                      "test_root_ca.crt", "root_bundle_only_sm2.crt", "root_bundle_only_sm2_ec.crt"]:
        sn = root_sn(CERTS / file_name)
        case = {"file": f"certs/{file_name}"}
        case.update({"expect": "ok", "sn": sn} if sn else
                    {"expect": "config_error", "reason_contains": "no rsa-signed certificate"})
        root_cases.append(case)
    assert root_cases[0]["sn"] == "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6"

    in_2021 = int(datetime.datetime(2021, 6, 1, tzinfo=datetime.timezone.utc).timestamp())
    chain = [
        ("alipay_cert.crt", "root_bundle.crt", None, "ok", None),
        ("alipay_cert.der", "root_bundle_crlf.crt", None, "ok", None),
        ("alipay_cert_via_intermediate.crt", "root_bundle.crt", None, "ok", None),
        ("alipay_cert_missing_intermediate.crt", "root_bundle.crt", None, "signature_error", "not chained"),
        ("alipay_cert_expired.crt", "root_bundle.crt", None, "signature_error", "expired"),
        ("alipay_cert_not_chained.crt", "root_bundle.crt", None, "signature_error", "not chained"),
        ("alipay_cert_tampered.crt", "root_bundle.crt", None, "signature_error", "does not verify"),
        ("alipay_cert_issued_by_app_cert.crt", "root_bundle.crt", None, "signature_error", "not a ca"),
        ("alipay_cert.crt", "root_bundle.crt", 946684800, "signature_error", "not valid yet"),
        ("production/alipayCertPublicKey_RSA2.crt", "production/alipayRootCert.crt", in_2021,
         "signature_error", "not chained"),
    ]
    chain_cases = []
    for cert_file, roots, at, expect, reason in chain:
        case = {"alipay_cert": f"certs/{cert_file}", "root_bundle": f"certs/{roots}", "at": at,
                "expect": expect}
        if expect == "ok":
            path = CERTS / cert_file
            first = (x509.load_der_x509_certificate(path.read_bytes()) if cert_file.endswith(".der")
                     else certificates_in(path)[0])
            case["sn"] = cert_sn(first)
        else:
            case["reason_contains"] = reason
        chain_cases.append(case)

    config = [
        ("app_cert.crt", "app_2048_pkcs8.pem", "alipay_cert.crt", "root_bundle_crlf.crt", "ok", None),
        ("app_cert.crt", "app_2048_pkcs8.pem", "alipay_cert_via_intermediate.crt", "root_bundle.crt", "ok", None),
        ("alipay_cert.crt", "app_2048_pkcs8.pem", "alipay_cert.crt", "root_bundle.crt", "config_error",
         "does not match"),
        ("app_cert.crt", "app_2048_pkcs8.pem", "alipay_cert_expired.crt", "root_bundle.crt", "config_error",
         "expired"),
        ("app_cert.crt", "app_2048_pkcs8.pem", "alipay_cert_not_chained.crt", "root_bundle.crt", "config_error",
         "not chained"),
        ("app_cert.crt", "app_2048_pkcs8.pem", "alipay_cert_tampered.crt", "root_bundle.crt", "config_error",
         "does not verify"),
        ("app_cert.crt", "app_2048_pkcs8.pem", "alipay_cert.crt", "root_bundle_only_sm2.crt", "config_error",
         "no rsa-signed certificate"),
    ]
    config_cases = []
    for app_file, key_file, alipay_file, roots, expect, reason in config:
        case = {"app_id": "2021000000000001", "private_key": f"keys/{key_file}", "app_cert": f"certs/{app_file}",
                "alipay_cert": f"certs/{alipay_file}", "root_bundle": f"certs/{roots}", "expect": expect}
        if expect == "ok":
            case["app_cert_sn"] = cert_sn(certificates_in(CERTS / app_file)[0])
            case["alipay_cert_sn"] = cert_sn(certificates_in(CERTS / alipay_file)[0])
            case["alipay_root_cert_sn"] = root_sn(CERTS / roots)
        else:
            case["reason_contains"] = reason
        config_cases.append(case)

    cross_check(sn_cases, root_cases)
    document = {
        "description": (
            "Certificate mode (docs/protocol.md, 'Public-key certificate mode'). Paths are relative to tests/vectors. "
            "sn_cases: the SN of the file's first certificate = lowercase hex MD5 of UTF-8 (issuer as Java's "
            "X500Principal.getName() prints it + decimal serial); `issuer` and `serial_number` are given for "
            "diagnosis. root_cases: alipay_root_cert_sn of a bundle (RSA-signed certificates only, `_`-joined, "
            "file order) or a config error whose lower-cased reason contains reason_contains. chain_cases: "
            "check alipay_cert (first certificate; at most one CA intermediate from the same file) against "
            "root_bundle at `at` (Unix seconds; null = now): ok with the leaf's sn, or a signature error. "
            "config_cases: build a certificate-mode configuration (app_id, private key, app cert, Alipay cert, "
            "root bundle): ok with the three SNs, or a config error."),
        "sn_cases": sn_cases,
        "root_cases": root_cases,
        "chain_cases": chain_cases,
        "config_cases": config_cases,
    }
    write(HERE / "certs.json", (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode())
    print(f"written: {len(_written)} file(s)", *_written, sep="\n  ")


def cross_check(sn_cases: list, root_cases: list) -> None:
    """Java (the reference) and the official Node SDK must agree with the expected SNs."""
    if shutil.which("java"):
        files = [str(HERE / c["file"]) for c in sn_cases if not c["file"].endswith(".der")]
        out = subprocess.run(["java", str(HERE / "CertSn.java"), *files], check=True, capture_output=True,
                             text=True).stdout
        java = {}
        for line in out.splitlines():
            path, block, _oid, sn, _name = line.split("\t")
            if block == "#1":
                java[path] = sn
        for case in sn_cases:
            path = str(HERE / case["file"])
            if path in java:
                assert java[path] == case["sn"], (case, java[path])
        print(f"java agrees on {len(java)} SN(s)")
    else:
        print("java not found: SNs not cross-checked with X500Principal", file=sys.stderr)
    sdk = REPO / "bindings-node/node_modules/alipay-sdk/dist/commonjs/antcertutil.js"
    if shutil.which("node") and sdk.exists():
        script = ("const u=require(process.argv[1]);const [f,r]=[process.argv[2],process.argv[3]];"
                  "console.log(u.getSNFromPath(f)+' '+u.getSNFromPath(r,true))")
        app = sn_cases[5]
        root = root_cases[0]
        out = subprocess.run(["node", "-e", script, str(sdk), str(HERE / app["file"]), str(HERE / root["file"])],
                             check=True, capture_output=True, text=True).stdout.split()
        assert out == [app["sn"], root["sn"]], out
        print("the official Node SDK (getSN) agrees on the production app certificate and root bundle")


if __name__ == "__main__":
    main()
