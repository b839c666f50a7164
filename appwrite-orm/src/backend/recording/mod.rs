//! A [`Backend`] wrapper that reads from the backend it wraps and records writes instead of
//! sending them: the engine of a migration dry run
//! ([`Migrator::dry_run`](crate::migrate::Migrator::dry_run)) and of the lint's look at a
//! step.
//!
//! Reads go to the wrapped backend. Writes are recorded as [`RecordedWrite`]s and answered
//! plausibly, so that code written against a real backend keeps going:
//! - a row create answers the row it would have made (`$id`, the data, time stamps);
//! - a row update or increment answers the live row merged with the change (or the change alone
//!   when the row cannot be read);
//! - bulk updates and deletes answer the number of rows that match their filters, read from the
//!   wrapped backend; bulk creates and upserts answer the rows they were given;
//! - schema writes answer the table, column or index as if it were created, `available`;
//! - transactions are simulated: staged operations are recorded when the commit comes.
//!
//! Reads of rows (`get_row`, `list_rows`) and the filters of bulk updates and deletes are
//! recorded too, as [`RecordedRead`]s with the columns their queries name (selected, filtered,
//! ordered), so that a lint can tell which columns a migration step reads.
//!
//! # The simulated schema
//!
//! Recorded schema writes are visible to later reads, so that a step sees the schema its
//! version creates, as it would in a real run:
//! - table reads (`get_table`, `list_tables`, `get_column`, `list_columns`, `get_index`,
//!   `list_indexes`) show the tables, columns and indexes recorded as created (`available`, as
//!   the server shows them once the wait for them is over), the recorded changes, and leave out
//!   the recorded deletions (a deleted table is `404 table_not_found`), so that code waiting for
//!   a column to be created or a drop to finish goes on;
//! - row reads whose queries name a column only the simulation created are answered as the
//!   server would answer them once it exists, without sending what it would refuse. Every
//!   existing row holds null there, or the value a recorded bulk update set in all of them (the
//!   default a version writes into existing rows), so each filter on it matches every row or
//!   none: `isNull` on a null column is dropped, `isNotNull`, `equal` and the comparisons
//!   answer an empty page (total 0), filters on a default are evaluated on it, and `and`/`or`
//!   fold what was decided. A `select` of the column is removed from the request and the column
//!   added to each row answered (whole rows get it too); an order by it is dropped. A `search`
//!   or spatial filter on a default cannot be decided and is refused with a message saying so.
//!   A live column the simulation renamed is read under its live key and shown under its new
//!   one. A table only the simulation created has no rows.
//!
//! Row writes are not visible to later reads: a row "created" is not listed afterwards, a row
//! "updated" reads as it was. Code that reads back the rows it wrote sees them as they are now.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use std::sync::Arc;
//! use appwrite_orm::backend::{Backend, embedded::EmbeddedBackend, recording::RecordingBackend};
//!
//! let engine = Arc::new(EmbeddedBackend::in_memory()?);
//! engine.create_database("app", "App").await?;
//! let dry = RecordingBackend::new(engine.clone());
//! dry.delete_database("app").await?;               // recorded, not sent
//! assert!(engine.get_database("app").await.is_ok());
//! assert_eq!(dry.writes()[0].operation, "delete_database");
//! # Ok::<(), appwrite_orm::Error>(())
//! # }).unwrap();
//! ```

pub(crate) mod overlay;
mod reads;
mod schema;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::Serialize;
use serde_json::{Value, json};

use super::{
    Backend, Column, Database, Document, Index, List, ListOptions, Live, Operation,
    OperationAction, Row, Table, Transaction, TransactionStatus, UNIQUE_ID, misrouted,
    new_unique_id,
};
use crate::Result;
use crate::api::request::Group;
use crate::api::{Request, Response};
use crate::query::{Query, QueryClass};
use crate::schema::{ColumnSchema, IndexSchema, TableSchema};
use schema::SimulatedSchema;

