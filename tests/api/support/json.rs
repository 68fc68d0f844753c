//! Reading answers and shaping request bodies.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::Value;

/// The answer is the error `code` with `expected` status.
#[track_caller]
pub fn assert_error(answer: &(StatusCode, Value), expected: StatusCode, code: &str) {
    assert_error_parts(answer.0, &answer.1, expected, code);
}

/// [`assert_error`] for an answer already taken apart.
#[track_caller]
pub fn assert_error_parts(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(
        (status, body["error"].as_str()),
        (expected, Some(code)),
        "{body}"
    );
}

pub fn id_of(value: &Value) -> i64 {
    value["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id: {value}"))
}

/// `body` with `field` set to `value`.
pub fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

pub fn time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a timestamp: {value}"))
        .parse()
        .unwrap()
}
