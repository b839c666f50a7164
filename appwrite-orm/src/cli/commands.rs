//! One function per subcommand: call the migrator, print the result, choose the exit code.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::args::Command;
use super::exit::Exit;
use super::progress::{ProgressDisplay, Spinner};
use super::render;
use crate::migrate::{MigrateOptions, Migrator, RevertOptions, VersionState};
use crate::{Database, Error, Result};

/// Where the output goes and in which form.
pub struct Out<'o> {
    /// stdout, or a buffer in tests.
    pub writer: &'o mut dyn Write,
    /// JSON instead of text.
    pub json: bool,
}

impl Out<'_> {
    pub(super) fn text(&mut self, text: &str) -> Result<()> {
        // A closed stdout (a pipe into `head`) is not a failed migration.
        if let Err(e) = self.writer.write_all(text.as_bytes()) {
            tracing::debug!(error = %e, "could not write the output");
        }
        Ok(())
    }

    fn value<T: Serialize>(&mut self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        self.text(&format!("{text}\n"))
    }

    /// The value as JSON, or the text.
    pub(super) fn either<T: Serialize>(
        &mut self,
        value: &T,
        text: impl FnOnce() -> String,
    ) -> Result<()> {
        if self.json {
            self.value(value)
        } else {
            self.text(&text())
        }
    }
}

/// Runs one subcommand.
pub async fn run(
    command: &Command,
    migrator: &Migrator,
    db: &Database,
    out: &mut Out<'_>,
) -> Result<Exit> {
    match command {
        Command::Up {
            to,
            dry_run,
            report,
        } => up(migrator, db, *to, *dry_run, report.as_deref(), out).await,
        Command::Down {
            to,
            drop_schema,
            yes,
        } => {
            let options = RevertOptions::default().drop_schema(*drop_schema);
            down(migrator, db, *to, &options, *yes, out).await
        }
        Command::Status => status(migrator, db, out).await,
        Command::Plan => plan(migrator, db, out).await,
        Command::Verify { lint: false, .. } => verify(migrator, db, out).await,
        Command::Verify { lint: true, budget } => verify_and_lint(migrator, db, *budget, out).await,
        Command::Lint { budget } => lint(migrator, db, *budget, out).await,
        Command::Unlock => unlock(migrator, db, out).await,
        Command::Repair => repair(migrator, db, out).await,
        Command::Baseline { version } => baseline(migrator, db, *version, out).await,
        Command::Backup { dir, tables } => backup(db, dir, tables, out).await,
        Command::Restore {
            dir,
            replace,
            yes,
            in_flight,
        } => {
            let options = crate::backup::RestoreOptions::default()
                .replace(*replace)
                .in_flight(*in_flight);
            restore(db, dir, &options, *yes, out).await
        }
        Command::ExportConfig(export) if export.live => {
            super::export_config::live(export, db, out).await
        }
        Command::ExportConfig(export) => {
            super::export_config::declared(export, migrator, Some(db.id()), out)
        }
    }
}

/// The lint report; exit 2 when it has errors.
async fn lint(migrator: &Migrator, db: &Database, budget: u64, out: &mut Out<'_>) -> Result<Exit> {
    let report = spinning("lint", migrator.lint_with_budget(db, budget)).await?;
    out.either(&report, || report.to_string())?;
    Ok(if report.has_errors() {
        Exit::Drift
    } else {
        Exit::Ok
    })
}

async fn up(
    migrator: &Migrator,
    db: &Database,
    to: Option<u32>,
    dry_run: bool,
    report_file: Option<&Path>,
    out: &mut Out<'_>,
) -> Result<Exit> {
    let migrator = match to {
        Some(n) => migrator
            .clone()
            .with_options(migrator.options().clone().target(n)),
        None => migrator.clone(),
    };
    if dry_run {
        let report = spinning("dry run", migrator.dry_run(db)).await?;
        write_report(report_file, &report)?;
        out.either(&report, || render::dry_run(&report))?;
        return Ok(Exit::Ok);
    }
    let display = ProgressDisplay::stderr();
    let outcome = migrator
        .clone()
        .with_progress(display.clone())
        .try_run(db)
        .await;
    display.finish();
    match outcome {
        Ok(report) => {
            write_report(report_file, &report)?;
            out.either(&report, || format!("{report}\n"))?;
            Ok(Exit::Ok)
        }
        Err(failed) => {
            // The report of a failed run says what was done before the error: written like a
            // successful one, then the error decides the exit code.
            write_report(report_file, &failed.report)?;
            out.either(&failed.report, || format!("{}\n", failed.report))?;
            Err(failed.error)
        }
    }
}

