//! What an emulator is started with ([`EmulatorOptions`]) and the faults it injects
//! ([`FaultOptions`]), read into `alipay_isv_emulator`'s `EmulatorOptions` and `Fault` in
//! JavaScript's units (milliseconds, bytes).

use std::sync::Arc;

use alipay_isv::key::PrivateKey as CorePrivateKey;
use alipay_isv_emulator as core;
use napi::Env;
use napi_derive::napi;

use super::config_error;
use crate::client::millis;
use crate::convert::{self, AesKeyArg, PrivateKeyArg, PublicKeyArg};
use crate::error::OrThrow;

/// How an emulator is set up.
#[napi(object, object_to_js = false)]
pub struct EmulatorOptions<'env> {
    /// The ISV `app_id` the gateway accepts.
    pub app_id: String,
    /// The ISV's public key (a `PublicKey` or PEM / Base64 text): request signatures are verified with
    /// it.
    pub app_public_key: PublicKeyArg<'env>,
    /// The interface to listen on (default `127.0.0.1`).
    pub host: Option<String>,
    /// The port to listen on; `0` or absent takes any free port.
    pub port: Option<u32>,
    /// The "Alipay" private key answers are signed with; a fresh 2048-bit pair by default. Secret.
    pub alipay_private_key: Option<PrivateKeyArg<'env>>,
    /// The ISV's application gateway (应用网关): authorisation and cancellation pushes go there.
    pub notify_url: Option<String>,
    /// How far a request `timestamp` may be from the emulator's clock, in milliseconds (default 15 min).
    pub timestamp_window_ms: Option<f64>,
    /// How many times a push is attempted before giving up (default 8).
    pub notify_attempts: Option<u32>,
    /// The wait before the first retry of a push, in milliseconds, doubled after each failure (default
    /// 100).
    pub notify_backoff_ms: Option<f64>,
    /// The ISV app's AES content-encryption key, to accept `encrypt_type=AES` requests, and OpenAPI
    /// v3 calls with `alipay-encrypt-type: AES` (answered encrypted). Secret.
    pub aes_key: Option<AesKeyArg<'env>>,
    /// How long an `app_auth_token` lives (its `expires_in`), in milliseconds (default 365 days); its
    /// refresh token lives 30 days longer. Short lifetimes exercise `Registry.tokenFor`'s refresh.
    pub app_auth_token_ttl_ms: Option<f64>,
    /// Certificate mode (公钥证书模式, default `false`): a test root CA of the emulator's own and an
    /// Alipay certificate it signed; every request must carry the `app_cert_sn` of a certificate from
    /// `issueAppCert` and the `alipay_root_cert_sn` of `rootCertBundlePem`; answers and pushes name
    /// their signing certificate (`alipay_cert_sn`); `alipay.open.app.alipaycert.download` is served.
    pub cert_mode: Option<bool>,
    /// The form pushes are signed in (each `Delivery` says its `signedForm`): `classic` (the
    /// default: authorisations `v1`, cancellations `v2`); one form for every push (`v1`,
    /// `v1+empty`, `v2`, `v2+empty`, and in certificate mode the `+alipay_cert_sn` forms); or
    /// `mixed`: each push in a form dealt from a deck of every form (the `+alipay_cert_sn` ones in
    /// certificate mode only), reshuffled by a generator seeded with `pushFormSeed`. A `+empty` form
    /// sends and signs an empty `isv_ticket=`; in a mix, about half the pushes whose form drops
    /// empty values carry it unsigned (a verifier leaves it out of `params`).
    #[napi(
        ts_type = "'classic' | 'mixed' | 'v1' | 'v1+empty' | 'v2' | 'v2+empty' | 'v1+alipay_cert_sn' | 'v1+empty+alipay_cert_sn' | 'v2+alipay_cert_sn' | 'v2+empty+alipay_cert_sn'"
    )]
    pub push_form: Option<String>,
    /// The seed of the `mixed` push form (a whole number from 0 to 2^53 - 1, default 0); only with
    /// `pushForm: 'mixed'`.
    pub push_form_seed: Option<f64>,
}

