//! Pushes signed in every form the real gateway has used (`EmulatorOptions::push_forms`): each fixed
//! form, and a seeded mix, verified by the core's `NotificationVerifier`, which must report the form
//! each `Delivery` records; tampering with what a form signs (its empty parameter, its
//! `alipay_cert_sn`) fails.

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use alipay_isv::notify::{Notification, NotificationVerifier, SignedForm, parse_form};
use alipay_isv::{Error, config::IsvConfig};
use alipay_isv_emulator::{
    APP_AUTH_CANCELLED, APP_AUTH_NOTIFY, Delivery, EMPTY_PARAM, Emulator, EmulatorOptions,
    PushForms,
};
use common::{APP_ID, CALLBACK, app_key, options};

const BASIC: [&str; 4] = ["v1", "v1+empty", "v2", "v2+empty"];

fn start(push_forms: PushForms, cert_mode: bool) -> Emulator {
    let mut options: EmulatorOptions = options();
    options.push_forms = push_forms;
    options.cert_mode = cert_mode;
    Emulator::start(options).unwrap()
}

/// The application gateway's verifier: the Alipay public key, or in certificate mode the
/// emulator's certificates (the key chosen by `alipay_cert_sn`).
fn verifier(emulator: &Emulator) -> NotificationVerifier {
    if !emulator.is_cert_mode() {
        return NotificationVerifier::new(Arc::new(emulator.alipay_public_key().clone()));
    }
    let app_cert = emulator.issue_app_cert(app_key().public_key()).unwrap();
    IsvConfig::cert_builder(
        APP_ID,
        app_key(),
        app_cert,
        emulator.alipay_cert_pem().unwrap(),
        emulator.root_cert_bundle_pem().unwrap(),
    )
    .build()
    .unwrap()
    .notification_verifier()
}

/// `merchants` merchants authorise (one push each), then each revokes (one more push each); returns
/// every delivery.
fn authorise_and_revoke(emulator: &Emulator, merchants: usize) -> Vec<Delivery> {
    let mut apps = Vec::new();
    for _ in 0..merchants {
        emulator
            .merchant_authorizes(&emulator.app_auth_url(CALLBACK, None))
            .unwrap();
        apps.push(emulator.deliveries().last().unwrap().auth_app_id.clone());
    }
    for app in &apps {
        emulator.revoke(app).unwrap();
    }
    let deliveries = emulator.deliveries();
    assert_eq!(deliveries.len(), 2 * merchants);
    deliveries
}

fn params_of(notification: &Notification) -> &[(String, String)] {
    notification.params()
}

fn value<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

