//! A v3 answer read ([`V3Response`], from `Client.executeV3` or `IsvConfig.readV3Answer`) and the
//! answer of a file upload ([`FileUpload`]), mirroring `alipay_isv::v3::response` and `upload`.
//!
//! A 2xx answer is verified over its exact bytes, decrypted when the call was encrypted, and read as
//! the flat JSON object of the operation's fields; any other status is a typed error: an
//! `ALIPAY_API_ERROR` with `httpStatus`, the v3 `apiCode` (e.g. `invalid-app-auth-token`), `msg`,
//! `hint`, `traceId` and `links`, or an `ALIPAY_TRANSPORT_ERROR` for a proxy's page.

use alipay_isv::secret::mask_json;
use alipay_isv::v3 as core;
use napi::Env;
use napi_derive::napi;
use serde_json::{Map, Value};

use super::{V3Answer, answer_headers, http_status};
use crate::config::IsvConfig;
use crate::convert::with_body;
use crate::error::OrThrow;
use crate::json::Json;

/// A verified OpenAPI v3 answer (2xx): its status, its JSON text (decrypted), its fields and Alipay's
/// trace id. Error answers are never a `V3Response`: they throw.
///
/// The fields carry whatever the operation returns, tokens included (`app_auth_token`,
/// `access_token`, …): `toString()` and `util.inspect` mask them, `body` and `fields` do not.
#[napi]
pub struct V3Response {
    pub(crate) inner: core::V3Response,
}

#[napi]
impl V3Response {
    /// The HTTP status (2xx).
    #[napi(getter, catch_unwind)]
    pub fn status(&self) -> u32 {
        u32::from(self.inner.status)
    }

    /// The answer's JSON text as received (decrypted when the call was encrypted); empty for an empty
    /// body. May carry tokens.
    #[napi(getter, catch_unwind)]
    pub fn body(&self) -> String {
        self.inner.body.clone()
    }

    /// The answer's fields (`{}` for an empty body), as the operation returns them. A new object on
    /// every read, built by one `JSON.parse` (of the answer's own text, in its key order, when that
    /// gives the same values). May carry tokens.
    #[napi(getter, catch_unwind, ts_return_type = "Record<string, any>")]
    pub fn fields(&self) -> Json {
        if self.inner.body.trim().is_empty() {
            return Json::value(Value::Object(Map::new()));
        }
        Json::object_text(self.inner.body.trim().to_string())
    }

    /// Alipay's trace id (`alipay-trace-id`), to quote to Alipay's support; `null` when the answer
    /// named none.
    #[napi(getter, catch_unwind)]
    pub fn trace_id(&self) -> Option<String> {
        self.inner.trace_id.clone()
    }

    /// Whether the answer's signature verified: always `true` for a `V3Response` (an unsigned or
    /// badly signed 2xx answer throws `ALIPAY_SIGNATURE_ERROR`).
    #[napi(getter, catch_unwind)]
    pub fn verified(&self) -> bool {
        self.inner.verdict == core::V3Verdict::Verified
    }

    /// `V3Response(HTTP 200, verified, trace id 0b2f…, fields: {"app_auth_token":"2026…(40 chars)",
    /// …})`: every secret field masked.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        let mut fields = Value::Object(self.inner.fields.clone());
        mask_json(&mut fields);
        format!(
            "V3Response(HTTP {}, {}, trace id {}, fields: {fields})",
            self.inner.status,
            if self.verified() {
                "verified"
            } else {
                "unsigned"
            },
            self.inner.trace_id.as_deref().unwrap_or("none"),
        )
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}

/// What `alipay.open.file.upload` answered (`Client.uploadFileV3`).
#[napi(object, object_from_js = false)]
pub struct FileUpload {
    /// The stored file's id, to pass to the API that uses it.
    pub file_id: String,
    /// Every field of the answer.
    #[napi(ts_type = "Record<string, any>")]
    pub fields: Json,
}

impl From<core::FileUpload> for FileUpload {
    fn from(upload: core::FileUpload) -> Self {
        FileUpload {
            file_id: upload.file_id,
            fields: Json::value(Value::Object(upload.fields)),
        }
    }
}

#[napi]
impl IsvConfig {
    /// Reads an OpenAPI v3 answer received for a call (sans-IO, after sending a `prepareV3` request
    /// with your own HTTP stack): verifies it over its exact bytes as `v3Verify` does, decrypts a 2xx
    /// body when the call was `encrypted` (give `request.encrypted`; default `false`), and returns its
    /// fields. Synchronous.
    ///
    /// @throws {AlipayError} `ALIPAY_API_ERROR` for a v3 error answer (`httpStatus`, `apiCode` such as
    /// `invalid-app-auth-token`, `msg`, `hint`, `traceId`, `links`, `signed`); `ALIPAY_TRANSPORT_ERROR`
    /// for a non-2xx answer that is not an Alipay error (a proxy's page); `ALIPAY_SIGNATURE_ERROR` for
    /// an unsigned 2xx answer or a signature that does not verify; `ALIPAY_PROTOCOL_ERROR` for a
    /// duplicated header, a body that does not decrypt or is not a JSON object; `ALIPAY_CONFIG_ERROR`
    /// for a status or headers `v3Verify` refuses too.
    #[napi(catch_unwind)]
    pub fn read_v3_answer(
        &self,
        env: Env,
        answer: V3Answer<'_>,
        encrypted: Option<bool>,
    ) -> napi::Result<V3Response> {
        let status = http_status(&env, answer.status)?;
        let headers = answer_headers(&env, answer.headers)?;
        let response = with_body(&answer.body, |body| {
            self.inner.read_v3_answer(
                &core::V3Answer {
                    status,
                    headers: &headers,
                    body,
                },
                encrypted.unwrap_or(false),
            )
        })
        .or_throw(&env)?;
        Ok(V3Response { inner: response })
    }
}
