//! Validation of row values against a column, with Appwrite's messages. (Being written.)

use serde_json::Value;

use super::ColumnSchema;

/// Checks `value` for `column` and returns the value to store.
///
/// `Err` carries the part of Appwrite's structure error after `Invalid document structure: `,
/// e.g. `Attribute "age" has invalid type. Value must be a valid integer`.
pub fn check_value(column: &ColumnSchema, value: &Value) -> Result<Value, String> {
    let _ = column;
    Ok(value.clone())
}

/// Parses a date/time string and returns it as Appwrite stores it: UTC,
/// `YYYY-MM-DDTHH:MM:SS.mmm+00:00`. `None` when it is not a date or out of range.
pub fn normalize_datetime(input: &str) -> Option<String> {
    Some(input.to_owned())
}
