//! Versioned migrations: `#[migration(version = N)]` steps, `since = N` on tables, columns and
//! indexes, and [`Database::migrate`](crate::Database::migrate) at every boot.
//!
//! ```standalone_crate
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use appwrite_orm::prelude::*;
//!
//! #[derive(Table, Debug, Clone)]
//! #[table(id = "users")]
//! pub struct User {
//!     #[column(id)]
//!     pub id: RowId,
//!     #[column(size = 128)]
//!     pub name: String,
//!     #[column(default = false, since = 2)]
//!     pub is_verified: bool,
//! }
//!
//! #[migration(version = 2, name = "verify staff")]
//! async fn verify_staff(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
//!     m.table::<User>()
//!         .backfill(User::NAME.ends_with(" (staff)"), |_| User::patch().is_verified(true))
//!         .await?;
//!     Ok(())
//! }
//!
//! let db = Database::in_memory().await?;
//! let report = db.migrate().await?;        // creates `users`, runs version 2
//! assert_eq!(report.to_version, 2);
//! let again = db.migrate().await?;         // one request: nothing pending
//! assert!(again.nothing_pending);
//! assert_eq!(again.requests, 1);
//! # Ok::<(), appwrite_orm::Error>(())
//! # }).unwrap();
//! ```
//!
//! # What `migrate()` does
//!
//! 1. Reads the head row of the history table (`orm_migrations`): when it carries the target
//!    version and the fingerprint of what this binary declares, it returns. **A boot with
//!    nothing to do is one request.**
//! 2. Otherwise takes the lock (a row with a fixed id; 409 means held, so it waits; an expired
//!    lock is taken over), reads the history again, and checks it against the binary: an
//!    edited applied migration, an applied version the binary lacks, or a new migration below
//!    the applied version stops the run with what to do.
//! 3. Plans every pending version from the live schema ([`plan`]), then for each version in
//!    order: creates what is new (tables, columns, indexes; several tables at once), applies
//!    the in-place changes Appwrite allows, waits until everything new is `available`, writes
//!    new columns' defaults into existing rows, runs the version's step, makes required
//!    columns required once no row lacks a value, and records the version.
//! 4. Writes the head row and releases the lock.
//!
//! A version that fails is recorded `failed` with the error and its backfills' checkpoint; the
//! next run re-runs it, and backfills continue where they stopped. A run that crashed leaves
//! its version `running` and its lock to expire; the next run takes the lock over and resumes.
//!
//! # Checks, backups and restores
//!
//! A version may declare validation checks ([`MigrationDef::check`], `#[migration(version = N,
//! check = fn_name)]`): they run after its step and schema changes, before it is recorded, and the
//! first that returns an error ([`check_failed`]) fails the version with its name and message. With
//! [`MigrateOptions::backup_before_destructive`] every table is backed up ([`crate::backup`])
//! before each version that runs a step, and the tables a non-additive schema operation changes
//! before a version without one; with [`MigrateOptions::restore_on_failed_check`] a failed check
//! restores that backup (rows, permissions, timestamps and the tables' schema as they were; tables
//! the version created are dropped) and the error says "restored from `<dir>`".
//!
//! A version that fails otherwise (its step, a schema operation) stays as it stopped, and the
//! next run resumes its backfills where they were. With [`MigrateOptions::restore_on_failure`]
//! any failure restores the backup taken before the version instead: every version that changes
//! something is then backed up first (additive schema operations included, under
//! `backup_before_destructive` or else under [`MigrateOptions::backups`]), the history records
//! the version `failed` with its error and "restored from `<dir>`", the error is
//! [`MigrateError::VersionFailed`] around [`MigrateError::Restored`] (which keeps the original
//! error; [`MigrateError::restored_from`] names the backup), and the next attempt starts the
//! version over. It is off by default because a restore rewrites every table of the backup in
//! full, where resuming only finishes the rows left.
//!
//! Nothing is dropped implicitly. What Appwrite cannot change in place (a column's type or
//! array flag, an index) is a plan error that explains the explicit path; destructive helpers
//! ([`Migration::drop_column`], [`Migration::drop_table`]) write a JSONL backup first.
//!
//! # Several databases
//!
//! Tables and migrations may name their database (`#[table(database = "analytics")]`,
//! `#[migration(version = 1, database = "analytics")]`, [`TableSchema::database`],
//! [`MigrationDef::database`]); the others belong to the connection's database. Each database
//! is an independent stream: its own history table and lock in that database, its own versions
//! (version 1 of `analytics` and version 1 of the connection's database are two versions). A
//! run ([`Migrator::by_database`]) takes the connection's database first, then the others by
//! id, each under its own lock, released before the next one is taken; a database that does
//! not exist yet is created (named by its id). A boot with nothing to do is one request per
//! database.
//!
//! Nothing is atomic across databases: a failure stops the run where it happened. The
//! databases before it keep their versions applied and recorded, the failing one records its
//! version `failed` (resumed by the next run, as in one database), and the databases after it
//! are not started (nor created); the report lists what ran, each part in
//! [`MigrationReport::databases`], and a warning names the databases not reached.
//!
//! A step may read and write another database's tables through typed models, which know their
//! database (`m.table::<Event>()`); its backfills are checkpointed in the history of the
//! database the step belongs to, each chunk committed together with its marker (Appwrite's
//! transactions take operations on any database of the project). Since the connection's
//! database runs first, a step there cannot rely on tables another database creates in the
//! same run, and a step's writes into another database are not undone by that database's
//! history: a revert of the step's version runs its `down` step only.
//!
//! Reverting, baselines, repairs, `forget` and lint act on the connection's database; for
//! another database, take its part from [`Migrator::by_database`] and call them on it.
//!
//! [`TableSchema::database`]: crate::schema::TableSchema::database
//!
//! # Reverting
//!
//! [`Migrator::revert_with`] goes back to a version: the applied versions above it, newest
//! first, run their `down` steps and lose their history rows, so the next `migrate()` applies
//! them again. With [`RevertOptions::drop_schema`] what each version added (`since = V`
//! indexes, columns and tables) is dropped too, after a full backup of the tables that lose
//! data; [`Migrator::revert_plan`] says beforehand what would run and what would be dropped.

