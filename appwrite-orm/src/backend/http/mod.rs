//! The [`Backend`] of a real Appwrite server, over HTTPS with reqwest.
//!
//! ```no_run
//! # async fn run() -> appwrite_orm::Result<()> {
//! use appwrite_orm::backend::Backend;
//! use appwrite_orm::backend::http::{HttpBackend, HttpConfig};
//!
//! let backend = HttpBackend::new(HttpConfig::from_env()?)?;
//! let db = backend.get_database("app").await?;
//! # Ok(()) }
//! ```
//!
//! - **Routes.** The server's version (from [`HttpConfig::server_version`] or
//!   `GET /v1/health/version`, asked once) picks the API: TablesDB (`/v1/tablesdb/…`) from 1.8
//!   on, the legacy Databases API (`/v1/databases/{db}/collections/…`, `documentId`,
//!   `documents`, `$collectionId`, ...) before. Answers and error types come back in TablesDB
//!   names either way. Transactions and increment/decrement need 1.8, bulk row calls 1.7;
//!   older servers get [`Error::Unsupported`] without a request.
//! - **Column kinds.** Before 1.9 `varchar` and the text family are created as `string` with a
//!   size, before 1.9.5 `bigint` as `integer` (see `bodies::server_column`). From 1.9 on
//!   create-table sends columns and indexes inline where Appwrite accepts them; the others are
//!   created one by one and waited for, so the table comes back with everything `available`.
//! - **Retries.** Requests that are safe to repeat are retried with backoff (see
//!   [`RetryPolicy`]); creates carry client-made ids, so a repeat that meets `409` returns what
//!   the lost attempt created when it matches what was sent.
//! - **Safety.** Ids and keys are checked against Appwrite's rule before they go into a URL
//!   (refused with the `400 general_argument_invalid` the server would answer, nothing sent);
//!   the key never appears in `Debug`, `Display`, errors or logs; https is required except on
//!   loopback.

mod bodies;
mod client;
mod config;
mod ids;
mod recover;
mod response;
mod retry;
mod routes;
mod tables;
mod version;

pub use config::{
    ApiKey, ENV_API_KEY, ENV_DATABASE_ID, ENV_ENDPOINT, ENV_PROJECT_ID, HttpConfig, RetryPolicy,
};
pub use version::ServerVersion;

use async_trait::async_trait;
use serde_json::{Number, Value, json};
use tokio::sync::OnceCell;

use self::client::{Request, Transport};
use self::response::{Reply, parse_column, parse_index, parse_model, parse_table};
use self::routes::{Api, HEALTH_VERSION, Params};
use self::version::{BULK, JSON_QUERIES, TABLES_DB, TOTAL_FLAG};
use super::{
    Backend, Column, Database, Document, Index, List, ListOptions, Row, Transaction, UNIQUE_ID,
};
use crate::api::request::Group;
use crate::api::{self, Response, types};
use crate::query::Query;
use crate::schema::{ColumnKind, ColumnSchema, IndexSchema, model_type};
use crate::{Error, Result};

/// The HTTP backend: Appwrite's database API on a real server (or the emulator).
///
/// Cheap to share: wrap it in an `Arc`; it holds one connection pool for all calls.
#[derive(Debug)]
pub struct HttpBackend {
    transport: Transport,
    config: HttpConfig,
    version: OnceCell<ServerVersion>,
}

/// The server's version and the API it implies, for one call.
#[derive(Debug, Clone, Copy)]
struct Ctx {
    version: ServerVersion,
    api: Api,
}

impl HttpBackend {
    /// Checks the configuration and builds the client. Nothing is sent yet: the server's
    /// version is asked on the first call that needs it.
    pub fn new(config: HttpConfig) -> Result<Self> {
        let endpoint = config.endpoint_url()?;
        let transport = Transport::new(&config, &endpoint)?;
        let version = match config
            .server_version
            .as_deref()
            .and_then(ServerVersion::parse)
        {
            Some(v) => OnceCell::new_with(Some(v)),
            None => OnceCell::new(),
        };
        Ok(Self {
            transport,
            config,
            version,
        })
    }

    /// The configuration the backend was built with.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// The database named in the configuration, if any.
    pub fn default_database(&self) -> Option<&str> {
        self.config.database_id.as_deref()
    }

