//! OpenAPI v3 (`https://openapi.alipay.com/v3/…`), mirroring `alipay_isv::v3`: `IsvConfig.v3Sign`
//! signs a request (the `Authorization` header and the other headers to send, as a [`V3Signature`])
//! and `IsvConfig.v3Verify` verifies an answer's `alipay-signature` over its exact bytes (a
//! [`V3Answer`] in, `'verified'` or `'unsigned'` out). Whole calls, sans-IO: [`call`] reads a
//! JavaScript [`V3Call`] (method, path, query, JSON body, token, AES, files) and
//! `IsvConfig.prepareV3` encodes and signs it into a [`V3HttpRequest`]; [`response`] reads what came
//! back (`IsvConfig.readV3Answer`: a [`V3Response`] or a typed error). These are synchronous, as
//! every crypto call of this package is; `Client.executeV3` and the typed v3 calls send them (in
//! `crate::client`).
//!
//! The answer's headers come in the shapes Node hands them over (read by [`answer_headers`]): a plain
//! object (`IncomingHttpHeaders`, whose array values are repeated headers), an array of
//! `[name, value]` pairs, the flat `rawHeaders` list of `node:http`, or any iterable of pairs (a
//! `fetch` `Headers`, a `Map`). Repeated names are kept, so the core can refuse a duplicated
//! signature header. A call's query is read the same way ([`string_pairs`]), without the flat list.
//!
//! Tokens are per call, never per configuration. A `V3Signature` holds the merchant's
//! `app_auth_token` (in `headers` and as the last line of `stringToSign`): its `toString()` and
//! `util.inspect` mask the token and show `stringToSign` by its length only; so do those of
//! `V3HttpRequest` and `V3Response`.

use alipay_isv::error::shortened;
use alipay_isv::secret::shown;
use alipay_isv::v3 as core;
use indexmap::IndexMap;
use napi::bindgen_prelude::{FromNapiValue, Function, JsObjectValue, Object};
use napi::{Env, JsValue, Unknown, ValueType};
use napi_derive::napi;

use crate::config::IsvConfig;
use crate::convert::{BodyArg, with_body};
use crate::error::{OrThrow, to_js_error};

/// What `IsvConfig.v3Sign` signs: the request exactly as it goes on the wire.
///
/// Holds a secret (`appAuthToken`), and `requestTarget` may hold one in its query (`auth_token`): it
/// is your object, so do not log it.
#[napi(object, object_to_js = false)]
pub struct V3SignOptions {
    /// The HTTP method, upper case: `GET`, `POST`, …
    pub method: String,
    /// The path and query exactly as sent, percent-encoded, e.g. `/v3/alipay/open/auth/token/app` or
    /// `/v3/alipay/user/info/share?auth_token=…` (no scheme or host).
    pub request_target: String,
    /// The body exactly as sent (the JSON text; the Base64 ciphertext with AES); empty or left out when
    /// there is none.
    pub body: Option<String>,
    /// The merchant's `app_auth_token`, for a call on its behalf (代调用): signed as the last line and
    /// sent in the `alipay-app-auth-token` header. Secret.
    pub app_auth_token: Option<String>,
    /// The nonce to sign instead of a fresh random one (tests, reproducible signatures); give
    /// `timestampMs` with it.
    pub nonce: Option<String>,
    /// The time to sign instead of now, in milliseconds since the Unix epoch (tests, reproducible
    /// signatures); give `nonce` with it.
    pub timestamp_ms: Option<f64>,
}

/// A v3 answer as received, for `IsvConfig.v3Verify`: its status, its headers and its raw body.
#[napi(object, object_to_js = false)]
pub struct V3Answer<'env> {
    /// The HTTP status (100 to 599).
    pub status: f64,
    /// Every header received, names in any case: a plain object (`response.headers` of `node:http`;
    /// an array value is a repeated header, `undefined` is skipped), an array of `[name, value]`
    /// pairs, the flat `rawHeaders` list of `node:http` (`[name, value, name, value, …]`), or an
    /// iterable of `[name, value]` pairs (a `fetch` `Headers`, a `Map`). A header given twice is
    /// refused by `v3Verify`; only the pairs and `rawHeaders` keep every repetition (`fetch` and
    /// `node:http`'s `headers` join repeated values with `, `).
    #[napi(ts_type = "V3Headers")]
    pub headers: Unknown<'env>,
    /// The raw body: a `Buffer` / `Uint8Array` with the exact bytes received, or text (UTF-8).
    #[napi(ts_type = "BodyArg")]
    pub body: BodyArg,
}

