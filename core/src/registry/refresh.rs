//! [`Registry::token_for`]: a usable token, refreshed ahead of expiry exactly once however many threads
//! and processes ask at the same time.
//!
//! In one process, callers for the same authorisation (our app, `auth_app_id`) queue on one lock (single flight) and re-read the
//! record after waiting. Across processes sharing a store, the refresher first takes a *lease* on the
//! record with a compare-and-swap on its `version`; others see the lease, wait for the record's version to
//! move, and use the new token. A lease lapses after 30 s, so a crashed refresher blocks nobody for long.
//!
//! A refresh that fails while the stored token has not expired yet is not an outage: the still-valid token
//! is returned, and no new refresh is tried for [`RETRY_REFRESH_AFTER`]. Once the token has expired, the
//! refresh's error is returned.
//!
//! A record without a refresh token (an `app_auth_token` imported alone) cannot be refreshed: once it is
//! due, [`Registry::token_for`] refuses it with an [`Error::Store`] that names the merchant app and asks
//! for a fresh import or a new authorisation — no lease is taken and no call is made.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::record::{AuthStatus, MerchantAuthorisation, RefreshLease};
use super::store::{Decision, UpdateResult};
use super::{Registry, ingest, now_ms, unknown_merchant};
use crate::client::auth_calls::APP_AUTH_TOKEN_METHOD;
use crate::error::{Error, Result};
use crate::observe::{self, Event, EventKind, Outcome};

/// How often a waiting caller re-reads a record another process is refreshing.
const LEASE_POLL: Duration = Duration::from_millis(25);
/// After a failed refresh of a still-valid token, wait this long before trying again.
pub const RETRY_REFRESH_AFTER: Duration = Duration::from_secs(5);

fn is_expired(record: &MerchantAuthorisation, now: i64) -> bool {
    record
        .expires_at_ms
        .is_some_and(|expires_at| expires_at <= now)
}

fn revoked(record: &MerchantAuthorisation) -> Error {
    Error::Store {
        reason: format!(
            "the merchant app {} ({}) is revoked{}: no call was made; the merchant must authorise again",
            record.auth_app_id,
            record.merchant_pid.as_deref().unwrap_or("PID unknown"),
            record
                .revoked_at_ms
                .map(|at| format!(
                    " since {} (UTC+8)",
                    crate::request::china_timestamp(at.div_euclid(1000))
                ))
                .unwrap_or_default()
        ),
    }
}

/// The error for a due token that cannot be refreshed: no refresh token is stored.
fn cannot_refresh(record: &MerchantAuthorisation, now: i64) -> Error {
    let when = record
        .expires_at_ms
        .map(|at| {
            let shown = crate::request::china_timestamp(at.div_euclid(1000));
            if at <= now {
                format!("expired at {shown} (UTC+8)")
            } else {
                format!("expires at {shown} (UTC+8)")
            }
        })
        .unwrap_or_else(|| "is due for refresh".to_string());
    Error::Store {
        reason: format!(
            "the app_auth_token of the merchant app {} ({}) {when} and cannot be refreshed: no \
             app_refresh_token is stored (it was imported without one); import a fresh token from the \
             open-platform console, with its app_refresh_token, or have the merchant authorise again",
            record.auth_app_id,
            record.merchant_pid.as_deref().unwrap_or("PID unknown"),
        ),
    }
}

/// The single-flight key of a record: its app and merchant app.
fn record_key(record: &MerchantAuthorisation) -> String {
    format!("{}/{}", record.app_id, record.auth_app_id)
}

impl Registry {
    /// Whether the token expires within the refresh margin (or has expired).
    fn is_due(&self, record: &MerchantAuthorisation, now: i64) -> bool {
        let margin = self.refresh_margin.as_millis() as i64;
        record
            .expires_at_ms
            .is_some_and(|expires_at| expires_at.saturating_sub(margin) <= now)
    }

    /// The record, or the error of a due token that cannot be refreshed.
    fn refreshable(
        &self,
        record: MerchantAuthorisation,
        now: i64,
    ) -> Result<MerchantAuthorisation> {
        if record.app_refresh_token.is_none() && self.is_due(&record, now) {
            return Err(cannot_refresh(&record, now));
        }
        Ok(record)
    }

    fn needs_refresh(&self, record: &MerchantAuthorisation, now: i64) -> bool {
        self.is_due(record, now)
            && (is_expired(record, now) || !self.backing_off(&record_key(record), now))
    }

    fn backing_off(&self, key: &str, now: i64) -> bool {
        let failures = self
            .failed_refreshes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        failures.get(key).is_some_and(|until| *until > now)
    }

