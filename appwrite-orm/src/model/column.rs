//! Typed column handles and the filters and orders built from them.
//!
//! `#[derive(Table)]` gives every field a constant handle, e.g. `User::EMAIL: Col<User, String>`.
//! Which operations a handle offers depends on the field's type, so that a query Appwrite would
//! refuse does not compile: comparisons need an ordered type, `starts_with` a string,
//! `is_null` an `Option`, `contains_all` a `Vec`.

use std::marker::PhantomData;

use serde_json::Value;

use super::types::{ArrayOf, ColumnType, Filterable, IntoScalar, Nullable, Ordered, Textual};
use crate::query::Query;

/// A typed handle on column `key` of table `T`, holding values of type `V`.
pub struct Col<T, V> {
    key: &'static str,
    _types: PhantomData<fn() -> (T, V)>,
}

impl<T, V> Clone for Col<T, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, V> Copy for Col<T, V> {}

impl<T, V> std::fmt::Debug for Col<T, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Col({:?})", self.key)
    }
}

impl<T, V> Col<T, V> {
    /// A handle on the column with this key (`$id`, `$createdAt`, … for system columns).
    pub const fn new(key: &'static str) -> Self {
        Self {
            key,
            _types: PhantomData,
        }
    }

    /// The column key.
    pub const fn key(&self) -> &'static str {
        self.key
    }

    /// Ascending order on this column.
    pub fn asc(self) -> Order<T> {
        Order::new(Query::order_asc(self.key))
    }

    /// Descending order on this column.
    pub fn desc(self) -> Order<T> {
        Order::new(Query::order_desc(self.key))
    }
}

// The bounds sit on the methods rather than on the impl blocks: a method whose bound fails
// then reports the marker trait's own message ("`bool` columns have no order…") instead of
// "the method exists but its trait bounds were not satisfied".
impl<T, V> Col<T, V> {
    /// The column equals `value`.
    pub fn eq(self, value: impl IntoScalar<V::Scalar>) -> Filter<T>
    where
        V: Filterable,
    {
        Filter::new(Query::Equal {
            attribute: self.key.to_owned(),
            values: vec![value.into_scalar()],
        })
    }

    /// The column differs from `value` (rows holding null are not matched).
    pub fn ne(self, value: impl IntoScalar<V::Scalar>) -> Filter<T>
    where
        V: Filterable,
    {
        Filter::new(Query::not_equal(self.key, value.into_scalar()))
    }

    /// The column equals one of `values` (SQL `IN`). An empty list matches nothing.
    ///
    /// Appwrite takes at most 500 values in one filter; longer lists are split into an `or` of
    /// several filters, so no value is dropped.
    pub fn is_in<I>(self, values: I) -> Filter<T>
    where
        V: Filterable,
        I: IntoIterator,
        I::Item: IntoScalar<V::Scalar>,
    {
        let values: Vec<Value> = values.into_iter().map(IntoScalar::into_scalar).collect();
        Filter::new(split_in(self.key, values))
    }
}

/// `equal` with many values, split at Appwrite's 500-value limit.
fn split_in(key: &str, values: Vec<Value>) -> Query {
    let max = crate::schema::limits::MAX_QUERY_VALUES;
    if values.is_empty() {
        // `equal` needs at least one value; an id that cannot exist matches nothing.
        return Query::Equal {
            attribute: "$id".to_owned(),
            values: vec![Value::String(String::new())],
        };
    }
    if values.len() <= max {
        return Query::Equal {
            attribute: key.to_owned(),
            values,
        };
    }
    Query::Or(
        values
            .chunks(max)
            .map(|chunk| Query::Equal {
                attribute: key.to_owned(),
                values: chunk.to_vec(),
            })
            .collect(),
    )
}

impl<T, V> Col<T, V> {
    /// The column is greater than `value`.
    pub fn gt(self, value: impl IntoScalar<V::Scalar>) -> Filter<T>
    where
        V: Ordered,
    {
        Filter::new(Query::greater_than(self.key, value.into_scalar()))
    }

    /// The column is greater than or equal to `value`.
    pub fn ge(self, value: impl IntoScalar<V::Scalar>) -> Filter<T>
    where
        V: Ordered,
    {
        Filter::new(Query::greater_than_equal(self.key, value.into_scalar()))
    }

    /// The column is less than `value`.
    pub fn lt(self, value: impl IntoScalar<V::Scalar>) -> Filter<T>
    where
        V: Ordered,
    {
        Filter::new(Query::less_than(self.key, value.into_scalar()))
    }

    /// The column is less than or equal to `value`.
    pub fn le(self, value: impl IntoScalar<V::Scalar>) -> Filter<T>
    where
        V: Ordered,
    {
        Filter::new(Query::less_than_equal(self.key, value.into_scalar()))
    }

    /// The column lies between `start` and `end`, both included.
    pub fn between(
        self,
        start: impl IntoScalar<V::Scalar>,
        end: impl IntoScalar<V::Scalar>,
    ) -> Filter<T>
    where
        V: Ordered,
    {
        Filter::new(Query::between(
            self.key,
            start.into_scalar(),
            end.into_scalar(),
        ))
    }

    /// The column lies outside `start..=end`.
    pub fn not_between(
        self,
        start: impl IntoScalar<V::Scalar>,
        end: impl IntoScalar<V::Scalar>,
    ) -> Filter<T>
    where
        V: Ordered,
    {
        Filter::new(Query::not_between(
            self.key,
            start.into_scalar(),
            end.into_scalar(),
        ))
    }
}

impl<T, V> Col<T, V> {
    /// The column holds no value.
    pub fn is_null(self) -> Filter<T>
    where
        V: Nullable,
    {
        Filter::new(Query::is_null(self.key))
    }

