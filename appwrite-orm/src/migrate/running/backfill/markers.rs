//! Chunk markers: the checkpoint of a pipelined backfill.
//!
//! Several chunks of a backfill commit at once, in any order, so one checkpoint value in the
//! version's history row cannot describe them: two transactions updating it would conflict,
//! and the later commit would overwrite the earlier one's progress. Instead each chunk's
//! transaction *creates* a marker row in the history table, beside its row writes. A marker
//! names the range of rows its chunk covers (the row it starts after, its last row, in
//! `$sequence` order) and the rows it wrote.
//!
//! - Exactly once: the marker's id is fixed for the chunk, so a second commit of the same
//!   chunk (a retry after a lost answer, while the first was in fact applied) fails whole on
//!   the existing marker. Whether a commit whose answer was lost went through is read from
//!   the marker, never guessed.
//! - Resuming: the history row's cursor is the low-water mark. Markers whose ranges chain on
//!   from it move it forward; the rows written by markers past a gap (a chunk that had not
//!   committed when the run stopped) are skipped when read again.
//! - Markers carry the checkpoint's token: a checkpoint that starts over (the step changed, a
//!   restore) has a new token, and the markers of the old one are ignored.
//! - Markers stay until their version is recorded applied, and are then deleted together
//!   ([`delete_of_version`]); a resumed run folds them up to the end of a finished job, where it
//!   finds nothing left to do. A job stopped by an error has its progress folded into the
//!   history row instead, and its markers deleted at once.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::Result;
use crate::migrate::records::history::History;
use std::sync::Arc;

use crate::api::types;
use crate::api::{Operation, OperationAction, Row};
use crate::query::Query;

/// The `status` value of marker rows (version rows say `running`, `applied`, `failed`).
const MARKER_STATUS: &str = "chunk";

/// What a marker row records in its `checkpoint` column.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ChunkRange {
    /// The row the chunk starts after (`None`: the start of the filter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) after: Option<String>,
    /// The chunk's last row: every row from `after` (excluded) to here was processed.
    pub(crate) last: String,
    /// The rows the chunk wrote.
    #[serde(default)]
    pub(crate) ids: Vec<String>,
}

/// A job's progress rebuilt from its history state and its markers.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Folded {
    /// The low-water mark: every row up to it is processed.
    pub(crate) after: Option<String>,
    /// Rows past the mark that markers say are written.
    pub(crate) done: Vec<String>,
    /// Rows the markers wrote.
    pub(crate) written: u64,
    /// Markers found.
    pub(crate) markers: usize,
}

/// Moves `after` along the markers whose ranges chain on from it; the rows written by the
/// others are done.
pub(crate) fn fold(after: Option<String>, mut ranges: Vec<ChunkRange>) -> Folded {
    let mut folded = Folded {
        after,
        markers: ranges.len(),
        written: ranges.iter().map(|r| r.ids.len() as u64).sum(),
        ..Folded::default()
    };
    while let Some(i) = ranges.iter().position(|r| r.after == folded.after) {
        folded.after = Some(ranges.swap_remove(i).last);
    }
    folded.done = ranges.into_iter().flat_map(|r| r.ids).collect();
    folded
}

/// The markers of one job of one version.
#[derive(Debug, Clone)]
pub(crate) struct Markers {
    history: History,
    version: u32,
    /// `<checkpoint token>/<job>`: what the markers of this job and checkpoint share.
    name: String,
    /// Part of every id this attempt creates, so that ids never repeat across attempts.
    attempt: String,
}

impl Markers {
    pub(crate) fn new(history: History, version: u32, token: &str, job: &str) -> Self {
        Self {
            history,
            version,
            name: format!("{token}/{job}"),
            attempt: super::random_token(6),
        }
    }

    /// The id of a chunk of this attempt: its number in base 36, then the halves it was
    /// split into (at most 36 characters, as Appwrite allows).
    pub(crate) fn id(&self, (seq, halves): &(u32, String)) -> String {
        format!(
            "c{}.{}.{}{halves}",
            self.version,
            self.attempt,
            base36(*seq)
        )
    }

    /// The creation of chunk `seq`'s marker, to stage with its writes.
    pub(crate) fn operation(&self, key: &(u32, String), range: &ChunkRange) -> Operation {
        let text = serde_json::to_string(range).unwrap_or_default();
        Operation {
            action: OperationAction::Create,
            database_id: self.history.database().to_owned(),
            table_id: self.history.table_id().to_owned(),
            row_id: Some(self.id(key)),
            data: Some(json!({
                "version": self.version,
                "status": MARKER_STATUS,
                "name": self.name,
                "rows_touched": range.ids.len(),
                "checkpoint": text,
            })),
        }
    }

