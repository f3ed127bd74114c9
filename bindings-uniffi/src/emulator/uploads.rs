//! [`UploadedFile`]: what the emulator kept of a file received by `alipay.open.file.upload` over v3
//! (`POST /v3/alipay/open/file/upload`, e.g. from `Client.uploadFileV3`), read back by
//! `Emulator.uploadedFile(fileId)` to check what arrived. The bytes are not kept, only what identifies
//! them.

use alipay_isv_emulator as core;

use super::Emulator;
use crate::error::Result;

/// A file the emulator received by `alipay.open.file.upload` (v3), by the `file_id` it answered.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct UploadedFile {
    /// The id the answer gave.
    pub file_id: String,
    /// The file name of the `file_content` part.
    pub file_name: String,
    /// The part's own `Content-Type`, when it had one.
    pub content_type: Option<String>,
    /// The size in bytes.
    pub size: u64,
    /// The lower-case hex MD5 of the bytes received.
    pub md5: String,
    /// The `biz_code` of the signed `data` part.
    pub biz_code: String,
    /// The merchant app the upload was made for (from the `alipay-app-auth-token` header), or null
    /// when the ISV uploaded for itself.
    pub auth_app_id: Option<String>,
    /// When it was received, epoch milliseconds on the emulator's clock.
    pub uploaded_ms: u64,
}

impl From<core::UploadedFile> for UploadedFile {
    fn from(file: core::UploadedFile) -> Self {
        UploadedFile {
            file_id: file.file_id,
            file_name: file.file_name,
            content_type: file.content_type,
            size: file.size,
            md5: file.md5,
            biz_code: file.biz_code,
            auth_app_id: file.auth_app_id,
            uploaded_ms: file.uploaded_ms,
        }
    }
}

#[uniffi::export]
impl Emulator {
    /// The file `alipay.open.file.upload` (v3) answered with this `file_id`: its name, size, MD5,
    /// `biz_code` and the merchant app it was uploaded for; null for an id the emulator never gave.
    ///
    /// Throws `AlipayException.Config` once the emulator is stopped.
    pub fn uploaded_file(&self, file_id: String) -> Result<Option<UploadedFile>> {
        self.with("Emulator.uploadedFile", |emulator| {
            Ok(emulator.uploaded_file(&file_id).map(UploadedFile::from))
        })
    }
}