    fn note_refresh(&self, key: &str, failed: bool) {
        let mut failures = self
            .failed_refreshes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if failed {
            let until = now_ms() + RETRY_REFRESH_AFTER.as_millis() as i64;
            failures.insert(key.to_string(), until);
        } else {
            failures.remove(key);
        }
    }

    fn current(&self, app_id: &str, auth_app_id: &str) -> Result<MerchantAuthorisation> {
        let record = self
            .get_for_app(app_id, auth_app_id)?
            .ok_or_else(|| unknown_merchant(auth_app_id))?;
        if record.status == AuthStatus::Revoked {
            return Err(revoked(&record));
        }
        Ok(record)
    }

    fn flight(&self, key: &str) -> Arc<Mutex<()>> {
        let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
        flights
            .entry(key.to_string())
            .or_insert_with(|| Arc::new(Mutex::new(())))
            .clone()
    }

    /// A usable `app_auth_token` for the merchant app `auth_app_id`: the stored one, or — when it
    /// expires within the refresh margin — a fresh one obtained with the stored refresh token (through the
    /// registry's client) and stored before it is returned. Exactly one refresh reaches the gateway when
    /// many threads, or processes sharing the SQLite file, ask at once; the others get the new token.
    ///
    /// # Errors
    /// [`Error::Store`] for an unknown or revoked merchant app (no call is made), for a token due for
    /// refresh with no refresh token stored (imported without one: no call is made; the reason says to
    /// import a fresh token or have the merchant authorise again), or a store failure;
    /// [`Error::Config`] when a refresh is due and the registry has no client; the refresh call's errors.
    /// When the merchant app authorised several of our apps, the default app's token (see
    /// [`Registry::get`]); [`Registry::token_for_app`] names the app.
    pub fn token_for(&self, auth_app_id: &str) -> Result<String> {
        self.usable_token_of(auth_app_id).map(|(token, _)| token)
    }

    /// The usable token of the merchant app `auth_app_id` and the app it authorised: from the token
    /// cache when it holds a fresh entry (see [`Registry::with_token_cache`]), else from the store
    /// (refreshed if due), cached when it was read as it is.
    pub(super) fn usable_token_of(&self, auth_app_id: &str) -> Result<(String, String)> {
        let cache = self.token_cache.as_ref();
        if let Some(hit) = cache.and_then(|cache| cache.get(auth_app_id, now_ms())) {
            return Ok(hit);
        }
        let (read_at, epoch) = (Instant::now(), cache.map_or(0, |cache| cache.epoch()));
        let record = self
            .resolve(auth_app_id)?
            .ok_or_else(|| unknown_merchant(auth_app_id))?;
        let app_id = record.app_id.clone();
        let read = cache.map(|_| record.clone());
        let token = self.usable_token(record)?;
        if let (Some(cache), Some(read)) = (cache, read) {
            // Only a token served as it was read (not one just refreshed: the next call reads it).
            if read.app_auth_token == token && read.status != AuthStatus::Revoked {
                let due_at = read.expires_at_ms.map_or(i64::MAX, |expires_at| {
                    expires_at.saturating_sub(self.refresh_margin.as_millis() as i64)
                });
                cache.put(&read, read_at, epoch, due_at);
            }
        }
        Ok((token, app_id))
    }

    /// [`Registry::token_for`] for the authorisation of the merchant app `auth_app_id` to our app
    /// `app_id` (refreshed through that app's client).
    ///
    /// # Errors
    /// As for [`Registry::token_for`].
    pub fn token_for_app(&self, app_id: &str, auth_app_id: &str) -> Result<String> {
        self.usable_token(self.current(app_id, auth_app_id)?)
    }

