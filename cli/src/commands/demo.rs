//! `alipay-isv demo`: the main job, walked through step by step in plain words.
//!
//! At this stage of the project the demo covers what the library does end to end today: an app key
//! pair, a signed `alipay.open.auth.token.app` request, its verification as the gateway would do it, a
//! tampered request refused, a signed answer verified with the Alipay public key, and the common
//! "own public key pasted as the Alipay key" mistake caught. Exits non-zero if any step fails.

use std::sync::Arc;

use alipay_isv::key::generate_key_pair;
use alipay_isv::sign::{Charset, SignType, Signer, Verifier, looks_like_own_key, sign_content};
use alipay_isv::{Error, Result};

/// Options of `demo`.
#[derive(clap::Args)]
pub struct Args {
    /// The ISV app_id to show in the sample request.
    #[arg(long, default_value = "2021000000000001")]
    app_id: String,
}

/// One step's outcome, printed as it happens.
struct Steps {
    failed: usize,
    number: usize,
}

impl Steps {
    fn check(&mut self, description: &str, outcome: Result<String>) {
        self.number += 1;
        match outcome {
            Ok(detail) => println!(
                "{:>2}. ok      {description}\n            {detail}",
                self.number
            ),
            Err(error) => {
                self.failed += 1;
                println!(
                    "{:>2}. FAILED  {description}\n            {error}",
                    self.number
                );
            }
        }
    }
}

/// Runs every step; fails when any step failed.
pub fn run(args: Args) -> Result<()> {
    let mut steps = Steps {
        failed: 0,
        number: 0,
    };
    println!("alipay-isv demo: signing and verifying a delegated-call request\n");

    let app = generate_key_pair(2048)?;
    let alipay = generate_key_pair(2048)?;
    steps.check(
        "generate the app key pair (upload the public key to the Alipay console)",
        Ok(format!(
            "RSA {} bits, public key {}",
            app.private_key.bits(),
            app.public_key.fingerprint()
        )),
    );

    let app_public = Arc::new(app.public_key.clone());
    let alipay_public = Arc::new(alipay.public_key.clone());
    let app_signer = Signer::new(Arc::new(app.private_key), SignType::Rsa2, Charset::Utf8)?;
    let params = [
        ("app_id", args.app_id.as_str()),
        ("method", "alipay.open.auth.token.app"),
        ("format", "JSON"),
        ("charset", "UTF-8"),
        ("sign_type", "RSA2"),
        ("timestamp", "2026-11-21 15:04:05"),
        ("version", "1.0"),
        (
            "biz_content",
            r#"{"grant_type":"authorization_code","code":"P5f3b1c2d4e6a7b8"}"#,
        ),
    ];
    let content = sign_content(params.iter().copied());
    let sign = app_signer.sign(&content);
    steps.check(
        "sign the request exchanging a merchant's app_auth_code (RSA2, UTF-8)",
        sign.clone()
            .map(|sign| format!("content: {content}\n            sign: {}…", &sign[..32])),
    );
    let sign = sign?;

    let gateway_view = Verifier::new(app_public.clone(), SignType::Rsa2, Charset::Utf8)?;
    steps.check(
        "the gateway verifies the request with the app public key",
        gateway_view
            .verify(&content, &sign)
            .map(|()| "signature valid".to_string()),
    );

    let tampered = content.replace("P5f3b1c2d4e6a7b8", "P5f3b1c2d4e6a7b9");
    steps.check(
        "a request whose code was altered in transit is refused",
        match gateway_view.verify(&tampered, &sign) {
            Err(Error::Signature { .. }) => Ok("signature invalid, as it must be".to_string()),
            Err(other) => Err(other),
            Ok(()) => Err(Error::signature("the tampered request verified")),
        },
    );

    let answer = r#"{"code":"10000","msg":"Success","app_auth_token":"202611BB…","user_id":"2088102150527498"}"#;
    let alipay_signer = Signer::new(Arc::new(alipay.private_key), SignType::Rsa2, Charset::Utf8)?;
    let answer_sign = alipay_signer.sign(answer)?;
    let app_view = Verifier::new(alipay_public.clone(), SignType::Rsa2, Charset::Utf8)?;
    steps.check(
        "the app verifies Alipay's signed answer with the Alipay public key",
        app_view
            .verify(answer, &answer_sign)
            .map(|()| "signature valid".to_string()),
    );

    let wrong_view = Verifier::new(app_public.clone(), SignType::Rsa2, Charset::Utf8)?;
    steps.check(
        "the same answer checked with the app's own public key fails (the classic mistake)",
        match wrong_view.verify(answer, &answer_sign) {
            Err(Error::Signature { .. }) => Ok("signature invalid, as it must be".to_string()),
            Err(other) => Err(other),
            Ok(()) => Err(Error::signature("verified with the wrong key")),
        },
    );

    steps.check(
        "the mistake is caught at configuration time by comparing the keys",
        if looks_like_own_key(app_signer.key(), &app_public)
            && !looks_like_own_key(app_signer.key(), &alipay_public)
        {
            Ok("own public key detected; the real Alipay key accepted".to_string())
        } else {
            Err(Error::config("the own-key probe gave the wrong answer"))
        },
    );

    println!();
    if steps.failed > 0 {
        return Err(Error::signature(format!(
            "{} of {} demo steps failed",
            steps.failed, steps.number
        )));
    }
    println!("all {} steps passed", steps.number);
    Ok(())
}
