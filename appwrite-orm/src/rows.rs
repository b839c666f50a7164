//! Dynamic rows: every table operation on JSON documents, for migrations that touch columns no
//! struct declares any more and for tables without a model. The typed
//! [`TableHandle`](crate::TableHandle) is built on the same operations.
//!
//! Whole-table reads (`all`, `stream`, `count`) page with cursors, never with offsets, and never
//! stop at one page: Appwrite answers 25 rows unless told otherwise, and counts at most 5,000.

use std::sync::Arc;

use crate::api::{Document, ListOptions, Row};
use crate::backend::Backend;
use crate::query::{Query, QueryClass};
use crate::schema::limits;
use crate::{Error, Result};
use futures_util::stream::FuturesOrdered;
use futures_util::{Stream, StreamExt};

/// Rows fetched per request by `all`, `stream` and `count`.
pub const PAGE_SIZE: u64 = 500;

/// Bulk requests [`Rows::insert_many_unordered`] and restores keep in flight at once.
pub const BULK_IN_FLIGHT: usize = 4;

/// Dynamic access to the rows of one table.
#[derive(Debug, Clone)]
pub struct Rows {
    backend: Arc<dyn Backend>,
    database: String,
    table: String,
}

impl Rows {
    /// Rows of `table` in `database`, through `backend`.
    pub fn new(backend: Arc<dyn Backend>, database: &str, table: &str) -> Self {
        Self {
            backend,
            database: database.to_owned(),
            table: table.to_owned(),
        }
    }

    /// The table id.
    pub fn table_id(&self) -> &str {
        &self.table
    }

    /// Creates a row; `id` may be [`UNIQUE_ID`](crate::backend::UNIQUE_ID).
    pub async fn create(&self, id: &str, data: &Document) -> Result<Row> {
        self.backend
            .create_row(&self.database, &self.table, id, data, None)
            .await
    }

    /// The row with this id, `None` when there is none.
    pub async fn get(&self, id: &str) -> Result<Option<Row>> {
        self.get_with(id, &[]).await
    }

