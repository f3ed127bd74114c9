//! The emulator's memory: merchant authorisations, single-use codes, app and user tokens with their
//! expiry instants (epoch milliseconds on the emulator clock), and the rules that say whether a token
//! still works. Everything here is plain data behind one `Mutex` in [`crate::shared::Shared`].

use std::collections::HashMap;

use crate::ids;

/// A merchant app (`auth_app_id`) that authorised the ISV.
#[derive(Debug, Clone)]
pub struct Authorisation {
    /// The merchant's PID (2088…).
    pub merchant_pid: String,
    /// When the merchant (last) authorised, epoch ms.
    pub auth_start_ms: u64,
    /// Whether the merchant revoked the authorisation.
    pub revoked: bool,
}

/// An `app_auth_token`.
#[derive(Debug, Clone)]
pub struct AppToken {
    /// The merchant app it acts for.
    pub auth_app_id: String,
    /// The merchant PID.
    pub user_id: String,
    /// When it stops working, epoch ms (moved earlier by a refresh or by the expiry test hook).
    pub expires_ms: u64,
    /// Set when the merchant revoked: a revoked token never works again, even after re-authorisation.
    pub revoked: bool,
}

/// An `app_refresh_token`.
#[derive(Debug, Clone)]
pub struct AppRefresh {
    /// The merchant app it refreshes.
    pub auth_app_id: String,
    /// The `app_auth_token` issued with it (it gets the grace period when this one is used).
    pub app_auth_token: String,
    /// When it expires, epoch ms.
    pub expires_ms: u64,
    /// Refresh tokens are single-use.
    pub used: bool,
}

/// The tokens one merchant app was granted at authorisation time.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The new token.
    pub app_auth_token: String,
    /// Its refresh token.
    pub app_refresh_token: String,
    /// The merchant app.
    pub auth_app_id: String,
    /// The merchant PID.
    pub user_id: String,
    /// When the merchant authorised, epoch ms.
    pub auth_time_ms: u64,
}

/// An `app_auth_code` handed to the ISV's callback.
#[derive(Debug, Clone)]
pub struct AppCode {
    /// The ISV app the code was issued to.
    pub isv_app_id: String,
    /// When it expires, epoch ms (24 h, or 10 min for a batch authorisation).
    pub expires_ms: u64,
    /// Codes are single-use.
    pub used: bool,
    /// Whether it came from a batch authorisation (the answer then carries only `tokens`).
    pub batch: bool,
    /// The tokens the code exchanges for, one per merchant app.
    pub grants: Vec<Grant>,
}

/// A user `auth_code` from the consent page.
#[derive(Debug, Clone)]
pub struct UserCode {
    /// The merchant app (mini-program) the user consented to.
    pub auth_app_id: String,
    /// The user's id (2088…).
    pub user_id: String,
    /// `auth_user` was granted (not only `auth_base`).
    pub full_scope: bool,
    /// When it expires, epoch ms.
    pub expires_ms: u64,
    /// Codes are single-use.
    pub used: bool,
}

/// A user `access_token` or its refresh token.
#[derive(Debug, Clone)]
pub struct UserGrant {
    /// The merchant app it was issued for.
    pub auth_app_id: String,
    /// The user's id.
    pub user_id: String,
    /// `auth_user` was granted.
    pub full_scope: bool,
    /// When it expires, epoch ms.
    pub expires_ms: u64,
    /// Refresh tokens are single-use (unused for access tokens).
    pub used: bool,
}

/// What an `app_auth_token` is worth right now.
#[derive(Debug, Clone)]
pub enum TokenStatus {
    /// Never issued.
    Unknown,
    /// The merchant revoked it.
    Revoked(AppToken),
    /// Past its expiry.
    Expired(AppToken),
    /// Works.
    Valid(AppToken),
}

