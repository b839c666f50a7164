//! The embedded engine: Appwrite's database semantics on SQLite, in process.
//!
//! Each Appwrite table is a real SQL table with one SQL column per Appwrite column, indexes are
//! SQL indexes, and queries are translated to SQL. Validation, system fields, error types and
//! messages follow Appwrite 1.9 (MariaDB adapter where adapters differ; see
//! `select` for the query semantics). Blocking SQLite work runs on Tokio's blocking pool.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use appwrite_orm::backend::{Backend, embedded::EmbeddedBackend};
//! use appwrite_orm::schema::{ColumnSchema, TableSchema};
//! use serde_json::json;
//!
//! let db = EmbeddedBackend::in_memory()?;
//! db.create_database("app", "App").await?;
//! let users = TableSchema::new("users", "Users").column(ColumnSchema::varchar("name", 64).required());
//! db.create_table("app", &users).await?;
//! let row = db
//!     .create_row("app", "users", "unique()", json!({"name": "Ada"}).as_object().unwrap(), None)
//!     .await?;
//! assert_eq!(row.id().len(), 20);
//! # Ok::<(), appwrite_orm::Error>(())
//! # }).unwrap();
//! ```
//!
//! Known differences from a real server: relationship columns store the related ids but do not
//! load, cascade or restrict; `search` matches words without MariaDB's stop-word list and minimum
//! word length; permissions are stored and returned but not enforced (the engine acts with an
//! API key's rights, as a server-side ORM does); `regex` reads the `regex` crate's dialect (no
//! backreferences or lookaround), matches case-sensitively and only on string columns, and
//! refuses an invalid pattern with a 400 where Appwrite's database fails with a 500.

mod catalog;
mod clock;
mod codec;
mod ddl;
mod errors;
mod pattern;
mod relations;
mod select;
mod spatial_filter;
mod spatial_rules;
mod transactions;
mod write;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

use self::catalog::Session;
use self::transactions::Transactions;
use super::{Backend, Document, Groups, List, ListOptions, misrouted, route};
use crate::api::{Request, Response};
use crate::query::Query;
use crate::{Error, Result};

/// Where the engine keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// In memory: gone when the backend is dropped.
    Memory,
    /// In a SQLite file, created when missing.
    File(PathBuf),
}

/// Settings of the embedded engine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmbeddedOptions {
    /// How long new columns and indexes stay `processing` (and deleted ones `deleting`), so that
    /// polling code is exercised. Default: zero (settled on the next read).
    pub column_delay: Duration,
}

/// Appwrite's database API on SQLite. Cheap to clone; clones share the same storage.
#[derive(Clone)]
pub struct EmbeddedBackend {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Mutex<Session>,
    storage: Storage,
    options: EmbeddedOptions,
    transactions: Transactions,
}

impl std::fmt::Debug for EmbeddedBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedBackend")
            .field("storage", &self.inner.storage)
            .field("options", &self.inner.options)
            .finish()
    }
}

impl EmbeddedBackend {
    /// An engine whose data lives in memory.
    pub fn in_memory() -> Result<Self> {
        Self::with_options(Storage::Memory, EmbeddedOptions::default())
    }

