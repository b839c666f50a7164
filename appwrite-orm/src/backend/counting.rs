//! A [`Backend`] wrapper that counts the requests made through it.
//!
//! A call of a [`Backend`] method is one request on the embedded engine; over HTTP it counts
//! every request the call sent (retries after a 429 or a dropped connection, the polls of a
//! create-table, see [`wire`]). The migration runner reports its own request
//! count this way, and tests assert that a boot with nothing to migrate makes exactly one
//! request.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use std::sync::Arc;
//! use appwrite_orm::backend::{Backend, counting::CountingBackend, embedded::EmbeddedBackend};
//!
//! let counter = Arc::new(CountingBackend::new(Arc::new(EmbeddedBackend::in_memory()?)));
//! counter.create_database("app", "App").await?;
//! counter.get_database("app").await?;
//! assert_eq!(counter.requests(), 2);
//! assert_eq!(counter.by_operation()["get_database"], 1);
//! # Ok::<(), appwrite_orm::Error>(())
//! # }).unwrap();
//! ```
//!
//! Besides requests, it counts rows written per table (a bulk write counts every row it
//! reports, a single-row write one), which the migration runner uses for "rows touched", and
//! rows read per table (the rows `get_row` and `list_rows` returned).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{Backend, Operation, wire};
use crate::Result;
use crate::api::{Request, Response};

/// Counts the requests made through the backend it wraps; see the [module](self) docs.
#[derive(Debug)]
pub struct CountingBackend {
    inner: Arc<dyn Backend>,
    total: AtomicU64,
    retries: AtomicU64,
    by_operation: Mutex<BTreeMap<&'static str, u64>>,
    rows_written: Mutex<BTreeMap<String, u64>>,
    rows_read: Mutex<BTreeMap<String, u64>>,
    /// Rows staged per transaction and table, counted as written when the commit succeeds.
    staged: Mutex<BTreeMap<String, BTreeMap<String, u64>>>,
}

impl CountingBackend {
    /// Wraps `inner`; every counter starts at zero.
    pub fn new(inner: Arc<dyn Backend>) -> Self {
        Self {
            inner,
            total: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            by_operation: Mutex::new(BTreeMap::new()),
            rows_written: Mutex::new(BTreeMap::new()),
            rows_read: Mutex::new(BTreeMap::new()),
            staged: Mutex::new(BTreeMap::new()),
        }
    }

    /// The wrapped backend.
    pub fn inner(&self) -> &Arc<dyn Backend> {
        &self.inner
    }

    /// Requests made so far (failed ones included: they reached the server too). Over HTTP
    /// this is every request sent: a call that was retried, or that polls, counts each
    /// attempt ([`wire`]).
    pub fn requests(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Requests made so far, per [`Backend`] method name (`get_row`, `update_rows`, ...).
    pub fn by_operation(&self) -> BTreeMap<&'static str, u64> {
        lock(&self.by_operation).clone()
    }

    /// Rows written so far per table id, by successful row writes (committed transactions
    /// included; their bulk update and delete operations count no rows, since the commit does
    /// not say how many they changed).
    pub fn rows_written(&self) -> BTreeMap<String, u64> {
        lock(&self.rows_written).clone()
    }

    /// Rows read so far per table id: the rows that successful `get_row` and `list_rows`
    /// calls returned.
    pub fn rows_read(&self) -> BTreeMap<String, u64> {
        lock(&self.rows_read).clone()
    }

    /// Rows written so far to every table except those in `except`.
    pub fn rows_written_except(&self, except: &[&str]) -> u64 {
        lock(&self.rows_written)
            .iter()
            .filter(|(table, _)| !except.contains(&table.as_str()))
            .map(|(_, n)| n)
            .sum()
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        self.total.store(0, Ordering::Relaxed);
        self.retries.store(0, Ordering::Relaxed);
        lock(&self.by_operation).clear();
        lock(&self.rows_written).clear();
        lock(&self.rows_read).clear();
    }

