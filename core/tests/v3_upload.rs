//! The I/O half of a v3 upload (`alipay_isv::upload`): a file on disk streamed into the multipart body
//! with its exact length announced, its md5 read in chunks, and an unreadable file a configuration error
//! that names it.

use std::sync::Arc;

use alipay_isv::Error;
use alipay_isv::config::IsvConfig;
use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::upload::{MultipartFiles, file_len, md5_of};
use alipay_isv::v3::{V3Body, V3Call, V3File, md5_hex};

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
        .build()
        .unwrap()
}

#[test]
fn a_file_on_disk_is_streamed_with_its_exact_length_and_md5() {
    let directory =
        std::env::temp_dir().join(format!("alipay-isv-v3-upload-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join("shop front.jpg");
    let content: Vec<u8> = (0..300_000u32).map(|n| (n % 251) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    let file = V3File::from_path("file_content", &path);
    assert_eq!(file_len(&file).unwrap(), 300_000);
    assert_eq!(md5_of(&file).unwrap(), md5_hex(&content));
    assert_eq!(
        md5_of(&V3File::from_bytes("f", "x.jpg", content.clone())).unwrap(),
        md5_hex(&content)
    );

    let call = V3Call::new("POST", "/v3/alipay/open/file/upload")
        .json(&serde_json::json!({"biz_code": "shop_image"}))
        .file(file)
        .file(V3File::from_bytes("extra", "note.txt", b"hello".to_vec()));
    let request = config().prepare_v3(&call).unwrap();
    let V3Body::Multipart(multipart) = &request.body else {
        panic!("{request:?}")
    };
    let bytes = multipart.to_bytes().unwrap();
    assert_eq!(bytes.len() as u64, multipart.content_length().unwrap());
    assert!(
        bytes
            .windows(content.len())
            .any(|window| window == content.as_slice())
    );
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("filename=\"shop front.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"));
    assert!(text.contains("filename=\"note.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n"));

    // The file is gone before sending: a configuration error naming it, not a panic.
    std::fs::remove_dir_all(&directory).unwrap();
    for result in [
        multipart.content_length().map(|_| ()),
        multipart.reader().map(|_| ()),
        md5_of(&call.files[0]).map(|_| ()),
    ] {
        match result {
            Err(Error::Config { reason }) => assert!(reason.contains("shop front.jpg"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
}
