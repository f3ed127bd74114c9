//! Certificate mode in the client: an answer signed by an Alipay certificate the store does not know
//! (after Alipay rotated its certificate) makes the client download it with
//! `alipay.open.app.alipaycert.download`, check it against the root bundle, trust it, and verify the
//! answer; notifications get the same treatment through [`Client::verify_notification`].

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::time::Instant;

use super::Client;
use crate::cert::{ALIPAY_CERT_DOWNLOAD_METHOD, AlipayCertStore};
use crate::error::{Error, Result};
use crate::notify::{Notification, VerifiedNotification, parse_form};
use crate::observe;
use crate::request::CallOptions;
use crate::response::{ResponseCheck, ResponseVerifier, VerifiedResponse, extract_signed_node};
use crate::transport::HttpResponse;

impl Client {
    /// Certificate mode: makes sure the Alipay certificate `alipay_cert_sn` is trusted — nothing to do
    /// when the store knows it; otherwise downloads it (`alipay.open.app.alipaycert.download`), checks
    /// its validity and its chain to the root bundle, and adds it to the store shared by every clone of
    /// this client. Returns whether a download happened.
    ///
    /// The download answer itself must verify: with a certificate already trusted, or — when it is
    /// signed by the very certificate it carries (Alipay signs with its new certificate after a
    /// rotation) — with that certificate once it has passed the chain check.
    ///
    /// # Errors
    /// [`Error::Config`] outside certificate mode; [`Error::Signature`] when the certificate is expired,
    /// not chained to the root bundle, tampered with, or not the one asked for, or when the answer does
    /// not verify; the errors of [`Client::execute`] for the download call itself.
    pub fn fetch_alipay_cert(&self, alipay_cert_sn: &str) -> Result<bool> {
        let store = self.cert_store()?;
        let sn = alipay_cert_sn.trim();
        if sn.is_empty() {
            return Err(Error::config("`alipay_cert_sn` is empty"));
        }
        if store.key(sn).is_some() {
            return Ok(false);
        }
        let started = Instant::now();
        let mut trace_id = None;
        let result = self.download_alipay_cert(store, sn, &mut trace_id);
        let mut event = self.call_event(ALIPAY_CERT_DOWNLOAD_METHOD, None, started);
        event.trace_id = trace_id;
        if let Err(error) = &result {
            event = event.with_error(error);
        } else {
            event.code = Some("10000".to_string());
        }
        observe::emit(&event);
        result.map(|()| true)
    }

