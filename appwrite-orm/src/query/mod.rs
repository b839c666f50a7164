//! The query model: every Appwrite 1.9 query method except the vector ones, as an AST, with
//! serialisation to and parsing from Appwrite's JSON wire form. Pure.
//!
//! `elemMatch` is parsed so that a server built on this crate answers it as Appwrite does, but it
//! has no constructor: Appwrite refuses it on every TablesDB table (see [`Query::ElemMatch`]).
//!
//! ```
//! use appwrite_orm::query::Query;
//! use serde_json::json;
//!
//! let q = Query::and([
//!     Query::equal("status", [json!("active"), json!("trial")]),
//!     Query::greater_than("age", 18),
//! ]);
//! let wire = q.to_wire();
//! assert_eq!(Query::parse(&wire).unwrap(), q);
//! ```

mod spatial;
mod wire;

pub use spatial::{DistanceOperand, SpatialFilter, SpatialMethod};
pub use wire::QueryParseError;
pub(crate) use wire::capitalise;

use serde_json::Value;

/// One Appwrite query: a filter, a selection, an order, or a pagination instruction.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// `equal`: the column equals any of the values (IN).
    Equal {
        /// Column key.
        attribute: String,
        /// One or more values.
        values: Vec<Value>,
    },
    /// `notEqual`: the column differs from the value (rows holding null are left out).
    NotEqual {
        /// Column key.
        attribute: String,
        /// The value.
        value: Value,
    },
    /// `lessThan`.
    LessThan {
        /// Column key.
        attribute: String,
        /// The bound.
        value: Value,
    },
    /// `lessThanEqual`.
    LessThanEqual {
        /// Column key.
        attribute: String,
        /// The bound.
        value: Value,
    },
    /// `greaterThan`.
    GreaterThan {
        /// Column key.
        attribute: String,
        /// The bound.
        value: Value,
    },
    /// `greaterThanEqual`.
    GreaterThanEqual {
        /// Column key.
        attribute: String,
        /// The bound.
        value: Value,
    },
    /// `between`: inclusive on both ends.
    Between {
        /// Column key.
        attribute: String,
        /// Lower bound.
        start: Value,
        /// Upper bound.
        end: Value,
    },
    /// `notBetween`: outside the inclusive range.
    NotBetween {
        /// Column key.
        attribute: String,
        /// Lower bound.
        start: Value,
        /// Upper bound.
        end: Value,
    },
    /// `startsWith`.
    StartsWith {
        /// Column key.
        attribute: String,
        /// The prefix.
        value: Value,
    },
    /// `notStartsWith`.
    NotStartsWith {
        /// Column key.
        attribute: String,
        /// The prefix.
        value: Value,
    },
    /// `endsWith`.
    EndsWith {
        /// Column key.
        attribute: String,
        /// The suffix.
        value: Value,
    },
    /// `notEndsWith`.
    NotEndsWith {
        /// Column key.
        attribute: String,
        /// The suffix.
        value: Value,
    },
    /// `contains`: substring on a string column, any element on an array column.
    Contains {
        /// Column key.
        attribute: String,
        /// One or more values.
        values: Vec<Value>,
    },
    /// `containsAny` (1.9): the array holds at least one of the values.
    ContainsAny {
        /// Column key.
        attribute: String,
        /// One or more values.
        values: Vec<Value>,
    },
    /// `containsAll` (1.9): the array holds every value.
    ContainsAll {
        /// Column key.
        attribute: String,
        /// One or more values.
        values: Vec<Value>,
    },
    /// `notContains`.
    NotContains {
        /// Column key.
        attribute: String,
        /// One or more values.
        values: Vec<Value>,
    },
    /// `search`: fulltext match; needs a fulltext index on exactly this column.
    Search {
        /// Column key.
        attribute: String,
        /// The words to look for.
        value: Value,
    },
    /// `notSearch`.
    NotSearch {
        /// Column key.
        attribute: String,
        /// The words to look for.
        value: Value,
    },
    /// `regex` (1.9): the string column matches a regular expression anywhere in its value
    /// (anchor it with `^`/`$` to match the whole value).
    ///
    /// Appwrite hands the pattern to the database unchanged: MariaDB's `REGEXP` (PCRE, case
    /// insensitive under the default collation unless the pattern starts with `(?-i)`),
    /// PostgreSQL's `~` (POSIX), MongoDB's `$regex` (PCRE). A pattern that uses only what those
    /// dialects share means the same everywhere; `(?i)` at its start makes it case-insensitive
    /// on all of them. The embedded engine reads the `regex` crate's dialect: no backreferences
    /// and no lookaround, matched case-sensitively, on string columns only.
    Regex {
        /// Column key.
        attribute: String,
        /// The pattern: a string (Appwrite checks its type against the column's like any value).
        pattern: Value,
    },
    /// `isNull`.
    IsNull {
        /// Column key.
        attribute: String,
    },
    /// `isNotNull`.
    IsNotNull {
        /// Column key.
        attribute: String,
    },
    /// `exists` (1.9): the named columns hold a value. Only schemaless databases (DocumentsDB)
    /// run it: on a TablesDB table Appwrite 1.9.6 looks for the query's empty `attribute` member
    /// in the schema and answers 400 `general_query_invalid` "Invalid query: Attribute not found
    /// in schema: ". Use `isNotNull` there.
    Exists {
        /// Column keys.
        attributes: Vec<String>,
    },
    /// `notExists` (1.9): the named columns hold no value. Refused on TablesDB tables like
    /// [`Query::Exists`]; use `isNull` there.
    NotExists {
        /// Column keys.
        attributes: Vec<String>,
    },
    /// `select`: return only these columns (plus the system fields).
    Select {
        /// Column keys, `*`, or relationship paths.
        attributes: Vec<String>,
    },
    /// `orderAsc`.
    OrderAsc {
        /// Column key.
        attribute: String,
    },
    /// `orderDesc`.
    OrderDesc {
        /// Column key.
        attribute: String,
    },
    /// `orderRandom`.
    OrderRandom,
    /// `limit`: at most this many rows.
    Limit(u64),
    /// `offset`: skip this many rows.
    Offset(u64),
    /// `cursorAfter`: the page after the row with this id.
    CursorAfter(String),
    /// `cursorBefore`: the page before the row with this id.
    CursorBefore(String),
    /// A spatial-only filter (`intersects`, `distanceLessThan`, …) on a point, line or polygon
    /// column; see [`SpatialFilter`].
    Spatial(SpatialFilter),
    /// `and`: every sub-filter matches.
    And(Vec<Query>),
    /// `or`: at least one sub-filter matches.
    Or(Vec<Query>),
    /// `elemMatch` (1.9): an element of an array column matches every sub-query. Only schemaless
    /// databases (DocumentsDB) run it: on every TablesDB table Appwrite answers 400
    /// `general_query_invalid` "Invalid query: elemMatch is not supported by the database". The
    /// variant exists so that a query read from the wire is answered like Appwrite answers it;
    /// this crate offers no constructor for it.
    ElemMatch {
        /// Column key of the array.
        attribute: String,
        /// The conditions an element must meet.
        queries: Vec<Query>,
    },
}

