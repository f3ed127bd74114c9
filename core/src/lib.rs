//! `alipay-isv`: the Alipay Open Platform server protocol for third-party apps (ISV) and mini-program
//! plugins that call Alipay on behalf of merchants (代调用).
//!
//! The protocol itself — keys, signatures, requests, responses, notifications, authorisation links,
//! certificates, AES, configuration and the error type — lives in the sans-IO crate
//! `alipay-isv-protocol` and is re-exported here module by module, so `alipay_isv::sign::Signer` and
//! `alipay_isv_protocol::sign::Signer` are the same type. This crate adds what does I/O:
//!
//! - [`transport`]: the small `Transport` trait and its default blocking HTTP client (ureq on rustls);
//! - [`client`]: `Client` = configuration + transport, for any API and the typed ISV calls;
//! - [`registry`]: the merchant authorisations (PID – auth_app_id – app_auth_token) in memory or in a
//!   SQLite file (feature `sqlite`, on by default), refreshed ahead of expiry.
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

pub use alipay_isv_protocol::{
    aes, auth, cert, config, error, key, notify, observe, request, response, secret, servicemarket,
    sign, v3,
};

pub mod client;
pub mod gateway;
pub mod registry;
pub mod transport;
pub mod upload;

pub use error::{ApiError, Error, Result};