    /// The server's version: the configured one, or `GET /v1/health/version` (asked once).
    pub async fn server_version(&self) -> Result<ServerVersion> {
        self.version
            .get_or_try_init(|| async {
                let reply = self
                    .transport
                    .send(Request::get(Api::TablesDb, HEALTH_VERSION.to_owned()))
                    .await?;
                let status = reply.status;
                let body = reply.object()?;
                let text = body.get("version").and_then(Value::as_str).unwrap_or("");
                let version =
                    ServerVersion::parse(text).ok_or_else(|| Error::UnexpectedResponse {
                        status,
                        detail: format!(
                            "GET {HEALTH_VERSION}: {:?} is not a version like 1.9.6",
                            response::excerpt(body.to_string().as_bytes())
                        ),
                    })?;
                tracing::debug!(%version, "appwrite server version");
                Ok::<_, Error>(version)
            })
            .await
            .copied()
    }

    async fn ctx(&self) -> Result<Ctx> {
        let version = self.server_version().await?;
        // Older servers take queries as function-call strings, which this client does not
        // write; refusing here beats a confusing 400 on the first query.
        version.require(JSON_QUERIES, "this client")?;
        Ok(Ctx {
            version,
            api: Api::for_version(version),
        })
    }

    /// The context of a call on one table, after checking both ids (before anything is sent,
    /// the version probe included).
    async fn table_ctx(&self, database: &str, table: &str) -> Result<Ctx> {
        ids::check_id("databaseId", database)?;
        ids::check_id("tableId", table)?;
        self.ctx().await
    }

    async fn send(&self, request: Request) -> Result<Reply> {
        self.transport.send(request).await
    }

    /// Sends a delete; a 404 after a repeat means the earlier attempt deleted it.
    async fn delete(&self, api: Api, path: String, not_found: &str) -> Result<()> {
        let sent = self
            .transport
            .send_tracked(Request::delete(api, path, json!({})))
            .await;
        recover::gone(sent.result.map(|_| ()), sent.repeated, not_found)
    }

    /// The rows with these ids, for the recovery of a repeated bulk create.
    async fn rows_by_id(&self, database: &str, table: &str, ids: &[String]) -> Result<Vec<Row>> {
        let queries = [
            Query::equal("$id", ids.iter().map(String::as_str)),
            Query::limit(ids.len() as u64),
        ];
        let options = ListOptions {
            total: false,
            transaction_id: None,
        };
        Ok(self
            .list_rows(database, table, &queries, &options)
            .await?
            .items)
    }

    async fn post_rows(
        &self,
        ctx: Ctx,
        database: &str,
        table: &str,
        rows: &[Document],
    ) -> (Result<List<Row>>, bool) {
        let request = Request::post(
            ctx.api,
            ctx.api.rows(database, table),
            bodies::rows(ctx.api, rows),
        )
        .retry(true);
        let sent = self.transport.send_tracked(request).await;
        (sent.result.and_then(Reply::rows), sent.repeated)
    }
}

/// Gives every row without an `$id` (or with `unique()`) a client-made one, so that the bulk
/// request can be repeated without creating duplicates.
fn with_client_ids(rows: &[Document]) -> Vec<Document> {
    rows.iter()
        .map(|row| {
            let mut row = row.clone();
            let needs_id = match row.get("$id") {
                None | Some(Value::Null) => true,
                Some(Value::String(s)) => s == UNIQUE_ID,
                Some(_) => false,
            };
            if needs_id {
                row.insert("$id".into(), json!(ids::new_id()));
            }
            row
        })
        .collect()
}

fn row_id_of(row: &Document) -> &str {
    row.get("$id").and_then(Value::as_str).unwrap_or("")
}

/// Whether an existing column is the one a create asked for (same key and stored type).
fn same_column(existing: &Column, wanted: &ColumnSchema) -> bool {
    existing.schema.key == wanted.key
        && model_type(&existing.schema.kind) == model_type(&wanted.kind)
        && existing.schema.array == wanted.array
}

/// Whether an existing index is the one a create asked for.
fn same_index(existing: &Index, wanted: &IndexSchema) -> bool {
    existing.schema.key == wanted.key
        && existing.schema.kind == wanted.kind
        && existing.schema.columns == wanted.columns
}

