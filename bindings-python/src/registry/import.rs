//! `TokenImport`: what `Registry.import_token` did (an `IngestOutcome`) and the merchant's record as it
//! is stored now — the Python face of `alipay_isv::registry::TokenImport`. `repr()` masks the tokens.

use alipay_isv::registry;
use pyo3::prelude::*;

use super::record::{MerchantAuthorisation, outcome};

/// What :meth:`Registry.import_token` did, and the merchant's record as stored now.
/// ``repr()`` masks the tokens.
#[pyclass(module = "alipay_isv", frozen)]
pub struct TokenImport {
    outcome: registry::IngestOutcome,
    record: Py<MerchantAuthorisation>,
}

impl TokenImport {
    /// Wraps a core import result.
    pub(crate) fn wrap(py: Python<'_>, imported: registry::TokenImport) -> PyResult<Self> {
        Ok(TokenImport {
            outcome: imported.outcome,
            record: Py::new(py, MerchantAuthorisation::wrap(imported.record))?,
        })
    }
}

#[pymethods]
impl TokenImport {
    /// ``APPLIED`` (stored or updated), ``DUPLICATE`` (this token was already stored) or
    /// ``STALE`` (the stored token is newer, or the record was revoked after this token's
    /// authorisation: nothing changed).
    #[getter]
    fn outcome<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        outcome(py, self.outcome)
    }

    /// The merchant's record after the import (the stored one when nothing changed).
    #[getter]
    fn record(&self, py: Python<'_>) -> Py<MerchantAuthorisation> {
        self.record.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "TokenImport(outcome='{}', record={})",
            self.outcome.as_str(),
            self.record.bind(py).repr()?
        ))
    }
}
