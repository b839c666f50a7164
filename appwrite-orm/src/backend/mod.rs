//! The one seam between the ORM and storage: Appwrite's operations on JSON rows.
//!
//! [`Backend`] is implemented by the [embedded engine](embedded::EmbeddedBackend) (SQLite, in
//! process) and by the HTTP client of a real Appwrite server. Both answer with the same models and
//! the same [`AppwriteError`](crate::AppwriteError)s, checked by one conformance suite.
//!
//! An implementation writes one method, [`Backend::call`], which takes every operation as an
//! [`api::Request`](crate::api::Request); the typed methods callers use (`get_row`,
//! `create_column`, ...) are written once, in the trait, and funnel into it. A wrapper that
//! observes or intercepts calls (the [request counter](counting), the
//! [dry-run recorder](recording), a fault injector) therefore overrides only `call` and sees
//! every operation in one place. The trait is dyn-compatible, so wrappers compose around any
//! backend as `Arc<dyn Backend>`.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use std::sync::{Arc, Mutex};
//! use appwrite_orm::api::{Request, Response};
//! use appwrite_orm::backend::{Backend, embedded::EmbeddedBackend};
//!
//! /// Remembers the name of every operation it forwards.
//! #[derive(Debug)]
//! struct Log {
//!     inner: Arc<dyn Backend>,
//!     seen: Mutex<Vec<&'static str>>,
//! }
//!
//! #[async_trait::async_trait]
//! impl Backend for Log {
//!     fn name(&self) -> &'static str {
//!         self.inner.name()
//!     }
//!     async fn call(&self, request: Request<'_>) -> appwrite_orm::Result<Response> {
//!         self.seen.lock().unwrap().push(request.name());
//!         self.inner.call(request).await
//!     }
//! }
//!
//! let log = Log { inner: Arc::new(EmbeddedBackend::in_memory()?), seen: Mutex::default() };
//! log.create_database("app", "App").await?;
//! log.get_database("app").await?;
//! assert_eq!(*log.seen.lock().unwrap(), ["create_database", "get_database"]);
//! # Ok::<(), appwrite_orm::Error>(())
//! # }).unwrap();
//! ```

pub mod counting;
pub mod embedded;
#[cfg(feature = "http")]
pub mod http;
pub mod recording;
pub mod wire;

pub use crate::api::models::{
    Column, ColumnStatus, Database, Document, Index, List, ListOptions, Live, Operation,
    OperationAction, Row, Table, TableUpdate, Transaction, TransactionStatus,
};

use async_trait::async_trait;
use serde_json::Number;

