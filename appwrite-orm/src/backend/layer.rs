//! One funnel for wrappers: a [`Layer`] sees every call of the [`Backend`] it wraps as an
//! [`api::Request`](crate::api::Request) and answers an [`api::Response`](crate::api::Response).
//!
//! A wrapper that observes or intercepts calls (counting requests, recording a dry run, injecting
//! faults) implements [`Layer`]: the wrapped backend and, when it does more than forward, the one
//! method [`Layer::call`]. Every type that implements `Layer` is a `Backend`: the typed methods
//! are written once, here, each turning its arguments into a request and its answer back into
//! the model. Adding an operation to the API therefore touches the contract
//! ([`api::request`](crate::api::request)), the `Backend` trait and this file, and no wrapper.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use std::sync::{Arc, Mutex};
//! use appwrite_orm::api::{Request, Response};
//! use appwrite_orm::backend::{Backend, Layer, embedded::EmbeddedBackend, send};
//!
//! /// Logs the name of every operation.
//! #[derive(Debug)]
//! struct Log {
//!     inner: Arc<dyn Backend>,
//!     seen: Mutex<Vec<&'static str>>,
//! }
//!
//! #[async_trait::async_trait]
//! impl Layer for Log {
//!     fn wrapped(&self) -> &dyn Backend {
//!         &*self.inner
//!     }
//!     async fn call(&self, request: Request<'_>) -> appwrite_orm::Result<Response> {
//!         self.seen.lock().unwrap().push(request.name());
//!         send(self.wrapped(), request).await
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

use async_trait::async_trait;
use serde_json::Number;

use super::Backend;
use crate::api::request::FromResponse;
use crate::api::{
    Column, Database, Document, Index, List, ListOptions, Operation, Request, Response, Row, Table,
    TableUpdate, Transaction,
};
use crate::query::Query;
use crate::schema::{ColumnSchema, IndexSchema, TableSchema};
use crate::{Error, Result};

/// Sends `request` to `backend` through its typed method: the way back from data to a call.
pub async fn send(backend: &dyn Backend, request: Request<'_>) -> Result<Response> {
    use Request as R;
    use Response as A;
    let b = backend;
    Ok(match request {
        R::CreateDatabase { id, name } => A::Database(b.create_database(id, name).await?),
        R::GetDatabase { id } => A::Database(b.get_database(id).await?),
        R::ListDatabases { queries } => A::Databases(b.list_databases(queries).await?),
        R::DeleteDatabase { id } => done(b.delete_database(id).await?),
        R::CreateTable { database, table } => A::Table(b.create_table(database, table).await?),
        R::GetTable { database, table } => A::Table(b.get_table(database, table).await?),
        R::ListTables { database, queries } => A::Tables(b.list_tables(database, queries).await?),
        R::UpdateTable {
            database,
            table,
            update,
        } => A::Table(b.update_table(database, table, update).await?),
        R::DeleteTable { database, table } => done(b.delete_table(database, table).await?),
        R::CreateColumn {
            database,
            table,
            column,
        } => A::Column(b.create_column(database, table, column).await?),
        R::GetColumn {
            database,
            table,
            key,
        } => A::Column(b.get_column(database, table, key).await?),
        R::ListColumns { database, table } => A::Columns(b.list_columns(database, table).await?),
        R::UpdateColumn {
            database,
            table,
            key,
            column,
        } => A::Column(b.update_column(database, table, key, column).await?),
        R::DeleteColumn {
            database,
            table,
            key,
        } => done(b.delete_column(database, table, key).await?),
        R::CreateIndex {
            database,
            table,
            index,
        } => A::Index(b.create_index(database, table, index).await?),
        R::GetIndex {
            database,
            table,
            key,
        } => A::Index(b.get_index(database, table, key).await?),
        R::ListIndexes { database, table } => A::Indexes(b.list_indexes(database, table).await?),
        R::DeleteIndex {
            database,
            table,
            key,
        } => done(b.delete_index(database, table, key).await?),
        R::CreateRow {
            database,
            table,
            row_id,
            data,
            permissions,
        } => A::Row(
            b.create_row(database, table, row_id, data, permissions)
                .await?,
        ),
        R::GetRow {
            database,
            table,
            row_id,
            queries,
        } => A::Row(b.get_row(database, table, row_id, queries).await?),
        R::ListRows {
            database,
            table,
            queries,
            options,
        } => A::Rows(b.list_rows(database, table, queries, options).await?),
        R::UpdateRow {
            database,
            table,
            row_id,
            data,
            permissions,
        } => A::Row(
            b.update_row(database, table, row_id, data, permissions)
                .await?,
        ),
        R::UpsertRow {
            database,
            table,
            row_id,
            data,
            permissions,
        } => A::Row(
            b.upsert_row(database, table, row_id, data, permissions)
                .await?,
        ),
        R::DeleteRow {
            database,
            table,
            row_id,
        } => done(b.delete_row(database, table, row_id).await?),
        R::CreateRows {
            database,
            table,
            rows,
        } => A::Rows(b.create_rows(database, table, rows).await?),
        R::UpsertRows {
            database,
            table,
            rows,
        } => A::Rows(b.upsert_rows(database, table, rows).await?),
        R::UpdateRows {
            database,
            table,
            data,
            queries,
        } => A::Rows(b.update_rows(database, table, data, queries).await?),
        R::DeleteRows {
            database,
            table,
            queries,
        } => A::Rows(b.delete_rows(database, table, queries).await?),
        R::IncrementRowColumn {
            database,
            table,
            row_id,
            column,
            value,
            max,
        } => A::Row(
            b.increment_row_column(database, table, row_id, column, value.clone(), max.cloned())
                .await?,
        ),
        R::DecrementRowColumn {
            database,
            table,
            row_id,
            column,
            value,
            min,
        } => A::Row(
            b.decrement_row_column(database, table, row_id, column, value.clone(), min.cloned())
                .await?,
        ),
        R::CreateTransaction { ttl } => A::Transaction(b.create_transaction(ttl).await?),
        R::GetTransaction { id } => A::Transaction(b.get_transaction(id).await?),
        R::StageOperations { id, operations } => {
            A::Transaction(b.stage_operations(id, operations).await?)
        }
        R::CommitTransaction { id } => A::Transaction(b.commit_transaction(id).await?),
        R::RollbackTransaction { id } => A::Transaction(b.rollback_transaction(id).await?),
    })
}

