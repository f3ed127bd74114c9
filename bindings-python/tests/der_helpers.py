"""A few lines of DER reading and writing, so the official SDK can be handed keys in the only
shapes it loads (PKCS#1 private, SPKI public) without going through this project's own code."""

from __future__ import annotations

import base64
import re

# AlgorithmIdentifier { rsaEncryption, NULL }
RSA_ALGORITHM = bytes.fromhex("300d06092a864886f70d0101010500")


def pem_der(text: str) -> tuple[str | None, bytes]:
    """The PEM label (None for bare Base64) and the DER bytes of a key file."""
    match = re.search(r"-----BEGIN ([A-Z0-9 ]+)-----", text)
    body = re.sub(r"-----(BEGIN|END) [A-Z0-9 ]+-----", "", text)
    return (match.group(1) if match else None), base64.b64decode("".join(body.split()))


def read_tlv(data: bytes, offset: int = 0) -> tuple[int, int, int]:
    """(tag, start of the value, end of the value) of the DER element at ``offset``."""
    tag = data[offset]
    length = data[offset + 1]
    start = offset + 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    return tag, start, start + length


def children(data: bytes, offset: int = 0) -> list[tuple[int, int, int, int]]:
    """(tag, element start, value start, value end) of each child of the constructed element
    at ``offset``."""
    _, position, end = read_tlv(data, offset)
    found = []
    while position < end:
        tag, start, stop = read_tlv(data, position)
        found.append((tag, position, start, stop))
        position = stop
    return found


def encode_tlv(tag: int, value: bytes) -> bytes:
    """One DER element."""
    if len(value) < 0x80:
        return bytes([tag, len(value)]) + value
    size = len(value).to_bytes((len(value).bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + value


def is_pkcs8(der: bytes) -> bool:
    """PKCS#8 `PrivateKeyInfo` has an AlgorithmIdentifier SEQUENCE second; PKCS#1 an INTEGER."""
    return children(der)[1][0] == 0x30


def pkcs8_to_pkcs1(der: bytes) -> bytes:
    """The PKCS#1 `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo` (its OCTET STRING)."""
    tag, _, start, stop = children(der)[2]
    assert tag == 0x04
    return der[start:stop]


def certificate_spki(der: bytes) -> bytes:
    """The SubjectPublicKeyInfo of an X.509 certificate (7th field of a v3 TBSCertificate)."""
    _, tbs_offset, _, _ = children(der)[0]
    fields = children(der, tbs_offset)
    if fields[0][0] != 0xA0:  # v1 certificates have no explicit version
        fields.insert(0, (0xA0, 0, 0, 0))
    _, begin, _, end = fields[6]
    return der[begin:end]


def pkcs1_public_to_spki(der: bytes) -> bytes:
    """Wraps a PKCS#1 `RSAPublicKey` into a SubjectPublicKeyInfo."""
    return encode_tlv(0x30, RSA_ALGORITHM + encode_tlv(0x03, b"\x00" + der))
