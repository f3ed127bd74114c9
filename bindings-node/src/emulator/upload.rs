//! The files the emulator received through `alipay.open.file.upload` over v3
//! (`POST /v3/alipay/open/file/upload`), mirroring `alipay_isv_emulator`'s `UploadedFile`: what a test
//! checks after `Client.uploadFileV3` (`Emulator.uploadedFile`).

use alipay_isv_emulator as core;
use napi_derive::napi;

/// One file the emulator stored for an upload (its bytes are not kept: their size and MD5 are).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct UploadedFile {
    /// The id the answer gave (`FileUpload.fileId`).
    pub file_id: String,
    /// The file name of the `file_content` part.
    pub file_name: String,
    /// The part's own `Content-Type`, when it had one.
    pub content_type: Option<String>,
    /// The size in bytes.
    pub size: i64,
    /// The lower-case hex MD5 of the bytes received.
    pub md5: String,
    /// The `biz_code` of the `data` part.
    pub biz_code: String,
    /// The merchant app the upload was made for (from the `alipay-app-auth-token` header); `null` when
    /// the ISV uploaded for itself.
    pub auth_app_id: Option<String>,
    /// When it was received, in milliseconds since the Unix epoch on the emulator's clock.
    pub uploaded_ms: i64,
}

impl From<core::UploadedFile> for UploadedFile {
    fn from(file: core::UploadedFile) -> Self {
        UploadedFile {
            file_id: file.file_id,
            file_name: file.file_name,
            content_type: file.content_type,
            size: i64::try_from(file.size).unwrap_or(i64::MAX),
            md5: file.md5,
            biz_code: file.biz_code,
            auth_app_id: file.auth_app_id,
            uploaded_ms: i64::try_from(file.uploaded_ms).unwrap_or(i64::MAX),
        }
    }
}
