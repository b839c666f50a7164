//! The backfill engine behind `backfill`, `try_backfill` and `convert_column`: walk the rows
//! that match a filter in `$sequence` order, page by page with a cursor, compute each row's
//! change, write the changes with bounded concurrency, and checkpoint the cursor in the version's
//! history row after every page.
//!
//! Exactly once: rows are read in a fixed order and the checkpoint records the last row before
//! which everything is written (`after`). A page's writes and its checkpoint commit in one
//! Appwrite transaction, so both happen or neither; where transactions are unavailable (before
//! Appwrite 1.8, or turned off), rows are written one by one, several at once, and the
//! checkpoint also lists the rows past `after` that were written before a failure stopped the
//! page (`done`). A resumed run starts after `after` and skips `done`, so no
//! row is processed twice and none is skipped, whether or not the change takes the row out of
//! the filter. A job that finished is not run again. Jobs are keyed by their position among the
//! step's helper calls (`<n>:<table>`), which is stable between attempts of the same step.

use std::collections::{BTreeMap, HashSet};

use futures_util::{StreamExt, stream};
use serde::{Deserialize, Serialize};

use super::context::Migration;
use super::report::BackfillReport;
use crate::backend::{Document, ListOptions, Operation, OperationAction, Row, TransactionStatus};
use crate::error::types;
use crate::query::Query;
use crate::schema::limits;
use crate::{Error, Result};
use serde_json::Value;

/// The progress of every job of a version, stored as JSON in its history row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Checkpoint {
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

