//! [`ConsoleToken`]: what the emulator's open-platform console shows of one merchant authorisation —
//! the token an ISV copies to import the merchant by hand (获得 app_auth_token 的方法二), from
//! `Emulator.consoleAppAuthToken`. The Kotlin `toString()` masks the token.

use std::fmt;

use alipay_isv::secret::shown;
use alipay_isv_emulator as core;

/// The console's entry for one merchant authorisation. `toString()` masks the token.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct ConsoleToken {
    /// The merchant's authorised app.
    pub auth_app_id: String,
    /// The merchant's PID (2088…).
    pub merchant_pid: String,
    /// The merchant's current token, to import with `Registry.importToken`. Secret.
    pub app_auth_token: String,
    /// When the merchant authorised, `yyyy-MM-dd HH:mm:ss` (UTC+8).
    pub auth_start: String,
    /// When the token ends, `yyyy-MM-dd HH:mm:ss` (UTC+8).
    pub auth_end: String,
}

impl From<core::ConsoleToken> for ConsoleToken {
    fn from(entry: core::ConsoleToken) -> Self {
        ConsoleToken {
            auth_app_id: entry.auth_app_id,
            merchant_pid: entry.merchant_pid,
            app_auth_token: entry.app_auth_token,
            auth_start: entry.auth_start,
            auth_end: entry.auth_end,
        }
    }
}

impl fmt::Debug for ConsoleToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ConsoleToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ConsoleToken(authAppId={}, merchantPid={}, appAuthToken={}, authStart={}, authEnd={})",
            self.auth_app_id,
            self.merchant_pid,
            shown("app_auth_token", &self.app_auth_token),
            self.auth_start,
            self.auth_end
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_masks_the_token() {
        let entry = ConsoleToken {
            auth_app_id: "2021000000000999".into(),
            merchant_pid: "2088000000000999".into(),
            app_auth_token: "202611BB8f3c5a1e4d2b4a6f9e0c7d1a2b3c4X21".into(),
            auth_start: "2026-11-01 10:00:00".into(),
            auth_end: "2027-11-01 10:00:00".into(),
        };
        let shown = entry.to_string();
        assert!(!shown.contains("8f3c5a1e"), "{shown}");
        assert!(shown.contains("2088000000000999"), "{shown}");
        assert_eq!(format!("{entry:?}"), shown);
    }
}
