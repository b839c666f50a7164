//! How Rust types map to Appwrite columns and back.
//!
//! [`ColumnType`] gives, for a field type, the column it becomes (kind, required, array) and the
//! conversions to and from JSON. `#[derive(Table)]` asks it for every field and applies the
//! field's attributes on top (size, formats, bounds, default). The marker traits below decide
//! which typed query operations a column offers, so that misuse does not compile.

use serde_json::Value;

use crate::schema::{ColumnKind, ColumnSchema, limits};

/// A Rust type that can be stored in an Appwrite column.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in an Appwrite column",
    note = "supported: String, bool, i8..i64, u8..u32, f32, f64, appwrite_orm::DateTime, RowId, #[derive(ColumnEnum)] enums, the spatial Point/LineString/Polygon, and Option/Vec of those; u64 does not fit Appwrite's signed 64-bit integers"
)]
pub trait ColumnType: Sized {
    /// The column this type becomes, before a field's attributes refine it.
    fn column(key: &str) -> ColumnSchema;
    /// The JSON value written for this value.
    fn to_value(&self) -> Value;
    /// Reads a value back; `Err` says what was found instead.
    fn from_value(value: &Value) -> Result<Self, String>;
}

/// Types whose columns accept `eq`, `ne` and `is_in`: every scalar column, optional or not.
#[diagnostic::on_unimplemented(
    message = "`{Self}` columns cannot be compared with `eq`, `ne` or `is_in`",
    note = "an array column is queried with `contains`, `contains_any` and `contains_all`"
)]
pub trait Filterable {
    /// The scalar a filter compares with (the `T` of `Option<T>`).
    type Scalar: ColumnType;
}

/// Scalar columns with an order: `gt`, `ge`, `lt`, `le`, `between`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` columns have no order: comparisons need a number, string or date column"
)]
pub trait Ordered: Filterable {}

/// Text columns: `starts_with`, `ends_with`, `contains`, `search`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a text column: this query needs a String column"
)]
pub trait Textual: Filterable {}

/// Columns that may hold null: `is_null`, `is_not_null`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is never null: `is_null`/`is_not_null` need an `Option<_>` field"
)]
pub trait Nullable {}

/// Array columns: `contains`, `contains_any`, `contains_all`, `not_contains`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an array column: this query needs a Vec<_> field"
)]
pub trait ArrayOf {
    /// The element type.
    type Element: ColumnType;
}

pub(crate) fn type_error(expected: &str, value: &Value) -> String {
    let found = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    format!("expected {expected}, found {found}")
}

impl ColumnType for String {
    fn column(key: &str) -> ColumnSchema {
        ColumnSchema::varchar(key, appwrite_orm_contract::DEFAULT_STRING_SIZE).required()
    }
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| type_error("a string", value))
    }
}

impl ColumnType for bool {
    fn column(key: &str) -> ColumnSchema {
        ColumnSchema::boolean(key).required()
    }
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        value
            .as_bool()
            .ok_or_else(|| type_error("a boolean", value))
    }
}

macro_rules! bounded_integer {
    ($($t:ty),*) => {$(
        impl ColumnType for $t {
            fn column(key: &str) -> ColumnSchema {
                ColumnSchema::new(
                    key,
                    ColumnKind::Integer { min: Some(<$t>::MIN as i64), max: Some(<$t>::MAX as i64) },
                )
                .required()
            }
            fn to_value(&self) -> Value {
                Value::from(*self)
            }
            fn from_value(value: &Value) -> Result<Self, String> {
                let n = value.as_i64().ok_or_else(|| type_error("an integer", value))?;
                <$t>::try_from(n).map_err(|_| {
                    format!("{n} does not fit in {}", stringify!($t))
                })
            }
        }
        impl Filterable for $t { type Scalar = $t; }
        impl Ordered for $t {}
    )*};
}

bounded_integer!(i8, i16, i32, u8, u16, u32);

impl ColumnType for i64 {
    fn column(key: &str) -> ColumnSchema {
        ColumnSchema::integer(key).required()
    }
    fn to_value(&self) -> Value {
        Value::from(*self)
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            // bigint columns may hand back numeric strings.
            Value::String(s) => s.parse().map_err(|_| type_error("an integer", value)),
            _ => value
                .as_i64()
                .ok_or_else(|| type_error("an integer", value)),
        }
    }
}
impl Filterable for i64 {
    type Scalar = i64;
}
impl Ordered for i64 {}

impl ColumnType for f64 {
    fn column(key: &str) -> ColumnSchema {
        ColumnSchema::float(key).required()
    }
    fn to_value(&self) -> Value {
        serde_json::Number::from_f64(*self).map_or(Value::Null, Value::Number)
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        value.as_f64().ok_or_else(|| type_error("a number", value))
    }
}
impl Filterable for f64 {
    type Scalar = f64;
}
impl Ordered for f64 {}

impl ColumnType for f32 {
    fn column(key: &str) -> ColumnSchema {
        ColumnSchema::new(
            key,
            ColumnKind::Float {
                min: Some(f64::from(f32::MIN)),
                max: Some(f64::from(f32::MAX)),
            },
        )
        .required()
    }
    fn to_value(&self) -> Value {
        serde_json::Number::from_f64(f64::from(*self)).map_or(Value::Null, Value::Number)
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        let f = value
            .as_f64()
            .ok_or_else(|| type_error("a number", value))?;
        if f.is_finite() && f.abs() > f64::from(f32::MAX) {
            return Err(format!("{f} does not fit in f32"));
        }
        Ok(f as f32)
    }
}
impl Filterable for f32 {
    type Scalar = f32;
}
impl Ordered for f32 {}

