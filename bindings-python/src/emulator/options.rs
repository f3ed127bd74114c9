//! What the emulator's methods read from Python: key arguments (the binding's key objects or their
//! PEM / Base64 text) for `Emulator(...)` and `issue_app_cert`, and the faults of `set_fault` —
//! the options of `alipay_isv_emulator` (`EmulatorOptions`, `Fault`) in Python's units.

use alipay_isv::Error;
use alipay_isv::key::{PrivateKey as CorePrivateKey, PublicKey as CorePublicKey};
use alipay_isv_emulator as emulator;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyString;

use crate::client::seconds;
use crate::error::{Failure, guarded};
use crate::key::{PrivateKey, PublicKey};

/// A key argument: the binding's key object, or its text (PEM or Base64).
pub(super) enum KeyArg {
    /// Text to parse.
    Text(PyBackedStr),
    /// An already parsed public key.
    Public(Box<CorePublicKey>),
    /// An already parsed private key, exported for the emulator to own a copy.
    Private(zeroize::Zeroizing<String>),
}

impl KeyArg {
    pub(super) fn public(value: &Bound<'_, PyAny>) -> PyResult<KeyArg> {
        if let Ok(key) = value.cast::<PublicKey>() {
            return Ok(KeyArg::Public(Box::new((*key.get().inner).clone())));
        }
        Self::text(value, "app_public_key must be a PublicKey or its PEM text")
    }

    pub(super) fn private(value: &Bound<'_, PyAny>) -> PyResult<KeyArg> {
        if let Ok(key) = value.cast::<PrivateKey>() {
            let pem = guarded(|| Ok(key.get().inner.to_pkcs8_pem()?))?;
            return Ok(KeyArg::Private(pem));
        }
        Self::text(
            value,
            "alipay_private_key must be a PrivateKey or its PEM text",
        )
    }

    fn text(value: &Bound<'_, PyAny>, message: &'static str) -> PyResult<KeyArg> {
        if value.is_instance_of::<PyString>() {
            return Ok(KeyArg::Text(value.extract()?));
        }
        Err(PyTypeError::new_err(message))
    }

    pub(super) fn into_public(self) -> Result<CorePublicKey, Failure> {
        match self {
            KeyArg::Public(key) => Ok(*key),
            KeyArg::Text(text) => Ok(CorePublicKey::from_text(&text)?),
            KeyArg::Private(_) => Err(Error::config("a private key is not a public key").into()),
        }
    }

    pub(super) fn into_private(self) -> Result<CorePrivateKey, Failure> {
        match self {
            KeyArg::Private(pem) => Ok(CorePrivateKey::from_text(&pem)?),
            KeyArg::Text(text) => Ok(CorePrivateKey::from_text(&text)?),
            KeyArg::Public(_) => Err(Error::config("a public key is not a private key").into()),
        }
    }
}

/// The core fault named `kind` with its details in Python's units (seconds, bytes); the emulator
/// crate checks names, required and foreign details and limits.
pub(super) fn fault(
    kind: &str,
    delay: Option<f64>,
    pause: Option<f64>,
    size: Option<usize>,
) -> Result<emulator::Fault, Failure> {
    let detail = emulator::FaultDetail {
        delay: delay.map(|value| seconds(value, "delay")).transpose()?,
        pause: pause.map(|value| seconds(value, "pause")).transpose()?,
        size,
    };
    Ok(emulator::Fault::from_name(kind, detail)?)
}
