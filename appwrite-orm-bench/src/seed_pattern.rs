//! The baselines: how the widely used TypeScript library (the "seed", see
//! `reference/seed-typescript-orm.md`) and code written on top of it do the same work, written
//! in Rust over the same [`Backend`] trait and HTTP client as the library, so that the
//! difference measured is the pattern, not the language or the transport.

use std::future::Future;
use std::time::{Duration, Instant};

use appwrite_orm::backend::{Backend, ColumnStatus, Document, ListOptions, Row};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, IndexSchema, limits};
use futures_util::future::join_all;

use crate::BenchResult;

/// The seed's polling interval for new attributes: a fixed second, no backoff.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How long the baseline polls one column or index before giving up (the seed gives up after
/// 30 polls; a benchmark that stops early would measure nothing, so this is generous).
const POLL_LIMIT: Duration = Duration::from_secs(120);

/// Rows per page and updates in flight in the seed's data loop (its pages of 50 are all
/// updated at once before the next page is read).
pub const PAGE: u64 = 50;

/// Creates a column and polls it every [`POLL_INTERVAL`] until it is `available`, the seed's
/// one-attribute-at-a-time schema step.
pub async fn create_column_and_wait(
    backend: &dyn Backend,
    database: &str,
    table: &str,
    column: &ColumnSchema,
) -> BenchResult<()> {
    backend.create_column(database, table, column).await?;
    poll_until_available(&column.key, || async {
        Ok(backend
            .get_column(database, table, &column.key)
            .await?
            .status)
    })
    .await
}

/// Creates an index and polls it every [`POLL_INTERVAL`] until it is `available`.
pub async fn create_index_and_wait(
    backend: &dyn Backend,
    database: &str,
    table: &str,
    index: &IndexSchema,
) -> BenchResult<()> {
    backend.create_index(database, table, index).await?;
    poll_until_available(&index.key, || async {
        Ok(backend.get_index(database, table, &index.key).await?.status)
    })
    .await
}

/// Asks `status` right away, then every [`POLL_INTERVAL`], until it answers `available`. The
/// first ask comes without a pause, which favours the baseline when the server is quick.
async fn poll_until_available<F, Fut>(key: &str, mut status: F) -> BenchResult<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = BenchResult<ColumnStatus>>,
{
    let deadline = Instant::now() + POLL_LIMIT;
    loop {
        match status().await? {
            ColumnStatus::Available => return Ok(()),
            s @ (ColumnStatus::Failed | ColumnStatus::Stuck) => {
                return Err(format!("`{key}` is {}", s.as_str()).into());
            }
            _ if Instant::now() >= deadline => {
                return Err(format!("`{key}` not available after {POLL_LIMIT:?}").into());
            }
            _ => tokio::time::sleep(POLL_INTERVAL).await,
        }
    }
}

/// Creates rows in bulk requests of 100 (Appwrite's limit), one request at a time, each
/// awaited before the next is sent: push rows as they come, then [`finish`](Self::finish).
pub struct OneChunkAtATime<'b> {
    backend: &'b dyn Backend,
    database: &'b str,
    table: &'b str,
    chunk: Vec<Document>,
    created: u64,
}

impl<'b> OneChunkAtATime<'b> {
    /// A writer into `table` of `database`.
    pub fn new(backend: &'b dyn Backend, database: &'b str, table: &'b str) -> Self {
        OneChunkAtATime {
            backend,
            database,
            table,
            chunk: Vec::with_capacity(limits::MAX_BATCH),
            created: 0,
        }
    }

    /// Adds a row; a full chunk is sent, and awaited, at once.
    pub async fn push(&mut self, row: Document) -> BenchResult<()> {
        self.chunk.push(row);
        if self.chunk.len() == limits::MAX_BATCH {
            self.send().await?;
        }
        Ok(())
    }

    /// Sends what is left and returns the rows created.
    pub async fn finish(mut self) -> BenchResult<u64> {
        if !self.chunk.is_empty() {
            self.send().await?;
        }
        Ok(self.created)
    }

    async fn send(&mut self) -> BenchResult<()> {
        let list = self
            .backend
            .create_rows(self.database, self.table, &self.chunk)
            .await?;
        self.created += list.items.len() as u64;
        self.chunk.clear();
        Ok(())
    }
}

/// The seed's data loop: pages of [`PAGE`] rows by offset, ordered by `$id`; every row of a
/// page updated with its own request, all of the page's updates in flight at once; the next
/// page read once they have all finished. Returns the rows updated.
pub async fn update_every_row_by_offset<F>(
    backend: &dyn Backend,
    database: &str,
    table: &str,
    change: F,
) -> BenchResult<u64>
where
    F: Fn(&Row) -> Option<Document>,
{
    let mut offset = 0u64;
    let mut updated = 0u64;
    loop {
        let queries = [
            Query::order_asc("$id"),
            Query::limit(PAGE),
            Query::offset(offset),
        ];
        // The SDKs ask for the total with every page, so the baseline does too.
        let page = backend
            .list_rows(database, table, &queries, &ListOptions::default())
            .await?
            .items;
        let writes = page.iter().filter_map(|row| {
            let doc = change(row)?;
            Some(async move {
                backend
                    .update_row(database, table, row.id(), &doc, None)
                    .await
            })
        });
        for result in join_all(writes).await {
            result?;
            updated += 1;
        }
        if (page.len() as u64) < PAGE {
            return Ok(updated);
        }
        offset += PAGE;
    }
}
