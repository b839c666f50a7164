//! A [`Backend`] wrapper that counts the requests made through it.
//!
//! A call of a [`Backend`] method is one request on the embedded engine; over HTTP it counts
//! every request the call sent (retries after a 429 or a dropped connection, the polls of a
//! create-table, see [`wire`]). The migration runner reports its own request
//! count this way, and tests assert that a boot with nothing to migrate makes exactly one
//! request.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use std::sync::Arc;
//! use appwrite_orm::backend::{Backend, counting::CountingBackend, embedded::EmbeddedBackend};
//!
//! let counter = Arc::new(CountingBackend::new(Arc::new(EmbeddedBackend::in_memory()?)));
//! counter.create_database("app", "App").await?;
//! counter.get_database("app").await?;
//! assert_eq!(counter.requests(), 2);
//! assert_eq!(counter.by_operation()["get_database"], 1);
//! # Ok::<(), appwrite_orm::Error>(())
//! # }).unwrap();
//! ```
//!
//! Besides requests, it counts rows written per table (a bulk write counts every row it
//! reports, a single-row write one), which the migration runner uses for "rows touched", and
//! rows read per table (the rows `get_row` and `list_rows` returned).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::Number;

use super::{
    Backend, Column, Database, Document, Index, List, ListOptions, Operation, Row, Table,
    TableUpdate, Transaction, wire,
};
use crate::Result;
use crate::query::Query;
use crate::schema::{ColumnSchema, IndexSchema, TableSchema};

/// Counts the requests made through the backend it wraps; see the [module](self) docs.
#[derive(Debug)]
pub struct CountingBackend {
    inner: Arc<dyn Backend>,
    total: AtomicU64,
    retries: AtomicU64,
    by_operation: Mutex<BTreeMap<&'static str, u64>>,
    rows_written: Mutex<BTreeMap<String, u64>>,
    rows_read: Mutex<BTreeMap<String, u64>>,
    /// Rows staged per transaction and table, counted as written when the commit succeeds.
    staged: Mutex<BTreeMap<String, BTreeMap<String, u64>>>,
}

impl CountingBackend {
    /// Wraps `inner`; every counter starts at zero.
    pub fn new(inner: Arc<dyn Backend>) -> Self {
        Self {
            inner,
            total: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            by_operation: Mutex::new(BTreeMap::new()),
            rows_written: Mutex::new(BTreeMap::new()),
            rows_read: Mutex::new(BTreeMap::new()),
            staged: Mutex::new(BTreeMap::new()),
        }
    }

    /// The wrapped backend.
    pub fn inner(&self) -> &Arc<dyn Backend> {
        &self.inner
    }

    /// Requests made so far (failed ones included: they reached the server too). Over HTTP
    /// this is every request sent: a call that was retried, or that polls, counts each
    /// attempt ([`wire`]).
    pub fn requests(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Requests made so far, per [`Backend`] method name (`get_row`, `update_rows`, ...).
    pub fn by_operation(&self) -> BTreeMap<&'static str, u64> {
        lock(&self.by_operation).clone()
    }

    /// Rows written so far per table id, by successful row writes (committed transactions
    /// included; their bulk update and delete operations count no rows, since the commit does
    /// not say how many they changed).
    pub fn rows_written(&self) -> BTreeMap<String, u64> {
        lock(&self.rows_written).clone()
    }

    /// Rows read so far per table id: the rows that successful `get_row` and `list_rows`
    /// calls returned.
    pub fn rows_read(&self) -> BTreeMap<String, u64> {
        lock(&self.rows_read).clone()
    }

    /// Rows written so far to every table except those in `except`.
    pub fn rows_written_except(&self, except: &[&str]) -> u64 {
        lock(&self.rows_written)
            .iter()
            .filter(|(table, _)| !except.contains(&table.as_str()))
            .map(|(_, n)| n)
            .sum()
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        self.total.store(0, Ordering::Relaxed);
        self.retries.store(0, Ordering::Relaxed);
        lock(&self.by_operation).clear();
        lock(&self.rows_written).clear();
        lock(&self.rows_read).clear();
    }

    /// Retries among the requests: attempts the HTTP transport repeated after a 429, a 5xx
    /// or a dropped connection.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// Runs one call of the wrapped backend and counts what it sent: every HTTP request
    /// (retries and polls included), or one request for a backend that sends none.
    async fn counted<F: std::future::Future>(&self, operation: &'static str, call: F) -> F::Output {
        let (output, wire) = wire::observe(call).await;
        let requests = wire.requests.max(1);
        self.total.fetch_add(requests, Ordering::Relaxed);
        self.retries.fetch_add(wire.retries, Ordering::Relaxed);
        *lock(&self.by_operation).entry(operation).or_insert(0) += requests;
        output
    }

    fn wrote<T>(&self, table: &str, result: &Result<T>, rows: impl FnOnce(&T) -> u64) {
        add_rows(&self.rows_written, table, result, rows);
    }

