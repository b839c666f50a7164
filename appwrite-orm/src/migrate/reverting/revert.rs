//! Going down: [`Migrator::revert_with`] reverts the applied versions above a target, newest
//! first. Each version's `down` step runs; with [`RevertOptions::drop_schema`] the schema the
//! version added is then dropped (after one full backup of every table that loses data, taken
//! before the first drop); its history row is deleted. What to drop comes from the pure
//! [revert plan](crate::migrate::reverting::revert_plan); the I/O is here.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::api::Table;
use crate::backend::Backend;
use crate::backend::counting::CountingBackend;
use crate::migrate::Migrator;
use crate::migrate::error::MigrateError;
use crate::migrate::options::RevertOptions;
use crate::migrate::planning::plan::OpClass;
use crate::migrate::planning::prepare::Prepared;
use crate::migrate::records::history::{History, HistoryEntry, Snapshot};
use crate::migrate::records::locked::LockedHistory;
use crate::migrate::records::report::{MigrationReport, OpReport, VersionReport};
use crate::migrate::reverting::revert_plan::{
    self, DropOp, PlannedDrop, RevertInput, RevertPlan, RevertVersion,
};
use crate::migrate::running::apply::{Run, finish, new_report};
use crate::migrate::running::backfill::Checkpoint;
use crate::migrate::running::backup::BackupReport;
use crate::migrate::running::progress::{Direction, ProgressEvent};
use crate::migrate::running::wait;
use crate::{Database, Result};

/// Reverts the applied versions of `db` above `to`, newest first, under the migration lock,
/// counting requests and rows for the report.
pub(crate) async fn revert_with(
    migrator: &Migrator,
    db: &Database,
    to: u32,
    options: &RevertOptions,
) -> Result<MigrationReport> {
    let started = Instant::now();
    let prepared = migrator.prepare()?;
    let counter = Arc::new(CountingBackend::new(Arc::clone(db.backend())));
    let cdb = Database::new(Arc::clone(&counter) as Arc<dyn Backend>, db.id());
    let locked = LockedHistory::open(&cdb, migrator.options()).await?;
    let mut report = new_report(migrator, db);
    let result = Run::new(migrator, &prepared, &cdb, &locked, &counter)
        .revert(to, options, &mut report)
        .await;
    locked.release_with(result).await?;
    finish(
        &mut report,
        &counter,
        started,
        &migrator.options().history_table,
    );
    Ok(report)
}

/// What reverting `db` to `to` would do; reads the history and the live schema only.
pub(crate) async fn revert_plan(migrator: &Migrator, db: &Database, to: u32) -> Result<RevertPlan> {
    let prepared = migrator.prepare()?;
    let snapshot = History::of(db, &migrator.options().history_table)
        .read_all()
        .await?;
    let live = db.live_tables().await?;
    Ok(plan_revert(&prepared, &live, &snapshot, to))
}

fn plan_revert(prepared: &Prepared, live: &[Table], snapshot: &Snapshot, to: u32) -> RevertPlan {
    let history: Vec<HistoryEntry> = snapshot.versions.values().cloned().collect();
    revert_plan::plan(&RevertInput {
        declared: &prepared.tables,
        migrations: &prepared.migrations,
        live,
        history: &history,
        to,
    })
}