    /// Downloads, checks and trusts the certificate `sn` (the call of [`Client::fetch_alipay_cert`]),
    /// noting the answer's trace id.
    fn download_alipay_cert(
        &self,
        store: &AlipayCertStore,
        sn: &str,
        trace_id: &mut Option<String>,
    ) -> Result<()> {
        let options = CallOptions {
            biz_content: Some(json!({ "alipay_cert_sn": sn }).to_string()),
            ..CallOptions::default()
        };
        let request = self
            .config
            .sign_request(ALIPAY_CERT_DOWNLOAD_METHOD, &options)?;
        let response = self.transport.send(&request.to_http_request()?)?;
        trace_id.clone_from(&response.trace_id);
        let verifier = self.verifier_for(ALIPAY_CERT_DOWNLOAD_METHOD, &response)?;
        let body = &response.body;
        match verifier.check(ALIPAY_CERT_DOWNLOAD_METHOD, body)? {
            ResponseCheck::Verified(answer) => {
                let content = certificate_content(&answer.fields)?;
                let (leaf, key) = store.check(&content)?;
                same_sn(leaf.sn(), sn)?;
                store.insert(leaf.sn(), key);
            }
            ResponseCheck::NeedsCertificate {
                alipay_cert_sn: signer,
            } => {
                let text = verifier.charset().decode(body)?;
                let node = extract_signed_node(&text, ALIPAY_CERT_DOWNLOAD_METHOD)?;
                let fields: serde_json::Map<String, Value> = serde_json::from_str(node.raw)
                    .map_err(|_| {
                        Error::protocol("the certificate download answer is not a JSON object")
                    })?;
                let (leaf, key) = store.check(&certificate_content(&fields)?)?;
                same_sn(leaf.sn(), sn)?;
                if signer != sn {
                    return Err(Error::signature(format!(
                        "the certificate download answer is signed by the unknown certificate {signer}, \
                         neither a trusted one nor the one it carries ({sn}): refused"
                    )));
                }
                match verifier.check_with(ALIPAY_CERT_DOWNLOAD_METHOD, body, Some((sn, &key)))? {
                    ResponseCheck::Verified(_) => store.insert(sn, key),
                    ResponseCheck::NeedsCertificate { .. } => {
                        return Err(Error::signature(
                            "the certificate download answer cannot be verified",
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Parses a notification body once and verifies it; in certificate mode an unknown
    /// `alipay_cert_sn` is fetched first ([`Client::fetch_alipay_cert`]).
    ///
    /// # Errors
    /// The errors of [`NotificationVerifier::verify_body`](crate::notify::NotificationVerifier::verify_body),
    /// and of [`Client::fetch_alipay_cert`] when a certificate had to be fetched.
    pub fn verify_notification(&self, body: &[u8]) -> Result<Notification> {
        self.verify_notification_with_form(body)
            .map(|verified| verified.notification)
    }

    /// [`Client::verify_notification`], also saying which form of content the gateway had signed.
    ///
    /// # Errors
    /// As for [`Client::verify_notification`].
    pub fn verify_notification_with_form(&self, body: &[u8]) -> Result<VerifiedNotification> {
        let verifier = self.config.notification_verifier();
        if let Some(store) = verifier.cert_store() {
            let params = parse_form(body)?;
            let named = params
                .iter()
                .find(|(key, value)| key == "alipay_cert_sn" && !value.is_empty())
                .map(|(_, value)| value.clone());
            if let Some(sn) = named.filter(|sn| store.key(sn).is_none()) {
                self.fetch_alipay_cert(&sn)?;
            }
        }
        verifier.verify_body_with_form(body)
    }

    /// Verifies an answer, downloading the signing certificate first when it is unknown.
    pub(super) fn verify_fetching(
        &self,
        method: &str,
        response: &HttpResponse,
    ) -> Result<VerifiedResponse> {
        let verifier = self.verifier_for(method, response)?;
        match verifier.check(method, &response.body)? {
            ResponseCheck::Verified(answer) => Ok(answer),
            ResponseCheck::NeedsCertificate { alipay_cert_sn } => {
                self.fetch_alipay_cert(&alipay_cert_sn)?;
                verifier.verify(method, &response.body)
            }
        }
    }

    fn cert_store(&self) -> Result<&std::sync::Arc<AlipayCertStore>> {
        self.config
            .cert_mode()
            .map(|cert| cert.cert_store())
            .ok_or_else(|| {
                Error::config("the client is not in certificate mode (IsvConfig::cert_builder)")
            })
    }

    /// The response verifier for an answer: status 200, in the charset the answer declares.
    fn verifier_for(&self, method: &str, response: &HttpResponse) -> Result<ResponseVerifier> {
        super::check_status(method, response)?;
        let verifier = self.config.response_verifier();
        let declared = response
            .charset()
            .and_then(|name| name.parse::<crate::sign::Charset>().ok());
        match declared {
            Some(charset) if charset != verifier.charset() => verifier.in_charset(charset),
            _ => Ok(verifier.clone()),
        }
    }
}

/// The decoded `alipay_cert_content` of a download answer (Base64 of PEM or DER; raw PEM accepted).
fn certificate_content(fields: &serde_json::Map<String, Value>) -> Result<Vec<u8>> {
    let content = fields
        .get("alipay_cert_content")
        .and_then(Value::as_str)
        .filter(|text| !text.trim().is_empty())
        .ok_or_else(|| {
            Error::protocol("the certificate download answer has no alipay_cert_content")
        })?;
    if content.contains("-----BEGIN") {
        return Ok(content.as_bytes().to_vec());
    }
    let compact: String = content.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD
        .decode(compact)
        .map_err(|_| Error::signature("the downloaded alipay_cert_content is not valid Base64"))
}

fn same_sn(got: &str, asked: &str) -> Result<()> {
    if got != asked {
        return Err(Error::signature(format!(
            "the download returned the certificate {got}, not the {asked} that was asked for: refused"
        )));
    }
    Ok(())
}
