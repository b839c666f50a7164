//! The history table with the migration lock held: what every operation that writes the
//! history (run, revert, baseline, repair, forget) works under, set up and released in one
//! place. An operation opens it, runs its work to a `Result` (in a function of its own, so
//! that no `?` skips the release), and hands that result to
//! [`release_with`](LockedHistory::release_with).

use crate::migrate::options::MigrateOptions;
use crate::migrate::records::history::History;
use crate::migrate::records::lock::Lock;
use crate::{Database, Result};

/// The history table and the lock held on it. Dropping it stops the lock's heartbeat (the
/// row then expires by itself); [`release`](Self::release) deletes the row at once.
#[derive(Debug)]
pub(crate) struct LockedHistory {
    history: History,
    lock: Lock,
}

impl LockedHistory {
    /// Creates the history table of `db` when it is missing, then takes the lock, waiting
    /// for another run as long as `options` say.
    pub(crate) async fn open(db: &Database, options: &MigrateOptions) -> Result<Self> {
        let history = History::of(db, &options.history_table);
        history.ensure().await?;
        Self::take(history, options).await
    }

    /// Takes the lock on `history`, a table known to exist.
    pub(crate) async fn take(history: History, options: &MigrateOptions) -> Result<Self> {
        let lock = Lock::acquire(&history, options).await?;
        Ok(Self { history, lock })
    }

    /// The history table.
    pub(crate) fn history(&self) -> &History {
        &self.history
    }

    /// The lock held.
    pub(crate) fn lock(&self) -> &Lock {
        &self.lock
    }

    /// Releases the lock.
    pub(crate) async fn release(self) -> Result<()> {
        self.lock.release().await
    }

    /// Releases the lock and gives back `result`, what the work under it returned: the work's
    /// error when it failed, else the release's.
    pub(crate) async fn release_with<T>(self, result: Result<T>) -> Result<T> {
        let released = self.release().await;
        let value = result?;
        released?;
        Ok(value)
    }
}
