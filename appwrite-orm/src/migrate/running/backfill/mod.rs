//! The backfill engine behind `backfill`, `try_backfill` and `convert_column`: walk the rows
//! that match a filter in `$sequence` order, compute each row's change, write the changes and
//! checkpoint the progress, so that a resumed run neither redoes nor skips a row.
//!
//! - With transactions (Appwrite 1.8+), the walk is a pipeline ([`pipeline`]): the next page
//!   is read while earlier chunks are written, and several chunks of at most 99 changes commit
//!   at once, each in one transaction with its marker row ([`markers`]), which is its
//!   checkpoint. Faults are ridden through ([`chunk`]), and a chunk that meets a concurrent
//!   change is read again and redone.
//! - Without them (before 1.8, or turned off), rows are written one by one, several at once,
//!   page after page ([`rowwise`]); the checkpoint in the version's history row lists the rows
//!   past the cursor that were written before a failure stopped a page.
//!
//! A job that finished is not run again. Jobs are keyed by their position among the step's
//! helper calls (`<n>:<table>`), which is stable between attempts of the same step.

use std::collections::BTreeMap;
use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::api::types;
use crate::api::{Document, ListOptions, Row};
use crate::migrate::records::report::BackfillReport;
use crate::migrate::running::context::Migration;
use crate::query::Query;
use crate::schema::limits;
use crate::{Database, Error, Result};

mod chunk;
pub(crate) mod markers;
mod pipeline;
mod rowwise;

/// The progress of every job of a version, stored as JSON in its history row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Checkpoint {
    /// Names this checkpoint's chunk markers; a checkpoint that starts over gets a new one,
    /// so markers of an abandoned attempt are never taken for progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) token: Option<String>,
    #[serde(default)]
    pub(crate) jobs: BTreeMap<String, JobState>,
}

/// One job's progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct JobState {
    /// Every row up to this one (in `$sequence` order) is processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) after: Option<String>,
    /// Rows past `after` that are processed too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) done: Vec<String>,
    /// The job finished.
    #[serde(default)]
    pub(crate) complete: bool,
    /// Rows written so far, over every attempt.
    #[serde(default)]
    pub(crate) written: u64,
}

impl Checkpoint {
    /// Reads a stored checkpoint; an unreadable one restarts the jobs (they select by filter,
    /// so rows already changed are usually not selected again) and says so.
    pub(crate) fn parse(text: &str) -> Self {
        if text.trim().is_empty() {
            return Self::default();
        }
        serde_json::from_str(text).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "unreadable migration checkpoint; the step's jobs start over");
            Self::default()
        })
    }

    /// The checkpoint with a token, made now if it has none.
    pub(crate) fn with_token(mut self) -> Self {
        self.token.get_or_insert_with(|| random_token(10));
        self
    }

    pub(crate) fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What to do with one row of a page.
enum Outcome {
    /// Written by an earlier attempt (in the checkpoint's `done`).
    Done,
    /// The closure left it as it is.
    Skip,
    /// Write this.
    Write(Document),
}

/// The closure of a job: a row's change, `None` to leave it, an error to stop.
pub(crate) type RowFn<'f> = dyn FnMut(&Row) -> Result<Option<Document>> + Send + 'f;

/// Runs one job over the rows of `table` (in `db`, the table's database) matching `filters`.
/// Its checkpoint and chunk markers stay in the history of the database `m` migrates.
pub(crate) async fn run_job(
    m: &Migration<'_>,
    db: &Database,
    job: String,
    table: &str,
    filters: Vec<Query>,
    f: &mut RowFn<'_>,
) -> Result<BackfillReport> {
    let mut state = m.job_state(&job);
    let mut report = BackfillReport {
        table: table.to_owned(),
        job: job.clone(),
        ..BackfillReport::default()
    };
    if state.complete {
        report.already_done = true;
        report.written = state.written;
        tracing::info!(version = m.version(), table, job = %job, "backfill done by an earlier attempt");
        return Ok(report);
    }
    if state.after.is_some() || !state.done.is_empty() {
        report.resumed_after = Some(state.after.clone().unwrap_or_default());
        tracing::info!(version = m.version(), table, job = %job, after = ?state.after, "resuming backfill");
    }
    let walk = Walk {
        m,
        db,
        job: &job,
        table,
        filters: &filters,
    };
    if m.transactions_enabled() {
        match pipeline::run(&walk, f, &mut state, &mut report).await? {
            pipeline::Finish::Done => return Ok(report),
            // Nothing past `state` is written: go on row by row from there.
            pipeline::Finish::NoTransactions => {}
        }
    }
    rowwise::run(&walk, f, &mut state, &mut report).await?;
    Ok(report)
}

/// The job being walked.
struct Walk<'w, 'm> {
    m: &'w Migration<'m>,
    /// The database of the table walked (a model may live in another database than the one
    /// migrated).
    db: &'w Database,
    job: &'w str,
    table: &'w str,
    filters: &'w [Query],
}