    /// The token of `record`, just read: itself when it is not due, else refreshed (the record read
    /// again under the single-flight lock and the lease).
    pub(super) fn usable_token(&self, record: MerchantAuthorisation) -> Result<String> {
        if record.status == AuthStatus::Revoked {
            return Err(revoked(&record));
        }
        let now = now_ms();
        let record = self.refreshable(record, now)?;
        if !self.needs_refresh(&record, now) {
            return Ok(record.app_auth_token);
        }
        let (app_id, auth_app_id) = (record.app_id.clone(), record.auth_app_id.clone());
        let key = record_key(&record);
        let flight = self.flight(&key);
        let _single_flight = flight.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let now = now_ms();
            let record = self.refreshable(self.current(&app_id, &auth_app_id)?, now)?;
            if !self.needs_refresh(&record, now) {
                return Ok(record.app_auth_token);
            }
            if self.take_lease(&record, now)? {
                let outcome = self.refresh_holding_lease(record.clone());
                self.note_refresh(&key, outcome.is_err());
                return match outcome {
                    Err(_) if !is_expired(&record, now_ms()) => Ok(record.app_auth_token),
                    other => other,
                };
            }
            // Another process holds the lease: wait for its refresh to land (or its lease to lapse).
            thread::sleep(LEASE_POLL);
        }
    }

    /// Compare-and-swap: takes the refresh lease if the record is unchanged and nobody holds a live one.
    fn take_lease(&self, seen: &MerchantAuthorisation, now: i64) -> Result<bool> {
        let until_ms = now + self.lease_duration.as_millis() as i64;
        let owner = self.owner.clone();
        let result = self
            .store
            .update(&seen.app_id, &seen.auth_app_id, None, &mut |current| {
                Ok(match current {
                    Some(stored)
                        if stored.version == seen.version
                            && stored
                                .refresh_lease
                                .as_ref()
                                .is_none_or(|lease| lease.until_ms < now) =>
                    {
                        let mut leased = stored.clone();
                        leased.refresh_lease = Some(RefreshLease {
                            owner: owner.clone(),
                            until_ms,
                        });
                        Decision::Write(Box::new(leased))
                    }
                    _ => Decision::Keep,
                })
            })?;
        Ok(matches!(result, UpdateResult::Written(_)))
    }

    fn refresh_holding_lease(&self, record: MerchantAuthorisation) -> Result<String> {
        let started = Instant::now();
        let result = self.refresh_and_store(record.clone());
        let mut event = Event::new(EventKind::Refresh, Outcome::SUCCESS, started.elapsed());
        event.app_id = Some(self.event_app_id(&record.app_id));
        event.auth_app_id = Some(record.auth_app_id.clone());
        event.method = Some(APP_AUTH_TOKEN_METHOD.to_string());
        if let Err(error) = &result {
            event = event.with_error(error);
        }
        observe::emit(&event);
        result
    }

    /// Refreshes the token of `record` (whose lease we hold) and stores the answer.
    fn refresh_and_store(&self, record: MerchantAuthorisation) -> Result<String> {
        let outcome = self.refresh_call(&record);
        let owner = self.owner.clone();
        let now = now_ms();
        let result =
            self.store
                .update(&record.app_id, &record.auth_app_id, None, &mut |current| {
                    let Some(stored) = current else {
                        return Ok(Decision::Keep);
                    };
                    let ours = stored
                        .refresh_lease
                        .as_ref()
                        .is_some_and(|lease| lease.owner == owner);
                    if !ours {
                        return Ok(Decision::Keep);
                    }
                    Ok(match &outcome {
                        Ok(token) => match ingest::from_token(
                            Some(stored),
                            &stored.app_id,
                            token,
                            ingest::TokenSource::Refresh,
                            now,
                        ) {
                            Decision::Keep => {
                                let mut released = stored.clone();
                                released.refresh_lease = None;
                                Decision::Write(Box::new(released))
                            }
                            write => write,
                        },
                        Err(_) => {
                            let mut released = stored.clone();
                            released.refresh_lease = None;
                            Decision::Write(Box::new(released))
                        }
                    })
                })?;
        let token = outcome?;
        match result {
            UpdateResult::Written(record) if record.app_auth_token == token.app_auth_token => {
                Ok(record.app_auth_token)
            }
            // Our lease lapsed and another refresher won: theirs is the stored token.
            _ => Ok(self
                .current(&record.app_id, &record.auth_app_id)?
                .app_auth_token),
        }
    }

    fn refresh_call(&self, record: &MerchantAuthorisation) -> Result<crate::auth::AppAuthToken> {
        let client = self.client_for(&record.app_id)?;
        let refresh_token = record
            .app_refresh_token
            .as_deref()
            .ok_or_else(|| Error::Store {
                reason: format!(
                    "the token of {} is due for refresh but no app_refresh_token is stored",
                    record.auth_app_id
                ),
            })?;
        let tokens = client.refresh_app_auth_token_for(refresh_token, Some(&record.auth_app_id))?;
        let position = tokens
            .iter()
            .position(|token| {
                token.auth_app_id == record.auth_app_id || token.auth_app_id.is_empty()
            })
            .unwrap_or(0);
        let mut token = tokens
            .into_iter()
            .nth(position)
            .ok_or_else(|| Error::protocol("the refresh answer carries no token"))?;
        if token.auth_app_id.is_empty() {
            token.auth_app_id = record.auth_app_id.clone();
        }
        if token.auth_app_id != record.auth_app_id {
            return Err(Error::protocol(format!(
                "refreshing {} returned a token for {}",
                record.auth_app_id, token.auth_app_id
            )));
        }
        Ok(token)
    }
}
