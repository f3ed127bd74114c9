"""Certificate SNs against other implementations.

The official Python SDK (alipay-sdk-python, pinned in scripts/test-python.sh) has no certificate
mode at all: no SN function to compare with. That is asserted, not assumed — the test below scans
the SDK's own code (outside its generated API models) and fails when a version that has one is
installed, so the comparison gets written then. The SNs themselves are confirmed by Java's
``X500Principal`` and the official Node SDK's ``getSN`` (tests/vectors/README.md, and the Node
suite); here they are also recomputed independently from the standard library's own certificate
decoder (``ssl``), for every vector certificate whose issuer is plain enough to print without
RFC 2253 escaping.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.metadata
import re
import ssl
from pathlib import Path
from typing import Any

import alipay.aop.api
import pytest
from alipay.aop.api.AlipayClientConfig import AlipayClientConfig

from alipay_isv import Certificate, app_cert_sn

from vectors import CERTS, vector_path

OFFICIAL_SDK_VERSION = "3.7.1411"
NO_SN_FUNCTION = (
    "alipay-sdk-python has no public-key certificate mode: no app_cert_sn / alipay_root_cert_sn "
    "function, no certificate parsing, nothing to compare our SNs with"
)
# The SDK's generated API models: they name certificate-mode fields (e.g. the download API's
# `alipay_cert_sn`) without computing anything.
GENERATED = {"domain", "request", "response"}


def test_the_official_python_sdk_has_no_sn_function() -> None:
    assert importlib.metadata.version("alipay-sdk-python") == OFFICIAL_SDK_VERSION, (
        "a new official SDK: check whether it computes certificate SNs now"
    )
    root = Path(alipay.aop.api.__file__).parent
    own_code = [
        path
        for path in root.rglob("*.py")
        if not GENERATED & set(path.relative_to(root).parts[:-1])
    ]
    assert len(own_code) >= 10, own_code
    hits = [
        (path.name, word)
        for path in own_code
        for word in ("cert_sn", "x509", "certificate", "md5")
        if word.lower() in path.read_text(encoding="utf-8", errors="replace").lower()
    ]
    assert hits == [], f"{NO_SN_FUNCTION} no longer holds: {hits}"
    config_fields = [name for name in vars(AlipayClientConfig()) if "cert" in name.lower()]
    assert config_fields == [], NO_SN_FUNCTION


SHORT_NAMES = {
    "commonName": "CN",
    "organizationalUnitName": "OU",
    "organizationName": "O",
    "countryName": "C",
}
PLAIN_VALUE = re.compile(r"^[^ ,+\"\\<>;#=][^,+\"\\<>;=]*(?<! )$")


def stdlib_issuer(decoded: dict[str, Any]) -> str | None:
    """The issuer as Java prints it (most specific first), or ``None`` when it needs escaping or
    names attributes Java prints as OIDs."""
    parts = []
    for rdn in reversed(decoded["issuer"]):
        if len(rdn) != 1:
            return None
        ((name, value),) = rdn
        if name not in SHORT_NAMES or not PLAIN_VALUE.match(value):
            return None
        parts.append(f"{SHORT_NAMES[name]}={value}")
    return ",".join(parts)


def stdlib_time(text: str) -> datetime.datetime:
    """An ``ssl`` certificate time (``May 18 05:28:47 2020 GMT``) as an aware ``datetime``."""
    return datetime.datetime.fromtimestamp(ssl.cert_time_to_seconds(text), datetime.timezone.utc)


PEM_CASES = [case for case in CERTS["sn_cases"] if not case["file"].endswith(".der")]


@pytest.mark.parametrize("case", PEM_CASES, ids=lambda case: case["file"])
def test_sns_agree_with_the_standard_librarys_certificate_decoder(case: dict[str, Any]) -> None:
    path = vector_path(case["file"])
    decoded = ssl._ssl._test_decode_cert(str(path))  # type: ignore[attr-defined]
    ours = Certificate(path)
    assert ours.serial_number == int(decoded["serialNumber"], 16)
    assert ours.not_before == stdlib_time(decoded["notBefore"])
    assert ours.not_after == stdlib_time(decoded["notAfter"])
    issuer = stdlib_issuer(decoded)
    if issuer is None:
        # Only the vector built to exercise RFC 2253 escaping gets here; its SN is confirmed by
        # Java itself (tests/vectors/README.md).
        assert case["file"] == "certs/escaped_issuer.crt", case
        return
    assert issuer == ours.issuer
    expected = hashlib.md5(f"{issuer}{ours.serial_number}".encode()).hexdigest()
    assert app_cert_sn(path) == expected == case["sn"]


def test_the_independent_check_covered_the_production_certificates() -> None:
    covered = [
        case["file"]
        for case in PEM_CASES
        if stdlib_issuer(ssl._ssl._test_decode_cert(str(vector_path(case["file"]))))  # type: ignore[attr-defined]
    ]
    assert len(covered) == len(PEM_CASES) - 1
    assert "certs/production/appCertPublicKey_2021001161683774.crt" in covered
    assert "certs/production/alipayCertPublicKey_RSA2.crt" in covered
