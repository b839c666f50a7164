//! The runner behind [`Migrator::run`](crate::migrate::Migrator::run): a run counted
//! request by request, the locked walk over the pending versions, and each version's
//! schema operations, step, checks and history row. The pure parts (preparation, plan,
//! history check) are called from here; I/O stays here, in `exec` (schema operations) and in
//! the step context.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use crate::api::Table;
use crate::backend::Backend;
use crate::backend::counting::CountingBackend;
use crate::migrate::error::MigrateError;
use crate::migrate::planning::check::{self, Checked};
use crate::migrate::planning::plan::{Plan, VersionPlan};
use crate::migrate::planning::prepare::Prepared;
use crate::migrate::records::history::{History, HistoryEntry, Snapshot, VersionStatus, now};
use crate::migrate::records::lock::Lock;
use crate::migrate::records::locked::LockedHistory;
use crate::migrate::records::report::{FailedRun, MigrationReport, RunStatus, VersionReport};
use crate::migrate::registry::MigrationDef;
use crate::migrate::running::backfill::{Checkpoint, markers};
use crate::migrate::running::context::{Migration, StepState};
use crate::migrate::running::exec;
use crate::migrate::running::guard;
use crate::migrate::running::progress::{Direction, ProgressEvent};
use crate::migrate::{MigrateOptions, Migrator};
use crate::{Database, Error, Result};

/// How often a progress sink hears how many rows the running version has written.
const ROW_TICK: std::time::Duration = std::time::Duration::from_millis(200);

/// A run of `migrator` on `db`, counted request by request: its report, or the report of the
/// failed run with its error.
pub(crate) async fn try_run(
    migrator: &Migrator,
    db: &Database,
) -> std::result::Result<MigrationReport, Box<FailedRun>> {
    let started = Instant::now();
    let counter = Arc::new(CountingBackend::new(Arc::clone(db.backend())));
    let mut report = new_report(migrator, db);
    let result = run_counted(migrator, db, &counter, &mut report).await;
    finish(
        &mut report,
        &counter,
        started,
        &migrator.options().history_table,
    );
    match result {
        Ok(()) => Ok(report),
        Err(error) => {
            report.status = RunStatus::Failed;
            report.errors.push(error.to_string());
            Err(Box::new(FailedRun { report, error }))
        }
    }
}

/// True when a version above `applied` allows lint codes, which its history row records.
fn allows_pending(prepared: &Prepared, applied: u32) -> bool {
    prepared
        .migrations
        .iter()
        .any(|m| m.version > applied && !m.allowed().is_empty())
}

/// The report of a run (up or down) of `migrator` on `db` as it starts.
pub(crate) fn new_report(migrator: &Migrator, db: &Database) -> MigrationReport {
    MigrationReport {
        started_at: now(),
        host: migrator.options().host.clone(),
        backend: db.backend().name().to_owned(),
        database: db.id().to_owned(),
        ..MigrationReport::default()
    }
}

