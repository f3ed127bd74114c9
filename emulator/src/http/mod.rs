//! The emulator's own minimal HTTP/1.1: reading requests on the server side ([`request`]), writing
//! answers ([`response`]), chunked bodies ([`chunked`]), and a tiny `http://` client ([`client`]) for
//! pushes and for following authorisation links.

pub mod chunked;
pub mod client;
pub mod request;
pub mod response;

/// The largest request head accepted (request line and headers).
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The largest request or response body accepted.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// The largest body of a `multipart/form-data` POST to `/v3/…` (a file upload): room for a file over
/// the gateway's 10 MiB file limit, so that one is refused with its typed error (`invalid-file-size`)
/// rather than by the connection.
pub const MAX_UPLOAD_BODY_BYTES: usize = 24 * 1024 * 1024;
