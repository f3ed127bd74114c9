//! RSA keys in every shape Alipay users paste them: PEM or bare Base64, PKCS#1 or PKCS#8 private keys,
//! SPKI or PKCS#1 public keys, or the public key inside an X.509 certificate.
//!
//! A key is parsed once into a reusable object ([`PrivateKey`], [`PublicKey`]). Secret material is never
//! printed (`Debug` shows the size and a public fingerprint) and is zeroed on drop. A malformed or
//! unsupported key is an [`Error::Config`](crate::Error::Config) whose reason says what was expected and
//! what was found, never the key itself.

mod classify;
mod generate;
mod private;
mod public;
mod text;

pub use generate::{KeyPair, generate_key_pair};
pub use private::PrivateKey;
pub use public::PublicKey;

/// The smallest modulus accepted at all (legacy `RSA` apps still use 1024-bit keys).
pub const MIN_KEY_BITS: usize = 1024;
/// The largest modulus accepted.
pub const MAX_KEY_BITS: usize = 8192;
/// The smallest modulus `RSA2` (SHA256withRSA) accepts: Alipay requires 2048 bits.
pub const MIN_RSA2_KEY_BITS: usize = 2048;