#[async_trait]
impl Backend for HttpBackend {
    fn name(&self) -> &'static str {
        "http"
    }

    async fn call(&self, call: api::Request<'_>) -> Result<Response> {
        match call.group() {
            Group::Databases | Group::Tables => self.catalog_call(call).await,
            Group::Columns => self.column_call(call).await,
            Group::Indexes => self.index_call(call).await,
            Group::Rows => self.row_call(call).await,
            Group::BulkRows => self.bulk_call(call).await,
            Group::Transactions => self.transaction_call(call).await,
        }
    }
}

// Each arm runs its body in an `async` block, so that the body can return early with its own
// model before the arm turns that model into a `Response`.
impl HttpBackend {
    /// Databases and tables.
    async fn catalog_call(&self, call: api::Request<'_>) -> Result<Response> {
        use api::Request as R;
        match call {
            R::CreateDatabase { id, name } => async {
                let ctx = self.ctx().await?;
                let id = ids::custom_id("databaseId", id)?;
                let body = json!({ "databaseId": id, "name": name });
                let request = Request::post(ctx.api, ctx.api.databases(), body).retry(true);
                let sent = self.transport.send_tracked(request).await;
                let result = sent.result.and_then(Reply::model::<Database>);
                recover::conflict(
                    result,
                    sent.repeated,
                    types::DATABASE_ALREADY_EXISTS,
                    || async {
                        let existing = self.get_database(&id).await?;
                        Ok((existing.name == name).then_some(existing))
                    },
                )
                .await
            }
            .await
            .map(Response::Database),
            R::GetDatabase { id } => async {
                let ctx = self.ctx().await?;
                ids::check_id("databaseId", id)?;
                self.send(Request::get(ctx.api, ctx.api.database(id)))
                    .await?
                    .model()
            }
            .await
            .map(Response::Database),
            R::ListDatabases { queries } => async {
                let ctx = self.ctx().await?;
                self.send(
                    Request::get(ctx.api, ctx.api.databases())
                        .params(Params::new().queries(queries)),
                )
                .await?
                .list("databases", parse_model::<Database>)
            }
            .await
            .map(Response::Databases),
            R::DeleteDatabase { id } => async {
                let ctx = self.ctx().await?;
                ids::check_id("databaseId", id)?;
                self.delete(ctx.api, ctx.api.database(id), types::DATABASE_NOT_FOUND)
                    .await
            }
            .await
            .map(|()| Response::Done),
            R::CreateTable { database, table } => async {
                let ctx = self.ctx().await?;
                self.create_table_in(ctx, database, table).await
            }
            .await
            .map(Response::Table),
            R::GetTable { database, table } => async {
                let ctx = self.table_ctx(database, table).await?;
                self.send(Request::get(ctx.api, ctx.api.table(database, table)))
                    .await?
                    .table()
            }
            .await
            .map(Response::Table),
            R::ListTables { database, queries } => async {
                let ctx = self.ctx().await?;
                ids::check_id("databaseId", database)?;
                let request = Request::get(ctx.api, ctx.api.tables(database))
                    .params(Params::new().queries(queries));
                self.send(request)
                    .await?
                    .list(ctx.api.names().tables, parse_table)
            }
            .await
            .map(Response::Tables),
            R::UpdateTable {
                database,
                table,
                update,
            } => async {
                let ctx = self.table_ctx(database, table).await?;
                let body = bodies::table_update(ctx.api, update);
                self.send(Request::put(ctx.api, ctx.api.table(database, table), body))
                    .await?
                    .table()
            }
            .await
            .map(Response::Table),
            R::DeleteTable { database, table } => async {
                let ctx = self.table_ctx(database, table).await?;
                self.delete(
                    ctx.api,
                    ctx.api.table(database, table),
                    types::TABLE_NOT_FOUND,
                )
                .await
            }
            .await
            .map(|()| Response::Done),
            other => Err(misrouted(other)),
        }
    }