/// A signed v3 request: the headers to send with it (besides `Content-Type`). Built by
/// `IsvConfig.v3Sign`.
///
/// Holds the merchant's `app_auth_token` when one was given: `headers` and `stringToSign` carry it in
/// full (they are what is sent and what was signed), while `toString()` and `util.inspect` mask it.
#[napi]
pub struct V3Signature {
    inner: core::V3Signature,
}

#[napi]
impl V3Signature {
    /// The `Authorization` header's value: `ALIPAY-SHA256withRSA <auth string>,sign=…`, e.g.
    /// `ALIPAY-SHA256withRSA app_id=…[,app_cert_sn=…],nonce=…,timestamp=…,sign=…`.
    #[napi(getter, catch_unwind)]
    pub fn authorization(&self) -> String {
        self.inner.authorization.clone()
    }

    /// The auth string: `app_id=…[,app_cert_sn=…],nonce=…,timestamp=…[,<v3AdditionalAuthInfo>]`, the
    /// first signed line (also in the header).
    #[napi(getter, catch_unwind)]
    pub fn auth_string(&self) -> String {
        self.inner.auth_string.clone()
    }

    /// Exactly what was signed: the auth string, the method, the request target, the body and, on a
    /// merchant's behalf, the `app_auth_token`, each line ending with a line feed (to compare when
    /// Alipay answers 验签失败). Holds the token in full: do not log it.
    #[napi(getter, catch_unwind)]
    pub fn string_to_sign(&self) -> String {
        self.inner.string_to_sign.clone()
    }

    /// Every header the request must carry besides `Content-Type`, by lower-case name, in order:
    /// `authorization`, `alipay-app-auth-token` (on a merchant's behalf; the token in full) and
    /// `alipay-root-cert-sn` (certificate mode). A new object on every read, ready to spread into a
    /// `fetch` or `node:http` call.
    #[napi(getter, catch_unwind, ts_return_type = "Record<string, string>")]
    pub fn headers(&self) -> IndexMap<String, String> {
        self.inner.headers.iter().cloned().collect()
    }

    /// `V3Signature(authorization: ALIPAY-SHA256withRSA app_id=…,sign=…, stringToSign: 182 chars,
    /// headers: authorization, alipay-app-auth-token: 2026…(40 chars))`: the token masked, the string
    /// to sign by its length only.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        let headers: Vec<String> = self
            .inner
            .headers
            .iter()
            .map(|(name, value)| match name.as_str() {
                "authorization" => name.clone(),
                core::APP_AUTH_TOKEN_HEADER => {
                    format!("{name}: {}", shown("app_auth_token", value))
                }
                _ => format!("{name}: {value}"),
            })
            .collect();
        format!(
            "V3Signature(authorization: {}, stringToSign: {} chars, headers: {})",
            self.inner.authorization,
            self.inner.string_to_sign.chars().count(),
            headers.join(", ")
        )
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}

#[napi]
impl IsvConfig {
    /// Signs an OpenAPI v3 request (`https://openapi.alipay.com/v3/…`) as this app: the
    /// `Authorization` header (`ALIPAY-SHA256withRSA`, always RSA2 over UTF-8, whatever `signType` and
    /// `charset` say), plus `alipay-app-auth-token` on a merchant's behalf and `alipay-root-cert-sn` in
    /// certificate mode. With a fresh random nonce, now; with `nonce` and `timestampMs` (both), exactly
    /// reproducible. Synchronous.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for a method that is not upper case, a request
    /// target that does not start with `/` or holds a space or a line break, a token with a line
    /// break, a nonce with a comma or a line break, `nonce` without `timestampMs` (or the reverse), or
    /// a `timestampMs` that is not a whole number of milliseconds. No reason holds the token.
    #[napi(catch_unwind)]
    pub fn v3_sign(&self, env: Env, options: V3SignOptions) -> napi::Result<V3Signature> {
        let request = core::V3Request {
            method: &options.method,
            request_target: &options.request_target,
            body: options.body.as_deref().unwrap_or(""),
            app_auth_token: options.app_auth_token.as_deref(),
        };
        let signed = match (options.nonce.as_deref(), options.timestamp_ms) {
            (None, None) => request.sign(&self.inner),
            (Some(nonce), Some(timestamp_ms)) => {
                let timestamp_ms = epoch_millis(&env, timestamp_ms)?;
                request.sign_with(&self.inner, nonce, timestamp_ms)
            }
            _ => {
                return Err(config_error(
                    &env,
                    "v3Sign takes nonce and timestampMs together (a reproducible signature) or \
                     neither (a fresh nonce, now)"
                        .to_string(),
                ));
            }
        };
        Ok(V3Signature {
            inner: signed.or_throw(&env)?,
        })
    }