    /// An engine whose data lives in a SQLite file (created when missing).
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::with_options(
            Storage::File(path.as_ref().to_path_buf()),
            EmbeddedOptions::default(),
        )
    }

    /// An engine with explicit storage and options.
    pub fn with_options(storage: Storage, options: EmbeddedOptions) -> Result<Self> {
        let conn = match &storage {
            Storage::Memory => Connection::open_in_memory()?,
            Storage::File(path) => Connection::open(path)?,
        };
        if let Storage::File(_) = storage {
            conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
        }
        conn.set_prepared_statement_cache_capacity(256);
        conn.create_scalar_function(
            "aw_search",
            2,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| {
                let text: Option<String> = ctx.get(0)?;
                let query: String = ctx.get(1)?;
                Ok(text.is_some_and(|t| select::search_matches(&t, &query)))
            },
        )?;
        pattern::register(&conn)?;
        spatial_filter::register(&conn)?;
        catalog::init(&conn)?;
        relations::init(&conn)?;
        Ok(Self {
            inner: Arc::new(Inner {
                conn: Mutex::new(Session::new(conn)),
                storage,
                options,
                transactions: Transactions::default(),
            }),
        })
    }

    /// Where the data lives.
    pub fn storage(&self) -> &Storage {
        &self.inner.storage
    }

    /// The SQLite query plan of a row list, one line per step (for checking index use).
    pub async fn explain_list_rows(
        &self,
        database: &str,
        table: &str,
        queries: &[Query],
    ) -> Result<Vec<String>> {
        let (database, table, queries) = (database.to_owned(), table.to_owned(), queries.to_vec());
        self.run(move |conn, _| {
            let meta = ddl::load(conn, &database, &table)?;
            let plan = select::plan(conn, &meta, &queries)?;
            select::explain(conn, &meta, &plan)
        })
        .await
    }

    /// Runs blocking work on the connection, off the async runtime.
    async fn run<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Session, &Inner) -> Result<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let conn = lock(&inner.conn)?;
            work(&conn, &inner)
        })
        .await
        .map_err(|e| Error::Internal(format!("embedded engine task failed: {e}")))?
    }

    /// Runs a schema change atomically and forgets cached table metadata afterwards.
    async fn schema_change<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Session, &Inner) -> Result<T> + Send + 'static,
    {
        self.run(move |conn, inner| {
            let result = in_transaction(conn, |c| work(c, inner));
            conn.invalidate();
            result
        })
        .await
    }

    /// Runs blocking work inside one SQLite transaction: all of it is applied, or none.
    async fn atomic<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Session, &Inner) -> Result<T> + Send + 'static,
    {
        self.run(move |conn, inner| in_transaction(conn, |c| work(c, inner)))
            .await
    }
}

fn lock(conn: &Mutex<Session>) -> Result<MutexGuard<'_, Session>> {
    // A panic while holding the lock cannot leave SQLite half-written (every write runs in a
    // transaction that is rolled back when dropped), so a poisoned lock is safe to reuse.
    Ok(conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
}

/// Runs `work` in a savepoint: released on success, rolled back on error.
fn in_transaction<T>(conn: &Session, work: impl FnOnce(&Session) -> Result<T>) -> Result<T> {
    conn.execute_batch("SAVEPOINT aw_atomic")?;
    match work(conn) {
        Ok(v) => {
            conn.execute_batch("RELEASE aw_atomic")?;
            Ok(v)
        }
        Err(e) => {
            conn.execute_batch("ROLLBACK TO aw_atomic; RELEASE aw_atomic")?;
            // Metadata read during the failed work may describe what was just rolled back.
            conn.invalidate();
            Err(e)
        }
    }
}

fn delay_ms(inner: &Inner) -> i64 {
    i64::try_from(inner.options.column_delay.as_millis()).unwrap_or(i64::MAX)
}

fn owned(queries: &[Query]) -> Vec<Query> {
    queries.to_vec()
}

#[async_trait]
impl Backend for EmbeddedBackend {
    fn name(&self) -> &'static str {
        "embedded"
    }

    async fn call(&self, request: Request<'_>) -> Result<Response> {
        route(self, request).await
    }
}

