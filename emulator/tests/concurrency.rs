//! 8 threads × 13 delegated calls at once against one emulator: every answer verifies and every
//! call is counted.

mod common;

use std::sync::Arc;

use common::*;

#[test]
fn eight_threads_of_thirteen_calls_all_verify() {
    let emulator = Arc::new(start());
    let config = Arc::new(config(&emulator));
    let merchant = authorise(&emulator, &config);
    let method = "alipay.open.mini.version.list.query";
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (emulator, config, token) = (
                Arc::clone(&emulator),
                Arc::clone(&config),
                merchant.app_auth_token.clone(),
            );
            std::thread::spawn(move || {
                for _ in 0..13 {
                    let answer = execute(&emulator, &config, method, &delegated(&token)).unwrap();
                    assert_eq!(answer.fields["code"], "10000");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(emulator.call_count(method), 104);
    assert_eq!(emulator.total_calls(), 105);
}