/// A page read from the cursor.
enum Read {
    Rows(Vec<Row>),
    /// The cursor's row was deleted meanwhile.
    CursorGone,
    /// The table does not exist: nothing to walk (a fresh database replays a step written for
    /// a table that a later version dropped, or that does not exist yet).
    TableMissing,
}

impl Walk<'_, '_> {
    /// The queries of a page of `limit` rows after `after`, in `$sequence` order.
    fn page_queries(&self, after: Option<&str>, limit: u64) -> Vec<Query> {
        let mut queries = self.filters.to_vec();
        queries.push(Query::order_asc("$sequence"));
        queries.push(Query::limit(limit));
        if let Some(after) = after {
            queries.push(Query::cursor_after(after.to_owned()));
        }
        queries
    }

    fn warn_cursor_gone(&self) {
        tracing::warn!(table = self.table, job = %self.job, "the row the backfill had stopped at is gone; it starts over from its filter");
        self.m.warn(format!(
            "backfill {}: the row it had stopped at was deleted; it started over from its filter",
            self.job
        ));
    }
}

/// Reads rows, trying again after transient failures beyond the transport's own retries.
async fn read_rows(
    backend: &dyn crate::backend::Backend,
    database: &str,
    table: &str,
    queries: &[Query],
) -> Result<Read> {
    let options = ListOptions {
        total: false,
        transaction_id: None,
    };
    let mut pause = Transient::new();
    loop {
        match backend.list_rows(database, table, queries, &options).await {
            Ok(list) => return Ok(Read::Rows(list.items)),
            Err(e) if e.error_type() == Some(types::GENERAL_CURSOR_NOT_FOUND) => {
                return Ok(Read::CursorGone);
            }
            Err(e) if e.error_type() == Some(types::TABLE_NOT_FOUND) => {
                return Ok(Read::TableMissing);
            }
            Err(e) if transient(&e) && pause.more() => pause.wait().await,
            Err(e) => return Err(e),
        }
    }
}

/// The rows of `table` with these ids that match `filters`, in `$sequence` order (one
/// request per batch of ids that fits in a query; usually one).
async fn rows_by_id(
    backend: &dyn crate::backend::Backend,
    database: &str,
    table: &str,
    filters: &[Query],
    ids: &[String],
) -> Result<Vec<Row>> {
    let values: Vec<serde_json::Value> = ids.iter().cloned().map(Into::into).collect();
    let mut rows = Vec::with_capacity(ids.len());
    for batch in crate::table::equal_batches("$id", values) {
        let mut queries = filters.to_vec();
        queries.push(batch);
        queries.push(Query::order_asc("$sequence"));
        queries.push(Query::limit(ids.len() as u64));
        if let Read::Rows(found) = read_rows(backend, database, table, &queries).await? {
            rows.extend(found);
        }
    }
    Ok(rows)
}

/// Rows written per transaction: Appwrite stages at most 100 operations, one of which is the
/// checkpoint.
pub(crate) const TRANSACTION_ROWS: u64 = (limits::MAX_BATCH - 1) as u64;

/// True for failures worth another try: the network, rate limits, a server or a proxy
/// failing, an expired transaction.
pub(crate) fn transient(e: &Error) -> bool {
    match e {
        Error::Transport { .. } => true,
        _ => matches!(e.code(), Some(429 | 500 | 502 | 503 | 504)),
    }
}

/// Pauses between the tries of a step that failed transiently: full jitter over a doubling
/// cap, from 100 ms up to 5 s, for a bounded number of tries.
pub(crate) struct Transient {
    tries: u32,
}

impl Transient {
    const MAX_TRIES: u32 = 10;

    pub(crate) fn new() -> Self {
        Self { tries: 0 }
    }

    /// Whether another try is allowed.
    pub(crate) fn more(&self) -> bool {
        self.tries < Self::MAX_TRIES
    }

    pub(crate) async fn wait(&mut self) {
        let cap = Duration::from_millis(100)
            .saturating_mul(1 << self.tries.min(6))
            .min(Duration::from_secs(5));
        self.tries += 1;
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        let pause = Duration::from_nanos(rand::rng().random_range(0..=nanos));
        tokio::time::sleep(pause).await;
    }
}

/// A random token of lowercase letters and digits.
pub(crate) fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_round_trip_and_tolerate_garbage() {
        let mut c = Checkpoint::default().with_token();
        assert_eq!(c.token.as_ref().map(String::len), Some(10));
        assert_eq!(c.clone().with_token(), c, "a token, once made, is kept");
        c.jobs.insert(
            "0:users".into(),
            JobState {
                after: Some("a".into()),
                done: vec!["c".into()],
                complete: false,
                written: 7,
            },
        );
        assert_eq!(Checkpoint::parse(&c.to_text()), c);
        assert_eq!(Checkpoint::parse(""), Checkpoint::default());
        assert_eq!(Checkpoint::parse("{not json"), Checkpoint::default());
    }
}
