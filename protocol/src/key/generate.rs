//! Key-pair generation for new apps: 2048 bits (what Alipay asks for) or larger, written in every format
//! the console and the official SDKs use.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::RsaKeyPair;

use super::{PrivateKey, PublicKey};
use crate::error::{Error, Result};

/// A freshly generated app key pair.
#[derive(Debug)]
pub struct KeyPair {
    /// The private key: keep it secret, export it with `to_pkcs8_pem` / `to_pkcs1_pem`.
    pub private_key: PrivateKey,
    /// The public key: upload `to_base64()` to the Alipay console.
    pub public_key: PublicKey,
}

/// Generates an RSA key pair of `bits` bits: 2048 (Alipay's size), 3072 or 4096.
///
/// # Errors
/// [`Error::Config`] for any other size.
pub fn generate_key_pair(bits: u32) -> Result<KeyPair> {
    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        other => {
            return Err(Error::config(format!(
                "cannot generate a {other}-bit key; choose 2048 (what Alipay asks for), 3072 or 4096"
            )));
        }
    };
    let generated = RsaKeyPair::generate(size)
        .map_err(|_| Error::config("the system failed to generate an RSA key"))?;
    let pkcs8 = generated
        .as_der()
        .map_err(|_| Error::config("the generated key did not encode as PKCS#8"))?;
    let private_key = PrivateKey::from_der(pkcs8.as_ref())?;
    let public_key = private_key.public_key().clone();
    Ok(KeyPair {
        private_key,
        public_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_2048_and_4096_and_refuses_1024() {
        assert_eq!(generate_key_pair(2048).unwrap().private_key.bits(), 2048);
        assert_eq!(generate_key_pair(4096).unwrap().public_key.bits(), 4096);
        let error = generate_key_pair(1024).err().unwrap();
        assert_eq!(error.kind(), "config");
    }

    #[test]
    fn generated_pair_exports_every_format() {
        let pair = generate_key_pair(2048).unwrap();
        assert!(
            pair.private_key
                .to_pkcs1_pem()
                .unwrap()
                .starts_with("-----BEGIN RSA PRIVATE KEY-----")
        );
        assert!(
            pair.private_key
                .to_pkcs8_pem()
                .unwrap()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        assert!(
            pair.public_key
                .to_pem()
                .starts_with("-----BEGIN PUBLIC KEY-----")
        );
        assert!(!pair.public_key.to_base64().contains('\n'));
    }
}
