//! The lint of a database: the history read and checked, every pending version planned, each
//! version's step run against a recorder to see what it writes and reads, and the candidates
//! counted.

use std::collections::BTreeMap;

use crate::api::Table;
use crate::migrate::Migrator;
use crate::migrate::lint::checks::{self, Candidate};
use crate::migrate::lint::probe::Prober;
use crate::migrate::lint::{Finding, LintReport, cascade, history, reads};
use crate::migrate::planning::check::Checked;
use crate::migrate::planning::plan::{Plan, VersionPlan};
use crate::migrate::planning::prepare::Prepared;
use crate::migrate::records::status::read_checked;
use crate::migrate::running::dry_run::{Simulator, StepTrace};
use crate::{Database, Result};

/// The lint of `db` for `migrator`'s binary, spending at most `budget` requests on counting.
pub(crate) async fn lint(migrator: &Migrator, db: &Database, budget: u64) -> Result<LintReport> {
    let (prepared, _, Checked { applied, issues }) = read_checked(migrator, db).await?;
    let live = db.live_tables().await?;
    // A run refuses while the history disagrees; the versions above the applied one are still
    // planned, so that one lint says everything that stands in the way.
    let plan = prepared.plan(&live, applied, migrator.options());
    let mut report = LintReport {
        database: db.id().to_owned(),
        from_version: applied,
        to_version: prepared.target.max(applied),
        versions: plan.versions.iter().map(|v| v.version).collect(),
        plan_errors: plan.errors.iter().map(ToString::to_string).collect(),
        ..LintReport::default()
    };
    let history_table = &migrator.options().history_table;
    report.findings.extend(
        issues
            .iter()
            .map(|issue| history::finding(issue, history_table)),
    );
    report.notes.extend(history::note(&issues));
    let traces = Steps::start(migrator, db, &plan.versions)
        .await?
        .traces(&prepared, &plan.versions, &mut report.notes)
        .await;
    report
        .findings
        .extend(reads::findings(&plan.versions, &traces));
    let counting = Counting::of(&plan, &live, &traces, &mut report.notes);
    let options = migrator.options();
    let backups = options.backups.is_some() || options.backup_before_destructive.is_some();
    let mut prober = Prober::new(db, budget);
    report
        .findings
        .extend(counting.count(&mut prober, backups).await?);
    report.acknowledge(|version| prepared.allowed(version));
    report.requests = prober.spent();
    if prober.spent() >= budget && !counting.is_empty() {
        report.notes.push(format!(
            "the request budget ({budget}) ran out: counts marked \"at least\" or \"not counted\" \
             are incomplete"
        ));
    }
    // By version; within one, in the order the checks run (stable).
    report.findings.sort_by_key(|f| f.version);
    tracing::info!(
        findings = report.findings.len(),
        requests = report.requests,
        "lint done; nothing written"
    );
    Ok(report)
}

/// What is to be counted on the live rows.
struct Counting {
    checks: Vec<Candidate>,
    cascades: Vec<cascade::Candidate>,
}

impl Counting {
    /// The candidates of every version of `plan` in the `live` tables, with its step's writes
    /// from `traces`; what cannot be counted is added to `notes`.
    fn of(
        plan: &Plan,
        live: &[Table],
        traces: &BTreeMap<u32, StepTrace>,
        notes: &mut Vec<String>,
    ) -> Self {
        let mut out = Self {
            checks: Vec::new(),
            cascades: Vec::new(),
        };
        for version in &plan.versions {
            let step = traces.get(&version.version);
            let writes = step.map_or(&[][..], |t| &t.writes[..]);
            out.checks.extend(checks::candidates(version, live, step));
            let (cascades, unknown) = cascade::candidates(version, live, writes);
            out.cascades.extend(cascades);
            notes.extend(unknown);
        }
        out
    }

    fn is_empty(&self) -> bool {
        self.checks.is_empty() && self.cascades.is_empty()
    }

    /// Counts every candidate within the prober's budget: the findings of those with rows.
    async fn count(&self, prober: &mut Prober<'_>, backups: bool) -> Result<Vec<Finding>> {
        let mut out = Vec::new();
        for candidate in &self.checks {
            let evidence = prober.run(&candidate.table, &candidate.probe).await?;
            out.extend(checks::finding(candidate, evidence, backups));
        }
        for candidate in &self.cascades {
            out.extend(cascade::finding(prober, candidate).await?);
        }
        Ok(out)
    }
}

/// The steps of the pending versions, run against a recorder (only when one has a step).
struct Steps(Option<Simulator>);

impl Steps {
    async fn start(migrator: &Migrator, db: &Database, versions: &[VersionPlan]) -> Result<Self> {
        if !versions.iter().any(|v| v.has_step) {
            return Ok(Self(None));
        }
        // A simulated drop must not write its backup file: lint writes nothing, not even there.
        let mut options = migrator.options().clone();
        options.backups = None;
        options.backup_before_destructive = None;
        Ok(Self(Some(Simulator::start(db, &options).await?)))
    }

    /// What the step of each version that has one writes and reads, by version; a step that
    /// stopped is noted (what it would have done after that point is not seen).
    async fn traces(
        &self,
        prepared: &Prepared,
        versions: &[VersionPlan],
        notes: &mut Vec<String>,
    ) -> BTreeMap<u32, StepTrace> {
        let mut out = BTreeMap::new();
        let Some(simulator) = &self.0 else {
            return out;
        };
        for version in versions {
            // Every version's planned schema, so that each step sees the schema it would meet.
            notes.extend(simulator.schema_before_step(version).await);
            let def = prepared
                .migrations
                .iter()
                .find(|m| m.version == version.version);
            if let Some(def) = def.filter(|_| version.has_step) {
                let trace = simulator.step_trace(version.version, def).await;
                if let Some(error) = &trace.stopped {
                    notes.push(format!(
                        "version {}'s step stopped when simulated ({error}); what it would drop, \
                         delete or read after that point is not seen",
                        version.version
                    ));
                }
                out.insert(version.version, trace);
            }
            simulator.schema_after_step(version).await;
        }
        out
    }
}
