//! Why a migration run stopped, in words that say what to do next.

use std::fmt;
use std::path::PathBuf;

use crate::migrate::planning::plan::PlanError;

/// A migration run stopped. Carried by [`Error::Migrate`](crate::Error::Migrate).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// Two migrations share a version.
    #[error(
        "migration version {version} is defined twice: by {first} and by {second}; \
         give one of them another version"
    )]
    DuplicateVersion {
        /// The version.
        version: u32,
        /// Where the first one is defined.
        first: String,
        /// Where the second one is defined.
        second: String,
    },
    /// Two declared tables share an id.
    #[error(
        "table id {table:?} is declared twice (names {first:?} and {second:?}); table ids must be unique"
    )]
    DuplicateTable {
        /// The table id.
        table: String,
        /// The first table's name.
        first: String,
        /// The second table's name.
        second: String,
    },
    /// A migration has version 0.
    #[error("{source_name} has version 0; versions start at 1")]
    VersionZero {
        /// Where it is defined.
        source_name: String,
    },
    /// A migration allows a lint code that lint does not know (a hand-built
    /// [`MigrationDef::allow`](crate::migrate::MigrationDef::allow); the attribute refuses one at
    /// compile time).
    #[error(
        "{source_name} allows lint code {code:?}, which is not one a migration can allow; \
         the codes are: {}",
        crate::migrate::lint::codes::ALLOWABLE.iter().map(|c| c.code).collect::<Vec<_>>().join(", ")
    )]
    UnknownLintCode {
        /// Where the migration is defined.
        source_name: String,
        /// The code as given.
        code: String,
    },
    /// The history in the database does not match the migrations in this binary.
    #[error("the migration history does not match this binary:\n{}", list(.0))]
    History(Vec<HistoryIssue>),
    /// The declared schema cannot be reached from the live one without an explicit step.
    #[error("the schema cannot be migrated:\n{}", list(.0))]
    Plan(Vec<PlanError>),
    /// A required column still lacks values after the version's steps ran.
    #[error(
        "column {column:?} of table {table:?} is declared required, but {rows} row(s) have no \
         value for it after version {version}; fill it in a step of that version (for example \
         with a backfill on `{column}` being null) or declare the column optional"
    )]
    RequiredMissing {
        /// The version that declares the column required.
        version: u32,
        /// The table id.
        table: String,
        /// The column key.
        column: String,
        /// How many rows hold null.
        rows: u64,
    },
    /// A version failed; its history row says `failed` and the next run resumes it.
    #[error("version {version} ({name}) failed: {source}")]
    VersionFailed {
        /// The version.
        version: u32,
        /// Its name.
        name: String,
        /// What went wrong.
        source: Box<crate::Error>,
    },
    /// Another run held the lock for longer than the configured wait.
    #[error(
        "the migration lock is held by {holder} (expires {expires_at}); waited {waited_secs} s. \
         If that run is gone, its lock expires by itself; `Migrator::force_unlock` removes it now"
    )]
    LockTimeout {
        /// Who holds it (host and run id).
        holder: String,
        /// When it expires unless renewed.
        expires_at: String,
        /// How long this run waited.
        waited_secs: u64,
    },
    /// The lock expired while migrating and another run took it over; this run stopped.
    #[error(
        "the migration lock was lost (its heartbeat could not renew it before it expired); this \
         run stopped so that two runs never migrate at once. Increase `lock_ttl` if the server \
         is slow to answer"
    )]
    LockLost,
    /// A revert asked for a version without a `down` step.
    #[error(
        "version {version} ({name}) has no down migration; add `down = ...` to its #[migration]"
    )]
    NoDown {
        /// The version.
        version: u32,
        /// Its name.
        name: String,
    },
    /// A revert would drop schema (with `drop_schema`) but no backup directory is configured.
    #[error(
        "reverting to version {to} would drop {}, but no backup directory is set: set \
         `MigrateOptions::backup_before_destructive` or `MigrateOptions::backups` so that the \
         tables losing data are backed up first; nothing was changed",
        .drops.join(", ")
    )]
    RevertWithoutBackup {
        /// The version the revert goes back to.
        to: u32,
        /// What would be dropped (`posts.view_count (column)`, ...).
        drops: Vec<String>,
    },
    /// A backup could not be written; nothing was destroyed.
    #[error("could not write the backup {path}: {reason}; nothing was dropped")]
    Backup {
        /// The backup file.
        path: PathBuf,
        /// The I/O error.
        reason: String,
    },
    /// A validation check of a version failed; the version is recorded `failed`.
    #[error("check {check:?} failed: {message}{}", restored_note(.restored.as_deref()))]
    CheckFailed {
        /// The check's name.
        check: String,
        /// What the check said.
        message: String,
        /// The backup restored before failing (`restore_on_failed_check`), if any.
        restored: Option<PathBuf>,
    },
    /// A version failed (its step, a schema operation or a check) and the backup taken before
    /// it was restored ([`MigrateOptions::restore_on_failure`](crate::migrate::MigrateOptions::restore_on_failure)):
    /// the tables hold what they held before the version, and its next attempt starts over.
    /// Carried as the source of [`VersionFailed`](Self::VersionFailed).
    #[error("{source}; restored from {}", .restored.display())]
    Restored {
        /// Why the version failed.
        source: Box<crate::Error>,
        /// The backup restored.
        restored: PathBuf,
    },
    /// A version failed and restoring the backup taken before it failed too: the tables may be
    /// anywhere between the failure and the backup.
    #[error(
        "{source}; restoring the backup in {} failed: {reason}. Restore it by hand before the \
         next run (`backup::restore_with` with `replace`, or the command line's `restore {} \
         --replace --yes`); the next run starts the version over",
        .dir.display(),
        .dir.display()
    )]
    RestoreFailed {
        /// Why the version failed.
        source: Box<crate::Error>,
        /// The backup that could not be restored.
        dir: PathBuf,
        /// Why the restore failed.
        reason: String,
    },
    /// [`MigrateOptions::restore_on_failure`](crate::migrate::MigrateOptions::restore_on_failure)
    /// is set but backups are off: nothing could be restored. Refused before anything runs.
    #[error(
        "`restore_on_failure` needs a backup to restore, but backups are off \
         (`without_backups()` and no `backup_before_destructive`): set \
         `MigrateOptions::backup_before_destructive(dir)` or `backups_in(dir)`, or turn \
         `restore_on_failure` off; nothing was changed"
    )]
    RestoreWithoutBackup,
    /// [`MigrateOptions::lint_before_run`](crate::migrate::MigrateOptions::lint_before_run) is
    /// on and lint found errors: the run was refused before any write (no lock, no history).
    /// The report lists every finding; fix the data or the versions and run again.
    #[error("lint found what would make this run fail or lose data; nothing was written:\n{0}")]
    Lint(Box<crate::migrate::LintReport>),
    /// A step used a helper in a way that cannot work (a conversion into an existing column of
    /// another type, ...).
    #[error("{0}")]
    Step(String),
}