    /// Verifies an OpenAPI v3 answer over its exact bytes: the `alipay-signature` header covers three
    /// lines, each ending with a line feed (the `alipay-timestamp` header, the `alipay-nonce` header,
    /// the body), checked with the Alipay public key (in certificate mode, the trusted Alipay
    /// certificate `alipay-sn` names). `'verified'` when it verifies; `'unsigned'` for a non-2xx
    /// answer without a signature (Alipay's error answers usually are): read its error, unverified.
    /// Verify before decrypting an AES body. Synchronous.
    ///
    /// @throws {AlipayError} `ALIPAY_SIGNATURE_ERROR` for a 2xx answer without `alipay-signature` (the
    /// reason says the endpoint may be a v2 `gateway.do`), a signature that does not verify, or an
    /// `alipay-sn` no trusted certificate has (fetch it with `Client.fetchAlipayCert`);
    /// `ALIPAY_PROTOCOL_ERROR` for a header given twice, an `alipay-timestamp` that is not a number, a
    /// signed answer without `alipay-nonce`, or a body that is not UTF-8 or is over 10 MiB;
    /// `ALIPAY_CONFIG_ERROR` for a status that is not a whole number from 100 to 599, or headers in
    /// none of the accepted shapes.
    #[napi(catch_unwind, ts_return_type = "V3Verdict")]
    pub fn v3_verify(&self, env: Env, answer: V3Answer<'_>) -> napi::Result<&'static str> {
        let status = http_status(&env, answer.status)?;
        let headers = answer_headers(&env, answer.headers)?;
        let verdict = with_body(&answer.body, |body| {
            core::V3Answer {
                status,
                headers: &headers,
                body,
            }
            .verify(&self.inner)
        })
        .or_throw(&env)?;
        Ok(match verdict {
            core::V3Verdict::Verified => "verified",
            core::V3Verdict::Unsigned => "unsigned",
        })
    }
}

/// A timestamp in epoch milliseconds: a whole number from 0 to 2^53 - 1 (JavaScript numbers are
/// doubles).
pub(crate) fn epoch_millis(env: &Env, value: f64) -> napi::Result<u64> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= 9_007_199_254_740_991.0
    {
        // A whole number in 0..=2^53-1: the cast is exact.
        return Ok(value as u64);
    }
    Err(config_error(
        env,
        format!("timestampMs must be a whole number of milliseconds since the epoch; got {value}"),
    ))
}

/// An HTTP status: a whole number from 100 to 599.
pub(crate) fn http_status(env: &Env, value: f64) -> napi::Result<u16> {
    if value.fract() == 0.0 && (100.0..=599.0).contains(&value) {
        // A whole number in 100..=599: the cast is exact.
        return Ok(value as u16);
    }
    Err(config_error(
        env,
        format!("the v3 answer's status must be an HTTP status from 100 to 599; got {value}"),
    ))
}

/// The headers of an answer as `(name, value)` pairs in the order given, repetitions kept, from any of
/// the shapes of [`V3Answer::headers`] (see [`string_pairs`]).
///
/// @throws `ALIPAY_CONFIG_ERROR` for anything else; the reason may name a header, never a value.
pub(crate) fn answer_headers(
    env: &Env,
    headers: Unknown<'_>,
) -> napi::Result<Vec<(String, String)>> {
    string_pairs(env, headers, &ANSWER_HEADERS)
}

/// What [`string_pairs`] reads: the start of its refusal, and whether the flat `rawHeaders` list is one
/// of the shapes.
pub(crate) struct PairsShape {
    /// What the value must be, for the reason of a refusal.
    pub(crate) expected: &'static str,
    /// Whether a flat list of alternating names and values (`rawHeaders`) is accepted.
    pub(crate) flat_list: bool,
}

/// The shapes of an answer's headers.
const ANSWER_HEADERS: PairsShape = PairsShape {
    expected: "the v3 answer's headers must be an object of strings (node:http's response.headers), \
               an array of [name, value] pairs, rawHeaders or a fetch Headers",
    flat_list: true,
};

