//! A v3 call as the caller describes it, mirroring `alipay_isv::v3::call` and `::multipart`:
//! [`V3Call`] (method, path, ordered [`QueryParam`]s, the JSON body as text, the merchant's token, AES,
//! [`V3File`]s, a request id) and its conversion to the core's call. Nothing is encoded or checked here:
//! `IsvConfig.prepareV3` and `Client.executeV3` do that in the core.
//!
//! The `toString()` of every record here masks secrets: the value of a secret query parameter
//! (`app_auth_token`, `auth_token`, `code`, …) and the token, the body by its length only (a token
//! call's body holds the code or refresh token), a file by its name and size.

use std::fmt;
use std::path::PathBuf;

use alipay_isv::secret::{shown, shown_param};
use alipay_isv::v3 as core;

/// One query parameter, unencoded (Kotlin: `QueryParam("page_num", "1")`); a list keeps the order
/// and repeated names. `toString()` masks the value of a secret parameter (`app_auth_token`,
/// `auth_token`, `code`, …).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct QueryParam {
    /// The parameter's name.
    pub name: String,
    /// Its value, unencoded (the call percent-encodes it once, as RFC 3986 does: space as `%20`).
    pub value: String,
}

impl fmt::Debug for QueryParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for QueryParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "QueryParam(name={}, value={})",
            self.name,
            shown_param(&self.name, &self.value)
        )
    }
}

/// Where the bytes of an upload file come from (Kotlin: `V3FileSource.Bytes(bytes)`,
/// `V3FileSource.Path("/tmp/shop.jpg")`).
#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
pub enum V3FileSource {
    /// Bytes in memory.
    Bytes {
        /// The file's content.
        bytes: Vec<u8>,
    },
    /// A file on disk, streamed when the call is sent (never read whole into memory by
    /// `Client.executeV3`; `IsvConfig.prepareV3` reads it whole to return the body).
    Path {
        /// The file's path.
        path: String,
    },
}

impl fmt::Debug for V3FileSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            V3FileSource::Bytes { bytes } => write!(f, "Bytes({} bytes)", bytes.len()),
            V3FileSource::Path { path } => write!(f, "Path({path})"),
        }
    }
}

/// One file of a multipart v3 upload (Kotlin: `V3File("file_content", "shop.jpg",
/// V3FileSource.Bytes(jpeg))`, or the `V3File.fromBytes` / `V3File.fromPath` helpers of
/// `V3Calls.kt`). `toString()` shows the field, name, content type and size or path, never the bytes.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct V3File {
    /// The form field, e.g. `file_content` for `alipay.open.file.upload` (never `data`: that part is
    /// the signed JSON).
    pub field: String,
    /// The file name sent (its extension is what Alipay checks); empty for a `Path` source takes the
    /// path's own file name.
    pub file_name: String,
    /// The bytes, in memory or on disk.
    pub source: V3FileSource,
    /// The part's content type; null guesses it from the extension (`image/jpeg` for `.jpg`, …).
    #[uniffi(default)]
    pub content_type: Option<String>,
}

impl V3File {
    /// The core file: a `Path` source with no file name takes the path's own.
    pub(crate) fn to_core(&self) -> core::V3File {
        let mut file = match &self.source {
            V3FileSource::Bytes { bytes } => {
                core::V3File::from_bytes(&self.field, &self.file_name, bytes.clone())
            }
            V3FileSource::Path { path } => {
                core::V3File::from_path(&self.field, PathBuf::from(path))
            }
        };
        if !self.file_name.is_empty() {
            file.file_name = self.file_name.clone();
        }
        file.content_type = self.content_type.clone().unwrap_or_default();
        file
    }
}

impl fmt::Debug for V3File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for V3File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "V3File(field={}, fileName={}, source={:?}, contentType={})",
            self.field,
            self.file_name,
            self.source,
            self.content_type.as_deref().unwrap_or("null")
        )
    }
}

