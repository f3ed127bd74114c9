//! The answer to the legacy gateway check (`service=alipay.service.check`): a signed XML document that
//! proves the application gateway holds the app key, carrying the app public key.

use crate::error::Result;
use crate::sign::Signer;

/// The `service` value of a gateway check.
pub const SERVICE_CHECK: &str = "alipay.service.check";

/// Builds the signed XML answer to a gateway check. `verified` says whether the check request's own
/// signature verified; when it did not, the answer says `VERIFY_FAILED`.
///
/// # Errors
/// [`crate::Error::Config`] if signing fails (a key or charset problem).
pub fn service_check_answer(signer: &Signer, verified: bool) -> Result<String> {
    let public_key = signer.key().public_key().to_base64();
    let response = if verified {
        format!("<success>true</success><biz_content>{public_key}</biz_content>")
    } else {
        format!(
            "<success>false</success><error_code>VERIFY_FAILED</error_code><biz_content>{public_key}</biz_content>"
        )
    };
    let sign = signer.sign(&response)?;
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"{charset}\"?><alipay><response>{response}</response><sign>{sign}</sign><sign_type>{sign_type}</sign_type></alipay>",
        charset = signer.charset().as_str(),
        sign_type = signer.sign_type().as_str(),
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::key::generate_key_pair;
    use crate::sign::{Charset, SignType, Verifier};

    #[test]
    fn the_answer_is_signed_over_the_response_element_content() {
        let pair = generate_key_pair(2048).unwrap();
        let public = Arc::new(pair.public_key.clone());
        let signer =
            Signer::new(Arc::new(pair.private_key), SignType::Rsa2, Charset::Utf8).unwrap();
        let xml = service_check_answer(&signer, true).unwrap();
        let response = xml
            .split("<response>")
            .nth(1)
            .unwrap()
            .split("</response>")
            .next()
            .unwrap();
        let sign = xml
            .split("<sign>")
            .nth(1)
            .unwrap()
            .split("</sign>")
            .next()
            .unwrap();
        assert!(response.contains(&public.to_base64()));
        Verifier::new(public, SignType::Rsa2, Charset::Utf8)
            .unwrap()
            .verify(response, sign)
            .unwrap();
        assert!(
            service_check_answer(&signer, false)
                .unwrap()
                .contains("VERIFY_FAILED")
        );
    }
}
