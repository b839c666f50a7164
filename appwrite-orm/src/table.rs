//! Typed access to the rows of one model: CRUD, queries, streams and bulk writes.
//!
//! ```
//! # use appwrite_orm::prelude::*;
//! # use appwrite_orm::schema::{ColumnSchema, TableSchema};
//! # async fn demo<T: Table + std::fmt::Debug>(db: &Database, title: Col<T, String>) -> appwrite_orm::Result<()> {
//! let table = db.table::<T>();
//! let recent = table
//!     .query()
//!     .filter(title.starts_with("Intro"))
//!     .order(title.asc())
//!     .limit(20)
//!     .all()
//!     .await?;
//! println!("{} rows", recent.len());
//! # Ok(()) }
//! ```

use std::marker::PhantomData;

use futures_util::{Stream, StreamExt};

use std::collections::HashMap;

use serde_json::Value;

use crate::api::{Document, Row};
use crate::backend::UNIQUE_ID;
use crate::model::{
    Col, Filter, Filterable, IntoScalar, Order, Patch, Related, RowId, Table, has_relations,
    relation_ids, validate_patch,
};
use crate::query::Query;
use crate::rows::{RowQuery, Rows};
use crate::schema::{ColumnKind, limits};
use crate::{Error, Result};

/// The rows of model `T`. Get one from [`Database::table`](crate::Database::table).
#[derive(Debug, Clone)]
pub struct TableHandle<T> {
    rows: Rows,
    _model: PhantomData<fn() -> T>,
}

impl<T: Table> TableHandle<T> {
    pub(crate) fn new(rows: Rows) -> Self {
        Self {
            rows,
            _model: PhantomData,
        }
    }

    /// The untyped rows of the same table.
    pub fn rows(&self) -> &Rows {
        &self.rows
    }

    /// Checks `value`, then creates its row. A value without an id gets one made here, so a
    /// retried request cannot create the row twice. Returns the row as stored (system fields
    /// filled in).
    pub async fn create(&self, value: &T) -> Result<T> {
        value.validate()?;
        let id = id_or_new(value);
        let row = self.rows.create(id.as_str(), &whole_row(value)).await?;
        T::from_row(&row)
    }

    /// Checks every value, then creates them in requests of 100 rows. Appwrite refuses bulk
    /// writes on tables with relationship columns: a model with relationships is created one
    /// row per request, in order.
    pub async fn insert_many(&self, values: &[T]) -> Result<Vec<T>> {
        let documents = documents_with_ids(values)?;
        if has_relations(T::schema()) {
            return self.one_by_one(&documents, false).await;
        }
        from_rows(&self.rows.insert_many(&documents).await?)
    }