    /// Columns of one table.
    async fn column_call(&self, call: api::Request<'_>) -> Result<Response> {
        use api::Request as R;
        match call {
            R::CreateColumn {
                database,
                table,
                column,
            } => async {
                let ctx = self.table_ctx(database, table).await?;
                ids::check_key("key", &column.key)?;
                let server = bodies::server_column(column, ctx.version);
                let path = ctx
                    .api
                    .column_create(database, table, server.kind.route_type());
                let request = Request::post(ctx.api, path, bodies::column_create(&server, ctx.api))
                    .retry(true);
                let sent = self.transport.send_tracked(request).await;
                let result = sent.result.and_then(Reply::column);
                recover::conflict(
                    result,
                    sent.repeated,
                    types::COLUMN_ALREADY_EXISTS,
                    || async {
                        let existing = self.get_column(database, table, &server.key).await?;
                        Ok(same_column(&existing, &server).then_some(existing))
                    },
                )
                .await
            }
            .await
            .map(Response::Column),
            R::GetColumn {
                database,
                table,
                key,
            } => async {
                let ctx = self.table_ctx(database, table).await?;
                ids::check_key("key", key)?;
                self.send(Request::get(ctx.api, ctx.api.column(database, table, key)))
                    .await?
                    .column()
            }
            .await
            .map(Response::Column),
            R::ListColumns { database, table } => async {
                let ctx = self.table_ctx(database, table).await?;
                self.send(Request::get(ctx.api, ctx.api.columns(database, table)))
                    .await?
                    .list(ctx.api.names().columns, parse_column)
            }
            .await
            .map(Response::Columns),
            R::UpdateColumn {
                database,
                table,
                key,
                column,
            } => {
                async {
                    let ctx = self.table_ctx(database, table).await?;
                    ids::check_key("key", key)?;
                    ids::check_key("newKey", &column.key)?;
                    let server = bodies::server_column(column, ctx.version);
                    let (path, body) = if matches!(server.kind, ColumnKind::Relationship(_)) {
                        (
                            ctx.api.relationship_update(database, table, key),
                            bodies::relationship_update(&server, key),
                        )
                    } else {
                        (
                            ctx.api
                                .column_update(database, table, server.kind.route_type(), key),
                            bodies::column_update(&server, key),
                        )
                    };
                    // Setting the same values again is harmless, so the update is retried.
                    let sent = self
                        .transport
                        .send_tracked(Request::patch(ctx.api, path, body).retry(true))
                        .await;
                    let result = sent.result.and_then(Reply::column);
                    // A repeated rename finds the old key gone: the earlier attempt renamed it.
                    if column.key != key {
                        return recover::conflict(
                            result,
                            sent.repeated,
                            types::COLUMN_NOT_FOUND,
                            || async {
                                let renamed = self.get_column(database, table, &column.key).await?;
                                Ok(same_column(&renamed, &server).then_some(renamed))
                            },
                        )
                        .await;
                    }
                    result
                }
                .await
                .map(Response::Column)
            }
            R::DeleteColumn {
                database,
                table,
                key,
            } => async {
                let ctx = self.table_ctx(database, table).await?;
                ids::check_key("key", key)?;
                self.delete(
                    ctx.api,
                    ctx.api.column(database, table, key),
                    types::COLUMN_NOT_FOUND,
                )
                .await
            }
            .await
            .map(|()| Response::Done),
            other => Err(misrouted(other)),
        }
    }

    /// Indexes of one table.
    async fn index_call(&self, call: api::Request<'_>) -> Result<Response> {
        use api::Request as R;
        match call {
            R::CreateIndex {
                database,
                table,
                index,
            } => async {
                let ctx = self.table_ctx(database, table).await?;
                ids::check_key("key", &index.key)?;
                let request = Request::post(
                    ctx.api,
                    ctx.api.indexes(database, table),
                    bodies::index_create(index, ctx.api),
                )
                .retry(true);
                let sent = self.transport.send_tracked(request).await;
                let result = sent.result.and_then(Reply::index);
                recover::conflict(
                    result,
                    sent.repeated,
                    types::COLUMN_INDEX_ALREADY_EXISTS,
                    || async {
                        let existing = self.get_index(database, table, &index.key).await?;
                        Ok(same_index(&existing, index).then_some(existing))
                    },
                )
                .await
            }
            .await
            .map(Response::Index),
            R::GetIndex {
                database,
                table,
                key,
            } => async {
                let ctx = self.table_ctx(database, table).await?;
                ids::check_key("key", key)?;
                self.send(Request::get(ctx.api, ctx.api.index(database, table, key)))
                    .await?
                    .index()
            }
            .await
            .map(Response::Index),
            R::ListIndexes { database, table } => async {
                let ctx = self.table_ctx(database, table).await?;
                self.send(Request::get(ctx.api, ctx.api.indexes(database, table)))
                    .await?
                    .list("indexes", parse_index)
            }
            .await
            .map(Response::Indexes),
            R::DeleteIndex {
                database,
                table,
                key,
            } => async {
                let ctx = self.table_ctx(database, table).await?;
                ids::check_key("key", key)?;
                self.delete(
                    ctx.api,
                    ctx.api.index(database, table, key),
                    types::COLUMN_INDEX_NOT_FOUND,
                )
                .await
            }
            .await
            .map(|()| Response::Done),
            other => Err(misrouted(other)),
        }
    }