/// Everything the emulator remembers.
#[derive(Debug, Default)]
pub struct State {
    /// Merchant apps by `auth_app_id`.
    pub authorisations: HashMap<String, Authorisation>,
    /// `app_auth_token`s.
    pub app_tokens: HashMap<String, AppToken>,
    /// `app_refresh_token`s.
    pub app_refresh: HashMap<String, AppRefresh>,
    /// `app_auth_code`s.
    pub app_codes: HashMap<String, AppCode>,
    /// User `auth_code`s.
    pub user_codes: HashMap<String, UserCode>,
    /// User `access_token`s.
    pub access_tokens: HashMap<String, UserGrant>,
    /// User refresh tokens.
    pub user_refresh: HashMap<String, UserGrant>,
    /// The latest `app_auth_token` minted per merchant app (`auth_app_id`): the one the open-platform
    /// console shows.
    pub current_app_tokens: HashMap<String, String>,
    /// Service-market orders by `commodity_order_id`.
    pub orders: HashMap<String, Order>,
    /// Files received by `alipay.open.file.upload` (v3), by `file_id`.
    pub uploaded_files: HashMap<String, UploadedFile>,
}

/// A file received by `alipay.open.file.upload` over v3 (its bytes are not kept, only what identifies
/// them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    /// The id the answer gave.
    pub file_id: String,
    /// The file name of the `file_content` part.
    pub file_name: String,
    /// The part's own `Content-Type`, when it had one.
    pub content_type: Option<String>,
    /// The size in bytes.
    pub size: u64,
    /// The lowercase hex MD5 of the bytes.
    pub md5: String,
    /// The `biz_code` of the `data` part.
    pub biz_code: String,
    /// The merchant app the upload was made for (from the `alipay-app-auth-token` header), or `None`
    /// when the ISV uploaded for itself.
    pub auth_app_id: Option<String>,
    /// When it was received, epoch ms on the emulator clock.
    pub uploaded_ms: u64,
}

/// A merchant's service-market order of the ISV's plugin, with the state machine of its items.
#[derive(Debug, Clone)]
pub struct Order {
    /// The order number.
    pub commodity_order_id: String,
    /// The ordering merchant.
    pub merchant_pid: String,
    /// Its name as the order message shows it.
    pub merchant_name: String,
    /// The contact person.
    pub contactor: String,
    /// The contact phone.
    pub phone: String,
    /// The merchant's mini program the plugin is for (one item).
    pub auth_app_id: String,
    /// The ordered service.
    pub title: String,
    /// Its price in yuan (`0.00`).
    pub total_price: String,
    /// When ordered, epoch ms.
    pub created_ms: u64,
    /// `MERCHANT_ORDED` (awaiting the ISV), `ISV_ACCEPTED`, `ISV_REJECTED`.
    pub status: String,
    /// Its items: (mini app id, `TO_DO` / `DOING` / `TO_CONFIRM` / `DONE` / `ISV_REJECTED` /
    /// `ISV_CANCELLED`).
    pub items: Vec<(String, String)>,
    /// Fault: the order query does not know this order (`ORDER_NOT_EXIST`), as when a message
    /// arrives before the order is queryable.
    pub unknown_to_query: bool,
}

/// Lifetimes used when minting tokens, in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    /// `app_auth_token`.
    pub app_token_ms: u64,
    /// `app_refresh_token`.
    pub app_refresh_ms: u64,
    /// User `access_token`.
    pub access_ms: u64,
    /// User refresh token.
    pub user_refresh_ms: u64,
}

impl State {
    /// Records that `merchant_pid` authorised `auth_app_id` now and mints its tokens.
    pub fn authorise(
        &mut self,
        auth_app_id: &str,
        merchant_pid: &str,
        now_ms: u64,
        lifetimes: Lifetimes,
    ) -> Grant {
        self.authorisations.insert(
            auth_app_id.to_string(),
            Authorisation {
                merchant_pid: merchant_pid.to_string(),
                auth_start_ms: now_ms,
                revoked: false,
            },
        );
        self.mint_app_token(auth_app_id, merchant_pid, now_ms, lifetimes)
    }

