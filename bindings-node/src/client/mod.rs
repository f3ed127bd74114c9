//! [`Client`]: the ISV configuration plus the default HTTP transport, mirroring `alipay_isv::client`:
//! the client, its options and `execute` here, the typed authorisation calls in [`auth_calls`],
//! certificate mode's calls in [`cert_calls`], the service market's order calls in
//! [`servicemarket_calls`], and the OpenAPI v3 calls (`executeV3` and the typed v3 forms of the ISV
//! calls) in [`v3_calls`].
//! Every network call has two forms: the default one returns a `Promise` and runs on the libuv thread
//! pool (the JavaScript thread never waits on the network), and a `…Sync` twin blocks the calling
//! thread (scripts, CLIs). The typed authorisation calls return classes that mask their tokens.
//!
//! In certificate mode the client downloads an Alipay certificate it does not know yet by itself
//! (after Alipay rotates its certificate), checks its validity and chain to the root bundle, and
//! trusts it for every client of the same `IsvConfig`; `fetchAlipayCert` and `verifyNotification`
//! expose the same step.

use std::time::Duration;

use alipay_isv::client as core;
use alipay_isv::request::CallOptions as CoreCallOptions;
use alipay_isv::transport::{RetryPolicy, TransportOptions as CoreTransportOptions};
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Unknown};
use napi_derive::napi;
use serde_json::Value;

use crate::config::IsvConfig;
use crate::convert::byte_limit;
use crate::convert::js_object::StringRecord;
use crate::error::{OrThrow, to_js_error};
use crate::json::Json;
use crate::request::CallOptions;
use crate::response::VerifiedResponse;
use crate::task::{Blocking, run_sync, spawn};

/// Settings of the default HTTP transport (ureq, TLS on aws-lc-rs, pooled keep-alive connections).
#[napi(object, object_to_js = false)]
pub struct TransportOptions {
    /// Time allowed to resolve, connect and finish the TLS handshake, in milliseconds (default 5000).
    pub connect_timeout_ms: Option<f64>,
    /// Time allowed to send the request and receive the whole answer, in milliseconds (default 15000).
    pub read_timeout_ms: Option<f64>,
    /// Answers larger than this many bytes are refused (default 10 MiB).
    pub max_response_bytes: Option<f64>,
    /// A proxy URL (`http://host:port`); by default the proxy comes from `HTTPS_PROXY` / `HTTP_PROXY` /
    /// `ALL_PROXY` (honouring `NO_PROXY`).
    pub proxy: Option<String>,
    /// Idle keep-alive connections kept per host (default 16).
    pub max_idle_connections_per_host: Option<u32>,
}

/// How `execute` retries: only failures where retrying cannot run the call twice (the request never
/// reached the gateway: DNS, connect, TLS) unless `idempotent` is set.
#[napi(object, object_to_js = false)]
pub struct RetryOptions {
    /// Total attempts, the first included (at least 1; default 3).
    pub attempts: Option<u32>,
    /// Wait before the second attempt in milliseconds, doubled before each later one (default 200).
    pub backoff_ms: Option<f64>,
    /// Also retry failures after the request may have been received (timeouts, resets, HTTP 5xx).
    /// Set it only for idempotent calls such as queries (default `false`).
    pub idempotent: Option<bool>,
}

/// Options of `Client.execute`: the per-call options of `IsvConfig.signRequest`, plus `retry`.
///
/// Holds secrets (`appAuthToken`, `authToken`): it is your object, so do not log it.
#[napi(object, object_to_js = false)]
pub struct ExecuteOptions<'env> {
    /// `biz_content`: an object (serialised with `JSON.stringify`, compact, in its own key order) or
    /// JSON text sent as is.
    #[napi(ts_type = "string | object")]
    pub biz_content: Option<Unknown<'env>>,
    /// The merchant's `app_auth_token`, for a delegated call (代调用). Secret.
    pub app_auth_token: Option<String>,
    /// The user's `access_token`, sent as `auth_token`. Secret.
    pub auth_token: Option<String>,
    /// `notify_url` for asynchronous notifications of this call.
    pub notify_url: Option<String>,
    /// `return_url` for page flows.
    pub return_url: Option<String>,
    /// Extra top-level parameters. A name that collides with a common parameter is refused.
    #[napi(ts_type = "Record<string, string>")]
    pub extra_params: Option<StringRecord>,
    /// Encrypt `biz_content` with the configured AES key (`encrypt_type=AES`).
    pub encrypt: Option<bool>,
    /// The `timestamp` to sign instead of now, `yyyy-MM-dd HH:mm:ss` in China time (tests, replays).
    pub timestamp: Option<String>,
    /// The merchant app (`auth_app_id`) the call is for. Not sent: it labels the call's observability
    /// event (`onEvent`, the counters); `Registry.executeFor` sets it itself.
    pub auth_app_id: Option<String>,
    /// Retry transport failures under this policy (each attempt signed afresh); none by default.
    pub retry: Option<RetryOptions>,
}

