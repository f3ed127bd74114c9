//! [`Shared`]: what every connection thread, push thread and the public [`crate::Emulator`] handle
//! see — the fixed configuration, the keys, the clock, and the mutable state behind mutexes.

use std::collections::HashMap;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_isv::Result;
use alipay_isv::aes::AesKey;
use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::sign::{Charset, SignType, Signer};

use crate::certs::CertAuthority;
use crate::options::{Fault, PushForms};
use crate::push::{Delivery, FormDealer};
use crate::state::{Lifetimes, State};

/// Locks a mutex, recovering the data if a thread panicked while holding it (the state stays usable).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Call counters for `/emulator/stats`, [`crate::Emulator::call_count`] and
/// [`crate::Emulator::total_calls`].
#[derive(Debug, Default)]
pub struct Stats {
    /// Gateway requests by `method` (requests without a method are counted under `""`).
    pub by_method: HashMap<String, u64>,
    /// Every gateway request.
    pub total: u64,
}

/// An injected fault and how many more gateway calls it applies to (`None`: until cleared).
pub type FaultSetting = Option<(Fault, Option<u32>)>;

/// State shared by every thread of one emulator.
pub struct Shared {
    /// The ISV app id accepted.
    pub app_id: String,
    /// Verifies request signatures.
    pub app_public_key: Arc<PublicKey>,
    /// Signs answers and pushes: the Alipay key, and in certificate mode the SN of its certificate
    /// (replaced by a rotation).
    pub alipay: RwLock<(Arc<PrivateKey>, Option<String>)>,
    /// Certificate mode: the root CA and the certificates it made.
    pub cert: Option<CertAuthority>,
    /// Token, code and refresh lifetimes.
    pub lifetimes: Lifetimes,
    /// Accepted distance between a request timestamp and now, in seconds.
    pub timestamp_window_secs: i64,
    /// Push attempts before giving up.
    pub notify_attempts: u32,
    /// First retry delay of a push.
    pub notify_backoff: Duration,
    /// How long an old `app_auth_token` survives a refresh, in ms.
    pub refresh_grace_ms: u64,
    /// The ISV's AES content key, when configured.
    pub aes_key: Option<AesKey>,
    /// `http://host:port` of this emulator.
    pub base_url: String,
    /// Authorisations, codes and tokens.
    pub state: Mutex<State>,
    /// Where pushes go.
    pub notify_url: Mutex<Option<String>>,
    /// The injected fault.
    pub fault: Mutex<FaultSetting>,
    /// Call counters.
    pub stats: Mutex<Stats>,
    /// The forms pushes are signed in.
    pub push_forms: PushForms,
    /// Deals the forms of [`PushForms::Mixed`].
    pub form_dealer: Mutex<FormDealer>,
    /// Every push made.
    pub deliveries: Mutex<Vec<Delivery>>,
    /// Signalled whenever a delivery changes.
    pub deliveries_changed: Condvar,
    /// Set when the emulator stops: threads end at their next chance.
    pub stopping: AtomicBool,
    /// How far the token clock was moved forward, in ms.
    pub clock_offset_ms: AtomicU64,
    /// Open connections, so stopping can close them.
    pub connections: Mutex<HashMap<u64, TcpStream>>,
    /// Id of the next connection.
    pub next_connection: AtomicU64,
}

impl Shared {
    /// The emulator clock (real time plus the test offset), epoch milliseconds. Codes and tokens age
    /// on this clock; request timestamps are checked against [`Shared::real_now_secs`].
    pub fn now_ms(&self) -> u64 {
        real_now_ms().saturating_add(self.clock_offset_ms.load(Ordering::Relaxed))
    }

    /// Real time, epoch seconds.
    pub fn real_now_secs(&self) -> i64 {
        (real_now_ms() / 1000) as i64
    }

    /// A signer with the current Alipay key (always RSA2) over text in `charset`, and in certificate
    /// mode the SN of its certificate.
    pub fn signer(&self, charset: Charset) -> Result<(Signer, Option<String>)> {
        let (key, sn) = self.alipay_key();
        Ok((Signer::new(key, SignType::Rsa2, charset)?, sn))
    }

    /// The current Alipay key and (certificate mode) its certificate SN.
    pub fn alipay_key(&self) -> (Arc<PrivateKey>, Option<String>) {
        let current = self
            .alipay
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (current.0.clone(), current.1.clone())
    }

    /// Counts one gateway call.
    pub fn count_call(&self, method: &str) {
        let mut stats = lock(&self.stats);
        stats.total += 1;
        *stats.by_method.entry(method.to_string()).or_insert(0) += 1;
    }

    /// The fault for this gateway call, consuming one use of it.
    pub fn take_fault(&self) -> Option<Fault> {
        let mut setting = lock(&self.fault);
        let (fault, remaining) = setting.as_mut()?;
        let fault = fault.clone();
        match remaining {
            None => {}
            Some(0) => {
                *setting = None;
                return None;
            }
            Some(1) => *setting = None,
            Some(left) => *left -= 1,
        }
        Some(fault)
    }

    /// Whether the emulator is stopping.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }
}

/// Real time, epoch milliseconds.
pub fn real_now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}

/// Milliseconds in a duration, saturating.
pub fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
