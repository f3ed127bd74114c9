//! Notifications Alipay posts to the application gateway (应用网关): parsed once (in linear time, the
//! parameter count capped), verified against every form the gateway signs ([`SignedForm`]: V1 and V2,
//! with and without empty values and `alipay_cert_sn`), and typed — the merchant authorisation (`open_app_auth_notify`), message-service messages
//! (`msg_method`, such as `alipay.open.auth.appauth.cancelled`) and anything else.
//!
//! Answer [`SUCCESS_ACK`] once a notification is handled; anything else makes Alipay retry.
//!
//! Certificate mode ([`NotificationVerifier::with_cert_store`]): the key is the one of the certificate
//! the `alipay_cert_sn` parameter names (the configured certificate when it is absent); an SN the store
//! does not know is an [`Error::Signature`] naming it — fetch it with
//! `Client::fetch_alipay_cert` (crate `alipay-isv`) and verify again, or let
//! `Client::verify_notification` do both.

mod form;
mod service_check;
mod servicemarket;
mod signed_form;
mod typed;

use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

pub use form::{DEFAULT_MAX_PARAMS, parse_form, parse_form_limited};
use form::{refuse_duplicates, too_many_params};
pub use service_check::{SERVICE_CHECK, service_check_answer};
pub use servicemarket::{SERVICEMARKET_ORDER_NOTIFY, ServiceMarketOrder};
pub use signed_form::SignedForm;
pub use typed::{AppAuthDetail, AppAuthNotification, MessageNotification, Notification};

use crate::cert::AlipayCertStore;
use crate::error::{Error, Result, SHOWN_CHARS, shortened};
use crate::key::PublicKey;
use crate::observe;
use crate::response::DEFAULT_MAX_BODY_BYTES;
use crate::sign::{Charset, SignType, Verifier};

/// The body to answer a handled notification with, so Alipay stops retrying.
pub const SUCCESS_ACK: &str = "success";

/// Verifies notifications with the Alipay public key.
#[derive(Debug, Clone)]
pub struct NotificationVerifier {
    alipay_public_key: Arc<PublicKey>,
    default_sign_type: SignType,
    max_body_bytes: usize,
    max_params: usize,
    cert_store: Option<Arc<AlipayCertStore>>,
}

impl NotificationVerifier {
    /// A verifier using `alipay_public_key`.
    pub fn new(alipay_public_key: Arc<PublicKey>) -> Self {
        NotificationVerifier {
            alipay_public_key,
            default_sign_type: SignType::Rsa2,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_params: DEFAULT_MAX_PARAMS,
            cert_store: None,
        }
    }

    /// Certificate mode: choose the key by the `alipay_cert_sn` parameter among the store's certificates.
    pub fn with_cert_store(mut self, store: Arc<AlipayCertStore>) -> Self {
        self.cert_store = Some(store);
        self
    }

    /// The certificate store, in certificate mode.
    pub fn cert_store(&self) -> Option<&Arc<AlipayCertStore>> {
        self.cert_store.as_ref()
    }

    /// The algorithm assumed when a notification carries no `sign_type` (default `RSA2`).
    pub fn with_default_sign_type(mut self, sign_type: SignType) -> Self {
        self.default_sign_type = sign_type;
        self
    }

    /// Refuse bodies larger than `limit` bytes.
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Refuse notifications with more than `limit` parameters (default [`DEFAULT_MAX_PARAMS`]) before
    /// anything else is done with them.
    pub fn with_max_params(mut self, limit: usize) -> Self {
        self.max_params = limit;
        self
    }

    /// The largest body this verifier accepts, in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// The most parameters a body may hold.
    pub fn max_params(&self) -> usize {
        self.max_params
    }

    /// Parses a raw form body (exactly once) and verifies it.
    ///
    /// # Errors
    /// [`Error::Protocol`] for an oversized or malformed body, one with too many parameters or a
    /// parameter given twice, [`Error::Signature`] when the signature is missing or verifies under none
    /// of the forms the gateway signs, or (certificate mode) when `alipay_cert_sn` names a certificate
    /// the store does not know.
    pub fn verify_body(&self, body: &[u8]) -> Result<Notification> {
        self.verify_body_with_form(body)
            .map(|verified| verified.notification)
    }

