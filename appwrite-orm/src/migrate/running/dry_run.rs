//! [`Migrator::dry_run`]: what a run would do, with nothing written.
//!
//! The dry run reads the history and the live schema like [`Migrator::status`], plans every
//! pending version, and then, version by version:
//! - lists the planned schema operations with their class (additive, in place, destructive),
//!   and counts the existing rows a new column's default would be written into;
//! - runs the version's step against a [`RecordingBackend`]: reads go to the database, writes
//!   are recorded and answered plausibly, so the step runs its course and the report says what
//!   it would write (rows per table and a sample of the writes).
//!
//! The schema operations a version plans before its step are run against the recorder first
//! (recorded, never sent), so that the step sees the schema a run would give it: a column its
//! version creates is there, `available`, holding null in every existing row (or the default
//! the plan writes into them), and a step that filters on it, or waits for a column it creates
//! itself, runs its course. See the [recorder](crate::backend::recording) for how such reads are
//! answered.
//!
//! # What a dry run cannot see
//!
//! Row writes are not visible to later reads (apart from a bulk update that sets a column only
//! the simulation created in every existing row, as the plan's default fill does): a step that
//! reads back what it wrote, or a version whose step depends on an earlier pending version's
//! writes, sees the rows as they are now. Counts are therefore the counts of the rows as they
//! are now; bulk updates and deletes count the rows their filters match now. A step that
//! stops anyway (its own error, or a query the simulation cannot decide) does not stop the dry
//! run: the error is reported in [`DryRunVersion::step_error`] and the next version is
//! simulated. No lock is taken; the report says when a run holds one.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::api::ListOptions;
use crate::backend::Backend;
use crate::backend::recording::{RecordedRead, RecordedWrite, RecordingBackend};
use crate::migrate::error::MigrateError;
use crate::migrate::planning::check::Checked;
use crate::migrate::planning::plan::{PlanError, PlannedOp, SchemaOp, VersionPlan};
use crate::migrate::records::history::History;
use crate::migrate::records::lock::Lock;
use crate::migrate::records::status::read_checked;
use crate::migrate::registry::MigrationDef;
use crate::migrate::running::backfill::Checkpoint;
use crate::migrate::running::context::Migration;
use crate::migrate::running::exec;
use crate::migrate::{MigrateOptions, Migrator};
use crate::query::Query;
use crate::{Database, Result};

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// How many recorded writes a version's report keeps as a sample.
pub const DRY_RUN_SAMPLE: usize = 10;

/// What a run would do; see [`Migrator::dry_run`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct DryRunReport {
    /// The backend's name.
    pub backend: String,
    /// The database id.
    pub database: String,
    /// The applied version.
    pub from_version: u32,
    /// The version a run would reach.
    pub to_version: u32,
    /// True when nothing is pending.
    pub nothing_pending: bool,
    /// The pending versions, in order.
    pub versions: Vec<DryRunVersion>,
    /// What a run would refuse to do (a run stops at the first version with an error).
    pub plan_errors: Vec<PlanError>,
    /// Things worth a look (a lock held by a run, what the dry run cannot see).
    pub notes: Vec<String>,
    /// How long the dry run took.
    #[serde(serialize_with = "millis", rename = "duration_ms")]
    pub duration: Duration,
    /// The dry runs of the other databases the binary migrates (those its tables and
    /// migrations name), in the order a run takes them: by id. Empty with one database.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_databases: Vec<DryRunReport>,
}

impl DryRunReport {
    /// This database's dry run, then the other databases'.
    pub fn all_databases(&self) -> impl Iterator<Item = &DryRunReport> {
        std::iter::once(self).chain(&self.other_databases)
    }

    /// Rows a run would write, per table, over every version.
    pub fn rows_by_table(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for v in &self.versions {
            for (t, n) in &v.rows_by_table {
                *out.entry(t.clone()).or_insert(0) += n;
            }
        }
        out
    }

    /// The report of one version.
    pub fn version(&self, version: u32) -> Option<&DryRunVersion> {
        self.versions.iter().find(|v| v.version == version)
    }
}

