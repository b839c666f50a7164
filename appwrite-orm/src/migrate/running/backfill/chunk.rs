//! Committing one chunk of a pipelined backfill: its row updates and its marker in one
//! transaction, riding through the faults of a real network.
//!
//! Each attempt opens a transaction, stages the operations and commits. What may be repeated:
//! - opening a transaction (an orphan left by a lost answer expires on the server);
//! - staging, into a transaction that is then rolled back and replaced, so nothing is staged
//!   twice into the transaction that commits;
//! - a commit whose answer was lost: the chunk's marker row says whether it went through. If
//!   it did not, the old transaction is rolled back before a new one is tried; should the old
//!   commit still land afterwards, the new one fails whole on the marker it also creates, and
//!   the marker is read again.
//!
//! Concurrent writers: Appwrite fails a commit with `transaction_conflict` when a row it
//! writes changed after its operation was staged. A row changed between the read and the
//! staging is not caught by that, so after staging the chunk's rows are read again and their
//! `$updatedAt` compared with the one they were read with. Either way the chunk comes back as
//! [`ChunkEnd::Conflict`], and its rows are read again and their changes computed anew.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::markers::Markers;
use super::{Transient, rows_by_id, transient};
use crate::api::types;
use crate::api::{Operation, TransactionStatus};
use crate::backend::Backend;
use crate::{Error, Result};

/// How a chunk ended.
#[derive(Debug)]
pub(crate) enum ChunkEnd {
    /// Its writes are committed.
    Committed,
    /// Someone else changed one of its rows after its transaction began: nothing was written.
    Conflict,
    /// The server has no transactions (before 1.8, or a plan that limits them): nothing was
    /// written.
    Unavailable(Error),
    /// It could not be written; nothing was.
    Failed(Error),
}

/// How a chunk's commit ended, and what it took.
#[derive(Debug)]
pub(crate) struct Ended {
    pub(crate) end: ChunkEnd,
    /// Attempts tried again after a transient failure.
    pub(crate) retried: u32,
    /// A commit's answer was lost and the marker did not show it: that commit may still land.
    pub(crate) uncertain: bool,
}

/// What a commit attempt needs, owned so that several can run at once.
pub(crate) struct ChunkCommit {
    /// A transaction opened ahead for the first attempt.
    pub(crate) opened: Option<String>,
    pub(crate) backend: Arc<dyn Backend>,
    pub(crate) database: String,
    pub(crate) table: String,
    pub(crate) operations: Vec<Operation>,
    /// Each written row's `$updatedAt` when it was read.
    pub(crate) read_at: Vec<(String, Option<String>)>,
    /// The chunk's marker (`None` when checkpoints are not saved, as in a dry run).
    pub(crate) marker: Option<(Markers, String)>,
}

/// True when transactions themselves are missing, rather than this transaction failing.
fn transactions_unavailable(e: &Error) -> bool {
    matches!(e, Error::Unsupported { .. })
        || matches!(
            e.error_type(),
            Some("general_route_not_found" | types::TRANSACTION_LIMIT_EXCEEDED)
        )
}

impl ChunkCommit {
    /// Commits the chunk.
    pub(crate) async fn run(mut self) -> Ended {
        let mut pause = Transient::new();
        let mut ended = Ended {
            end: ChunkEnd::Committed,
            retried: 0,
            uncertain: false,
        };
        loop {
            let opened = self.opened.take();
            let (end, again) = self.attempt(opened, &mut ended.uncertain).await;
            match end {
                Some(end) => {
                    ended.end = end;
                    return ended;
                }
                // Tried again as long as the pauses allow (each attempt after the transport's
                // own retries).
                None if pause.more() => {
                    ended.retried += 1;
                    pause.wait().await;
                }
                None => {
                    let error = again.unwrap_or_else(|| {
                        Error::Internal("a chunk failed without an error".to_owned())
                    });
                    ended.end = ChunkEnd::Failed(error);
                    return ended;
                }
            }
        }
    }

