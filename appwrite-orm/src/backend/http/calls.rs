//! Every operation of the [`Backend`] trait as Appwrite REST requests: one function per group
//! of operations ([`Groups`]), each arm checking ids before anything is sent, building the
//! request and reading the model back.
//!
//! Retries: a request is retried after a dropped connection or a 5xx only when a repeat cannot
//! do harm; a create that is repeated and meets `409` is settled by [`recover::conflict`], which
//! reads the resource and accepts it when it is what was sent.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::client::Request;
use super::response::{Reply, parse_column, parse_index, parse_model, parse_table};
use super::routes::Params;
use super::version::{BULK, TABLES_DB, TOTAL_FLAG};
use super::{Ctx, HttpBackend, bodies, ids, recover, same_column, same_index, with_client_ids};
use crate::Result;
use crate::api::{self, Response, types};
use crate::backend::{Backend, Database, Document, Groups, ListOptions, misrouted, route};
use crate::query::Query;
use crate::schema::{ColumnKind, ColumnSchema, IndexKind, IndexSchema, TableSchema};

#[async_trait]
impl Backend for HttpBackend {
    fn name(&self) -> &'static str {
        "http"
    }

    async fn call(&self, call: api::Request<'_>) -> Result<Response> {
        route(self, call).await
    }
}

#[async_trait]
impl Groups for HttpBackend {
    /// Databases and tables.
    async fn catalog_call(&self, call: api::Request<'_>) -> Result<Response> {
        use api::Request as R;
        let ctx = match call.table_path() {
            Some((database, table)) => self.table_ctx(database, table).await?,
            None => self.ctx().await?,
        };
        let api = ctx.api;
        Ok(match call {
            R::CreateDatabase { id, name } => {
                Response::Database(self.post_database(ctx, id, name).await?)
            }
            R::GetDatabase { id } => {
                ids::check_id("databaseId", id)?;
                Response::Database(
                    self.send(Request::get(api, api.database(id)))
                        .await?
                        .model()?,
                )
            }
            R::ListDatabases { queries } => {
                let request =
                    Request::get(api, api.databases()).params(Params::new().queries(queries));
                let reply = self.send(request).await?;
                Response::Databases(reply.list("databases", parse_model::<Database>)?)
            }
            R::DeleteDatabase { id } => {
                ids::check_id("databaseId", id)?;
                self.delete(api, api.database(id), types::DATABASE_NOT_FOUND)
                    .await?;
                Response::Done
            }
            R::CreateTable { database, table } => {
                Response::Table(self.create_table_in(ctx, database, table).await?)
            }
            R::GetTable { database, table } => Response::Table(
                self.send(Request::get(api, api.table(database, table)))
                    .await?
                    .table()?,
            ),
            R::ListTables { database, queries } => {
                ids::check_id("databaseId", database)?;
                let request =
                    Request::get(api, api.tables(database)).params(Params::new().queries(queries));
                let reply = self.send(request).await?;
                Response::Tables(reply.list(api.names().tables, parse_table)?)
            }
            R::UpdateTable {
                database,
                table,
                update,
            } => {
                let body = bodies::table_update(api, update);
                let reply = self
                    .send(Request::put(api, api.table(database, table), body))
                    .await?;
                Response::Table(reply.table()?)
            }
            R::DeleteTable { database, table } => {
                self.delete(api, api.table(database, table), types::TABLE_NOT_FOUND)
                    .await?;
                Response::Done
            }
            other => return Err(misrouted(other)),
        })
    }

    /// Columns and indexes of one table.
    async fn table_schema_call(&self, call: api::Request<'_>) -> Result<Response> {
        use api::Request as R;
        let Some((database, table)) = call.table_path() else {
            return Err(misrouted(call));
        };
        let ctx = self.table_ctx(database, table).await?;
        let api = ctx.api;
        Ok(match call {
            R::CreateColumn { column, .. } => {
                Response::Column(self.post_column(ctx, database, table, column).await?)
            }
            R::UpdateColumn { key, column, .. } => {
                Response::Column(self.patch_column(ctx, database, table, key, column).await?)
            }
            R::GetColumn { key, .. } => {
                ids::check_key("key", key)?;
                let reply = self
                    .send(Request::get(api, api.column(database, table, key)))
                    .await?;
                Response::Column(reply.column()?)
            }
            R::ListColumns { .. } => {
                let reply = self
                    .send(Request::get(api, api.columns(database, table)))
                    .await?;
                Response::Columns(reply.list(api.names().columns, parse_column)?)
            }
            R::DeleteColumn { key, .. } => {
                ids::check_key("key", key)?;
                self.delete(
                    api,
                    api.column(database, table, key),
                    types::COLUMN_NOT_FOUND,
                )
                .await?;
                Response::Done
            }
            R::CreateIndex { index, .. } => {
                Response::Index(self.post_index(ctx, database, table, index).await?)
            }
            R::GetIndex { key, .. } => {
                ids::check_key("key", key)?;
                let reply = self
                    .send(Request::get(api, api.index(database, table, key)))
                    .await?;
                Response::Index(reply.index()?)
            }
            R::ListIndexes { .. } => {
                let reply = self
                    .send(Request::get(api, api.indexes(database, table)))
                    .await?;
                Response::Indexes(reply.list("indexes", parse_index)?)
            }
            R::DeleteIndex { key, .. } => {
                ids::check_key("key", key)?;
                let path = api.index(database, table, key);
                self.delete(api, path, types::COLUMN_INDEX_NOT_FOUND)
                    .await?;
                Response::Done
            }
            other => return Err(misrouted(other)),
        })
    }