/// The kind of a query, as the server groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryClass {
    /// Narrows the rows (including `and`/`or`).
    Filter,
    /// `select`.
    Select,
    /// `orderAsc`, `orderDesc`, `orderRandom`.
    Order,
    /// `limit`.
    Limit,
    /// `offset`.
    Offset,
    /// `cursorAfter`, `cursorBefore`.
    Cursor,
}

/// A match on the queries that name one column: `$named` with the column bound to
/// `$attribute`, `$spatial` with a spatial filter bound to `$filter`, `None` otherwise. One list
/// for [`Query::attribute`] and [`Query::attribute_mut`].
macro_rules! single_column {
    ($query:expr, $attribute:ident => $named:expr, $filter:ident => $spatial:expr) => {
        match $query {
            Query::Equal { $attribute, .. }
            | Query::NotEqual { $attribute, .. }
            | Query::LessThan { $attribute, .. }
            | Query::LessThanEqual { $attribute, .. }
            | Query::GreaterThan { $attribute, .. }
            | Query::GreaterThanEqual { $attribute, .. }
            | Query::Between { $attribute, .. }
            | Query::NotBetween { $attribute, .. }
            | Query::StartsWith { $attribute, .. }
            | Query::NotStartsWith { $attribute, .. }
            | Query::EndsWith { $attribute, .. }
            | Query::NotEndsWith { $attribute, .. }
            | Query::Contains { $attribute, .. }
            | Query::ContainsAny { $attribute, .. }
            | Query::ContainsAll { $attribute, .. }
            | Query::NotContains { $attribute, .. }
            | Query::Search { $attribute, .. }
            | Query::NotSearch { $attribute, .. }
            | Query::Regex { $attribute, .. }
            | Query::IsNull { $attribute }
            | Query::IsNotNull { $attribute }
            | Query::OrderAsc { $attribute }
            | Query::OrderDesc { $attribute } => $named,
            Query::Spatial($filter) => $spatial,
            _ => None,
        }
    };
}

