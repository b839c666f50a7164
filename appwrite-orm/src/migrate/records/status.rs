//! [`Migrator::status`](crate::migrate::Migrator::status): what the database's history says
//! against the binary, and what a run would do. Reads only; takes no lock.

use crate::migrate::planning::check::{self, Checked};
use crate::migrate::planning::plan::Plan;
use crate::migrate::planning::prepare::Prepared;
use crate::migrate::planning::versions::{self, VersionLine};
use crate::migrate::records::history::{History, HistoryEntry, Snapshot};
use crate::migrate::{HistoryIssue, Migrator};
use crate::{Database, Result};

/// What the database says, read under the lock (or without it for `status`).
#[derive(Debug, Clone)]
pub struct MigrationStatus {
    /// The highest applied version.
    pub applied: u32,
    /// The version this binary migrates to.
    pub target: u32,
    /// The history rows, by version.
    pub history: Vec<HistoryEntry>,
    /// Disagreements between the history and the binary.
    pub issues: Vec<HistoryIssue>,
    /// What a run would do to the schema (empty when there are issues).
    pub plan: Option<Plan>,
    /// True when the head row matches this binary: a run would make one request.
    pub up_to_date: bool,
    /// Every version the binary or the database knows, with where it stands.
    pub versions: Vec<VersionLine>,
}

/// The status of `db` for `migrator`'s binary.
pub(crate) async fn status(migrator: &Migrator, db: &Database) -> Result<MigrationStatus> {
    let (prepared, snapshot, Checked { applied, issues }) = read_checked(migrator, db).await?;
    let plan = if issues.is_empty() {
        let live = db.live_tables().await?;
        Some(prepared.plan(&live, applied, migrator.options()))
    } else {
        None
    };
    Ok(MigrationStatus {
        applied,
        target: prepared.target,
        up_to_date: snapshot
            .head
            .is_some_and(|h| h.version == prepared.target && h.fingerprint == prepared.fingerprint),
        versions: versions::lines(&prepared.versions, &snapshot.versions),
        history: snapshot.versions.into_values().collect(),
        issues,
        plan,
    })
}

/// What a look without the lock starts from (status, dry run): the binary prepared, the history
/// read and checked against it.
pub(crate) async fn read_checked(
    migrator: &Migrator,
    db: &Database,
) -> Result<(Prepared, Snapshot, Checked)> {
    let prepared = migrator.prepare()?;
    let snapshot = History::of(db, &migrator.options().history_table)
        .read_all()
        .await?;
    let checked =
        check::check_history(&prepared.versions, &prepared.migrations, &snapshot.versions);
    Ok((prepared, snapshot, checked))
}