    /// One row, and lists of rows.
    async fn row_call(&self, call: api::Request<'_>) -> Result<Response> {
        use api::Request as R;
        match call {
            R::CreateRow {
                database,
                table,
                row_id,
                data,
                permissions,
            } => {
                async {
                    let ctx = self.table_ctx(database, table).await?;
                    let id = ids::custom_id("rowId", row_id)?;
                    let body = bodies::row_create(ctx.api, &id, data, permissions);
                    // Retried only without operators: the id makes a repeat harmless, but a 409 could not
                    // tell whether an operator value was applied.
                    let retry = !bodies::has_operator(data.values());
                    let request =
                        Request::post(ctx.api, ctx.api.rows(database, table), body).retry(retry);
                    let sent = self.transport.send_tracked(request).await;
                    let result = sent.result.and_then(Reply::row);
                    recover::conflict(result, sent.repeated, types::ROW_ALREADY_EXISTS, || async {
                        let existing = self.get_row(database, table, &id, &[]).await?;
                        Ok(recover::data_matches(&existing, data).then_some(existing))
                    })
                    .await
                }
                .await
                .map(Response::Row)
            }
            R::GetRow {
                database,
                table,
                row_id,
                queries,
            } => async {
                let ctx = self.table_ctx(database, table).await?;
                ids::check_id("rowId", row_id)?;
                let request = Request::get(ctx.api, ctx.api.row(database, table, row_id))
                    .params(Params::new().queries(queries));
                self.send(request).await?.row()
            }
            .await
            .map(Response::Row),
            R::ListRows {
                database,
                table,
                queries,
                options,
            } => {
                async {
                    let ctx = self.table_ctx(database, table).await?;
                    let mut params = Params::new().queries(queries);
                    // `total=false` is what the SDKs send; a server may count anyway (see the reference,
                    // §6), which only costs it time. Servers before 1.8.1 do not know the flag.
                    if !options.total && ctx.version >= TOTAL_FLAG {
                        params = params.push("total", "false");
                    }
                    if let Some(tx) = &options.transaction_id {
                        ctx.version
                            .require(TABLES_DB, "reading inside a transaction")?;
                        ids::check_id("transactionId", tx)?;
                        params = params.push("transactionId", tx.as_str());
                    }
                    let request =
                        Request::get(ctx.api, ctx.api.rows(database, table)).params(params);
                    self.send(request).await?.rows()
                }
                .await
                .map(Response::Rows)
            }
            R::UpdateRow {
                database,
                table,
                row_id,
                data,
                permissions,
            } => async {
                let ctx = self.table_ctx(database, table).await?;
                ids::check_id("rowId", row_id)?;
                let body = bodies::row_write(data, permissions);
                let retry = !bodies::has_operator(data.values());
                let request = Request::patch(ctx.api, ctx.api.row(database, table, row_id), body)
                    .retry(retry);
                self.send(request).await?.row()
            }
            .await
            .map(Response::Row),
            R::UpsertRow {
                database,
                table,
                row_id,
                data,
                permissions,
            } => {
                async {
                    let ctx = self.table_ctx(database, table).await?;
                    // `unique()` would go into the path; a client-made id has the same meaning (a new row)
                    // and keeps a repeat from inserting twice.
                    let id = ids::custom_id("rowId", row_id)?;
                    let body = bodies::row_write(data, permissions);
                    let retry = !bodies::has_operator(data.values());
                    let request =
                        Request::put(ctx.api, ctx.api.row(database, table, &id), body).retry(retry);
                    self.send(request).await?.row()
                }
                .await
                .map(Response::Row)
            }
            R::DeleteRow {
                database,
                table,
                row_id,
            } => async {
                let ctx = self.table_ctx(database, table).await?;
                ids::check_id("rowId", row_id)?;
                self.delete(
                    ctx.api,
                    ctx.api.row(database, table, row_id),
                    types::ROW_NOT_FOUND,
                )
                .await
            }
            .await
            .map(|()| Response::Done),
            R::IncrementRowColumn {
                database,
                table,
                row_id,
                column,
                value,
                max,
            } => {
                let (value, max) = (value.clone(), max.cloned());
                async {
                    self.step(
                        database,
                        table,
                        row_id,
                        column,
                        "increment",
                        value,
                        "max",
                        max,
                    )
                    .await
                }
                .await
                .map(Response::Row)
            }
            R::DecrementRowColumn {
                database,
                table,
                row_id,
                column,
                value,
                min,
            } => {
                let (value, min) = (value.clone(), min.cloned());
                async {
                    self.step(
                        database,
                        table,
                        row_id,
                        column,
                        "decrement",
                        value,
                        "min",
                        min,
                    )
                    .await
                }
                .await
                .map(Response::Row)
            }
            other => Err(misrouted(other)),
        }
    }