impl Run<'_> {
    pub(in crate::migrate) async fn revert(
        &self,
        to: u32,
        options: &RevertOptions,
        report: &mut MigrationReport,
    ) -> Result<()> {
        let snapshot = self.history.read_all().await?;
        let live = self.db.live_tables().await?;
        let plan = plan_revert(self.prepared, &live, &snapshot, to);
        report.from_version = plan.from;
        // Every version must be revertible, and every drop backed up, before anything changes.
        if let Some(refusal) = plan.refusal() {
            return Err(refusal.into());
        }
        let backup_root = self
            .options()
            .backup_before_destructive
            .as_deref()
            .or(self.options().backups.as_deref());
        if options.drop_schema && backup_root.is_none() {
            let drops = data_labels(plan.drops());
            if !drops.is_empty() {
                return Err(MigrateError::RevertWithoutBackup { to, drops }.into());
            }
        }
        let order: Vec<u32> = plan.versions.iter().map(|v| v.version).collect();
        self.emit(ProgressEvent::Planned {
            direction: Direction::Down,
            from: plan.from,
            to,
            versions: &order,
        });
        let mut backup_dir: Option<PathBuf> = None;
        for (i, version) in plan.versions.iter().enumerate() {
            self.lock.check()?;
            self.emit(ProgressEvent::VersionStarted {
                direction: Direction::Down,
                version: version.version,
                name: &version.name,
                position: i + 1,
                of: plan.versions.len(),
                resumed: false,
            });
            let started = Instant::now();
            let requests_before = self.counter.requests();
            let rows_before = self.rows_written();
            let mut version_report = VersionReport {
                database: self.db.id().to_owned(),
                version: version.version,
                name: format!("revert {}", version.name),
                ..VersionReport::default()
            };
            let step = Undo {
                plan: &plan,
                index: i,
                to,
                options,
                backup_root,
            };
            let outcome = self
                .with_row_ticks(
                    version.version,
                    rows_before,
                    self.revert_version(&step, &mut backup_dir, &mut version_report),
                )
                .await;
            version_report.rows_touched = self.rows_written() - rows_before;
            version_report.duration = started.elapsed();
            version_report.requests = self.counter.requests() - requests_before;
            if let Err(e) = outcome {
                self.emit(ProgressEvent::VersionFailed {
                    direction: Direction::Down,
                    version: version.version,
                    name: &version.name,
                    error: &e,
                });
                version_report.error = Some(e.to_string());
                report.versions.push(version_report);
                return Err(e);
            }
            tracing::warn!(version = version.version, "version reverted");
            self.emit(ProgressEvent::VersionApplied {
                direction: Direction::Down,
                report: &version_report,
            });
            report.versions.push(version_report);
        }
        let remaining = report.from_version.min(to);
        self.history.write_head(remaining, "").await?;
        report.to_version = remaining;
        Ok(())
    }

    /// Reverts one version: its down step, then (with `drop_schema`) what it added, after the
    /// revert's backup when this is its first drop; deletes its history row.
    async fn revert_version(
        &self,
        step: &Undo<'_>,
        backup_dir: &mut Option<PathBuf>,
        version_report: &mut VersionReport,
    ) -> Result<()> {
        let version = &step.plan.versions[step.index];
        self.down_step(version, version_report).await?;
        // Nothing of the version existed before its down step: nothing can exist after it.
        if !version.drops.is_empty() {
            // The down step may have dropped some of it already: plan against a fresh read.
            let live = self.db.live_tables().await?;
            let remaining: Vec<u32> = step.plan.versions[step.index..]
                .iter()
                .map(|v| v.version)
                .collect();
            let drops = revert_plan::drops_of(&self.prepared.tables, &live, &remaining);
            let mine = drops.first().cloned().unwrap_or_default();
            if !step.options.drop_schema {
                if !mine.is_empty() {
                    version_report
                        .warnings
                        .push(kept_warning(version.version, &mine));
                }
            } else {
                // Right before the revert's first drop: the tables as the down steps so far
                // left them, with everything the remaining drops destroy.
                if backup_dir.is_none() && !mine.is_empty() {
                    *backup_dir = self
                        .backup_for(step.to, step.backup_root, &drops, version_report)
                        .await?;
                }
                self.drop_all(&mine, backup_dir.as_deref(), version_report)
                    .await?;
            }
        }
        self.history.delete_entry(version.version).await?;
        Ok(())
    }

    /// Runs the version's `down` step, when the binary has one.
    async fn down_step(&self, version: &RevertVersion, report: &mut VersionReport) -> Result<()> {
        let Some(def) = self
            .prepared
            .migrations
            .iter()
            .find(|m| m.version == version.version)
        else {
            return Ok(());
        };
        let mut m = self.context(version.version, Checkpoint::default(), false);
        if let Some(step) = def.run_down(&mut m) {
            step.await.map_err(|e| MigrateError::VersionFailed {
                version: version.version,
                name: format!("revert {}", version.name),
                source: Box::new(e),
            })?;
            report.step_ran = true;
        }
        let state = m.into_state();
        report.schema = state.schema;
        report.backups = state.backups;
        report.backfills = state.backfills;
        report.warnings.extend(state.warnings);
        Ok(())
    }

    /// Backs up every table whose data `drops` destroy into a new directory under `root`.
    /// `None` when they destroy no data (indexes only).
    async fn backup_for(
        &self,
        to: u32,
        root: Option<&Path>,
        drops: &[Vec<PlannedDrop>],
        report: &mut VersionReport,
    ) -> Result<Option<PathBuf>> {
        let tables = revert_plan::tables_losing_data(drops.iter().flatten());
        if tables.is_empty() {
            return Ok(None);
        }
        let Some(root) = root else {
            // Checked before anything ran; only a down step that added its own version's
            // schema gets here, and data is never dropped without a backup.
            let drops = data_labels(drops.iter().flatten());
            return Err(MigrateError::RevertWithoutBackup { to, drops }.into());
        };
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let dir = root.join(format!("revert-to-v{to}-{stamp}"));
        let taken = crate::backup::backup(self.db, &dir, Some(&tables)).await?;
        tracing::info!(
            dir = %dir.display(),
            tables = taken.tables.len(),
            rows = taken.rows,
            "backed up before dropping reverted schema"
        );
        report
            .backups
            .extend(taken.tables.iter().map(|t| BackupReport {
                table: t.table.clone(),
                column: None,
                path: dir.join(format!("{}.jsonl", t.table)),
                rows: t.rows,
            }));
        report.warnings.push(format!(
            "backed up {} before dropping schema in {} (`backup::restore` or `migrate restore` \
             replays it)",
            tables.join(", "),
            dir.display()
        ));
        Ok(Some(dir))
    }

    /// Drops each item and waits until it is gone; what is gone already is skipped.
    async fn drop_all(
        &self,
        drops: &[PlannedDrop],
        backup_dir: Option<&Path>,
        report: &mut VersionReport,
    ) -> Result<()> {
        for drop in drops {
            self.lock.check()?;
            if !self.drop_one(&drop.op).await? {
                continue;
            }
            tracing::warn!(op = %drop.op, reason = %drop.reason, "reverted schema dropped");
            let reason = match backup_dir.filter(|_| drop.op.loses_data()) {
                Some(dir) => format!("{}; backed up in {}", drop.reason, dir.display()),
                None => drop.reason.clone(),
            };
            report.schema.push(OpReport {
                description: drop.op.to_string(),
                class: OpClass::Destructive,
                reason,
                rows: None,
            });
        }
        Ok(())
    }

    /// Deletes one item and waits until it is gone. `false` when it was gone already.
    async fn drop_one(&self, op: &DropOp) -> Result<bool> {
        let options = self.options();
        match op {
            DropOp::DropIndex { table, key } | DropOp::DropColumn { table, key } => {
                let index = matches!(op, DropOp::DropIndex { .. });
                if !wait::delete_item(self.db, table, key, index).await? {
                    return Ok(false);
                }
                wait::until_gone(self.db, table, key, index, options).await?;
            }
            DropOp::DropTable { table } => {
                match self.db.backend().delete_table(self.db.id(), table).await {
                    Ok(()) => {}
                    Err(e) if e.is_not_found() => return Ok(false),
                    Err(e) => return Err(e),
                }
                wait::until_table_gone(self.db, table, options).await?;
            }
        }
        Ok(true)
    }
}

/// One version of a revert: where it is in the plan and the revert's settings.
struct Undo<'u> {
    plan: &'u RevertPlan,
    index: usize,
    to: u32,
    options: &'u RevertOptions,
    backup_root: Option<&'u Path>,
}

/// What of `drops` destroys data, as labels for an error.
fn data_labels<'d>(drops: impl Iterator<Item = &'d PlannedDrop>) -> Vec<String> {
    drops
        .filter(|d| d.op.loses_data())
        .map(|d| d.op.label())
        .collect()
}

/// The warning of a revert that keeps a version's schema additions.
fn kept_warning(version: u32, kept: &[PlannedDrop]) -> String {
    let labels: Vec<String> = kept.iter().map(|d| d.op.label()).collect();
    format!(
        "kept the schema additions of version {version}: {}; pass drop_schema / --drop-schema \
         to drop them",
        labels.join(", ")
    )
}