    /// [`NotificationVerifier::verify_body`], also saying which [`SignedForm`] verified.
    ///
    /// # Errors
    /// As for [`NotificationVerifier::verify_body`].
    pub fn verify_body_with_form(&self, body: &[u8]) -> Result<VerifiedNotification> {
        observed(|| self.verify_body_unobserved(body))
    }

    /// [`NotificationVerifier::verify_body_with_form`] without its observability event.
    fn verify_body_unobserved(&self, body: &[u8]) -> Result<VerifiedNotification> {
        if body.len() > self.max_body_bytes {
            return Err(Error::protocol(format!(
                "the notification is {} bytes, over the {}-byte limit",
                body.len(),
                self.max_body_bytes
            )));
        }
        self.verify_params_unobserved(parse_form_limited(body, self.max_params)?)
    }

    /// Reads a body from `reader` (a request stream), stopping at the body limit, and verifies it.
    ///
    /// # Errors
    /// [`Error::Protocol`] as soon as the body exceeds the limit (the rest is never read) or when it
    /// cannot be read; otherwise as for [`NotificationVerifier::verify_body`].
    pub fn verify_reader(&self, reader: impl Read) -> Result<VerifiedNotification> {
        observed(|| {
            let body = read_bounded(reader, self.max_body_bytes, "notification")?;
            self.verify_body_unobserved(&body)
        })
    }

    /// Verifies parameters a web framework already decoded (once!).
    ///
    /// # Errors
    /// As for [`NotificationVerifier::verify_body`].
    pub fn verify_params(&self, params: Vec<(String, String)>) -> Result<Notification> {
        self.verify_params_with_form(params)
            .map(|verified| verified.notification)
    }

    /// [`NotificationVerifier::verify_params`], also saying which [`SignedForm`] verified.
    ///
    /// Every distinct content the gateway may have signed for these parameters is tried, in
    /// [`SignedForm::TRY_ORDER`], at most one RSA verification each: for an ordinary notification (no
    /// empty value, no `alipay_cert_sn`) that is V1, then V2. A parameter the matching form does not
    /// sign (an empty one when empty values were not signed, an `alipay_cert_sn` outside the content)
    /// is removed from the result: nothing unsigned reaches the caller, except `sign` and `sign_type`.
    ///
    /// # Errors
    /// As for [`NotificationVerifier::verify_body`].
    pub fn verify_params_with_form(
        &self,
        params: Vec<(String, String)>,
    ) -> Result<VerifiedNotification> {
        observed(|| self.verify_params_unobserved(params))
    }

    /// [`NotificationVerifier::verify_params_with_form`] without its observability event.
    fn verify_params_unobserved(
        &self,
        mut params: Vec<(String, String)>,
    ) -> Result<VerifiedNotification> {
        if params.len() > self.max_params {
            return Err(too_many_params(self.max_params));
        }
        refuse_duplicates(&params)?;
        let value_of = |name: &str| {
            params
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
                .filter(|value| !value.is_empty())
        };
        let sign = value_of("sign").ok_or_else(|| {
            Error::signature(
                "the notification carries no sign: refused (anyone can post to the gateway)",
            )
        })?;
        let sign_type: SignType = match value_of("sign_type") {
            Some(name) => name.parse().map_err(|_| {
                Error::protocol(format!(
                    "the notification's sign_type `{}` is unknown",
                    shortened(name, SHOWN_CHARS)
                ))
            })?,
            None => self.default_sign_type,
        };
        let charset: Charset = match value_of("charset") {
            Some(name) if name.eq_ignore_ascii_case("gb2312") => Charset::Gbk,
            Some(name) => name.parse().map_err(|_| {
                Error::protocol(format!(
                    "the notification's charset `{}` is unknown",
                    shortened(name, SHOWN_CHARS)
                ))
            })?,
            None => Charset::Utf8,
        };
        let cert_sn = value_of("alipay_cert_sn");
        let key = match (&self.cert_store, cert_sn) {
            (None, _) => self.alipay_public_key.clone(),
            (Some(store), None) => store.configured_key().clone(),
            (Some(store), Some(sn)) => store.key(sn).ok_or_else(|| {
                Error::signature(format!(
                    "the notification is signed by the Alipay certificate {}, which is not trusted \
                     yet: fetch it (Client::fetch_alipay_cert) and verify again",
                    shortened(sn, SHOWN_CHARS)
                ))
            })?,
        };
        let verifier = Verifier::new(key.clone(), sign_type, charset)?;
        let matched = first_verifying_form(&verifier, &params, sign, cert_sn.is_some());
        let Some(signed_form) = matched else {
            return Err(Error::signature(format!(
                "the notification's {sign_type} signature verifies under none of the forms the \
                 gateway signs (V1, V2, with and without empty values) with public key {}: it was \
                 tampered with, or the wrong Alipay public key is configured",
                key.fingerprint()
            )));
        };
        params.retain(|(key, value)| {
            key == "sign" || key == "sign_type" || signed_form.signs(key, value)
        });
        Ok(VerifiedNotification {
            notification: Notification::from_verified(params)?,
            signed_form,
        })
    }
}