/// Runs one job over the rows of `table` matching `filters`.
pub(crate) async fn run_job(
    m: &Migration<'_>,
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
    let db = m.db();
    // A page's writes and its checkpoint commit in one transaction, which holds at most
    // 100 operations.
    let page_size = if m.transactions_enabled() {
        m.options().page_size.clamp(1, TRANSACTION_ROWS)
    } else {
        m.options().page_size.max(1)
    };
    let write_concurrency = m.options().concurrency.max(1);
    loop {
        m.check_lock()?;
        let mut queries = filters.clone();
        queries.push(Query::order_asc("$sequence"));
        queries.push(Query::limit(page_size));
        if let Some(after) = &state.after {
            queries.push(Query::cursor_after(after.clone()));
        }
        let options = ListOptions {
            total: false,
            transaction_id: None,
        };
        let page = match db
            .backend()
            .list_rows(db.id(), table, &queries, &options)
            .await
        {
            Ok(list) => list.items,
            Err(e)
                if state.after.is_some()
                    && e.error_type() == Some(types::GENERAL_CURSOR_NOT_FOUND) =>
            {
                // The checkpoint's row was deleted meanwhile; start over from the filter.
                tracing::warn!(table, job = %job, "checkpoint row is gone; the backfill starts over from its filter");
                m.warn(format!(
                    "backfill {job}: the row it had stopped at was deleted; it started over from its filter"
                ));
                state.after = None;
                continue;
            }
            // Nothing to walk: a fresh database replays a step written for a table that a
            // later version dropped, or that does not exist yet.
            Err(e) if report.pages == 0 && e.error_type() == Some(types::TABLE_NOT_FOUND) => {
                state.complete = true;
                m.set_job_state(&job, state.clone());
                break;
            }
            Err(e) => return Err(e),
        };
        report.pages += 1;
        let full = page.len() as u64 >= page_size;
        if page.is_empty() {
            state.complete = true;
            m.set_job_state(&job, state.clone());
            break;
        }

        let done: HashSet<&str> = state.done.iter().map(String::as_str).collect();
        let mut outcomes = Vec::with_capacity(page.len());
        let mut failure: Option<Error> = None;
        for row in &page {
            if done.contains(row.id()) {
                outcomes.push(Outcome::Done);
                continue;
            }
            report.matched += 1;
            match f(row) {
                Ok(Some(doc)) if !doc.is_empty() => outcomes.push(Outcome::Write(doc)),
                Ok(_) => {
                    report.skipped += 1;
                    outcomes.push(Outcome::Skip);
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }

        let writes = writes_of(&page, &outcomes);
        let mut committed = false;
        if !writes.is_empty() && m.transactions_enabled() {
            // Once this commits, every row before the failure (if any) is processed.
            let ok: Vec<bool> = (0..page.len()).map(|i| i < outcomes.len()).collect();
            let next = advance(
                &state,
                &page,
                &ok,
                writes.len() as u64,
                failure.is_some(),
                full,
            );
            let checkpoint = m.checkpoint_operation(&job, &next);
            if write_in_transaction(m, table, &writes, checkpoint).await? {
                report.written += writes.len() as u64;
                state = next;
                m.set_job_state(&job, state.clone());
                committed = true;
            }
        }
        let mut write_error = None;
        if !committed {
            let (ok, error) =
                write_page(m, table, &page, &outcomes, writes, write_concurrency).await;
            let written_now = outcomes
                .iter()
                .zip(&ok)
                .filter(|(o, ok)| matches!(o, Outcome::Write(_)) && **ok)
                .count() as u64;
            report.written += written_now;
            let stopped = failure.is_some() || error.is_some();
            state = advance(&state, &page, &ok, written_now, stopped, full);
            m.set_job_state(&job, state.clone());
            m.save_checkpoint().await?;
            write_error = error;
        }
        tracing::info!(
            version = m.version(),
            table,
            job = %job,
            written = report.written,
            skipped = report.skipped,
            page = report.pages,
            "backfill page"
        );
        if let Some(e) = write_error.or(failure) {
            return Err(e);
        }
        if state.complete {
            break;
        }
    }
    Ok(report)
}

/// Rows written per transaction: Appwrite stages at most 100 operations, one of which is the
/// checkpoint.
pub(crate) const TRANSACTION_ROWS: u64 = (limits::MAX_BATCH - 1) as u64;

/// The job's state once the rows of `page` marked in `ok` are processed.
fn advance(
    state: &JobState,
    page: &[Row],
    ok: &[bool],
    written: u64,
    stopped: bool,
    full: bool,
) -> JobState {
    let mut next = state.clone();
    next.written += written;
    // Everything before `prefix` is processed; past it, the rows processed are listed.
    let prefix = ok.iter().take_while(|ok| **ok).count();
    if prefix > 0 {
        next.after = Some(page[prefix - 1].id().to_owned());
    }
    next.done = page
        .iter()
        .zip(ok)
        .skip(prefix)
        .filter(|(_, ok)| **ok)
        .map(|(row, _)| row.id().to_owned())
        .collect();
    next.complete = !stopped && !full;
    next
}

/// The writes of a page, owned: futures built from borrowed tuples trip the compiler's
/// higher-ranked `Send` check when the step's future is boxed as `Send`.
fn writes_of(page: &[Row], outcomes: &[Outcome]) -> Vec<(usize, String, Document)> {
    outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match o {
            Outcome::Write(doc) => Some((i, page[i].id().to_owned(), doc.clone())),
            _ => None,
        })
        .collect()
}

/// True when the server cannot run the writes in a transaction (before 1.8, or a plan with a
/// smaller operation limit): the page is written row by row instead.
fn transactions_unavailable(e: &Error) -> bool {
    matches!(e, Error::Unsupported { .. })
        || matches!(
            e.error_type(),
            Some("general_route_not_found" | types::TRANSACTION_LIMIT_EXCEEDED)
        )
}

/// Writes a page's changes and its checkpoint in one transaction: all of them or none.
/// `Ok(false)` when transactions are unavailable (nothing was written).
async fn write_in_transaction(
    m: &Migration<'_>,
    table: &str,
    writes: &[(usize, String, Document)],
    checkpoint: Option<Operation>,
) -> Result<bool> {
    let db = m.db();
    let backend = db.backend();
    let tx = match backend.create_transaction(None).await {
        Ok(tx) => tx,
        Err(e) if transactions_unavailable(&e) => {
            m.disable_transactions(&e);
            return Ok(false);
        }
        Err(e) => return Err(e),
    };
    let mut operations: Vec<Operation> = writes
        .iter()
        .map(|(_, id, doc)| Operation {
            action: OperationAction::Update,
            database_id: db.id().to_owned(),
            table_id: table.to_owned(),
            row_id: Some(id.clone()),
            data: Some(Value::Object(doc.clone())),
        })
        .collect();
    operations.extend(checkpoint);
    if let Err(e) = backend.stage_operations(&tx.id, &operations).await {
        let _ = backend.rollback_transaction(&tx.id).await;
        if transactions_unavailable(&e) {
            m.disable_transactions(&e);
            return Ok(false);
        }
        return Err(e);
    }
    match backend.commit_transaction(&tx.id).await {
        Ok(_) => Ok(true),
        Err(e) => {
            // A commit whose answer was lost may have been applied: ask before reporting.
            match backend.get_transaction(&tx.id).await {
                Ok(t) if t.status == TransactionStatus::Committed => Ok(true),
                _ => Err(e),
            }
        }
    }
}

/// Writes a page's changes row by row (or in one bulk request when they are all equal).
/// Returns, per row of the page, whether it is processed (skipped and done rows are; rows
/// after a closure failure are not), and the first write error.
async fn write_page(
    m: &Migration<'_>,
    table: &str,
    page: &[Row],
    outcomes: &[Outcome],
    writes: Vec<(usize, String, Document)>,
    concurrency: usize,
) -> (Vec<bool>, Option<Error>) {
    let db = m.db();
    let mut ok: Vec<bool> = page
        .iter()
        .enumerate()
        .map(|(i, _)| matches!(outcomes.get(i), Some(Outcome::Done | Outcome::Skip)))
        .collect();
    if writes.is_empty() {
        return (ok, None);
    }
    // The same change for every row: one bulk request by ids instead of one per row.
    if writes.len() > 1 && writes.iter().all(|(_, _, d)| *d == writes[0].2) {
        let ids: Vec<&str> = writes.iter().map(|(_, id, _)| id.as_str()).collect();
        match db
            .backend()
            .update_rows(db.id(), table, &writes[0].2, &[Query::equal("$id", ids)])
            .await
        {
            Ok(_) => {
                for (i, _, _) in &writes {
                    ok[*i] = true;
                }
                return (ok, None);
            }
            // Appwrite refuses bulk writes on tables with relationship columns: one by one.
            Err(e) if e.error_type() == Some(types::GENERAL_BAD_REQUEST) => {}
            Err(e) => return (ok, Some(e)),
        }
    }
    let backend = std::sync::Arc::clone(db.backend());
    let database = db.id().to_owned();
    let table_id = table.to_owned();
    let results: Vec<(usize, Result<Row>)> = stream::iter(writes)
        .map(move |(i, id, doc)| {
            let backend = std::sync::Arc::clone(&backend);
            let database = database.clone();
            let table_id = table_id.clone();
            async move {
                let result = backend
                    .update_row(&database, &table_id, &id, &doc, None)
                    .await;
                (i, result)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut first_error: Option<(usize, Error)> = None;
    for (i, result) in results {
        match result {
            Ok(_) => ok[i] = true,
            Err(e) => {
                if first_error.as_ref().is_none_or(|(j, _)| i < *j) {
                    first_error = Some((i, e));
                }
            }
        }
    }
    (ok, first_error.map(|(_, e)| e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_round_trip_and_tolerate_garbage() {
        let mut c = Checkpoint::default();
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
