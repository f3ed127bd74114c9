//! `alipay.open.file.upload` over the emulator's `/v3/…` front (`multipart/form-data`), signed with our
//! signer over the `data` part only: a file with the right MD5 gets a `file_id` the emulator remembers
//! (name, size, MD5, merchant app); a wrong MD5, no file, a file over 10 MiB (sent whole: the HTTP
//! limit lets it in), a bad extension, an invalid merchant token, a `data` part changed after signing
//! and a form that never closes are refused with their v3 codes; file bytes changed after signing are
//! accepted (they are not signed); an AES upload encrypts the `data` part; chunked bodies work; the
//! classic `/gateway.do` still refuses multipart.

mod common;
mod v3_support;

use alipay_isv::aes::AesKey;
use alipay_isv::v3::V3Verdict;
use alipay_isv_emulator::{Emulator, UploadedFile};

use common::{Raw, authorise, config, post, send_raw, start};
use v3_support::{
    AES_KEY, BOUNDARY, Send, assert_error, form, json_of, request_bytes, send, send_tampered,
    verdict,
};

/// A small PNG-looking file and its MD5 (`md5sum`).
const IMAGE: &[u8] = b"\x89PNG\r\n\x1a\n emulator test image";
const IMAGE_MD5: &str = "08ae7a4a27e072ff1eaf23911b788976";
const MIB: usize = 1024 * 1024;