    /// The bulk row operations.
    async fn bulk_call(&self, call: api::Request<'_>) -> Result<Response> {
        use api::Request as R;
        match call {
            R::CreateRows {
                database,
                table,
                rows,
            } => async {
                let ctx = self.ctx().await?;
                ctx.version.require(BULK, "bulk create")?;
                ids::check_id("databaseId", database)?;
                ids::check_id("tableId", table)?;
                let rows = with_client_ids(rows);
                let (result, repeated) = self.post_rows(ctx, database, table, &rows).await;
                match result {
                    Err(error)
                        if repeated && error.error_type() == Some(types::ROW_ALREADY_EXISTS) =>
                    {
                        self.finish_bulk_create(ctx, database, table, &rows, error)
                            .await
                    }
                    other => other,
                }
            }
            .await
            .map(Response::Rows),
            R::UpsertRows {
                database,
                table,
                rows,
            } => {
                async {
                    let ctx = self.ctx().await?;
                    ctx.version.require(BULK, "bulk upsert")?;
                    ids::check_id("databaseId", database)?;
                    ids::check_id("tableId", table)?;
                    // Rows without `$id` would get a new server id on every attempt; client-made ids make
                    // the PUT idempotent.
                    let rows = with_client_ids(rows);
                    let retry = !rows.iter().any(|r| bodies::has_operator(r.values()));
                    let request = Request::put(
                        ctx.api,
                        ctx.api.rows(database, table),
                        bodies::rows(ctx.api, &rows),
                    )
                    .retry(retry);
                    self.send(request).await?.rows()
                }
                .await
                .map(Response::Rows)
            }
            R::UpdateRows {
                database,
                table,
                data,
                queries,
            } => async {
                let ctx = self.ctx().await?;
                ctx.version.require(BULK, "bulk update")?;
                ids::check_id("databaseId", database)?;
                ids::check_id("tableId", table)?;
                let retry = !bodies::has_operator(data.values());
                let request = Request::patch(
                    ctx.api,
                    ctx.api.rows(database, table),
                    bodies::rows_by_queries(Some(data), queries),
                )
                .retry(retry);
                self.send(request).await?.rows()
            }
            .await
            .map(Response::Rows),
            R::DeleteRows {
                database,
                table,
                queries,
            } => {
                async {
                    let ctx = self.ctx().await?;
                    ctx.version.require(BULK, "bulk delete")?;
                    ids::check_id("databaseId", database)?;
                    ids::check_id("tableId", table)?;
                    // Retried like every DELETE: a repeat after a lost answer deletes nothing more, but
                    // then reports fewer rows than the first attempt deleted.
                    let request = Request::delete(
                        ctx.api,
                        ctx.api.rows(database, table),
                        bodies::rows_by_queries(None, queries),
                    );
                    self.send(request).await?.rows()
                }
                .await
                .map(Response::Rows)
            }
            other => Err(misrouted(other)),
        }
    }