use crate::api::request::FromResponse;
use crate::api::{Request, Response};
use crate::query::Query;
use crate::schema::{ColumnSchema, IndexSchema, TableSchema};
use crate::{Error, Result};

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

    /// Answers one operation: the only method an implementation must write besides
    /// [`name`](Backend::name). Every typed method below sends its [`Request`] here.
    async fn call(&self, request: Request<'_>) -> Result<Response>;

    // --- databases -----------------------------------------------------------------------------

    /// `POST /tablesdb`: creates a database (`id` may be [`UNIQUE_ID`]).
    async fn create_database(&self, id: &str, name: &str) -> Result<Database> {
        typed(self, Request::CreateDatabase { id, name }).await
    }
    /// `GET /tablesdb/{db}`.
    async fn get_database(&self, id: &str) -> Result<Database> {
        typed(self, Request::GetDatabase { id }).await
    }
    /// `GET /tablesdb`.
    async fn list_databases(&self, queries: &[Query]) -> Result<List<Database>> {
        typed(self, Request::ListDatabases { queries }).await
    }
    /// `DELETE /tablesdb/{db}`: removes the database with its tables.
    async fn delete_database(&self, id: &str) -> Result<()> {
        typed(self, Request::DeleteDatabase { id }).await
    }

    // --- tables --------------------------------------------------------------------------------

    /// `POST /tablesdb/{db}/tables`: creates a table with its columns and indexes given inline;
    /// those are `available` at once.
    async fn create_table(&self, database: &str, table: &TableSchema) -> Result<Table> {
        typed(self, Request::CreateTable { database, table }).await
    }
    /// `GET /tablesdb/{db}/tables/{t}`: the table with its live columns and indexes.
    async fn get_table(&self, database: &str, table: &str) -> Result<Table> {
        typed(self, Request::GetTable { database, table }).await
    }
    /// `GET /tablesdb/{db}/tables`.
    async fn list_tables(&self, database: &str, queries: &[Query]) -> Result<List<Table>> {
        typed(self, Request::ListTables { database, queries }).await
    }
    /// `PUT /tablesdb/{db}/tables/{t}`.
    async fn update_table(
        &self,
        database: &str,
        table: &str,
        update: &TableUpdate,
    ) -> Result<Table> {
        typed(
            self,
            Request::UpdateTable {
                database,
                table,
                update,
            },
        )
        .await
    }
    /// `DELETE /tablesdb/{db}/tables/{t}`: removes the table and its rows.
    async fn delete_table(&self, database: &str, table: &str) -> Result<()> {
        typed(self, Request::DeleteTable { database, table }).await
    }

    // --- columns -------------------------------------------------------------------------------

    /// `POST …/columns/{type}`: starts creating a column; it answers `processing` and becomes
    /// `available` later (poll [`get_column`](Backend::get_column)).
    async fn create_column(
        &self,
        database: &str,
        table: &str,
        column: &ColumnSchema,
    ) -> Result<Column> {
        typed(
            self,
            Request::CreateColumn {
                database,
                table,
                column,
            },
        )
        .await
    }
    /// `GET …/columns/{key}`.
    async fn get_column(&self, database: &str, table: &str, key: &str) -> Result<Column> {
        typed(
            self,
            Request::GetColumn {
                database,
                table,
                key,
            },
        )
        .await
    }
    /// `GET …/columns`.
    async fn list_columns(&self, database: &str, table: &str) -> Result<List<Column>> {
        typed(self, Request::ListColumns { database, table }).await
    }
    /// `PATCH …/columns/{type}/{key}`: changes what Appwrite changes in place (required, default,
    /// size, min/max, elements). When `column.key` differs from `key`, the column is renamed.
    async fn update_column(
        &self,
        database: &str,
        table: &str,
        key: &str,
        column: &ColumnSchema,
    ) -> Result<Column> {
        typed(
            self,
            Request::UpdateColumn {
                database,
                table,
                key,
                column,
            },
        )
        .await
    }
    /// `DELETE …/columns/{key}`: the column goes through `deleting` and disappears.
    async fn delete_column(&self, database: &str, table: &str, key: &str) -> Result<()> {
        typed(
            self,
            Request::DeleteColumn {
                database,
                table,
                key,
            },
        )
        .await
    }

    // --- indexes -------------------------------------------------------------------------------

    /// `POST …/indexes`: starts creating an index (`processing`, later `available`).
    async fn create_index(
        &self,
        database: &str,
        table: &str,
        index: &IndexSchema,
    ) -> Result<Index> {
        typed(
            self,
            Request::CreateIndex {
                database,
                table,
                index,
            },
        )
        .await
    }
    /// `GET …/indexes/{key}`.
    async fn get_index(&self, database: &str, table: &str, key: &str) -> Result<Index> {
        typed(
            self,
            Request::GetIndex {
                database,
                table,
                key,
            },
        )
        .await
    }
    /// `GET …/indexes`.
    async fn list_indexes(&self, database: &str, table: &str) -> Result<List<Index>> {
        typed(self, Request::ListIndexes { database, table }).await
    }
    /// `DELETE …/indexes/{key}`.
    async fn delete_index(&self, database: &str, table: &str, key: &str) -> Result<()> {
        typed(
            self,
            Request::DeleteIndex {
                database,
                table,
                key,
            },
        )
        .await
    }

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
    ) -> Result<Row> {
        typed(
            self,
            Request::CreateRow {
                database,
                table,
                row_id,
                data,
                permissions,
            },
        )
        .await
    }
    /// `GET …/rows/{id}`; `queries` may hold a `select`.
    async fn get_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        queries: &[Query],
    ) -> Result<Row> {
        typed(
            self,
            Request::GetRow {
                database,
                table,
                row_id,
                queries,
            },
        )
        .await
    }
    /// `GET …/rows`: one page of matching rows and the (capped) total.
    async fn list_rows(
        &self,
        database: &str,
        table: &str,
        queries: &[Query],
        options: &ListOptions,
    ) -> Result<List<Row>> {
        typed(
            self,
            Request::ListRows {
                database,
                table,
                queries,
                options,
            },
        )
        .await
    }
    /// `PATCH …/rows/{id}`: sets the given columns; `permissions: None` keeps them.
    async fn update_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        permissions: Option<&[String]>,
    ) -> Result<Row> {
        typed(
            self,
            Request::UpdateRow {
                database,
                table,
                row_id,
                data,
                permissions,
            },
        )
        .await
    }
    /// `PUT …/rows/{id}`: creates the row or merges `data` into it.
    async fn upsert_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        permissions: Option<&[String]>,
    ) -> Result<Row> {
        typed(
            self,
            Request::UpsertRow {
                database,
                table,
                row_id,
                data,
                permissions,
            },
        )
        .await
    }
    /// `DELETE …/rows/{id}`.
    async fn delete_row(&self, database: &str, table: &str, row_id: &str) -> Result<()> {
        typed(
            self,
            Request::DeleteRow {
                database,
                table,
                row_id,
            },
        )
        .await
    }
    /// `POST …/rows` with `rows`: creates up to 100 rows, each may carry `$id` and
    /// `$permissions`. All or nothing.
    async fn create_rows(
        &self,
        database: &str,
        table: &str,
        rows: &[Document],
    ) -> Result<List<Row>> {
        typed(
            self,
            Request::CreateRows {
                database,
                table,
                rows,
            },
        )
        .await
    }
    /// `PUT …/rows`: upserts up to 100 rows (each may carry `$id`). All or nothing.
    async fn upsert_rows(
        &self,
        database: &str,
        table: &str,
        rows: &[Document],
    ) -> Result<List<Row>> {
        typed(
            self,
            Request::UpsertRows {
                database,
                table,
                rows,
            },
        )
        .await
    }
    /// `PATCH …/rows`: sets `data` on every row matching the filters; `total` is the number of
    /// rows changed.
    async fn update_rows(
        &self,
        database: &str,
        table: &str,
        data: &Document,
        queries: &[Query],
    ) -> Result<List<Row>> {
        typed(
            self,
            Request::UpdateRows {
                database,
                table,
                data,
                queries,
            },
        )
        .await
    }
    /// `DELETE …/rows`: deletes every row matching the filters; `total` is the number deleted.
    async fn delete_rows(
        &self,
        database: &str,
        table: &str,
        queries: &[Query],
    ) -> Result<List<Row>> {
        typed(
            self,
            Request::DeleteRows {
                database,
                table,
                queries,
            },
        )
        .await
    }
    /// `PATCH …/rows/{id}/{column}/increment`: adds `value` atomically, refusing to pass `max`.
    async fn increment_row_column(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        column: &str,
        value: Number,
        max: Option<Number>,
    ) -> Result<Row> {
        typed(
            self,
            Request::IncrementRowColumn {
                database,
                table,
                row_id,
                column,
                value: &value,
                max: max.as_ref(),
            },
        )
        .await
    }
    /// `PATCH …/rows/{id}/{column}/decrement`: subtracts `value` atomically, refusing to pass `min`.
    async fn decrement_row_column(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        column: &str,
        value: Number,
        min: Option<Number>,
    ) -> Result<Row> {
        typed(
            self,
            Request::DecrementRowColumn {
                database,
                table,
                row_id,
                column,
                value: &value,
                min: min.as_ref(),
            },
        )
        .await
    }

    // --- transactions --------------------------------------------------------------------------

    /// `POST /tablesdb/transactions`: `ttl` seconds (60-3600, default 300).
    async fn create_transaction(&self, ttl: Option<u32>) -> Result<Transaction> {
        typed(self, Request::CreateTransaction { ttl }).await
    }
    /// `GET /tablesdb/transactions/{id}`.
    async fn get_transaction(&self, id: &str) -> Result<Transaction> {
        typed(self, Request::GetTransaction { id }).await
    }
    /// `POST /tablesdb/transactions/{id}/operations`: stages operations; nothing is applied.
    async fn stage_operations(&self, id: &str, operations: &[Operation]) -> Result<Transaction> {
        typed(self, Request::StageOperations { id, operations }).await
    }
    /// `PATCH /tablesdb/transactions/{id}` with `commit`: applies every staged operation, or
    /// none when one fails.
    async fn commit_transaction(&self, id: &str) -> Result<Transaction> {
        typed(self, Request::CommitTransaction { id }).await
    }
    /// `PATCH /tablesdb/transactions/{id}` with `rollback`: discards the staged operations.
    async fn rollback_transaction(&self, id: &str) -> Result<Transaction> {
        typed(self, Request::RollbackTransaction { id }).await
    }
}