#[async_trait]
impl Groups for EmbeddedBackend {
    /// Databases and tables.
    async fn catalog_call(&self, request: Request<'_>) -> Result<Response> {
        use Request as R;
        match request {
            R::CreateDatabase { id, name } => {
                let (id, name) = (id.to_owned(), name.to_owned());
                let created = self.schema_change(move |c, _| ddl::create_database(c, &id, &name));
                created.await.map(Response::Database)
            }
            R::GetDatabase { id } => {
                let id = id.to_owned();
                self.run(move |c, _| {
                    errors::check_id("databaseId", &id)?;
                    catalog::get_database(c, &id)
                })
                .await
                .map(Response::Database)
            }
            R::ListDatabases { queries } => {
                let queries = owned(queries);
                self.run(move |c, _| catalog::list_databases(c, &queries))
                    .await
                    .map(Response::Databases)
            }
            R::DeleteDatabase { id } => {
                let id = id.to_owned();
                let deleted = self.schema_change(move |c, _| ddl::delete_database(c, &id));
                deleted.await.map(|()| Response::Done)
            }
            R::CreateTable { database, table } => {
                let (database, table) = (database.to_owned(), table.clone());
                let created =
                    self.schema_change(move |c, _| ddl::create_table(c, &database, &table));
                created.await.map(Response::Table)
            }
            R::GetTable { database, table } => {
                let (database, table) = (database.to_owned(), table.to_owned());
                let table = self.run(move |c, _| Ok(ddl::load(c, &database, &table)?.to_table()));
                table.await.map(Response::Table)
            }
            R::ListTables { database, queries } => {
                let (database, queries) = (database.to_owned(), owned(queries));
                self.run(move |c, _| {
                    errors::check_id("databaseId", &database)?;
                    catalog::get_database(c, &database)?;
                    catalog::list_tables(c, &database, &queries)
                })
                .await
                .map(Response::Tables)
            }
            R::UpdateTable {
                database,
                table,
                update,
            } => {
                let (database, table, update) =
                    (database.to_owned(), table.to_owned(), update.clone());
                let updated = self
                    .schema_change(move |c, _| ddl::update_table(c, &database, &table, &update));
                updated.await.map(Response::Table)
            }
            R::DeleteTable { database, table } => {
                let (database, table) = (database.to_owned(), table.to_owned());
                let deleted =
                    self.schema_change(move |c, _| ddl::delete_table(c, &database, &table));
                deleted.await.map(|()| Response::Done)
            }
            other => Err(misrouted(other)),
        }
    }

    /// Columns and indexes of one table: the reads run as they are, the writes as schema
    /// changes (atomic, and the table's cached metadata forgotten afterwards).
    async fn table_schema_call(&self, request: Request<'_>) -> Result<Response> {
        use Request as R;
        let Some((database, table)) = request.table_path() else {
            return Err(misrouted(request));
        };
        let (database, table) = (database.to_owned(), table.to_owned());
        let at = move |c: &Session| ddl::load(c, &database, &table);
        let work: SchemaWork = match request {
            R::CreateColumn { column, .. } => {
                let column = column.clone();
                Box::new(move |c, delay| {
                    let meta = at(c)?;
                    ddl::create_column(c, &meta, &column, delay).map(Response::Column)
                })
            }
            R::GetColumn { key, .. } => {
                let key = key.to_owned();
                Box::new(move |c, _| ddl::get_column(&*at(c)?, &key).map(Response::Column))
            }
            R::ListColumns { .. } => {
                Box::new(move |c, _| Ok(Response::Columns(all(at(c)?.table.columns.clone()))))
            }
            R::UpdateColumn { key, column, .. } => {
                let (key, column) = (key.to_owned(), column.clone());
                Box::new(move |c, _| {
                    let meta = at(c)?;
                    ddl::update_column(c, &meta, &key, &column).map(Response::Column)
                })
            }
            R::DeleteColumn { key, .. } => {
                let key = key.to_owned();
                Box::new(move |c, delay| {
                    ddl::delete_column(c, &*at(c)?, &key, delay).map(|()| Response::Done)
                })
            }
            R::CreateIndex { index, .. } => {
                let index = index.clone();
                Box::new(move |c, delay| {
                    ddl::create_index(c, &*at(c)?, &index, delay).map(Response::Index)
                })
            }
            R::GetIndex { key, .. } => {
                let key = key.to_owned();
                Box::new(move |c, _| ddl::get_index(&*at(c)?, &key).map(Response::Index))
            }
            R::ListIndexes { .. } => {
                Box::new(move |c, _| Ok(Response::Indexes(all(at(c)?.table.indexes.clone()))))
            }
            R::DeleteIndex { key, .. } => {
                let key = key.to_owned();
                Box::new(move |c, delay| {
                    ddl::delete_index(c, &*at(c)?, &key, delay).map(|()| Response::Done)
                })
            }
            other => return Err(misrouted(other)),
        };
        let work = move |c: &Session, inner: &Inner| work(c, delay_ms(inner));
        if request.is_read() {
            self.run(work).await
        } else {
            self.schema_change(work).await
        }
    }

