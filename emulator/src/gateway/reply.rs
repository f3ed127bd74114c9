//! Gateway answers: the node (`<method>_response` or `error_response`), serialised once, signed with
//! the Alipay key over exactly that text in the request charset (RSA2), AES-encrypted when asked, and
//! encoded in the request charset. In certificate mode a signed answer also names the certificate that
//! signed it (`alipay_cert_sn`).

use alipay_isv::response::response_node_name;
use alipay_isv::sign::Charset;
use serde_json::{Map, Value, json};

use crate::http::response::Response;
use crate::shared::Shared;

/// A gateway answer before serialisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// `<method with . → _>_response` or `error_response`.
    pub node_name: String,
    /// The node's fields.
    pub node: Value,
}

/// The standard `msg` of a gateway code.
pub fn msg_for(code: &str) -> &'static str {
    match code {
        "10000" => "Success",
        "20000" => "Service Currently Unavailable",
        "20001" => "Insufficient Token Permissions",
        "40001" => "Missing Required Arguments",
        "40002" => "Invalid Arguments",
        "40004" => "Business Failed",
        "40006" => "Insufficient Permissions",
        _ => "Unknown Error",
    }
}

fn error_fields(code: &str, sub_code: &str, sub_msg: &str) -> Value {
    json!({
        "code": code,
        "msg": msg_for(code),
        "sub_code": sub_code,
        "sub_msg": sub_msg,
    })
}

impl Answer {
    /// `code 10000, msg Success` and `fields` in the method's node.
    pub fn success(method: &str, fields: Map<String, Value>) -> Self {
        let mut node = Map::new();
        node.insert("code".into(), json!("10000"));
        node.insert("msg".into(), json!("Success"));
        node.extend(fields);
        Answer {
            node_name: response_node_name(method),
            node: Value::Object(node),
        }
    }

    /// A business error in the method's node.
    pub fn business_error(method: &str, code: &str, sub_code: &str, sub_msg: &str) -> Self {
        Answer {
            node_name: response_node_name(method),
            node: error_fields(code, sub_code, sub_msg),
        }
    }

    /// A gateway-level error in `error_response`.
    pub fn gateway_error(code: &str, sub_code: &str, sub_msg: &str) -> Self {
        Answer {
            node_name: "error_response".into(),
            node: error_fields(code, sub_code, sub_msg),
        }
    }

    /// Whether the node reports success.
    pub fn is_success(&self) -> bool {
        self.node.get("code").and_then(Value::as_str) == Some("10000")
    }
}

/// How to render an answer.
#[derive(Debug, Clone, Copy)]
pub struct Rendering {
    /// The request charset: the body is encoded and signed in it.
    pub charset: Charset,
    /// Sign the node (false for the unknown-app_id answer and the `Unsigned` fault).
    pub signed: bool,
    /// AES-encrypt a success node (request had `encrypt_type=AES`).
    pub encrypt: bool,
}

/// Serialises, signs and encodes an answer. Falls back to UTF-8 when the text cannot be encoded in
/// GBK (an emoji echoed from the request, for instance).
pub fn render(shared: &Shared, answer: &Answer, rendering: Rendering) -> Response {
    match try_render(shared, answer, rendering) {
        Some(response) => response,
        None => try_render(
            shared,
            answer,
            Rendering {
                charset: Charset::Utf8,
                encrypt: false,
                ..rendering
            },
        )
        .unwrap_or_else(|| Response::text(500, "the emulator could not sign its answer\n")),
    }
}

fn try_render(shared: &Shared, answer: &Answer, rendering: Rendering) -> Option<Response> {
    let charset = rendering.charset;
    let plain = answer.node.to_string();
    let node_text = match (&shared.aes_key, rendering.encrypt && answer.is_success()) {
        (Some(key), true) => {
            let ciphertext = key.encrypt(&charset.encode(&plain).ok()?).ok()?;
            Value::String(ciphertext).to_string()
        }
        _ => plain,
    };
    let mut body = format!("{{\"{}\":{node_text}", answer.node_name);
    if rendering.signed {
        let (signer, cert_sn) = shared.signer(charset).ok()?;
        let sign = signer.sign(&node_text).ok()?;
        if let Some(sn) = cert_sn {
            body.push_str(&format!(",\"alipay_cert_sn\":\"{sn}\""));
        }
        body.push_str(&format!(",\"sign\":\"{sign}\""));
    }
    body.push('}');
    let bytes = charset.encode(&body).ok()?.into_owned();
    Some(Response::bytes(
        200,
        &format!("text/html;charset={}", charset.as_str()),
        bytes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_carry_code_and_standard_msg() {
        let ok = Answer::success("alipay.user.info.share", Map::new());
        assert_eq!(ok.node_name, "alipay_user_info_share_response");
        assert!(ok.is_success());
        let error = Answer::gateway_error("40002", "isv.invalid-signature", "x");
        assert_eq!(error.node_name, "error_response");
        assert_eq!(error.node["msg"], "Invalid Arguments");
        assert!(!error.is_success());
        assert_eq!(msg_for("20001"), "Insufficient Token Permissions");
    }
}
