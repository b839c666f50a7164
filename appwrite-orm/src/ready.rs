//! Waiting for a table's columns and indexes to become `available` (servers that create them
//! one by one, and every relationship column, answer before they are): for
//! [`Database::create_table`] and for restores.

use std::time::{Duration, Instant};

use crate::api::{ColumnStatus, Table};
use crate::{Database, Error, Result};

/// Polls the table, starting from `live` (the answer of the request that changed it), until
/// its columns named in `only` (every column and index when `None`) are `available`, and
/// answers it as it is then. A column that failed, or still pending after `timeout`, is the
/// error `not_ready(table, what is pending)` makes.
pub(crate) async fn wait(
    db: &Database,
    mut live: Table,
    only: Option<&[String]>,
    timeout: Duration,
    not_ready: fn(String, String) -> Error,
) -> Result<Table> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(50);
    loop {
        let states = states(&live, only);
        let pending: Vec<String> = states
            .iter()
            .filter(|(_, status, _)| *status != Some(ColumnStatus::Available))
            .map(|(key, status, error)| match status {
                Some(status) => format!("{key} ({}{error})", status.as_str()),
                None => format!("{key} (not listed yet)"),
            })
            .collect();
        let failed = states.iter().any(|(_, status, _)| {
            matches!(status, Some(ColumnStatus::Failed | ColumnStatus::Stuck))
        });
        if pending.is_empty() {
            return Ok(live);
        }
        if failed || Instant::now() >= deadline {
            let reason = format!("not available: {}", pending.join(", "));
            return Err(not_ready(live.id.clone(), reason));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 3 / 2).min(Duration::from_secs(2));
        live = db.backend().get_table(db.id(), &live.id).await?;
    }
}

/// Key, status (`None`: not listed) and error of what [`wait`] waits for.
fn states<'a>(
    live: &'a Table,
    only: Option<&'a [String]>,
) -> Vec<(&'a str, Option<ColumnStatus>, &'a str)> {
    match only {
        Some(keys) => keys
            .iter()
            .map(|key| match live.column(key) {
                Some(c) => (key.as_str(), Some(c.status), c.error.as_str()),
                None => (key.as_str(), None, ""),
            })
            .collect(),
        None => live
            .columns
            .iter()
            .map(|c| (c.schema.key.as_str(), Some(c.status), c.error.as_str()))
            .chain(
                live.indexes
                    .iter()
                    .map(|i| (i.schema.key.as_str(), Some(i.status), i.error.as_str())),
            )
            .collect(),
    }
}
