//! [`AlipayCertStore`]: the Alipay certificates a client trusts, by SN — the configured one first, then
//! those downloaded when a response names an unknown `alipay_cert_sn` (after a certificate rotation).
//! Shared across threads (`Arc`), read-mostly (`RwLock`).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use super::certificate::Certificate;
use super::chain::RootBundle;
use crate::error::{Error, Result};
use crate::key::PublicKey;

/// Trusted Alipay public keys by certificate SN, with the root bundle new certificates are checked
/// against.
pub struct AlipayCertStore {
    roots: RootBundle,
    configured_sn: String,
    configured_key: Arc<PublicKey>,
    keys: RwLock<HashMap<String, Arc<PublicKey>>>,
}

impl fmt::Debug for AlipayCertStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlipayCertStore")
            .field("alipay_root_cert_sn", &self.roots.sn())
            .field("alipay_cert_sn", &self.configured_sn)
            .field("known", &self.known_sns())
            .finish()
    }
}

impl AlipayCertStore {
    /// A store trusting `root_bundle`, seeded with the configured Alipay certificate, which must be
    /// valid now and chained to the bundle.
    ///
    /// # Errors
    /// [`Error::Config`] for a bundle without RSA roots, an unreadable certificate, an expired or
    /// not-yet-valid certificate, one not chained to the bundle, or one whose key is not RSA.
    pub fn new(root_bundle: &[u8], alipay_cert: &[u8]) -> Result<Self> {
        Self::new_at(root_bundle, alipay_cert, SystemTime::now())
    }

    /// [`AlipayCertStore::new`], with the configured certificate checked for validity at `at`
    /// instead of now.
    ///
    /// # Errors
    /// As for [`AlipayCertStore::new`].
    pub fn new_at(root_bundle: &[u8], alipay_cert: &[u8], at: SystemTime) -> Result<Self> {
        let roots = RootBundle::parse(root_bundle)?;
        let leaf = roots
            .verify_chain(alipay_cert, at)
            .map_err(|e| Error::config(format!("the Alipay certificate: {}", e.reason())))?;
        let key = Arc::new(
            leaf.public_key()
                .map_err(|e| Error::config(format!("the Alipay certificate: {}", e.reason())))?,
        );
        let mut keys = HashMap::new();
        keys.insert(leaf.sn().to_string(), key.clone());
        Ok(AlipayCertStore {
            roots,
            configured_sn: leaf.sn().to_string(),
            configured_key: key,
            keys: RwLock::new(keys),
        })
    }

    /// The root bundle.
    pub fn roots(&self) -> &RootBundle {
        &self.roots
    }

    /// The `alipay_root_cert_sn` sent with every request.
    pub fn alipay_root_cert_sn(&self) -> &str {
        self.roots.sn()
    }

    /// The SN of the configured Alipay certificate.
    pub fn configured_sn(&self) -> &str {
        &self.configured_sn
    }

    /// The key of the configured Alipay certificate (used when an answer names no SN).
    pub fn configured_key(&self) -> &Arc<PublicKey> {
        &self.configured_key
    }

    /// The trusted key of the certificate `alipay_cert_sn`, if known.
    pub fn key(&self, alipay_cert_sn: &str) -> Option<Arc<PublicKey>> {
        self.keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(alipay_cert_sn)
            .cloned()
    }

    /// Every trusted SN, sorted.
    pub fn known_sns(&self) -> Vec<String> {
        let mut sns: Vec<String> = self
            .keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .keys()
            .cloned()
            .collect();
        sns.sort();
        sns
    }

    /// Checks a downloaded Alipay certificate (PEM, DER, or their Base64 — the
    /// `alipay_cert_content` of [`ALIPAY_CERT_DOWNLOAD_METHOD`](super::ALIPAY_CERT_DOWNLOAD_METHOD)) against
    /// the root bundle now, without adding it.
    ///
    /// # Errors
    /// [`Error::Signature`] when it does not parse, is expired, is not chained to the bundle or is
    /// tampered with, or when its key is not RSA.
    pub fn check(&self, alipay_cert: &[u8]) -> Result<(Certificate, Arc<PublicKey>)> {
        self.check_at(alipay_cert, SystemTime::now())
    }

    /// [`AlipayCertStore::check`] at the time `at` instead of now.
    ///
    /// # Errors
    /// As for [`AlipayCertStore::check`].
    pub fn check_at(
        &self,
        alipay_cert: &[u8],
        at: SystemTime,
    ) -> Result<(Certificate, Arc<PublicKey>)> {
        let refuse = |e: Error| {
            Error::signature(format!(
                "the downloaded Alipay certificate is refused: {}",
                e.reason()
            ))
        };
        let leaf = self.roots.verify_chain(alipay_cert, at).map_err(refuse)?;
        let key = leaf.public_key().map_err(refuse)?;
        Ok((leaf, Arc::new(key)))
    }

    /// Checks a downloaded certificate as [`AlipayCertStore::check`] does, then trusts it; returns its SN.
    ///
    /// # Errors
    /// As for [`AlipayCertStore::check`].
    pub fn trust(&self, alipay_cert: &[u8]) -> Result<String> {
        let (leaf, key) = self.check(alipay_cert)?;
        self.insert(leaf.sn(), key);
        Ok(leaf.sn().to_string())
    }

    /// Trusts `key` as the certificate `sn`. Only for a key that [`AlipayCertStore::check`] (or a
    /// verified download answer) has already accepted: the store does not check it again.
    pub fn insert(&self, sn: &str, key: Arc<PublicKey>) {
        self.keys
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(sn.to_string(), key);
    }
}
