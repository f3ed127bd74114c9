//! AES content encryption over v3, as the real gateway applies it: a request saying
//! `alipay-encrypt-type: AES` (Node adds `alipay-encryption-algm: AES`) carries the Base64 AES-CBC
//! ciphertext of its JSON (of the `data` part, for an upload) and is signed over that ciphertext; the
//! gateway decrypts it with the app's key and encrypts its success answer. Refusals: no key configured
//! (`missing-encrypt-key`), another algorithm (`invalid-encrypt-type`), the algorithm header alone
//! (`missing-encrypt-type`), a ciphertext that does not decrypt to UTF-8 (`decryption-error`); all 400.

use alipay_isv::aes::AesKey;

use super::answer::error;
use crate::http::request::Request;
use crate::http::response::Response;
use crate::shared::Shared;

/// The header that says a v3 request is encrypted, and with what.
pub const ENCRYPT_TYPE_HEADER: &str = "alipay-encrypt-type";
/// The Node SDK's second header naming the algorithm.
pub const ENCRYPTION_ALGM_HEADER: &str = "alipay-encryption-algm";

/// The app's AES key when the request is encrypted, `None` when it is plain; the v3 error when its
/// encryption headers cannot be honoured.
pub fn request_key<'a>(
    shared: &'a Shared,
    request: &Request,
) -> Result<Option<&'a AesKey>, Response> {
    let kind = request.header(ENCRYPT_TYPE_HEADER).map(str::trim);
    let algorithm = request.header(ENCRYPTION_ALGM_HEADER).map(str::trim);
    let named_aes = |value: &str| value.eq_ignore_ascii_case("AES");
    match (kind, algorithm) {
        (None, None) => return Ok(None),
        (None, Some(_)) => {
            return Err(error(
                400,
                "missing-encrypt-type",
                "缺少加密类型参数: alipay-encryption-algm was sent without alipay-encrypt-type: AES",
            ));
        }
        (Some(kind), algorithm) if !named_aes(kind) || algorithm.is_some_and(|a| !named_aes(a)) => {
            return Err(error(
                400,
                "invalid-encrypt-type",
                "无效的加密类型参数: only AES is supported (alipay-encrypt-type: AES)",
            ));
        }
        _ => {}
    }
    shared.aes_key.as_ref().map(Some).ok_or_else(|| {
        error(
            400,
            "missing-encrypt-key",
            "缺少加密配置: no AES content key is set for this app (EmulatorOptions::aes_key)",
        )
    })
}

/// The plaintext of an encrypted body (empty stays empty: an encrypted call without content sends
/// none).
pub fn decrypt(key: &AesKey, ciphertext: &str) -> Result<String, Response> {
    if ciphertext.trim().is_empty() {
        return Ok(String::new());
    }
    key.decrypt(ciphertext)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| {
            error(
                400,
                "decryption-error",
                "解密出错: the body is not Base64 AES-CBC ciphertext of UTF-8 text under the app's AES key",
            )
        })
}
