//! A run over every database a binary migrates
//! ([`Migrator::by_database`](crate::migrate::Migrator::by_database)): each database's part is an
//! independent run, with its own history, lock and versions, the connection's database first,
//! then the others by id. A run stops at the first part that fails; the parts before it stay
//! applied and recorded, the parts after it are not started.

use crate::migrate::Migrator;
use crate::migrate::records::combined::combine;
use crate::migrate::records::report::{FailedRun, MigrationReport};
use crate::migrate::running::apply;
use crate::migrate::running::dry_run::{self, DryRunReport};
use crate::migrate::running::progress::ProgressEvent;
use crate::{Database, Result};

/// Runs each database's part in turn; the report adds them up.
pub(crate) async fn try_run(
    migrator: &Migrator,
    db: &Database,
) -> std::result::Result<MigrationReport, Box<FailedRun>> {
    let parts = migrator.by_database(db);
    let mut reports = Vec::with_capacity(parts.len());
    for (i, (part_db, part)) in parts.iter().enumerate() {
        if let (Some(sink), true) = (part.progress(), parts.len() > 1) {
            let database = part_db.id();
            sink.0.event(&ProgressEvent::DatabaseStarted { database });
        }
        match apply::try_run(part, part_db).await {
            Ok(report) => reports.push(report),
            Err(failed) => {
                let FailedRun { report, error } = *failed;
                tracing::warn!(database = part_db.id(), error = %error, "migrations failed");
                reports.push(report);
                let not_run: Vec<String> = parts[i + 1..]
                    .iter()
                    .map(|(other, _)| other.id().to_owned())
                    .collect();
                let report = combine(reports, &not_run);
                return Err(Box::new(FailedRun { report, error }));
            }
        }
    }
    Ok(combine(reports, &[]))
}

/// The dry run of each database's part: the connection's database's report, with the others'
/// in [`DryRunReport::other_databases`].
pub(crate) async fn dry_run(migrator: &Migrator, db: &Database) -> Result<DryRunReport> {
    let mut reports = Vec::new();
    for (part_db, part) in migrator.by_database(db) {
        reports.push(dry_run::dry_run(&part, &part_db).await?);
    }
    let mut reports = reports.into_iter();
    let mut own = reports.next().unwrap_or_default();
    own.other_databases = reports.collect();
    Ok(own)
}
