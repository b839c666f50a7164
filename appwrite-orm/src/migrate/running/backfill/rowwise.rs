//! The walk without transactions (before Appwrite 1.8, or turned off): page after page, each
//! page's changes written row by row, several at once (or in one bulk request when they are
//! all equal), then the checkpoint saved in the version's history row. A page stopped by a
//! failure records the rows past the cursor that were written (`done`), so a resumed run skips
//! exactly those.

use std::collections::HashSet;
use std::sync::Arc;

use futures_util::{StreamExt, stream};

use super::{JobState, Outcome, Read, RowFn, Walk, read_rows};
use crate::api::types;
use crate::api::{Document, Row};
use crate::migrate::records::report::BackfillReport;
use crate::query::Query;
use crate::{Error, Result};

/// Walks the job's rows from `state` to the end, row by row.
pub(super) async fn run(
    walk: &Walk<'_, '_>,
    f: &mut RowFn<'_>,
    state: &mut JobState,
    report: &mut BackfillReport,
) -> Result<()> {
    let m = walk.m;
    let db = walk.db;
    let page_size = m.options().page_size.max(1);
    let concurrency = m.options().concurrency.max(1);
    loop {
        m.check_lock()?;
        let queries = walk.page_queries(state.after.as_deref(), page_size);
        let page = match read_rows(db.backend().as_ref(), db.id(), walk.table, &queries).await? {
            Read::Rows(rows) => rows,
            Read::CursorGone if state.after.is_some() => {
                walk.warn_cursor_gone();
                state.after = None;
                continue;
            }
            Read::CursorGone | Read::TableMissing => Vec::new(),
        };
        report.pages += 1;
        let full = page.len() as u64 >= page_size;
        if page.is_empty() {
            state.complete = true;
            m.set_job_state(walk.job, state.clone());
            return Ok(());
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
        let (ok, error) = write_page(walk, &page, &outcomes, writes, concurrency).await;
        let written_now = outcomes
            .iter()
            .zip(&ok)
            .filter(|(o, ok)| matches!(o, Outcome::Write(_)) && **ok)
            .count() as u64;
        report.written += written_now;
        let stopped = failure.is_some() || error.is_some();
        *state = advance(state, &page, &ok, written_now, stopped, full);
        m.set_job_state(walk.job, state.clone());
        m.save_checkpoint().await?;
        tracing::info!(
            version = m.version(),
            table = walk.table,
            job = %walk.job,
            written = report.written,
            skipped = report.skipped,
            page = report.pages,
            "backfill page"
        );
        if let Some(e) = error.or(failure) {
            return Err(e);
        }
        if state.complete {
            return Ok(());
        }
    }
}

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

/// Writes a page's changes row by row (or in one bulk request when they are all equal).
/// Returns, per row of the page, whether it is processed (skipped and done rows are; rows
/// after a closure failure are not), and the first write error.
async fn write_page(
    walk: &Walk<'_, '_>,
    page: &[Row],
    outcomes: &[Outcome],
    writes: Vec<(usize, String, Document)>,
    concurrency: usize,
) -> (Vec<bool>, Option<Error>) {
    let db = walk.db;
    let table = walk.table;
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
    let backend = Arc::clone(db.backend());
    let database = db.id().to_owned();
    let table_id = table.to_owned();
    let results: Vec<(usize, Result<Row>)> = stream::iter(writes)
        .map(move |(i, id, doc)| {
            let backend = Arc::clone(&backend);
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