/// Runs one verification and emits its [`observe::Event`]: the notification's type, ids and signed
/// form once verified; for a refused one only the outcome (nothing unverified is trusted as a label).
fn observed(verify: impl FnOnce() -> Result<VerifiedNotification>) -> Result<VerifiedNotification> {
    let started = Instant::now();
    let result = verify();
    let mut event = observe::Event::new(
        observe::EventKind::Notification,
        observe::Outcome::SUCCESS,
        started.elapsed(),
    );
    match &result {
        Ok(verified) => {
            let notification = &verified.notification;
            event.method = Some(notification.type_name().to_string());
            event.app_id = notification.param("app_id").map(str::to_string);
            event.notify_id = notification.param("notify_id").map(str::to_string);
            event.auth_app_id = notification.auth_app_id().map(str::to_string);
            event.signed_form = Some(verified.signed_form.name());
        }
        Err(error) => event = event.with_error(error),
    }
    observe::emit(&event);
    result
}

/// A verified notification and the form its signature matched.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedNotification {
    /// The notification, with only the parameters the signature covers (and `sign`, `sign_type`).
    pub notification: Notification,
    /// Which content the gateway had signed.
    pub signed_form: SignedForm,
}

/// The first form, in [`SignedForm::TRY_ORDER`], whose content `sign` verifies; each distinct content
/// is verified once, and forms that cannot differ for these parameters are not built at all.
fn first_verifying_form(
    verifier: &Verifier,
    params: &[(String, String)],
    sign: &str,
    has_cert_sn: bool,
) -> Option<SignedForm> {
    let has_sign_type = params.iter().any(|(key, _)| key == "sign_type");
    let everything_but_blanks = SignedForm {
        sign_type_signed: true,
        empty_values_signed: false,
        alipay_cert_sn_signed: true,
    };
    let has_empty = params
        .iter()
        .any(|(key, value)| key != "sign" && !everything_but_blanks.signs(key, value));
    let mut tried: Vec<String> = Vec::with_capacity(2);
    for form in SignedForm::TRY_ORDER {
        if (form.sign_type_signed && !has_sign_type)
            || (form.empty_values_signed && !has_empty)
            || (form.alipay_cert_sn_signed && !has_cert_sn)
        {
            continue;
        }
        let content = form.content(params);
        if tried.contains(&content) {
            continue;
        }
        if verifier.verify(&content, sign).is_ok() {
            return Some(form);
        }
        tried.push(content);
    }
    None
}

