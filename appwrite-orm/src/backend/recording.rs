//! A [`Backend`] wrapper that reads from the backend it wraps and records writes instead of
//! sending them: the engine of a migration dry run
//! ([`Migrator::dry_run`](crate::migrate::Migrator::dry_run)).
//!
//! Reads (`get_*`, `list_*`) go to the wrapped backend unchanged. Writes are recorded as
//! [`RecordedWrite`]s and answered plausibly, so that code written against a real backend keeps
//! going:
//! - a row create answers the row it would have made (`$id`, the data, time stamps);
//! - a row update or increment answers the live row merged with the change (or the change alone
//!   when the row cannot be read);
//! - bulk updates and deletes answer the number of rows that match their filters, read from the
//!   wrapped backend; bulk creates and upserts answer the rows they were given;
//! - schema writes answer the table, column or index as if it were created, `available`;
//! - transactions are simulated: staged operations are recorded when the commit comes.
//!
//! Nothing written is visible to later reads: a row "created" is not listed afterwards, a
//! column "created" does not exist for a filter. Code that reads its own writes sees the
//! database as it was.
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

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::Serialize;
use serde_json::{Number, Value, json};

use super::{
    Backend, Column, ColumnStatus, Database, Document, Index, List, ListOptions, Operation,
    OperationAction, Row, Table, TableUpdate, Transaction, TransactionStatus, UNIQUE_ID,
    new_unique_id,
};
use crate::Result;
use crate::query::{Query, QueryClass};
use crate::schema::{ColumnSchema, IndexSchema, TableSchema};

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
    /// What it would write (the row data, the column, the filter), as JSON.
    pub data: Value,
}

/// Reads from the backend it wraps, records writes; see the [module](self) docs.
#[derive(Debug)]
pub struct RecordingBackend {
    inner: Arc<dyn Backend>,
    writes: Mutex<Vec<RecordedWrite>>,
    transactions: Mutex<BTreeMap<String, Vec<Operation>>>,
    next_transaction: AtomicU64,
}

const TRANSACTION_PREFIX: &str = "dryrun";

