//! Canonical content and RSA signatures, exactly as the Alipay gateway computes them.
//!
//! [`sign_content`] builds the string that is signed (Java rules: drop `sign`, drop empty values, sort
//! keys as Java's `String.compareTo` does — by UTF-16 code units — join without URL-encoding); [`Signer`] and [`Verifier`] apply `RSA2` (SHA256withRSA) or
//! legacy `RSA` (SHA1withRSA) over its bytes in the request [`Charset`].

mod charset;
mod content;
mod own_key;
mod sign_type;
mod signer;
mod verifier;

pub use charset::Charset;
pub(crate) use content::is_blank;
pub use content::{java_key_order, sign_content};
pub use own_key::looks_like_own_key;
pub use sign_type::SignType;
pub use signer::Signer;
pub use verifier::Verifier;
