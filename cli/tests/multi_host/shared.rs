//! What the test and its hosts share: the app, its keys, the client, the clock and the sizes.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::key::{PrivateKey, PublicKey};

/// Our third-party app.
pub const APP_ID: &str = "2021000000000001";
/// The token method: exchanges and refreshes.
pub const TOKEN_METHOD: &str = "alipay.open.auth.token.app";
/// The delegated call a host makes with each token it is served.
pub const DELEGATED_METHOD: &str = "alipay.open.mini.version.list.query";
/// Threads per host.
pub const THREADS: usize = 8;
/// The hosts' refresh margin: more than the lifetime the test stores, less than the gateway's.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(120);

/// Milliseconds since the Unix epoch (one clock for every process of the machine).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A key of the shared test vectors.
pub fn key_text(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The client of our app against the gateway at `gateway`, whose answers `alipay_public_pem` signs.
pub fn client(gateway: &str, alipay_public_pem: &str) -> Client {
    let config = IsvConfig::builder(
        APP_ID,
        Arc::new(PrivateKey::from_text(&key_text("app_2048_pkcs8.pem")).unwrap()),
        Arc::new(PublicKey::from_text(alipay_public_pem).unwrap()),
    )
    .gateway(gateway)
    .build()
    .unwrap();
    Client::new(config).unwrap()
}
