//! The one seam between the ORM and storage: Appwrite's operations on JSON rows.
//!
//! [`Backend`] is implemented by the [embedded engine](embedded::EmbeddedBackend) (SQLite, in
//! process) and by the HTTP client of a real Appwrite server. Both answer with the same models and
//! the same [`AppwriteError`](crate::AppwriteError)s, checked by one conformance suite. The trait
//! is dyn-compatible, so wrappers (request counters, dry-run recorders, fault injection) compose
//! around any backend as `Arc<dyn Backend>`.

pub mod counting;
pub mod embedded;
#[cfg(feature = "http")]
pub mod http;
pub mod layer;
pub mod recording;
pub mod wire;

pub use layer::{Layer, send};

pub use crate::api::models::{
    Column, ColumnStatus, Database, Document, Index, List, ListOptions, Operation, OperationAction,
    Row, Table, TableUpdate, Transaction, TransactionStatus,
};

use async_trait::async_trait;
use serde_json::Number;

use crate::Result;
use crate::query::Query;
use crate::schema::{ColumnSchema, IndexSchema, TableSchema};

/// The id that asks the backend to generate a 20-hex-character id.
pub const UNIQUE_ID: &str = "unique()";

/// A new id like the SDKs' `ID.unique()`: 13 hex digits of time (seconds and microseconds)
/// and 7 random ones, 20 in all.
pub fn new_unique_id() -> String {
    use rand::Rng;
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or(0);
    let secs = (micros / 1_000_000) as u64;
    let usec = (micros % 1_000_000) as u64;
    let random: u32 = rand::rng().random_range(0..0x1000_0000);
    format!("{secs:08x}{usec:05x}{random:07x}")
}

/// Appwrite's database operations. Every method maps to one REST call of the TablesDB API.
///
/// Ids and keys follow Appwrite's rule (1-36 characters of `[A-Za-z0-9._-]`, not starting with a
/// special character); a backend refuses others with `general_argument_invalid` before doing
/// anything.
#[async_trait]
pub trait Backend: Send + Sync + std::fmt::Debug {
    /// A short name for logs and reports (`embedded`, `http`).
    fn name(&self) -> &'static str;

    // --- databases -----------------------------------------------------------------------------

    /// `POST /tablesdb`: creates a database (`id` may be [`UNIQUE_ID`]).
    async fn create_database(&self, id: &str, name: &str) -> Result<Database>;
    /// `GET /tablesdb/{db}`.
    async fn get_database(&self, id: &str) -> Result<Database>;
    /// `GET /tablesdb`.
    async fn list_databases(&self, queries: &[Query]) -> Result<List<Database>>;
    /// `DELETE /tablesdb/{db}`: removes the database with its tables.
    async fn delete_database(&self, id: &str) -> Result<()>;

    // --- tables --------------------------------------------------------------------------------

    /// `POST /tablesdb/{db}/tables`: creates a table with its columns and indexes given inline;
    /// those are `available` at once.
    async fn create_table(&self, database: &str, table: &TableSchema) -> Result<Table>;
    /// `GET /tablesdb/{db}/tables/{t}`: the table with its live columns and indexes.
    async fn get_table(&self, database: &str, table: &str) -> Result<Table>;
    /// `GET /tablesdb/{db}/tables`.
    async fn list_tables(&self, database: &str, queries: &[Query]) -> Result<List<Table>>;
    /// `PUT /tablesdb/{db}/tables/{t}`.
    async fn update_table(
        &self,
        database: &str,
        table: &str,
        update: &TableUpdate,
    ) -> Result<Table>;
    /// `DELETE /tablesdb/{db}/tables/{t}`: removes the table and its rows.
    async fn delete_table(&self, database: &str, table: &str) -> Result<()>;

    // --- columns -------------------------------------------------------------------------------

    /// `POST …/columns/{type}`: starts creating a column; it answers `processing` and becomes
    /// `available` later (poll [`get_column`](Backend::get_column)).
    async fn create_column(
        &self,
        database: &str,
        table: &str,
        column: &ColumnSchema,
    ) -> Result<Column>;
    /// `GET …/columns/{key}`.
    async fn get_column(&self, database: &str, table: &str, key: &str) -> Result<Column>;
    /// `GET …/columns`.
    async fn list_columns(&self, database: &str, table: &str) -> Result<List<Column>>;
    /// `PATCH …/columns/{type}/{key}`: changes what Appwrite changes in place (required, default,
    /// size, min/max, elements). When `column.key` differs from `key`, the column is renamed.
    async fn update_column(
        &self,
        database: &str,
        table: &str,
        key: &str,
        column: &ColumnSchema,
    ) -> Result<Column>;
    /// `DELETE …/columns/{key}`: the column goes through `deleting` and disappears.
    async fn delete_column(&self, database: &str, table: &str, key: &str) -> Result<()>;

