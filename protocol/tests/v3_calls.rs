//! A v3 call encoded and signed (`IsvConfig::prepare_v3_with`) and a v3 answer read
//! (`IsvConfig::read_v3_answer`): the query encoded once and signed as sent, the JSON body, AES (the
//! ciphertext is the body and the signed line), a multipart upload (only the `data` part signed, the length
//! exact, a file streamed from disk), and every answer turned into fields or a typed error.

use std::sync::Arc;

use alipay_isv_protocol::aes::AesKey;
use alipay_isv_protocol::config::IsvConfig;
use alipay_isv_protocol::error::Error;
use alipay_isv_protocol::key::{PrivateKey, PublicKey};
use alipay_isv_protocol::sign::{Charset, SignType, Signer};
use alipay_isv_protocol::v3::{
    FileSource, MultipartBody, Segment, V3Answer, V3Body, V3Call, V3File, V3Request, V3Verdict,
    encode_query, md5_hex, path_segment,
};

const AES: &str = "aYA0GP8JEW+D7/UFaskCWA==";

fn read(file: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn config() -> IsvConfig {
    let app = Arc::new(PrivateKey::from_text(&read("keys/app_2048_pkcs8.pem")).unwrap());
    let alipay = PublicKey::from_text(&read("keys/alipay_2048_public.pem")).unwrap();
    IsvConfig::builder("2021000000000001", app, Arc::new(alipay))
        .gateway("http://127.0.0.1:9/gateway.do")
        .aes_key(AesKey::from_base64(AES).unwrap())
        .build()
        .unwrap()
}

/// An answer signed by the fixed "Alipay" key.
fn signed_answer(body: &str) -> (Vec<(String, String)>, Vec<u8>) {
    let alipay = Arc::new(PrivateKey::from_text(&read("keys/alipay_2048_pkcs8.pem")).unwrap());
    let signer = Signer::new(alipay, SignType::Rsa2, Charset::Utf8).unwrap();
    let signature = signer
        .sign(&format!("1796600000000\nnonce-1\n{body}\n"))
        .unwrap();
    let headers = vec![
        ("Alipay-Timestamp".to_string(), "1796600000000".to_string()),
        ("alipay-nonce".to_string(), "nonce-1".to_string()),
        ("alipay-signature".to_string(), signature),
        ("alipay-trace-id".to_string(), "trace-1".to_string()),
    ];
    (headers, body.as_bytes().to_vec())
}

#[test]
fn the_query_is_encoded_once_and_signed_as_sent() {
    assert_eq!(path_segment("a b+c/~é"), "a%20b%2Bc%2F~%C3%A9");
    assert_eq!(
        encode_query(&[
            ("scopes".into(), "auth_base auth_user".into()),
            ("open_id".into(), "074a*~".into())
        ]),
        "scopes=auth_base%20auth_user&open_id=074a%2A~"
    );
    let call = V3Call::new("get", "/v3/alipay/open/auth/userauth/relationship/query")
        .query("scopes", "auth_base auth_user");
    let request = config()
        .prepare_v3_with(&call, "n-1", 1_796_600_000_000)
        .unwrap();
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.url,
        "http://127.0.0.1:9/v3/alipay/open/auth/userauth/relationship/query?scopes=auth_base%20auth_user"
    );
    assert_eq!(request.body, V3Body::Empty);
    assert_eq!(request.header("content-type"), None);
    assert!(request.header("alipay-request-id").is_some());
    assert!(request.signature.string_to_sign.contains(
        "\nGET\n/v3/alipay/open/auth/userauth/relationship/query?scopes=auth_base%20auth_user\n\n"
    ));
    // The same bytes through the plain signer give the same header.
    let direct = V3Request {
        method: "GET",
        request_target: &request.request_target,
        body: "",
        app_auth_token: None,
    }
    .sign_with(&config(), "n-1", 1_796_600_000_000)
    .unwrap();
    assert_eq!(direct.authorization, request.signature.authorization);
}

#[test]
fn a_json_body_and_the_merchant_token_are_sent_and_signed() {
    let call = V3Call::new("POST", "/v3/alipay/system/oauth/token")
        .json(&serde_json::json!({"grant_type": "authorization_code", "code": "c-1"}))
        .app_auth_token(Some("202612BBmerchant"));
    let request = config().prepare_v3_with(&call, "n-2", 1).unwrap();
    let body = r#"{"code":"c-1","grant_type":"authorization_code"}"#;
    assert_eq!(request.body, V3Body::Text(body.to_string()));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.header("alipay-app-auth-token"),
        Some("202612BBmerchant")
    );
    assert!(
        request
            .signature
            .string_to_sign
            .ends_with(&format!("\n{body}\n202612BBmerchant\n"))
    );
    assert!(!format!("{request:?} {call:?}").contains("202612BBmerchant"));
}