/// Reads at most `limit` bytes from `reader`; a longer body is refused without reading the rest.
///
/// # Errors
/// [`Error::Protocol`] for a body over the limit or a read failure, naming `what` was read.
pub fn read_bounded(reader: impl Read, limit: usize, what: &str) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|error| Error::protocol(format!("the {what} could not be read: {error}")))?;
    if body.len() > limit {
        return Err(Error::protocol(format!(
            "the {what} is over the {limit}-byte limit: refused without reading the rest"
        )));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::PrivateKey;
    use crate::sign::Signer;

    fn alipay_keys() -> (Signer, NotificationVerifier) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/");
        let read = |name: &str| std::fs::read_to_string(format!("{dir}{name}")).unwrap();
        let private = Arc::new(PrivateKey::from_text(&read("alipay_2048_pkcs8.pem")).unwrap());
        let public = Arc::new(PublicKey::from_text(&read("alipay_2048_public.pem")).unwrap());
        (
            Signer::new(private, SignType::Rsa2, Charset::Utf8).unwrap(),
            NotificationVerifier::new(public),
        )
    }

    fn signed_body(signer: &Signer, params: &[(&str, &str)], form: SignedForm) -> Vec<u8> {
        let sign = signer.sign(&form.content(params)).unwrap();
        let mut all: Vec<(&str, &str)> = params.to_vec();
        all.push(("sign", &sign));
        // Not `form_encode`: that one leaves empty values out, as requests do.
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(all)
            .finish()
            .into_bytes()
    }

    const PARAMS: [(&str, &str); 5] = [
        ("notify_id", "n1"),
        ("notify_type", "trade_status_sync"),
        ("sign_type", "RSA2"),
        ("isv_ticket", ""),
        ("alipay_cert_sn", "0123abcd"),
    ];

    #[test]
    fn every_form_verifies_and_is_reported() {
        let (signer, verifier) = alipay_keys();
        for form in SignedForm::TRY_ORDER {
            let body = signed_body(&signer, &PARAMS, form);
            let verified = verifier.verify_body_with_form(&body).unwrap();
            assert_eq!(verified.signed_form, form);
        }
    }

    #[test]
    fn unsigned_parameters_never_reach_the_caller() {
        let (signer, verifier) = alipay_keys();
        let body = signed_body(&signer, &PARAMS, SignedForm::V1);
        let Notification::Other { params } = verifier.verify_body(&body).unwrap() else {
            panic!("an ordinary notification")
        };
        let names: Vec<&str> = params.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(names, ["notify_id", "notify_type", "sign_type", "sign"]);
        let both = SignedForm::from_name("v2+empty+alipay_cert_sn").unwrap();
        let body = signed_body(&signer, &PARAMS, both);
        let Notification::Other { params } = verifier.verify_body(&body).unwrap() else {
            panic!("an ordinary notification")
        };
        assert_eq!(params.len(), PARAMS.len() + 1);
    }

    #[test]
    fn a_signed_empty_value_cannot_be_removed_and_a_forgery_tries_each_content_once() {
        let (signer, verifier) = alipay_keys();
        let form = SignedForm::from_name("v1+empty").unwrap();
        let body = String::from_utf8(signed_body(&signer, &PARAMS, form)).unwrap();
        let without = body.replace("isv_ticket=&", "");
        assert_ne!(without, body);
        let error = verifier.verify_body(without.as_bytes()).unwrap_err();
        assert_eq!(error.kind(), "signature");
        assert!(error.reason().contains("none of the forms"), "{error}");
    }

    #[test]
    fn too_many_parameters_and_duplicates_are_refused_in_verify_params() {
        let (_, verifier) = alipay_keys();
        let verifier = verifier.with_max_params(3);
        let params = |count: usize| -> Vec<(String, String)> {
            (0..count).map(|i| (format!("k{i}"), "v".into())).collect()
        };
        let error = verifier.verify_params(params(4)).unwrap_err();
        assert!(error.reason().contains("more than 3"), "{error}");
        let duplicated = vec![("a".to_string(), "1".to_string()); 2];
        let error = verifier.verify_params(duplicated).unwrap_err();
        assert_eq!(error.kind(), "protocol");
    }

    #[test]
    fn the_body_limit_stops_reading() {
        let (_, verifier) = alipay_keys();
        let verifier = verifier.with_max_body_bytes(1024);
        let endless = std::io::repeat(b'a');
        let error = verifier.verify_reader(endless).unwrap_err();
        assert_eq!(error.kind(), "protocol");
        assert!(error.reason().contains("1024-byte limit"), "{error}");
    }
}