/// One OpenAPI v3 call (Kotlin: `V3Call("POST", "/v3/alipay/open/mini/version/list/query", body =
/// "{}", appAuthToken = token)`; `V3Call.of(…, json = mapOf(…), query = mapOf(…))` of `V3Calls.kt`
/// serialises a map once). Run it with `Client.executeV3`, `Registry.executeV3For`, or sign it for
/// your own HTTP stack with `IsvConfig.prepareV3`. `toString()` masks the token and secret query
/// values and shows the body by its length only.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct V3Call {
    /// The HTTP method, e.g. `GET` or `POST` (any case; sent upper case).
    pub method: String,
    /// The path, e.g. `/v3/alipay/user/info/share`: starts with `/v3/`, no query (give it in
    /// `query`), path parameters already percent-encoded.
    pub path: String,
    /// Query parameters in order, unencoded (encoded once by the call).
    #[uniffi(default)]
    pub query: Vec<QueryParam>,
    /// The JSON body exactly as it is to be sent (`jsonOf(map)` makes it from a map); null for
    /// none. With files, the JSON of the signed `data` part.
    #[uniffi(default)]
    pub body: Option<String>,
    /// The merchant's `app_auth_token`, for a call on its behalf (sent in the
    /// `alipay-app-auth-token` header and signed); null or empty for none.
    #[uniffi(default)]
    pub app_auth_token: Option<String>,
    /// Encrypt the body with the configuration's AES key and decrypt the answer.
    #[uniffi(default = false)]
    pub encrypt: bool,
    /// Files: the call is a `multipart/form-data` upload (a POST) when there are any.
    #[uniffi(default)]
    pub files: Vec<V3File>,
    /// The `alipay-request-id` header; null draws a fresh one.
    #[uniffi(default)]
    pub request_id: Option<String>,
}

impl V3Call {
    /// The core call (nothing checked yet: the core checks when it prepares it).
    pub(crate) fn to_core(&self) -> core::V3Call {
        core::V3Call {
            method: self.method.clone(),
            path: self.path.clone(),
            query: self
                .query
                .iter()
                .map(|param| (param.name.clone(), param.value.clone()))
                .collect(),
            body: self.body.clone(),
            app_auth_token: self
                .app_auth_token
                .clone()
                .filter(|token| !token.is_empty()),
            encrypt: self.encrypt,
            files: self.files.iter().map(V3File::to_core).collect(),
            request_id: self.request_id.clone(),
        }
    }
}

impl fmt::Debug for V3Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for V3Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let query: Vec<String> = self.query.iter().map(ToString::to_string).collect();
        let files: Vec<String> = self.files.iter().map(ToString::to_string).collect();
        write!(
            f,
            "V3Call(method={}, path={}, query=[{}], bodyChars={}, appAuthToken={}, encrypt={}, \
             files=[{}], requestId={})",
            self.method,
            self.path,
            query.join(", "),
            self.body.as_ref().map_or_else(
                || "null".to_string(),
                |body| body.chars().count().to_string()
            ),
            self.app_auth_token.as_deref().map_or_else(
                || "null".to_string(),
                |token| shown("app_auth_token", token)
            ),
            self.encrypt,
            files.join(", "),
            self.request_id.as_deref().unwrap_or("null")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "202612BB0123456789abcdef0123456789abcdef";

    #[test]
    fn the_core_call_keeps_every_field_and_order() {
        let call = V3Call {
            method: "post".into(),
            path: "/v3/alipay/open/file/upload".into(),
            query: vec![
                QueryParam {
                    name: "b".into(),
                    value: "2".into(),
                },
                QueryParam {
                    name: "a".into(),
                    value: "1 2".into(),
                },
            ],
            body: Some("{}".into()),
            app_auth_token: Some(TOKEN.into()),
            encrypt: true,
            files: vec![V3File {
                field: "file_content".into(),
                file_name: String::new(),
                source: V3FileSource::Path {
                    path: "/tmp/dir/shop.JPG".into(),
                },
                content_type: None,
            }],
            request_id: Some("r1".into()),
        };
        let core = call.to_core();
        assert_eq!(
            core.query,
            vec![("b".into(), "2".into()), ("a".into(), "1 2".into())]
        );
        assert_eq!(core.app_auth_token.as_deref(), Some(TOKEN));
        assert_eq!(core.files[0].file_name, "shop.JPG");
        assert_eq!(core.files[0].effective_content_type(), "image/jpeg");
        assert!(core.encrypt);
        assert_eq!(core.request_id.as_deref(), Some("r1"));
        let empty = V3Call {
            app_auth_token: Some(String::new()),
            ..call.clone()
        };
        assert_eq!(empty.to_core().app_auth_token, None);
    }

    #[test]
    fn to_string_masks_the_token_and_secret_query_values() {
        let call = V3Call {
            method: "GET".into(),
            path: "/v3/alipay/open/auth/token/app/query".into(),
            query: vec![QueryParam {
                name: "app_auth_token".into(),
                value: TOKEN.into(),
            }],
            body: Some(format!("{{\"refresh_token\":\"{TOKEN}\"}}")),
            app_auth_token: Some(TOKEN.into()),
            encrypt: false,
            files: vec![V3File {
                field: "file_content".into(),
                file_name: "a.png".into(),
                source: V3FileSource::Bytes {
                    bytes: TOKEN.as_bytes().to_vec(),
                },
                content_type: Some("image/png".into()),
            }],
            request_id: None,
        };
        let shown = call.to_string();
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(shown.contains("bodyChars=60"), "{shown}");
        assert!(shown.contains("Bytes(40 bytes)"), "{shown}");
    }
}