    /// The row with this id read with `queries` (a `select`), `None` when there is none.
    pub async fn get_with(&self, id: &str, queries: &[Query]) -> Result<Option<Row>> {
        match self
            .backend
            .get_row(&self.database, &self.table, id, queries)
            .await
        {
            Ok(row) => Ok(Some(row)),
            Err(e) if is_row_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Sets the given columns of one row.
    pub async fn update(&self, id: &str, data: &Document) -> Result<Row> {
        self.backend
            .update_row(&self.database, &self.table, id, data, None)
            .await
    }

    /// Creates the row or merges `data` into it.
    pub async fn upsert(&self, id: &str, data: &Document) -> Result<Row> {
        self.backend
            .upsert_row(&self.database, &self.table, id, data, None)
            .await
    }

    /// Deletes one row.
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.backend
            .delete_row(&self.database, &self.table, id)
            .await
    }

    /// Creates rows in requests of at most 100 (Appwrite's bulk limit), one after another, so
    /// that rows are stored (and `$sequence` numbered) in the order given. Each request is all
    /// or nothing; when one fails, the rows of earlier requests stay created and the error
    /// says how many were.
    pub async fn insert_many(&self, rows: &[Document]) -> Result<Vec<Row>> {
        self.in_chunks(rows, 1, |chunk| {
            self.backend.create_rows(&self.database, &self.table, chunk)
        })
        .await
    }

    /// Like [`insert_many`](Self::insert_many), with [`BULK_IN_FLIGHT`] requests at once: on
    /// a link with 30 ms round trips, 50,000 rows take about a quarter of the time. Rows keep
    /// their order within each request of 100, but requests may be stored in any order, so
    /// `$sequence` no longer follows the order given across requests. The rows come back in
    /// the order given. When a request fails, those already sent finish, no more are sent,
    /// and the error says how many rows were created.
    pub async fn insert_many_unordered(&self, rows: &[Document]) -> Result<Vec<Row>> {
        self.in_chunks(rows, BULK_IN_FLIGHT, |chunk| {
            self.backend.create_rows(&self.database, &self.table, chunk)
        })
        .await
    }

    /// Upserts rows in requests of at most 100 (each row may carry `$id`).
    pub async fn upsert_many(&self, rows: &[Document]) -> Result<Vec<Row>> {
        self.in_chunks(rows, 1, |chunk| {
            self.backend.upsert_rows(&self.database, &self.table, chunk)
        })
        .await
    }

    /// Sends `rows` in chunks of 100, `in_flight` at once; the rows come back in order.
    async fn in_chunks<'s, F, Fut>(
        &'s self,
        rows: &'s [Document],
        in_flight: usize,
        send: F,
    ) -> Result<Vec<Row>>
    where
        F: Fn(&'s [Document]) -> Fut,
        Fut: std::future::Future<Output = Result<crate::api::List<Row>>>,
    {
        let mut chunks = rows.chunks(limits::MAX_BATCH);
        let mut running = FuturesOrdered::new();
        let mut done = Vec::with_capacity(rows.len());
        let mut failure: Option<Error> = None;
        loop {
            while failure.is_none() && running.len() < in_flight.max(1) {
                let Some(chunk) = chunks.next() else { break };
                running.push_back(send(chunk));
            }
            match running.next().await {
                Some(Ok(list)) => done.extend(list.items),
                Some(Err(e)) => {
                    failure.get_or_insert(e);
                }
                None => break,
            }
        }
        match failure {
            None => Ok(done),
            Some(e) if done.is_empty() => Err(e),
            Some(e) => Err(Error::Partial {
                completed: done.len(),
                total: rows.len(),
                source: Box::new(e),
            }),
        }
    }

    /// Sets `data` on every row matching `filters`; returns how many rows changed.
    pub async fn update_where(&self, filters: &[Query], data: &Document) -> Result<u64> {
        let list = self
            .backend
            .update_rows(&self.database, &self.table, data, filters)
            .await?;
        Ok(list.total)
    }

    /// Deletes every row matching `filters`; returns how many were deleted.
    pub async fn delete_where(&self, filters: &[Query]) -> Result<u64> {
        let list = self
            .backend
            .delete_rows(&self.database, &self.table, filters)
            .await?;
        Ok(list.total)
    }

    /// Adds `by` to a numeric column of one row, atomically; `max` refuses to pass a bound.
    pub async fn increment(
        &self,
        id: &str,
        column: &str,
        by: impl Into<serde_json::Number>,
        max: Option<serde_json::Number>,
    ) -> Result<Row> {
        self.backend
            .increment_row_column(&self.database, &self.table, id, column, by.into(), max)
            .await
    }

    /// Subtracts `by` from a numeric column of one row, atomically; `min` refuses to pass a bound.
    pub async fn decrement(
        &self,
        id: &str,
        column: &str,
        by: impl Into<serde_json::Number>,
        min: Option<serde_json::Number>,
    ) -> Result<Row> {
        self.backend
            .decrement_row_column(&self.database, &self.table, id, column, by.into(), min)
            .await
    }

    /// A query over this table's rows.
    pub fn query(&self) -> RowQuery {
        RowQuery {
            rows: self.clone(),
            queries: Vec::new(),
        }
    }

    async fn list(&self, queries: &[Query], total: bool) -> Result<crate::api::List<Row>> {
        self.backend
            .list_rows(
                &self.database,
                &self.table,
                queries,
                &ListOptions {
                    total,
                    transaction_id: None,
                },
            )
            .await
    }
}

fn is_row_not_found(e: &Error) -> bool {
    e.error_type() == Some(crate::api::types::ROW_NOT_FOUND)
}

/// A query over dynamic rows: filters, orders, selection, limit, offset and cursor, given as
/// Appwrite queries.
#[derive(Debug, Clone)]
pub struct RowQuery {
    rows: Rows,
    queries: Vec<Query>,
}

impl RowQuery {
    /// Adds a query (filter, order, select, limit, offset or cursor).
    pub fn with(mut self, query: Query) -> Self {
        self.queries.push(query);
        self
    }

    /// Adds several queries.
    pub fn with_all(mut self, queries: impl IntoIterator<Item = Query>) -> Self {
        self.queries.extend(queries);
        self
    }

    /// One page, exactly as Appwrite answers it (`limit` defaults to 25 there).
    pub async fn page(&self) -> Result<crate::api::List<Row>> {
        self.rows.list(&self.queries, true).await
    }

    /// The first matching row.
    pub async fn first(&self) -> Result<Option<Row>> {
        let mut queries = self.without(QueryClass::Limit);
        queries.push(Query::limit(1));
        Ok(self
            .rows
            .list(&queries, false)
            .await?
            .items
            .into_iter()
            .next())
    }

