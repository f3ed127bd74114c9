//! The emulator's HTTP request parsing (heads, sized and chunked bodies, gateway form parameters).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = alipay_isv_emulator::fuzzing::parse_requests(data);
});
