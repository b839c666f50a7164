//! What a migration run did: per version the schema operations, the steps' backfills,
//! conversions and backups, rows touched, duration and requests. `Display` gives a summary for
//! people, `serde` a JSON report for machines.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::migrate::planning::plan::{Extra, OpClass};
use crate::migrate::running::backup::BackupReport;

fn millis<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// How a run ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Versions were applied (or reverted), or the schema reconciled.
    #[default]
    Applied,
    /// The database was already at the binary's version.
    NothingPending,
    /// The run stopped at an error (see [`MigrationReport::errors`]).
    Failed,
}

impl RunStatus {
    /// `applied`, `nothing_pending` or `failed`, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Applied => "applied",
            RunStatus::NothingPending => "nothing_pending",
            RunStatus::Failed => "failed",
        }
    }
}

/// What `migrate()` did. A failed run has one too
/// ([`Migrator::try_run`](crate::migrate::Migrator::try_run)): what it did before the error, with
/// the error.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MigrationReport {
    /// How the run ended.
    pub status: RunStatus,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// When it ended.
    pub finished_at: String,
    /// The machine that ran it ([`MigrateOptions::host`](crate::migrate::MigrateOptions::host)).
    pub host: String,
    /// The backend's name (`embedded`, `http`).
    pub backend: String,
    /// The database id (the connection's, when the run covers several).
    pub database: String,
    /// The version before the run.
    pub from_version: u32,
    /// The version after the run.
    pub to_version: u32,
    /// True when nothing was pending.
    pub nothing_pending: bool,
    /// The versions run, in order (a reconcile entry has `reconcile` set).
    pub versions: Vec<VersionReport>,
    /// Live tables, columns and indexes that nothing declares (kept).
    pub extras: Vec<Extra>,
    /// Things worth a look.
    pub warnings: Vec<String>,
    /// Why the run failed (empty unless [`status`](Self::status) is `failed`).
    pub errors: Vec<String>,
    /// Rows read per table (the history table apart).
    pub rows_read: BTreeMap<String, u64>,
    /// Rows written per table (the history table apart).
    pub rows_written: BTreeMap<String, u64>,
    /// Requests the run made: over HTTP every request sent, retries and polls included.
    pub requests: u64,
    /// How many of [`requests`](Self::requests) repeated an earlier attempt (after a 429, a
    /// 5xx or a dropped connection).
    pub retries: u64,
    /// Requests per backend operation.
    pub requests_by_operation: BTreeMap<String, u64>,
    /// How long the run took.
    #[serde(serialize_with = "millis", rename = "duration_ms")]
    pub duration: Duration,
    /// The owner of an expired lock this run took over (its run crashed or stalled).
    pub took_over_lock: Option<String>,
    /// Each database the run migrated, in the order it ran them: the connection's first, then
    /// the others its tables and migrations name, by id (one entry when nothing names another
    /// database). A database after one that failed is not run and not listed. With several,
    /// the fields above add them up: [`versions`](Self::versions) holds every database's
    /// versions (each says its [`database`](VersionReport::database)), `from_version` and
    /// `to_version` are the connection's database's, and tables, extras, warnings and errors
    /// of another database are named `<database>/<table>` and prefixed `database <id>: `.
    pub databases: Vec<DatabaseReport>,
}

/// What a run did in one database ([`MigrationReport::databases`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DatabaseReport {
    /// The database id.
    pub database: String,
    /// How its part of the run ended.
    pub status: RunStatus,
    /// Its version before the run.
    pub from_version: u32,
    /// Its version after the run.
    pub to_version: u32,
    /// The versions run in it, in order (reconcile entries apart).
    pub versions: Vec<u32>,
    /// The requests its part made.
    pub requests: u64,
    /// True when the run created the database.
    pub created: bool,
}

impl MigrationReport {
    /// The report as JSON.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Rows touched by all versions.
    pub fn rows_touched(&self) -> u64 {
        self.versions.iter().map(|v| v.rows_touched).sum()
    }

    /// The report of one version of the connection's database.
    pub fn version(&self, version: u32) -> Option<&VersionReport> {
        self.version_in(&self.database, version)
    }

    /// The report of one version of `database`.
    pub fn version_in(&self, database: &str, version: u32) -> Option<&VersionReport> {
        self.versions
            .iter()
            .find(|v| v.version == version && !v.reconcile && v.database == database)
    }

