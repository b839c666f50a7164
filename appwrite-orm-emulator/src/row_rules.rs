//! Request-level rules for rows that the emulator applies itself, because the [`Backend`]
//! trait has no place for them: `X-Appwrite-Timestamp` conflicts, atomic operators in row data
//! (refused rather than stored as text), and get-row queries that must be selects.
//!
//! [`Backend`]: appwrite_orm::backend::Backend

use appwrite_orm::backend::{Document, Row};
use appwrite_orm::error::types;
use appwrite_orm::query::{Query, QueryClass};
use axum::http::HeaderMap;
use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::errors::{ApiError, ApiResult, not_supported};

/// Appwrite's atomic operator methods (1.8+): a data value that is a JSON string naming one of
/// them is an operator, not text.
const OPERATORS: &[&str] = &[
    "increment",
    "decrement",
    "multiply",
    "divide",
    "modulo",
    "power",
    "toggle",
    "arrayAppend",
    "arrayPrepend",
    "arrayInsert",
    "arrayRemove",
    "arrayUnique",
    "arrayIntersect",
    "arrayDiff",
    "arrayFilter",
    "stringConcat",
    "stringReplace",
    "dateAddDays",
    "dateSubDays",
    "dateSetNow",
];

/// Refuses row data holding an atomic operator: the engine would store the JSON as text, where
/// Appwrite applies it.
pub(crate) fn reject_operators(data: &Document) -> ApiResult<()> {
    for (key, value) in data {
        if let Value::String(s) = value
            && s.trim_start().starts_with('{')
            && let Ok(Value::Object(op)) = serde_json::from_str::<Value>(s)
            && op
                .get("method")
                .and_then(Value::as_str)
                .is_some_and(|m| OPERATORS.contains(&m))
        {
            return Err(not_supported(format!("The atomic operator in \"{key}\"")));
        }
    }
    Ok(())
}

/// The `X-Appwrite-Timestamp` header, when sent.
pub(crate) fn request_timestamp(headers: &HeaderMap) -> ApiResult<Option<DateTime<FixedOffset>>> {
    let Some(raw) = headers.get("x-appwrite-timestamp") else {
        return Ok(None);
    };
    raw.to_str()
        .ok()
        .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::new(
                400,
                types::GENERAL_ARGUMENT_INVALID,
                "Invalid X-Appwrite-Timestamp header value",
            )
        })
}

/// 409 `row_update_conflict` when the stored row changed after the client's timestamp.
pub(crate) fn check_not_newer(
    row: &Row,
    timestamp: Option<DateTime<FixedOffset>>,
) -> ApiResult<()> {
    let Some(timestamp) = timestamp else {
        return Ok(());
    };
    let updated = DateTime::parse_from_rfc3339(row.updated_at()).ok();
    if updated.is_some_and(|u| u > timestamp) {
        return Err(ApiError::new(
            409,
            "row_update_conflict",
            "Remote row is newer than local.",
        ));
    }
    Ok(())
}

/// Getting one row takes `select` queries only.
pub(crate) fn select_only(queries: &[Query]) -> ApiResult<()> {
    match queries.iter().find(|q| q.class() != QueryClass::Select) {
        None => Ok(()),
        Some(q) => Err(ApiError::new(
            400,
            types::GENERAL_QUERY_INVALID,
            format!(
                "Invalid query: Query method not allowed when getting a row: {}",
                q.method()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operators_are_refused_plain_json_text_is_not() {
        let op = json!({"n": "{\"method\":\"increment\",\"values\":[1]}"});
        assert!(reject_operators(op.as_object().unwrap()).is_err());
        let text = json!({"n": "{\"method\":\"hello\"}", "m": "{not json", "k": 3});
        assert!(reject_operators(text.as_object().unwrap()).is_ok());
    }

    #[test]
    fn timestamps() {
        let mut headers = HeaderMap::new();
        assert_eq!(request_timestamp(&headers).unwrap(), None);
        headers.insert(
            "x-appwrite-timestamp",
            "2020-01-01T00:00:00.000+00:00".parse().unwrap(),
        );
        let ts = request_timestamp(&headers).unwrap();
        let row = Row(json!({"$updatedAt": "2021-01-01T00:00:00.000+00:00"})
            .as_object()
            .unwrap()
            .clone());
        assert_eq!(check_not_newer(&row, ts).unwrap_err().error.code, 409);
        let old = Row(json!({"$updatedAt": "2019-01-01T00:00:00.000+00:00"})
            .as_object()
            .unwrap()
            .clone());
        assert!(check_not_newer(&old, ts).is_ok());
        headers.insert("x-appwrite-timestamp", "yesterday".parse().unwrap());
        assert!(request_timestamp(&headers).is_err());
    }

    #[test]
    fn get_row_takes_selects() {
        assert!(select_only(&[Query::select(["a"])]).is_ok());
        assert!(select_only(&[Query::limit(1)]).is_err());
    }
}