impl Filterable for String {
    type Scalar = String;
}
impl Ordered for String {}
impl Textual for String {}
impl Filterable for bool {
    type Scalar = bool;
}

impl<T: ColumnType> ColumnType for Option<T> {
    fn column(key: &str) -> ColumnSchema {
        let mut column = T::column(key);
        column.required = false;
        column
    }
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ColumnType::to_value)
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}
impl<T: Filterable> Filterable for Option<T> {
    type Scalar = T::Scalar;
}
impl<T: Ordered> Ordered for Option<T> {}
impl<T: Textual> Textual for Option<T> {}
impl<T> Nullable for Option<T> {}

/// `Vec<T>` is an array column. It is optional in Appwrite's terms: a missing or null value
/// reads as an empty vector.
impl<T: ColumnType> ColumnType for Vec<T> {
    fn column(key: &str) -> ColumnSchema {
        let mut column = T::column(key);
        column.required = false;
        column.array = true;
        column
    }
    fn to_value(&self) -> Value {
        Value::Array(self.iter().map(ColumnType::to_value).collect())
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(Vec::new()),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| T::from_value(v).map_err(|e| format!("element {i}: {e}")))
                .collect(),
            v => Err(type_error("an array", v)),
        }
    }
}
impl<T: ColumnType> ArrayOf for Vec<T> {
    type Element = T;
}
impl<T: ColumnType> ArrayOf for Option<Vec<T>> {
    type Element = T;
}

/// A date and time in UTC, as Appwrite stores them (millisecond precision).
pub type DateTime = chrono::DateTime<chrono::Utc>;

impl ColumnType for DateTime {
    fn column(key: &str) -> ColumnSchema {
        ColumnSchema::datetime(key).required()
    }
    fn to_value(&self) -> Value {
        Value::String(self.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string())
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        let s = value
            .as_str()
            .ok_or_else(|| type_error("a date string", value))?;
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&chrono::Utc))
            .map_err(|e| format!("{s:?} is not a date: {e}"))
    }
}
impl Filterable for DateTime {
    type Scalar = DateTime;
}
impl Ordered for DateTime {}

/// A row id (`$id`): 1 to 36 characters of `[A-Za-z0-9._-]`, not starting with a special one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct RowId(String);

impl RowId {
    /// A new 20-hex-character id, made here like the SDKs' `ID.unique()`, so that the caller
    /// knows the id before the row exists (and a retried create cannot duplicate it).
    pub fn unique() -> Self {
        RowId(crate::backend::new_unique_id())
    }

    /// An id with the given text, checked against Appwrite's rule.
    pub fn new(id: impl Into<String>) -> crate::Result<Self> {
        let id = id.into();
        crate::schema::check_id(&id).map_err(|reason| crate::Error::InvalidId {
            what: "row id",
            value: id.clone(),
            reason,
        })?;
        Ok(RowId(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An id a server answered (already checked there).
    pub(crate) fn from_server(id: impl Into<String>) -> Self {
        RowId(id.into())
    }

    /// True for the empty default value (an id not chosen yet).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for RowId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RowId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<RowId> for String {
    fn from(id: RowId) -> String {
        id.0
    }
}

impl ColumnType for RowId {
    fn column(key: &str) -> ColumnSchema {
        ColumnSchema::varchar(key, limits::MAX_KEY_LEN as u32).required()
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        value
            .as_str()
            .map(|s| RowId(s.to_owned()))
            .ok_or_else(|| type_error("an id string", value))
    }
}
impl Filterable for RowId {
    type Scalar = RowId;
}
impl Ordered for RowId {}

/// Values that a filter on a column of scalar type `S` accepts: `S` itself, and for text-like
/// columns plain string slices, for integer columns any integer literal. Patches use it too, so
/// an `Option<T>` column also takes a bare `T` (and an `Option<String>` one a `&str`).
#[diagnostic::on_unimplemented(
    message = "this `{S}` column does not take a `{Self}`",
    label = "expected a value of type `{S}`"
)]
pub trait IntoScalar<S> {
    /// The JSON value of the filter operand.
    fn into_scalar(self) -> Value;
}

impl<S: ColumnType> IntoScalar<S> for S {
    fn into_scalar(self) -> Value {
        self.to_value()
    }
}

impl IntoScalar<String> for &str {
    fn into_scalar(self) -> Value {
        Value::String(self.to_owned())
    }
}

impl IntoScalar<String> for &String {
    fn into_scalar(self) -> Value {
        Value::String(self.clone())
    }
}

impl IntoScalar<RowId> for &str {
    fn into_scalar(self) -> Value {
        Value::String(self.to_owned())
    }
}

impl IntoScalar<RowId> for &RowId {
    fn into_scalar(self) -> Value {
        Value::String(self.0.clone())
    }
}

/// A bare value for an `Option` column: `User::patch().phone(String::from("…"))`.
impl<T: ColumnType> IntoScalar<Option<T>> for T {
    fn into_scalar(self) -> Value {
        self.to_value()
    }
}

impl IntoScalar<Option<String>> for &str {
    fn into_scalar(self) -> Value {
        Value::String(self.to_owned())
    }
}
