//! `UploadedFile`: a file the emulator stored for an OpenAPI v3 upload (`alipay.open.file.upload`,
//! `POST /v3/alipay/open/file/upload`), what a test checks after `Client.upload_file_v3`
//! (`Emulator.uploaded_file`). The Python face of `alipay_isv_emulator::UploadedFile`.

use alipay_isv_emulator as emulator;
use pyo3::prelude::*;

use crate::convert::optional;

/// A file the emulator stored for an OpenAPI v3 upload (:meth:`Emulator.uploaded_file`): its
/// name, size and MD5 (the bytes are not kept), ``biz_code`` and the merchant app it was uploaded
/// for.
#[pyclass(module = "alipay_isv", frozen)]
pub struct UploadedFile {
    inner: emulator::UploadedFile,
}

impl UploadedFile {
    /// Wraps the emulator's record.
    pub(crate) fn wrap(inner: emulator::UploadedFile) -> Self {
        UploadedFile { inner }
    }
}

#[pymethods]
impl UploadedFile {
    /// The id the answer gave (:attr:`FileUpload.file_id`).
    #[getter]
    fn file_id(&self) -> &str {
        &self.inner.file_id
    }

    /// The file name of the ``file_content`` part.
    #[getter]
    fn file_name(&self) -> &str {
        &self.inner.file_name
    }

    /// The part's own ``Content-Type``, when it had one.
    #[getter]
    fn content_type(&self) -> Option<&str> {
        self.inner.content_type.as_deref()
    }

    /// The size in bytes.
    #[getter]
    fn size(&self) -> u64 {
        self.inner.size
    }

    /// The lower-case hex MD5 of the bytes received.
    #[getter]
    fn md5(&self) -> &str {
        &self.inner.md5
    }

    /// The ``biz_code`` of the ``data`` part.
    #[getter]
    fn biz_code(&self) -> &str {
        &self.inner.biz_code
    }

    /// The merchant app the upload was made for (from the ``alipay-app-auth-token`` header);
    /// ``None`` when the ISV uploaded for itself.
    #[getter]
    fn auth_app_id(&self) -> Option<&str> {
        self.inner.auth_app_id.as_deref()
    }

    /// When it was received, in milliseconds since the Unix epoch on the emulator's clock.
    #[getter]
    fn uploaded_ms(&self) -> u64 {
        self.inner.uploaded_ms
    }

    fn __repr__(&self) -> String {
        let file = &self.inner;
        format!(
            "UploadedFile(file_id='{}', file_name='{}', content_type={}, size={}, md5='{}', \
             biz_code='{}', auth_app_id={}, uploaded_ms={})",
            file.file_id,
            file.file_name,
            optional(file.content_type.as_deref()),
            file.size,
            file.md5,
            file.biz_code,
            optional(file.auth_app_id.as_deref()),
            file.uploaded_ms,
        )
    }
}