/// The run, through `counter`, filling `report`.
async fn run_counted(
    migrator: &Migrator,
    db: &Database,
    counter: &Arc<CountingBackend>,
    report: &mut MigrationReport,
) -> Result<()> {
    guard::check_restore_settings(migrator.options())?;
    let prepared = migrator.prepare()?;
    let cdb = Database::new(Arc::clone(counter) as Arc<dyn Backend>, db.id());
    let history = History::of(&cdb, &migrator.options().history_table);
    let head = history.read_head().await?;
    if let Some(head) = &head
        && head.version == prepared.target
        && head.fingerprint == prepared.fingerprint
    {
        report.from_version = head.version;
        report.to_version = head.version;
        report.nothing_pending = true;
        tracing::debug!(version = head.version, "migrations: nothing pending");
        return Ok(());
    }
    if migrator.options().lint_before_run {
        // Before any write: a refused run leaves no lock and no history table behind.
        report
            .warnings
            .extend(crate::migrate::lint::before_run(migrator, &cdb).await?);
    }
    // A history written by an older library may lack the `allowed` column: it is added when a
    // pending version has codes to record there (other runs do not pay for the look).
    let applied = head.as_ref().map_or(0, |h| h.version);
    if head.is_none() || allows_pending(&prepared, applied) {
        history.ensure().await?;
    }
    let locked = LockedHistory::take(history, migrator.options()).await?;
    report.took_over_lock = locked.lock().took_over.as_ref().map(|l| l.owner.clone());
    let result = Run::new(migrator, &prepared, &cdb, &locked, counter)
        .locked(report)
        .await;
    let released = locked.release().await;
    result?;
    if let Err(e) = released {
        // The lock expires by itself; the migration itself succeeded.
        tracing::warn!(error = %e, "could not release the migration lock");
        report.warnings.push(format!(
            "the migration lock could not be released ({e}); it expires by itself"
        ));
    }
    tracing::info!(
        from = report.from_version,
        to = report.to_version,
        requests = counter.requests(),
        "migrations applied"
    );
    Ok(())
}

/// Fills in what the counters and the clock say at the end of a run: requests, rows read and
/// written per table (the history table apart), the end time and the duration; and the status
/// of a run that did not fail.
pub(in crate::migrate) fn finish(
    report: &mut MigrationReport,
    counter: &CountingBackend,
    started: Instant,
    history_table: &str,
) {
    report.finished_at = now();
    if report.nothing_pending {
        report.status = RunStatus::NothingPending;
    }
    report.rows_read = without(counter.rows_read(), history_table);
    report.rows_written = without(counter.rows_written(), history_table);
    report.requests = counter.requests();
    report.retries = counter.retries();
    report.requests_by_operation = counter
        .by_operation()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    report.duration = started.elapsed();
}

/// `counts` without `table`.
fn without(mut counts: BTreeMap<String, u64>, table: &str) -> BTreeMap<String, u64> {
    counts.remove(table);
    counts
}

/// Per table, what `after` counts beyond `before` (tables without a change left out).
fn growth(after: &BTreeMap<String, u64>, before: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    after
        .iter()
        .filter_map(|(table, n)| {
            let grown = n - before.get(table).copied().unwrap_or(0);
            (grown > 0).then(|| (table.clone(), grown))
        })
        .collect()
}

/// The counters when a version started.
struct Counts {
    started: Instant,
    requests: u64,
    /// Rows written, the history table apart.
    rows: u64,
    read: BTreeMap<String, u64>,
    written: BTreeMap<String, u64>,
}

/// Where a version starts from: its checkpoint, whether it resumes a failed or interrupted
/// attempt, and what the report should say about that.
struct Resume {
    checkpoint: String,
    resumed: bool,
    notes: Vec<String>,
}

impl Resume {
    fn of(plan: &VersionPlan, previous: Option<&HistoryEntry>) -> Self {
        let resumed = previous.is_some_and(|e| e.status != VersionStatus::Applied);
        let checksum = plan.checksum.as_deref().unwrap_or_default();
        // A checkpoint holds for the code that wrote it: a step edited since its failed
        // attempt starts its backfills over from their filters.
        let mut checkpoint = String::new();
        let mut notes = Vec::new();
        if let Some(previous) = previous.filter(|_| resumed) {
            if previous.checksum == checksum {
                checkpoint = previous.checkpoint.clone();
            } else if !previous.checkpoint.is_empty() {
                notes.push(
                    "the step changed since its failed attempt: its backfills started over from \
                     their filters"
                        .to_owned(),
                );
            }
        }
        // The token names the chunk markers of pipelined backfills; it is in the history row
        // before any marker is written.
        if plan.has_step {
            checkpoint = Checkpoint::parse(&checkpoint).with_token().to_text();
        }
        Self {
            checkpoint,
            resumed,
            notes,
        }
    }
}