    /// What the run did in `database`, when it ran there.
    pub fn database(&self, database: &str) -> Option<&DatabaseReport> {
        self.databases.iter().find(|d| d.database == database)
    }
}

/// What one version did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VersionReport {
    /// The database whose version it is.
    pub database: String,
    /// The version.
    pub version: u32,
    /// Its name.
    pub name: String,
    /// True for schema changes made without a pending version.
    pub reconcile: bool,
    /// True when an earlier attempt had failed or crashed and this run resumed it.
    pub resumed: bool,
    /// How long it took.
    #[serde(serialize_with = "millis", rename = "duration_ms")]
    pub duration: Duration,
    /// Schema operations, in the order they ran (destructive ones come from the steps).
    pub schema: Vec<OpReport>,
    /// True when a migration step ran.
    pub step_ran: bool,
    /// The steps' backfills.
    pub backfills: Vec<BackfillReport>,
    /// The steps' column conversions.
    pub conversions: Vec<ConversionReport>,
    /// Backups written before destructive helpers.
    pub backups: Vec<BackupReport>,
    /// Rows written (defaults, backfills, any write of the steps).
    pub rows_touched: u64,
    /// Rows read per table.
    pub rows_read: BTreeMap<String, u64>,
    /// Rows written per table.
    pub rows_written: BTreeMap<String, u64>,
    /// Requests made by the version.
    pub requests: u64,
    /// Things worth a look.
    pub warnings: Vec<String>,
    /// The lint codes the version allows (`#[migration(allow = "...")]`), recorded in its
    /// history row.
    pub allowed: Vec<String>,
    /// Why the version failed; `None` when it was applied.
    pub error: Option<String>,
}

/// One schema operation that ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpReport {
    /// What it did.
    pub description: String,
    /// Additive, in place or destructive.
    pub class: OpClass,
    /// Why.
    pub reason: String,
    /// Rows written by it, for default fills.
    pub rows: Option<u64>,
}

/// What a backfill did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BackfillReport {
    /// The table.
    pub table: String,
    /// The job's key in the checkpoint (`<n>:<table>`: the n-th helper call of the step).
    pub job: String,
    /// Rows read that matched the filter.
    pub matched: u64,
    /// Rows written.
    pub written: u64,
    /// Rows the closure left unchanged.
    pub skipped: u64,
    /// Pages read.
    pub pages: u64,
    /// Chunk commits tried again after a transient failure (a dropped connection, a 429, a
    /// 5xx, a lost answer), beyond the HTTP client's own retries.
    pub retries: u64,
    /// Chunks read again and redone because a row changed under them (a concurrent write
    /// made their commit fail with `transaction_conflict`).
    pub conflicts: u64,
    /// The row after which this run resumed, when an earlier attempt had stopped part way.
    pub resumed_after: Option<String>,
    /// True when an earlier attempt had finished this job: it was not run again.
    pub already_done: bool,
}

/// A row a conversion could not convert (its new column stays null).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unconvertible {
    /// The row id.
    pub row_id: String,
    /// The value that could not be converted.
    pub value: Value,
    /// Why.
    pub reason: String,
}

/// What `convert_column` did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConversionReport {
    /// The table.
    pub table: String,
    /// The source column.
    pub from: String,
    /// The new column.
    pub to: String,
    /// Rows converted by this run.
    pub converted: u64,
    /// Rows that could not be converted (the first 1,000), read back after the conversion so
    /// that a resumed run lists those of earlier attempts too.
    pub unconvertible: Vec<Unconvertible>,
    /// How many rows could not be converted.
    pub unconvertible_total: u64,
    /// True when the source column does not exist (a fresh database): nothing to convert.
    pub source_missing: bool,
}

impl fmt::Display for MigrationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let several = self.databases.len() > 1;
        if several {
            super::combined::write_several(self, f)?;
        } else {
            self.write_headline(f)?;
        }
        if let Some(owner) = &self.took_over_lock {
            writeln!(f, "  took over the expired lock of {owner}")?;
        }
        if self.retries > 0 {
            writeln!(
                f,
                "  {} of the requests were retries (rate limits, server errors, dropped connections)",
                self.retries
            )?;
        }
        if !several {
            for v in &self.versions {
                write!(f, "{v}")?;
            }
        }
        for w in &self.warnings {
            writeln!(f, "  warning: {w}")?;
        }
        for e in &self.errors {
            writeln!(f, "  error: {e}")?;
        }
        for e in &self.extras {
            writeln!(f, "  note: {e}")?;
        }
        Ok(())
    }
}