    /// Creates (or upserts) rows one request each: the bulk routes' stand-in on tables with
    /// relationship columns.
    async fn one_by_one(&self, documents: &[Document], upsert: bool) -> Result<Vec<T>> {
        let mut out = Vec::with_capacity(documents.len());
        for document in documents {
            let mut data = document.clone();
            let id = data
                .remove("$id")
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| RowId::unique().as_str().to_owned());
            let row = if upsert {
                self.rows.upsert(&id, &data).await?
            } else {
                self.rows.create(&id, &data).await?
            };
            out.push(T::from_row(&row)?);
        }
        Ok(out)
    }

    /// Like [`insert_many`](Self::insert_many), with several requests of 100 rows at once;
    /// see [`Rows::insert_many_unordered`] for what that changes (`$sequence` order across
    /// requests).
    pub async fn insert_many_unordered(&self, values: &[T]) -> Result<Vec<T>> {
        let documents = documents_with_ids(values)?;
        if has_relations(T::schema()) {
            return self.one_by_one(&documents, false).await;
        }
        from_rows(&self.rows.insert_many_unordered(&documents).await?)
    }

    /// Checks every value, then upserts them in requests of 100 rows (values need ids); one
    /// row per request on a model with relationships, as for [`insert_many`](Self::insert_many).
    pub async fn upsert_many(&self, values: &[T]) -> Result<Vec<T>> {
        let documents = documents_with_ids(values)?;
        if has_relations(T::schema()) {
            return self.one_by_one(&documents, true).await;
        }
        from_rows(&self.rows.upsert_many(&documents).await?)
    }

    /// The row with this id, `None` when there is none (its relationships as ids).
    pub async fn get(&self, id: impl AsRef<str>) -> Result<Option<T>> {
        let select = selection::<T>(Vec::new());
        self.rows
            .get_with(id.as_ref(), select.as_slice())
            .await?
            .map(|row| T::from_row(&row))
            .transpose()
    }

    /// The row with this id; `row_not_found` when there is none.
    pub async fn get_or_fail(&self, id: impl AsRef<str>) -> Result<T> {
        let id = id.as_ref();
        self.get(id).await?.ok_or_else(|| {
            Error::Appwrite(crate::AppwriteError::new(
                404,
                crate::api::types::ROW_NOT_FOUND,
                format!(
                    "Row {id:?} of table {:?} could not be found.",
                    T::schema().id
                ),
            ))
        })
    }

    /// Checks the patch, then sets its columns on one row.
    pub async fn update(&self, id: impl AsRef<str>, patch: impl Into<Patch<T>>) -> Result<T> {
        let patch = patch.into();
        validate_patch(T::schema(), patch.document())?;
        let row = self.rows.update(id.as_ref(), patch.document()).await?;
        T::from_row(&row)
    }

    /// Checks `value`, then creates or replaces its row (the value needs an id). An empty list
    /// on a to-many relationship leaves that relationship's links as they are.
    pub async fn upsert(&self, value: &T) -> Result<T> {
        value.validate()?;
        let id = value.row_id().ok_or_else(|| Error::InvalidId {
            what: "row id",
            value: String::new(),
            reason: "upsert needs a value with an id".to_owned(),
        })?;
        let row = self.rows.upsert(id.as_str(), &whole_row(value)).await?;
        T::from_row(&row)
    }

    /// Deletes one row.
    pub async fn delete(&self, id: impl AsRef<str>) -> Result<()> {
        self.rows.delete(id.as_ref()).await
    }

    /// Sets the patch's columns on every row matching `filter`; returns how many changed. On a
    /// model with relationships (where Appwrite refuses bulk updates) the matching rows are
    /// updated one request each.
    pub async fn update_where(&self, filter: Filter<T>, patch: impl Into<Patch<T>>) -> Result<u64> {
        let patch = patch.into();
        validate_patch(T::schema(), patch.document())?;
        let filter = filter.into_query();
        if !has_relations(T::schema()) {
            return self.rows.update_where(&[filter], patch.document()).await;
        }
        let ids = self.matching_ids(filter).await?;
        for id in &ids {
            self.rows.update(id, patch.document()).await?;
        }
        Ok(ids.len() as u64)
    }

    /// Deletes every row matching `filter`; returns how many were deleted. On a model with
    /// relationships the rows are deleted one request each, with their `onDelete` rules.
    pub async fn delete_where(&self, filter: Filter<T>) -> Result<u64> {
        let filter = filter.into_query();
        if !has_relations(T::schema()) {
            return self.rows.delete_where(&[filter]).await;
        }
        let ids = self.matching_ids(filter).await?;
        for id in &ids {
            self.rows.delete(id).await?;
        }
        Ok(ids.len() as u64)
    }

    /// The ids of the rows matching `filter`, all of them, read before any is changed.
    async fn matching_ids(&self, filter: Query) -> Result<Vec<String>> {
        let rows = self
            .rows
            .query()
            .with(filter)
            .with(Query::select(["$id"]))
            .all()
            .await?;
        Ok(rows.iter().map(|r| r.id().to_owned()).collect())
    }

    /// Adds `by` to a numeric column of one row, atomically.
    pub async fn increment<V>(
        &self,
        id: impl AsRef<str>,
        column: Col<T, V>,
        by: impl Into<serde_json::Number>,
    ) -> Result<T> {
        let row = self
            .rows
            .increment(id.as_ref(), column.key(), by, None)
            .await?;
        T::from_row(&row)
    }

    /// Subtracts `by` from a numeric column of one row, atomically.
    pub async fn decrement<V>(
        &self,
        id: impl AsRef<str>,
        column: Col<T, V>,
        by: impl Into<serde_json::Number>,
    ) -> Result<T> {
        let row = self
            .rows
            .decrement(id.as_ref(), column.key(), by, None)
            .await?;
        T::from_row(&row)
    }

    /// Every row whose `column` equals one of `values`, however many values there are: the
    /// values go out in batches of 500 (Appwrite's limit for one filter), each batch read to
    /// its last page. Values that match nothing are simply absent from the result.
    pub async fn find_in<V, I>(&self, column: Col<T, V>, values: I) -> Result<Vec<T>>
    where
        V: Filterable,
        I: IntoIterator,
        I::Item: IntoScalar<V::Scalar>,
    {
        let values = values.into_iter().map(IntoScalar::into_scalar).collect();
        from_rows(&self.rows_in(column.key(), values).await?)
    }

    /// The rows of this table that `rows` of another model `S` refer to through `reference`
    /// (a relationship column or a plain id column: `RowId`, `Option<RowId>` or `Vec<RowId>`),
    /// keyed by row id. A batched application-side join: one request per 500 distinct ids,
    /// whatever the number of rows. Ids that refer to no row are absent from the map.
    pub async fn referenced_by<S: Table, V>(
        &self,
        rows: &[S],
        reference: Col<S, V>,
    ) -> Result<HashMap<String, T>> {
        let mut ids = Vec::new();
        for row in rows {
            collect_ids(row.to_document().get(reference.key()), &mut ids);
        }
        self.rows_in("$id", ids)
            .await?
            .iter()
            .map(|row| Ok((row.id().to_owned(), T::from_row(row)?)))
            .collect()
    }

    async fn rows_in(&self, key: &str, mut values: Vec<Value>) -> Result<Vec<Row>> {
        dedup_values(&mut values);
        let mut found = Vec::new();
        for filter in equal_batches(key, values) {
            found.extend(self.rows.query().with(filter).all().await?);
        }
        Ok(found)
    }

    /// A typed query over this table.
    pub fn query(&self) -> TableQuery<T> {
        TableQuery {
            inner: self.rows.query(),
            loads: Vec::new(),
            _model: PhantomData,
        }
    }

    /// Every row of the table, fetched page by page.
    pub async fn all(&self) -> Result<Vec<T>> {
        self.query().all().await
    }

    /// The exact number of rows in the table.
    pub async fn count(&self) -> Result<u64> {
        self.query().count().await
    }
}

