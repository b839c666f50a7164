//! Conversion between JSON values and the SQL values a column is stored as.

use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::{Number, Value};

use crate::schema::{ColumnKind, ColumnSchema};

/// The SQL value stored for a (validated) JSON value of a column.
pub(super) fn encode(column: &ColumnSchema, value: &Value) -> SqlValue {
    if value.is_null() {
        return SqlValue::Null;
    }
    if stored_as_json(column) {
        return SqlValue::Text(value.to_string());
    }
    encode_scalar(&column.kind, value)
}

/// The SQL value of one scalar of a column's kind (an array's element, or a filter value).
pub(super) fn encode_scalar(kind: &ColumnKind, value: &Value) -> SqlValue {
    match (kind, value) {
        (_, Value::Null) => SqlValue::Null,
        (ColumnKind::Boolean, Value::Bool(b)) => SqlValue::Integer(i64::from(*b)),
        (ColumnKind::Float { .. }, Value::Number(n)) => SqlValue::Real(n.as_f64().unwrap_or(0.0)),
        (_, Value::Number(n)) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(0.0)),
        },
        (_, Value::String(s)) => SqlValue::Text(s.clone()),
        (_, Value::Bool(b)) => SqlValue::Integer(i64::from(*b)),
        (_, other) => SqlValue::Text(other.to_string()),
    }
}

/// The JSON value of a stored SQL value.
pub(super) fn decode(column: &ColumnSchema, value: ValueRef<'_>) -> Value {
    if stored_as_json(column) {
        return match value {
            ValueRef::Text(t) => serde_json::from_slice(t).unwrap_or(Value::Null),
            _ => Value::Null,
        };
    }
    match (&column.kind, value) {
        (_, ValueRef::Null) => Value::Null,
        (ColumnKind::Boolean, ValueRef::Integer(i)) => Value::Bool(i != 0),
        (ColumnKind::Float { .. }, ValueRef::Integer(i)) => float(i as f64),
        (_, ValueRef::Integer(i)) => Value::Number(i.into()),
        (_, ValueRef::Real(f)) => float(f),
        (_, ValueRef::Text(t)) => Value::String(String::from_utf8_lossy(t).into_owned()),
        (_, ValueRef::Blob(_)) => Value::Null,
    }
}

/// Arrays, relationships and geometries (the coordinate arrays Appwrite answers with) are
/// kept as JSON text.
fn stored_as_json(column: &ColumnSchema) -> bool {
    column.array || matches!(column.kind, ColumnKind::Relationship(_)) || column.kind.is_spatial()
}

fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}