    /// Every matching row (or at most `limit` when one was given), fetched page by page with
    /// cursors.
    pub async fn all(&self) -> Result<Vec<Row>> {
        let mut pager = Pager::new(self.rows.clone(), &self.queries);
        let mut out = Vec::new();
        while let Some(page) = pager.next_page().await? {
            out.extend(page);
        }
        Ok(out)
    }

    /// Every matching row as a stream, fetched page by page with cursors.
    pub fn stream(&self) -> impl Stream<Item = Result<Row>> + Send + 'static + use<> {
        let pager = Pager::new(self.rows.clone(), &self.queries);
        stream_pages(pager)
    }

    /// The exact number of matching rows, also past Appwrite's count cap of 5,000.
    pub async fn count(&self) -> Result<u64> {
        let filters = self.only(QueryClass::Filter);
        let mut probe = filters.clone();
        probe.push(Query::limit(1));
        let first = self.rows.list(&probe, true).await?;
        if first.total < limits::MAX_COUNT {
            return Ok(first.total);
        }
        // The server stops counting at its cap: walk the ids instead.
        let mut queries = filters;
        queries.push(Query::select(["$id"]));
        let mut pager = Pager::new(self.rows.clone(), &queries);
        pager.page_size = limits::MAX_COUNT;
        let mut n = 0u64;
        while let Some(page) = pager.next_page().await? {
            n += page.len() as u64;
        }
        Ok(n)
    }

    fn only(&self, class: QueryClass) -> Vec<Query> {
        self.queries
            .iter()
            .filter(|q| q.class() == class)
            .cloned()
            .collect()
    }

    fn without(&self, class: QueryClass) -> Vec<Query> {
        self.queries
            .iter()
            .filter(|q| q.class() != class)
            .cloned()
            .collect()
    }
}

/// Walks the pages of a query with `cursorAfter`, honouring a user `limit` and `offset`.
pub(crate) struct Pager {
    rows: Rows,
    base: Vec<Query>,
    remaining: Option<u64>,
    offset: Option<u64>,
    cursor: Option<String>,
    page_size: u64,
    done: bool,
}

impl Pager {
    pub(crate) fn new(rows: Rows, queries: &[Query]) -> Self {
        let mut remaining = None;
        let mut offset = None;
        let mut cursor = None;
        let mut base = Vec::with_capacity(queries.len());
        for q in queries {
            match q {
                Query::Limit(n) => remaining = Some(*n),
                Query::Offset(n) => offset = Some(*n),
                Query::CursorAfter(id) => cursor = Some(id.clone()),
                _ => base.push(q.clone()),
            }
        }
        Self {
            rows,
            base,
            remaining,
            offset,
            cursor,
            page_size: PAGE_SIZE,
            done: false,
        }
    }

    /// The next page, `None` after the last one.
    pub(crate) async fn next_page(&mut self) -> Result<Option<Vec<Row>>> {
        if self.done || self.remaining == Some(0) {
            return Ok(None);
        }
        let want = self
            .remaining
            .map_or(self.page_size, |r| r.min(self.page_size));
        let mut queries = self.base.clone();
        queries.push(Query::limit(want));
        if let Some(offset) = self.offset.take() {
            queries.push(Query::offset(offset));
        }
        if let Some(cursor) = &self.cursor {
            queries.push(Query::cursor_after(cursor.clone()));
        }
        let page = self.rows.list(&queries, false).await?.items;
        if (page.len() as u64) < want {
            self.done = true;
        }
        if let Some(r) = &mut self.remaining {
            *r = r.saturating_sub(page.len() as u64);
        }
        match page.last() {
            Some(last) => self.cursor = Some(last.id().to_owned()),
            None => self.done = true,
        }
        if page.is_empty() {
            return Ok(None);
        }
        Ok(Some(page))
    }
}

/// Turns a pager into a stream of rows.
pub(crate) fn stream_pages(pager: Pager) -> impl Stream<Item = Result<Row>> + Send + 'static {
    let state = (pager, std::collections::VecDeque::<Row>::new(), false);
    futures_util::stream::unfold(state, |(mut pager, mut buffer, failed)| async move {
        if failed {
            return None;
        }
        loop {
            if let Some(row) = buffer.pop_front() {
                return Some((Ok(row), (pager, buffer, false)));
            }
            match pager.next_page().await {
                Ok(Some(page)) => buffer.extend(page),
                Ok(None) => return None,
                Err(e) => return Some((Err(e), (pager, buffer, true))),
            }
        }
    })
}
