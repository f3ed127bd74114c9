//! The Python face of `alipay_isv::v3::answer`, behind `IsvConfig.v3_verify` and
//! `IsvConfig.read_v3_answer`: an answer's status, headers (a mapping or `(name, value)` pairs, in
//! the shapes Python's HTTP libraries hand out) and raw body in, the verdict's name (`"verified"`,
//! `"unsigned"`) or the verified `V3Response` out.
//!
//! Headers are passed on as given, repeats included: whether a name given twice is refused, and
//! how names compare, is the core's.

use alipay_isv::config;
use alipay_isv::sign::Charset;
use alipay_isv::v3::{V3Answer, V3Verdict};
use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

use super::response::{ReadResponse, V3Response};
use crate::convert::Body;
use crate::error::detached;

/// Verifies a v3 answer with `config`'s Alipay key or trusted certificates (the GIL released).
pub(crate) fn verify(
    py: Python<'_>,
    config: &config::IsvConfig,
    status: u16,
    headers: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
) -> PyResult<&'static str> {
    let headers = header_pairs(headers)?;
    let body = Body::extract(body, Charset::Utf8, "body")?;
    let verdict = detached(py, || {
        let answer = V3Answer {
            status,
            headers: &headers,
            body: body.as_bytes(),
        };
        Ok(answer.verify(config)?)
    })?;
    Ok(match verdict {
        V3Verdict::Verified => "verified",
        V3Verdict::Unsigned => "unsigned",
    })
}

/// Verifies and reads a v3 answer to a call that was (`encrypted`) or was not encrypted, with
/// `config` (the GIL released): a verified success, or the typed error of the core.
pub(crate) fn read(
    py: Python<'_>,
    config: &config::IsvConfig,
    status: u16,
    headers: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    encrypted: bool,
) -> PyResult<V3Response> {
    let headers = header_pairs(headers)?;
    let body = Body::extract(body, Charset::Utf8, "body")?;
    let read = detached(py, || {
        let answer = V3Answer {
            status,
            headers: &headers,
            body: body.as_bytes(),
        };
        ReadResponse::new(config.read_v3_answer(&answer, encrypted)?)
    })?;
    V3Response::convert(py, read)
}

/// The `TypeError` of a `headers` argument of another shape.
fn shape_error() -> PyErr {
    PyTypeError::new_err(
        "headers must be a mapping or a sequence of (name, value) pairs of str (or bytes)",
    )
}

/// Every `(name, value)` of `headers`, repeats included: `multi_items()` when it has them
/// (httpx, Starlette), else `items()` (a `dict`, aiohttp's multidicts, `http.client`'s and
/// werkzeug's headers), else the object itself as an iterable of pairs.
fn header_pairs(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let py = headers.py();
    if headers.is_instance_of::<PyString>() || headers.is_instance_of::<PyBytes>() {
        return Err(shape_error());
    }
    let items = if headers.hasattr(intern!(py, "multi_items"))? {
        headers.call_method0(intern!(py, "multi_items"))?
    } else if headers.hasattr(intern!(py, "items"))? {
        headers.call_method0(intern!(py, "items"))?
    } else {
        headers.clone()
    };
    let mut pairs = Vec::new();
    for item in items.try_iter().map_err(|_| shape_error())? {
        let item = item?;
        let is_pair = (item.is_instance_of::<PyTuple>() || item.is_instance_of::<PyList>())
            && item.len()? == 2;
        if !is_pair {
            return Err(shape_error());
        }
        pairs.push((
            header_text(&item.get_item(0)?)?,
            header_text(&item.get_item(1)?)?,
        ));
    }
    Ok(pairs)
}

/// A header name or value: a `str`, or `bytes` read as Latin-1 (as HTTP, WSGI and ASGI servers
/// do).
fn header_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(text.to_str()?.to_owned());
    }
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(bytes
            .as_bytes()
            .iter()
            .map(|&byte| char::from(byte))
            .collect());
    }
    Err(shape_error())
}
