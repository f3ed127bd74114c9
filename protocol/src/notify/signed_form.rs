//! The forms in which the gateway has signed notifications, and the content each form signs.
//!
//! Real signed notifications prove that Alipay has not always signed the same content: the `sign_type`
//! parameter is left out (V1) or kept in (V2); empty values are dropped (as the current Java SDK
//! checks) or kept (a genuine 2020 service-market order notification verifies only with its empty
//! `isv_ticket=` in the content); `alipay_cert_sn` is left out or kept in. [`SignedForm`] names one such
//! choice, [`SignedForm::content`] builds the exact string it signs, and [`SignedForm::TRY_ORDER`] is the
//! order a verifier tries them in: the forms seen most often first.

use std::fmt;

use crate::sign::{is_blank, java_key_order, sign_content};

/// One way the gateway has signed a notification: which parameters are part of the signed content.
///
/// `sign` is never part of it. Shown (and named in every binding) as `v1` or `v2`, followed by `+empty`
/// when empty values were signed and `+alipay_cert_sn` when that parameter was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignedForm {
    /// V2: `sign_type` is part of the signed content; V1 (`false`): it is not.
    pub sign_type_signed: bool,
    /// Empty and whitespace-only values are part of the signed content (`key=`); otherwise they are
    /// dropped, as for requests.
    pub empty_values_signed: bool,
    /// `alipay_cert_sn` is part of the signed content.
    pub alipay_cert_sn_signed: bool,
}

impl SignedForm {
    /// V1: without `sign` and `sign_type`, empty values dropped, no `alipay_cert_sn`.
    pub const V1: SignedForm = SignedForm {
        sign_type_signed: false,
        empty_values_signed: false,
        alipay_cert_sn_signed: false,
    };

    /// V2: without `sign` only, empty values dropped, no `alipay_cert_sn`.
    pub const V2: SignedForm = SignedForm {
        sign_type_signed: true,
        ..SignedForm::V1
    };

    /// Every form, in the order a verifier tries them: V1 before V2, empty values dropped before kept,
    /// `alipay_cert_sn` left out before kept in.
    pub const TRY_ORDER: [SignedForm; 8] = {
        let mut forms = [SignedForm::V1; 8];
        let mut index = 0;
        while index < 8 {
            forms[index] = SignedForm {
                alipay_cert_sn_signed: index >= 4,
                sign_type_signed: index % 4 >= 2,
                empty_values_signed: index % 2 == 1,
            };
            index += 1;
        }
        forms
    };

    /// The form's name: `v1`/`v2`, then `+empty` and `+alipay_cert_sn` when those are signed.
    pub fn name(self) -> &'static str {
        const NAMES: [&str; 8] = [
            "v1",
            "v1+empty",
            "v2",
            "v2+empty",
            "v1+alipay_cert_sn",
            "v1+empty+alipay_cert_sn",
            "v2+alipay_cert_sn",
            "v2+empty+alipay_cert_sn",
        ];
        NAMES[self.index()]
    }

    /// Parses a name given by [`SignedForm::name`].
    pub fn from_name(name: &str) -> Option<SignedForm> {
        SignedForm::TRY_ORDER
            .into_iter()
            .find(|form| form.name() == name)
    }

    fn index(self) -> usize {
        usize::from(self.alipay_cert_sn_signed) * 4
            + usize::from(self.sign_type_signed) * 2
            + usize::from(self.empty_values_signed)
    }

    /// Whether the parameter `key` with `value` is part of the content this form signs.
    pub fn signs(self, key: &str, value: &str) -> bool {
        match key {
            "sign" => false,
            "sign_type" if !self.sign_type_signed => false,
            "alipay_cert_sn" if !self.alipay_cert_sn_signed => false,
            _ => self.empty_values_signed || (!is_blank(key) && !is_blank(value)),
        }
    }

    /// The exact content this form signs for `params`: the signed parameters sorted by key as Java's
    /// `String.compareTo` does (UTF-16 code units), joined as `key=value` with `&`, no URL-encoding.
    pub fn content<K: AsRef<str>, V: AsRef<str>>(self, params: &[(K, V)]) -> String {
        let signed = params
            .iter()
            .map(|(key, value)| (key.as_ref(), value.as_ref()))
            .filter(|(key, value)| self.signs(key, value));
        if !self.empty_values_signed {
            return sign_content(signed);
        }
        let mut kept: Vec<(&str, &str)> = signed.collect();
        kept.sort_by(|(a, _), (b, _)| java_key_order(a, b));
        let mut content = String::with_capacity(
            kept.iter()
                .map(|(key, value)| key.len() + value.len() + 2)
                .sum(),
        );
        for (index, (key, value)) in kept.iter().enumerate() {
            if index > 0 {
                content.push('&');
            }
            content.push_str(key);
            content.push('=');
            content.push_str(value);
        }
        content
    }
}

impl fmt::Display for SignedForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn names_follow_the_try_order_and_parse_back() {
        let names: Vec<&str> = SignedForm::TRY_ORDER.iter().map(|f| f.name()).collect();
        assert_eq!(names[..4], ["v1", "v1+empty", "v2", "v2+empty"]);
        for form in SignedForm::TRY_ORDER {
            assert_eq!(SignedForm::from_name(form.name()), Some(form));
        }
        assert_eq!(SignedForm::TRY_ORDER[0], SignedForm::V1);
        assert_eq!(SignedForm::TRY_ORDER[2], SignedForm::V2);
        assert_eq!(SignedForm::from_name("v3"), None);
    }

    #[test]
    fn each_form_signs_what_its_name_says() {
        let form = params(&[
            ("sign", "s"),
            ("sign_type", "RSA2"),
            ("isv_ticket", ""),
            ("blank", " "),
            ("alipay_cert_sn", "abc"),
            ("b", "2"),
            ("a", "1"),
        ]);
        let content = |name| SignedForm::from_name(name).unwrap().content(&form);
        assert_eq!(content("v1"), "a=1&b=2");
        assert_eq!(content("v2"), "a=1&b=2&sign_type=RSA2");
        assert_eq!(content("v1+empty"), "a=1&b=2&blank= &isv_ticket=");
        assert_eq!(
            content("v2+empty+alipay_cert_sn"),
            "a=1&alipay_cert_sn=abc&b=2&blank= &isv_ticket=&sign_type=RSA2"
        );
        assert_eq!(content("v1+alipay_cert_sn"), "a=1&alipay_cert_sn=abc&b=2");
    }

    #[test]
    fn kept_empty_values_sort_by_utf16_code_units() {
        let form = params(&[("x\u{FFE5}", "b"), ("x\u{1F600}", ""), ("x", "")]);
        let content = SignedForm::from_name("v1+empty").unwrap().content(&form);
        assert_eq!(content, "x=&x\u{1F600}=&x\u{FFE5}=b");
    }
}
