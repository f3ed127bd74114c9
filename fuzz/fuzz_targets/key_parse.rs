//! Keys as users paste them: any text or bytes into every private/public key parser.
#![no_main]

use alipay_isv::key::{PrivateKey, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = PrivateKey::from_text(&text);
    let _ = PublicKey::from_text(&text);
    let _ = PrivateKey::from_der(data);
    let _ = PublicKey::from_der(data);
});