impl ExecuteOptions<'_> {
    /// The core's call options and retry policy; `bizContent` objects become compact JSON.
    pub(crate) fn into_core(
        self,
        env: &Env,
    ) -> napi::Result<(CoreCallOptions, Option<RetryPolicy>)> {
        let retry = self
            .retry
            .map(|retry| retry_policy(env, retry))
            .transpose()?;
        let call = CallOptions {
            biz_content: self.biz_content,
            app_auth_token: self.app_auth_token,
            auth_token: self.auth_token,
            notify_url: self.notify_url,
            return_url: self.return_url,
            extra_params: self.extra_params,
            encrypt: self.encrypt,
            timestamp: self.timestamp,
            auth_app_id: self.auth_app_id,
        };
        Ok((call.to_core(env)?, retry))
    }
}

/// A duration given in milliseconds: finite, not negative (zero allowed only when `allow_zero`).
pub(crate) fn millis(env: &Env, what: &str, ms: f64, allow_zero: bool) -> napi::Result<Duration> {
    let valid = ms.is_finite() && ms >= 0.0 && (allow_zero || ms > 0.0) && ms <= 1e12;
    if !valid {
        return Err(to_js_error(
            env,
            &alipay_isv::Error::config(format!(
                "{what} must be a {} number of milliseconds; got {ms}",
                if allow_zero {
                    "non-negative"
                } else {
                    "positive"
                }
            )),
        ));
    }
    Ok(Duration::from_secs_f64(ms / 1000.0))
}

fn retry_policy(env: &Env, options: RetryOptions) -> napi::Result<RetryPolicy> {
    let mut policy = RetryPolicy::default();
    if let Some(attempts) = options.attempts {
        policy.attempts = attempts.max(1);
    }
    if let Some(backoff) = options.backoff_ms {
        policy.backoff = millis(env, "retry.backoffMs", backoff, true)?;
    }
    if let Some(idempotent) = options.idempotent {
        policy.idempotent = idempotent;
    }
    Ok(policy)
}

fn transport_options(env: &Env, options: TransportOptions) -> napi::Result<CoreTransportOptions> {
    let mut core = CoreTransportOptions::default();
    if let Some(ms) = options.connect_timeout_ms {
        core.connect_timeout = millis(env, "connectTimeoutMs", ms, false)?;
    }
    if let Some(ms) = options.read_timeout_ms {
        core.read_timeout = millis(env, "readTimeoutMs", ms, false)?;
    }
    if let Some(limit) = options.max_response_bytes {
        core.max_response_bytes = byte_limit(env, "maxResponseBytes", limit)?;
    }
    core.proxy = options.proxy;
    if let Some(idle) = options.max_idle_connections_per_host {
        core.max_idle_connections_per_host = idle as usize;
    }
    Ok(core)
}

/// The JavaScript form of a verified response.
pub(crate) fn verified(response: alipay_isv::response::VerifiedResponse) -> VerifiedResponse {
    VerifiedResponse {
        fields: Json::value(Value::Object(response.fields)),
        alipay_cert_sn: response.alipay_cert_sn,
    }
}

