//! Waiting for Appwrite's asynchronous schema work: new columns and indexes become `available`
//! (or `failed`/`stuck`), deleted ones disappear. One `GET …/tables/{id}` answers for every
//! column and index of a table, so each poll is one request whatever is awaited.
//!
//! Polling is adaptive: the first look is immediate (the embedded engine and the emulator with
//! no delay are done by then), then the pause starts at `poll_start` and grows by half up to
//! `poll_max`, until `poll_timeout`.

use std::time::{Duration, Instant};

use crate::api::{ColumnStatus, Table};
use crate::migrate::options::MigrateOptions;
use crate::{Database, Error, Result};

/// What to wait for on one table.
#[derive(Debug, Default, Clone)]
pub(crate) struct Pending {
    pub(crate) columns: Vec<String>,
    pub(crate) indexes: Vec<String>,
}

impl Pending {
    /// One column.
    pub(crate) fn column(key: &str) -> Self {
        Self {
            columns: vec![key.to_owned()],
            indexes: Vec::new(),
        }
    }

    /// One index.
    pub(crate) fn index(key: &str) -> Self {
        Self {
            columns: Vec::new(),
            indexes: vec![key.to_owned()],
        }
    }

    /// The columns and indexes of a live table that are not `available` yet.
    pub(crate) fn of_table(table: &Table) -> Self {
        fn not_available<'i>(items: impl Iterator<Item = (ColumnStatus, &'i str)>) -> Vec<String> {
            items
                .filter(|(status, _)| *status != ColumnStatus::Available)
                .map(|(_, key)| key.to_owned())
                .collect()
        }
        Self {
            columns: not_available(
                table
                    .columns
                    .iter()
                    .map(|c| (c.status, c.schema.key.as_str())),
            ),
            indexes: not_available(
                table
                    .indexes
                    .iter()
                    .map(|i| (i.status, i.schema.key.as_str())),
            ),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.columns.is_empty() && self.indexes.is_empty()
    }
}

struct Backoff {
    started: Instant,
    pause: Duration,
    max: Duration,
    timeout: Duration,
    first: bool,
}

impl Backoff {
    fn new(options: &MigrateOptions) -> Self {
        Self {
            started: Instant::now(),
            pause: options.poll_start,
            max: options.poll_max,
            timeout: options.poll_timeout,
            first: true,
        }
    }

    /// Sleeps before the next look; `false` when the time is up.
    async fn next(&mut self) -> bool {
        if self.first {
            self.first = false;
            return true;
        }
        if self.started.elapsed() >= self.timeout {
            return false;
        }
        tokio::time::sleep(self.pause).await;
        self.pause = (self.pause * 3 / 2).min(self.max);
        true
    }

    fn waited(&self) -> Duration {
        self.started.elapsed()
    }
}

/// Waits until every pending column and index of `table` is `available`; `failed` or `stuck`
/// is an error carrying the server's text.
pub(crate) async fn until_available(
    db: &Database,
    table: &str,
    pending: &Pending,
    options: &MigrateOptions,
) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let mut backoff = Backoff::new(options);
    let mut waiting_for = String::new();
    while backoff.next().await {
        let live = db.backend().get_table(db.id(), table).await?;
        match still_processing(&live, pending) {
            Ok(None) => return Ok(()),
            Ok(Some(what)) => waiting_for = what,
            Err(e) => return Err(e),
        }
    }
    Err(Error::NotReady {
        what: waiting_for,
        reason: format!(
            "still processing after {} s (poll_timeout)",
            backoff.waited().as_secs()
        ),
    })
}

/// `None` when everything is available, else what is still processing.
fn still_processing(live: &Table, pending: &Pending) -> Result<Option<String>> {
    let table = &live.id;
    let mut waiting = None;
    let items = pending
        .columns
        .iter()
        .map(|k| {
            (
                "column",
                k,
                live.column(k).map(|c| (c.status, c.error.as_str())),
            )
        })
        .chain(pending.indexes.iter().map(|k| {
            (
                "index",
                k,
                live.index(k).map(|i| (i.status, i.error.as_str())),
            )
        }));
    for (kind, key, state) in items {
        let what = format!("{kind} {key:?} of table {table:?}");
        match state {
            Some((ColumnStatus::Available, _)) => {}
            Some((status @ (ColumnStatus::Failed | ColumnStatus::Stuck), error)) => {
                return Err(Error::NotReady {
                    what,
                    reason: format!(
                        "the server reports it {}: {}",
                        status.as_str(),
                        if error.is_empty() {
                            "(no error text)"
                        } else {
                            error
                        }
                    ),
                });
            }
            Some((ColumnStatus::Processing, _)) => waiting = Some(what),
            Some((ColumnStatus::Deleting, _)) | None => {
                return Err(Error::NotReady {
                    what,
                    reason: "it disappeared while being created (deleted by someone else?)"
                        .to_owned(),
                });
            }
        }
    }
    Ok(waiting)
}

/// Deletes a column (or, with `index`, an index) of `table`; `false` when there was none to
/// delete. Deleting is asynchronous: [`until_gone`] waits for it.
pub(crate) async fn delete_item(
    db: &Database,
    table: &str,
    key: &str,
    index: bool,
) -> Result<bool> {
    let deleted = if index {
        db.backend().delete_index(db.id(), table, key).await
    } else {
        db.backend().delete_column(db.id(), table, key).await
    };
    match deleted {
        Ok(()) => Ok(true),
        Err(e) if e.is_not_found() => Ok(false),
        Err(e) => Err(e),
    }
}

/// Waits until a column (or index) of `table` is gone after a delete.
pub(crate) async fn until_gone(
    db: &Database,
    table: &str,
    key: &str,
    index: bool,
    options: &MigrateOptions,
) -> Result<()> {
    let mut backoff = Backoff::new(options);
    while backoff.next().await {
        let live = match db.backend().get_table(db.id(), table).await {
            Ok(live) => live,
            Err(e) if e.error_type() == Some(crate::api::types::TABLE_NOT_FOUND) => return Ok(()),
            Err(e) => return Err(e),
        };
        let status = if index {
            live.index(key).map(|i| (i.status, i.error.clone()))
        } else {
            live.column(key).map(|c| (c.status, c.error.clone()))
        };
        match status {
            None => return Ok(()),
            Some((ColumnStatus::Stuck, error)) => {
                return Err(Error::NotReady {
                    what: format!("deleting {key:?} of table {table:?}"),
                    reason: format!("the server reports it stuck: {error}"),
                });
            }
            Some(_) => {}
        }
    }
    Err(Error::NotReady {
        what: format!("deleting {key:?} of table {table:?}"),
        reason: format!(
            "still there after {} s (poll_timeout)",
            backoff.waited().as_secs()
        ),
    })
}

/// Waits until `table` is gone after a delete.
pub(crate) async fn until_table_gone(
    db: &Database,
    table: &str,
    options: &MigrateOptions,
) -> Result<()> {
    let mut backoff = Backoff::new(options);
    while backoff.next().await {
        match db.backend().get_table(db.id(), table).await {
            Ok(_) => {}
            Err(e) if e.error_type() == Some(crate::api::types::TABLE_NOT_FOUND) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    Err(Error::NotReady {
        what: format!("deleting table {table:?}"),
        reason: format!(
            "still there after {} s (poll_timeout)",
            backoff.waited().as_secs()
        ),
    })
}