/// The details of a failure the gateway injects (`setFault`): `delay` (answer late), `reset` (TCP
/// reset without an answer), `truncated_body` (half the body, then close), `bad_gateway` (HTTP 502),
/// `unsigned` (the answer without `sign`), `hang` (read the request, never answer), `trickle` (the
/// answer one byte at a time) and `oversized` (HTTP 200 with a body of `sizeBytes` bytes).
#[napi(object, object_to_js = false)]
pub struct FaultOptions {
    /// For `delay`: how long to wait before answering, in milliseconds (required).
    pub delay_ms: Option<f64>,
    /// For `trickle`: the pause between two bytes of the answer, in milliseconds (required).
    pub pause_ms: Option<f64>,
    /// For `oversized`: the size of the body served, in bytes (required, at least 1).
    pub size_bytes: Option<f64>,
    /// How many gateway calls get the fault; absent: every call until cleared.
    pub times: Option<u32>,
}

/// An owned private key (the emulator takes its key by value; a `PrivateKey` object shares its own).
fn owned_private_key(env: &Env, key: PrivateKeyArg<'_>) -> napi::Result<CorePrivateKey> {
    let shared = convert::private_key(env, key)?;
    match Arc::try_unwrap(shared) {
        Ok(key) => Ok(key),
        Err(shared) => {
            let pem = shared.to_pkcs8_pem().or_throw(env)?;
            CorePrivateKey::from_text(&pem).or_throw(env)
        }
    }
}

pub(super) fn core_options(
    env: &Env,
    options: EmulatorOptions<'_>,
) -> napi::Result<core::EmulatorOptions> {
    let app_public_key = (*convert::public_key(env, options.app_public_key)?).clone();
    let mut core = core::EmulatorOptions::new(options.app_id, app_public_key);
    if let Some(host) = options.host {
        core.host = host;
    }
    if let Some(port) = options.port {
        core.port = u16::try_from(port)
            .map_err(|_| config_error(env, format!("port must be 0-65535; got {port}")))?;
    }
    if let Some(key) = options.alipay_private_key {
        core.alipay_private_key = Some(owned_private_key(env, key)?);
    }
    core.notify_url = options.notify_url;
    if let Some(ms) = options.timestamp_window_ms {
        core.timestamp_window = millis(env, "timestampWindowMs", ms, true)?;
    }
    if let Some(attempts) = options.notify_attempts {
        core.notify_attempts = attempts;
    }
    if let Some(ms) = options.notify_backoff_ms {
        core.notify_backoff = millis(env, "notifyBackoffMs", ms, true)?;
    }
    if let Some(key) = options.aes_key {
        core.aes_key = Some(convert::aes_key(env, key)?);
    }
    if let Some(ms) = options.app_auth_token_ttl_ms {
        core.app_auth_token_ttl = millis(env, "appAuthTokenTtlMs", ms, false)?;
    }
    core.cert_mode = options.cert_mode.unwrap_or(false);
    let seed = match options.push_form_seed {
        None => None,
        Some(seed) if seed >= 0.0 && seed.fract() == 0.0 && seed < 9_007_199_254_740_992.0 => {
            Some(seed as u64)
        }
        Some(seed) => {
            return Err(config_error(
                env,
                format!("pushFormSeed must be a whole number from 0 to 2^53 - 1; got {seed}"),
            ));
        }
    };
    if options.push_form.is_some() || seed.is_some() {
        let name = options.push_form.as_deref().unwrap_or("classic");
        core.push_forms = core::PushForms::from_name(name, seed).or_throw(env)?;
    }
    Ok(core)
}

/// The core fault named `kind` with its details in JavaScript's units (milliseconds, bytes); the
/// emulator crate checks names, required and foreign details and limits.
pub(super) fn fault(env: &Env, kind: &str, options: &FaultOptions) -> napi::Result<core::Fault> {
    let detail = core::FaultDetail {
        delay: options
            .delay_ms
            .map(|value| millis(env, "delayMs", value, true))
            .transpose()?,
        pause: options
            .pause_ms
            .map(|value| millis(env, "pauseMs", value, true))
            .transpose()?,
        size: options
            .size_bytes
            .map(|value| convert::byte_limit(env, "sizeBytes", value))
            .transpose()?,
    };
    core::Fault::from_name(kind, detail).or_throw(env)
}
