//! Verifying an OpenAPI v3 answer, mirroring `alipay_isv::v3::answer`: `IsvConfig.v3Verify(status,
//! headers, body)` checks `alipay-signature` over `<alipay-timestamp>\n<alipay-nonce>\n<raw body>\n`
//! with the Alipay key (in certificate mode the certificate `alipay-sn` names) and gives a
//! [`V3Verdict`]; a 2xx answer must be signed, a non-2xx one without a signature is `UNSIGNED`.

use alipay_isv::v3::answer as core;

use super::{HttpHeader, headers_to_core};
use crate::config::IsvConfig;
use crate::error::{Result, guard};

/// What `IsvConfig.v3Verify` found (Kotlin `V3Verdict.VERIFIED`, `.UNSIGNED`; see `wireName()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum V3Verdict {
    /// The answer's signature verified.
    Verified,
    /// A non-2xx answer without a signature (Alipay's error answers usually are): accepted, not
    /// verified — treat its body as an error description only.
    Unsigned,
}

impl From<core::V3Verdict> for V3Verdict {
    fn from(verdict: core::V3Verdict) -> Self {
        match verdict {
            core::V3Verdict::Verified => V3Verdict::Verified,
            core::V3Verdict::Unsigned => V3Verdict::Unsigned,
        }
    }
}

#[uniffi::export]
impl V3Verdict {
    /// The stable name: `verified` or `unsigned` (as Python and Node return it).
    pub fn wire_name(&self) -> String {
        match self {
            V3Verdict::Verified => "verified",
            V3Verdict::Unsigned => "unsigned",
        }
        .to_string()
    }
}

#[uniffi::export]
impl IsvConfig {
    /// Verifies an OpenAPI v3 answer as received: its HTTP `status`, every header (names in any
    /// case, in order, repeats kept: `Map<String, String>` and JDK `HttpHeaders` overloads are in `V3Headers.kt`) and the
    /// raw `body` bytes, before any AES decryption. Blocking (RSA).
    ///
    /// Throws `AlipayException.Signature` for a 2xx answer without `alipay-signature` (the reason
    /// says the endpoint may be a v2 `gateway.do`), a signature that does not verify, or, in
    /// certificate mode, an `alipay-sn` the configuration does not trust (download it with
    /// `Client.fetchAlipayCert`); `.Protocol` for a signature header given twice, an
    /// `alipay-timestamp` that is not a number, a missing `alipay-nonce`, or a body that is not
    /// UTF-8 or is over 10 MiB; `.Config` for a status outside 0–65535.
    pub fn v3_verify(
        &self,
        status: i32,
        headers: Vec<HttpHeader>,
        body: Vec<u8>,
    ) -> Result<V3Verdict> {
        guard("IsvConfig.v3Verify", || {
            let status = u16::try_from(status).map_err(|_| {
                alipay_isv::Error::config(format!("{status} is not an HTTP status"))
            })?;
            let headers = headers_to_core(headers);
            let answer = core::V3Answer {
                status,
                headers: &headers,
                body: &body,
            };
            answer.verify(self.core()).map(V3Verdict::from)
        })
    }
}