async fn down(
    migrator: &Migrator,
    db: &Database,
    to: u32,
    options: &RevertOptions,
    yes: bool,
    out: &mut Out<'_>,
) -> Result<Exit> {
    if !yes {
        // Without confirmation: show what would happen, change nothing.
        let plan = migrator.revert_plan(db, to).await?;
        let versions: Vec<u32> = plan.versions.iter().map(|v| v.version).collect();
        out.either(
            &serde_json::json!({
                "refused": true,
                "versions": versions,
                "drop_schema": options.drop_schema,
                "plan": plan,
            }),
            || render::revert_plan(&plan, options.drop_schema),
        )?;
        eprintln!("refusing to revert versions {versions:?} without --yes; nothing was changed");
        return Ok(Exit::Usage);
    }
    let display = ProgressDisplay::stderr();
    let report = migrator
        .clone()
        .with_progress(display.clone())
        .revert_with(db, to, options)
        .await;
    display.finish();
    let report = report?;
    out.either(&report, || format!("{report}\n"))?;
    Ok(Exit::Ok)
}

async fn verify(migrator: &Migrator, db: &Database, out: &mut Out<'_>) -> Result<Exit> {
    let verified = verified(migrator, db).await?;
    out.either(&verified.json(), || verified.text())?;
    Ok(verified.exit())
}

/// `verify --lint`: verify, then lint; exit 2 when either finds an error. The JSON is verify's
/// with the lint report under `lint`.
async fn verify_and_lint(
    migrator: &Migrator,
    db: &Database,
    budget: u64,
    out: &mut Out<'_>,
) -> Result<Exit> {
    let verified = verified(migrator, db).await?;
    let report = spinning("lint", migrator.lint_with_budget(db, budget)).await?;
    let exit = if verified.exit() == Exit::Ok && !report.has_errors() {
        Exit::Ok
    } else {
        Exit::Drift
    };
    let mut json = verified.json();
    json["ok"] = serde_json::json!(exit == Exit::Ok);
    json["lint"] = serde_json::to_value(&report)?;
    out.either(&json, || format!("{}{report}", verified.text()))?;
    Ok(exit)
}

/// What `verify` found.
struct Verified {
    /// Where each database stands ("version 3", or "database x at version 3" with several).
    at: Vec<String>,
    problems: Vec<String>,
}

