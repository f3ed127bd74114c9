//! `alipay-isv`: the Alipay Open Platform server protocol for third-party apps (ISV) and mini-program
//! plugins that call Alipay on behalf of merchants (代调用).
//!
//! The crate is sans-IO below `client`: keys ([`key`]), canonical content and RSA signatures ([`sign`]),
//! and one public error type ([`Error`]). Every language binding (Python, Node.js, Kotlin/JVM) is a thin
//! layer over these modules.
//!
//! ```
//! use alipay_isv::{key::PrivateKey, sign::{sign_content, Charset, SignType, Signer, Verifier}};
//! use std::sync::Arc;
//!
//! let pair = alipay_isv::key::generate_key_pair(2048)?;
//! let signer = Signer::new(Arc::new(pair.private_key), SignType::Rsa2, Charset::Utf8)?;
//! let content = sign_content([("app_id", "2021000000000001"), ("method", "alipay.user.info.share")]);
//! let sign = signer.sign(&content)?;
//! let verifier = Verifier::new(Arc::new(pair.public_key), SignType::Rsa2, Charset::Utf8)?;
//! verifier.verify(&content, &sign)?;
//! # Ok::<(), alipay_isv::Error>(())
//! ```

pub mod aes;
pub mod auth;
pub mod cert;
pub mod client;
pub mod config;
pub mod error;
pub mod key;
pub mod notify;
pub mod registry;
pub mod request;
pub mod response;
pub mod sign;
pub mod transport;

pub use error::{ApiError, Error, Result};
