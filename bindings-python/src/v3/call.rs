//! What a v3 call is made of, read from Python: `V3File` (the Python face of
//! `alipay_isv::v3::V3File`, a file part of an upload, bytes in memory or a file streamed from disk)
//! and the keyword arguments shared by `Client.execute_v3`, `Registry.execute_v3_for` and
//! `IsvConfig.prepare_v3`, turned into the core's `V3Call`.
//!
//! The binding only converts: a `dict` body is serialised to JSON once, here; the path, the query
//! encoding, the JSON check, AES and the multipart body are the core's.

use std::path::PathBuf;

use alipay_isv::Error;
use alipay_isv::v3::{self, FILE_UPLOAD_FIELD, FileSource};
use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::convert::json_text;
use crate::error::guarded;

/// One file of an OpenAPI v3 upload (``multipart/form-data``): its bytes in memory
/// (``content``) or a file on disk (``path``, streamed when the request is sent, never read whole).
/// Immutable; equal to another when every field is. ``repr()`` shows the size of ``content``,
/// not the bytes.
///
/// A file part.
///
/// Args:
///     field: the form field, ``"file_content"`` for ``alipay.open.file.upload`` (what
///         :meth:`Client.upload_file_v3` sends whatever this says).
///     file_name: the file name sent (its extension is what Alipay checks); required with
///         ``content``; with ``path``, the file's own name when left out.
///     content: the bytes (``bytes`` or ``bytearray``).
///     path: a file on disk (``str`` or ``os.PathLike``), read when the request is sent.
///     content_type: the part's ``Content-Type``; guessed from the extension when left out
///         (``image/jpeg``, ``image/png``, ``application/pdf``, ...;
///         ``application/octet-stream`` otherwise).
///
/// Raises:
///     ConfigError: neither or both of ``content`` and ``path``; ``content`` without a
///         ``file_name``, or a ``path`` that names no file.
///     TypeError: ``content`` not ``bytes``/``bytearray``, ``path`` not a path.
#[pyclass(module = "alipay_isv", frozen, eq)]
#[derive(PartialEq)]
pub struct V3File {
    pub(crate) inner: v3::V3File,
}

#[pymethods]
impl V3File {
    /// A file part.
    ///
    /// Args:
    ///     field: the form field, ``"file_content"`` for ``alipay.open.file.upload`` (what
    ///         :meth:`Client.upload_file_v3` sends whatever this says).
    ///     file_name: the file name sent (its extension is what Alipay checks); required with
    ///         ``content``; with ``path``, the file's own name when left out.
    ///     content: the bytes (``bytes`` or ``bytearray``).
    ///     path: a file on disk (``str`` or ``os.PathLike``), read when the request is sent.
    ///     content_type: the part's ``Content-Type``; guessed from the extension when left out
    ///         (``image/jpeg``, ``image/png``, ``application/pdf``, ...;
    ///         ``application/octet-stream`` otherwise).
    ///
    /// Raises:
    ///     ConfigError: neither or both of ``content`` and ``path``; ``content`` without a
    ///         ``file_name``, or a ``path`` that names no file.
    ///     TypeError: ``content`` not ``bytes``/``bytearray``, ``path`` not a path.
    #[new]
    #[pyo3(signature = (
        field = "file_content",
        *,
        file_name = None,
        content = None,
        path = None,
        content_type = None,
    ))]
    fn new(
        field: &str,
        file_name: Option<String>,
        content: Option<&Bound<'_, PyAny>>,
        path: Option<PathBuf>,
        content_type: Option<String>,
    ) -> PyResult<Self> {
        let content = content
            .map(|content| {
                content
                    .extract::<PyBackedBytes>()
                    .map_err(|_| PyTypeError::new_err("content must be bytes or bytearray"))
            })
            .transpose()?;
        guarded(|| {
            let mut file = match (content, path) {
                (Some(content), None) => {
                    let name = file_name.clone().unwrap_or_default();
                    if name.trim().is_empty() {
                        return Err(Error::config(
                            "a V3File of `content` needs a `file_name` (its extension is what \
                             Alipay checks)",
                        )
                        .into());
                    }
                    v3::V3File::from_bytes(field, name, content.to_vec())
                }
                (None, Some(path)) => {
                    let mut file = v3::V3File::from_path(field, path);
                    if let Some(name) = &file_name {
                        file.file_name.clone_from(name);
                    }
                    if file.file_name.trim().is_empty() {
                        return Err(Error::config(
                            "the V3File `path` names no file (give a file's path, or a \
                             `file_name`)",
                        )
                        .into());
                    }
                    file
                }
                _ => {
                    return Err(Error::config(
                        "give a V3File exactly one of `content` (bytes) and `path` (a file on disk)",
                    )
                    .into());
                }
            };
            file.content_type = content_type.unwrap_or_default();
            Ok(V3File { inner: file })
        })
    }

    /// The form field of the part.
    #[getter]
    fn field(&self) -> &str {
        &self.inner.field
    }

    /// The file name sent.
    #[getter]
    fn file_name(&self) -> &str {
        &self.inner.file_name
    }

    /// The part's ``Content-Type``: the one given, or the extension's.
    #[getter]
    fn content_type(&self) -> String {
        self.inner.effective_content_type()
    }

    /// The bytes, for a file in memory; else ``None``.
    #[getter]
    fn content<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        match &self.inner.source {
            FileSource::Bytes(bytes) => Some(PyBytes::new(py, bytes)),
            FileSource::Path(_) => None,
        }
    }

    /// The file on disk (a ``pathlib.Path``), for a streamed file; else ``None``.
    #[getter]
    fn path(&self) -> Option<PathBuf> {
        match &self.inner.source {
            FileSource::Bytes(_) => None,
            FileSource::Path(path) => Some(path.clone()),
        }
    }

    fn __repr__(&self) -> String {
        let source = match &self.inner.source {
            FileSource::Bytes(bytes) => format!("content=<{} bytes>", bytes.len()),
            FileSource::Path(path) => format!("path='{}'", path.display()),
        };
        format!(
            "V3File(field='{}', file_name='{}', content_type='{}', {source})",
            self.inner.field,
            self.inner.file_name,
            self.inner.effective_content_type()
        )
    }
}

