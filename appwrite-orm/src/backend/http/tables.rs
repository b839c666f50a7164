//! Create-table: inline where the server accepts it, otherwise one column and index at a time,
//! waiting until each is `available`, so that callers get the same table on every version.

use std::time::{Duration, Instant};

use super::client::Request;
use super::response::Reply;
use super::version::TEXT_TYPES;
use super::{Ctx, HttpBackend, bodies, ids};
use crate::api::{AppwriteError, types};
use crate::backend::{Backend, ColumnStatus, Table};
use crate::schema::limits::MAX_BATCH;
use crate::schema::{ColumnSchema, TableSchema};
use crate::{Error, Result};

/// First pause between two polls of a table whose columns are being created.
const FIRST_POLL: Duration = Duration::from_millis(50);
/// Longest pause between two polls.
const MAX_POLL: Duration = Duration::from_secs(1);

impl HttpBackend {
    pub(super) async fn create_table_in(
        &self,
        ctx: Ctx,
        database: &str,
        schema: &TableSchema,
    ) -> Result<Table> {
        ids::check_id("databaseId", database)?;
        let id = ids::custom_id("tableId", &schema.id)?;
        // Appwrite takes at most 100 inline columns and 100 inline indexes. Refusing larger
        // tables here, the way a 1.9 server refuses the param, keeps create-table the same
        // call on every version instead of quietly creating the excess one by one.
        for (param, count) in [
            ("columns", schema.columns.len()),
            ("indexes", schema.indexes.len()),
        ] {
            if count > MAX_BATCH {
                return Err(Error::Appwrite(AppwriteError::new(
                    400,
                    types::GENERAL_ARGUMENT_INVALID,
                    format!(
                        "Invalid `{param}` param: Value must a valid array no longer than \
                         {MAX_BATCH} items"
                    ),
                )));
            }
        }
        let columns: Vec<ColumnSchema> = schema
            .columns
            .iter()
            .map(|c| bodies::server_column(c, ctx.version))
            .collect();
        // Inline columns and indexes exist from 1.9 on; before, everything goes one by one.
        let (n_columns, n_indexes) = if ctx.version >= TEXT_TYPES {
            bodies::inline_split(&columns, &schema.indexes)
        } else {
            (0, 0)
        };
        let body = bodies::table_create(
            ctx.api,
            &id,
            schema,
            &columns[..n_columns],
            &schema.indexes[..n_indexes],
        );
        let request = Request::post(ctx.api, ctx.api.tables(database), body).retry(true);
        let table = self
            .send_settled(
                request,
                Reply::table,
                types::TABLE_ALREADY_EXISTS,
                self.get_table(database, &id),
                |existing| existing.name == schema.name,
            )
            .await?;
        if n_columns == columns.len() && n_indexes == schema.indexes.len() {
            return Ok(table);
        }
        let rest = self
            .create_rest(database, &id, schema, n_columns, n_indexes)
            .await;
        if rest.is_err() {
            // Half a table would make the next attempt fail with `table_already_exists`;
            // removing it keeps create-table all or nothing, as the inline form is.
            if let Err(cleanup) = self.delete_table(database, &id).await {
                tracing::warn!(
                    table = %id,
                    error = %cleanup,
                    "could not remove a partly created table"
                );
            }
        }
        rest
    }

    /// Creates the columns and indexes that did not go inline, in declared order, waiting for
    /// the columns before the indexes that use them.
    async fn create_rest(
        &self,
        database: &str,
        table: &str,
        schema: &TableSchema,
        n_columns: usize,
        n_indexes: usize,
    ) -> Result<Table> {
        let columns = &schema.columns[n_columns..];
        for column in columns {
            self.create_column(database, table, column).await?;
        }
        let keys: Vec<&str> = columns.iter().map(|c| c.key.as_str()).collect();
        let mut current = self.wait_available(database, table, &keys, &[]).await?;
        let indexes = &schema.indexes[n_indexes..];
        if !indexes.is_empty() {
            for index in indexes {
                self.create_index(database, table, index).await?;
            }
            let keys: Vec<&str> = indexes.iter().map(|i| i.key.as_str()).collect();
            current = self.wait_available(database, table, &[], &keys).await?;
        }
        Ok(current)
    }

    /// Polls the table until the named columns and indexes are `available`, with pauses that
    /// grow from 50 ms to 1 s, for at most [`schema_wait`](super::HttpConfig::schema_wait).
    async fn wait_available(
        &self,
        database: &str,
        table: &str,
        columns: &[&str],
        indexes: &[&str],
    ) -> Result<Table> {
        let deadline = Instant::now() + self.config.schema_wait;
        let mut pause = FIRST_POLL;
        loop {
            let current = self.get_table(database, table).await?;
            let states = columns
                .iter()
                .map(|key| {
                    let col = current.column(key);
                    (
                        format!("column {key:?} of table {table:?}"),
                        col.map(|c| (c.status, c.error.as_str())),
                    )
                })
                .chain(indexes.iter().map(|key| {
                    let idx = current.index(key);
                    (
                        format!("index {key:?} of table {table:?}"),
                        idx.map(|i| (i.status, i.error.as_str())),
                    )
                }));
            let mut pending = None;
            for (what, state) in states {
                match state {
                    Some((ColumnStatus::Available, _)) => {}
                    Some((status @ (ColumnStatus::Failed | ColumnStatus::Stuck), error)) => {
                        return Err(Error::NotReady {
                            what,
                            reason: format!("status {}: {error}", status.as_str()),
                        });
                    }
                    Some((status, _)) => {
                        pending.get_or_insert((what, status.as_str().to_owned()));
                    }
                    None => {
                        pending.get_or_insert((what, "not listed yet".to_owned()));
                    }
                }
            }
            let Some((what, status)) = pending else {
                return Ok(current);
            };
            if Instant::now() >= deadline {
                return Err(Error::NotReady {
                    what,
                    reason: format!(
                        "still {status} after {:?} (HttpConfig::schema_wait)",
                        self.config.schema_wait
                    ),
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 3 / 2).min(MAX_POLL);
        }
    }
}
