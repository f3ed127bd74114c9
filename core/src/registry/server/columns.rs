//! The shared rows ([`AuthorisationRow`], [`OrderRow`]) read from a driver's row and written as a
//! statement's parameters column by column, in the order of [`COLUMNS`](crate::registry::row_codec::COLUMNS)
//! and [`ORDER_COLUMNS`](crate::registry::row_codec::ORDER_COLUMNS): each driver only says how to read
//! and bind one value of each kind ([`ReadColumns`], [`WriteColumns`]).

use crate::registry::row_codec::{AuthorisationRow, OrderRow};

/// Reads a driver's row one column after the other.
pub(crate) trait ReadColumns {
    /// The driver's error for a value of another type.
    type Error;
    /// The next column, text.
    fn text(&mut self) -> Result<String, Self::Error>;
    /// The next column, text or NULL.
    fn maybe_text(&mut self) -> Result<Option<String>, Self::Error>;
    /// The next column, bytes.
    fn bytes(&mut self) -> Result<Vec<u8>, Self::Error>;
    /// The next column, bytes or NULL.
    fn maybe_bytes(&mut self) -> Result<Option<Vec<u8>>, Self::Error>;
    /// The next column, a 64-bit integer.
    fn int(&mut self) -> Result<i64, Self::Error>;
    /// The next column, a 64-bit integer or NULL.
    fn maybe_int(&mut self) -> Result<Option<i64>, Self::Error>;
}

/// Binds a statement's parameters one after the other, borrowing the values for `'a`. Text and bytes come
/// as `&String` and `&Vec<u8>`, not slices: a driver binds a reference to a sized value (`&dyn ToSql`).
#[allow(clippy::ptr_arg)]
pub(crate) trait WriteColumns<'a> {
    /// Text.
    fn text(&mut self, value: &'a String);
    /// Text or NULL.
    fn maybe_text(&mut self, value: &'a Option<String>);
    /// Bytes.
    fn bytes(&mut self, value: &'a Vec<u8>);
    /// Bytes or NULL.
    fn maybe_bytes(&mut self, value: &'a Option<Vec<u8>>);
    /// A 64-bit integer.
    fn int(&mut self, value: &'a i64);
    /// A 64-bit integer or NULL.
    fn maybe_int(&mut self, value: &'a Option<i64>);
}

impl AuthorisationRow {
    /// The row read from `columns`.
    pub(crate) fn read<R: ReadColumns>(columns: &mut R) -> Result<Self, R::Error> {
        Ok(AuthorisationRow {
            auth_app_id: columns.text()?,
            merchant_pid: columns.maybe_text()?,
            app_auth_token: columns.bytes()?,
            app_refresh_token: columns.maybe_bytes()?,
            expires_at_ms: columns.maybe_int()?,
            refresh_expires_at_ms: columns.maybe_int()?,
            authorised_at_ms: columns.int()?,
            token_issued_at_ms: columns.int()?,
            status: columns.text()?,
            revoked_at_ms: columns.maybe_int()?,
            granted_methods: columns.text()?,
            version: columns.int()?,
            refresh_lease_owner: columns.maybe_text()?,
            refresh_lease_until_ms: columns.maybe_int()?,
            updated_at_ms: columns.int()?,
            origin: columns.text()?,
            app_id: columns.text()?,
        })
    }

    /// The row's values bound to `params`.
    pub(crate) fn write<'a, W: WriteColumns<'a>>(&'a self, params: &mut W) {
        params.text(&self.auth_app_id);
        params.maybe_text(&self.merchant_pid);
        params.bytes(&self.app_auth_token);
        params.maybe_bytes(&self.app_refresh_token);
        params.maybe_int(&self.expires_at_ms);
        params.maybe_int(&self.refresh_expires_at_ms);
        params.int(&self.authorised_at_ms);
        params.int(&self.token_issued_at_ms);
        params.text(&self.status);
        params.maybe_int(&self.revoked_at_ms);
        params.text(&self.granted_methods);
        params.int(&self.version);
        params.maybe_text(&self.refresh_lease_owner);
        params.maybe_int(&self.refresh_lease_until_ms);
        params.int(&self.updated_at_ms);
        params.text(&self.origin);
        params.text(&self.app_id);
    }
}

impl OrderRow {
    /// The row read from `columns`.
    pub(crate) fn read<R: ReadColumns>(columns: &mut R) -> Result<Self, R::Error> {
        Ok(OrderRow {
            commodity_order_id: columns.text()?,
            app_id: columns.text()?,
            merchant_pid: columns.text()?,
            consumer_mini_app_id: columns.maybe_text()?,
            merchant_name: columns.maybe_text()?,
            title: columns.maybe_text()?,
            total_price: columns.maybe_text()?,
            order_time: columns.maybe_text()?,
            contactor: columns.maybe_text()?,
            phone: columns.maybe_text()?,
            status: columns.text()?,
            items: columns.text()?,
            notify_id: columns.maybe_text()?,
            notified_at_ms: columns.maybe_int()?,
            params: columns.text()?,
            history: columns.text()?,
            version: columns.int()?,
            created_at_ms: columns.int()?,
            updated_at_ms: columns.int()?,
        })
    }

    /// The row's values bound to `params`.
    pub(crate) fn write<'a, W: WriteColumns<'a>>(&'a self, params: &mut W) {
        params.text(&self.commodity_order_id);
        params.text(&self.app_id);
        params.text(&self.merchant_pid);
        params.maybe_text(&self.consumer_mini_app_id);
        params.maybe_text(&self.merchant_name);
        params.maybe_text(&self.title);
        params.maybe_text(&self.total_price);
        params.maybe_text(&self.order_time);
        params.maybe_text(&self.contactor);
        params.maybe_text(&self.phone);
        params.text(&self.status);
        params.text(&self.items);
        params.maybe_text(&self.notify_id);
        params.maybe_int(&self.notified_at_ms);
        params.text(&self.params);
        params.text(&self.history);
        params.int(&self.version);
        params.int(&self.created_at_ms);
        params.int(&self.updated_at_ms);
    }
}

/// The names of `columns` (a comma-separated list) but `keys`.
pub(crate) fn non_key_columns<'c>(columns: &'c str, keys: &[&str]) -> Vec<&'c str> {
    columns
        .split(',')
        .map(str::trim)
        .filter(|column| !keys.contains(column))
        .collect()
}