    /// One row at a time, and lists of rows.
    async fn row_call(&self, call: api::Request<'_>) -> Result<Response> {
        use api::Request as R;
        let Some((database, table)) = call.table_path() else {
            return Err(misrouted(call));
        };
        let ctx = self.table_ctx(database, table).await?;
        let api = ctx.api;
        let row = match call {
            R::CreateRow {
                row_id,
                data,
                permissions,
                ..
            } => {
                return self
                    .post_row(ctx, (database, table), row_id, data, permissions)
                    .await;
            }
            R::GetRow {
                row_id, queries, ..
            } => {
                ids::check_id("rowId", row_id)?;
                let path = api.row(database, table, row_id);
                Request::get(api, path).params(Params::new().queries(queries))
            }
            R::ListRows {
                queries, options, ..
            } => {
                let request = Request::get(api, api.rows(database, table));
                let params = list_params(ctx, queries, options)?;
                return Ok(Response::Rows(
                    self.send(request.params(params)).await?.rows()?,
                ));
            }
            R::UpdateRow {
                row_id,
                data,
                permissions,
                ..
            } => {
                ids::check_id("rowId", row_id)?;
                let body = bodies::row_write(data, permissions);
                let retry = !bodies::has_operator(data.values());
                Request::patch(api, api.row(database, table, row_id), body).retry(retry)
            }
            R::UpsertRow {
                row_id,
                data,
                permissions,
                ..
            } => {
                // `unique()` would go into the path; a client-made id has the same meaning (a
                // new row) and keeps a repeat from inserting twice.
                let id = ids::custom_id("rowId", row_id)?;
                let body = bodies::row_write(data, permissions);
                let retry = !bodies::has_operator(data.values());
                Request::put(api, api.row(database, table, &id), body).retry(retry)
            }
            R::DeleteRow { row_id, .. } => {
                ids::check_id("rowId", row_id)?;
                let path = api.row(database, table, row_id);
                self.delete(api, path, types::ROW_NOT_FOUND).await?;
                return Ok(Response::Done);
            }
            R::IncrementRowColumn {
                row_id,
                column,
                value,
                max,
                ..
            } => step(
                ctx,
                (database, table, row_id, column),
                "increment",
                value,
                ("max", max),
            )?,
            R::DecrementRowColumn {
                row_id,
                column,
                value,
                min,
                ..
            } => step(
                ctx,
                (database, table, row_id, column),
                "decrement",
                value,
                ("min", min),
            )?,
            other => return Err(misrouted(other)),
        };
        Ok(Response::Row(self.send(row).await?.row()?))
    }

    /// The bulk row operations.
    async fn bulk_call(&self, call: api::Request<'_>) -> Result<Response> {
        use api::Request as R;
        let Some((database, table)) = call.table_path() else {
            return Err(misrouted(call));
        };
        let ctx = self.ctx().await?;
        let what = match call {
            R::CreateRows { .. } => "bulk create",
            R::UpsertRows { .. } => "bulk upsert",
            R::UpdateRows { .. } => "bulk update",
            _ => "bulk delete",
        };
        ctx.version.require(BULK, what)?;
        ids::check_id("databaseId", database)?;
        ids::check_id("tableId", table)?;
        let (api, path) = (ctx.api, ctx.api.rows(database, table));
        let request = match call {
            R::CreateRows { rows, .. } => {
                return self.create_rows_in(ctx, database, table, rows).await;
            }
            R::UpsertRows { rows, .. } => {
                // Rows without `$id` would get a new server id on every attempt; client-made
                // ids make the PUT idempotent.
                let rows = with_client_ids(rows);
                let retry = !rows.iter().any(|r| bodies::has_operator(r.values()));
                Request::put(api, path, bodies::rows(api, &rows)).retry(retry)
            }
            R::UpdateRows { data, queries, .. } => {
                let retry = !bodies::has_operator(data.values());
                Request::patch(api, path, bodies::rows_by_queries(Some(data), queries)).retry(retry)
            }
            // Retried like every DELETE: a repeat after a lost answer deletes nothing more, but
            // then reports fewer rows than the first attempt deleted.
            R::DeleteRows { queries, .. } => {
                Request::delete(api, path, bodies::rows_by_queries(None, queries))
            }
            other => return Err(misrouted(other)),
        };
        Ok(Response::Rows(self.send(request).await?.rows()?))
    }