/// One write that was recorded instead of sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedWrite {
    /// The [`Backend`] method (`update_row`, `create_column`, ...), or for a committed
    /// transaction's operation `transaction:<action>`.
    pub operation: String,
    /// The table it writes to (empty for database-level operations).
    pub table: String,
    /// The row, column or index it targets, when it names one.
    pub target: Option<String>,
    /// Rows it would write (0 for schema operations).
    pub rows: u64,
    /// What it would write (the row data, the column, the filter), as JSON. A bulk update is
    /// `{"set", "filters", "queries"}` and a bulk delete `{"filters", "queries"}`: `filters`
    /// counts the queries, `queries` holds them in Appwrite's JSON string form.
    pub data: Value,
}

/// One read of rows, with the columns its queries name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedRead {
    /// The [`Backend`] method: `get_row`, `list_rows`, or the filters of `update_rows` and
    /// `delete_rows`.
    pub operation: String,
    /// The table read.
    pub table: String,
    /// The columns its queries name: selected (`*` apart; `author.$id` names `author`),
    /// filtered (inside `and`/`or` too) and ordered, each once, in the order named. Empty for
    /// a read of whole rows without a filter: which columns the caller then uses is unknown.
    pub columns: Vec<String>,
    /// How many writes were recorded before it: its place among them.
    pub after_writes: usize,
}

/// Reads from the backend it wraps, records writes; see the [module](self) docs.
#[derive(Debug)]
pub struct RecordingBackend {
    inner: Arc<dyn Backend>,
    writes: Mutex<Vec<RecordedWrite>>,
    reads: Mutex<Vec<RecordedRead>>,
    transactions: Mutex<BTreeMap<String, Vec<Operation>>>,
    next_transaction: AtomicU64,
    schema: Mutex<SimulatedSchema>,
}

const TRANSACTION_PREFIX: &str = "dryrun";

impl RecordingBackend {
    /// Wraps `inner`; nothing is recorded yet.
    pub fn new(inner: Arc<dyn Backend>) -> Self {
        Self {
            inner,
            writes: Mutex::new(Vec::new()),
            reads: Mutex::new(Vec::new()),
            transactions: Mutex::new(BTreeMap::new()),
            next_transaction: AtomicU64::new(1),
            schema: Mutex::new(SimulatedSchema::default()),
        }
    }

    /// The wrapped backend.
    pub fn inner(&self) -> &Arc<dyn Backend> {
        &self.inner
    }

    /// Every write recorded so far, in order.
    pub fn writes(&self) -> Vec<RecordedWrite> {
        lock(&self.writes).clone()
    }

    /// Removes and returns the writes recorded so far (the reads are forgotten with them).
    pub fn take(&self) -> Vec<RecordedWrite> {
        self.take_all().0
    }

    /// Every read of rows recorded so far, in order.
    pub fn reads(&self) -> Vec<RecordedRead> {
        lock(&self.reads).clone()
    }

    /// Removes and returns the writes and the reads recorded so far; each read's
    /// [`after_writes`](RecordedRead::after_writes) is its place among these writes.
    pub fn take_all(&self) -> (Vec<RecordedWrite>, Vec<RecordedRead>) {
        // Both locks at once, in the order `note_read` takes them: no write slips between.
        let mut writes = lock(&self.writes);
        let mut reads = lock(&self.reads);
        (std::mem::take(&mut *writes), std::mem::take(&mut *reads))
    }

    /// Records a read of `table` by `operation` with the columns `queries` name.
    fn note_read(&self, operation: &str, table: &str, queries: &[Query]) {
        let writes = lock(&self.writes);
        let mut columns = Vec::new();
        for query in queries {
            named_columns(query, &mut columns);
        }
        lock(&self.reads).push(RecordedRead {
            operation: operation.to_owned(),
            table: table.to_owned(),
            columns,
            after_writes: writes.len(),
        });
    }

    /// Rows that would be written, per table id.
    pub fn rows_by_table(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for w in lock(&self.writes).iter().filter(|w| w.rows > 0) {
            *out.entry(w.table.clone()).or_insert(0) += w.rows;
        }
        out
    }

    fn record(&self, operation: &str, table: &str, target: Option<&str>, rows: u64, data: Value) {
        tracing::debug!(operation, table, target, rows, "dry run: write recorded");
        lock(&self.writes).push(RecordedWrite {
            operation: operation.to_owned(),
            table: table.to_owned(),
            target: target.map(str::to_owned),
            rows,
            data,
        });
    }

