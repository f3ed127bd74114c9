//! `V3Response` and `FileUpload`: the Python face of `alipay_isv::v3::V3Response` (a verified v3
//! success, from `Client.execute_v3`, `Registry.execute_v3_for` and `IsvConfig.read_v3_answer`) and
//! of `alipay_isv::v3::FileUpload` (what `Client.upload_file_v3` answers).
//!
//! The fields are built from the answer's JSON text as `json.loads` builds them (keys in document
//! order), the text tokenized with the GIL released. `repr()` shows field names only: answers carry
//! tokens.

use alipay_isv::v3::{self, V3Verdict};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{json_to_py, optional};
use crate::error::Failure;
use crate::json_text::Tape;

/// A verified OpenAPI v3 success (HTTP 2xx): the answer's status, JSON text and fields.
/// ``repr()`` shows the field names only.
#[pyclass(module = "alipay_isv", frozen)]
pub struct V3Response {
    /// The HTTP status (2xx).
    #[pyo3(get)]
    status: u16,
    /// The answer's JSON text as received (decrypted when the call was encrypted); ``""`` for
    /// an empty body.
    #[pyo3(get)]
    body: String,
    /// The answer's fields as ``json.loads`` gives them, keys in document order (``{}`` for an
    /// empty body); integers beyond 64 bits become ``float``.
    #[pyo3(get)]
    fields: Py<PyDict>,
    /// Alipay's trace id (the ``alipay-trace-id`` header), when the answer named one: quote it
    /// to Alipay's support.
    #[pyo3(get)]
    trace_id: Option<String>,
    /// Whether the answer's ``alipay-signature`` verified (always ``True`` for a success: an
    /// unsigned one is a ``SignatureError``).
    #[pyo3(get)]
    verified: bool,
}

/// A core v3 response with its body tokenized, ready to become a [`V3Response`] (made with the
/// GIL released).
pub(crate) struct ReadResponse {
    response: v3::V3Response,
    tape: Option<Tape>,
}

impl ReadResponse {
    /// Tokenizes the response's body (no GIL needed).
    pub(crate) fn new(response: v3::V3Response) -> Result<Self, Failure> {
        let tape = match response.body.trim() {
            "" => None,
            _ => Some(Tape::parse(&response.body).map_err(|error| {
                Failure::from(alipay_isv::Error::protocol(format!(
                    "the v3 answer is not JSON: {error}"
                )))
            })?),
        };
        Ok(ReadResponse { response, tape })
    }
}

impl V3Response {
    /// The Python object of a read response.
    pub(crate) fn convert(py: Python<'_>, read: ReadResponse) -> PyResult<Self> {
        let ReadResponse { response, tape } = read;
        let fields = match &tape {
            Some(tape) => tape.build_object(py, &response.body)?,
            None => PyDict::new(py),
        };
        Ok(V3Response {
            status: response.status,
            fields: fields.unbind(),
            trace_id: response.trace_id,
            verified: response.verdict == V3Verdict::Verified,
            body: response.body,
        })
    }
}

#[pymethods]
impl V3Response {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "V3Response(status={}, fields=[{}], trace_id={}, verified={})",
            self.status,
            field_names(self.fields.bind(py))?,
            optional(self.trace_id.as_deref()),
            if self.verified { "True" } else { "False" }
        ))
    }
}

/// What ``alipay.open.file.upload`` answered (:meth:`Client.upload_file_v3`): the stored
/// file's id and every field of the answer. ``repr()`` shows the id and the field names.
#[pyclass(module = "alipay_isv", frozen)]
pub struct FileUpload {
    /// The stored file's id, to pass to the API that uses the file.
    #[pyo3(get)]
    file_id: String,
    /// Every field of the answer (``file_id`` among them).
    #[pyo3(get)]
    fields: Py<PyDict>,
}

impl FileUpload {
    /// The Python object of a core upload answer.
    pub(crate) fn convert(py: Python<'_>, upload: v3::FileUpload) -> PyResult<Self> {
        let fields = json_to_py(py, &serde_json::Value::Object(upload.fields))?;
        Ok(FileUpload {
            file_id: upload.file_id,
            fields: fields.cast_into::<PyDict>()?.unbind(),
        })
    }
}

#[pymethods]
impl FileUpload {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "FileUpload(file_id='{}', fields=[{}])",
            self.file_id,
            field_names(self.fields.bind(py))?
        ))
    }
}

/// `'a', 'b'`: the keys of a fields `dict`, never its values.
fn field_names(fields: &Bound<'_, PyDict>) -> PyResult<String> {
    let names: Vec<String> = fields
        .keys()
        .iter()
        .map(|key| key.str().map(|text| format!("'{text}'")))
        .collect::<PyResult<_>>()?;
    Ok(names.join(", "))
}
