//! Going down: [`Migrator::revert`] runs the `down` steps of the applied versions above a
//! target, newest first, and deletes their history rows.

use std::sync::Arc;
use std::time::Instant;

use super::Migrator;
use super::apply::{Run, finish};
use super::backfill::Checkpoint;
use super::context::Migration;
use super::error::MigrateError;
use super::history::{History, HistoryEntry, Snapshot, VersionStatus};
use super::lock::Lock;
use super::registry::MigrationDef;
use super::report::{MigrationReport, VersionReport};
use crate::backend::Backend;
use crate::backend::counting::CountingBackend;
use crate::{Database, Result};

impl Migrator {
    /// Runs the `down` steps of the applied versions above `to`, newest first, and deletes
    /// their history rows. Schema is not changed by itself: a down step drops what its version
    /// added (with the context's helpers). The next `migrate()` applies those versions again
    /// unless the binary no longer declares them.
    pub async fn revert(&self, db: &Database, to: u32) -> Result<MigrationReport> {
        let started = Instant::now();
        let prepared = self.prepare()?;
        let counter = Arc::new(CountingBackend::new(Arc::clone(db.backend())));
        let cdb = Database::new(Arc::clone(&counter) as Arc<dyn Backend>, db.id());
        let history = History::new(
            Arc::clone(&counter) as Arc<dyn Backend>,
            db.id(),
            &self.options.history_table,
        );
        history.ensure().await?;
        let lock = Lock::acquire(&history, &self.options).await?;
        let mut report = MigrationReport {
            backend: db.backend().name().to_owned(),
            database: db.id().to_owned(),
            ..MigrationReport::default()
        };
        let result = Run {
            migrator: self,
            prepared: &prepared,
            db: &cdb,
            history: &history,
            lock: &lock,
            counter: &counter,
        }
        .revert(to, &mut report)
        .await;
        let released = lock.release().await;
        result?;
        released?;
        finish(&mut report, &counter, started, &self.options.history_table);
        Ok(report)
    }
}

impl Run<'_> {
    pub(super) async fn revert(&self, to: u32, report: &mut MigrationReport) -> Result<()> {
        let snapshot: Snapshot = self.history.read_all().await?;
        let applied: Vec<&HistoryEntry> = snapshot
            .versions
            .values()
            .filter(|e| e.version > to && e.status == VersionStatus::Applied)
            .rev()
            .collect();
        report.from_version = snapshot
            .versions
            .values()
            .filter(|e| e.status == VersionStatus::Applied)
            .map(|e| e.version)
            .max()
            .unwrap_or(0);
        // Every version must be revertible before any is reverted.
        for entry in &applied {
            let def = self
                .prepared
                .migrations
                .iter()
                .find(|m| m.version == entry.version);
            if !(def.is_some_and(MigrationDef::has_down)
                || def.is_none() && entry.checksum.is_empty())
            {
                return Err(MigrateError::NoDown {
                    version: entry.version,
                    name: entry.name.clone(),
                }
                .into());
            }
        }
        for entry in applied {
            self.lock.check()?;
            let started = Instant::now();
            let rows_before = self.rows_written();
            let mut version_report = VersionReport {
                version: entry.version,
                name: format!("revert {}", entry.name),
                ..VersionReport::default()
            };
            if let Some(def) = self
                .prepared
                .migrations
                .iter()
                .find(|m| m.version == entry.version)
            {
                let mut m = Migration::new(
                    self.db.clone(),
                    entry.version,
                    self.options(),
                    self.history,
                    self.lock,
                    Checkpoint::default(),
                    false,
                );
                if let Some(step) = def.run_down(&mut m) {
                    step.await.map_err(|e| MigrateError::VersionFailed {
                        version: entry.version,
                        name: format!("revert {}", entry.name),
                        source: Box::new(e),
                    })?;
                    version_report.step_ran = true;
                }
                let state = m.into_state();
                version_report.schema = state.schema;
                version_report.backups = state.backups;
                version_report.backfills = state.backfills;
            }
            self.history.delete_entry(entry.version).await?;
            version_report.rows_touched = self.rows_written() - rows_before;
            version_report.duration = started.elapsed();
            tracing::warn!(version = entry.version, "version reverted");
            report.versions.push(version_report);
        }
        let remaining = report.from_version.min(to);
        self.history.write_head(remaining, "").await?;
        report.to_version = remaining;
        Ok(())
    }
}
