//! A v3 answer once verified, mirroring `alipay_isv::v3::response` and `::upload`: [`V3Response`]
//! (status, the JSON text — decrypted —, its fields, the trace id), [`FileUpload`] (what
//! `alipay.open.file.upload` answered), and `IsvConfig.readV3Answer`, the sans-IO reading of an answer
//! received by the caller's own HTTP stack. `toString()` shows field names, never values (a token
//! answer holds tokens).

use std::collections::HashMap;
use std::fmt;

use alipay_isv::v3 as core;
use serde_json::Value;

use super::{HttpHeader, headers_to_core};
use crate::config::IsvConfig;
use crate::error::{Result, guard};
use crate::response::scalar_fields;

/// A v3 success, verified (and decrypted when the call was encrypted): from `Client.executeV3`,
/// `Registry.executeV3For` or `IsvConfig.readV3Answer`. `toString()` shows the field names only.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct V3Response {
    /// The HTTP status (2xx).
    pub status: u16,
    /// The answer's JSON text as received (decrypted when the call was encrypted); empty for an
    /// empty body.
    pub body: String,
    /// The answer's fields as compact JSON object text (`{}` for an empty body): parse it with any
    /// JSON library, e.g. `JSONObject(response.fieldsJson)`.
    pub fields_json: String,
    /// The top-level fields whose values are strings, numbers or booleans, as text (nested objects,
    /// arrays and nulls are only in `fieldsJson`).
    pub fields: HashMap<String, String>,
    /// Alipay's trace id (`alipay-trace-id`), when the answer named one.
    pub trace_id: Option<String>,
    /// Whether the answer's signature verified (always true: a 2xx answer must be signed).
    pub verified: bool,
}

impl V3Response {
    /// Converts the core answer.
    pub(crate) fn from_core(response: core::V3Response) -> Self {
        V3Response {
            status: response.status,
            fields: scalar_fields(&response.fields),
            fields_json: Value::Object(response.fields).to_string(),
            body: response.body,
            trace_id: response.trace_id,
            verified: response.verdict == core::V3Verdict::Verified,
        }
    }
}

/// The names of the fields of compact JSON object text, as `toString()` shows them.
fn field_names(fields_json: &str) -> Vec<String> {
    serde_json::from_str::<serde_json::Map<String, Value>>(fields_json)
        .map(|fields| fields.keys().cloned().collect())
        .unwrap_or_default()
}

impl fmt::Debug for V3Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for V3Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "V3Response(status={}, fields={:?}, traceId={}, verified={})",
            self.status,
            field_names(&self.fields_json),
            self.trace_id.as_deref().unwrap_or("null"),
            self.verified
        )
    }
}

/// What `alipay.open.file.upload` answered (`Client.uploadFileV3`): the stored file's id, to pass to
/// the API that uses it, and every field of the answer.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct FileUpload {
    /// The stored file's id.
    pub file_id: String,
    /// The top-level scalar fields of the answer as text (`file_id` included).
    pub fields: HashMap<String, String>,
    /// Every field of the answer as compact JSON object text.
    pub fields_json: String,
}

impl From<core::FileUpload> for FileUpload {
    fn from(upload: core::FileUpload) -> Self {
        FileUpload {
            file_id: upload.file_id,
            fields: scalar_fields(&upload.fields),
            fields_json: Value::Object(upload.fields).to_string(),
        }
    }
}

impl fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for FileUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "FileUpload(fileId={}, fields={:?})",
            self.file_id,
            field_names(&self.fields_json)
        )
    }
}

#[uniffi::export]
impl IsvConfig {
    /// Verifies and reads an OpenAPI v3 answer your own HTTP stack received for a request of
    /// `prepareV3` (sans-IO): its HTTP `status`, every header (names in any case, in order, repeats
    /// kept; `Map` and JDK `HttpHeaders` overloads are in `V3Headers.kt`) and the raw `body` bytes;
    /// `encrypted` as the prepared request's `encrypted` says (the answer is then decrypted with the
    /// AES key). Blocking (RSA).
    ///
    /// Throws `AlipayException.Api` for a v3 error answer (`code` such as `invalid-app-auth-token`,
    /// `msg`, `httpStatus`, `traceId`, `links`, a `hint` for the codes ISVs meet, `signed` when it
    /// carried a signature that verified); `.Transport` for a non-2xx answer that is not an Alipay
    /// error (a proxy's page: the call may or may not have run); `.Signature` for a 2xx answer
    /// without `alipay-signature` (is the endpoint a v2 `gateway.do`?), a signature that does not
    /// verify, or in certificate mode an `alipay-sn` not trusted yet (fetch it with
    /// `Client.fetchAlipayCert`, then read again); `.Protocol` for a duplicated signature header, a
    /// timestamp that is not a number, a body that is not UTF-8, over 10 MiB, not a JSON object or
    /// that does not decrypt; `.Config` for a status outside 0–65535.
    #[uniffi::method(default(encrypted = false))]
    pub fn read_v3_answer(
        &self,
        status: i32,
        headers: Vec<HttpHeader>,
        body: Vec<u8>,
        encrypted: bool,
    ) -> Result<V3Response> {
        guard("IsvConfig.readV3Answer", || {
            let status = u16::try_from(status).map_err(|_| {
                alipay_isv::Error::config(format!("{status} is not an HTTP status"))
            })?;
            let headers = headers_to_core(headers);
            let answer = core::V3Answer {
                status,
                headers: &headers,
                body: &body,
            };
            self.core()
                .read_v3_answer(&answer, encrypted)
                .map(V3Response::from_core)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_string_shows_names_not_values() {
        let fields: serde_json::Map<String, Value> = serde_json::from_str(
            r#"{"app_auth_token":"202612BB0123456789abcdef","expires_in":3600,"nested":{"a":1}}"#,
        )
        .unwrap();
        let response = V3Response::from_core(core::V3Response {
            status: 200,
            body: Value::Object(fields.clone()).to_string(),
            fields,
            trace_id: Some("trace-1".into()),
            verdict: core::V3Verdict::Verified,
        });
        assert!(response.verified);
        assert_eq!(response.fields["expires_in"], "3600");
        assert!(!response.fields.contains_key("nested"));
        let shown = response.to_string();
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(shown.contains("app_auth_token"), "{shown}");
        assert!(shown.contains("trace-1"), "{shown}");
    }
}