/// The ids a reference column holds: one id, a list of ids, or related rows (`{"$id": …}`).
fn collect_ids(value: Option<&Value>, out: &mut Vec<Value>) {
    match value {
        Some(Value::String(id)) if !id.is_empty() => out.push(Value::String(id.clone())),
        Some(Value::Array(items)) => {
            for item in items {
                collect_ids(Some(item), out);
            }
        }
        Some(Value::Object(row)) => collect_ids(row.get("$id"), out),
        _ => {}
    }
}

/// `equal` filters that together cover `values`, each within Appwrite's limits for one query:
/// at most 500 values and at most 4,096 characters in its wire form.
pub(crate) fn equal_batches(key: &str, values: Vec<Value>) -> Vec<Query> {
    let empty = Query::Equal {
        attribute: key.to_owned(),
        values: Vec::new(),
    };
    let base = empty.to_wire().chars().count();
    let mut batches = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    let mut length = base;
    for value in values {
        // Each value adds its JSON text and a separating comma.
        let cost = value.to_string().chars().count() + 1;
        if !current.is_empty()
            && (current.len() == limits::MAX_QUERY_VALUES
                || length + cost > limits::MAX_QUERY_LENGTH)
        {
            batches.push(std::mem::take(&mut current));
            length = base;
        }
        length += cost;
        current.push(value);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
        .into_iter()
        .map(|values| Query::Equal {
            attribute: key.to_owned(),
            values,
        })
        .collect()
}

/// Removes repeated values, keeping the first of each (JSON values are not `Hash`).
fn dedup_values(values: &mut Vec<Value>) {
    let mut seen = std::collections::HashSet::new();
    values.retain(|v| seen.insert(v.to_string()));
}

/// The `select` of a typed read of `T`: every column, every relationship as ids, and `loads`;
/// `None` for a model without relationships (a plain read already brings everything).
fn selection<T: Table>(loads: Vec<String>) -> Option<Query> {
    let schema = T::schema();
    if !has_relations(schema) {
        return None;
    }
    let mut values = vec!["*".to_owned()];
    values.extend(relation_ids(schema, ""));
    values.extend(loads);
    Some(Query::select(values.iter().map(String::as_str)))
}

/// The document of a whole-value write (create, upsert): every column, except the empty lists
/// of to-many relationships. A whole-value write never unlinks rows through an empty list, so
/// that a value read without its relationships (a related row loaded by `with`) cannot drop
/// them when written back; unlinking is an explicit patch (`update(id, patch.books(vec![]))`).
fn whole_row<T: Table>(value: &T) -> Document {
    let mut document = value.to_document();
    for column in &T::schema().columns {
        let ColumnKind::Relationship(rel) = &column.kind else {
            continue;
        };
        let empty = document
            .get(&column.key)
            .is_some_and(|v| v.as_array().is_some_and(Vec::is_empty) || v.is_null());
        if rel.is_to_many() && empty {
            document.remove(&column.key);
        }
    }
    document
}

fn id_or_new<T: Table>(value: &T) -> RowId {
    value.row_id().cloned().unwrap_or_else(RowId::unique)
}

/// The typed values of rows the server answered with.
fn from_rows<T: Table>(rows: &[Row]) -> Result<Vec<T>> {
    rows.iter().map(T::from_row).collect()
}

fn documents_with_ids<T: Table>(values: &[T]) -> Result<Vec<Document>> {
    let mut documents = Vec::with_capacity(values.len());
    let mut invalid = Vec::new();
    for (i, value) in values.iter().enumerate() {
        match value.validate() {
            Ok(()) => {}
            Err(Error::Validation(mut e)) => {
                for v in &mut e.violations {
                    v.message = format!("value {i}: {}", v.message);
                }
                invalid.extend(e.violations);
                continue;
            }
            Err(other) => return Err(other),
        }
        let mut document = whole_row(value);
        document.insert("$id".to_owned(), id_or_new(value).as_str().into());
        documents.push(document);
    }
    if !invalid.is_empty() {
        return Err(Error::Validation(crate::model::ValidationErrors {
            table: T::schema().id.clone(),
            violations: invalid,
        }));
    }
    debug_assert!(
        documents
            .iter()
            .all(|d| d.get("$id").is_some_and(|v| v != UNIQUE_ID))
    );
    Ok(documents)
}

/// A typed query: filters, orders, limit, offset and cursor, on rows of `T`.
#[derive(Debug, Clone)]
pub struct TableQuery<T> {
    inner: RowQuery,
    /// The relationships `with` loads, as `select` values.
    loads: Vec<String>,
    _model: PhantomData<fn() -> T>,
}

impl<T: Table> TableQuery<T> {
    fn push(mut self, query: Query) -> Self {
        self.inner = self.inner.with(query);
        self
    }

    /// Keeps rows matching `filter` (several filters must all match).
    pub fn filter(self, filter: Filter<T>) -> Self {
        self.push(filter.into_query())
    }

    /// Orders rows (several orders apply in turn; ties end in insertion order).
    pub fn order(self, order: Order<T>) -> Self {
        self.push(order.into_query())
    }

    /// At most `n` rows.
    pub fn limit(self, n: u64) -> Self {
        self.push(Query::limit(n))
    }

    /// Skips `n` rows (prefer cursors for walking a table).
    pub fn offset(self, n: u64) -> Self {
        self.push(Query::offset(n))
    }

    /// Starts after the row with this id, in the query's order.
    pub fn after(self, id: impl AsRef<str>) -> Self {
        self.push(Query::cursor_after(id.as_ref()))
    }

    /// Only these columns (plus the system fields), as dynamic rows: a model cannot be built
    /// from part of its columns, so the typed query becomes a [`RowQuery`] with the same filters,
    /// orders and paging.
    pub fn select<'k>(self, columns: impl IntoIterator<Item = &'k str>) -> RowQuery {
        self.inner.with(Query::select(columns))
    }

    /// Loads the related rows of a relationship field (`Option<Ref<R>>` or `Vec<Ref<R>>`), so
    /// that [`Ref::row`](crate::model::Ref::row) gives them typed. Appwrite's `select`
    /// (`author.*`) does the loading, in the same request. The related rows carry their own
    /// to-one relationships as ids, but not their to-many lists, which read empty: asking for
    /// those too would repeat every sibling's id in every answer (five times the JSON for
    /// books with ten per author). Read them from the related model's own query; writing such
    /// a row back does not unlink anything (an empty to-many list is left out of whole-value
    /// writes).
    ///
    /// ```
    /// # use appwrite_orm::prelude::*;
    /// #[derive(Table, Debug, Clone)]
    /// #[table(id = "authors")]
    /// pub struct Author {
    ///     #[column(id)]
    ///     pub id: RowId,
    ///     #[column(size = 64)]
    ///     pub name: String,
    /// }
    ///
    /// #[derive(Table, Debug, Clone)]
    /// #[table(id = "books")]
    /// pub struct Book {
    ///     #[column(id)]
    ///     pub id: RowId,
    ///     #[column(size = 64)]
    ///     pub title: String,
    ///     #[column(relation(table = "authors", kind = many_to_one, on_delete = set_null))]
    ///     pub author: Option<Ref<Author>>,
    /// }
    ///
    /// # async fn demo(db: &Database) -> appwrite_orm::Result<()> {
    /// for book in db.table::<Book>().query().with(Book::AUTHOR).all().await? {
    ///     let author = book.author.as_ref().and_then(Ref::row).map(|a| a.name.as_str());
    ///     println!("{} by {}", book.title, author.unwrap_or("nobody"));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn with<V: Related>(mut self, relation: Col<T, V>) -> Self {
        let key = relation.key();
        self.loads.push(format!("{key}.*"));
        self
    }

    /// The query with its `select` (relationship ids and `with` loads), when the model has
    /// relationships.
    fn ready(&self) -> RowQuery {
        match selection::<T>(self.loads.clone()) {
            Some(select) => self.inner.clone().with(select),
            None => self.inner.clone(),
        }
    }

    /// The queries as Appwrite will receive them.
    pub fn queries(&self) -> RowQuery {
        self.ready()
    }

    /// Every matching row (at most `limit` when given), fetched page by page with cursors.
    pub async fn all(&self) -> Result<Vec<T>> {
        from_rows(&self.ready().all().await?)
    }

    /// The first matching row.
    pub async fn first(&self) -> Result<Option<T>> {
        self.ready()
            .first()
            .await?
            .map(|row| T::from_row(&row))
            .transpose()
    }

    /// The exact number of matching rows, also past Appwrite's count cap of 5,000.
    pub async fn count(&self) -> Result<u64> {
        self.inner.count().await
    }

    /// Every matching row as a stream, fetched page by page.
    pub fn stream(&self) -> impl Stream<Item = Result<T>> + Send + 'static + use<T> {
        let query = self.ready();
        query
            .stream()
            .map(|row| row.and_then(|row| T::from_row(&row)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_batches_respect_value_count_and_wire_length() {
        let short: Vec<Value> = (0..1_200).map(Value::from).collect();
        let batches = equal_batches("n", short);
        assert_eq!(batches.len(), 3, "500 + 500 + 200 small values");
        let long: Vec<Value> = (0..1_000)
            .map(|i| Value::String(format!("someone.{i}@example.com")))
            .collect();
        let batches = equal_batches("email", long.clone());
        let mut seen = Vec::new();
        for q in &batches {
            assert!(q.to_wire().chars().count() <= limits::MAX_QUERY_LENGTH);
            let Query::Equal { values, .. } = q else {
                panic!("not an equal: {q:?}");
            };
            assert!(values.len() <= limits::MAX_QUERY_VALUES);
            seen.extend(values.iter().cloned());
        }
        assert_eq!(seen, long, "every value once, in order");
    }
}