fn encode(params: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

/// Verifies a delivery: the verifier reports the delivery's form, the notification has its kind, and
/// what the form did not sign is not in the result.
fn check(verifier: &NotificationVerifier, delivery: &Delivery) {
    let verified = verifier
        .verify_body_with_form(delivery.body.as_bytes())
        .unwrap_or_else(|error| panic!("{delivery:?}: {error}"));
    assert_eq!(verified.signed_form, delivery.signed_form, "{delivery:?}");
    match (&verified.notification, delivery.kind.as_str()) {
        (Notification::AppAuth(auth), APP_AUTH_NOTIFY) => {
            assert_eq!(auth.notify_id, delivery.notify_id);
            assert_eq!(auth.detail.auth_app_id, delivery.auth_app_id);
        }
        (Notification::Message(message), APP_AUTH_CANCELLED) => {
            assert!(message.is_app_auth_cancelled());
            assert_eq!(
                message.notify_id.as_deref(),
                Some(delivery.notify_id.as_str())
            );
        }
        (other, kind) => panic!("a {kind} push verified as {other:?}"),
    }
    let sent = parse_form(delivery.body.as_bytes()).unwrap();
    let params = params_of(&verified.notification);
    let form = delivery.signed_form;
    assert_eq!(
        value(params, EMPTY_PARAM).is_some(),
        form.empty_values_signed,
        "{delivery:?}: the empty parameter is returned exactly when it was signed"
    );
    if form.empty_values_signed {
        assert_eq!(value(&sent, EMPTY_PARAM), Some(""));
    }
    assert_eq!(
        value(params, "alipay_cert_sn").is_some(),
        form.alipay_cert_sn_signed,
        "{delivery:?}: alipay_cert_sn is returned exactly when it was signed"
    );
    assert_eq!(
        value(&sent, "alipay_cert_sn").is_some(),
        verifier.cert_store().is_some()
    );
}

#[test]
fn the_default_policy_signs_authorisations_v1_and_cancellations_v2() {
    for cert_mode in [false, true] {
        let emulator = start(PushForms::default(), cert_mode);
        let deliveries = authorise_and_revoke(&emulator, 2);
        let verifier = verifier(&emulator);
        for delivery in &deliveries {
            let expected = if delivery.kind == APP_AUTH_NOTIFY {
                SignedForm::V1
            } else {
                SignedForm::V2
            };
            assert_eq!(delivery.signed_form, expected);
            assert!(!delivery.body.contains(&format!("{EMPTY_PARAM}=")));
            check(&verifier, delivery);
        }
    }
}

#[test]
fn each_fixed_form_verifies_as_that_form() {
    let mut cases: Vec<(&str, bool)> = BASIC.iter().map(|name| (*name, false)).collect();
    cases.extend(SignedForm::TRY_ORDER.iter().map(|form| (form.name(), true)));
    for (name, cert_mode) in cases {
        let form = SignedForm::from_name(name).unwrap();
        let emulator = start(PushForms::Fixed(form), cert_mode);
        let deliveries = authorise_and_revoke(&emulator, 2);
        let verifier = verifier(&emulator);
        for delivery in &deliveries {
            assert_eq!(delivery.signed_form, form);
            assert!(
                format!("{delivery:?}").contains(&format!("signed_form: {name},")),
                "{delivery:?}"
            );
            check(&verifier, delivery);
        }
    }
}

#[test]
fn a_seeded_mix_uses_every_form_and_each_push_verifies_as_its_form() {
    let mut unsigned_empty = 0;
    for cert_mode in [false, true] {
        let emulator = start(PushForms::Mixed { seed: 20_200_817 }, cert_mode);
        let deliveries = authorise_and_revoke(&emulator, 12);
        let verifier = verifier(&emulator);
        for delivery in &deliveries {
            check(&verifier, delivery);
            if !delivery.signed_form.empty_values_signed
                && delivery.body.contains(&format!("&{EMPTY_PARAM}=&"))
            {
                unsigned_empty += 1;
            }
        }
        let used: HashSet<SignedForm> = deliveries.iter().map(|d| d.signed_form).collect();
        let expected: HashSet<SignedForm> = SignedForm::TRY_ORDER
            .into_iter()
            .filter(|form| cert_mode || !form.alipay_cert_sn_signed)
            .collect();
        assert_eq!(used, expected, "cert mode {cert_mode}");
        for kind in [APP_AUTH_NOTIFY, APP_AUTH_CANCELLED] {
            assert!(deliveries.iter().any(|d| d.kind == kind));
        }

        let again = start(PushForms::Mixed { seed: 20_200_817 }, cert_mode);
        let replayed: Vec<SignedForm> = authorise_and_revoke(&again, 12)
            .iter()
            .map(|d| d.signed_form)
            .collect();
        let first: Vec<SignedForm> = deliveries.iter().map(|d| d.signed_form).collect();
        assert_eq!(replayed, first, "the same seed deals the same forms");
    }
    assert!(
        unsigned_empty > 0,
        "some pushes carry an empty parameter their form does not sign"
    );
}

#[test]
fn a_signed_empty_parameter_cannot_be_removed() {
    for name in ["v1+empty", "v2+empty"] {
        let emulator = start(PushForms::from_name(name, None).unwrap(), false);
        let deliveries = authorise_and_revoke(&emulator, 1);
        let verifier = verifier(&emulator);
        for delivery in &deliveries {
            check(&verifier, delivery);
            let mut params = parse_form(delivery.body.as_bytes()).unwrap();
            params.retain(|(key, _)| key != EMPTY_PARAM);
            let error = verifier
                .verify_body(encode(&params).as_bytes())
                .unwrap_err();
            assert!(matches!(error, Error::Signature { .. }), "{error}");
        }
    }
}

#[test]
fn a_signed_alipay_cert_sn_cannot_be_changed() {
    for name in ["v1+alipay_cert_sn", "v2+empty+alipay_cert_sn", "v1"] {
        let emulator = start(PushForms::from_name(name, None).unwrap(), true);
        let deliveries = authorise_and_revoke(&emulator, 1);
        // The key alone, so that the changed SN is not refused as unknown before the signature
        // is checked: only the signature decides.
        let by_key = NotificationVerifier::new(Arc::new(emulator.alipay_public_key().clone()));
        for delivery in &deliveries {
            check(&verifier(&emulator), delivery);
            let as_sent = by_key
                .verify_body_with_form(delivery.body.as_bytes())
                .unwrap();
            assert_eq!(as_sent.signed_form, delivery.signed_form);
            let mut params = parse_form(delivery.body.as_bytes()).unwrap();
            for (key, value) in params.iter_mut() {
                if key == "alipay_cert_sn" {
                    *value = format!("{value}0");
                }
            }
            let changed = by_key.verify_body_with_form(encode(&params).as_bytes());
            if delivery.signed_form.alipay_cert_sn_signed {
                let error = changed.unwrap_err();
                assert!(matches!(error, Error::Signature { .. }), "{error}");
            } else {
                // Not signed: the push still verifies, and the changed SN is not returned.
                let verified = changed.unwrap();
                assert_eq!(verified.signed_form, delivery.signed_form);
                assert!(value(params_of(&verified.notification), "alipay_cert_sn").is_none());
            }
        }
    }
}

#[test]
fn policies_parse_by_name_and_cert_forms_need_cert_mode() {
    assert_eq!(
        PushForms::from_name("classic", None).unwrap(),
        PushForms::Classic
    );
    assert_eq!(
        PushForms::from_name("mixed", Some(7)).unwrap(),
        PushForms::Mixed { seed: 7 }
    );
    assert_eq!(
        PushForms::from_name("mixed", None).unwrap(),
        PushForms::Mixed { seed: 0 }
    );
    for form in SignedForm::TRY_ORDER {
        let policy = PushForms::from_name(form.name(), None).unwrap();
        assert_eq!(policy, PushForms::Fixed(form));
        assert_eq!(policy.name(), form.name());
    }
    for (name, seed) in [("v3", None), ("v1", Some(1)), ("", None)] {
        let error = PushForms::from_name(name, seed).unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{error}");
    }
    let mut options: EmulatorOptions = options();
    options.push_forms = PushForms::from_name("v2+alipay_cert_sn", None).unwrap();
    let refused = Emulator::start(options).unwrap_err();
    assert!(refused.reason().contains("certificate mode"), "{refused}");

    let emulator = start(PushForms::Mixed { seed: 1 }, false);
    for delivery in authorise_and_revoke(&emulator, 4) {
        assert!(!delivery.body.contains("alipay_cert_sn"));
        assert!(!delivery.signed_form.alipay_cert_sn_signed);
    }
}

#[test]
fn debug_shows_the_form_and_no_token() {
    let emulator = start(
        PushForms::Fixed(SignedForm::from_name("v2+empty").unwrap()),
        false,
    );
    let deliveries = authorise_and_revoke(&emulator, 1);
    let auth = &deliveries[0];
    let verified = verifier(&emulator)
        .verify_body(auth.body.as_bytes())
        .unwrap();
    let Notification::AppAuth(notification) = verified else {
        panic!("an authorisation");
    };
    let shown = format!("{auth:?}");
    assert!(shown.contains("signed_form: v2+empty"), "{shown}");
    assert!(
        !shown.contains(&notification.detail.app_auth_token),
        "{shown}"
    );
    assert!(shown.contains("body_bytes"), "{shown}");
}