    /// Retries among the requests: attempts the HTTP transport repeated after a 429, a 5xx
    /// or a dropped connection.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// Runs one call of the wrapped backend and counts what it sent: every HTTP request
    /// (retries and polls included), or one request for a backend that sends none.
    async fn counted<F: std::future::Future>(&self, operation: &'static str, call: F) -> F::Output {
        let (output, wire) = wire::observe(call).await;
        let requests = wire.requests.max(1);
        self.total.fetch_add(requests, Ordering::Relaxed);
        self.retries.fetch_add(wire.retries, Ordering::Relaxed);
        *lock(&self.by_operation).entry(operation).or_insert(0) += requests;
        output
    }
}

/// Adds `n` rows to `table`'s count.
fn add_rows(counts: &Mutex<BTreeMap<String, u64>>, table: &str, n: u64) {
    if n > 0 {
        *lock(counts).entry(table.to_owned()).or_insert(0) += n;
    }
}

/// Rows a staged operation writes, when the operation says.
fn rows_of(op: &Operation) -> u64 {
    use super::OperationAction as A;
    match op.action {
        A::Create | A::Update | A::Upsert | A::Delete | A::Increment | A::Decrement => 1,
        A::BulkCreate | A::BulkUpsert => op
            .data
            .as_ref()
            .and_then(serde_json::Value::as_array)
            .map_or(0, |rows| rows.len() as u64),
        A::BulkUpdate | A::BulkDelete => 0,
    }
}

// A counter is only ever incremented; one left behind by a panicking thread is still right.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[async_trait]
impl Backend for CountingBackend {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn call(&self, request: Request<'_>) -> Result<Response> {
        // Rows staged in a transaction count as written once it commits; a commit or a
        // rollback ends the transaction either way.
        let ended = match request {
            Request::CommitTransaction { id } | Request::RollbackTransaction { id } => {
                lock(&self.staged).remove(id)
            }
            _ => None,
        };
        let result = self.counted(request.name(), self.inner.call(request)).await;
        if let Ok(response) = &result {
            self.tally(request, response);
            if let (Request::CommitTransaction { .. }, Some(tables)) = (request, ended) {
                for (table, n) in tables {
                    add_rows(&self.rows_written, &table, n);
                }
            }
        }
        result
    }
}

impl CountingBackend {
    /// Adds the rows a successful call read or wrote to their tables' counts.
    fn tally(&self, request: Request<'_>, response: &Response) {
        use Request as R;
        match (request, response) {
            (R::GetRow { table, .. }, _) => add_rows(&self.rows_read, table, 1),
            (R::ListRows { table, .. }, Response::Rows(list)) => {
                add_rows(&self.rows_read, table, list.items.len() as u64)
            }
            (
                R::CreateRow { table, .. }
                | R::UpdateRow { table, .. }
                | R::UpsertRow { table, .. }
                | R::DeleteRow { table, .. }
                | R::IncrementRowColumn { table, .. }
                | R::DecrementRowColumn { table, .. },
                _,
            ) => add_rows(&self.rows_written, table, 1),
            (R::CreateRows { table, .. } | R::UpsertRows { table, .. }, Response::Rows(list)) => {
                add_rows(&self.rows_written, table, list.items.len() as u64)
            }
            // `total` is the number of rows changed; the answer lists at most 100 of them.
            (R::UpdateRows { table, .. } | R::DeleteRows { table, .. }, Response::Rows(list)) => {
                add_rows(&self.rows_written, table, list.total)
            }
            (R::StageOperations { id, operations }, _) => {
                let mut staged = lock(&self.staged);
                let tables = staged.entry(id.to_owned()).or_default();
                for op in operations {
                    *tables.entry(op.table_id.clone()).or_insert(0) += rows_of(op);
                }
            }
            _ => {}
        }
    }
}