impl RecordingBackend {
    /// Wraps `inner`; nothing is recorded yet.
    pub fn new(inner: Arc<dyn Backend>) -> Self {
        Self {
            inner,
            writes: Mutex::new(Vec::new()),
            transactions: Mutex::new(BTreeMap::new()),
            next_transaction: AtomicU64::new(1),
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

    /// Removes and returns the writes recorded so far.
    pub fn take(&self) -> Vec<RecordedWrite> {
        std::mem::take(&mut *lock(&self.writes))
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

    /// The live row merged with `data`, or a row made of `data` when it cannot be read.
    async fn merged(&self, database: &str, table: &str, row_id: &str, data: &Document) -> Row {
        let mut row = match self.inner.get_row(database, table, row_id, &[]).await {
            Ok(row) => row.0,
            Err(_) => fresh_row(row_id, &Document::new()).0,
        };
        for (k, v) in data {
            row.insert(k.clone(), v.clone());
        }
        row.insert("$updatedAt".into(), json!(now()));
        Row(row)
    }

    /// How many rows match `queries` (their limit and cursor ignored), read from the wrapped
    /// backend, with the first page of them.
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
        match self
            .inner
            .list_rows(database, table, &filters, &options)
            .await
        {
            Ok(list) => (list.total.max(list.items.len() as u64), list.items),
            Err(e) => {
                tracing::debug!(error = %e, table, "dry run: could not count the matches");
                (0, Vec::new())
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
    let stamp = now();
    Column {
        schema: schema.clone(),
        status: ColumnStatus::Available,
        error: String::new(),
        created_at: stamp.clone(),
        updated_at: stamp,
    }
}

fn index(schema: &IndexSchema) -> Index {
    let stamp = now();
    Index {
        schema: schema.clone(),
        status: ColumnStatus::Available,
        error: String::new(),
        created_at: stamp.clone(),
        updated_at: stamp,
    }
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

    async fn create_database(&self, id: &str, name: &str) -> Result<Database> {
        self.record("create_database", "", Some(id), 0, json!({ "name": name }));
        let stamp = now();
        Ok(Database {
            id: id.to_owned(),
            name: name.to_owned(),
            created_at: stamp.clone(),
            updated_at: stamp,
            enabled: true,
            database_type: "tablesdb".to_owned(),
        })
    }

    async fn get_database(&self, id: &str) -> Result<Database> {
        self.inner.get_database(id).await
    }

    async fn list_databases(&self, queries: &[Query]) -> Result<List<Database>> {
        self.inner.list_databases(queries).await
    }

    async fn delete_database(&self, id: &str) -> Result<()> {
        self.record("delete_database", "", Some(id), 0, Value::Null);
        Ok(())
    }

    async fn create_table(&self, database: &str, table: &TableSchema) -> Result<Table> {
        self.record(
            "create_table",
            &table.id,
            None,
            0,
            json!({ "name": table.name, "columns": table.columns.len(),
                    "indexes": table.indexes.len() }),
        );
        let stamp = now();
        Ok(Table {
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
        })
    }

    async fn get_table(&self, database: &str, table: &str) -> Result<Table> {
        self.inner.get_table(database, table).await
    }

    async fn list_tables(&self, database: &str, queries: &[Query]) -> Result<List<Table>> {
        self.inner.list_tables(database, queries).await
    }

    async fn update_table(
        &self,
        database: &str,
        table: &str,
        update: &TableUpdate,
    ) -> Result<Table> {
        self.record("update_table", table, None, 0, json!(format!("{update:?}")));
        let mut live = self.inner.get_table(database, table).await?;
        if let Some(name) = &update.name {
            live.name = name.clone();
        }
        if let Some(permissions) = &update.permissions {
            live.permissions = permissions.clone();
        }
        live.row_security = update.row_security;
        live.enabled = update.enabled;
        Ok(live)
    }

    async fn delete_table(&self, _database: &str, table: &str) -> Result<()> {
        self.record("delete_table", table, None, 0, Value::Null);
        Ok(())
    }

    async fn create_column(
        &self,
        _database: &str,
        table: &str,
        column_schema: &ColumnSchema,
    ) -> Result<Column> {
        self.record(
            "create_column",
            table,
            Some(&column_schema.key),
            0,
            json!(column_schema.model_fields()),
        );
        Ok(column(column_schema))
    }

    async fn get_column(&self, database: &str, table: &str, key: &str) -> Result<Column> {
        self.inner.get_column(database, table, key).await
    }

    async fn list_columns(&self, database: &str, table: &str) -> Result<List<Column>> {
        self.inner.list_columns(database, table).await
    }

    async fn update_column(
        &self,
        _database: &str,
        table: &str,
        key: &str,
        column_schema: &ColumnSchema,
    ) -> Result<Column> {
        self.record(
            "update_column",
            table,
            Some(key),
            0,
            json!(column_schema.model_fields()),
        );
        Ok(column(column_schema))
    }

    async fn delete_column(&self, _database: &str, table: &str, key: &str) -> Result<()> {
        self.record("delete_column", table, Some(key), 0, Value::Null);
        Ok(())
    }

    async fn create_index(
        &self,
        _database: &str,
        table: &str,
        index_schema: &IndexSchema,
    ) -> Result<Index> {
        self.record(
            "create_index",
            table,
            Some(&index_schema.key),
            0,
            json!(format!("{index_schema:?}")),
        );
        Ok(index(index_schema))
    }

    async fn get_index(&self, database: &str, table: &str, key: &str) -> Result<Index> {
        self.inner.get_index(database, table, key).await
    }

    async fn list_indexes(&self, database: &str, table: &str) -> Result<List<Index>> {
        self.inner.list_indexes(database, table).await
    }

    async fn delete_index(&self, _database: &str, table: &str, key: &str) -> Result<()> {
        self.record("delete_index", table, Some(key), 0, Value::Null);
        Ok(())
    }

    async fn create_row(
        &self,
        _database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        _permissions: Option<&[String]>,
    ) -> Result<Row> {
        let row = fresh_row(row_id, data);
        self.record(
            "create_row",
            table,
            Some(row.id()),
            1,
            Value::Object(data.clone()),
        );
        Ok(row)
    }

    async fn get_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        queries: &[Query],
    ) -> Result<Row> {
        self.inner.get_row(database, table, row_id, queries).await
    }

    async fn list_rows(
        &self,
        database: &str,
        table: &str,
        queries: &[Query],
        options: &ListOptions,
    ) -> Result<List<Row>> {
        let mut options = options.clone();
        if options.transaction_id.as_deref().is_some_and(Self::is_ours) {
            options.transaction_id = None;
        }
        self.inner
            .list_rows(database, table, queries, &options)
            .await
    }

    async fn update_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        _permissions: Option<&[String]>,
    ) -> Result<Row> {
        self.record(
            "update_row",
            table,
            Some(row_id),
            1,
            Value::Object(data.clone()),
        );
        Ok(self.merged(database, table, row_id, data).await)
    }

    async fn upsert_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        _permissions: Option<&[String]>,
    ) -> Result<Row> {
        self.record(
            "upsert_row",
            table,
            Some(row_id),
            1,
            Value::Object(data.clone()),
        );
        Ok(self.merged(database, table, row_id, data).await)
    }

    async fn delete_row(&self, _database: &str, table: &str, row_id: &str) -> Result<()> {
        self.record("delete_row", table, Some(row_id), 1, Value::Null);
        Ok(())
    }

    async fn create_rows(
        &self,
        _database: &str,
        table: &str,
        rows: &[Document],
    ) -> Result<List<Row>> {
        let items: Vec<Row> = rows
            .iter()
            .map(|d| {
                let id = d.get("$id").and_then(Value::as_str).unwrap_or(UNIQUE_ID);
                fresh_row(id, d)
            })
            .collect();
        self.record(
            "create_rows",
            table,
            None,
            rows.len() as u64,
            json!(rows.iter().take(3).collect::<Vec<_>>()),
        );
        Ok(List {
            total: items.len() as u64,
            items,
        })
    }

    async fn upsert_rows(
        &self,
        database: &str,
        table: &str,
        rows: &[Document],
    ) -> Result<List<Row>> {
        let mut items = Vec::with_capacity(rows.len());
        for d in rows {
            let id = d.get("$id").and_then(Value::as_str).unwrap_or(UNIQUE_ID);
            items.push(self.merged(database, table, id, d).await);
        }
        self.record(
            "upsert_rows",
            table,
            None,
            rows.len() as u64,
            json!(rows.iter().take(3).collect::<Vec<_>>()),
        );
        Ok(List {
            total: items.len() as u64,
            items,
        })
    }

    async fn update_rows(
        &self,
        database: &str,
        table: &str,
        data: &Document,
        queries: &[Query],
    ) -> Result<List<Row>> {
        let (total, page) = self.matches(database, table, queries).await;
        self.record(
            "update_rows",
            table,
            None,
            total,
            json!({ "set": data, "filters": queries.len() }),
        );
        let items = page
            .into_iter()
            .map(|mut row| {
                for (k, v) in data {
                    row.0.insert(k.clone(), v.clone());
                }
                row
            })
            .collect();
        Ok(List { total, items })
    }

    async fn delete_rows(
        &self,
        database: &str,
        table: &str,
        queries: &[Query],
    ) -> Result<List<Row>> {
        let (total, items) = self.matches(database, table, queries).await;
        self.record(
            "delete_rows",
            table,
            None,
            total,
            json!({ "filters": queries.len() }),
        );
        Ok(List { total, items })
    }

    async fn increment_row_column(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        column_key: &str,
        value: Number,
        _max: Option<Number>,
    ) -> Result<Row> {
        self.record(
            "increment_row_column",
            table,
            Some(row_id),
            1,
            json!({ column_key: value }),
        );
        Ok(self.merged(database, table, row_id, &Document::new()).await)
    }

    async fn decrement_row_column(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        column_key: &str,
        value: Number,
        _min: Option<Number>,
    ) -> Result<Row> {
        self.record(
            "decrement_row_column",
            table,
            Some(row_id),
            1,
            json!({ column_key: value }),
        );
        Ok(self.merged(database, table, row_id, &Document::new()).await)
    }

    async fn create_transaction(&self, _ttl: Option<u32>) -> Result<Transaction> {
        let n = self.next_transaction.fetch_add(1, Ordering::Relaxed);
        let id = format!("{TRANSACTION_PREFIX}{n:014}");
        lock(&self.transactions).insert(id.clone(), Vec::new());
        Ok(transaction(&id, TransactionStatus::Pending, 0))
    }

    async fn get_transaction(&self, id: &str) -> Result<Transaction> {
        if let Some(ops) = lock(&self.transactions).get(id) {
            return Ok(transaction(
                id,
                TransactionStatus::Pending,
                ops.len() as u64,
            ));
        }
        self.inner.get_transaction(id).await
    }

    async fn stage_operations(&self, id: &str, operations: &[Operation]) -> Result<Transaction> {
        let mut all = lock(&self.transactions);
        let staged = all.entry(id.to_owned()).or_default();
        staged.extend_from_slice(operations);
        Ok(transaction(
            id,
            TransactionStatus::Pending,
            staged.len() as u64,
        ))
    }

    async fn commit_transaction(&self, id: &str) -> Result<Transaction> {
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
        Ok(transaction(
            id,
            TransactionStatus::Committed,
            staged.len() as u64,
        ))
    }

    async fn rollback_transaction(&self, id: &str) -> Result<Transaction> {
        let staged = lock(&self.transactions).remove(id).unwrap_or_default();
        Ok(transaction(
            id,
            TransactionStatus::Failed,
            staged.len() as u64,
        ))
    }
}