/// A version that failed with `e` before its step ran: it keeps the checkpoint it started from.
fn stopped_before_step(
    e: Error,
    checkpoint: Checkpoint,
) -> (Result<Vec<crate::migrate::OpReport>>, Option<StepState>) {
    let state = StepState {
        checkpoint,
        ..StepState::default()
    };
    (Err(e), Some(state))
}

/// One locked run.
pub(in crate::migrate) struct Run<'r> {
    pub(in crate::migrate) migrator: &'r Migrator,
    pub(in crate::migrate) prepared: &'r Prepared,
    pub(in crate::migrate) db: &'r Database,
    pub(in crate::migrate) history: &'r History,
    pub(in crate::migrate) lock: &'r Lock,
    pub(in crate::migrate) counter: &'r Arc<CountingBackend>,
    /// Applied versions whose backfills left chunk markers, deleted at the end of the run.
    pub(in crate::migrate) with_markers: std::sync::Mutex<Vec<u32>>,
}

impl<'r> Run<'r> {
    /// A run of `migrator` under the lock of `locked`, through `db` counted by `counter`.
    pub(in crate::migrate) fn new(
        migrator: &'r Migrator,
        prepared: &'r Prepared,
        db: &'r Database,
        locked: &'r LockedHistory,
        counter: &'r Arc<CountingBackend>,
    ) -> Self {
        Self {
            migrator,
            prepared,
            db,
            history: locked.history(),
            lock: locked.lock(),
            counter,
            with_markers: Default::default(),
        }
    }
}