// Grouped by concern: `planning` is pure (the declarations prepared, the plan, the comparisons
// it rests on, the history checked against the binary); `running` applies versions (the run,
// schema operations, step context and backfills, waits, backups, progress, the dry run);
// `reverting` goes down; `records` is what the database keeps (history, lock, status,
// administration, reports); `lint` counts the rows a plan would break, reading only.
// `migrator` holds every public operation, each handing the work to one of them.
mod error;
pub mod lint;
mod migrator;
mod options;
mod planning;
mod records;
mod registry;
mod reverting;
mod running;
#[cfg(test)]
mod test_support;

pub use planning::plan;
pub use running::{dry_run, progress};

pub use dry_run::{DRY_RUN_SAMPLE, DryRunReport, DryRunVersion};
pub use error::{HistoryIssue, MigrateError};
pub use lint::{Finding, LINT_EXAMPLES, LINT_REQUEST_BUDGET, LintReport, Severity};
pub use migrator::Migrator;
pub use options::{DEFAULT_BACKUP_DIR, DEFAULT_HISTORY_TABLE, MigrateOptions, RevertOptions};
pub use plan::{ColumnRename, OpClass, Plan, PlanError};
pub use planning::versions::{VersionLine, VersionState};
pub use progress::{Direction, LogLines, MigrationProgress, ProgressEvent};
pub use records::history::{HistoryEntry, VersionStatus};
pub use records::report::{
    BackfillReport, ConversionReport, DatabaseReport, FailedRun, MigrationReport, OpReport,
    RunStatus, Unconvertible, VersionReport,
};
pub use records::status::MigrationStatus;
pub use registry::{
    MigrationDef, MigrationRegistration, Step, StepFn, StepFuture, check_failed, checksum_of,
    registered_in, registered_migrations,
};
pub use reverting::revert_plan::{DropOp, PlannedDrop, RevertPlan, RevertVersion};
pub use running::backup::BackupReport;
pub use running::context::{Migration, StepRows, StepTable};