    /// One row: read, written, or a column of it incremented.
    async fn row_call(&self, request: Request<'_>) -> Result<Response> {
        use Request as R;
        let no_data = Document::new();
        let op = match request {
            R::CreateRow {
                database,
                table,
                row_id,
                data,
                permissions,
            }
            | R::UpdateRow {
                database,
                table,
                row_id,
                data,
                permissions,
            }
            | R::UpsertRow {
                database,
                table,
                row_id,
                data,
                permissions,
            } => transactions::RowWrite::new(database, table, row_id, data, permissions),
            R::DeleteRow {
                database,
                table,
                row_id,
            }
            | R::IncrementRowColumn {
                database,
                table,
                row_id,
                ..
            }
            | R::DecrementRowColumn {
                database,
                table,
                row_id,
                ..
            } => transactions::RowWrite::new(database, table, row_id, &no_data, None),
            R::GetRow {
                database,
                table,
                row_id,
                queries,
            } => return self.get_row_call(database, table, row_id, queries).await,
            R::ListRows {
                database,
                table,
                queries,
                options,
            } => return self.list_rows_call(database, table, queries, options).await,
            other => return Err(misrouted(other)),
        };
        let written = match request {
            R::CreateRow { .. } => self.atomic(move |c, _| op.create(c)).await,
            R::UpdateRow { .. } => self.atomic(move |c, _| op.update(c)).await,
            R::UpsertRow { .. } => self.atomic(move |c, _| op.upsert(c)).await,
            R::DeleteRow { .. } => {
                return self
                    .atomic(move |c, _| op.delete(c))
                    .await
                    .map(|()| Response::Done);
            }
            R::IncrementRowColumn {
                column,
                value,
                max: bound,
                ..
            }
            | R::DecrementRowColumn {
                column,
                value,
                min: bound,
                ..
            } => {
                let step = write::Step {
                    column: column.to_owned(),
                    delta: value.clone(),
                    bound: bound.cloned(),
                    decrement: matches!(request, R::DecrementRowColumn { .. }),
                };
                self.atomic(move |c, _| op.add(c, &step)).await
            }
            other => return Err(misrouted(other)),
        };
        written.map(Response::Row)
    }

    /// The bulk row operations, each all or nothing.
    async fn bulk_call(&self, request: Request<'_>) -> Result<Response> {
        use Request as R;
        let (database, table) = match request.table_path() {
            Some((database, table)) => (database.to_owned(), table.to_owned()),
            None => return Err(misrouted(request)),
        };
        let rows = match request {
            R::CreateRows { rows, .. } => {
                let rows = rows.to_vec();
                self.atomic(move |c, _| {
                    write::require_rows(&rows)?;
                    let meta = ddl::load(c, &database, &table)?;
                    write::create_rows(c, &meta, &rows)
                })
                .await
            }
            R::UpsertRows { rows, .. } => {
                let rows = rows.to_vec();
                self.atomic(move |c, _| {
                    let meta = ddl::load(c, &database, &table)?;
                    write::upsert_rows(c, &meta, &rows)
                })
                .await
            }
            R::UpdateRows { data, queries, .. } => {
                let (data, queries) = (data.clone(), owned(queries));
                self.atomic(move |c, _| {
                    let meta = ddl::load(c, &database, &table)?;
                    let plan = select::plan(c, &meta, &queries)?;
                    write::update_rows(c, &meta, &data, plan)
                })
                .await
            }
            R::DeleteRows { queries, .. } => {
                let queries = owned(queries);
                self.atomic(move |c, _| {
                    let meta = ddl::load(c, &database, &table)?;
                    let plan = select::plan(c, &meta, &queries)?;
                    write::delete_rows(c, &meta, plan)
                })
                .await
            }
            other => return Err(misrouted(other)),
        };
        rows.map(Response::Rows)
    }