    /// The column holds a value.
    pub fn is_not_null(self) -> Filter<T>
    where
        V: Nullable,
    {
        Filter::new(Query::is_not_null(self.key))
    }
}

/// Queries on text columns. In the prelude.
pub trait TextColumn<T> {
    /// The text starts with `prefix`.
    fn starts_with(self, prefix: &str) -> Filter<T>;
    /// The text does not start with `prefix`.
    fn not_starts_with(self, prefix: &str) -> Filter<T>;
    /// The text ends with `suffix`.
    fn ends_with(self, suffix: &str) -> Filter<T>;
    /// The text does not end with `suffix`.
    fn not_ends_with(self, suffix: &str) -> Filter<T>;
    /// The text contains `part`.
    fn contains(self, part: &str) -> Filter<T>;
    /// The text does not contain `part`.
    fn not_contains(self, part: &str) -> Filter<T>;
    /// Fulltext search (needs a fulltext index on exactly this column).
    fn search(self, words: &str) -> Filter<T>;
    /// The text matches the regular expression `pattern` somewhere (anchor it with `^`/`$` for
    /// the whole text). The server's database interprets the pattern, see
    /// [`Query::Regex`](crate::query::Query::Regex); `(?i)` at its start asks for case-insensitive
    /// matching everywhere.
    fn regex(self, pattern: &str) -> Filter<T>;
}

impl<T, V: Textual> TextColumn<T> for Col<T, V> {
    fn starts_with(self, prefix: &str) -> Filter<T> {
        Filter::new(Query::starts_with(self.key, prefix))
    }
    fn not_starts_with(self, prefix: &str) -> Filter<T> {
        Filter::new(Query::not_starts_with(self.key, prefix))
    }
    fn ends_with(self, suffix: &str) -> Filter<T> {
        Filter::new(Query::ends_with(self.key, suffix))
    }
    fn not_ends_with(self, suffix: &str) -> Filter<T> {
        Filter::new(Query::not_ends_with(self.key, suffix))
    }
    fn contains(self, part: &str) -> Filter<T> {
        Filter::new(Query::contains(self.key, [part]))
    }
    fn not_contains(self, part: &str) -> Filter<T> {
        Filter::new(Query::not_contains(self.key, [part]))
    }
    fn search(self, words: &str) -> Filter<T> {
        Filter::new(Query::search(self.key, words))
    }
    fn regex(self, pattern: &str) -> Filter<T> {
        Filter::new(Query::regex(self.key, pattern))
    }
}

/// Queries on array columns. In the prelude.
pub trait ArrayColumn<T, E> {
    /// The array holds `element`.
    fn contains(self, element: impl IntoScalar<E>) -> Filter<T>;
    /// The array does not hold `element`.
    fn not_contains(self, element: impl IntoScalar<E>) -> Filter<T>;
    /// The array holds at least one of `elements`.
    fn contains_any<I>(self, elements: I) -> Filter<T>
    where
        I: IntoIterator,
        I::Item: IntoScalar<E>;
    /// The array holds every one of `elements`.
    fn contains_all<I>(self, elements: I) -> Filter<T>
    where
        I: IntoIterator,
        I::Item: IntoScalar<E>;
}

impl<T, V> ArrayColumn<T, <V as ArrayOf>::Element> for Col<T, V>
where
    V: ArrayOf,
    V::Element: ColumnType,
{
    fn contains(self, element: impl IntoScalar<V::Element>) -> Filter<T> {
        Filter::new(Query::contains(self.key, [element.into_scalar()]))
    }
    fn not_contains(self, element: impl IntoScalar<V::Element>) -> Filter<T> {
        Filter::new(Query::not_contains(self.key, [element.into_scalar()]))
    }
    fn contains_any<I>(self, elements: I) -> Filter<T>
    where
        I: IntoIterator,
        I::Item: IntoScalar<V::Element>,
    {
        Filter::new(Query::contains_any(
            self.key,
            elements.into_iter().map(IntoScalar::into_scalar),
        ))
    }
    fn contains_all<I>(self, elements: I) -> Filter<T>
    where
        I: IntoIterator,
        I::Item: IntoScalar<V::Element>,
    {
        Filter::new(Query::contains_all(
            self.key,
            elements.into_iter().map(IntoScalar::into_scalar),
        ))
    }
}

/// A filter on rows of table `T`. Combine with [`and`](Filter::and) and [`or`](Filter::or).
#[derive(Debug, Clone, PartialEq)]
pub struct Filter<T> {
    query: Query,
    _table: PhantomData<fn() -> T>,
}

impl<T> Filter<T> {
    /// Wraps a query (which must be a filter).
    pub fn new(query: Query) -> Self {
        Self {
            query,
            _table: PhantomData,
        }
    }

    /// Both filters match.
    pub fn and(self, other: Filter<T>) -> Filter<T> {
        Filter::new(self.query.and_also(other.query))
    }

    /// At least one filter matches.
    pub fn or(self, other: Filter<T>) -> Filter<T> {
        Filter::new(self.query.or_else(other.query))
    }

    /// The untyped query.
    pub fn into_query(self) -> Query {
        self.query
    }

    /// The untyped query, borrowed.
    pub fn query(&self) -> &Query {
        &self.query
    }
}

/// An order on rows of table `T`.
#[derive(Debug, Clone, PartialEq)]
pub struct Order<T> {
    query: Query,
    _table: PhantomData<fn() -> T>,
}

impl<T> Order<T> {
    fn new(query: Query) -> Self {
        Self {
            query,
            _table: PhantomData,
        }
    }

    /// Random order (`orderRandom`).
    pub fn random() -> Self {
        Self::new(Query::OrderRandom)
    }

    /// The untyped query.
    pub fn into_query(self) -> Query {
        self.query
    }
}