    fn is_ours(id: &str) -> bool {
        id.starts_with(TRANSACTION_PREFIX)
    }

    /// The row as read merged with `data`, or a row made of `data` when it cannot be read.
    async fn merged(&self, database: &str, table: &str, row_id: &str, data: &Document) -> Row {
        let mut row = match self.read_row(database, table, row_id, &[]).await {
            Ok(row) => row.0,
            Err(_) => fresh_row(row_id, &Document::new()).0,
        };
        for (k, v) in data {
            row.insert(k.clone(), v.clone());
        }
        row.insert("$updatedAt".into(), json!(now()));
        Row(row)
    }

    /// How many rows match `queries` (their limit and cursor ignored), read as the simulation
    /// reads rows, with the first page of them.
    async fn matches(&self, database: &str, table: &str, queries: &[Query]) -> (u64, Vec<Row>) {
        let filters: Vec<Query> = queries
            .iter()
            .filter(|q| q.class() == QueryClass::Filter)
            .cloned()
            .collect();
        let options = ListOptions {
            total: true,
            transaction_id: None,
        };
        match self.read_rows(database, table, &filters, &options).await {
            Ok(list) => (list.total.max(list.items.len() as u64), list.items),
            Err(e) => {
                tracing::debug!(error = %e, table, "dry run: could not count the matches");
                (0, Vec::new())
            }
        }
    }
}

