//! Reading gateway fields leniently: numbers documented as strings arrive as numbers (and the reverse),
//! empty strings mean absent.

use serde_json::{Map, Value};

/// A text field; numbers are turned into their text, empty strings are `None`.
pub(crate) fn text(fields: &Map<String, Value>, name: &str) -> Option<String> {
    match fields.get(name)? {
        Value::String(text) if text.is_empty() => None,
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// An integer field given as a number or as decimal text.
pub(crate) fn integer(fields: &Map<String, Value>, name: &str) -> Option<i64> {
    match fields.get(name)? {
        Value::Number(number) => number
            .as_i64()
            .or_else(|| number.as_f64().map(|value| value as i64)),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A list of text given as a JSON array, or as one comma-separated string.
pub(crate) fn text_list(fields: &Map<String, Value>, name: &str) -> Vec<String> {
    match fields.get(name) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(text) => Some(text.clone()),
                Value::Number(number) => Some(number.to_string()),
                _ => None,
            })
            .collect(),
        Some(Value::String(text)) => text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_and_strings_are_both_read() {
        let Value::Object(fields) =
            json!({"a": 31536000, "b": "72000", "c": "", "d": [1, "x"], "e": "p, q"})
        else {
            unreachable!()
        };
        assert_eq!(integer(&fields, "a"), Some(31_536_000));
        assert_eq!(integer(&fields, "b"), Some(72_000));
        assert_eq!(text(&fields, "a").as_deref(), Some("31536000"));
        assert_eq!(text(&fields, "c"), None);
        assert_eq!(text_list(&fields, "d"), ["1", "x"]);
        assert_eq!(text_list(&fields, "e"), ["p", "q"]);
        assert!(text_list(&fields, "missing").is_empty());
    }
}