impl Run<'_> {
    pub(in crate::migrate) fn options(&self) -> &MigrateOptions {
        self.migrator.options()
    }

    /// The run under the lock: checks the history, plans, runs every pending version (planning
    /// again when a step changed the schema) and records the head.
    async fn locked(&self, report: &mut MigrationReport) -> Result<()> {
        // Both reads are needed for the plan; at once, they cost one round trip.
        let (snapshot, live) = tokio::join!(self.history.read_all(), self.db.live_tables());
        let snapshot = snapshot?;
        let applied = self.check_history(&snapshot)?;
        report.from_version = applied;
        report.to_version = applied;
        let mut plan = self.first_plan(&live?, applied)?;
        report.extras = plan.extras.clone();
        let mut queue: Vec<VersionPlan> = plan.versions.clone();
        queue.reverse();
        self.planned(applied, &queue);
        let mut done = 0;
        while let Some(version) = queue.pop() {
            self.lock.check()?;
            let errors: Vec<_> = plan
                .errors
                .iter()
                .filter(|e| e.version == version.version)
                .cloned()
                .collect();
            if !errors.is_empty() {
                return Err(MigrateError::Plan(errors).into());
            }
            let previous = snapshot.versions.get(&version.version);
            done += 1;
            let place = (done, done + queue.len());
            let schema_changed = self
                .version(&version, previous, place, &mut report.versions)
                .await?;
            if !version.reconcile {
                report.to_version = version.version;
            }
            if schema_changed {
                // A step changed the schema: plan what is left against a fresh read.
                let live = self.db.live_tables().await?;
                plan = self.prepared.plan(&live, version.version, self.options());
                report.extras = plan.extras.clone();
                queue = plan.versions.iter().rev().cloned().collect();
                self.planned(version.version, &queue);
            }
        }
        if report.versions.is_empty() {
            report.nothing_pending = true;
        }
        self.record_head(&snapshot).await?;
        report.to_version = self.prepared.target;
        Ok(())
    }

    /// The applied version, once the history is known to match the binary and to be at or
    /// below the target.
    fn check_history(&self, snapshot: &Snapshot) -> Result<u32> {
        let highest = snapshot
            .versions
            .values()
            .filter(|e| e.status == VersionStatus::Applied)
            .map(|e| e.version)
            .max()
            .unwrap_or(0);
        if let Some(target) = self.options().target
            && target < highest
        {
            return Err(MigrateError::Step(format!(
                "the database is at version {highest}, above the target {target}: migrate() only \
                 goes up; `Migrator::revert` runs down steps"
            ))
            .into());
        }
        let Checked { applied, issues } = check::check_history(
            &self.prepared.versions,
            &self.prepared.migrations,
            &snapshot.versions,
        );
        if !issues.is_empty() {
            return Err(MigrateError::History(issues).into());
        }
        if let Some(l) = &self.lock.took_over {
            let interrupted: Vec<u32> = snapshot
                .versions
                .values()
                .filter(|e| e.status == VersionStatus::Running)
                .map(|e| e.version)
                .collect();
            tracing::warn!(holder = %l.owner, ?interrupted, "resuming after a crashed run");
        }
        Ok(applied)
    }

    /// The plan from `applied`, refused when it has errors that nothing can change.
    fn first_plan(&self, live: &[Table], applied: u32) -> Result<Plan> {
        let plan = self.prepared.plan(live, applied, self.options());
        // Errors up to the first version with a step are certain: nothing before them can
        // change the schema. Later ones are checked again when their version comes.
        let horizon = plan
            .versions
            .iter()
            .find(|v| v.has_step)
            .map_or(u32::MAX, |v| v.version);
        let certain = plan.errors_up_to(horizon);
        if !certain.is_empty() {
            return Err(MigrateError::Plan(certain).into());
        }
        Ok(plan)
    }

    /// Writes the head row (unless it is right already) while the chunk markers of the
    /// applied versions are deleted.
    async fn record_head(&self, snapshot: &Snapshot) -> Result<()> {
        let head_ok = snapshot.head.as_ref().is_some_and(|h| {
            h.version == self.prepared.target && h.fingerprint == self.prepared.fingerprint
        });
        let with_markers =
            std::mem::take(&mut *self.with_markers.lock().unwrap_or_else(|p| p.into_inner()));
        let delete_markers = futures_util::future::join_all(
            with_markers
                .iter()
                .map(|v| markers::delete_of_version(self.history, *v)),
        );
        let write_head = async {
            if head_ok {
                Ok(())
            } else {
                self.history
                    .write_head(self.prepared.target, &self.prepared.fingerprint)
                    .await
            }
        };
        let (head, _) = tokio::join!(write_head, delete_markers);
        head
    }

    /// Tells the progress sink which versions are left (`queue` is in reverse order).
    fn planned(&self, from: u32, queue: &[VersionPlan]) {
        let versions: Vec<u32> = queue.iter().rev().map(|v| v.version).collect();
        self.emit(ProgressEvent::Planned {
            direction: Direction::Up,
            from,
            to: self.prepared.target,
            versions: &versions,
        });
    }

    /// Runs one version, the `place.0`th of `place.1`; records it and adds its report to
    /// `reports` (a failed version's too, with its error). Returns whether its step changed
    /// the schema.
    async fn version(
        &self,
        plan: &VersionPlan,
        previous: Option<&HistoryEntry>,
        place: (usize, usize),
        reports: &mut Vec<VersionReport>,
    ) -> Result<bool> {
        let before = self.counts();
        let resume = Resume::of(plan, previous);
        let mut entry = self.running_entry(plan, &resume.checkpoint);
        if !plan.reconcile {
            self.history.write_entry(&entry).await?;
        }
        tracing::info!(
            version = plan.version,
            name = %plan.name,
            resumed = resume.resumed,
            operations = plan.before.len() + plan.after.len(),
            step = plan.has_step,
            "migrating"
        );
        let mut report = VersionReport {
            database: self.db.id().to_owned(),
            version: plan.version,
            name: plan.name.clone(),
            reconcile: plan.reconcile,
            resumed: resume.resumed,
            step_ran: plan.has_step,
            allowed: entry.allowed.clone(),
            ..VersionReport::default()
        };
        self.emit(ProgressEvent::VersionStarted {
            direction: Direction::Up,
            version: plan.version,
            name: &plan.name,
            position: place.0,
            of: place.1,
            resumed: resume.resumed,
        });
        let body = self.version_body(plan, Checkpoint::parse(&resume.checkpoint), &mut report);
        let (outcome, state) = self.with_row_ticks(plan.version, before.rows, body).await;
        let mut state = state.unwrap_or_default();
        report.schema.append(&mut state.schema);
        report.backfills = std::mem::take(&mut state.backfills);
        report.conversions = std::mem::take(&mut state.conversions);
        report.backups = std::mem::take(&mut state.backups);
        report.warnings = resume.notes;
        report.warnings.append(&mut state.warnings);
        self.count_since(&before, &mut report);
        entry.duration_ms = u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX);
        entry.rows_touched = report.rows_touched;
        entry.finished_at = now();
        match outcome {
            Ok(after) => {
                report.schema.extend(after);
                self.record_applied(plan, entry, state.markers, &mut report, before.requests)
                    .await?;
                reports.push(report);
                Ok(state.schema_changed)
            }
            Err(e) => {
                report.requests = self.counter.requests() - before.requests;
                report.error = Some(e.to_string());
                reports.push(report);
                Err(self.record_failure(plan, entry, &state, e).await)
            }
        }
    }

    /// The history row of a version starting, with the checkpoint it resumes from.
    fn running_entry(&self, plan: &VersionPlan, checkpoint: &str) -> HistoryEntry {
        HistoryEntry {
            version: plan.version,
            name: plan.name.clone(),
            checksum: plan.checksum.clone().unwrap_or_default(),
            status: VersionStatus::Running,
            started_at: now(),
            finished_at: String::new(),
            duration_ms: 0,
            rows_touched: 0,
            schema_fingerprint: plan.fingerprint.clone(),
            checkpoint: checkpoint.to_owned(),
            error: String::new(),
            host: self.options().host.clone(),
            allowed: if plan.reconcile {
                Vec::new()
            } else {
                self.prepared.allowed(plan.version).to_vec()
            },
        }
    }

    /// What the counters say now, to measure a version from.
    fn counts(&self) -> Counts {
        Counts {
            started: Instant::now(),
            requests: self.counter.requests(),
            rows: self.rows_written(),
            read: self.counter.rows_read(),
            written: self.counter.rows_written(),
        }
    }

    /// Fills in the rows read and written since `before` (the history table apart) and the
    /// time taken.
    fn count_since(&self, before: &Counts, report: &mut VersionReport) {
        let history_table = self.history.table_id();
        report.rows_read = without(
            growth(&self.counter.rows_read(), &before.read),
            history_table,
        );
        report.rows_written = without(
            growth(&self.counter.rows_written(), &before.written),
            history_table,
        );
        report.rows_touched = report.rows_written.values().sum();
        report.duration = before.started.elapsed();
    }

    /// Records a version applied (its chunk markers, if any, to be deleted at the end).
    async fn record_applied(
        &self,
        plan: &VersionPlan,
        mut entry: HistoryEntry,
        markers: bool,
        report: &mut VersionReport,
        requests_before: u64,
    ) -> Result<()> {
        entry.status = VersionStatus::Applied;
        entry.checkpoint = String::new();
        if !plan.reconcile {
            self.history.write_entry(&entry).await?;
        }
        if markers {
            // Deleted with the head's write at the end: the version is recorded applied, so
            // they are no longer needed, and one round trip is saved.
            self.with_markers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(plan.version);
        }
        report.requests = self.counter.requests() - requests_before;
        self.emit(ProgressEvent::VersionApplied {
            direction: Direction::Up,
            report,
        });
        tracing::info!(
            version = plan.version,
            ms = entry.duration_ms,
            rows = entry.rows_touched,
            "version applied"
        );
        Ok(())
    }

    /// Records a failed version with its error and its backfills' checkpoint (unless the lock
    /// was lost: another run owns the history then); the error to return.
    async fn record_failure(
        &self,
        plan: &VersionPlan,
        mut entry: HistoryEntry,
        state: &StepState,
        e: Error,
    ) -> Error {
        if self.lock.is_lost() {
            // Another run owns the history now; writing to it would race with it.
            return e;
        }
        tracing::error!(version = plan.version, error = %e, "version failed");
        self.emit(ProgressEvent::VersionFailed {
            direction: Direction::Up,
            version: plan.version,
            name: &plan.name,
            error: &e,
        });
        if !plan.reconcile {
            entry.status = VersionStatus::Failed;
            entry.error = e.to_string();
            entry.checkpoint = state.checkpoint.to_text();
            if let Err(write) = self.history.write_entry(&entry).await {
                tracing::error!(error = %write, "could not record the failure in the history");
            }
        }
        MigrateError::VersionFailed {
            version: plan.version,
            name: plan.name.clone(),
            source: Box::new(e),
        }
        .into()
    }

    /// Backup (when configured), then the version's [`attempt`](Self::attempt); with
    /// [`MigrateOptions::restore_on_failure`], a failed attempt restores the backup. The step
    /// state comes back whatever happened, for its checkpoint.
    async fn version_body(
        &self,
        plan: &VersionPlan,
        checkpoint: Checkpoint,
        report: &mut VersionReport,
    ) -> (Result<Vec<crate::migrate::OpReport>>, Option<StepState>) {
        let backup_dir = match guard::backup_before(self.db, plan, self.options()).await {
            Ok(dir) => dir,
            Err(e) => return stopped_before_step(e, checkpoint),
        };
        let (outcome, mut state) = self
            .attempt(plan, checkpoint, backup_dir.as_deref(), report)
            .await;
        let error = match outcome {
            Ok(after) => return (Ok(after), state),
            Err(e) => e,
        };
        let Some(dir) = backup_dir.filter(|_| self.restores_after(&error)) else {
            return (Err(error), state);
        };
        let error = guard::restore_after_failure(self.db, &dir, plan, self.options(), error).await;
        // The data is as before the version (or is to be restored by hand, as the error
        // says): its backfills start over.
        state.get_or_insert_default().checkpoint = Checkpoint::default();
        (Err(error), state)
    }

    /// True when a version that failed with `error` is to be restored here: with
    /// `restore_on_failure`, unless a failed check already restored it (or said why it could
    /// not) or the lock was lost (another run owns the database now).
    fn restores_after(&self, error: &Error) -> bool {
        self.options().restore_on_failure
            && !self.lock.is_lost()
            && !matches!(
                error.migrate(),
                Some(MigrateError::CheckFailed { .. } | MigrateError::LockLost)
            )
    }

    /// Schema before, step, schema after, checks (restoring the backup in `backup_dir` when a
    /// check fails and so configured). The step state comes back whatever happened.
    async fn attempt(
        &self,
        plan: &VersionPlan,
        checkpoint: Checkpoint,
        backup_dir: Option<&std::path::Path>,
        report: &mut VersionReport,
    ) -> (Result<Vec<crate::migrate::OpReport>>, Option<StepState>) {
        match exec::before_steps(self.db, &plan.before, self.options()).await {
            Ok(ops) => report.schema = ops,
            Err(e) => return stopped_before_step(e, checkpoint),
        }
        let def = self
            .prepared
            .migrations
            .iter()
            .find(|m| m.version == plan.version);
        let mut state = None;
        if plan.has_step
            && let Some(def) = def
        {
            let mut m = self.context(plan.version, checkpoint, !plan.reconcile);
            let result = def.run_step(&mut m).await;
            let step_state = m.into_state();
            if let Err(e) = result {
                return (Err(e), Some(step_state));
            }
            state = Some(step_state);
        }
        if let Some(dir) = backup_dir {
            state
                .get_or_insert_default()
                .warnings
                .push(format!("backed up before the version in {}", dir.display()));
        }
        let after = match exec::after_steps(self.db, plan.version, &plan.after).await {
            Ok(after) => after,
            Err(e) => return (Err(e), state),
        };
        if let Some(def) = def.filter(|_| !plan.reconcile)
            && let Err(e) = self.checks(def, plan, backup_dir).await
        {
            if let Some(MigrateError::CheckFailed {
                restored: Some(_), ..
            }) = e.migrate()
                && let Some(state) = &mut state
            {
                // The data is as before the version: backfills start over.
                state.checkpoint = Checkpoint::default();
            }
            return (Err(e), state);
        }
        (Ok(after), state)
    }

    /// A step context for `version` (checkpoints saved in its history row when `save`).
    pub(in crate::migrate) fn context(
        &self,
        version: u32,
        checkpoint: Checkpoint,
        save: bool,
    ) -> Migration<'_> {
        Migration::new(
            self.db.clone(),
            version,
            self.options(),
            self.history,
            self.lock,
            checkpoint,
            save,
        )
    }

    /// Runs the version's checks in order; the first that fails fails the version, after the
    /// backup taken before it is restored when so configured (`restore_on_failed_check` or
    /// `restore_on_failure`).
    async fn checks(
        &self,
        def: &MigrationDef,
        plan: &VersionPlan,
        backup_dir: Option<&std::path::Path>,
    ) -> Result<()> {
        for (name, check) in def.checks() {
            let mut m = self.context(plan.version, Checkpoint::default(), false);
            let Err(e) = check.run(&mut m).await else {
                tracing::info!(version = plan.version, check = name, "check passed");
                continue;
            };
            tracing::error!(version = plan.version, check = name, error = %e, "check failed");
            let mut message = e.to_string();
            let mut restored = None;
            if self.options().restore_on_failed_check || self.options().restore_on_failure {
                match backup_dir {
                    Some(dir) => match guard::restore(self.db, dir, plan, self.options()).await {
                        Ok(()) => restored = Some(dir.to_owned()),
                        Err(re) => message.push_str(&format!(
                            "; restoring the backup in {} failed: {re}",
                            dir.display()
                        )),
                    },
                    None => message.push_str(
                        "; nothing was restored: no backup was taken before the version \
                         (set `MigrateOptions::backup_before_destructive`)",
                    ),
                }
            }
            return Err(MigrateError::CheckFailed {
                check: name.to_owned(),
                message,
                restored,
            }
            .into());
        }
        Ok(())
    }

    /// Awaits `body`, telling the progress sink a few times a second how many rows the
    /// version has written (counted from `rows_before`). Without a sink it only awaits.
    pub(in crate::migrate) async fn with_row_ticks<F: Future>(
        &self,
        version: u32,
        rows_before: u64,
        body: F,
    ) -> F::Output {
        if self.migrator.progress().is_none() {
            return body.await;
        }
        let mut body = std::pin::pin!(body);
        let mut ticks = tokio::time::interval(ROW_TICK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut reported = 0;
        loop {
            tokio::select! {
                output = &mut body => return output,
                _ = ticks.tick() => {
                    let rows = self.rows_written() - rows_before;
                    if rows != reported {
                        reported = rows;
                        self.emit(ProgressEvent::Rows { version, rows });
                    }
                }
            }
        }
    }

    /// Tells the progress sink, when there is one.
    pub(in crate::migrate) fn emit(&self, event: ProgressEvent<'_>) {
        if let Some(sink) = self.migrator.progress() {
            sink.0.event(&event);
        }
    }

    pub(in crate::migrate) fn rows_written(&self) -> u64 {
        self.counter.rows_written_except(&[self.history.table_id()])
    }
}
