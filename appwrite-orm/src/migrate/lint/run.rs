//! The lint of a database: the history read and checked, every pending version planned, each
//! version's step run against a recorder to see what it drops, and the candidates counted.

use crate::migrate::Migrator;
use crate::migrate::error::MigrateError;
use crate::migrate::lint::checks::{self, Candidate};
use crate::migrate::lint::probe::Prober;
use crate::migrate::lint::{Finding, LintReport};
use crate::migrate::planning::check::Checked;
use crate::migrate::planning::plan::VersionPlan;
use crate::migrate::planning::prepare::Prepared;
use crate::migrate::records::status::read_checked;
use crate::migrate::running::dry_run::Simulator;
use crate::{Database, Result};

/// The lint of `db` for `migrator`'s binary, spending at most `budget` requests on counting.
pub(crate) async fn lint(migrator: &Migrator, db: &Database, budget: u64) -> Result<LintReport> {
    let (prepared, _, Checked { applied, issues }) = read_checked(migrator, db).await?;
    if !issues.is_empty() {
        return Err(MigrateError::History(issues).into());
    }
    let live = db.live_tables().await?;
    let plan = prepared.plan(&live, applied, migrator.options());
    let mut report = LintReport {
        database: db.id().to_owned(),
        from_version: applied,
        to_version: prepared.target.max(applied),
        versions: plan.versions.iter().map(|v| v.version).collect(),
        plan_errors: plan.errors.iter().map(ToString::to_string).collect(),
        ..LintReport::default()
    };
    let mut candidates = Vec::new();
    let steps = Steps::start(migrator, db, &plan.versions).await?;
    for version in &plan.versions {
        let writes = steps.writes(&prepared, version, &mut report.notes).await;
        candidates.extend(checks::candidates(version, &live, &writes));
    }
    let options = migrator.options();
    let backups = options.backups.is_some() || options.backup_before_destructive.is_some();
    let mut prober = Prober::new(db, budget);
    for candidate in &candidates {
        if let Some(finding) = count(&mut prober, candidate, backups).await? {
            report.findings.push(finding);
        }
    }
    report.acknowledge(|version| prepared.allowed(version));
    report.requests = prober.spent();
    if prober.spent() >= budget && !candidates.is_empty() {
        report.notes.push(format!(
            "the request budget ({budget}) ran out: counts marked \"at least\" or \"not counted\" \
             are incomplete"
        ));
    }
    tracing::info!(
        findings = report.findings.len(),
        requests = report.requests,
        "lint done; nothing written"
    );
    Ok(report)
}

/// Counts the rows of `candidate` and makes its finding.
async fn count(
    prober: &mut Prober<'_>,
    candidate: &Candidate,
    backups: bool,
) -> Result<Option<Finding>> {
    let evidence = prober.run(&candidate.table, &candidate.probe).await?;
    Ok(checks::finding(candidate, evidence, backups))
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

    /// The writes of `version`'s step; a step that stopped is noted (what it would have
    /// written after that point is not seen).
    async fn writes(
        &self,
        prepared: &Prepared,
        version: &VersionPlan,
        notes: &mut Vec<String>,
    ) -> Vec<crate::backend::recording::RecordedWrite> {
        let Some(simulator) = &self.0 else {
            return Vec::new();
        };
        let Some(def) = prepared
            .migrations
            .iter()
            .find(|m| m.version == version.version && version.has_step)
        else {
            return Vec::new();
        };
        let (stopped, writes) = simulator.step_writes(version.version, def).await;
        if let Some(error) = stopped {
            notes.push(format!(
                "version {}'s step stopped when simulated ({error}); drops after that point are \
                 not seen",
                version.version
            ));
        }
        writes
    }
}