    /// Transactions (Appwrite 1.8 and newer).
    async fn transaction_call(&self, call: api::Request<'_>) -> Result<Response> {
        use api::Request as R;
        let ctx = self.ctx().await?;
        ctx.version.require(TABLES_DB, "transactions")?;
        let api = ctx.api;
        if let R::GetTransaction { id }
        | R::StageOperations { id, .. }
        | R::CommitTransaction { id }
        | R::RollbackTransaction { id } = call
        {
            ids::check_id("transactionId", id)?;
        }
        let request = match call {
            R::CreateTransaction { ttl } => {
                let body = ttl.map_or_else(|| json!({}), |ttl| json!({ "ttl": ttl }));
                // Retried: a repeat after a lost answer opens a second transaction, and the
                // first, which nobody knows the id of, stages nothing and expires on the server.
                Request::post(api, api.transactions(), body).retry(true)
            }
            R::GetTransaction { id } => Request::get(api, api.transaction(id)),
            // Not retried: a repeat would stage the operations twice.
            R::StageOperations { id, operations } => {
                Request::post(api, api.operations(id), json!({ "operations": operations }))
            }
            // Never retried: a repeat of a commit that went through answers
            // `transaction_not_ready`, hiding the success.
            R::CommitTransaction { id } => {
                Request::patch(api, api.transaction(id), json!({ "commit": true }))
            }
            R::RollbackTransaction { id } => {
                Request::patch(api, api.transaction(id), json!({ "rollback": true }))
            }
            other => return Err(misrouted(other)),
        };
        Ok(Response::Transaction(self.send(request).await?.model()?))
    }
}

impl HttpBackend {
    /// `POST /tablesdb`, retried: a repeat that meets `409` accepts the database it made.
    async fn post_database(&self, ctx: Ctx, id: &str, name: &str) -> Result<Database> {
        let id = ids::custom_id("databaseId", id)?;
        let body = json!({ "databaseId": id, "name": name });
        let request = Request::post(ctx.api, ctx.api.databases(), body).retry(true);
        self.send_settled(
            request,
            Reply::model,
            types::DATABASE_ALREADY_EXISTS,
            self.get_database(&id),
            |existing| existing.name == name,
        )
        .await
    }

    /// `POST …/columns/{type}`, retried: a repeat that meets `409` accepts the column it made.
    async fn post_column(
        &self,
        ctx: Ctx,
        database: &str,
        table: &str,
        column: &ColumnSchema,
    ) -> Result<crate::api::Column> {
        ids::check_key("key", &column.key)?;
        refuse_opaque(table, column)?;
        require_spatial(ctx, column.kind.is_spatial(), "spatial columns")?;
        let server = bodies::server_column(column, ctx.version);
        let path = ctx
            .api
            .column_create(database, table, server.kind.route_type());
        let request =
            Request::post(ctx.api, path, bodies::column_create(&server, ctx.api)).retry(true);
        self.send_settled(
            request,
            Reply::column,
            types::COLUMN_ALREADY_EXISTS,
            self.get_column(database, table, &server.key),
            |existing| same_column(existing, &server),
        )
        .await
    }

    /// `PATCH …/columns/{type}/{key}` (or `…/relationship`), retried: setting the same values
    /// again is harmless.
    async fn patch_column(
        &self,
        ctx: Ctx,
        database: &str,
        table: &str,
        key: &str,
        column: &ColumnSchema,
    ) -> Result<crate::api::Column> {
        ids::check_key("key", key)?;
        ids::check_key("newKey", &column.key)?;
        refuse_opaque(table, column)?;
        require_spatial(ctx, column.kind.is_spatial(), "spatial columns")?;
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
        let request = Request::patch(ctx.api, path, body).retry(true);
        if column.key == key {
            return self.send(request).await?.column();
        }
        // A repeated rename finds the old key gone: the earlier attempt renamed it.
        self.send_settled(
            request,
            Reply::column,
            types::COLUMN_NOT_FOUND,
            self.get_column(database, table, &column.key),
            |renamed| same_column(renamed, &server),
        )
        .await
    }