    /// One attempt: `Some(end)` when the chunk's fate is known, `None` (with the transient
    /// error) when it should be tried again.
    async fn attempt(
        &self,
        opened: Option<String>,
        uncertain: &mut bool,
    ) -> (Option<ChunkEnd>, Option<Error>) {
        let backend = &self.backend;
        let tx = match opened {
            Some(id) => id,
            None => match backend.create_transaction(None).await {
                Ok(tx) => tx.id,
                Err(e) => return self.settle_without_commit(e),
            },
        };
        if let Err(e) = backend.stage_operations(&tx, &self.operations).await {
            // Whatever was staged dies with the transaction.
            let _ = backend.rollback_transaction(&tx).await;
            return self.settle_without_commit(e);
        }
        // Appwrite's commit catches rows changed after staging; a row changed between the
        // read and the staging is caught here.
        match self.unchanged_since_read().await {
            Ok(true) => {}
            Ok(false) => {
                let _ = backend.rollback_transaction(&tx).await;
                return (Some(ChunkEnd::Conflict), None);
            }
            Err(e) => {
                let _ = backend.rollback_transaction(&tx).await;
                return self.settle_without_commit(e);
            }
        }
        let error = match backend.commit_transaction(&tx).await {
            Ok(_) => return (Some(ChunkEnd::Committed), None),
            Err(e) => e,
        };
        // The commit may have gone through (a lost answer), or failed because an earlier
        // attempt's commit did (the marker exists): the marker says which.
        match self.committed(&tx).await {
            Ok(true) => return (Some(ChunkEnd::Committed), None),
            Ok(false) => {}
            // Unknown: try again; a repeat cannot write twice (the marker).
            Err(read) if self.marker.is_some() => return (None, Some(read)),
            Err(_) => {}
        }
        if error.error_type() == Some(types::TRANSACTION_CONFLICT) {
            return (Some(ChunkEnd::Conflict), None);
        }
        if transient(&error) {
            // Make sure the old transaction can no longer commit before trying a new one; if
            // the rollback is lost too, that commit may still land (the marker guards it).
            *uncertain |= backend.rollback_transaction(&tx).await.is_err();
            return (None, Some(error));
        }
        (Some(ChunkEnd::Failed(error)), None)
    }

    fn settle_without_commit(&self, e: Error) -> (Option<ChunkEnd>, Option<Error>) {
        if transactions_unavailable(&e) {
            (Some(ChunkEnd::Unavailable(e)), None)
        } else if transient(&e) || e.error_type() == Some(types::TRANSACTION_NOT_FOUND) {
            (None, Some(e))
        } else {
            (Some(ChunkEnd::Failed(e)), None)
        }
    }

    /// Whether every written row still has the `$updatedAt` it was read with.
    async fn unchanged_since_read(&self) -> Result<bool> {
        let ids: Vec<String> = self.read_at.iter().map(|(id, _)| id.clone()).collect();
        let rows = rows_by_id(
            self.backend.as_ref(),
            &self.database,
            &self.table,
            &[],
            &ids,
        )
        .await?;
        let now: HashMap<&str, Option<&str>> = rows
            .iter()
            .map(|r| (r.id(), r.get("$updatedAt").and_then(Value::as_str)))
            .collect();
        Ok(self.read_at.iter().all(|(id, read)| match read {
            Some(read) => now.get(id.as_str()) == Some(&Some(read.as_str())),
            // Nothing to compare with: only Appwrite's own check at commit applies.
            None => true,
        }))
    }

    /// Whether the chunk is committed: its marker exists; without a marker, whether the
    /// transaction says so.
    async fn committed(&self, tx: &str) -> Result<bool> {
        match &self.marker {
            Some((markers, id)) => markers.exists(id).await,
            None => Ok(self
                .backend
                .get_transaction(tx)
                .await
                .is_ok_and(|t| t.status == TransactionStatus::Committed)),
        }
    }
}
