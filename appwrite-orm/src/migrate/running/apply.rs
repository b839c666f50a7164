//! The runner: [`Migrator::run`] and the operations around it (status, repair, forget, revert,
//! unlock). The pure parts (plan, history check) are called from here; I/O stays here, in
//! `exec` (schema operations) and in the step context.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::api::Table;
use crate::backend::Backend;
use crate::backend::counting::CountingBackend;
use crate::migrate::error::MigrateError;
use crate::migrate::planning::check::{self, Checked};
use crate::migrate::planning::plan::{
    self, ColumnRename, Plan, PlanInput, VersionInfo, VersionPlan,
};
use crate::migrate::planning::renames;
use crate::migrate::records::history::{History, HistoryEntry, VersionStatus, now};
use crate::migrate::records::lock::Lock;
use crate::migrate::records::report::{FailedRun, MigrationReport, RunStatus, VersionReport};
use crate::migrate::registry::{MigrationDef, first_duplicate};
use crate::migrate::running::backfill::Checkpoint;
use crate::migrate::running::context::{Migration, StepState};
use crate::migrate::running::exec;
use crate::migrate::running::guard;
use crate::migrate::running::progress::{Direction, ProgressEvent};
use crate::migrate::{MigrateOptions, Migrator};
use crate::query::Query;
use crate::schema::{SchemaViolation, TableSchema, schema_fingerprint};
use crate::{Database, Error, Result};

/// Prefix of the binary fingerprint; bump when its encoding changes.
const FINGERPRINT_DOMAIN: &str = "appwrite-orm migrations v1";

/// How often a progress sink hears how many rows the running version has written.
const ROW_TICK: std::time::Duration = std::time::Duration::from_millis(200);

/// The pure preparation of a run: checked declarations, versions, target, renames,
/// fingerprint.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) tables: Vec<TableSchema>,
    pub(crate) migrations: Vec<MigrationDef>,
    pub(crate) versions: Vec<VersionInfo>,
    pub(crate) target: u32,
    /// The options' renames and those declared on the columns as of the target, each once:
    /// what every plan of this binary (run, status, dry run) renames.
    pub(crate) renames: Vec<ColumnRename>,
    pub(crate) fingerprint: String,
}

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
    pub issues: Vec<crate::migrate::HistoryIssue>,
    /// What a run would do to the schema (empty when there are issues).
    pub plan: Option<Plan>,
    /// True when the head row matches this binary: a run would make one request.
    pub up_to_date: bool,
    /// Every version the binary or the database knows, with where it stands.
    pub versions: Vec<crate::migrate::VersionLine>,
}

impl Migrator {
    /// The highest version this binary declares (or the configured target).
    pub fn target(&self) -> Result<u32> {
        Ok(self.prepare()?.target)
    }

    /// Checks the declarations and computes what a run needs, without any request.
    pub(crate) fn prepare(&self) -> Result<Prepared> {
        let mut violations: Vec<SchemaViolation> = Vec::new();
        for table in &self.tables {
            if let Err(Error::Schema(v)) = table.validate() {
                violations.extend(v);
            }
        }
        if !violations.is_empty() {
            return Err(Error::Schema(violations));
        }
        let mut ids: Vec<&TableSchema> = self.tables.iter().collect();
        ids.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(pair) = ids.windows(2).find(|p| p[0].id == p[1].id) {
            return Err(MigrateError::DuplicateTable {
                table: pair[0].id.clone(),
                first: pair[0].name.clone(),
                second: pair[1].name.clone(),
            }
            .into());
        }
        if let Some(t) = self
            .tables
            .iter()
            .find(|t| t.id == self.options.history_table)
        {
            return Err(MigrateError::DuplicateTable {
                table: t.id.clone(),
                first: t.name.clone(),
                second: "the migration history".to_owned(),
            }
            .into());
        }
        if let Some(m) = self.migrations.iter().find(|m| m.version == 0) {
            return Err(MigrateError::VersionZero {
                source_name: m.source.clone(),
            }
            .into());
        }
        if let Some((a, b)) = first_duplicate(&self.migrations) {
            return Err(MigrateError::DuplicateVersion {
                version: a.version,
                first: a.source.clone(),
                second: b.source.clone(),
            }
            .into());
        }
        let versions = plan::known_versions(&self.tables, &self.migrations, self.options.target);
        let target = self
            .options
            .target
            .unwrap_or_else(|| versions.last().map_or(0, |v| v.version));
        let migrations: Vec<MigrationDef> = self
            .migrations
            .iter()
            .filter(|m| m.version <= target)
            .cloned()
            .collect();
        let target_tables = plan::schema_at(&self.tables, target);
        // Columns beyond the target are never planned, and neither are their renames.
        let renames = renames::effective(&self.options.renames, &target_tables);
        let fingerprint = fingerprint(&target_tables, &migrations, target, &renames);
        Ok(Prepared {
            tables: self.tables.clone(),
            migrations,
            versions,
            target,
            renames,
            fingerprint,
        })
    }

