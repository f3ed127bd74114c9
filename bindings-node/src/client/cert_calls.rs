//! Certificate mode's calls of [`Client`], mirroring `alipay_isv::client`'s `cert_calls`: making
//! sure an Alipay certificate is trusted (downloading and checking it when it is not), and verifying
//! a notification, fetching the certificate that signed it first when need be. Each returns a Promise
//! (libuv pool) and has a `…Sync` twin.

use napi::Env;
use napi_derive::napi;

use super::{Client, Pending};
use crate::convert::{self, BodyArg};
use crate::notify::FormedNotification;
use crate::task::{run_sync, spawn};

fn notification(inner: alipay_isv::notify::VerifiedNotification) -> FormedNotification {
    FormedNotification(inner)
}

fn downloaded(fetched: bool) -> bool {
    fetched
}

type NotificationTask = Pending<alipay_isv::notify::VerifiedNotification, FormedNotification>;

#[napi]
impl Client {
    /// Certificate mode: makes sure the Alipay certificate `alipayCertSn` is trusted. Resolves `false`
    /// when it already is; otherwise downloads it (`alipay.open.app.alipaycert.download`), checks its
    /// validity and its chain to the root bundle, trusts it for every client of this configuration,
    /// and resolves `true`. Runs on the libuv pool.
    ///
    /// Rejects with `ALIPAY_CONFIG_ERROR` outside certificate mode or for an empty SN;
    /// `ALIPAY_SIGNATURE_ERROR` when the certificate is expired, not chained to the root bundle,
    /// tampered with or not the one asked for, or when the answer does not verify; the errors of
    /// `execute` for the download call itself (`ALIPAY_API_ERROR` for an SN Alipay does not know).
    #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
    pub fn fetch_alipay_cert(&self, alipay_cert_sn: String) -> Pending<bool, bool> {
        let client = self.inner.clone();
        spawn(
            move || client.fetch_alipay_cert(&alipay_cert_sn),
            downloaded,
        )
    }

    /// `fetchAlipayCert`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn fetch_alipay_cert_sync(&self, env: Env, alipay_cert_sn: String) -> napi::Result<bool> {
        run_sync(
            &env,
            || self.inner.fetch_alipay_cert(&alipay_cert_sn),
            downloaded,
        )
    }

    /// Parses a notification body (the raw bytes, as for `NotificationVerifier.verifyBody`) once and
    /// verifies it; in certificate mode a notification signed by an Alipay certificate not trusted yet
    /// (`alipay_cert_sn`) makes the client fetch that certificate first (`fetchAlipayCert`). Runs on
    /// the libuv pool.
    ///
    /// Rejects as `NotificationVerifier.verifyBody` throws, and as `fetchAlipayCert` when a
    /// certificate had to be fetched.
    #[napi(catch_unwind, ts_return_type = "Promise<Notification>")]
    pub fn verify_notification(&self, body: BodyArg) -> NotificationTask {
        let body = convert::with_body(&body, <[u8]>::to_vec);
        let client = self.inner.clone();
        spawn(
            move || client.verify_notification_with_form(&body),
            notification,
        )
    }

    /// `verifyNotification`, blocking the calling thread.
    #[napi(catch_unwind, ts_return_type = "Notification")]
    pub fn verify_notification_sync(
        &self,
        env: Env,
        body: BodyArg,
    ) -> napi::Result<FormedNotification> {
        run_sync(
            &env,
            || {
                convert::with_body(&body, |bytes| {
                    self.inner.verify_notification_with_form(bytes)
                })
            },
            notification,
        )
    }
}