    /// Mints a token and refresh token for an authorised merchant app.
    pub fn mint_app_token(
        &mut self,
        auth_app_id: &str,
        merchant_pid: &str,
        now_ms: u64,
        lifetimes: Lifetimes,
    ) -> Grant {
        let token = ids::app_token(now_ms);
        let refresh = ids::app_token(now_ms);
        self.app_tokens.insert(
            token.clone(),
            AppToken {
                auth_app_id: auth_app_id.to_string(),
                user_id: merchant_pid.to_string(),
                expires_ms: now_ms.saturating_add(lifetimes.app_token_ms),
                revoked: false,
            },
        );
        self.app_refresh.insert(
            refresh.clone(),
            AppRefresh {
                auth_app_id: auth_app_id.to_string(),
                app_auth_token: token.clone(),
                expires_ms: now_ms.saturating_add(lifetimes.app_refresh_ms),
                used: false,
            },
        );
        self.current_app_tokens
            .insert(auth_app_id.to_string(), token.clone());
        let auth_time_ms = self
            .authorisations
            .get(auth_app_id)
            .map_or(now_ms, |a| a.auth_start_ms);
        Grant {
            app_auth_token: token,
            app_refresh_token: refresh,
            auth_app_id: auth_app_id.to_string(),
            user_id: merchant_pid.to_string(),
            auth_time_ms,
        }
    }

    /// Whether an `app_auth_token` works now.
    pub fn app_token_status(&self, token: &str, now_ms: u64) -> TokenStatus {
        let Some(found) = self.app_tokens.get(token) else {
            return TokenStatus::Unknown;
        };
        let merchant_revoked = self
            .authorisations
            .get(&found.auth_app_id)
            .is_none_or(|a| a.revoked);
        if found.revoked || merchant_revoked {
            TokenStatus::Revoked(found.clone())
        } else if now_ms >= found.expires_ms {
            TokenStatus::Expired(found.clone())
        } else {
            TokenStatus::Valid(found.clone())
        }
    }

    /// The merchant revokes: every token of the app dies now. Returns the authorisation, or `None`
    /// when the app never authorised.
    pub fn revoke(&mut self, auth_app_id: &str) -> Option<Authorisation> {
        let authorisation = self.authorisations.get_mut(auth_app_id)?;
        authorisation.revoked = true;
        let revoked = authorisation.clone();
        for token in self.app_tokens.values_mut() {
            if token.auth_app_id == auth_app_id {
                token.revoked = true;
            }
        }
        for refresh in self.app_refresh.values_mut() {
            if refresh.auth_app_id == auth_app_id {
                refresh.used = true;
            }
        }
        Some(revoked)
    }

    /// Test hook: every live token of the app expires now. `false` when the app never authorised.
    pub fn expire_app_tokens(&mut self, auth_app_id: &str, now_ms: u64) -> bool {
        if !self.authorisations.contains_key(auth_app_id) {
            return false;
        }
        for token in self.app_tokens.values_mut() {
            if token.auth_app_id == auth_app_id && token.expires_ms > now_ms {
                token.expires_ms = now_ms;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIFETIMES: Lifetimes = Lifetimes {
        app_token_ms: 1000,
        app_refresh_ms: 2000,
        access_ms: 100,
        user_refresh_ms: 200,
    };

    #[test]
    fn tokens_expire_and_revocation_outlives_reauthorisation() {
        let mut state = State::default();
        let grant = state.authorise("2021000000000009", "2088000000000009", 10, LIFETIMES);
        let token = grant.app_auth_token.as_str();
        assert!(matches!(
            state.app_token_status(token, 500),
            TokenStatus::Valid(_)
        ));
        assert!(matches!(
            state.app_token_status(token, 1010),
            TokenStatus::Expired(_)
        ));
        assert!(matches!(
            state.app_token_status("nope", 0),
            TokenStatus::Unknown
        ));
        assert!(state.revoke("2021000000000009").is_some());
        assert!(matches!(
            state.app_token_status(token, 20),
            TokenStatus::Revoked(_)
        ));
        let again = state.authorise("2021000000000009", "2088000000000009", 30, LIFETIMES);
        assert!(matches!(
            state.app_token_status(token, 40),
            TokenStatus::Revoked(_)
        ));
        assert!(matches!(
            state.app_token_status(&again.app_auth_token, 40),
            TokenStatus::Valid(_)
        ));
        assert!(state.revoke("2021000000000000").is_none());
    }

    #[test]
    fn expiry_hook_ends_live_tokens_now() {
        let mut state = State::default();
        let grant = state.authorise("2021000000000009", "2088000000000009", 0, LIFETIMES);
        assert!(state.expire_app_tokens("2021000000000009", 5));
        assert!(matches!(
            state.app_token_status(&grant.app_auth_token, 5),
            TokenStatus::Expired(_)
        ));
        assert!(!state.expire_app_tokens("unknown", 5));
    }
}
