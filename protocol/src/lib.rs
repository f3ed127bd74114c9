//! `alipay-isv-protocol`: the Alipay Open Platform server protocol for third-party apps (ISV) and
//! mini-program plugins, with no I/O.
//!
//! Every module is bytes in, bytes out: keys ([`key`]), canonical content and RSA signatures
//! ([`sign`]), signed requests ([`request`]), response verification ([`response`]), gateway
//! notifications ([`notify`]), authorisation links and callbacks ([`auth`]), public-key certificates
//! ([`cert`]), AES content encryption ([`aes`]), the app's configuration ([`config`]) and one public
//! error type ([`Error`]). Nothing here opens a socket, a file or a database; where a rule depends on
//! the time (request timestamps, certificate validity) the time can be passed in.
//!
//! The `alipay-isv` crate adds the HTTP client, the transport and the authorisation registry on top of
//! this one and re-exports every module, so most users depend on that crate only.
//!
//! ```
//! use alipay_isv_protocol::{key::PrivateKey, sign::{sign_content, Charset, SignType, Signer, Verifier}};
//! use std::sync::Arc;
//!
//! let pair = alipay_isv_protocol::key::generate_key_pair(2048)?;
//! let signer = Signer::new(Arc::new(pair.private_key), SignType::Rsa2, Charset::Utf8)?;
//! let content = sign_content([("app_id", "2021000000000001"), ("method", "alipay.user.info.share")]);
//! let sign = signer.sign(&content)?;
//! let verifier = Verifier::new(Arc::new(pair.public_key), SignType::Rsa2, Charset::Utf8)?;
//! verifier.verify(&content, &sign)?;
//! # Ok::<(), alipay_isv_protocol::Error>(())
//! ```

pub mod aes;
pub mod auth;
pub mod cert;
pub mod config;
pub mod error;
pub mod key;
pub mod notify;
pub mod observe;
pub mod request;
pub mod response;
pub mod secret;
pub mod servicemarket;
pub mod sign;
pub mod v3;

pub use error::{ApiError, Error, Result};