    fn read<T>(&self, table: &str, result: &Result<T>, rows: impl FnOnce(&T) -> u64) {
        add_rows(&self.rows_read, table, result, rows);
    }
}

/// Adds the rows a successful call reports to `table`'s count.
fn add_rows<T>(
    counts: &Mutex<BTreeMap<String, u64>>,
    table: &str,
    result: &Result<T>,
    rows: impl FnOnce(&T) -> u64,
) {
    if let Ok(value) = result {
        let n = rows(value);
        if n > 0 {
            *lock(counts).entry(table.to_owned()).or_insert(0) += n;
        }
    }
}

/// Rows a staged operation writes, when the operation says.
fn rows_of(op: &Operation) -> u64 {
    use super::OperationAction as A;
    match op.action {
        A::Create | A::Update | A::Upsert | A::Delete | A::Increment | A::Decrement => 1,
        A::BulkCreate | A::BulkUpsert => op
            .data
            .as_ref()
            .and_then(serde_json::Value::as_array)
            .map_or(0, |rows| rows.len() as u64),
        A::BulkUpdate | A::BulkDelete => 0,
    }
}

// A counter is only ever incremented; one left behind by a panicking thread is still right.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[async_trait]
impl Backend for CountingBackend {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn create_database(&self, id: &str, name: &str) -> Result<Database> {
        self.counted("create_database", self.inner.create_database(id, name))
            .await
    }

    async fn get_database(&self, id: &str) -> Result<Database> {
        self.counted("get_database", self.inner.get_database(id))
            .await
    }

    async fn list_databases(&self, queries: &[Query]) -> Result<List<Database>> {
        self.counted("list_databases", self.inner.list_databases(queries))
            .await
    }

    async fn delete_database(&self, id: &str) -> Result<()> {
        self.counted("delete_database", self.inner.delete_database(id))
            .await
    }

    async fn create_table(&self, database: &str, table: &TableSchema) -> Result<Table> {
        self.counted("create_table", self.inner.create_table(database, table))
            .await
    }

    async fn get_table(&self, database: &str, table: &str) -> Result<Table> {
        self.counted("get_table", self.inner.get_table(database, table))
            .await
    }

    async fn list_tables(&self, database: &str, queries: &[Query]) -> Result<List<Table>> {
        self.counted("list_tables", self.inner.list_tables(database, queries))
            .await
    }

    async fn update_table(
        &self,
        database: &str,
        table: &str,
        update: &TableUpdate,
    ) -> Result<Table> {
        self.counted(
            "update_table",
            self.inner.update_table(database, table, update),
        )
        .await
    }

    async fn delete_table(&self, database: &str, table: &str) -> Result<()> {
        self.counted("delete_table", self.inner.delete_table(database, table))
            .await
    }

    async fn create_column(
        &self,
        database: &str,
        table: &str,
        column: &ColumnSchema,
    ) -> Result<Column> {
        self.counted(
            "create_column",
            self.inner.create_column(database, table, column),
        )
        .await
    }

    async fn get_column(&self, database: &str, table: &str, key: &str) -> Result<Column> {
        self.counted("get_column", self.inner.get_column(database, table, key))
            .await
    }

    async fn list_columns(&self, database: &str, table: &str) -> Result<List<Column>> {
        self.counted("list_columns", self.inner.list_columns(database, table))
            .await
    }

    async fn update_column(
        &self,
        database: &str,
        table: &str,
        key: &str,
        column: &ColumnSchema,
    ) -> Result<Column> {
        self.counted(
            "update_column",
            self.inner.update_column(database, table, key, column),
        )
        .await
    }

    async fn delete_column(&self, database: &str, table: &str, key: &str) -> Result<()> {
        self.counted(
            "delete_column",
            self.inner.delete_column(database, table, key),
        )
        .await
    }

    async fn create_index(
        &self,
        database: &str,
        table: &str,
        index: &IndexSchema,
    ) -> Result<Index> {
        self.counted(
            "create_index",
            self.inner.create_index(database, table, index),
        )
        .await
    }

    async fn get_index(&self, database: &str, table: &str, key: &str) -> Result<Index> {
        self.counted("get_index", self.inner.get_index(database, table, key))
            .await
    }

    async fn list_indexes(&self, database: &str, table: &str) -> Result<List<Index>> {
        self.counted("list_indexes", self.inner.list_indexes(database, table))
            .await
    }

    async fn delete_index(&self, database: &str, table: &str, key: &str) -> Result<()> {
        self.counted(
            "delete_index",
            self.inner.delete_index(database, table, key),
        )
        .await
    }

