//! `alipay.open.file.upload` over v3 (`POST /v3/alipay/open/file/upload`): the one upload an ISV makes
//! for its merchants (materials, qualification images), a `data` part `{biz_code, extra_parameters?, md5?}`
//! and the file in part `file_content`; the answer names the stored file.

use md5::{Digest, Md5};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// The upload's path.
pub const FILE_UPLOAD_PATH: &str = "/v3/alipay/open/file/upload";
/// The file part's field.
pub const FILE_UPLOAD_FIELD: &str = "file_content";

/// What `alipay.open.file.upload` answered.
#[derive(Debug, Clone, PartialEq)]
pub struct FileUpload {
    /// The stored file's id, to pass to the API that uses it.
    pub file_id: String,
    /// Every field of the answer.
    pub fields: Map<String, Value>,
}

impl FileUpload {
    /// Reads an upload answer.
    ///
    /// # Errors
    /// [`Error::Protocol`] when it carries no `file_id`.
    pub fn from_response(fields: Map<String, Value>) -> Result<Self> {
        let file_id = match fields.get("file_id") {
            Some(Value::String(id)) if !id.trim().is_empty() => id.clone(),
            _ => {
                return Err(Error::protocol(
                    "the alipay.open.file.upload answer carries no file_id",
                ));
            }
        };
        Ok(FileUpload { file_id, fields })
    }
}

/// The md5 of bytes in memory, lower-case hex.
pub fn md5_hex(bytes: &[u8]) -> String {
    hex(&Md5::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}