    /// Whether the marker `id` exists, i.e. whether its chunk committed. Reads are retried
    /// by the transport; an error here means the answer is unknown.
    pub(crate) async fn exists(&self, id: &str) -> Result<bool> {
        match self
            .history
            .backend()
            .get_row(self.history.database(), self.history.table_id(), id, &[])
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.error_type() == Some(types::ROW_NOT_FOUND) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn filters(&self) -> Vec<Query> {
        let mut filters = of_version(self.version);
        filters.push(Query::equal("name", [Value::from(self.name.clone())]));
        filters
    }

    /// Every marker of this job and checkpoint, from earlier attempts (read by cursor).
    pub(crate) async fn read(&self) -> Result<Vec<ChunkRange>> {
        let rows =
            crate::Database::new(Arc::clone(self.history.backend()), self.history.database())
                .rows(self.history.table_id())
                .query()
                .with_all(self.filters())
                .all()
                .await?;
        Ok(rows.iter().filter_map(range_of).collect())
    }

    /// Deletes this job's markers once its progress is saved in the history row (a job stopped
    /// by an error). A failure leaves markers behind the saved cursor, which only add skipped
    /// ids on a resume, so it is only logged.
    pub(crate) async fn delete_all(&self) {
        if let Err(e) = self
            .history
            .backend()
            .delete_rows(
                self.history.database(),
                self.history.table_id(),
                &self.filters(),
            )
            .await
        {
            tracing::warn!(error = %e, markers = %self.name, "could not delete the chunk markers of a finished backfill");
        }
    }
}

/// Deletes every marker of `version` once the version is recorded applied: until then they are
/// its backfills' checkpoint. A failure leaves rows nothing reads again, so it is only logged.
pub(crate) async fn delete_of_version(history: &History, version: u32) {
    let filters = of_version(version);
    if let Err(e) = history
        .backend()
        .delete_rows(history.database(), history.table_id(), &filters)
        .await
    {
        tracing::warn!(error = %e, version, "could not delete the chunk markers of an applied version");
    }
}

/// The filters that select every marker of `version`.
fn of_version(version: u32) -> Vec<Query> {
    vec![
        Query::equal("status", [Value::from(MARKER_STATUS)]),
        Query::equal("version", [Value::from(version)]),
    ]
}

fn base36(mut n: u32) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn range_of(row: &Row) -> Option<ChunkRange> {
    let text = row.get("checkpoint")?.as_str()?;
    serde_json::from_str(text).ok()
}

/// The data of a marker row, for tests.
#[cfg(test)]
fn marker_data(op: &Operation) -> crate::api::Document {
    op.data
        .as_ref()
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(after: Option<&str>, last: &str, ids: &[&str]) -> ChunkRange {
        ChunkRange {
            after: after.map(str::to_owned),
            last: last.to_owned(),
            ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn folding_follows_the_chain_and_keeps_what_lies_past_a_gap() {
        // Chunks 1, 2 and 4 committed (out of order); chunk 3 (d..f) did not.
        let ranges = vec![
            range(Some("f"), "h", &["g", "h"]),
            range(None, "b", &["a", "b"]),
            range(Some("b"), "d", &["c"]),
        ];
        let folded = fold(None, ranges);
        assert_eq!(folded.after.as_deref(), Some("d"));
        assert_eq!(folded.done, vec!["g".to_owned(), "h".to_owned()]);
        assert_eq!(folded.written, 5);
        assert_eq!(folded.markers, 3);
    }

    #[test]
    fn folding_starts_at_the_saved_cursor() {
        let folded = fold(Some("x".into()), vec![range(Some("x"), "y", &["y"])]);
        assert_eq!(folded.after.as_deref(), Some("y"));
        assert!(folded.done.is_empty());
        assert_eq!(fold(Some("x".into()), vec![]).after.as_deref(), Some("x"));
    }

    #[test]
    fn marker_ids_fit_appwrites_id_rule_and_rows_carry_the_range() {
        let history = History::new(
            std::sync::Arc::new(crate::backend::embedded::EmbeddedBackend::in_memory().unwrap()),
            "app",
            "orm_migrations",
        );
        let markers = Markers::new(history, 4_000_000_000, "tok12345", "12:users");
        // The longest: the highest number, split down to single rows of a 99-row chunk.
        let id = markers.id(&(u32::MAX, "0101101".to_owned()));
        assert!(id.len() <= 36, "{id}");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
        assert_eq!(crate::schema::check_id(&id), Ok(()), "{id}");
        let r = range(Some("a"), "c", &["b", "c"]);
        let data = marker_data(&markers.operation(&(7, String::new()), &r));
        assert_eq!(data["status"], MARKER_STATUS);
        assert_eq!(data["name"], "tok12345/12:users");
        let text = data["checkpoint"].as_str().unwrap();
        assert_eq!(serde_json::from_str::<ChunkRange>(text).unwrap(), r);
    }
}