    /// Transactions: staged in memory, applied at the commit.
    async fn transaction_call(&self, request: Request<'_>) -> Result<Response> {
        use Request as R;
        let transaction = match request {
            R::CreateTransaction { ttl } => {
                self.run(move |_, inner| inner.transactions.create(ttl))
                    .await
            }
            R::GetTransaction { id } => {
                let id = id.to_owned();
                self.run(move |_, inner| inner.transactions.get(&id)).await
            }
            R::StageOperations { id, operations } => {
                let (id, operations) = (id.to_owned(), operations.to_vec());
                self.run(move |_, inner| inner.transactions.stage(&id, operations))
                    .await
            }
            R::CommitTransaction { id } => {
                let id = id.to_owned();
                self.run(move |c, inner| inner.transactions.commit(c, &id))
                    .await
            }
            R::RollbackTransaction { id } => {
                let id = id.to_owned();
                self.run(move |_, inner| inner.transactions.rollback(&id))
                    .await
            }
            other => return Err(misrouted(other)),
        };
        transaction.map(Response::Transaction)
    }
}

impl EmbeddedBackend {
    async fn get_row_call(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        queries: &[Query],
    ) -> Result<Response> {
        let (database, table, row_id, queries) = (
            database.to_owned(),
            table.to_owned(),
            row_id.to_owned(),
            owned(queries),
        );
        self.run(move |c, _| {
            let meta = ddl::load(c, &database, &table)?;
            errors::check_id("rowId", &row_id)?;
            let plan = select::plan(c, &meta, &queries)?;
            let row = select::get_by_id(c, &meta, &row_id, plan.selected())?
                .ok_or_else(errors::row_not_found)?;
            let mut rows = [row];
            relations::populate(c, &meta, &mut rows, &plan.selection(), 0)?;
            let [row] = rows;
            Ok(row)
        })
        .await
        .map(Response::Row)
    }

    async fn list_rows_call(
        &self,
        database: &str,
        table: &str,
        queries: &[Query],
        options: &ListOptions,
    ) -> Result<Response> {
        let (database, table, queries, options) = (
            database.to_owned(),
            table.to_owned(),
            owned(queries),
            options.clone(),
        );
        self.run(move |c, inner| {
            let list = |c: &Session| {
                let meta = ddl::load(c, &database, &table)?;
                let plan = select::plan(c, &meta, &queries)?;
                let mut items = select::fetch(c, &meta, &plan)?;
                relations::populate(c, &meta, &mut items, &plan.selection(), 0)?;
                let total = if options.total {
                    select::count(c, &meta, &plan)?
                } else {
                    0
                };
                Ok(List { total, items })
            };
            match &options.transaction_id {
                None => list(c),
                Some(id) => inner.transactions.read_within(c, id, list),
            }
        })
        .await
        .map(Response::Rows)
    }
}

/// Work on one table's columns or indexes, given the delay before a status change is due.
type SchemaWork = Box<dyn FnOnce(&Session, i64) -> Result<Response> + Send>;

/// Every item of a list that is not paged.
fn all<T>(items: Vec<T>) -> List<T> {
    List {
        total: items.len() as u64,
        items,
    }
}