/// Calls the Alipay gateway on behalf of merchants: signs, sends, verifies. Immutable and cheap to
/// share: one client serves every merchant, tokens are passed per call.
///
/// Every call rejects (or, for `…Sync`, throws) an `AlipayError`: `ALIPAY_API_ERROR` when the gateway
/// answers an error (`apiCode`, `subCode`, …), `ALIPAY_SIGNATURE_ERROR` when the answer does not
/// verify, `ALIPAY_TRANSPORT_ERROR` when it did not arrive or came with an HTTP status other than 200
/// (`requestSent` says whether the request may have reached the gateway; over OpenAPI v3 an Alipay
/// error answer of any status is an `ALIPAY_API_ERROR` with its `httpStatus`),
/// `ALIPAY_PROTOCOL_ERROR` for a malformed answer, `ALIPAY_CONFIG_ERROR` for bad options.
///
/// `toString()` and `util.inspect` show the app id and the gateway only.
#[napi]
pub struct Client {
    pub(crate) inner: core::Client,
}

type Pending<T, J> = AsyncTask<Blocking<T, J>>;
type VerifiedTask = Pending<alipay_isv::response::VerifiedResponse, VerifiedResponse>;

#[napi]
impl Client {
    /// A client for `config` on the default transport, with `options` (timeouts, size limit, proxy).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for a zero or negative timeout, a bad byte limit or
    /// a malformed proxy URL (given, or read from the environment).
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        config: &IsvConfig,
        options: Option<TransportOptions>,
    ) -> napi::Result<Self> {
        let options = match options {
            Some(options) => transport_options(&env, options)?,
            None => CoreTransportOptions::default(),
        };
        let inner =
            core::Client::with_transport_options(config.inner.clone(), options).or_throw(&env)?;
        Ok(Client { inner })
    }

    /// The app's `app_id`.
    #[napi(getter, catch_unwind)]
    pub fn app_id(&self) -> String {
        self.inner.config().app_id().to_string()
    }

    /// The gateway URL calls go to.
    #[napi(getter, catch_unwind)]
    pub fn gateway(&self) -> String {
        self.inner.config().gateway().to_string()
    }

    /// The base URL OpenAPI v3 calls go to (the configuration's `v3Base`), e.g.
    /// `https://openapi.alipay.com`.
    #[napi(getter, catch_unwind)]
    pub fn v3_base(&self) -> String {
        self.inner.config().v3_base().to_string()
    }

    /// Calls any Alipay API `method` with `options` (tokens, `bizContent`, extra parameters, `retry`)
    /// and resolves to the verified response (`fields`: the `<method>_response` node). Runs on the
    /// libuv pool. Nothing is retried unless `retry` is given.
    #[napi(catch_unwind, ts_return_type = "Promise<VerifiedResponse>")]
    pub fn execute(
        &self,
        env: Env,
        method: String,
        options: Option<ExecuteOptions<'_>>,
    ) -> napi::Result<VerifiedTask> {
        let (call, retry) = self.execute_options(&env, options)?;
        let client = self.inner.clone();
        Ok(spawn(
            move || match retry {
                Some(policy) => client.execute_with_retry(&method, &call, &policy),
                None => client.execute(&method, &call),
            },
            verified,
        ))
    }

    /// `execute`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn execute_sync(
        &self,
        env: Env,
        method: String,
        options: Option<ExecuteOptions<'_>>,
    ) -> napi::Result<VerifiedResponse> {
        let (call, retry) = self.execute_options(&env, options)?;
        let client = &self.inner;
        run_sync(
            &env,
            || match retry {
                Some(policy) => client.execute_with_retry(&method, &call, &policy),
                None => client.execute(&method, &call),
            },
            verified,
        )
    }

    fn execute_options(
        &self,
        env: &Env,
        options: Option<ExecuteOptions<'_>>,
    ) -> napi::Result<(CoreCallOptions, Option<RetryPolicy>)> {
        match options {
            Some(options) => options.into_core(env),
            None => Ok((CoreCallOptions::default(), None)),
        }
    }
}

// Declared here, between the two `impl Client` blocks, on purpose: napi-rs lists a class's methods in
// `index.d.ts` in the order rustc expands their impl blocks, and an out-of-line module's items expand
// where it is declared. So the generated class reads: constructor and `execute`, the authorisation
// calls, the certificate calls, the service-market order calls, the OpenAPI v3 calls, `toString`.
mod auth_calls;
mod cert_calls;
mod servicemarket_calls;
mod v3_calls;

pub(crate) use v3_calls::v3_response;

#[napi]
impl Client {
    /// `Client(2021000000000001, https://…/gateway.do)`: never a key or a token.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        format!(
            "Client({}, {})",
            self.inner.config().app_id(),
            self.inner.config().gateway()
        )
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}