/// `(name, value)` string pairs in the order given, repetitions kept, from an array (of pairs, or, when
/// `shape` allows it, the flat `rawHeaders` list), an iterable of pairs (`Array.from`: a `Map`, a
/// `fetch` `Headers`, `URLSearchParams`), or a plain object (`Object.entries`; an array value is one
/// pair per element, `undefined` is skipped).
///
/// @throws `ALIPAY_CONFIG_ERROR` for anything else, starting with `shape.expected`; the reason may name
/// a name, never a value.
pub(crate) fn string_pairs(
    env: &Env,
    given: Unknown<'_>,
    shape: &PairsShape,
) -> napi::Result<Vec<(String, String)>> {
    let refused = |what: String| config_error(env, format!("{}; {what}", shape.expected));
    if given.get_type()? != ValueType::Object {
        return Err(refused(format!("got {}", type_name(given.get_type()?))));
    }
    let entries = if given.is_array()? {
        Object::from_unknown(given)?
    } else {
        let global = env.get_global()?;
        // `Symbol`, `Array` and `Object` are functions: read as objects (the same values).
        let symbol = global
            .get_named_property::<Unknown<'_>>("Symbol")?
            .coerce_to_object()?;
        let iterator: Unknown<'_> = symbol.get_named_property("iterator")?;
        let object = Object::from_unknown(given)?;
        let iterable = object
            .get_property::<_, Unknown<'_>>(iterator)?
            .get_type()?
            == ValueType::Function;
        let (owner, method) = if iterable {
            ("Array", "from")
        } else {
            ("Object", "entries")
        };
        let owner = global
            .get_named_property::<Unknown<'_>>(owner)?
            .coerce_to_object()?;
        let convert: Function<'_, Unknown<'_>, Unknown<'_>> = owner.get_named_property(method)?;
        Object::from_unknown(convert.apply(owner, given)?)?
    };
    let count = entries.get_array_length()?;
    let mut pairs = Vec::with_capacity(count as usize);
    // The flat `rawHeaders` list: names and values alternate.
    if shape.flat_list
        && count > 0
        && entries.get_element::<Unknown<'_>>(0)?.get_type()? == ValueType::String
    {
        if count % 2 != 0 {
            return Err(refused(format!(
                "a flat list of names and values must have an even length, not {count}"
            )));
        }
        for index in (0..count).step_by(2) {
            let name = text_of(entries.get_element(index)?)
                .ok_or_else(|| refused(format!("item {index} of the flat list is not a string")))?;
            let value = text_of(entries.get_element(index + 1)?).ok_or_else(|| {
                refused(format!(
                    "the value of `{}` is not a string",
                    shortened(&name, 40)
                ))
            })?;
            pairs.push((name, value));
        }
        return Ok(pairs);
    }
    for index in 0..count {
        let entry: Unknown<'_> = entries.get_element(index)?;
        if entry.get_type()? != ValueType::Object || !entry.is_array()? {
            return Err(refused(format!("item {index} is not a [name, value] pair")));
        }
        let entry = Object::from_unknown(entry)?;
        let name = text_of(entry.get_element(0)?)
            .ok_or_else(|| refused(format!("the name of item {index} is not a string")))?;
        let not_text = || {
            refused(format!(
                "the value of `{}` is not a string or an array of strings",
                shortened(&name, 40)
            ))
        };
        let value: Unknown<'_> = entry.get_element(1)?;
        match value.get_type()? {
            ValueType::Undefined => {}
            ValueType::String => pairs.push((name.clone(), text_of(value).ok_or_else(not_text)?)),
            ValueType::Object if value.is_array()? => {
                let values = Object::from_unknown(value)?;
                for at in 0..values.get_array_length()? {
                    let value = text_of(values.get_element(at)?).ok_or_else(not_text)?;
                    pairs.push((name.clone(), value));
                }
            }
            _ => return Err(not_text()),
        }
    }
    Ok(pairs)
}

/// The text of a JavaScript string; `None` for any other value.
fn text_of(value: Unknown<'_>) -> Option<String> {
    if value.get_type().ok()? != ValueType::String {
        return None;
    }
    value
        .coerce_to_string()
        .ok()?
        .into_utf8()
        .ok()?
        .into_owned()
        .ok()
}

/// The JavaScript name of a value's type, for a reason.
fn type_name(value_type: ValueType) -> &'static str {
    match value_type {
        ValueType::Undefined => "undefined",
        ValueType::Null => "null",
        ValueType::Boolean => "a boolean",
        ValueType::Number => "a number",
        ValueType::String => "a string",
        ValueType::Symbol => "a symbol",
        ValueType::Function => "a function",
        ValueType::BigInt => "a bigint",
        _ => "an object",
    }
}

pub(crate) fn config_error(env: &Env, reason: String) -> napi::Error {
    to_js_error(env, &alipay_isv::Error::config(reason))
}

// Declared last on purpose: napi-rs lists `IsvConfig`'s methods in `index.d.ts` in the order their impl
// blocks expand, so `prepareV3` and `readV3Answer` follow `v3Sign` and `v3Verify`.
pub mod call;
pub mod response;

pub use call::{V3Call, V3HttpRequest, V3PrepareOptions};
pub use response::{FileUpload, V3Response};
