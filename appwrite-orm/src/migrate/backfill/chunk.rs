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
//! A commit that meets a row changed by someone else since the transaction began fails with
//! `transaction_conflict`; the chunk comes back as [`ChunkEnd::Conflict`] so that its rows
//! are read again and their changes computed anew.

use std::sync::Arc;

use super::markers::Markers;
use super::{Transient, transient};
use crate::backend::{Backend, Operation, TransactionStatus};
use crate::error::types;
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

/// What a commit attempt needs, owned so that several can run at once.
pub(crate) struct ChunkCommit {
    pub(crate) backend: Arc<dyn Backend>,
    pub(crate) operations: Vec<Operation>,
    /// The chunk's marker (`None` when checkpoints are not saved, as in a dry run).
    pub(crate) marker: Option<(Markers, String)>,
}

/// Retries a chunk gets before its error stands (each after the transport's own retries).
const ATTEMPTS: u32 = 12;

/// True when transactions themselves are missing, rather than this transaction failing.
pub(crate) fn transactions_unavailable(e: &Error) -> bool {
    matches!(e, Error::Unsupported { .. })
        || matches!(
            e.error_type(),
            Some("general_route_not_found" | types::TRANSACTION_LIMIT_EXCEEDED)
        )
}

impl ChunkCommit {
    /// Commits the chunk; the count says how many attempts were retried.
    pub(crate) async fn run(self) -> (ChunkEnd, u32) {
        let mut pause = Transient::new();
        let mut retried = 0;
        loop {
            let (end, again) = self.attempt().await;
            match end {
                Some(end) => return (end, retried),
                None if retried + 1 < ATTEMPTS => {
                    retried += 1;
                    pause.wait().await;
                }
                None => {
                    let error = again.unwrap_or_else(|| {
                        Error::Internal("a chunk failed without an error".to_owned())
                    });
                    return (ChunkEnd::Failed(error), retried);
                }
            }
        }
    }

    /// One attempt: `Some(end)` when the chunk's fate is known, `None` (with the transient
    /// error) when it should be tried again.
    async fn attempt(&self) -> (Option<ChunkEnd>, Option<Error>) {
        let backend = &self.backend;
        let tx = match backend.create_transaction(None).await {
            Ok(tx) => tx,
            Err(e) => return self.settle_without_commit(e),
        };
        if let Err(e) = backend.stage_operations(&tx.id, &self.operations).await {
            // Whatever was staged dies with the transaction.
            let _ = backend.rollback_transaction(&tx.id).await;
            return self.settle_without_commit(e);
        }
        let error = match backend.commit_transaction(&tx.id).await {
            Ok(_) => return (Some(ChunkEnd::Committed), None),
            Err(e) => e,
        };
        // The commit may have gone through (a lost answer), or failed because an earlier
        // attempt's commit did (the marker exists): the marker says which.
        match self.committed(&tx.id).await {
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
            // Make sure the old transaction can no longer commit before trying a new one.
            let _ = backend.rollback_transaction(&tx.id).await;
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