    /// Transactions.
    async fn transaction_call(&self, call: api::Request<'_>) -> Result<Response> {
        use api::Request as R;
        match call {
            R::CreateTransaction { ttl } => {
                async {
                    let ctx = self.transactions_ctx().await?;
                    let body = match ttl {
                        Some(ttl) => json!({ "ttl": ttl }),
                        None => json!({}),
                    };
                    // Retried: a repeat after a lost answer opens a second transaction, and the first,
                    // which nobody knows the id of, stages nothing and expires on the server.
                    self.send(Request::post(ctx.api, ctx.api.transactions(), body).retry(true))
                        .await?
                        .model()
                }
                .await
                .map(Response::Transaction)
            }
            R::GetTransaction { id } => async {
                let ctx = self.transactions_ctx().await?;
                ids::check_id("transactionId", id)?;
                self.send(Request::get(ctx.api, ctx.api.transaction(id)))
                    .await?
                    .model()
            }
            .await
            .map(Response::Transaction),
            R::StageOperations { id, operations } => {
                async {
                    let ctx = self.transactions_ctx().await?;
                    ids::check_id("transactionId", id)?;
                    let body = json!({ "operations": operations });
                    // Not retried: a repeat would stage the operations twice.
                    self.send(Request::post(ctx.api, ctx.api.operations(id), body))
                        .await?
                        .model()
                }
                .await
                .map(Response::Transaction)
            }
            R::CommitTransaction { id } => async { self.finish_transaction(id, "commit").await }
                .await
                .map(Response::Transaction),
            R::RollbackTransaction { id } => {
                async { self.finish_transaction(id, "rollback").await }
                    .await
                    .map(Response::Transaction)
            }
            other => Err(misrouted(other)),
        }
    }
}

/// A request that reached a part of the backend not meant for it: a bug in the dispatch.
fn misrouted(call: api::Request<'_>) -> Error {
    Error::Internal(format!(
        "the HTTP backend routed {} to the wrong part",
        call.name()
    ))
}

impl HttpBackend {
    /// Increment or decrement: never retried, since a repeat would apply the step twice.
    #[allow(clippy::too_many_arguments)]
    async fn step(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        column: &str,
        op: &str,
        value: Number,
        bound_name: &str,
        bound: Option<Number>,
    ) -> Result<Row> {
        let ctx = self.ctx().await?;
        ctx.version.require(TABLES_DB, op)?;
        ids::check_id("databaseId", database)?;
        ids::check_id("tableId", table)?;
        ids::check_id("rowId", row_id)?;
        ids::check_key("column", column)?;
        let mut body = serde_json::Map::new();
        body.insert("value".into(), Value::Number(value));
        if let Some(bound) = bound {
            body.insert(bound_name.into(), Value::Number(bound));
        }
        let path = ctx.api.row_column_op(database, table, row_id, column, op);
        self.send(Request::patch(ctx.api, path, Value::Object(body)))
            .await?
            .row()
    }

    async fn transactions_ctx(&self) -> Result<Ctx> {
        let ctx = self.ctx().await?;
        ctx.version.require(TABLES_DB, "transactions")?;
        Ok(ctx)
    }

    /// Commit or roll back: never retried (a repeat of a commit that went through answers
    /// `transaction_not_ready`, hiding the success).
    async fn finish_transaction(&self, id: &str, action: &str) -> Result<Transaction> {
        let ctx = self.transactions_ctx().await?;
        ids::check_id("transactionId", id)?;
        let body = json!({ action: true });
        self.send(Request::patch(ctx.api, ctx.api.transaction(id), body))
            .await?
            .model()
    }

    /// After a repeated bulk create met `409`: the rows that exist must be the ones sent
    /// (else the 409 stands); the missing ones are created.
    async fn finish_bulk_create(
        &self,
        ctx: Ctx,
        database: &str,
        table: &str,
        rows: &[Document],
        error: Error,
    ) -> Result<List<Row>> {
        let ids: Vec<String> = rows.iter().map(|r| row_id_of(r).to_owned()).collect();
        let Ok(existing) = self.rows_by_id(database, table, &ids).await else {
            return Err(error);
        };
        for row in &existing {
            let sent = rows.iter().find(|r| row_id_of(r) == row.id());
            if !sent.is_some_and(|sent| recover::data_matches(row, sent)) {
                return Err(error);
            }
        }
        let missing: Vec<Document> = rows
            .iter()
            .filter(|r| !existing.iter().any(|e| e.id() == row_id_of(r)))
            .cloned()
            .collect();
        let created = if missing.is_empty() {
            Vec::new()
        } else {
            self.post_rows(ctx, database, table, &missing)
                .await
                .0?
                .items
        };
        tracing::info!(
            existing = existing.len(),
            created = created.len(),
            "a repeated bulk create met its own earlier success"
        );
        let items = ids
            .iter()
            .filter_map(|id| {
                existing
                    .iter()
                    .chain(created.iter())
                    .find(|r| r.id() == id)
                    .cloned()
            })
            .collect::<Vec<_>>();
        Ok(List {
            total: items.len() as u64,
            items,
        })
    }
}