impl Query {
    /// `equal(attribute, values)`.
    pub fn equal<V: Into<Value>>(
        attribute: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Query::Equal {
            attribute: attribute.into(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// `notEqual(attribute, value)`.
    pub fn not_equal(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Query::NotEqual {
            attribute: attribute.into(),
            value: value.into(),
        }
    }

    /// `lessThan(attribute, value)`.
    pub fn less_than(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Query::LessThan {
            attribute: attribute.into(),
            value: value.into(),
        }
    }

    /// `lessThanEqual(attribute, value)`.
    pub fn less_than_equal(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Query::LessThanEqual {
            attribute: attribute.into(),
            value: value.into(),
        }
    }

    /// `greaterThan(attribute, value)`.
    pub fn greater_than(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Query::GreaterThan {
            attribute: attribute.into(),
            value: value.into(),
        }
    }

    /// `greaterThanEqual(attribute, value)`.
    pub fn greater_than_equal(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Query::GreaterThanEqual {
            attribute: attribute.into(),
            value: value.into(),
        }
    }

    /// `between(attribute, start, end)`, inclusive.
    pub fn between(
        attribute: impl Into<String>,
        start: impl Into<Value>,
        end: impl Into<Value>,
    ) -> Self {
        Query::Between {
            attribute: attribute.into(),
            start: start.into(),
            end: end.into(),
        }
    }

    /// `notBetween(attribute, start, end)`.
    pub fn not_between(
        attribute: impl Into<String>,
        start: impl Into<Value>,
        end: impl Into<Value>,
    ) -> Self {
        Query::NotBetween {
            attribute: attribute.into(),
            start: start.into(),
            end: end.into(),
        }
    }

    /// `startsWith(attribute, prefix)`.
    pub fn starts_with(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Query::StartsWith {
            attribute: attribute.into(),
            value: value.into(),
        }
    }

    /// `notStartsWith(attribute, prefix)`.
    pub fn not_starts_with(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Query::NotStartsWith {
            attribute: attribute.into(),
            value: value.into(),
        }
    }

    /// `endsWith(attribute, suffix)`.
    pub fn ends_with(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Query::EndsWith {
            attribute: attribute.into(),
            value: value.into(),
        }
    }

    /// `notEndsWith(attribute, suffix)`.
    pub fn not_ends_with(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Query::NotEndsWith {
            attribute: attribute.into(),
            value: value.into(),
        }
    }

    /// `contains(attribute, values)`.
    pub fn contains<V: Into<Value>>(
        attribute: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Query::Contains {
            attribute: attribute.into(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// `containsAny(attribute, values)`.
    pub fn contains_any<V: Into<Value>>(
        attribute: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Query::ContainsAny {
            attribute: attribute.into(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// `containsAll(attribute, values)`.
    pub fn contains_all<V: Into<Value>>(
        attribute: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Query::ContainsAll {
            attribute: attribute.into(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// `notContains(attribute, values)`.
    pub fn not_contains<V: Into<Value>>(
        attribute: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Query::NotContains {
            attribute: attribute.into(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// `search(attribute, words)`.
    pub fn search(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Query::Search {
            attribute: attribute.into(),
            value: value.into(),
        }
    }

    /// `notSearch(attribute, words)`.
    pub fn not_search(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Query::NotSearch {
            attribute: attribute.into(),
            value: value.into(),
        }
    }

    /// `regex(attribute, pattern)`: see [`Query::Regex`] for the dialect.
    pub fn regex(attribute: impl Into<String>, pattern: impl Into<Value>) -> Self {
        Query::Regex {
            attribute: attribute.into(),
            pattern: pattern.into(),
        }
    }

    /// `isNull(attribute)`.
    pub fn is_null(attribute: impl Into<String>) -> Self {
        Query::IsNull {
            attribute: attribute.into(),
        }
    }

    /// `isNotNull(attribute)`.
    pub fn is_not_null(attribute: impl Into<String>) -> Self {
        Query::IsNotNull {
            attribute: attribute.into(),
        }
    }

    /// `exists(attributes)`: for schemaless databases, see [`Query::Exists`].
    pub fn exists<S: Into<String>>(attributes: impl IntoIterator<Item = S>) -> Self {
        Query::Exists {
            attributes: attributes.into_iter().map(Into::into).collect(),
        }
    }

    /// `notExists(attributes)`: for schemaless databases, see [`Query::NotExists`].
    pub fn not_exists<S: Into<String>>(attributes: impl IntoIterator<Item = S>) -> Self {
        Query::NotExists {
            attributes: attributes.into_iter().map(Into::into).collect(),
        }
    }

    /// `select(attributes)`.
    pub fn select<S: Into<String>>(attributes: impl IntoIterator<Item = S>) -> Self {
        Query::Select {
            attributes: attributes.into_iter().map(Into::into).collect(),
        }
    }

    /// `orderAsc(attribute)`.
    pub fn order_asc(attribute: impl Into<String>) -> Self {
        Query::OrderAsc {
            attribute: attribute.into(),
        }
    }

    /// `orderDesc(attribute)`.
    pub fn order_desc(attribute: impl Into<String>) -> Self {
        Query::OrderDesc {
            attribute: attribute.into(),
        }
    }

    /// `orderRandom()`.
    pub fn order_random() -> Self {
        Query::OrderRandom
    }

    /// `limit(n)`.
    pub fn limit(n: u64) -> Self {
        Query::Limit(n)
    }

    /// `offset(n)`.
    pub fn offset(n: u64) -> Self {
        Query::Offset(n)
    }

    /// `cursorAfter(rowId)`.
    pub fn cursor_after(row_id: impl Into<String>) -> Self {
        Query::CursorAfter(row_id.into())
    }

    /// `cursorBefore(rowId)`.
    pub fn cursor_before(row_id: impl Into<String>) -> Self {
        Query::CursorBefore(row_id.into())
    }

    /// `and(queries)`.
    pub fn and(queries: impl IntoIterator<Item = Query>) -> Self {
        Query::And(queries.into_iter().collect())
    }

    /// `or(queries)`.
    pub fn or(queries: impl IntoIterator<Item = Query>) -> Self {
        Query::Or(queries.into_iter().collect())
    }

    /// Appwrite's method name (`equal`, `orderAsc`, ...).
    pub fn method(&self) -> &'static str {
        match self {
            Query::Equal { .. } => "equal",
            Query::NotEqual { .. } => "notEqual",
            Query::LessThan { .. } => "lessThan",
            Query::LessThanEqual { .. } => "lessThanEqual",
            Query::GreaterThan { .. } => "greaterThan",
            Query::GreaterThanEqual { .. } => "greaterThanEqual",
            Query::Between { .. } => "between",
            Query::NotBetween { .. } => "notBetween",
            Query::StartsWith { .. } => "startsWith",
            Query::NotStartsWith { .. } => "notStartsWith",
            Query::EndsWith { .. } => "endsWith",
            Query::NotEndsWith { .. } => "notEndsWith",
            Query::Contains { .. } => "contains",
            Query::ContainsAny { .. } => "containsAny",
            Query::ContainsAll { .. } => "containsAll",
            Query::NotContains { .. } => "notContains",
            Query::Search { .. } => "search",
            Query::NotSearch { .. } => "notSearch",
            Query::Regex { .. } => "regex",
            Query::IsNull { .. } => "isNull",
            Query::IsNotNull { .. } => "isNotNull",
            Query::Exists { .. } => "exists",
            Query::NotExists { .. } => "notExists",
            Query::Select { .. } => "select",
            Query::OrderAsc { .. } => "orderAsc",
            Query::OrderDesc { .. } => "orderDesc",
            Query::OrderRandom => "orderRandom",
            Query::Limit(_) => "limit",
            Query::Offset(_) => "offset",
            Query::CursorAfter(_) => "cursorAfter",
            Query::CursorBefore(_) => "cursorBefore",
            Query::And(_) => "and",
            Query::Or(_) => "or",
            Query::ElemMatch { .. } => "elemMatch",
            Query::Spatial(filter) => filter.method.as_str(),
        }
    }

    /// Which group the query belongs to.
    pub fn class(&self) -> QueryClass {
        match self {
            Query::Select { .. } => QueryClass::Select,
            Query::OrderAsc { .. } | Query::OrderDesc { .. } | Query::OrderRandom => {
                QueryClass::Order
            }
            Query::Limit(_) => QueryClass::Limit,
            Query::Offset(_) => QueryClass::Offset,
            Query::CursorAfter(_) | Query::CursorBefore(_) => QueryClass::Cursor,
            _ => QueryClass::Filter,
        }
    }

    /// The column a single-column query names, if any.
    pub fn attribute(&self) -> Option<&str> {
        single_column!(self, attribute => Some(attribute), filter => Some(&filter.attribute))
    }

    /// The column a single-column query names, to change it (a rename): the same queries as
    /// [`attribute`](Self::attribute).
    pub(crate) fn attribute_mut(&mut self) -> Option<&mut String> {
        single_column!(self, attribute => Some(attribute), filter => Some(&mut filter.attribute))
    }

    /// Combines two filters with `and`, flattening nested `and`s on either side.
    pub fn and_also(self, other: Query) -> Query {
        Query::And(flatten(self, other, true))
    }

    /// Combines two filters with `or`, flattening nested `or`s on either side.
    pub fn or_else(self, other: Query) -> Query {
        Query::Or(flatten(self, other, false))
    }
}

/// The operands of `a` and `b` under one logical operator (`and` when `and` is true, else
/// `or`): an operand that already is that operator contributes its children.
fn flatten(a: Query, b: Query, and: bool) -> Vec<Query> {
    let mut out = Vec::new();
    for q in [a, b] {
        match q {
            Query::And(children) if and => out.extend(children),
            Query::Or(children) if !and => out.extend(children),
            single => out.push(single),
        }
    }
    out
}