/// Sends `request` through `backend`'s [`call`](Backend::call) and takes the model the typed
/// method returns out of the response.
async fn typed<B: Backend + ?Sized, T: FromResponse>(
    backend: &B,
    request: Request<'_>,
) -> Result<T> {
    let name = request.name();
    T::from_response(backend.call(request).await?).map_err(|other| {
        Error::Internal(format!(
            "{name} answered {other} through {}",
            backend.name()
        ))
    })
}

/// A backend that answers each group of operations ([`Group`](crate::api::request::Group)) in
/// its own function: the embedded engine and the HTTP backend. [`route`] is their
/// [`Backend::call`].
#[async_trait]
pub(crate) trait Groups: Sync {
    /// Databases and tables.
    async fn catalog_call(&self, request: Request<'_>) -> Result<Response>;
    /// Columns and indexes of one table.
    async fn table_schema_call(&self, request: Request<'_>) -> Result<Response>;
    /// One row at a time, and lists of rows.
    async fn row_call(&self, request: Request<'_>) -> Result<Response>;
    /// The bulk row operations.
    async fn bulk_call(&self, request: Request<'_>) -> Result<Response>;
    /// Transactions.
    async fn transaction_call(&self, request: Request<'_>) -> Result<Response>;
}

/// The error for a request that reached a part of a backend not meant for it: a bug in a
/// dispatch, never an answer of Appwrite's.
pub(crate) fn misrouted(request: Request<'_>) -> Error {
    Error::Internal(format!(
        "{} reached a handler of another operation",
        request.name()
    ))
}

/// Sends `request` to the function of `backend` that answers its group.
pub(crate) async fn route<B: Groups>(backend: &B, request: Request<'_>) -> Result<Response> {
    use crate::api::request::Group;
    match request.group() {
        Group::Databases | Group::Tables => backend.catalog_call(request).await,
        Group::Columns | Group::Indexes => backend.table_schema_call(request).await,
        Group::Rows => backend.row_call(request).await,
        Group::BulkRows => backend.bulk_call(request).await,
        Group::Transactions => backend.transaction_call(request).await,
    }
}
