//! `IsvConfig`: the Python face of `alipay_isv::config` — the app's identity, keys and options,
//! checked once (the app's own public key is refused as the Alipay key), and the entry point to
//! signing requests, verifying responses and notifications, and answering the gateway check.

use std::sync::Arc;

use alipay_isv::{config, notify, request};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::aes::extract_aes_key;
use crate::convert::biz_content_text;
use crate::error::{detached, guarded};
use crate::key::{PrivateKey, PublicKey};
use crate::notify::NotificationVerifier;
use crate::request::SignedRequest;
use crate::response::ResponseVerifier;
use crate::sign::{extract_params, parse_options};

/// The third-party app's configuration. Immutable; share one across threads.
#[pyclass(module = "alipay_isv", frozen)]
pub struct IsvConfig {
    pub(crate) inner: config::IsvConfig,
}

#[pymethods]
impl IsvConfig {
    /// Checks and builds the configuration (see the stub for every option).
    #[new]
    #[pyo3(signature = (
        app_id,
        private_key,
        alipay_public_key,
        *,
        sign_type = "RSA2",
        charset = "UTF-8",
        gateway = "production",
        aes_key = None,
        max_body_bytes = 10485760,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        app_id: PyBackedStr,
        private_key: PyRef<'_, PrivateKey>,
        alipay_public_key: PyRef<'_, PublicKey>,
        sign_type: &str,
        charset: &str,
        gateway: &str,
        aes_key: Option<&Bound<'_, PyAny>>,
        max_body_bytes: usize,
    ) -> PyResult<Self> {
        let (sign_type, charset) = parse_options(sign_type, charset)?;
        let aes_key = aes_key.map(extract_aes_key).transpose()?;
        let gateway = gateway.to_string();
        let private_key = Arc::clone(&private_key.inner);
        let alipay_public_key = Arc::clone(&alipay_public_key.inner);
        // Building signs a probe (the own-key check): release the GIL.
        let inner = detached(py, || {
            let mut builder = config::IsvConfig::builder(&*app_id, private_key, alipay_public_key)
                .sign_type(sign_type)
                .charset(charset)
                .gateway(gateway)
                .max_body_bytes(max_body_bytes);
            if let Some(key) = aes_key {
                builder = builder.aes_key(key);
            }
            Ok(builder.build()?)
        })?;
        Ok(IsvConfig { inner })
    }

    /// The app's `app_id`.
    #[getter]
    fn app_id(&self) -> &str {
        self.inner.app_id()
    }

    /// The gateway URL.
    #[getter]
    fn gateway(&self) -> &str {
        self.inner.gateway()
    }

    /// `"RSA2"` or `"RSA"`.
    #[getter]
    fn sign_type(&self) -> &'static str {
        self.inner.signer().sign_type().as_str()
    }

    /// `"UTF-8"` or `"GBK"`.
    #[getter]
    fn charset(&self) -> &'static str {
        self.inner.signer().charset().as_str()
    }

    /// The Alipay public key.
    #[getter]
    fn alipay_public_key(&self) -> PublicKey {
        PublicKey::wrap((**self.inner.alipay_public_key()).clone())
    }

    /// Builds and signs a request for `method`.
    #[pyo3(signature = (
        method,
        *,
        biz_content = None,
        app_auth_token = None,
        auth_token = None,
        notify_url = None,
        return_url = None,
        extra_params = None,
        encrypt = false,
        timestamp = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn sign_request(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        biz_content: Option<&Bound<'_, PyAny>>,
        app_auth_token: Option<String>,
        auth_token: Option<String>,
        notify_url: Option<String>,
        return_url: Option<String>,
        extra_params: Option<&Bound<'_, PyAny>>,
        encrypt: bool,
        timestamp: Option<String>,
    ) -> PyResult<SignedRequest> {
        let options = call_options(
            biz_content,
            app_auth_token,
            auth_token,
            notify_url,
            return_url,
            extra_params,
            encrypt,
            timestamp,
        )?;
        let inner = detached(py, || Ok(self.inner.sign_request(&method, &options)?))?;
        Ok(SignedRequest { inner })
    }

    /// A verifier of this app's gateway responses (its sign type, charset, AES key, size limit).
    fn response_verifier(&self) -> ResponseVerifier {
        let signer = self.inner.signer();
        let inner = self.inner.response_verifier().clone();
        ResponseVerifier::wrap(inner, signer.sign_type(), signer.charset())
    }

    /// A verifier of the notifications posted to this app's gateway.
    fn notification_verifier(&self) -> NotificationVerifier {
        NotificationVerifier::wrap(self.inner.notification_verifier())
    }

    /// The signed XML answer to the gateway check (`service=alipay.service.check`).
    #[pyo3(signature = (verified = true))]
    fn service_check_answer(&self, py: Python<'_>, verified: bool) -> PyResult<String> {
        detached(py, || {
            Ok(notify::service_check_answer(self.inner.signer(), verified)?)
        })
    }

    fn __repr__(&self) -> PyResult<String> {
        guarded(|| {
            let signer = self.inner.signer();
            Ok(format!(
                "IsvConfig(app_id='{}', gateway='{}', sign_type='{}', charset='{}', \
                 app_key_fingerprint='{}', alipay_key_fingerprint='{}', aes={})",
                self.inner.app_id(),
                self.inner.gateway(),
                signer.sign_type(),
                signer.charset(),
                signer.key().public_key().fingerprint(),
                self.inner.alipay_public_key().fingerprint(),
                if self.inner.aes_key().is_some() {
                    "True"
                } else {
                    "False"
                },
            ))
        })
    }
}

/// The core call options from the keyword arguments `sign_request` and `Client.execute` share.
#[allow(clippy::too_many_arguments)]
pub(crate) fn call_options(
    biz_content: Option<&Bound<'_, PyAny>>,
    app_auth_token: Option<String>,
    auth_token: Option<String>,
    notify_url: Option<String>,
    return_url: Option<String>,
    extra_params: Option<&Bound<'_, PyAny>>,
    encrypt: bool,
    timestamp: Option<String>,
) -> PyResult<request::CallOptions> {
    Ok(request::CallOptions {
        app_auth_token,
        auth_token,
        notify_url,
        return_url,
        biz_content: biz_content.map(biz_content_text).transpose()?,
        extra_params: extra_params
            .map(extract_params)
            .transpose()?
            .unwrap_or_default(),
        encrypt,
        timestamp,
    })
}