/// What one pending version would do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DryRunVersion {
    /// The version.
    pub version: u32,
    /// Its name.
    pub name: String,
    /// True for schema changes made without a pending version.
    pub reconcile: bool,
    /// The schema operations, in order, with their class.
    pub schema: Vec<PlannedOp>,
    /// True when the version has a step (it was simulated).
    pub has_step: bool,
    /// Why the simulated step stopped, when it did (its own error, or a query on a column only
    /// the simulation created that it cannot decide).
    pub step_error: Option<String>,
    /// Rows the version would write, per table (default fills and the step's writes).
    pub rows_by_table: BTreeMap<String, u64>,
    /// How many writes the step would make (requests, not rows).
    pub writes: usize,
    /// The first writes of the step.
    pub sample: Vec<RecordedWrite>,
}

/// The dry run of `migrator` on `db`.
pub(crate) async fn dry_run(migrator: &Migrator, db: &Database) -> Result<DryRunReport> {
    let started = Instant::now();
    let (prepared, snapshot, Checked { applied, issues }) = read_checked(migrator, db).await?;
    if !issues.is_empty() {
        return Err(MigrateError::History(issues).into());
    }
    let live = db.live_tables_if_any().await?;
    let plan = prepared.plan(&live, applied, migrator.options());
    let mut report = DryRunReport {
        backend: db.backend().name().to_owned(),
        database: db.id().to_owned(),
        from_version: applied,
        to_version: prepared.target.max(applied),
        nothing_pending: plan.is_empty(),
        plan_errors: plan.errors.clone(),
        ..DryRunReport::default()
    };
    if let Some(lock) = &snapshot.lock {
        report.notes.push(format!(
            "the migration lock is held by {} (expires {}): a run would wait for it",
            lock.owner, lock.expires_at
        ));
    }
    let simulator = Simulator::start(db, migrator.options()).await?;
    for version in &plan.versions {
        let def = prepared
            .migrations
            .iter()
            .find(|m| m.version == version.version);
        let (simulated, note) = simulator.version(version, def).await;
        report.versions.push(simulated);
        report.notes.extend(note);
    }
    drop(simulator);
    if report.versions.iter().any(|v| v.step_error.is_some()) {
        report.notes.push(
            "a step stopped in the dry run: what it would write after that point is not counted"
                .to_owned(),
        );
    }
    report.duration = started.elapsed();
    tracing::info!(
        from = report.from_version,
        to = report.to_version,
        versions = report.versions.len(),
        "dry run done; nothing written"
    );
    Ok(report)
}

/// Steps run against a recording backend: reads go to the database, writes are recorded.
pub(crate) struct Simulator {
    /// The database itself, for counts.
    db: Database,
    recorder: Arc<RecordingBackend>,
    /// The database through the recorder.
    recorded: Database,
    history: History,
    options: MigrateOptions,
    lock: Lock,
}

impl Simulator {
    /// Takes the lock, recorded rather than written: nothing of it reaches the database.
    pub(crate) async fn start(db: &Database, options: &MigrateOptions) -> Result<Self> {
        let recorder = Arc::new(RecordingBackend::new(Arc::clone(db.backend())));
        let recorded = Database::new(Arc::clone(&recorder) as Arc<dyn Backend>, db.id());
        let history = History::of(&recorded, &options.history_table);
        // The lock row is recorded, not written; its heartbeat must not run during the dry run.
        let mut options = options.clone();
        options.heartbeat = Duration::from_secs(365 * 24 * 3600);
        let lock = Lock::acquire(&history, &options).await?;
        Ok(Self {
            db: db.clone(),
            recorder,
            recorded,
            history,
            options,
            lock,
        })
    }

    /// What `version` would do: its schema operations, the rows its default fills would
    /// write, and what its step (`def`) would write; with a note when its schema operations
    /// could not be simulated.
    async fn version(
        &self,
        version: &VersionPlan,
        def: Option<&MigrationDef>,
    ) -> (DryRunVersion, Option<String>) {
        let mut out = DryRunVersion {
            version: version.version,
            name: version.name.clone(),
            reconcile: version.reconcile,
            schema: version
                .before
                .iter()
                .chain(&version.after)
                .cloned()
                .collect(),
            has_step: version.has_step,
            ..DryRunVersion::default()
        };
        let note = self.schema_before_step(version).await;
        for op in &version.before {
            if let SchemaOp::FillDefault { table, .. } = &op.op {
                let n = count_rows(&self.db, table).await;
                *out.rows_by_table.entry(table.clone()).or_insert(0) += n;
            }
        }
        if version.has_step
            && let Some(def) = def
        {
            out.step_error = self.step(version.version, def).await;
        }
        let writes: Vec<RecordedWrite> = self
            .recorder
            .take()
            .into_iter()
            .filter(|w| w.table != self.options.history_table)
            .collect();
        for w in writes.iter().filter(|w| w.rows > 0) {
            *out.rows_by_table.entry(w.table.clone()).or_insert(0) += w.rows;
        }
        out.writes = writes.len();
        out.sample = writes.into_iter().take(DRY_RUN_SAMPLE).collect();
        self.schema_after_step(version).await;
        (out, note)
    }

