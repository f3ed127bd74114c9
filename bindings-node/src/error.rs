//! The one place where a core [`alipay_isv::Error`] becomes a JavaScript error.
//!
//! Every error thrown by the binding is a plain `Error` whose `code` is stable (`ALIPAY_CONFIG_ERROR`,
//! `ALIPAY_SIGNATURE_ERROR`, `ALIPAY_API_ERROR`, `ALIPAY_TRANSPORT_ERROR`, `ALIPAY_PROTOCOL_ERROR`,
//! `ALIPAY_STORE_ERROR`), with the core's `kind` and `reason`; an API error also carries `apiCode`,
//! `msg`, `subCode`, `subMsg`, `signed`, `hint`, and for an OpenAPI v3 answer `httpStatus`, `traceId`
//! and `links` (`null`, or `[]` for `links`, when absent); a transport error carries
//! `requestSent` (`false` when the request cannot have reached the gateway, so retrying is safe). The
//! core never puts a secret into a reason, so neither does this module.

use alipay_isv::Error as CoreError;
use napi::bindgen_prelude::{JsValue, Object, Status, ToNapiValue, TypeName};
use napi::{Env, Error as JsError, ValueType, sys};
use napi_derive::napi;

/// The stable `code` of every error the binding throws, one per core error kind.
#[napi(string_enum)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// A malformed or unsupported key, a bad option, a value the charset cannot encode.
    #[napi(value = "ALIPAY_CONFIG_ERROR")]
    Config,
    /// A signature that does not verify (tampered content, wrong public key).
    #[napi(value = "ALIPAY_SIGNATURE_ERROR")]
    Signature,
    /// The gateway answered with an error code (`apiCode`, `subCode`, …).
    #[napi(value = "ALIPAY_API_ERROR")]
    Api,
    /// The request did not complete: DNS, connect, timeout, TLS, HTTP status.
    #[napi(value = "ALIPAY_TRANSPORT_ERROR")]
    Transport,
    /// A body did not have the expected shape.
    #[napi(value = "ALIPAY_PROTOCOL_ERROR")]
    Protocol,
    /// The authorisation registry failed to read or write.
    #[napi(value = "ALIPAY_STORE_ERROR")]
    Store,
}

impl ErrorCode {
    /// The code of a core error.
    pub fn of(error: &CoreError) -> Self {
        match error {
            CoreError::Config { .. } => ErrorCode::Config,
            CoreError::Signature { .. } => ErrorCode::Signature,
            CoreError::Api(_) => ErrorCode::Api,
            CoreError::Transport { .. } => ErrorCode::Transport,
            CoreError::Protocol { .. } => ErrorCode::Protocol,
            CoreError::Store { .. } => ErrorCode::Store,
        }
    }

    /// The code as JavaScript sees it, e.g. `ALIPAY_CONFIG_ERROR`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Config => "ALIPAY_CONFIG_ERROR",
            ErrorCode::Signature => "ALIPAY_SIGNATURE_ERROR",
            ErrorCode::Api => "ALIPAY_API_ERROR",
            ErrorCode::Transport => "ALIPAY_TRANSPORT_ERROR",
            ErrorCode::Protocol => "ALIPAY_PROTOCOL_ERROR",
            ErrorCode::Store => "ALIPAY_STORE_ERROR",
        }
    }
}

/// Turns a core result into a napi result whose error is the JavaScript error described above.
pub(crate) trait OrThrow<T> {
    /// Maps the core error, if any, with [`to_js_error`].
    fn or_throw(self, env: &Env) -> napi::Result<T>;
}

impl<T> OrThrow<T> for alipay_isv::Result<T> {
    fn or_throw(self, env: &Env) -> napi::Result<T> {
        self.map_err(|error| to_js_error(env, &error))
    }
}

/// Builds the JavaScript `Error` for a core error, ready to be thrown by returning it.
///
/// Should the engine refuse to build the object (only while it is shutting down), the error still
/// carries the core's message, under napi's generic code.
pub(crate) fn to_js_error(env: &Env, error: &CoreError) -> JsError {
    build(env, error).unwrap_or_else(|_| JsError::new(Status::GenericFailure, error.to_string()))
}

fn build(env: &Env, error: &CoreError) -> napi::Result<JsError> {
    Ok(JsError::from(error_object(env, error)?.to_unknown()))
}

/// The JavaScript `Error` object of a core error (see the module docs), not thrown.
fn error_object<'env>(env: &'env Env, error: &CoreError) -> napi::Result<Object<'env>> {
    let mut object = env.create_error(JsError::new(Status::GenericFailure, error.to_string()))?;
    object.set("code", ErrorCode::of(error).as_str())?;
    object.set("kind", error.kind())?;
    object.set("reason", error.reason())?;
    match error {
        CoreError::Api(api) => set_api_fields(&mut object, api)?,
        CoreError::Transport { request_sent, .. } => object.set("requestSent", *request_sent)?,
        _ => {}
    }
    Ok(object)
}

/// A core error handed to JavaScript as a value (a field of a result, e.g. `GatewayResult.error`)
/// rather than thrown: the same `Error` object, with its `code`, `kind` and `reason`.
pub struct ErrorValue(pub(crate) CoreError);

impl TypeName for ErrorValue {
    fn type_name() -> &'static str {
        "AlipayError"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for ErrorValue {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(env);
        Ok(error_object(&env, &value.0)?.raw())
    }
}

fn set_api_fields(object: &mut Object<'_>, api: &alipay_isv::ApiError) -> napi::Result<()> {
    object.set("apiCode", api.code.as_str())?;
    object.set("msg", api.msg.as_str())?;
    object.set("subCode", api.sub_code.as_deref())?;
    object.set("subMsg", api.sub_msg.as_deref())?;
    object.set("signed", api.signed)?;
    object.set("hint", api.hint.as_deref())?;
    object.set("httpStatus", api.http_status.map(u32::from))?;
    object.set("traceId", api.trace_id.as_deref())?;
    object.set("links", api.links.clone())?;
    Ok(())
}