/// The core file of a `V3File` for `alipay.open.file.upload` (its field is the upload's).
pub(crate) fn upload_file(file: &V3File) -> v3::V3File {
    v3::V3File {
        field: FILE_UPLOAD_FIELD.to_string(),
        ..file.inner.clone()
    }
}

/// The keyword arguments of a v3 call, as Python gave them.
pub(crate) struct CallArgs<'a, 'py> {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Option<&'a Bound<'py, PyAny>>,
    pub(crate) body: Option<&'a Bound<'py, PyAny>>,
    pub(crate) app_auth_token: Option<String>,
    pub(crate) encrypt: bool,
    pub(crate) files: Option<&'a Bound<'py, PyAny>>,
    pub(crate) request_id: Option<String>,
}

impl CallArgs<'_, '_> {
    /// The core call: the body serialised once (a `dict` to compact JSON, a `str` as is), the
    /// query pairs in their order, the files' parts.
    pub(crate) fn into_call(self) -> PyResult<v3::V3Call> {
        let mut call = v3::V3Call::new(self.method, self.path)
            .app_auth_token(self.app_auth_token.as_deref())
            .encrypted(self.encrypt);
        call.query = self.query.map(query_pairs).transpose()?.unwrap_or_default();
        call.body = self.body.map(|body| json_text(body, "body")).transpose()?;
        call.files = self.files.map(file_parts).transpose()?.unwrap_or_default();
        call.request_id = self.request_id;
        Ok(call)
    }
}

/// The `TypeError` of a `query` of another shape.
fn query_shape_error() -> PyErr {
    PyTypeError::new_err(
        "query must be a Mapping[str, str] (e.g. a dict) or a sequence of (name, value) pairs of str",
    )
}

/// The query pairs of a mapping (its `items()`, in order) or of an iterable of pairs (names may
/// repeat). A value is never echoed: it may be a token.
fn query_pairs(query: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let py = query.py();
    if query.is_instance_of::<PyString>() || query.is_instance_of::<PyBytes>() {
        return Err(query_shape_error());
    }
    let items = if let Ok(dict) = query.cast::<PyDict>() {
        dict.items().into_any()
    } else if query.hasattr(intern!(py, "items"))? {
        query.call_method0(intern!(py, "items"))?
    } else {
        query.clone()
    };
    let mut pairs = Vec::new();
    for item in items.try_iter().map_err(|_| query_shape_error())? {
        let item = item?;
        let is_pair = (item.is_instance_of::<PyTuple>() || item.is_instance_of::<PyList>())
            && item.len()? == 2;
        if !is_pair {
            return Err(query_shape_error());
        }
        let name: String = item
            .get_item(0)?
            .cast_into::<PyString>()
            .map_err(|_| query_shape_error())?
            .to_str()?
            .to_owned();
        let value = match item.get_item(1)?.cast_into::<PyString>() {
            Ok(value) => value.to_str()?.to_owned(),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "the query parameter `{name}` must be a str (convert it first)"
                )));
            }
        };
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// The core parts of a sequence of `V3File`s.
fn file_parts(files: &Bound<'_, PyAny>) -> PyResult<Vec<v3::V3File>> {
    let error = || PyTypeError::new_err("files must be a sequence of V3File");
    if files.is_instance_of::<V3File>()
        || files.is_instance_of::<PyString>()
        || files.is_instance_of::<PyBytes>()
    {
        return Err(error());
    }
    files
        .try_iter()
        .map_err(|_| error())?
        .map(|file| {
            let file = file?;
            let file = file.cast::<V3File>().map_err(|_| error())?;
            Ok(file.get().inner.clone())
        })
        .collect()
}
