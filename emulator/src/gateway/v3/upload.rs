//! `alipay.open.file.upload` over v3 (`POST /v3/alipay/open/file/upload`, `multipart/form-data`): the
//! merchant token when one is sent (401 `invalid-app-auth-token` / `app-auth-token-time-out`), the
//! `data` part's JSON (`biz_code`, optional `extra_parameters` and `md5`), the `file_content` part, and
//! the gateway's file checks — present (`invalid-parameter`), at most 10 MiB and not empty
//! (`invalid-file-size`), an accepted extension (`invalid-file-extension`), the declared MD5
//! (`file-check-fail`); then the file is recorded and answered `{"file_id": …}`.

use serde_json::{Map, Value, json};

use super::answer::{error, from_classic, invalid_parameter};
use super::multipart::Part;
use crate::gateway::delegated::app_token_answer;
use crate::http::response::Response;
use crate::shared::{Shared, lock};
use crate::state::UploadedFile;
use alipay_isv::v3::upload::md5_hex;

/// The operation's classic name (its path is `/v3/alipay/open/file/upload`).
pub const UPLOAD_METHOD: &str = "alipay.open.file.upload";
/// The form field of the file.
pub const FILE_PART: &str = "file_content";
/// The largest file accepted: 10 MiB.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The extensions accepted (case-insensitive).
pub const EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "bmp", "pdf", "mp4", "xls", "xlsx", "doc", "docx", "txt",
];

/// Handles an upload whose signature, token line and encryption were checked: `token` is the
/// `alipay-app-auth-token` header, `data` the (decrypted) text of the `data` part, `parts` the whole
/// form. Returns the answer's fields, or the v3 error.
pub fn upload(
    shared: &Shared,
    token: Option<&str>,
    data: &str,
    parts: &[Part<'_>],
) -> Result<Map<String, Value>, Response> {
    let auth_app_id = match token {
        None => None,
        Some(token) => {
            let status = lock(&shared.state).app_token_status(token, shared.now_ms());
            let valid = app_token_answer(UPLOAD_METHOD, status, false)
                .map_err(|answer| from_classic(&answer))?;
            Some(valid.auth_app_id)
        }
    };
    let fields = match data.trim() {
        "" => Map::new(),
        text => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(fields)) => fields,
            _ => return Err(invalid_parameter("the data part is not a JSON object")),
        },
    };
    let biz_code = match fields.get("biz_code") {
        Some(Value::String(code)) if !code.trim().is_empty() => code.trim().to_string(),
        _ => return Err(invalid_parameter("biz_code is required in the data part")),
    };
    let declared_md5 = match fields.get("md5") {
        None | Some(Value::Null) => None,
        Some(Value::String(md5)) if md5.trim().is_empty() => None,
        Some(Value::String(md5)) => Some(md5.trim().to_string()),
        Some(_) => return Err(invalid_parameter("md5 must be a string")),
    };
    let mut files = parts.iter().filter(|part| part.name == FILE_PART);
    let Some(file) = files.next() else {
        return Err(invalid_parameter(
            "the file_content part (the file to upload) is missing",
        ));
    };
    if files.next().is_some() {
        return Err(invalid_parameter("the file_content part is sent twice"));
    }
    if file.body.is_empty() || file.body.len() > MAX_FILE_BYTES {
        return Err(error(
            400,
            "invalid-file-size",
            &format!(
                "文件大小不合法: the file is {} bytes; 1 byte to 10 MiB ({MAX_FILE_BYTES} bytes) is accepted",
                file.body.len()
            ),
        ));
    }
    let file_name = file.file_name.clone().unwrap_or_default();
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default();
    if !EXTENSIONS.contains(&extension.as_str()) {
        return Err(error(
            400,
            "invalid-file-extension",
            &format!(
                "文件扩展名不合法: the file name must end in one of .{}",
                EXTENSIONS.join(", .")
            ),
        ));
    }
    let md5 = md5_hex(file.body);
    if declared_md5.is_some_and(|declared| !declared.eq_ignore_ascii_case(&md5)) {
        return Err(error(
            400,
            "file-check-fail",
            "文件校验失败: md5 is not the lowercase hex MD5 of the file's bytes",
        ));
    }
    let file_id = format!("A*{}", crate::ids::hex(40));
    let record = UploadedFile {
        file_id: file_id.clone(),
        file_name,
        content_type: file.content_type.clone(),
        size: file.body.len() as u64,
        md5,
        biz_code,
        auth_app_id,
        uploaded_ms: shared.now_ms(),
    };
    lock(&shared.state)
        .uploaded_files
        .insert(file_id.clone(), record);
    let mut answer = Map::new();
    answer.insert("file_id".into(), json!(file_id));
    Ok(answer)
}
