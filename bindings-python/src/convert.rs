//! Conversions shared by the protocol classes: body arguments (`bytes` or `str`), JSON values to
//! Python objects, parameter lists to `dict`, and the masked, key-only `repr` of parameters.

use alipay_isv::sign::Charset;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyDict, PyList, PyString};

use crate::error::guarded;

/// The default body size limit, 10 MiB; the literal in the `#[pyo3(signature)]`s must match it.
pub(crate) const DEFAULT_MAX_BODY_BYTES: usize = 10_485_760;
const _: () = assert!(DEFAULT_MAX_BODY_BYTES == alipay_isv::response::DEFAULT_MAX_BODY_BYTES);

/// A body handed in from Python: borrowed `bytes` (no copy), or `str` encoded for the call.
pub(crate) enum Body {
    /// `bytes` or `bytearray`, as given.
    Bytes(PyBackedBytes),
    /// `str`, encoded in the charset the body declares.
    Encoded(Vec<u8>),
}

impl Body {
    /// Reads a `bytes`/`bytearray` as is, or encodes a `str` in `charset`; `what` names the
    /// argument in the `TypeError`.
    pub(crate) fn extract(body: &Bound<'_, PyAny>, charset: Charset, what: &str) -> PyResult<Body> {
        if body.is_instance_of::<PyString>() {
            let text: PyBackedStr = body.extract()?;
            let bytes = guarded(|| Ok(charset.encode(&text)?.into_owned()))?;
            return Ok(Body::Encoded(bytes));
        }
        body.extract::<PyBackedBytes>()
            .map(Body::Bytes)
            .map_err(|_| PyTypeError::new_err(format!("{what} must be bytes or str")))
    }

    /// The bytes to verify.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Body::Bytes(bytes) => bytes,
            Body::Encoded(bytes) => bytes,
        }
    }
}

/// A JSON value as the Python object `json.loads` makes of it (exact integers, `None` for null).
pub(crate) fn json_to_py<'py>(
    py: Python<'py>,
    value: &serde_json::Value,
) -> PyResult<Bound<'py, PyAny>> {
    use pyo3::IntoPyObjectExt;
    use serde_json::Value;
    match value {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(flag) => flag.into_bound_py_any(py),
        Value::Number(number) => match (number.as_i64(), number.as_u64()) {
            (Some(signed), _) => signed.into_bound_py_any(py),
            (None, Some(unsigned)) => unsigned.into_bound_py_any(py),
            _ => number.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py),
        },
        Value::String(text) => Ok(PyString::new(py, text).into_any()),
        Value::Array(items) => {
            let converted = items
                .iter()
                .map(|item| json_to_py(py, item))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, converted)?.into_any())
        }
        Value::Object(fields) => {
            let dict = PyDict::new(py);
            for (key, field) in fields {
                dict.set_item(key, json_to_py(py, field)?)?;
            }
            Ok(dict.into_any())
        }
    }
}

/// Serialises `biz_content`: a `str` is used as is, a `dict` becomes compact JSON (keys in their
/// order, non-ASCII kept, `NaN`/`Infinity` refused).
pub(crate) fn biz_content_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    json_text(value, "biz_content")
}

/// Serialises the JSON argument `what` (`biz_content`, a v3 `body`) once: a `str` is used as is, a
/// `dict` becomes compact JSON (keys in their order, non-ASCII kept, `NaN`/`Infinity` refused).
pub(crate) fn json_text(value: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if value.is_instance_of::<PyString>() {
        return value.extract();
    }
    if !value.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a dict (serialised to JSON) or a JSON str"
        )));
    }
    let py = value.py();
    let kwargs = PyDict::new(py);
    kwargs.set_item("ensure_ascii", false)?;
    kwargs.set_item("allow_nan", false)?;
    kwargs.set_item("separators", (",", ":"))?;
    py.import("json")?
        .call_method("dumps", (value,), Some(&kwargs))?
        .extract()
}

/// Parameters as a `dict`, in their order.
pub(crate) fn params_dict<'py>(
    py: Python<'py>,
    params: &[(String, String)],
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (key, value) in params {
        dict.set_item(key, value)?;
    }
    Ok(dict)
}

/// `['key', …]`: the parameter names only, for a `repr` that never shows a value (tokens).
pub(crate) fn key_list(params: &[(String, String)]) -> String {
    let names: Vec<String> = params.iter().map(|(key, _)| format!("{key:?}")).collect();
    format!("[{}]", names.join(", ")).replace('"', "'")
}

/// `'text'` or `None`, for a `repr`.
pub(crate) fn optional(value: Option<&str>) -> String {
    value.map_or_else(|| "None".to_string(), |text| format!("'{text}'"))
}