    /// Runs the schema operations `version` plans before its step against the recorder, so
    /// that its step, and the versions after it, see the schema a run would have made by then.
    /// What they record is the plan's (the report lists it), not the step's: it is dropped.
    /// When one fails, a note says so: the step then meets the schema without the rest.
    pub(crate) async fn schema_before_step(&self, version: &VersionPlan) -> Option<String> {
        let done = exec::before_steps(&self.recorded, &version.before, &self.options).await;
        self.recorder.take_all();
        let e = done.err()?;
        tracing::info!(version = version.version, error = %e, "dry run: a planned schema operation failed");
        Some(format!(
            "version {}'s schema operations stopped when simulated ({e}); its step was simulated \
             without the rest of them",
            version.version
        ))
    }

    /// Records what `version` plans after its step (columns made required), for the versions
    /// after it, and drops the records.
    pub(crate) async fn schema_after_step(&self, version: &VersionPlan) {
        let backend = self.recorded.backend();
        for planned in &version.after {
            if let SchemaOp::MakeRequired { table, column } = &planned.op
                && let Err(e) = backend
                    .update_column(self.recorded.id(), table, &column.key, column)
                    .await
            {
                tracing::info!(version = version.version, error = %e, "dry run: a planned schema operation failed");
            }
        }
        self.recorder.take_all();
    }

    /// Runs the step of `version` against the recorder: why it stopped (when it did), and what
    /// it wrote and read (the history table's apart).
    pub(crate) async fn step_trace(&self, version: u32, def: &MigrationDef) -> StepTrace {
        let (stopped, models) = self.run_step(version, def).await;
        let history = &self.options.history_table;
        let (writes, reads) = self.recorder.take_all();
        let models = models.into_iter().map(|(table, columns)| RecordedRead {
            operation: "typed read".to_owned(),
            table,
            columns,
            // Taken when the step asked for the model, which the recorder does not see: no
            // place among the writes, so it counts as before them.
            after_writes: 0,
        });
        StepTrace {
            stopped,
            writes: writes.into_iter().filter(|w| &w.table != history).collect(),
            reads: models
                .chain(reads)
                .filter(|r| &r.table != history)
                .collect(),
        }
    }

    /// Runs the step of `version` against the recorder; why it stopped, when it did.
    async fn step(&self, version: u32, def: &MigrationDef) -> Option<String> {
        self.run_step(version, def).await.0
    }

    /// Runs the step of `version` against the recorder: why it stopped, when it did, and the
    /// models it read through `Migration::table`.
    async fn run_step(
        &self,
        version: u32,
        def: &MigrationDef,
    ) -> (Option<String>, Vec<(String, Vec<String>)>) {
        let mut m = Migration::new(
            self.recorded.clone(),
            version,
            &self.options,
            &self.history,
            &self.lock,
            Checkpoint::default(),
            false,
        );
        let result = def.run_step(&mut m).await;
        let models = m.models_read();
        drop(m);
        let stopped = result.err().map(|e| {
            tracing::info!(version, error = %e, "dry run: the step stopped");
            e.to_string()
        });
        (stopped, models)
    }
}

/// What a step did against the recorder.
#[derive(Debug, Clone, Default)]
pub(crate) struct StepTrace {
    /// Why it stopped, when it did.
    pub(crate) stopped: Option<String>,
    /// Its writes, in order.
    pub(crate) writes: Vec<RecordedWrite>,
    /// Its reads of rows (and the models it read, first), in order.
    pub(crate) reads: Vec<RecordedRead>,
}

/// Rows of a table now (0 when it cannot be read, for a table not created yet).
async fn count_rows(db: &Database, table: &str) -> u64 {
    let options = ListOptions {
        total: true,
        transaction_id: None,
    };
    match db
        .backend()
        .list_rows(db.id(), table, &[Query::limit(1)], &options)
        .await
    {
        Ok(list) => list.total,
        Err(_) => 0,
    }
}