impl MigrateError {
    /// Where the backup restored after a failed version is
    /// ([`MigrateOptions::restore_on_failure`](crate::migrate::MigrateOptions::restore_on_failure),
    /// [`restore_on_failed_check`](crate::migrate::MigrateOptions::restore_on_failed_check)),
    /// looking through [`VersionFailed`](Self::VersionFailed); `None` when nothing was restored.
    pub fn restored_from(&self) -> Option<&std::path::Path> {
        match self {
            MigrateError::Restored { restored, .. } => Some(restored),
            MigrateError::CheckFailed { restored, .. } => restored.as_deref(),
            MigrateError::VersionFailed { source, .. } => source.migrate()?.restored_from(),
            _ => None,
        }
    }
}

fn restored_note(dir: Option<&std::path::Path>) -> String {
    dir.map(|d| format!("; restored from {}", d.display()))
        .unwrap_or_default()
}

/// One way the history disagrees with the binary.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HistoryIssue {
    /// An applied migration's code changed since it ran.
    ChecksumChanged {
        /// The version.
        version: u32,
        /// Its name.
        name: String,
        /// The checksum recorded when it ran (empty: it ran without a step).
        recorded: String,
        /// The checksum of the code now.
        current: String,
        /// Where it is defined.
        source: String,
    },
    /// A version recorded as applied has no migration in this binary.
    Missing {
        /// The version.
        version: u32,
        /// Its recorded name.
        name: String,
        /// When it finished.
        applied_at: String,
    },
    /// A migration of this binary is below the database's version but was never applied.
    OutOfOrder {
        /// The version.
        version: u32,
        /// Its name.
        name: String,
        /// The database's version.
        applied: u32,
    },
}

impl fmt::Display for HistoryIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryIssue::ChecksumChanged {
                version,
                name,
                recorded,
                current,
                source,
            } => {
                let recorded = if recorded.is_empty() {
                    "none (it ran without a step)"
                } else {
                    recorded
                };
                write!(
                    f,
                    "version {version} ({name}) was changed after it was applied: the recorded \
                     checksum is {recorded}, {source} now has {current}. Restore the applied code \
                     and put the change in a new version; or, if the edit does not change what \
                     the migration did (formatting, a comment, a log line), accept it with \
                     `Migrator::repair`"
                )
            }
            HistoryIssue::Missing {
                version,
                name,
                applied_at,
            } => write!(
                f,
                "version {version} ({name}) was applied ({applied_at}) but this binary has no \
                 migration for it: an older binary is running against a newer database, or the \
                 migration was deleted. Deploy the binary that has it; if it was removed on \
                 purpose, `Migrator::forget({version})` deletes its history row"
            ),
            HistoryIssue::OutOfOrder {
                version,
                name,
                applied,
            } => write!(
                f,
                "version {version} ({name}) was never applied, but the database is already at \
                 version {applied}: migrations run in order only. Give it a version above \
                 {applied}"
            ),
        }
    }
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| format!("  - {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl From<MigrateError> for crate::Error {
    fn from(e: MigrateError) -> Self {
        crate::Error::Migrate(Box::new(e))
    }
}

// The accessor lives with the type it returns, so that the crate's error module does not
// reach into this one beyond naming the variant.
impl crate::Error {
    /// The migration error, when this is one.
    pub fn migrate(&self) -> Option<&MigrateError> {
        match self {
            crate::Error::Migrate(e) => Some(e),
            _ => None,
        }
    }
}
