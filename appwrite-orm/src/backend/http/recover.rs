//! What a repeated request means when its earlier attempt may have succeeded.
//!
//! A create whose answer was lost (timeout, dropped connection, 5xx from a proxy) is sent again
//! with the same client-made id and meets `409 *_already_exists`; a delete meets `404`. Those
//! answers describe the earlier attempt's success, not a failure, so the existing resource is
//! fetched and returned when it is what was asked for. When it is not (someone else's row with
//! other data), the original error stands.

use std::future::Future;

use serde_json::Value;

use crate::Result;
use crate::backend::{Document, Row};

/// On `conflict_type` after a repeat, asks `fetch` for the existing resource (`Some` when it
/// matches what was sent) and returns it instead of the error.
pub(crate) async fn conflict<T, F, Fut>(
    result: Result<T>,
    repeated: bool,
    conflict_type: &str,
    fetch: F,
) -> Result<T>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    match result {
        Err(error) if repeated && error.error_type() == Some(conflict_type) => {
            match fetch().await {
                Ok(Some(existing)) => {
                    tracing::info!(
                        error_type = conflict_type,
                        "a repeated create met its own earlier success; returning the existing resource"
                    );
                    Ok(existing)
                }
                Ok(None) => Err(error),
                Err(fetch_error) => {
                    tracing::debug!(%fetch_error, "could not fetch the resource after a 409");
                    Err(error)
                }
            }
        }
        other => other,
    }
}

/// On `not_found_type` after a repeat, the delete already happened: success.
pub(crate) fn gone(result: Result<()>, repeated: bool, not_found_type: &str) -> Result<()> {
    match result {
        Err(error) if repeated && error.error_type() == Some(not_found_type) => {
            tracing::info!(
                error_type = not_found_type,
                "a repeated delete met its own earlier success"
            );
            Ok(())
        }
        other => other,
    }
}

/// Whether a stored row holds the data that was sent: every sent user column (keys starting
/// with `$` are system fields and skipped) has an equal value. Values compare the way the
/// server normalizes them: numbers by value (`1` = `1.0`, and a numeric string = the number a
/// bigint column stores), datetimes by instant (`… 14:12:55+02:00` = `…T12:12:55.000+00:00`).
/// Anything else the server rewrites (related rows given as objects) compares unequal, which
/// keeps the 409.
pub(crate) fn data_matches(row: &Row, sent: &Document) -> bool {
    sent.iter()
        .filter(|(k, _)| !k.starts_with('$'))
        .all(|(k, v)| row.0.get(k).is_some_and(|stored| same_value(stored, v)))
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, a)| y.get(k).is_some_and(|b| same_value(a, b)))
        }
        (Value::String(s), Value::Number(n)) | (Value::Number(n), Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .ok()
            .is_some_and(|v| n.as_i64() == Some(v)),
        (Value::String(x), Value::String(y)) => x == y || same_instant(x, y),
        _ => a == b,
    }
}

/// Both strings are datetimes naming the same instant.
fn same_instant(a: &str, b: &str) -> bool {
    let parse =
        |s: &str| chrono::DateTime::parse_from_rfc3339(&s.trim().replacen(' ', "T", 1)).ok();
    matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> Document {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn matching_ignores_system_fields_and_number_notation() {
        let row = Row(doc(json!({"$id": "r", "n": 1.0, "s": "x", "extra": true})));
        assert!(data_matches(
            &row,
            &doc(json!({"n": 1, "s": "x", "$id": "other"}))
        ));
        assert!(!data_matches(&row, &doc(json!({"n": 2}))));
        assert!(!data_matches(&row, &doc(json!({"missing": null}))));
        let row = Row(doc(
            json!({"big": -12, "at": "1975-06-12T12:12:55.000+00:00"}),
        ));
        assert!(data_matches(
            &row,
            &doc(json!({"big": "-12", "at": "1975-06-12 14:12:55+02:00"}))
        ));
        assert!(!data_matches(
            &row,
            &doc(json!({"at": "1975-06-12 14:12:56+02:00"}))
        ));
    }
}