fn data(md5: Option<&str>) -> String {
    match md5 {
        Some(md5) => format!(r#"{{"biz_code":"openpt_appstore","md5":"{md5}"}}"#),
        None => r#"{"biz_code":"openpt_appstore"}"#.to_string(),
    }
}

/// Uploads `file` (name, bytes) with `data` as the signed `data` part.
fn upload(
    emulator: &Emulator,
    data: &str,
    file: Option<(&str, &[u8])>,
    token: Option<&str>,
) -> Raw {
    let config = config(emulator);
    let body = form(
        Some(("application/json", data)),
        file.map(|(name, bytes)| (name, "application/octet-stream", bytes)),
    );
    send(emulator, &config, &Send::upload(data, body, token))
}

/// The `file_id` of a verified success.
fn file_id(emulator: &Emulator, raw: &Raw) -> String {
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(
        verdict(&config(emulator), raw).unwrap(),
        V3Verdict::Verified
    );
    let fields = json_of(raw);
    assert_eq!(fields.as_object().unwrap().len(), 1, "{fields}");
    fields["file_id"].as_str().unwrap().to_string()
}

#[test]
fn an_upload_with_the_right_md5_gets_a_file_id_the_emulator_remembers() {
    let emulator = start();
    let config = config(&emulator);
    let merchant = authorise(&emulator, &config);
    let raw = upload(
        &emulator,
        &data(Some(IMAGE_MD5)),
        Some(("logo.PNG", IMAGE)),
        Some(&merchant.app_auth_token),
    );
    let id = file_id(&emulator, &raw);
    let file: UploadedFile = emulator.uploaded_file(&id).unwrap();
    assert_eq!(file.file_id, id);
    assert_eq!(file.file_name, "logo.PNG");
    assert_eq!(file.size, IMAGE.len() as u64);
    assert_eq!(file.md5, IMAGE_MD5);
    assert_eq!(file.biz_code, "openpt_appstore");
    assert_eq!(
        file.auth_app_id.as_deref(),
        Some(merchant.auth_app_id.as_str())
    );
    assert_eq!(
        file.content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert!(emulator.uploaded_file("A*nothing").is_none());

    // The ISV uploading for itself, without md5: no merchant app; each upload gets its own id.
    let again = file_id(
        &emulator,
        &upload(&emulator, &data(None), Some(("a.txt", b"text")), None),
    );
    assert_ne!(again, id);
    let own = emulator.uploaded_file(&again).unwrap();
    assert_eq!(own.auth_app_id, None);
    assert_eq!(own.md5, "1cb251ec0d568de6a929b520c4aed8d1");
    assert_eq!(emulator.call_count("alipay.open.file.upload"), 2);
}

#[test]
fn a_wrong_md5_is_file_check_fail() {
    let emulator = start();
    let raw = upload(
        &emulator,
        &data(Some("0123456789abcdef0123456789abcdef")),
        Some(("logo.png", IMAGE)),
        None,
    );
    assert_error(&raw, 400, "file-check-fail");
}

#[test]
fn no_file_part_or_no_data_is_invalid_parameter() {
    let emulator = start();
    let config = config(&emulator);
    assert_error(
        &upload(&emulator, &data(None), None, None),
        400,
        "invalid-parameter",
    );
    // A file under another field name is not the file.
    let body = form(Some(("application/json", &data(None))), None);
    let other = String::from_utf8(body)
        .unwrap()
        .replace(
            &format!("--{BOUNDARY}--"),
            &format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nx\r\n--{BOUNDARY}--"
            ),
        )
        .into_bytes();
    let raw = send(&emulator, &config, &Send::upload(&data(None), other, None));
    assert_error(&raw, 400, "invalid-parameter");
    // No data part: the signed body line is empty (the signature verifies), then biz_code is missing.
    let body = form(None, Some(("a.png", "image/png", IMAGE)));
    let raw = send(&emulator, &config, &Send::upload("", body, None));
    let message = assert_error(&raw, 400, "invalid-parameter");
    assert!(message.contains("biz_code"), "{message}");
    // A JSON body instead of a form.
    let raw = send(
        &emulator,
        &config,
        &Send::json(v3_support::UPLOAD, &data(None), None),
    );
    assert_error(&raw, 400, "invalid-parameter");
}

#[test]
fn ten_mebibytes_are_accepted_and_more_is_invalid_file_size_not_a_dropped_connection() {
    let emulator = start();
    let exactly = vec![b'a'; 10 * MIB];
    let id = file_id(
        &emulator,
        &upload(&emulator, &data(None), Some(("big.pdf", &exactly)), None),
    );
    assert_eq!(emulator.uploaded_file(&id).unwrap().size, (10 * MIB) as u64);
    for size in [10 * MIB + 1, 11 * MIB] {
        let raw = upload(
            &emulator,
            &data(None),
            Some(("big.pdf", &vec![b'a'; size])),
            None,
        );
        assert_error(&raw, 400, "invalid-file-size");
    }
    assert_error(
        &upload(&emulator, &data(None), Some(("empty.pdf", b"")), None),
        400,
        "invalid-file-size",
    );
}

#[test]
fn a_bad_extension_is_invalid_file_extension() {
    let emulator = start();
    for name in ["tool.exe", "noextension", "archive.tar.gz", "jpg"] {
        assert_error(
            &upload(&emulator, &data(None), Some((name, IMAGE)), None),
            400,
            "invalid-file-extension",
        );
    }
    for name in [
        "a.jpeg", "b.GIF", "c.bmp", "d.mp4", "e.xlsx", "f.docx", "g.h.xls",
    ] {
        file_id(
            &emulator,
            &upload(&emulator, &data(None), Some((name, IMAGE)), None),
        );
    }
}

#[test]
fn an_invalid_merchant_token_is_refused_401() {
    let emulator = start();
    let config = config(&emulator);
    let raw = upload(
        &emulator,
        &data(None),
        Some(("a.png", IMAGE)),
        Some("202612BBnotatoken00000000000000000000000"),
    );
    assert_error(&raw, 401, "invalid-app-auth-token");
    // A revoked merchant's token too.
    let merchant = authorise(&emulator, &config);
    emulator.revoke(&merchant.auth_app_id).unwrap();
    let raw = upload(
        &emulator,
        &data(None),
        Some(("a.png", IMAGE)),
        Some(&merchant.app_auth_token),
    );
    assert_error(&raw, 401, "invalid-app-auth-token");
}

#[test]
fn the_data_part_is_signed_and_the_file_bytes_are_not() {
    let emulator = start();
    let config = config(&emulator);
    let signed = data(None);
    let body = form(
        Some(("application/json", &signed)),
        Some(("a.png", "image/png", IMAGE)),
    );
    let raw = send_tampered(
        &emulator,
        &config,
        &Send::upload(&signed, body.clone(), None),
        |_, body| {
            let text = String::from_utf8_lossy(body).replace("openpt_appstore", "openpt_appstorf");
            *body = text.into_bytes();
        },
    );
    assert_error(&raw, 400, "invalid-signature");
    // The file changed after signing: still accepted, and recorded as received.
    let raw = send_tampered(
        &emulator,
        &config,
        &Send::upload(&signed, body, None),
        |_, body| {
            let at = body.windows(8).position(|w| w == b"emulator").unwrap();
            body[at..at + 8].copy_from_slice(b"EMULATOR");
        },
    );
    let id = file_id(&emulator, &raw);
    assert_ne!(emulator.uploaded_file(&id).unwrap().md5, IMAGE_MD5);
    // The token swapped after signing is caught by the signature, as for any call.
    let merchant = authorise(&emulator, &config);
    let body = form(
        Some(("application/json", &signed)),
        Some(("a.png", "image/png", IMAGE)),
    );
    let raw = send_tampered(
        &emulator,
        &config,
        &Send::upload(&signed, body, Some(&merchant.app_auth_token)),
        |headers, _| headers.retain(|(name, _)| name != "alipay-app-auth-token"),
    );
    assert_error(&raw, 400, "invalid-signature");
}

#[test]
fn a_form_that_never_closes_or_has_no_boundary_is_invalid_parameter() {
    let emulator = start();
    let config = config(&emulator);
    let signed = data(None);
    let mut open = form(
        Some(("application/json", &signed)),
        Some(("a.png", "image/png", IMAGE)),
    );
    open.truncate(open.len() - format!("--{BOUNDARY}--\r\n").len());
    let raw = send(&emulator, &config, &Send::upload(&signed, open, None));
    let message = assert_error(&raw, 400, "invalid-parameter");
    assert!(message.contains("closing boundary"), "{message}");
    let mut no_boundary = Send::upload(&signed, form(None, None), None);
    no_boundary.content_type = "multipart/form-data".into();
    assert_error(
        &send(&emulator, &config, &no_boundary),
        400,
        "invalid-parameter",
    );
}

#[test]
fn an_aes_upload_encrypts_the_data_part_and_the_answer() {
    let mut options = common::options();
    let key = AesKey::from_base64(AES_KEY).unwrap();
    options.aes_key = Some(key.clone());
    let emulator = Emulator::start(options).unwrap();
    let config = config(&emulator);
    let ciphertext = key.encrypt(data(Some(IMAGE_MD5)).as_bytes()).unwrap();
    let body = form(
        Some(("text/plain", &ciphertext)),
        Some(("a.png", "image/png", IMAGE)),
    );
    let mut request = Send::upload(&ciphertext, body, None);
    request
        .extra
        .push(("alipay-encrypt-type".into(), "AES".into()));
    let raw = send(&emulator, &config, &request);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(verdict(&config, &raw).unwrap(), V3Verdict::Verified);
    let answer: serde_json::Value =
        serde_json::from_slice(&key.decrypt(&raw.text()).unwrap()).unwrap();
    let id = answer["file_id"].as_str().unwrap();
    assert_eq!(emulator.uploaded_file(id).unwrap().md5, IMAGE_MD5);
}

#[test]
fn a_chunked_upload_is_read_whole() {
    let emulator = start();
    let config = config(&emulator);
    let signed = data(Some(IMAGE_MD5));
    let body = form(
        Some(("application/json", &signed)),
        Some(("a.png", "image/png", IMAGE)),
    );
    let bytes = request_bytes(
        &config,
        &Send::upload(&signed, body.clone(), None),
        |_, _| {},
    );
    let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(bytes[..head_end].to_vec())
        .unwrap()
        .lines()
        .filter(|line| !line.to_ascii_lowercase().starts_with("content-length"))
        .collect::<Vec<_>>()
        .join("\r\n");
    let mut chunked = format!("{head}\r\nTransfer-Encoding: chunked\r\n\r\n").into_bytes();
    for piece in body.chunks(7) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let raw = send_raw(emulator.local_addr(), &chunked).unwrap();
    file_id(&emulator, &raw);
}

#[test]
fn the_classic_gateway_still_refuses_multipart() {
    let emulator = start();
    let raw = post(
        &emulator,
        "/gateway.do",
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        &form(None, Some(("a.png", "image/png", IMAGE))),
    );
    assert_eq!(raw.status, 200);
    assert!(raw.text().contains("multipart requests"), "{}", raw.text());
}