fn done((): ()) -> Response {
    Response::Done
}

/// A wrapper around a [`Backend`] that sees every call in one place; see the
/// [module](self) docs. Every `Layer` is a `Backend`.
#[async_trait]
pub trait Layer: Send + Sync + std::fmt::Debug {
    /// The backend this layer wraps.
    fn wrapped(&self) -> &dyn Backend;

    /// Answers one call. The default sends it to [`wrapped`](Layer::wrapped) unchanged; a layer
    /// overrides this to observe or intercept.
    async fn call(&self, request: Request<'_>) -> Result<Response> {
        send(self.wrapped(), request).await
    }
}

/// Runs `request` through the layer and takes the model the typed method returns out of the
/// response.
async fn typed<L: Layer + ?Sized, T: FromResponse>(layer: &L, request: Request<'_>) -> Result<T> {
    let name = request.name();
    T::from_response(layer.call(request).await?)
        .map_err(|other| Error::Internal(format!("{name} answered {other} through {layer:?}")))
}

#[async_trait]
impl<L: Layer> Backend for L {
    fn name(&self) -> &'static str {
        self.wrapped().name()
    }

    async fn create_database(&self, id: &str, name: &str) -> Result<Database> {
        typed(self, Request::CreateDatabase { id, name }).await
    }

    async fn get_database(&self, id: &str) -> Result<Database> {
        typed(self, Request::GetDatabase { id }).await
    }

    async fn list_databases(&self, queries: &[Query]) -> Result<List<Database>> {
        typed(self, Request::ListDatabases { queries }).await
    }

    async fn delete_database(&self, id: &str) -> Result<()> {
        typed(self, Request::DeleteDatabase { id }).await
    }

    async fn create_table(&self, database: &str, table: &TableSchema) -> Result<Table> {
        typed(self, Request::CreateTable { database, table }).await
    }

    async fn get_table(&self, database: &str, table: &str) -> Result<Table> {
        typed(self, Request::GetTable { database, table }).await
    }

    async fn list_tables(&self, database: &str, queries: &[Query]) -> Result<List<Table>> {
        typed(self, Request::ListTables { database, queries }).await
    }

    async fn update_table(
        &self,
        database: &str,
        table: &str,
        update: &TableUpdate,
    ) -> Result<Table> {
        let request = Request::UpdateTable {
            database,
            table,
            update,
        };
        typed(self, request).await
    }

    async fn delete_table(&self, database: &str, table: &str) -> Result<()> {
        typed(self, Request::DeleteTable { database, table }).await
    }

    async fn create_column(
        &self,
        database: &str,
        table: &str,
        column: &ColumnSchema,
    ) -> Result<Column> {
        let request = Request::CreateColumn {
            database,
            table,
            column,
        };
        typed(self, request).await
    }

    async fn get_column(&self, database: &str, table: &str, key: &str) -> Result<Column> {
        let request = Request::GetColumn {
            database,
            table,
            key,
        };
        typed(self, request).await
    }

    async fn list_columns(&self, database: &str, table: &str) -> Result<List<Column>> {
        typed(self, Request::ListColumns { database, table }).await
    }

    async fn update_column(
        &self,
        database: &str,
        table: &str,
        key: &str,
        column: &ColumnSchema,
    ) -> Result<Column> {
        let request = Request::UpdateColumn {
            database,
            table,
            key,
            column,
        };
        typed(self, request).await
    }

    async fn delete_column(&self, database: &str, table: &str, key: &str) -> Result<()> {
        let request = Request::DeleteColumn {
            database,
            table,
            key,
        };
        typed(self, request).await
    }

    async fn create_index(
        &self,
        database: &str,
        table: &str,
        index: &IndexSchema,
    ) -> Result<Index> {
        let request = Request::CreateIndex {
            database,
            table,
            index,
        };
        typed(self, request).await
    }

    async fn get_index(&self, database: &str, table: &str, key: &str) -> Result<Index> {
        let request = Request::GetIndex {
            database,
            table,
            key,
        };
        typed(self, request).await
    }

    async fn list_indexes(&self, database: &str, table: &str) -> Result<List<Index>> {
        typed(self, Request::ListIndexes { database, table }).await
    }

    async fn delete_index(&self, database: &str, table: &str, key: &str) -> Result<()> {
        let request = Request::DeleteIndex {
            database,
            table,
            key,
        };
        typed(self, request).await
    }

    async fn create_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        permissions: Option<&[String]>,
    ) -> Result<Row> {
        let request = Request::CreateRow {
            database,
            table,
            row_id,
            data,
            permissions,
        };
        typed(self, request).await
    }

    async fn get_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        queries: &[Query],
    ) -> Result<Row> {
        let request = Request::GetRow {
            database,
            table,
            row_id,
            queries,
        };
        typed(self, request).await
    }

    async fn list_rows(
        &self,
        database: &str,
        table: &str,
        queries: &[Query],
        options: &ListOptions,
    ) -> Result<List<Row>> {
        let request = Request::ListRows {
            database,
            table,
            queries,
            options,
        };
        typed(self, request).await
    }

    async fn update_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        permissions: Option<&[String]>,
    ) -> Result<Row> {
        let request = Request::UpdateRow {
            database,
            table,
            row_id,
            data,
            permissions,
        };
        typed(self, request).await
    }

    async fn upsert_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        permissions: Option<&[String]>,
    ) -> Result<Row> {
        let request = Request::UpsertRow {
            database,
            table,
            row_id,
            data,
            permissions,
        };
        typed(self, request).await
    }

    async fn delete_row(&self, database: &str, table: &str, row_id: &str) -> Result<()> {
        let request = Request::DeleteRow {
            database,
            table,
            row_id,
        };
        typed(self, request).await
    }

    async fn create_rows(
        &self,
        database: &str,
        table: &str,
        rows: &[Document],
    ) -> Result<List<Row>> {
        let request = Request::CreateRows {
            database,
            table,
            rows,
        };
        typed(self, request).await
    }

    async fn upsert_rows(
        &self,
        database: &str,
        table: &str,
        rows: &[Document],
    ) -> Result<List<Row>> {
        let request = Request::UpsertRows {
            database,
            table,
            rows,
        };
        typed(self, request).await
    }

    async fn update_rows(
        &self,
        database: &str,
        table: &str,
        data: &Document,
        queries: &[Query],
    ) -> Result<List<Row>> {
        let request = Request::UpdateRows {
            database,
            table,
            data,
            queries,
        };
        typed(self, request).await
    }

    async fn delete_rows(
        &self,
        database: &str,
        table: &str,
        queries: &[Query],
    ) -> Result<List<Row>> {
        let request = Request::DeleteRows {
            database,
            table,
            queries,
        };
        typed(self, request).await
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
        let request = Request::IncrementRowColumn {
            database,
            table,
            row_id,
            column,
            value: &value,
            max: max.as_ref(),
        };
        typed(self, request).await
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
        let request = Request::DecrementRowColumn {
            database,
            table,
            row_id,
            column,
            value: &value,
            min: min.as_ref(),
        };
        typed(self, request).await
    }

    async fn create_transaction(&self, ttl: Option<u32>) -> Result<Transaction> {
        typed(self, Request::CreateTransaction { ttl }).await
    }

    async fn get_transaction(&self, id: &str) -> Result<Transaction> {
        typed(self, Request::GetTransaction { id }).await
    }

    async fn stage_operations(&self, id: &str, operations: &[Operation]) -> Result<Transaction> {
        typed(self, Request::StageOperations { id, operations }).await
    }

    async fn commit_transaction(&self, id: &str) -> Result<Transaction> {
        typed(self, Request::CommitTransaction { id }).await
    }

    async fn rollback_transaction(&self, id: &str) -> Result<Transaction> {
        typed(self, Request::RollbackTransaction { id }).await
    }
}
