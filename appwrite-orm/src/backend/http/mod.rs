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
mod calls;
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

use serde_json::{Value, json};
use tokio::sync::OnceCell;

use self::client::{Request, Transport};
use self::response::Reply;
use self::routes::{Api, HEALTH_VERSION};
use self::version::JSON_QUERIES;
use super::{Backend, Column, Document, Index, List, ListOptions, Row, UNIQUE_ID};
use crate::query::Query;
use crate::schema::{ColumnSchema, IndexSchema, model_type};
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

    /// Sends a request that may be repeated after a dropped connection (a create, a rename) and
    /// settles a repeat that met `conflict_type`: `existing` reads what is there, which is
    /// returned when `same` says it is what was sent (see [`recover::conflict`]).
    async fn send_settled<T>(
        &self,
        request: Request,
        read: fn(Reply) -> Result<T>,
        conflict_type: &str,
        existing: impl std::future::Future<Output = Result<T>>,
        same: impl FnOnce(&T) -> bool,
    ) -> Result<T> {
        let sent = self.transport.send_tracked(request).await;
        let result = sent.result.and_then(read);
        recover::conflict(result, sent.repeated, conflict_type, || async move {
            let existing = existing.await?;
            Ok(same(&existing).then_some(existing))
        })
        .await
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

impl HttpBackend {
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