    /// `POST …/indexes`, retried: a repeat that meets `409` accepts the index it made.
    async fn post_index(
        &self,
        ctx: Ctx,
        database: &str,
        table: &str,
        index: &IndexSchema,
    ) -> Result<crate::api::Index> {
        ids::check_key("key", &index.key)?;
        require_spatial(ctx, index.kind == IndexKind::Spatial, "spatial indexes")?;
        let body = bodies::index_create(index, ctx.api);
        let request = Request::post(ctx.api, ctx.api.indexes(database, table), body).retry(true);
        self.send_settled(
            request,
            Reply::index,
            types::COLUMN_INDEX_ALREADY_EXISTS,
            self.get_index(database, table, &index.key),
            |existing| same_index(existing, index),
        )
        .await
    }

    /// `POST …/rows` for one row, retried only without operators: the id makes a repeat
    /// harmless, but a 409 could not tell whether an operator value was applied.
    async fn post_row(
        &self,
        ctx: Ctx,
        (database, table): (&str, &str),
        row_id: &str,
        data: &Document,
        permissions: Option<&[String]>,
    ) -> Result<Response> {
        let id = ids::custom_id("rowId", row_id)?;
        let body = bodies::row_create(ctx.api, &id, data, permissions);
        let retry = !bodies::has_operator(data.values());
        let request = Request::post(ctx.api, ctx.api.rows(database, table), body).retry(retry);
        self.send_settled(
            request,
            Reply::row,
            types::ROW_ALREADY_EXISTS,
            self.get_row(database, table, &id, &[]),
            |existing| recover::data_matches(existing, data),
        )
        .await
        .map(Response::Row)
    }

    /// `POST …/rows` with `rows`; a repeat that meets `409` creates only the rows still missing.
    async fn create_rows_in(
        &self,
        ctx: Ctx,
        database: &str,
        table: &str,
        rows: &[Document],
    ) -> Result<Response> {
        let rows = with_client_ids(rows);
        let (result, repeated) = self.post_rows(ctx, database, table, &rows).await;
        let rows = match result {
            Err(error) if repeated && error.error_type() == Some(types::ROW_ALREADY_EXISTS) => {
                self.finish_bulk_create(ctx, database, table, &rows, error)
                    .await
            }
            other => other,
        };
        rows.map(Response::Rows)
    }
}

/// Refuses a spatial column or index (`spatial`) on a server older than 1.8, which has no route
/// for it.
fn require_spatial(ctx: Ctx, spatial: bool, what: &str) -> Result<()> {
    if spatial {
        ctx.version.require(TABLES_DB, what)?;
    }
    Ok(())
}

/// Refuses an opaque column before anything is sent: this library knows no route for its type.
fn refuse_opaque(table: &str, column: &ColumnSchema) -> Result<()> {
    if !matches!(column.kind, ColumnKind::Opaque { .. }) {
        return Ok(());
    }
    // Its own schema rule names what is wrong (and any other rule the column breaks).
    TableSchema::new(table, table)
        .column(column.clone())
        .validate()
}

/// The parameters of `GET …/rows`.
fn list_params(ctx: Ctx, queries: &[Query], options: &ListOptions) -> Result<Params> {
    let mut params = Params::new().queries(queries);
    // `total=false` is what the SDKs send; a server may count anyway (see the reference, §6),
    // which only costs it time. Servers before 1.8.1 do not know the flag.
    if !options.total && ctx.version >= TOTAL_FLAG {
        params = params.push("total", "false");
    }
    if let Some(tx) = &options.transaction_id {
        ctx.version
            .require(TABLES_DB, "reading inside a transaction")?;
        ids::check_id("transactionId", tx)?;
        params = params.push("transactionId", tx.as_str());
    }
    Ok(params)
}

/// Increment or decrement: never retried, since a repeat would apply the step twice.
fn step(
    ctx: Ctx,
    (database, table, row_id, column): (&str, &str, &str, &str),
    op: &str,
    value: &serde_json::Number,
    (bound_name, bound): (&str, Option<&serde_json::Number>),
) -> Result<Request> {
    ctx.version.require(TABLES_DB, op)?;
    ids::check_id("rowId", row_id)?;
    ids::check_key("column", column)?;
    let mut body = serde_json::Map::new();
    body.insert("value".into(), Value::Number(value.clone()));
    if let Some(bound) = bound {
        body.insert(bound_name.into(), Value::Number(bound.clone()));
    }
    let path = ctx.api.row_column_op(database, table, row_id, column, op);
    Ok(Request::patch(ctx.api, path, Value::Object(body)))
}
