//! Reading a v3 answer once it is verified ([`V3Answer::verify`](super::V3Answer::verify)): a 2xx answer
//! is decrypted when the call was encrypted and parsed as the flat JSON object of the operation's fields
//! ([`V3Response`]); any other status becomes a typed error — [`Error::Api`] from the `{code, message,
//! links}` body with the HTTP status, the trace id and a hint for the codes ISVs meet (an invalid or
//! expired `app_auth_token`, a missing permission, a merchant API called without the merchant's token),
//! or [`Error::Transport`] for a proxy's or load balancer's page that is not an Alipay answer.

use serde_json::{Map, Value};

use super::answer::{V3Answer, V3Verdict};
use crate::config::IsvConfig;
use crate::error::{ApiError, Error, Result, shortened};
use crate::response::hints::hint_for;

/// A v3 success, verified (and decrypted).
#[derive(Clone, PartialEq)]
pub struct V3Response {
    /// The HTTP status (2xx).
    pub status: u16,
    /// The answer's JSON text as received (decrypted when the call was encrypted).
    pub body: String,
    /// The answer's fields (empty for an empty body).
    pub fields: Map<String, Value>,
    /// Alipay's trace id, when the answer named one.
    pub trace_id: Option<String>,
    /// How the answer was authenticated (always [`V3Verdict::Verified`] for a 2xx).
    pub verdict: V3Verdict,
}

impl std::fmt::Debug for V3Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut fields = Value::Object(self.fields.clone());
        crate::secret::mask_json(&mut fields);
        f.debug_struct("V3Response")
            .field("status", &self.status)
            .field("fields", &fields)
            .field("trace_id", &self.trace_id)
            .field("verdict", &self.verdict)
            .finish_non_exhaustive()
    }
}

/// The hint for a v3 error code: v3 codes are the classic sub-codes without their `isv.`/`aop.` prefix.
pub fn v3_hint(code: &str) -> Option<&'static str> {
    hint_for(code, Some(&format!("isv.{code}")))
        .or_else(|| hint_for(code, Some(&format!("aop.{code}"))))
        .or_else(|| hint_for(code, Some(code)))
}

/// The typed error of a non-2xx v3 answer whose body is `{code, message, links}`, or `None` when the body
/// is not one.
pub fn v3_api_error(
    status: u16,
    body: &[u8],
    trace_id: Option<&str>,
    signed: bool,
) -> Option<ApiError> {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return None;
    };
    let text = |name: &str| match fields.get(name) {
        Some(Value::String(text)) => Some(shortened(text, 512)),
        Some(Value::Number(number)) => Some(number.to_string()),
        _ => None,
    };
    let code = text("code")?;
    let links = match fields.get("links") {
        Some(Value::Array(links)) => links
            .iter()
            .filter_map(|link| match link {
                Value::String(url) => Some(url.clone()),
                Value::Object(entry) => entry
                    .get("link")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                _ => None,
            })
            .take(8)
            .map(|link| shortened(&link, 256))
            .collect(),
        Some(Value::String(link)) if !link.is_empty() => vec![shortened(link, 256)],
        _ => Vec::new(),
    };
    Some(ApiError {
        hint: v3_hint(&code).map(str::to_string),
        msg: text("message").unwrap_or_default(),
        code,
        sub_code: None,
        sub_msg: None,
        signed,
        http_status: Some(status),
        trace_id: trace_id.map(str::to_string),
        links,
    })
}

impl IsvConfig {
    /// Verifies and reads a v3 answer to a call that was (`encrypted`) or was not encrypted.
    ///
    /// # Errors
    /// The errors of [`V3Answer::verify`]; [`Error::Api`] for a v3 error answer; [`Error::Transport`] for a
    /// non-2xx answer that is not a v3 error (a proxy's page: the call may or may not have run);
    /// [`Error::Protocol`] for a 2xx body that does not decrypt or is not a JSON object.
    pub fn read_v3_answer(&self, answer: &V3Answer<'_>, encrypted: bool) -> Result<V3Response> {
        let verdict = answer.verify(self)?;
        let trace_id = answer.trace_id().map(str::to_string);
        if !(200..300).contains(&answer.status) {
            let signed = verdict == V3Verdict::Verified;
            return Err(
                match v3_api_error(answer.status, answer.body, trace_id.as_deref(), signed) {
                    Some(api) => Error::Api(Box::new(api)),
                    None => Error::transport(
                        format!(
                            "the v3 endpoint answered HTTP {} with a body that is not an Alipay error \
                             ({} bytes: a proxy or load balancer answered){}",
                            answer.status,
                            answer.body.len(),
                            if answer.status >= 500 {
                                "; the call may or may not have run"
                            } else {
                                ""
                            }
                        ),
                        true,
                    ),
                },
            );
        }
        let text = std::str::from_utf8(answer.body)
            .map_err(|_| Error::protocol("the v3 answer's body is not UTF-8"))?;
        let body = match (encrypted, self.aes_key()) {
            (true, Some(key)) if !text.trim().is_empty() => {
                String::from_utf8(key.decrypt(text)?)
                    .map_err(|_| Error::protocol("the decrypted v3 answer is not UTF-8"))?
            }
            _ => text.to_string(),
        };
        let fields = match body.trim() {
            "" => Map::new(),
            json => match serde_json::from_str::<Value>(json) {
                Ok(Value::Object(fields)) => fields,
                _ => {
                    return Err(Error::protocol(format!(
                        "the v3 answer (HTTP {}) is not a JSON object{}: `{}`",
                        answer.status,
                        if encrypted {
                            ""
                        } else {
                            " (an encrypted answer? then call with encryption)"
                        },
                        shortened(json, 60)
                    )));
                }
            },
        };
        Ok(V3Response {
            status: answer.status,
            body,
            fields,
            trace_id,
            verdict,
        })
    }
}