impl Verified {
    fn exit(&self) -> Exit {
        if self.problems.is_empty() {
            Exit::Ok
        } else {
            Exit::Drift
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({ "ok": self.problems.is_empty(), "problems": self.problems })
    }

    fn text(&self) -> String {
        if self.problems.is_empty() {
            return format!("ok: {}, schema as declared\n", self.at.join(", "));
        }
        let mut s = String::from("verify failed:\n");
        for p in &self.problems {
            s.push_str(&format!("  - {p}\n"));
        }
        s
    }
}

/// Pending versions, history issues and schema drift, in words, for every database.
async fn verified(migrator: &Migrator, db: &Database) -> Result<Verified> {
    let status = migrator.status(db).await?;
    let several = !status.other_databases.is_empty();
    let mut verified = Verified {
        at: Vec::new(),
        problems: Vec::new(),
    };
    for one in status.all_databases() {
        let found = verify_problems(one);
        if several {
            // Which database each problem is in.
            let database = &one.database;
            verified.problems.extend(
                found
                    .into_iter()
                    .map(|p| format!("database {database}: {p}")),
            );
            verified
                .at
                .push(format!("database {database} at version {}", one.applied));
        } else {
            verified.problems.extend(found);
            verified.at.push(format!("version {}", one.applied));
        }
    }
    Ok(verified)
}

/// What `verify` finds wrong in one database.
fn verify_problems(status: &crate::migrate::MigrationStatus) -> Vec<String> {
    let mut problems: Vec<String> = status.issues.iter().map(ToString::to_string).collect();
    for line in &status.versions {
        if line.state != VersionState::Applied {
            problems.push(format!(
                "version {} ({}) is {}",
                line.version,
                line.name,
                line.state.as_str()
            ));
        }
    }
    if let Some(plan) = &status.plan {
        for v in plan.versions.iter().filter(|v| v.reconcile) {
            for op in v.before.iter().chain(&v.after) {
                problems.push(format!("the live schema differs: {} is needed", op.op));
            }
        }
        problems.extend(plan.errors.iter().map(ToString::to_string));
    }
    problems
}

async fn status(migrator: &Migrator, db: &Database, out: &mut Out<'_>) -> Result<Exit> {
    let status = migrator.status(db).await?;
    out.either(&render::status_json(&status), || render::status(&status))?;
    Ok(Exit::Ok)
}

async fn plan(migrator: &Migrator, db: &Database, out: &mut Out<'_>) -> Result<Exit> {
    let status = migrator.status(db).await?;
    if status.other_databases.is_empty() {
        out.either(&status.plan, || render::plan(status.plan.as_ref()))?;
    } else {
        let plans: Vec<_> = status
            .all_databases()
            .map(|one| serde_json::json!({ "database": one.database, "plan": one.plan }))
            .collect();
        out.either(&plans, || render::plans(&status))?;
    }
    Ok(Exit::Ok)
}

async fn unlock(migrator: &Migrator, db: &Database, out: &mut Out<'_>) -> Result<Exit> {
    let removed = migrator.force_unlock(db).await?;
    out.either(&serde_json::json!({ "removed": removed }), || {
        if removed {
            "lock removed\n".to_owned()
        } else {
            "no lock was held\n".to_owned()
        }
    })?;
    Ok(Exit::Ok)
}

async fn repair(migrator: &Migrator, db: &Database, out: &mut Out<'_>) -> Result<Exit> {
    let repaired = migrator.repair(db).await?;
    out.either(&serde_json::json!({ "repaired": repaired }), || {
        if repaired.is_empty() {
            "nothing to repair\n".to_owned()
        } else {
            format!("accepted the checksums of versions {repaired:?}\n")
        }
    })?;
    Ok(Exit::Ok)
}

async fn baseline(
    migrator: &Migrator,
    db: &Database,
    version: u32,
    out: &mut Out<'_>,
) -> Result<Exit> {
    let recorded = migrator.baseline(db, version).await?;
    out.either(
        &serde_json::json!({ "version": version, "recorded": recorded }),
        || {
            format!(
                "database adopted at version {version}; recorded as applied: \
                 {recorded:?}\nrun `up` next: it checks the live schema once\n"
            )
        },
    )?;
    Ok(Exit::Ok)
}

async fn backup(db: &Database, dir: &Path, tables: &[String], out: &mut Out<'_>) -> Result<Exit> {
    let only = (!tables.is_empty()).then_some(tables);
    let report = spinning("backing up", crate::backup::backup(db, dir, only)).await?;
    out.either(&report, || {
        format!(
            "backed up {} row(s) of {} table(s) into {} ({} bytes)\n",
            report.rows,
            report.tables.len(),
            report.dir.display(),
            report.bytes
        )
    })?;
    Ok(Exit::Ok)
}

async fn restore(
    db: &Database,
    dir: &Path,
    options: &crate::backup::RestoreOptions,
    yes: bool,
    out: &mut Out<'_>,
) -> Result<Exit> {
    // Replacing drops the tables first: like `down`, it needs an explicit confirmation.
    if options.replace && !yes {
        eprintln!(
            "refusing to drop and recreate the tables of {} without --yes",
            dir.display()
        );
        return Ok(Exit::Usage);
    }
    let report = spinning("restoring", crate::backup::restore_with(db, dir, options)).await?;
    out.either(&report, || {
        let mut text = format!(
            "restored {} row(s) of {} table(s) from {}\n",
            report.rows,
            report.tables.len(),
            report.dir.display()
        );
        if !report.skipped_relationships.is_empty() {
            text.push_str(&format!(
                "not restored (their related table does not exist): {}\n",
                report.skipped_relationships.join(", ")
            ));
        }
        text
    })?;
    Ok(Exit::Ok)
}

/// Awaits `work` with a spinner showing `message` on stderr, cleared before the result is used
/// (printed or reported as an error).
async fn spinning<T>(message: &str, work: impl Future<Output = T>) -> T {
    let progress = Spinner::start(message);
    let result = work.await;
    progress.finish();
    result
}

fn write_report<T: Serialize>(path: Option<&Path>, report: &T) -> Result<()> {
    let Some(path) = path else { return Ok(()) };
    let failed = |e: std::io::Error| Error::Config {
        what: format!("--report {}", path.display()),
        reason: e.to_string(),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    std::fs::write(path, serde_json::to_string_pretty(report)?).map_err(failed)
}

/// Options from the command line's global flags.
pub fn options(base: &MigrateOptions, lock_wait: Option<u64>) -> MigrateOptions {
    let mut options = base.clone();
    if let Some(secs) = lock_wait {
        options = options.lock_wait(std::time::Duration::from_secs(secs));
    }
    options
}
