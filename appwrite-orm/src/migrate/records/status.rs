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
    /// The database this status is of.
    pub database: String,
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
    /// The status of the other databases the binary migrates (those its tables and migrations
    /// name), in the order a run takes them: by id. Empty with one database, and in the
    /// statuses it holds.
    pub other_databases: Vec<MigrationStatus>,
}

impl MigrationStatus {
    /// This database's status, then the other databases'.
    pub fn all_databases(&self) -> impl Iterator<Item = &MigrationStatus> {
        std::iter::once(self).chain(&self.other_databases)
    }
}

/// The status of every database `migrator`'s binary migrates through `db`: `db`'s, with the
/// others' in [`MigrationStatus::other_databases`].
pub(crate) async fn status_of_all(migrator: &Migrator, db: &Database) -> Result<MigrationStatus> {
    let mut statuses = Vec::new();
    for (part_db, part) in migrator.by_database(db) {
        statuses.push(status(&part, &part_db).await?);
    }
    let mut statuses = statuses.into_iter();
    let mut own = statuses.next().ok_or_else(|| {
        crate::Error::Internal("a binary always migrates its connection's database".into())
    })?;
    own.other_databases = statuses.collect();
    Ok(own)
}

/// The status of `db` for `migrator`'s binary, this database alone.
pub(crate) async fn status(migrator: &Migrator, db: &Database) -> Result<MigrationStatus> {
    let (prepared, snapshot, Checked { applied, issues }) = read_checked(migrator, db).await?;
    let plan = if issues.is_empty() {
        let live = db.live_tables_if_any().await?;
        Some(prepared.plan(&live, applied, migrator.options()))
    } else {
        None
    };
    Ok(MigrationStatus {
        database: db.id().to_owned(),
        applied,
        target: prepared.target,
        up_to_date: snapshot
            .head
            .is_some_and(|h| h.version == prepared.target && h.fingerprint == prepared.fingerprint),
        versions: versions::lines(&prepared.versions, &snapshot.versions),
        history: snapshot.versions.into_values().collect(),
        issues,
        plan,
        other_databases: Vec::new(),
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