    async fn create_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        permissions: Option<&[String]>,
    ) -> Result<Row> {
        let result = self
            .counted(
                "create_row",
                self.inner
                    .create_row(database, table, row_id, data, permissions),
            )
            .await;
        self.wrote(table, &result, |_| 1);
        result
    }

    async fn get_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        queries: &[Query],
    ) -> Result<Row> {
        let result = self
            .counted(
                "get_row",
                self.inner.get_row(database, table, row_id, queries),
            )
            .await;
        self.read(table, &result, |_| 1);
        result
    }

    async fn list_rows(
        &self,
        database: &str,
        table: &str,
        queries: &[Query],
        options: &ListOptions,
    ) -> Result<List<Row>> {
        let result = self
            .counted(
                "list_rows",
                self.inner.list_rows(database, table, queries, options),
            )
            .await;
        self.read(table, &result, |list| list.items.len() as u64);
        result
    }

    async fn update_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        permissions: Option<&[String]>,
    ) -> Result<Row> {
        let result = self
            .counted(
                "update_row",
                self.inner
                    .update_row(database, table, row_id, data, permissions),
            )
            .await;
        self.wrote(table, &result, |_| 1);
        result
    }

    async fn upsert_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        permissions: Option<&[String]>,
    ) -> Result<Row> {
        let result = self
            .counted(
                "upsert_row",
                self.inner
                    .upsert_row(database, table, row_id, data, permissions),
            )
            .await;
        self.wrote(table, &result, |_| 1);
        result
    }

    async fn delete_row(&self, database: &str, table: &str, row_id: &str) -> Result<()> {
        let result = self
            .counted("delete_row", self.inner.delete_row(database, table, row_id))
            .await;
        self.wrote(table, &result, |_| 1);
        result
    }

    async fn create_rows(
        &self,
        database: &str,
        table: &str,
        rows: &[Document],
    ) -> Result<List<Row>> {
        let result = self
            .counted("create_rows", self.inner.create_rows(database, table, rows))
            .await;
        self.wrote(table, &result, |list| list.items.len() as u64);
        result
    }

    async fn upsert_rows(
        &self,
        database: &str,
        table: &str,
        rows: &[Document],
    ) -> Result<List<Row>> {
        let result = self
            .counted("upsert_rows", self.inner.upsert_rows(database, table, rows))
            .await;
        self.wrote(table, &result, |list| list.items.len() as u64);
        result
    }

    async fn update_rows(
        &self,
        database: &str,
        table: &str,
        data: &Document,
        queries: &[Query],
    ) -> Result<List<Row>> {
        let result = self
            .counted(
                "update_rows",
                self.inner.update_rows(database, table, data, queries),
            )
            .await;
        // `total` is the number of rows changed; the answer lists at most 100 of them.
        self.wrote(table, &result, |list| list.total);
        result
    }

    async fn delete_rows(
        &self,
        database: &str,
        table: &str,
        queries: &[Query],
    ) -> Result<List<Row>> {
        let result = self
            .counted(
                "delete_rows",
                self.inner.delete_rows(database, table, queries),
            )
            .await;
        self.wrote(table, &result, |list| list.total);
        result
    }

    async fn increment_row_column(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        column: &str,
        value: Number,
        max: Option<Number>,
    ) -> Result<Row> {
        let result = self
            .counted(
                "increment_row_column",
                self.inner
                    .increment_row_column(database, table, row_id, column, value, max),
            )
            .await;
        self.wrote(table, &result, |_| 1);
        result
    }

    async fn decrement_row_column(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        column: &str,
        value: Number,
        min: Option<Number>,
    ) -> Result<Row> {
        let result = self
            .counted(
                "decrement_row_column",
                self.inner
                    .decrement_row_column(database, table, row_id, column, value, min),
            )
            .await;
        self.wrote(table, &result, |_| 1);
        result
    }

    async fn create_transaction(&self, ttl: Option<u32>) -> Result<Transaction> {
        self.counted("create_transaction", self.inner.create_transaction(ttl))
            .await
    }

    async fn get_transaction(&self, id: &str) -> Result<Transaction> {
        self.counted("get_transaction", self.inner.get_transaction(id))
            .await
    }

    async fn stage_operations(&self, id: &str, operations: &[Operation]) -> Result<Transaction> {
        let result = self
            .counted(
                "stage_operations",
                self.inner.stage_operations(id, operations),
            )
            .await;
        if result.is_ok() {
            let mut staged = lock(&self.staged);
            let tables = staged.entry(id.to_owned()).or_default();
            for op in operations {
                *tables.entry(op.table_id.clone()).or_insert(0) += rows_of(op);
            }
        }
        result
    }

    async fn commit_transaction(&self, id: &str) -> Result<Transaction> {
        let result = self
            .counted("commit_transaction", self.inner.commit_transaction(id))
            .await;
        let staged = lock(&self.staged).remove(id);
        if let (Ok(_), Some(tables)) = (&result, staged) {
            let mut written = lock(&self.rows_written);
            for (table, n) in tables.into_iter().filter(|(_, n)| *n > 0) {
                *written.entry(table).or_insert(0) += n;
            }
        }
        result
    }

    async fn rollback_transaction(&self, id: &str) -> Result<Transaction> {
        lock(&self.staged).remove(id);
        self.counted("rollback_transaction", self.inner.rollback_transaction(id))
            .await
    }
}