/// Adds the columns `query` names to `out`, each once: a dotted path (`author.$id`,
/// `author.name`) names its first column; `*` and system fields (`$id`) name none.
fn named_columns(query: &Query, out: &mut Vec<String>) {
    let mut add = |name: &str| {
        let column = name.split('.').next().unwrap_or(name);
        if column != "*" && !column.starts_with('$') && !out.iter().any(|c| c == column) {
            out.push(column.to_owned());
        }
    };
    match query {
        Query::Select { attributes }
        | Query::Exists { attributes }
        | Query::NotExists { attributes } => attributes.iter().for_each(|a| add(a)),
        Query::And(children) | Query::Or(children) => {
            for child in children {
                named_columns(child, out);
            }
        }
        other => {
            if let Some(attribute) = other.attribute() {
                add(attribute);
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3f+00:00")
        .to_string()
}

fn fresh_row(row_id: &str, data: &Document) -> Row {
    let id = if row_id == UNIQUE_ID || row_id.is_empty() {
        new_unique_id()
    } else {
        row_id.to_owned()
    };
    let mut row = data.clone();
    let stamp = now();
    row.insert("$id".into(), json!(id));
    row.entry("$createdAt").or_insert_with(|| json!(stamp));
    row.insert("$updatedAt".into(), json!(stamp));
    row.entry("$permissions").or_insert_with(|| json!([]));
    Row(row)
}

fn column(schema: &ColumnSchema) -> Column {
    Live::available(schema.clone(), now())
}

fn index(schema: &IndexSchema) -> Index {
    Live::available(schema.clone(), now())
}

fn transaction(id: &str, status: TransactionStatus, operations: u64) -> Transaction {
    let stamp = now();
    Transaction {
        id: id.to_owned(),
        created_at: stamp.clone(),
        updated_at: stamp.clone(),
        status,
        operations,
        expires_at: stamp,
    }
}

fn rows_of(op: &Operation) -> u64 {
    match op.action {
        OperationAction::BulkCreate | OperationAction::BulkUpsert => op
            .data
            .as_ref()
            .and_then(Value::as_array)
            .map_or(0, |rows| rows.len() as u64),
        _ => 1,
    }
}

fn action_name(action: OperationAction) -> String {
    serde_json::to_value(action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{action:?}"))
}

#[async_trait]
impl Backend for RecordingBackend {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn call(&self, request: Request<'_>) -> Result<Response> {
        use Request as R;
        match request {
            R::ListRows {
                database,
                table,
                queries,
                options,
            } if options.transaction_id.as_deref().is_some_and(Self::is_ours) => {
                // A read inside a simulated transaction reads the database as it is.
                self.note_read("list_rows", table, queries);
                let options = ListOptions {
                    transaction_id: None,
                    ..options.clone()
                };
                let rows = self.read_rows(database, table, queries, &options).await?;
                Ok(Response::Rows(rows))
            }
            R::GetTransaction { id } if lock(&self.transactions).contains_key(id) => {
                self.transaction_call(request)
            }
            R::GetRow {
                database,
                table,
                row_id,
                queries,
            } => {
                self.note_read(request.name(), table, queries);
                let row = self.read_row(database, table, row_id, queries).await?;
                Ok(Response::Row(row))
            }
            R::ListRows {
                database,
                table,
                queries,
                options,
            } => {
                self.note_read(request.name(), table, queries);
                let rows = self.read_rows(database, table, queries, options).await?;
                Ok(Response::Rows(rows))
            }
            R::GetTable { .. }
            | R::ListTables { .. }
            | R::GetColumn { .. }
            | R::ListColumns { .. }
            | R::GetIndex { .. }
            | R::ListIndexes { .. } => self.schema_read(request).await,
            read if read.is_read() => self.inner.call(read).await,
            write => match write.group() {
                Group::Transactions => self.transaction_call(write),
                Group::Rows => self.row_write(write).await,
                Group::BulkRows => self.bulk_write(write).await,
                Group::Databases | Group::Tables => self.catalog_write(write).await,
                Group::Columns | Group::Indexes => self.table_schema_write(write).await,
            },
        }
    }
}

impl RecordingBackend {
    /// Records a write to a database or table and answers it as done.
    async fn catalog_write(&self, request: Request<'_>) -> Result<Response> {
        use Request as R;
        let name = request.name();
        let table_id = request.table().unwrap_or_default();
        Ok(match request {
            R::CreateDatabase { id, name: title } => {
                self.record(name, "", Some(id), 0, json!({ "name": title }));
                let stamp = now();
                Response::Database(Database {
                    id: id.to_owned(),
                    name: title.to_owned(),
                    created_at: stamp.clone(),
                    updated_at: stamp,
                    enabled: true,
                    database_type: "tablesdb".to_owned(),
                })
            }
            R::DeleteDatabase { id } => {
                self.record(name, "", Some(id), 0, Value::Null);
                Response::Done
            }
            R::CreateTable { database, table } => {
                let shape = json!({ "name": table.name, "columns": table.columns.len(),
                                    "indexes": table.indexes.len() });
                self.record(name, table_id, None, 0, shape);
                let created = created_table(database, table);
                lock(&self.schema).create_table(database, created.clone());
                Response::Table(created)
            }
            R::UpdateTable {
                database,
                table,
                update,
            } => {
                self.record(name, table, None, 0, json!(format!("{update:?}")));
                let seen = self.table_as_seen(database, table).await?;
                lock(&self.schema).update_table(database, table, update);
                Response::Table(lock(&self.schema).present(database, seen))
            }
            R::DeleteTable { database, table } => {
                self.record(name, table, None, 0, Value::Null);
                lock(&self.schema).delete_table(database, table);
                Response::Done
            }
            other => return Err(misrouted(other)),
        })
    }

    /// Records a write to a column or index and answers it as done.
    async fn table_schema_write(&self, request: Request<'_>) -> Result<Response> {
        use Request as R;
        let name = request.name();
        Ok(match request {
            R::CreateColumn {
                database,
                table,
                column: c,
            } => {
                self.record(name, table, Some(&c.key), 0, json!(c.model_fields()));
                let in_live_table = self
                    .inner
                    .get_table(database, table)
                    .await
                    .is_ok_and(|live| live.column(&c.key).is_some());
                lock(&self.schema).create_column(database, table, column(c), in_live_table);
                Response::Column(column(c))
            }
            R::UpdateColumn {
                database,
                table,
                key,
                column: c,
            } => {
                self.record(name, table, Some(key), 0, json!(c.model_fields()));
                lock(&self.schema).update_column(database, table, key, column(c));
                Response::Column(column(c))
            }
            R::CreateIndex {
                database,
                table,
                index: i,
            } => {
                self.record(name, table, Some(&i.key), 0, json!(format!("{i:?}")));
                lock(&self.schema).create_index(database, table, index(i));
                Response::Index(index(i))
            }
            R::DeleteColumn {
                database,
                table,
                key,
            } => {
                self.record(name, table, Some(key), 0, Value::Null);
                lock(&self.schema).delete_column(database, table, key);
                Response::Done
            }
            R::DeleteIndex {
                database,
                table,
                key,
            } => {
                self.record(name, table, Some(key), 0, Value::Null);
                lock(&self.schema).delete_index(database, table, key);
                Response::Done
            }
            other => return Err(misrouted(other)),
        })
    }

    /// Records a write to one row and answers the row as it would be.
    async fn row_write(&self, request: Request<'_>) -> Result<Response> {
        use Request as R;
        let name = request.name();
        let table = request.table().unwrap_or_default();
        Ok(match request {
            R::CreateRow { row_id, data, .. } => {
                let row = fresh_row(row_id, data);
                self.record(name, table, Some(row.id()), 1, Value::Object(data.clone()));
                Response::Row(row)
            }
            R::UpdateRow {
                database,
                row_id,
                data,
                ..
            }
            | R::UpsertRow {
                database,
                row_id,
                data,
                ..
            } => {
                self.record(name, table, Some(row_id), 1, Value::Object(data.clone()));
                Response::Row(self.merged(database, table, row_id, data).await)
            }
            R::DeleteRow { row_id, .. } => {
                self.record(name, table, Some(row_id), 1, Value::Null);
                Response::Done
            }
            R::IncrementRowColumn {
                database,
                row_id,
                column,
                value,
                ..
            }
            | R::DecrementRowColumn {
                database,
                row_id,
                column,
                value,
                ..
            } => {
                self.record(name, table, Some(row_id), 1, json!({ column: value }));
                let row = self.merged(database, table, row_id, &Document::new()).await;
                Response::Row(row)
            }
            other => return Err(misrouted(other)),
        })
    }

    /// Records a bulk write and answers the rows (or the count) it would write.
    async fn bulk_write(&self, request: Request<'_>) -> Result<Response> {
        use Request as R;
        let name = request.name();
        let table = request.table().unwrap_or_default();
        let sample = |rows: &[Document]| json!(rows.iter().take(3).collect::<Vec<_>>());
        let (total, items) = match request {
            R::CreateRows { rows, .. } => {
                let items: Vec<Row> = rows.iter().map(|d| fresh_row(given_id(d), d)).collect();
                self.record(name, table, None, rows.len() as u64, sample(rows));
                (items.len() as u64, items)
            }
            R::UpsertRows { database, rows, .. } => {
                let mut items = Vec::with_capacity(rows.len());
                for d in rows {
                    items.push(self.merged(database, table, given_id(d), d).await);
                }
                self.record(name, table, None, rows.len() as u64, sample(rows));
                (items.len() as u64, items)
            }
            R::UpdateRows {
                database,
                data,
                queries,
                ..
            } => {
                self.note_read(name, table, queries);
                let (total, page) = self.matches(database, table, queries).await;
                if self.matches_every_row(database, table, queries) {
                    lock(&self.schema).set_in_every_row(database, table, data);
                }
                let change =
                    json!({ "set": data, "filters": queries.len(), "queries": wire(queries) });
                self.record(name, table, None, total, change);
                let merge = |mut row: Row| {
                    row.0
                        .extend(data.iter().map(|(k, v)| (k.clone(), v.clone())));
                    row
                };
                (total, page.into_iter().map(merge).collect())
            }
            R::DeleteRows {
                database, queries, ..
            } => {
                self.note_read(name, table, queries);
                let (total, items) = self.matches(database, table, queries).await;
                let filters = json!({ "filters": queries.len(), "queries": wire(queries) });
                self.record(name, table, None, total, filters);
                (total, items)
            }
            other => return Err(misrouted(other)),
        };
        Ok(Response::Rows(List { total, items }))
    }

    /// Simulates transactions: staged operations are kept here and recorded at the commit.
    fn transaction_call(&self, request: Request<'_>) -> Result<Response> {
        use Request as R;
        let (id, status, operations) = match request {
            R::CreateTransaction { .. } => {
                let n = self.next_transaction.fetch_add(1, Ordering::Relaxed);
                let id = format!("{TRANSACTION_PREFIX}{n:014}");
                lock(&self.transactions).insert(id.clone(), Vec::new());
                (id, TransactionStatus::Pending, 0)
            }
            R::GetTransaction { id } => {
                let staged = lock(&self.transactions).get(id).map_or(0, Vec::len);
                (id.to_owned(), TransactionStatus::Pending, staged)
            }
            R::StageOperations { id, operations } => {
                let mut all = lock(&self.transactions);
                let staged = all.entry(id.to_owned()).or_default();
                staged.extend_from_slice(operations);
                (id.to_owned(), TransactionStatus::Pending, staged.len())
            }
            R::CommitTransaction { id } => {
                let staged = lock(&self.transactions).remove(id).unwrap_or_default();
                for op in &staged {
                    self.record(
                        &format!("transaction:{}", action_name(op.action)),
                        &op.table_id,
                        op.row_id.as_deref(),
                        rows_of(op),
                        op.data.clone().unwrap_or(Value::Null),
                    );
                }
                (id.to_owned(), TransactionStatus::Committed, staged.len())
            }
            R::RollbackTransaction { id } => {
                let staged = lock(&self.transactions).remove(id).map_or(0, |s| s.len());
                (id.to_owned(), TransactionStatus::Failed, staged)
            }
            other => return Err(misrouted(other)),
        };
        Ok(Response::Transaction(transaction(
            &id,
            status,
            operations as u64,
        )))
    }
}

/// The queries of a bulk write as Appwrite takes them (`queries[]`), so that what it matches
/// can be asked again (the lint counts the rows a step's bulk update fills).
fn wire(queries: &[Query]) -> Vec<String> {
    queries.iter().map(Query::to_wire).collect()
}

/// The `$id` a bulk write gives a row, or [`UNIQUE_ID`] when it gives none.
fn given_id(row: &Document) -> &str {
    row.get("$id").and_then(Value::as_str).unwrap_or(UNIQUE_ID)
}

/// The table a create answers: the schema's columns and indexes, all `available`.
fn created_table(database: &str, table: &TableSchema) -> Table {
    let stamp = now();
    Table {
        id: table.id.clone(),
        name: table.name.clone(),
        database_id: database.to_owned(),
        created_at: stamp.clone(),
        updated_at: stamp,
        permissions: table.permissions.clone(),
        row_security: table.row_security,
        enabled: true,
        columns: table.columns.iter().map(column).collect(),
        indexes: table.indexes.iter().map(index).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ColumnStatus;
    use crate::backend::embedded::EmbeddedBackend;

    #[tokio::test]
    async fn recorded_deletions_are_left_out_of_later_table_reads() {
        let engine = Arc::new(EmbeddedBackend::in_memory().unwrap());
        engine.create_database("app", "App").await.unwrap();
        let notes = TableSchema::new("notes", "Notes")
            .column(ColumnSchema::varchar("text", 10))
            .column(ColumnSchema::varchar("old", 10));
        engine.create_table("app", &notes).await.unwrap();
        let dry = RecordingBackend::new(engine.clone());

        dry.delete_column("app", "notes", "old").await.unwrap();
        let seen = dry.get_table("app", "notes").await.unwrap();
        assert!(seen.column("old").is_none() && seen.column("text").is_some());
        let live = engine.get_table("app", "notes").await.unwrap();
        assert!(live.column("old").is_some(), "nothing was sent");

        dry.delete_table("app", "notes").await.unwrap();
        let gone = dry.get_table("app", "notes").await.unwrap_err();
        assert_eq!(gone.error_type(), Some(crate::api::types::TABLE_NOT_FOUND));
        assert!(engine.get_table("app", "notes").await.is_ok());
    }

    #[tokio::test]
    async fn reads_are_recorded_with_the_columns_they_name_and_their_place() {
        let engine = Arc::new(EmbeddedBackend::in_memory().unwrap());
        engine.create_database("app", "App").await.unwrap();
        let notes = TableSchema::new("notes", "Notes")
            .column(ColumnSchema::varchar("text", 10))
            .column(ColumnSchema::varchar("old", 10));
        engine.create_table("app", &notes).await.unwrap();
        let dry = RecordingBackend::new(engine.clone());
        let options = ListOptions::default();
        let queries = [
            Query::select(["*", "author.$id", "text"]),
            Query::or(vec![Query::is_null("old"), Query::equal("$id", ["n1"])]),
            Query::order_desc("text"),
        ];
        // `author` does not exist: the server refuses the read, which is recorded all the same.
        let refused = dry.list_rows("app", "notes", &queries, &options).await;
        assert!(refused.is_err());
        dry.delete_column("app", "notes", "old").await.unwrap();
        dry.list_rows("app", "notes", &[], &options).await.unwrap();
        dry.delete_rows("app", "notes", &[Query::is_not_null("old")])
            .await
            .unwrap();

        let (writes, reads) = dry.take_all();
        assert_eq!(writes.len(), 2);
        let seen: Vec<(&str, Vec<&str>, usize)> = reads
            .iter()
            .map(|r| {
                let columns = r.columns.iter().map(String::as_str).collect();
                (r.operation.as_str(), columns, r.after_writes)
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("list_rows", vec!["author", "text", "old"], 0),
                ("list_rows", vec![], 1),
                ("delete_rows", vec!["old"], 1),
            ]
        );
        assert!(dry.reads().is_empty() && dry.writes().is_empty());
    }

    #[tokio::test]
    async fn later_reads_see_the_recorded_schema_and_nothing_is_sent() {
        let engine = Arc::new(EmbeddedBackend::in_memory().unwrap());
        engine.create_database("app", "App").await.unwrap();
        let notes = TableSchema::new("notes", "Notes").column(ColumnSchema::varchar("text", 10));
        engine.create_table("app", &notes).await.unwrap();
        for i in 0..3 {
            let data = json!({"text": format!("t{i}")})
                .as_object()
                .cloned()
                .unwrap();
            engine
                .create_row("app", "notes", &format!("n{i}"), &data, None)
                .await
                .unwrap();
        }
        let dry = RecordingBackend::new(engine.clone());
        let options = ListOptions::default();

        let rank = ColumnSchema::integer("rank");
        dry.create_column("app", "notes", &rank).await.unwrap();
        let seen = dry.get_table("app", "notes").await.unwrap();
        assert_eq!(seen.column("rank").unwrap().status, ColumnStatus::Available);
        assert!(dry.get_column("app", "notes", "rank").await.is_ok());
        let lacking = [Query::is_null("rank")];
        let all = dry.list_rows("app", "notes", &lacking, &options).await;
        let all = all.unwrap();
        assert_eq!(all.total, 3);
        assert!(
            all.items
                .iter()
                .all(|r| r.get("rank") == Some(&Value::Null))
        );
        let none = [Query::is_not_null("rank")];
        let none = dry
            .list_rows("app", "notes", &none, &options)
            .await
            .unwrap();
        assert_eq!((none.total, none.items.len()), (0, 0));

        // A bulk update of every row (the plan's default fill) is what the rows hold from now.
        let fill = json!({"rank": 7}).as_object().cloned().unwrap();
        let filled = dry.update_rows("app", "notes", &fill, &lacking).await;
        assert_eq!(filled.unwrap().total, 3);
        let sevens = [Query::equal("rank", [7]), Query::select(["rank"])];
        let sevens = dry.list_rows("app", "notes", &sevens, &options).await;
        let sevens = sevens.unwrap();
        assert_eq!(sevens.total, 3);
        assert!(
            sevens
                .items
                .iter()
                .all(|r| r.get("rank") == Some(&json!(7)))
        );
        let one = dry.get_row("app", "notes", "n1", &[]).await.unwrap();
        assert_eq!(one.get("rank"), Some(&json!(7)));

        // A table only the simulation created is listed, and has no rows.
        let drafts = TableSchema::new("drafts", "Drafts").column(ColumnSchema::varchar("x", 5));
        dry.create_table("app", &drafts).await.unwrap();
        let tables = dry.list_tables("app", &[]).await.unwrap();
        let ids: Vec<&str> = tables.items.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["notes", "drafts"]);
        let rows = dry.list_rows("app", "drafts", &[], &options).await.unwrap();
        assert!(rows.items.is_empty());

        let live = engine.get_table("app", "notes").await.unwrap();
        assert!(live.column("rank").is_none(), "nothing was sent");
        assert!(engine.get_table("app", "drafts").await.is_err());
    }
}