    /// The fingerprint the head row carries after a run of this binary.
    pub fn fingerprint(&self) -> Result<String> {
        Ok(self.prepare()?.fingerprint)
    }

    /// Applies every pending version (see the [module](crate::migrate) docs). Returns what was done;
    /// a boot with nothing to do makes one request. [`try_run`](Self::try_run) also gives the
    /// report of a run that failed.
    pub async fn run(&self, db: &Database) -> Result<MigrationReport> {
        self.try_run(db).await.map_err(|failed| failed.error)
    }

    /// Like [`run`](Self::run), but a failed run comes back with its report: status
    /// `failed`, the versions run (the failed one last, with its error), rows read and written,
    /// and the error. For a production runner that writes a report whatever happens.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use appwrite_orm::migrate::{MigrationDef, Migrator, RunStatus};
    ///
    /// let broken = MigrationDef::new(1, "broken", |_m| {
    ///     Box::pin(async { Err(appwrite_orm::Error::Internal("boom".into())) })
    /// });
    /// let db = appwrite_orm::Database::in_memory().await?;
    /// let failed = Migrator::new([], [broken]).try_run(&db).await.unwrap_err();
    /// assert_eq!(failed.report.status, RunStatus::Failed);
    /// assert!(failed.report.versions[0].error.as_deref().unwrap().contains("boom"));
    /// # Ok::<(), appwrite_orm::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn try_run(
        &self,
        db: &Database,
    ) -> std::result::Result<MigrationReport, Box<FailedRun>> {
        let started = Instant::now();
        let counter = Arc::new(CountingBackend::new(Arc::clone(db.backend())));
        let mut report = MigrationReport {
            started_at: now(),
            host: self.options.host.clone(),
            backend: db.backend().name().to_owned(),
            database: db.id().to_owned(),
            ..MigrationReport::default()
        };
        let result = self.run_counted(db, &counter, &mut report).await;
        finish(&mut report, &counter, started, &self.options.history_table);
        match result {
            Ok(()) => Ok(report),
            Err(error) => {
                report.status = RunStatus::Failed;
                report.errors.push(error.to_string());
                Err(Box::new(FailedRun { report, error }))
            }
        }
    }

    /// The run, through `counter`, filling `report`.
    async fn run_counted(
        &self,
        db: &Database,
        counter: &Arc<CountingBackend>,
        report: &mut MigrationReport,
    ) -> Result<()> {
        let prepared = self.prepare()?;
        let cdb = Database::new(Arc::clone(counter) as Arc<dyn Backend>, db.id());
        let history = History::new(
            Arc::clone(counter) as Arc<dyn Backend>,
            db.id(),
            &self.options.history_table,
        );
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
        if head.is_none() {
            history.ensure().await?;
        }
        let lock = Lock::acquire(&history, &self.options).await?;
        report.took_over_lock = lock.took_over.as_ref().map(|l| l.owner.clone());
        let result = Run {
            migrator: self,
            prepared: &prepared,
            db: &cdb,
            history: &history,
            lock: &lock,
            counter,
            with_markers: Default::default(),
        }
        .locked(report)
        .await;
        let released = lock.release().await;
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

    /// What the database says and what a run would do; writes nothing and takes no lock.
    pub async fn status(&self, db: &Database) -> Result<MigrationStatus> {
        let prepared = self.prepare()?;
        let history = History::new(
            Arc::clone(db.backend()),
            db.id(),
            &self.options.history_table,
        );
        let snapshot = history.read_all().await?;
        let Checked { applied, issues } =
            check::check_history(&prepared.versions, &prepared.migrations, &snapshot.versions);
        let plan = if issues.is_empty() {
            let live = read_live(db).await?;
            Some(self.plan_with(&prepared, &live, applied))
        } else {
            None
        };
        Ok(MigrationStatus {
            applied,
            target: prepared.target,
            up_to_date: snapshot.head.is_some_and(|h| {
                h.version == prepared.target && h.fingerprint == prepared.fingerprint
            }),
            versions: crate::migrate::planning::versions::lines(
                &prepared.versions,
                &snapshot.versions,
            ),
            history: snapshot.versions.into_values().collect(),
            issues,
            plan,
        })
    }

    /// Accepts the checksums of this binary's migrations for versions already applied (after
    /// an edit that does not change what they did). Returns the versions whose checksum was
    /// updated.
    pub async fn repair(&self, db: &Database) -> Result<Vec<u32>> {
        let prepared = self.prepare()?;
        let history = History::new(
            Arc::clone(db.backend()),
            db.id(),
            &self.options.history_table,
        );
        history.ensure().await?;
        let lock = Lock::acquire(&history, &self.options).await?;
        let result = async {
            let snapshot = history.read_all().await?;
            let mut repaired = Vec::new();
            for entry in snapshot.versions.values() {
                if entry.status != VersionStatus::Applied {
                    continue;
                }
                if let Some(m) = prepared
                    .migrations
                    .iter()
                    .find(|m| m.version == entry.version)
                    && m.checksum != entry.checksum
                {
                    tracing::warn!(
                        version = entry.version,
                        recorded = %entry.checksum,
                        accepted = %m.checksum,
                        "accepting a changed migration checksum"
                    );
                    let mut fixed = entry.clone();
                    fixed.checksum = m.checksum.clone();
                    history.write_entry(&fixed).await?;
                    repaired.push(entry.version);
                }
            }
            // The head's fingerprint covers checksums: the next run re-checks everything.
            if !repaired.is_empty() {
                history.write_head(0, "").await?;
            }
            Ok(repaired)
        }
        .await;
        lock.release().await?;
        result
    }

    /// Deletes the history row of `version` (an applied migration removed from the code on
    /// purpose). Returns whether there was one.
    pub async fn forget(&self, db: &Database, version: u32) -> Result<bool> {
        let history = History::new(
            Arc::clone(db.backend()),
            db.id(),
            &self.options.history_table,
        );
        history.ensure().await?;
        let lock = Lock::acquire(&history, &self.options).await?;
        let result = async {
            let deleted = history.delete_entry(version).await?;
            if deleted {
                tracing::warn!(version, "migration history row deleted");
                history.write_head(0, "").await?;
            }
            Ok(deleted)
        }
        .await;
        lock.release().await?;
        result
    }

    /// Removes the lock row whoever holds it. Only for a lock left by a run known to be gone:
    /// a live run would lose it and stop.
    pub async fn force_unlock(&self, db: &Database) -> Result<bool> {
        History::new(
            Arc::clone(db.backend()),
            db.id(),
            &self.options.history_table,
        )
        .force_unlock()
        .await
    }

    pub(in crate::migrate) fn plan_with(
        &self,
        prepared: &Prepared,
        live: &[Table],
        applied: u32,
    ) -> Plan {
        plan::plan(&PlanInput {
            declared: &prepared.tables,
            live,
            versions: &prepared.versions,
            applied,
            target: prepared.target,
            skip_default_backfill: &self.options.skip_default_backfill,
            ignore_tables: std::slice::from_ref(&self.options.history_table),
            renames: &prepared.renames,
        })
    }
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

/// The fingerprint of a binary: its schema as of the target, the target, every migration's
/// version and checksum, and the column renames it plans with. The schema fingerprint leaves
/// `renamed_from` out (an applied rename is no schema difference), but a rename is an input
/// of the plan: declaring one must make the next boot plan instead of taking the one-request
/// path. Without renames the text is what it always was, so heads written before renames
/// counted stay valid.
fn fingerprint(
    tables: &[TableSchema],
    migrations: &[MigrationDef],
    target: u32,
    renames: &[ColumnRename],
) -> String {
    let mut text = format!(
        "{FINGERPRINT_DOMAIN}\n{}\n{target}\n",
        schema_fingerprint(tables)
    );
    for m in migrations {
        text.push_str(&format!("{}:{}\n", m.version, m.checksum));
    }
    text.push_str(&renames::fingerprint_text(renames));
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every live table with its columns and indexes, page by page.
pub(in crate::migrate) async fn read_live(db: &Database) -> Result<Vec<Table>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut queries = vec![Query::limit(100)];
        if let Some(c) = &cursor {
            queries.push(Query::cursor_after(c.clone()));
        }
        let page = db.backend().list_tables(db.id(), &queries).await?.items;
        let n = page.len();
        cursor = page.last().map(|t| t.id.clone());
        out.extend(page);
        if n < 100 {
            return Ok(out);
        }
    }
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

impl Run<'_> {
    pub(in crate::migrate) fn options(&self) -> &MigrateOptions {
        &self.migrator.options
    }

    async fn locked(&self, report: &mut MigrationReport) -> Result<()> {
        // Both reads are needed for the plan; at once, they cost one round trip.
        let (snapshot, live) = tokio::join!(self.history.read_all(), read_live(self.db));
        let snapshot = snapshot?;
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
        report.from_version = applied;
        report.to_version = applied;
        if let Some(l) = &self.lock.took_over {
            let interrupted: Vec<u32> = snapshot
                .versions
                .values()
                .filter(|e| e.status == VersionStatus::Running)
                .map(|e| e.version)
                .collect();
            tracing::warn!(holder = %l.owner, ?interrupted, "resuming after a crashed run");
        }
        let mut live = live?;
        let mut plan = self.migrator.plan_with(self.prepared, &live, applied);
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
                live = read_live(self.db).await?;
                plan = self
                    .migrator
                    .plan_with(self.prepared, &live, version.version);
                report.extras = plan.extras.clone();
                queue = plan.versions.iter().rev().cloned().collect();
                self.planned(version.version, &queue);
            }
        }
        if report.versions.is_empty() {
            report.nothing_pending = true;
        }
        let head_ok = snapshot.head.as_ref().is_some_and(|h| {
            h.version == self.prepared.target && h.fingerprint == self.prepared.fingerprint
        });
        let with_markers =
            std::mem::take(&mut *self.with_markers.lock().unwrap_or_else(|p| p.into_inner()));
        let delete_markers = futures_util::future::join_all(with_markers.iter().map(|v| {
            crate::migrate::running::backfill::markers::delete_of_version(self.history, *v)
        }));
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
        head?;
        report.to_version = self.prepared.target;
        Ok(())
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
        let started = Instant::now();
        let requests_before = self.counter.requests();
        let rows_before = self.rows_written();
        let read_before = self.counter.rows_read();
        let written_before = self.counter.rows_written();
        let resumed = previous.is_some_and(|e| e.status != VersionStatus::Applied);
        let checksum = plan.checksum.clone().unwrap_or_default();
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
        let checkpoint = if plan.has_step {
            Checkpoint::parse(&checkpoint).with_token().to_text()
        } else {
            checkpoint
        };
        let mut entry = HistoryEntry {
            version: plan.version,
            name: plan.name.clone(),
            checksum,
            status: VersionStatus::Running,
            started_at: now(),
            finished_at: String::new(),
            duration_ms: 0,
            rows_touched: 0,
            schema_fingerprint: plan.fingerprint.clone(),
            checkpoint: checkpoint.clone(),
            error: String::new(),
            host: self.options().host.clone(),
        };
        if !plan.reconcile {
            self.history.write_entry(&entry).await?;
        }
        tracing::info!(
            version = plan.version,
            name = %plan.name,
            resumed,
            operations = plan.before.len() + plan.after.len(),
            step = plan.has_step,
            "migrating"
        );
        let mut report = VersionReport {
            version: plan.version,
            name: plan.name.clone(),
            reconcile: plan.reconcile,
            resumed,
            step_ran: plan.has_step,
            ..VersionReport::default()
        };
        self.emit(ProgressEvent::VersionStarted {
            direction: Direction::Up,
            version: plan.version,
            name: &plan.name,
            position: place.0,
            of: place.1,
            resumed,
        });
        let body = self.version_body(plan, Checkpoint::parse(&checkpoint), &mut report);
        let (outcome, state) = self.with_row_ticks(plan.version, rows_before, body).await;
        let state = state.unwrap_or_default();
        let schema_changed = state.schema_changed;
        let markers = state.markers;
        report.schema.extend(state.schema);
        report.backfills = state.backfills;
        report.conversions = state.conversions;
        report.backups = state.backups;
        report.warnings = notes;
        report.warnings.extend(state.warnings);
        let history_table = self.history.table_id();
        report.rows_read = without(
            growth(&self.counter.rows_read(), &read_before),
            history_table,
        );
        report.rows_written = without(
            growth(&self.counter.rows_written(), &written_before),
            history_table,
        );
        report.rows_touched = report.rows_written.values().sum();
        report.duration = started.elapsed();
        entry.duration_ms = u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX);
        entry.rows_touched = report.rows_touched;
        entry.finished_at = now();
        match outcome {
            Ok(after) => {
                report.schema.extend(after);
                entry.status = VersionStatus::Applied;
                entry.checkpoint = String::new();
                if !plan.reconcile {
                    self.history.write_entry(&entry).await?;
                }
                if markers {
                    // Deleted with the head's write at the end: the version is recorded applied,
                    // so they are no longer needed, and one round trip is saved.
                    self.with_markers
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(plan.version);
                }
                report.requests = self.counter.requests() - requests_before;
                self.emit(ProgressEvent::VersionApplied {
                    direction: Direction::Up,
                    report: &report,
                });
                tracing::info!(
                    version = plan.version,
                    ms = entry.duration_ms,
                    rows = entry.rows_touched,
                    "version applied"
                );
                reports.push(report);
                Ok(schema_changed)
            }
            Err(e) => {
                report.requests = self.counter.requests() - requests_before;
                report.error = Some(e.to_string());
                reports.push(report);
                if self.lock.is_lost() {
                    // Another run owns the history now; writing to it would race with it.
                    return Err(e);
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
                Err(MigrateError::VersionFailed {
                    version: plan.version,
                    name: plan.name.clone(),
                    source: Box::new(e),
                }
                .into())
            }
        }
    }

    /// Backup (destructive versions, when configured), schema before, step, schema after,
    /// checks. The step state comes back whatever happened, for its checkpoint.
    async fn version_body(
        &self,
        plan: &VersionPlan,
        checkpoint: Checkpoint,
        report: &mut VersionReport,
    ) -> (Result<Vec<crate::migrate::OpReport>>, Option<StepState>) {
        let failed_before = |e, checkpoint| {
            (
                Err(e),
                Some(StepState {
                    checkpoint,
                    ..StepState::default()
                }),
            )
        };
        let backup_dir = match guard::backup_before(self.db, plan, self.options()).await {
            Ok(dir) => dir,
            Err(e) => return failed_before(e, checkpoint),
        };
        match exec::before_steps(self.db, &plan.before, self.options()).await {
            Ok(ops) => report.schema = ops,
            Err(e) => return failed_before(e, checkpoint),
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
            let mut m = self.context(plan, checkpoint, !plan.reconcile);
            let result = def.run_step(&mut m).await;
            let step_state = m.into_state();
            if let Err(e) = result {
                return (Err(e), Some(step_state));
            }
            state = Some(step_state);
        }
        if let Some(dir) = &backup_dir {
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
            && let Err(e) = self.checks(def, plan, backup_dir.as_deref()).await
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

    /// A step context for `plan`'s version.
    fn context(&self, plan: &VersionPlan, checkpoint: Checkpoint, save: bool) -> Migration<'_> {
        Migration::new(
            self.db.clone(),
            plan.version,
            self.options(),
            self.history,
            self.lock,
            checkpoint,
            save,
        )
    }

    /// Runs the version's checks in order; the first that fails fails the version, after the
    /// backup taken before it is restored when so configured.
    async fn checks(
        &self,
        def: &MigrationDef,
        plan: &VersionPlan,
        backup_dir: Option<&std::path::Path>,
    ) -> Result<()> {
        for (name, check) in def.checks() {
            let mut m = self.context(plan, Checkpoint::default(), false);
            let Err(e) = check.run(&mut m).await else {
                tracing::info!(version = plan.version, check = name, "check passed");
                continue;
            };
            tracing::error!(version = plan.version, check = name, error = %e, "check failed");
            let mut message = e.to_string();
            let mut restored = None;
            if self.options().restore_on_failed_check {
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
        if self.migrator.progress.is_none() {
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
        if let Some(sink) = &self.migrator.progress {
            sink.0.event(&event);
        }
    }

    pub(in crate::migrate) fn rows_written(&self) -> u64 {
        self.counter.rows_written_except(&[self.history.table_id()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::embedded::EmbeddedBackend;
    use crate::schema::ColumnSchema;

    fn is_send<T: Send>(_: &T) {}

    #[test]
    fn runs_can_be_spawned() {
        let db = Database::new(Arc::new(EmbeddedBackend::in_memory().unwrap()), "x");
        let migrator = Migrator::new([], []);
        is_send(&migrator.run(&db));
        is_send(&migrator.revert(&db, 0));
        is_send(&migrator.status(&db));
    }

    #[test]
    fn preparation_refuses_bad_declarations() {
        let t = TableSchema::new("t", "T");
        let err = Migrator::new([&t, &t], []).prepare().unwrap_err();
        assert!(err.to_string().contains("declared twice"), "{err}");
        let step = |v: u32| MigrationDef::new(v, format!("m{v}"), |_m| Box::pin(async { Ok(()) }));
        let err = Migrator::new([], [step(2), step(2)]).prepare().unwrap_err();
        assert!(
            err.to_string().contains("version 2 is defined twice"),
            "{err}"
        );
        let err = Migrator::new([], [step(0)]).prepare().unwrap_err();
        assert!(err.to_string().contains("versions start at 1"), "{err}");
        let history = TableSchema::new("orm_migrations", "Mine");
        assert!(Migrator::new([&history], []).prepare().is_err());
        let bad = TableSchema::new("_bad", "Bad");
        assert!(matches!(
            Migrator::new([&bad], []).prepare(),
            Err(Error::Schema(_))
        ));
    }

    #[test]
    fn the_fingerprint_follows_schema_and_checksums() {
        let t = TableSchema::new("t", "T");
        let step =
            |c: &str| MigrationDef::new(2, "m", |_m| Box::pin(async { Ok(()) })).with_checksum(c);
        let a = Migrator::new([&t], [step("a")]).prepare().unwrap();
        let b = Migrator::new([&t], [step("b")]).prepare().unwrap();
        assert_eq!(a.target, 2);
        assert_ne!(a.fingerprint, b.fingerprint);
        assert_eq!(
            a.fingerprint,
            Migrator::new([&t], [step("a")])
                .prepare()
                .unwrap()
                .fingerprint
        );
        let limited = Migrator::new([&t], [step("a")])
            .with_options(MigrateOptions::default().target(1))
            .prepare()
            .unwrap();
        assert_eq!(limited.target, 1);
        assert!(limited.migrations.is_empty());
    }

    #[test]
    fn the_fingerprint_follows_renames() {
        let plain = TableSchema::new("users", "Users").column(ColumnSchema::varchar("name", 10));
        let renamed = TableSchema::new("users", "Users")
            .column(ColumnSchema::varchar("name", 10).renamed_from("fullName"));
        // The schema is the same: a rename is no schema difference once applied.
        assert_eq!(plain.fingerprint(), renamed.fingerprint());
        let prepare = |t: &TableSchema, options: MigrateOptions| {
            Migrator::new([t], [])
                .with_options(options)
                .prepare()
                .unwrap()
        };
        let without = prepare(&plain, MigrateOptions::default());
        let declared = prepare(&renamed, MigrateOptions::default());
        // Declaring a rename makes the next boot plan instead of taking the one-request path.
        assert_ne!(without.fingerprint, declared.fingerprint);
        assert_eq!(declared.renames.len(), 1);
        // Declared on the column or in the options, it is the same rename, planned once.
        let options = MigrateOptions::default().rename_column("users", "fullName", "name");
        let both = prepare(&renamed, options.clone());
        assert_eq!(both.renames, declared.renames);
        assert_eq!(both.fingerprint, declared.fingerprint);
        assert_eq!(prepare(&plain, options).fingerprint, declared.fingerprint);
        // Without renames the fingerprint is the one heads carried before renames counted.
        let expected = {
            let text = format!(
                "{FINGERPRINT_DOMAIN}\n{}\n1\n",
                schema_fingerprint([&plain])
            );
            Sha256::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        assert_eq!(without.fingerprint, expected);
    }

    #[test]
    fn renames_of_columns_beyond_the_target_are_not_planned() {
        let t = TableSchema::new("users", "Users")
            .column(ColumnSchema::varchar("email", 10))
            .column(
                ColumnSchema::varchar("name", 10)
                    .renamed_from("fullName")
                    .since(3),
            );
        let prepared = Migrator::new([&t], [])
            .with_options(MigrateOptions::default().target(2))
            .prepare()
            .unwrap();
        assert!(prepared.renames.is_empty());
    }
}