impl MigrationReport {
    /// The first line of the report of one database.
    fn write_headline(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.duration.as_millis();
        if self.status == RunStatus::Failed {
            writeln!(
                f,
                "database {:?} ({}): migration FAILED after {ms} ms, {} requests, {} rows \
                 touched; the database is at version {}",
                self.database,
                self.backend,
                self.requests,
                self.rows_touched(),
                self.to_version
            )?;
        } else if self.nothing_pending {
            writeln!(
                f,
                "database {:?} ({}) is at version {}: nothing pending ({} request{}, {ms} ms)",
                self.database,
                self.backend,
                self.to_version,
                self.requests,
                if self.requests == 1 { "" } else { "s" }
            )?;
        } else {
            writeln!(
                f,
                "database {:?} ({}) {} from version {} to {} in {ms} ms, {} requests, {} rows touched",
                self.database,
                self.backend,
                if self.to_version < self.from_version {
                    "reverted"
                } else {
                    "migrated"
                },
                self.from_version,
                self.to_version,
                self.requests,
                self.rows_touched()
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for VersionReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.reconcile {
            writeln!(f, "  schema changes without a new version:")?;
        } else {
            writeln!(
                f,
                "  version {} {:?}{}: {} ms, {} requests, {} rows touched",
                self.version,
                self.name,
                if self.resumed { " (resumed)" } else { "" },
                self.duration.as_millis(),
                self.requests,
                self.rows_touched
            )?;
        }
        if !self.allowed.is_empty() {
            writeln!(f, "    lint allowed: {}", self.allowed.join(", "))?;
        }
        for op in &self.schema {
            write!(f, "    {} [{}]", op.description, op.class)?;
            if let Some(rows) = op.rows {
                write!(f, ": {rows} rows")?;
            }
            writeln!(f, " ({})", op.reason)?;
        }
        for b in &self.backfills {
            if b.already_done {
                writeln!(f, "    backfill {}: done by an earlier attempt", b.table)?;
                continue;
            }
            write!(
                f,
                "    backfill {}: {} rows written, {} left as they were, {} pages",
                b.table, b.written, b.skipped, b.pages
            )?;
            if let Some(after) = &b.resumed_after {
                write!(f, " (resumed after row {after})")?;
            }
            if b.retries > 0 {
                write!(f, ", {} chunk commits retried", b.retries)?;
            }
            if b.conflicts > 0 {
                write!(
                    f,
                    ", {} chunks redone after a concurrent write",
                    b.conflicts
                )?;
            }
            writeln!(f)?;
        }
        for c in &self.conversions {
            if c.source_missing {
                writeln!(
                    f,
                    "    convert {}.{} → {}: no source column, nothing to convert",
                    c.table, c.from, c.to
                )?;
                continue;
            }
            writeln!(
                f,
                "    convert {}.{} → {}: {} converted, {} could not be converted",
                c.table, c.from, c.to, c.converted, c.unconvertible_total
            )?;
            for u in &c.unconvertible {
                writeln!(f, "      row {}: {} ({})", u.row_id, u.value, u.reason)?;
            }
        }
        for b in &self.backups {
            writeln!(
                f,
                "    backup of {}{}: {} rows in {}",
                b.table,
                b.column
                    .as_deref()
                    .map(|c| format!(".{c}"))
                    .unwrap_or_default(),
                b.rows,
                b.path.display()
            )?;
        }
        for w in &self.warnings {
            writeln!(f, "    warning: {w}")?;
        }
        if let Some(e) = &self.error {
            writeln!(f, "    FAILED: {e}")?;
        }
        Ok(())
    }
}

/// A run that stopped at an error: what it did before, and the error
/// ([`Migrator::try_run`](crate::migrate::Migrator::try_run)).
#[derive(Debug)]
pub struct FailedRun {
    /// The report, with status `failed`, the versions run (the failed one last, with its
    /// error) and the error in [`MigrationReport::errors`].
    pub report: MigrationReport,
    /// The error, as [`Migrator::run`](crate::migrate::Migrator::run) returns it.
    pub error: crate::Error,
}

impl fmt::Display for FailedRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for FailedRun {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}
