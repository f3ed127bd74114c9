//! Splitting certificate input into DER blocks — PEM bundles (CRLF, text between blocks), DER
//! (several certificates may be concatenated), or the Base64 of either — and reading each block's outer
//! structure, so a certificate that does not parse can still be named and, when it is not RSA-signed,
//! skipped.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use x509_cert::der::asn1::BitStringRef;
use x509_cert::der::{Decode, Reader, SliceReader};
use x509_cert::spki::AlgorithmIdentifierRef;

use super::RSA_SIGNATURE_OID_PREFIX;
use super::certificate::Certificate;
use crate::error::{Error, Result};

const PEM_LABELS: &[&str] = &["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"];

/// The outer `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }`.
pub(crate) struct Outer<'a> {
    /// The exact bytes of `tbsCertificate`, as signed.
    pub tbs: &'a [u8],
    /// The signature algorithm OID, dotted.
    pub algorithm: String,
    /// The signature bits.
    pub signature: &'a [u8],
}

/// Reads the outer structure of a certificate without interpreting the TBS part.
pub(crate) fn read_outer(der: &[u8]) -> Option<Outer<'_>> {
    let mut reader = SliceReader::new(der).ok()?;
    let outer = reader
        .sequence(|seq| {
            let tbs = seq.tlv_bytes()?;
            let algorithm = AlgorithmIdentifierRef::decode(seq)?;
            let signature = BitStringRef::decode(seq)?;
            Ok(Outer {
                tbs,
                algorithm: algorithm.oid.to_string(),
                signature: signature.raw_bytes(),
            })
        })
        .ok()?;
    reader.finish(outer).ok()
}

/// Every certificate of the input, in order, skipping non-RSA-signed blocks that do not parse.
///
/// # Errors
/// [`Error::Config`] for empty input, a PEM input without a certificate block, a block that is not
/// Base64, an RSA-signed block that does not parse, or a block whose structure cannot be read at all.
pub fn parse_certificates(input: &[u8]) -> Result<Vec<Certificate>> {
    let blocks = der_blocks(input)?;
    let mut certificates = Vec::with_capacity(blocks.len());
    for (index, der) in blocks.iter().enumerate() {
        match Certificate::from_der(der) {
            Ok(certificate) => certificates.push(certificate),
            Err(error) => match read_outer(der) {
                Some(outer) if !outer.algorithm.starts_with(RSA_SIGNATURE_OID_PREFIX) => {}
                Some(outer) => {
                    return Err(Error::config(format!(
                        "certificate #{} is RSA-signed ({}) but does not parse: {}",
                        index + 1,
                        outer.algorithm,
                        error.reason()
                    )));
                }
                None => {
                    return Err(Error::config(format!(
                        "block #{} ({} bytes) is not an X.509 certificate",
                        index + 1,
                        der.len()
                    )));
                }
            },
        }
    }
    Ok(certificates)
}

/// The DER blocks of the input.
pub(crate) fn der_blocks(input: &[u8]) -> Result<Vec<Vec<u8>>> {
    let trimmed = input.trim_ascii();
    if trimmed.is_empty() {
        return Err(Error::config(
            "the certificate input is empty; expected PEM, DER or Base64",
        ));
    }
    if find(trimmed, b"-----BEGIN").is_some() {
        return pem_blocks(trimmed);
    }
    if trimmed[0] == 0x30 {
        return split_der(input);
    }
    let compact: Vec<u8> = trimmed
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let der = STANDARD.decode(&compact).map_err(|_| {
        Error::config(format!(
            "the certificate input is neither PEM, DER nor Base64 ({} bytes)",
            input.len()
        ))
    })?;
    if find(&der, b"-----BEGIN").is_some() {
        return pem_blocks(&der);
    }
    split_der(&der)
}

/// Concatenated DER certificates.
fn split_der(der: &[u8]) -> Result<Vec<Vec<u8>>> {
    let der = der.trim_ascii();
    let mut reader =
        SliceReader::new(der).map_err(|_| Error::config("the certificate DER is too long"))?;
    let mut blocks = Vec::new();
    while !reader.is_finished() {
        let block = reader.tlv_bytes().map_err(|_| {
            Error::config(format!(
                "the certificate DER is truncated or malformed ({} bytes)",
                der.len()
            ))
        })?;
        blocks.push(block.to_vec());
    }
    Ok(blocks)
}

/// The certificate blocks of a PEM text; other PEM blocks (keys) and text around blocks are ignored.
fn pem_blocks(text: &[u8]) -> Result<Vec<Vec<u8>>> {
    let mut blocks = Vec::new();
    let mut labels_seen = Vec::new();
    let mut rest = text;
    while let Some(start) = find(rest, b"-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let label_end = find(after, b"-----")
            .ok_or_else(|| Error::config("a PEM header has no closing dashes"))?;
        let label = String::from_utf8_lossy(&after[..label_end])
            .trim()
            .to_string();
        let body_start = &after[label_end + 5..];
        let footer = format!("-----END {label}-----");
        let body_end = find(body_start, footer.as_bytes()).ok_or_else(|| {
            Error::config(format!(
                "the PEM block `{label}` #{} has no END line: the file looks truncated",
                blocks.len() + 1
            ))
        })?;
        if PEM_LABELS.contains(&label.as_str()) {
            let compact: Vec<u8> = body_start[..body_end]
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            let der = STANDARD.decode(&compact).map_err(|_| {
                Error::config(format!(
                    "certificate block #{} is not valid Base64",
                    blocks.len() + 1
                ))
            })?;
            blocks.push(der);
        } else {
            labels_seen.push(label);
        }
        rest = &body_start[body_end + footer.len()..];
    }
    if blocks.is_empty() {
        return Err(Error::config(format!(
            "the PEM text holds no CERTIFICATE block (found {labels_seen:?})"
        )));
    }
    Ok(blocks)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_garbage_and_keys_are_config_errors() {
        assert_eq!(der_blocks(b"  ").err().unwrap().kind(), "config");
        assert_eq!(der_blocks(b"%%%").err().unwrap().kind(), "config");
        let key = b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        let error = der_blocks(key).err().unwrap();
        assert!(error.reason().contains("PUBLIC KEY"), "{error}");
        let cut = b"-----BEGIN CERTIFICATE-----\nMIIB";
        assert!(der_blocks(cut).err().unwrap().reason().contains("END"));
        assert_eq!(
            split_der(&[0x30, 0x82, 0x01]).err().unwrap().kind(),
            "config"
        );
    }

    #[test]
    fn garbage_block_is_named() {
        let pem = b"-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n";
        let error = parse_certificates(pem).err().unwrap();
        assert!(error.reason().contains("block #1"), "{error}");
    }
}
