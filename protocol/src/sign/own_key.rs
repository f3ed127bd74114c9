//! Detecting the most common configuration mistake: the app's own public key pasted where the Alipay
//! public key belongs (every response then fails to verify).

use crate::key::{PrivateKey, PublicKey};

/// True when `alipay_public` is the public half of the app's own `private` key.
///
/// The Java SDK finds this by signing a probe with the app key and verifying it with the configured
/// "Alipay" key; comparing the public modulus and exponent gives the same answer without an RSA
/// operation.
pub fn looks_like_own_key(private: &PrivateKey, alipay_public: &PublicKey) -> bool {
    private.public_key() == alipay_public
}