    // --- indexes -------------------------------------------------------------------------------

    /// `POST …/indexes`: starts creating an index (`processing`, later `available`).
    async fn create_index(&self, database: &str, table: &str, index: &IndexSchema)
    -> Result<Index>;
    /// `GET …/indexes/{key}`.
    async fn get_index(&self, database: &str, table: &str, key: &str) -> Result<Index>;
    /// `GET …/indexes`.
    async fn list_indexes(&self, database: &str, table: &str) -> Result<List<Index>>;
    /// `DELETE …/indexes/{key}`.
    async fn delete_index(&self, database: &str, table: &str, key: &str) -> Result<()>;

    // --- rows ----------------------------------------------------------------------------------

    /// `POST …/rows`: creates one row (`row_id` may be [`UNIQUE_ID`]). `permissions: None`
    /// gives the row no permissions of its own.
    async fn create_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        permissions: Option<&[String]>,
    ) -> Result<Row>;
    /// `GET …/rows/{id}`; `queries` may hold a `select`.
    async fn get_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        queries: &[Query],
    ) -> Result<Row>;
    /// `GET …/rows`: one page of matching rows and the (capped) total.
    async fn list_rows(
        &self,
        database: &str,
        table: &str,
        queries: &[Query],
        options: &ListOptions,
    ) -> Result<List<Row>>;
    /// `PATCH …/rows/{id}`: sets the given columns; `permissions: None` keeps them.
    async fn update_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        permissions: Option<&[String]>,
    ) -> Result<Row>;
    /// `PUT …/rows/{id}`: creates the row or merges `data` into it.
    async fn upsert_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        permissions: Option<&[String]>,
    ) -> Result<Row>;
    /// `DELETE …/rows/{id}`.
    async fn delete_row(&self, database: &str, table: &str, row_id: &str) -> Result<()>;
    /// `POST …/rows` with `rows`: creates up to 100 rows, each may carry `$id` and
    /// `$permissions`. All or nothing.
    async fn create_rows(
        &self,
        database: &str,
        table: &str,
        rows: &[Document],
    ) -> Result<List<Row>>;
    /// `PUT …/rows`: upserts up to 100 rows (each may carry `$id`). All or nothing.
    async fn upsert_rows(
        &self,
        database: &str,
        table: &str,
        rows: &[Document],
    ) -> Result<List<Row>>;
    /// `PATCH …/rows`: sets `data` on every row matching the filters; `total` is the number of
    /// rows changed.
    async fn update_rows(
        &self,
        database: &str,
        table: &str,
        data: &Document,
        queries: &[Query],
    ) -> Result<List<Row>>;
    /// `DELETE …/rows`: deletes every row matching the filters; `total` is the number deleted.
    async fn delete_rows(
        &self,
        database: &str,
        table: &str,
        queries: &[Query],
    ) -> Result<List<Row>>;
    /// `PATCH …/rows/{id}/{column}/increment`: adds `value` atomically, refusing to pass `max`.
    async fn increment_row_column(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        column: &str,
        value: Number,
        max: Option<Number>,
    ) -> Result<Row>;
    /// `PATCH …/rows/{id}/{column}/decrement`: subtracts `value` atomically, refusing to pass `min`.
    async fn decrement_row_column(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        column: &str,
        value: Number,
        min: Option<Number>,
    ) -> Result<Row>;

    // --- transactions --------------------------------------------------------------------------

    /// `POST /tablesdb/transactions`: `ttl` seconds (60-3600, default 300).
    async fn create_transaction(&self, ttl: Option<u32>) -> Result<Transaction>;
    /// `GET /tablesdb/transactions/{id}`.
    async fn get_transaction(&self, id: &str) -> Result<Transaction>;
    /// `POST /tablesdb/transactions/{id}/operations`: stages operations; nothing is applied.
    async fn stage_operations(&self, id: &str, operations: &[Operation]) -> Result<Transaction>;
    /// `PATCH /tablesdb/transactions/{id}` with `commit`: applies every staged operation, or
    /// none when one fails.
    async fn commit_transaction(&self, id: &str) -> Result<Transaction>;
    /// `PATCH /tablesdb/transactions/{id}` with `rollback`: discards the staged operations.
    async fn rollback_transaction(&self, id: &str) -> Result<Transaction>;
}