#[test]
fn with_aes_the_ciphertext_is_the_body_and_the_signed_line() {
    let key = AesKey::from_base64(AES).unwrap();
    let call = V3Call::new("POST", "/v3/alipay/open/auth/token/app")
        .json(&serde_json::json!({"grant_type": "refresh_token", "refresh_token": "中"}))
        .encrypted(true);
    let request = config().prepare_v3_with(&call, "n-3", 2).unwrap();
    let V3Body::Text(ciphertext) = &request.body else {
        panic!("{request:?}")
    };
    assert_eq!(
        key.decrypt(ciphertext).unwrap(),
        call.body.as_deref().unwrap().as_bytes()
    );
    assert_eq!(request.header("alipay-encrypt-type"), Some("AES"));
    // Exactly what both official SDKs send with an encrypted body.
    assert_eq!(request.header("content-type"), Some("text/plain"));
    assert!(
        request
            .signature
            .string_to_sign
            .contains(&format!("\n{ciphertext}\n"))
    );
    assert!(request.encrypted);

    // The encrypted answer verifies over the ciphertext and decrypts to the fields.
    let answer_ciphertext = key.encrypt(br#"{"app_auth_token":"x","n":1}"#).unwrap();
    let (headers, body) = signed_answer(&answer_ciphertext);
    let answer = V3Answer {
        status: 200,
        headers: &headers,
        body: &body,
    };
    let decrypted = config().read_v3_answer(&answer, true).unwrap();
    assert_eq!(decrypted.verdict, V3Verdict::Verified);
    assert_eq!(decrypted.fields["n"], 1);
    assert_eq!(decrypted.trace_id.as_deref(), Some("trace-1"));
    // Read as a plain answer it is no JSON object: a protocol error saying so.
    match config().read_v3_answer(&answer, false) {
        Err(Error::Protocol { reason }) => assert!(reason.contains("encrypted"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // Encryption without a key is refused before signing.
    let app = Arc::new(PrivateKey::from_text(&read("keys/app_2048_pkcs8.pem")).unwrap());
    let alipay = PublicKey::from_text(&read("keys/alipay_2048_public.pem")).unwrap();
    let keyless = IsvConfig::builder("2021000000000001", app, Arc::new(alipay))
        .build()
        .unwrap();
    assert!(matches!(
        keyless.prepare_v3(&call),
        Err(Error::Config { .. })
    ));
}

/// The bytes of a multipart body whose files are all in memory.
fn assembled(body: &MultipartBody) -> Vec<u8> {
    let mut bytes = Vec::new();
    for segment in body.segments() {
        match segment {
            Segment::Bytes(framing) => bytes.extend_from_slice(&framing),
            Segment::File(file) => match &file.source {
                FileSource::Bytes(content) => bytes.extend_from_slice(content),
                FileSource::Path(path) => panic!("a file on disk: {}", path.display()),
            },
        }
    }
    bytes
}

#[test]
fn an_upload_signs_the_data_part_only() {
    let content: Vec<u8> = (0..200_000u32).map(|n| (n % 251) as u8).collect();
    let file = V3File::from_bytes("file_content", "shop front.jpg", content.clone());
    assert_eq!(file.effective_content_type(), "image/jpeg");
    assert_eq!(file.bytes_len(), Some(200_000));
    let md5 = md5_hex(&content);
    assert_eq!(md5.len(), 32);

    let call = V3Call::new("POST", "/v3/alipay/open/file/upload")
        .json(&serde_json::json!({"biz_code": "shop_image", "md5": md5}))
        .file(file);
    let request = config().prepare_v3_with(&call, "n-4", 3).unwrap();
    let V3Body::Multipart(multipart) = &request.body else {
        panic!("{request:?}")
    };
    assert!(
        request
            .header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    let data = call.body.as_deref().unwrap();
    assert_eq!(multipart.data_text(), data);
    assert!(
        request
            .signature
            .string_to_sign
            .contains(&format!("\n{data}\n"))
    );
    let bytes = assembled(multipart);
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("name=\"data\"\r\nContent-Type: application/json\r\n\r\n"));
    assert!(text.contains(
        "name=\"file_content\"; filename=\"shop front.jpg\"\r\nContent-Type: image/jpeg"
    ));
    assert!(
        bytes
            .windows(content.len())
            .any(|window| window == content.as_slice())
    );
    assert!(text.ends_with("--\r\n"));
    // A file on disk is only named: the protocol crate opens nothing.
    let on_disk = V3File::from_path("file_content", "/nonexistent/licence.pdf");
    assert_eq!(on_disk.file_name, "licence.pdf");
    assert_eq!(on_disk.bytes_len(), None);
    assert!(
        config()
            .prepare_v3(&call.clone().file(V3File {
                field: "other".into(),
                ..on_disk
            }))
            .is_ok()
    );

    // Encrypted, the data part is the ciphertext as text/plain.
    let encrypted = config()
        .prepare_v3_with(&call.clone().encrypted(true), "n-5", 4)
        .unwrap();
    let V3Body::Multipart(sealed) = &encrypted.body else {
        panic!()
    };
    assert_ne!(sealed.data_text(), data);
    assert!(String::from_utf8_lossy(&assembled(sealed)).contains("Content-Type: text/plain"));

    // Refusals: a quote in a file name, a GET upload.
    let bad_name = call
        .clone()
        .file(V3File::from_bytes("other", "a\"b.jpg", vec![1]));
    assert!(matches!(
        config().prepare_v3(&bad_name),
        Err(Error::Config { .. })
    ));
    let mut get = call.clone();
    get.method = "GET".into();
    assert!(matches!(
        config().prepare_v3(&get),
        Err(Error::Config { .. })
    ));
}

#[test]
fn answers_become_fields_or_typed_errors() {
    let config = config();
    let read = |status: u16, headers: &[(String, String)], body: &[u8]| {
        config.read_v3_answer(
            &V3Answer {
                status,
                headers,
                body,
            },
            false,
        )
    };
    // A v3 error: status, code, message, hint, links, trace id; unsigned.
    let error_body = r#"{"code":"app-auth-token-time-out","message":"令牌已过期","links":[{"link":"https://open.alipay.com/api/errCheck?traceId=t-9","desc":"解决方案"}]}"#;
    let headers = vec![("alipay-trace-id".to_string(), "t-9".to_string())];
    match read(401, &headers, error_body.as_bytes()) {
        Err(Error::Api(api)) => {
            assert_eq!(api.http_status, Some(401));
            assert_eq!(api.code, "app-auth-token-time-out");
            assert_eq!(api.msg, "令牌已过期");
            assert_eq!(api.trace_id.as_deref(), Some("t-9"));
            assert_eq!(api.links.len(), 1);
            assert!(!api.signed);
            assert!(api.hint.as_deref().unwrap().contains("refresh"));
        }
        other => panic!("{other:?}"),
    }
    // A signed error verifies and says so.
    let (signed_headers, body) = signed_answer(r#"{"code":"invalid-parameter","message":"x"}"#);
    match read(400, &signed_headers, &body) {
        Err(Error::Api(api)) => assert!(api.signed),
        other => panic!("{other:?}"),
    }
    // A proxy's page: a transport error, the call may have run.
    match read(502, &[], b"<html>502 Bad Gateway</html>") {
        Err(Error::Transport {
            reason,
            request_sent,
        }) => {
            assert!(request_sent);
            assert!(reason.contains("502"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // A 2xx without a signature: the v2 endpoint hint.
    match read(200, &[], b"{}") {
        Err(Error::Signature { reason }) => assert!(reason.contains("gateway.do"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // A signed 2xx that is not an object; an empty signed 204.
    let (headers, body) = signed_answer("[1,2]");
    assert!(matches!(
        read(200, &headers, &body),
        Err(Error::Protocol { .. })
    ));
    let (headers, body) = signed_answer("");
    let empty = read(204, &headers, &body).unwrap();
    assert!(empty.fields.is_empty());
    // A 10 MiB answer is refused, not verified.
    let huge = vec![b' '; 10 * 1024 * 1024 + 1];
    let (headers, _) = signed_answer("{}");
    assert!(matches!(
        read(200, &headers, &huge),
        Err(Error::Protocol { .. })
    ));
}

#[test]
fn no_token_shows_in_a_call_a_request_or_a_response() {
    let call = V3Call::new("POST", "/v3/alipay/user/info/share")
        .query("auth_token", "authusrB0123456789secret")
        .app_auth_token(Some("202612BB0123456789secret"));
    let request = config().prepare_v3(&call).unwrap();
    let shown = format!("{call:?} {request:?}");
    assert!(!shown.contains("0123456789secret"), "{shown}");
    assert!(shown.contains("auth_token"), "{shown}");
    let (headers, body) =
        signed_answer(r#"{"access_token":"authusrB0123456789secret","user_id":"2088"}"#);
    let response = config()
        .read_v3_answer(
            &V3Answer {
                status: 200,
                headers: &headers,
                body: &body,
            },
            false,
        )
        .unwrap();
    assert!(!format!("{response:?}").contains("0123456789secret"));
}

#[test]
fn a_token_put_in_the_path_by_mistake_is_not_echoed() {
    let call = V3Call::new(
        "POST",
        "/v3/alipay/user/info/share?auth_token=authusrB0123456789secret",
    );
    match config().prepare_v3(&call) {
        Err(Error::Config { reason }) => {
            assert!(!reason.contains("0123456789secret"), "{reason}");
            assert!(reason.contains("/v3/alipay/user/info/share"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(call.operation(), "alipay.user.info.share");
}

#[test]
fn the_configured_auth_extension_is_in_the_header_and_the_signed_line() {
    let app = Arc::new(PrivateKey::from_text(&read("keys/app_2048_pkcs8.pem")).unwrap());
    let alipay = Arc::new(PublicKey::from_text(&read("keys/alipay_2048_public.pem")).unwrap());
    let with = |text: &str| {
        IsvConfig::builder("2021000000000001", app.clone(), alipay.clone())
            .gateway("http://127.0.0.1:9/gateway.do")
            .v3_additional_auth_info(text)
            .build()
    };
    let config = with("expired_seconds=120").unwrap();
    assert_eq!(
        config.v3_additional_auth_info(),
        Some("expired_seconds=120")
    );
    assert_eq!(
        IsvConfig::builder("2021000000000001", app.clone(), alipay.clone())
            .build()
            .unwrap()
            .v3_additional_auth_info(),
        None
    );
    // The empty text is none: the header is the one without an extension.
    let empty = with("").unwrap();
    assert_eq!(empty.v3_additional_auth_info(), None);

    let call = V3Call::new("GET", "/v3/alipay/open/auth/userauth/relationship/query");
    let request = config
        .prepare_v3_with(&call, "n-1", 1_796_600_000_000)
        .unwrap();
    let auth = "app_id=2021000000000001,nonce=n-1,timestamp=1796600000000,expired_seconds=120";
    assert_eq!(request.signature.auth_string, auth);
    assert!(
        request
            .signature
            .authorization
            .starts_with(&format!("ALIPAY-SHA256withRSA {auth},sign="))
    );
    assert!(
        request
            .signature
            .string_to_sign
            .starts_with(&format!("{auth}\nGET\n"))
    );
    // The signature covers the extension: it differs from the one without it.
    let plain = empty
        .prepare_v3_with(&call, "n-1", 1_796_600_000_000)
        .unwrap();
    assert_eq!(
        plain.signature.auth_string,
        "app_id=2021000000000001,nonce=n-1,timestamp=1796600000000"
    );
    let sign = |header: &str| header.rsplit_once(",sign=").unwrap().1.to_string();
    assert_ne!(
        sign(&plain.signature.authorization),
        sign(&request.signature.authorization)
    );

    // Refused at build, as a configuration error saying what to fix.
    for (text, says) in [
        ("expired_seconds", "key=value"),
        ("a=1,", "key=value"),
        ("a=1,2", "no comma inside a value"),
        ("bad key=1", "letters, digits"),
        ("a=1\nb=2", "line break"),
        ("nonce=x", "must not set `nonce`"),
        ("timestamp=1", "must not set `timestamp`"),
        ("app_id=2021000000000002", "must not set `app_id`"),
        ("app_cert_sn=x", "must not set `app_cert_sn`"),
        ("sign=AAAA", "must not set `sign`"),
    ] {
        match with(text) {
            Err(Error::Config { reason }) => {
                assert!(reason.contains(says), "{text:?}: {reason}");
                assert!(reason.contains("v3_additional_auth_info"), "{reason}");
            }
            other => panic!("{text:?}: {other:?}"),
        }
    }
}
