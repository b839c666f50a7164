//! [`Migrator`]: the one place where every operation on a database's migrations is found.
//! Each method is short and hands the work to the module that does it: preparation and
//! planning (`planning`), the run and the dry run (`running`), the revert (`reverting`), the
//! history, its lock and the administrative operations on it (`records`).

use std::sync::Arc;

use crate::migrate::lint::{self, LINT_REQUEST_BUDGET, LintReport};
use crate::migrate::planning::databases;
use crate::migrate::planning::prepare::{self, Prepared};
use crate::migrate::records::admin;
use crate::migrate::records::report::{FailedRun, MigrationReport};
use crate::migrate::records::status::{self, MigrationStatus};
use crate::migrate::registry::{MigrationDef, registered_migrations};
use crate::migrate::reverting::revert;
use crate::migrate::reverting::revert_plan::RevertPlan;
use crate::migrate::running::databases as run_databases;
use crate::migrate::running::dry_run::DryRunReport;
use crate::migrate::running::progress::{MigrationProgress, Sink};
use crate::migrate::{MigrateOptions, RevertOptions};
use crate::schema::TableSchema;
use crate::{Database, Result};

/// Runs migrations: a set of declared tables and migrations (a "binary") against databases.
///
/// [`Database::migrate`](crate::Database::migrate) uses [`Migrator::from_registry`]: every
/// `#[derive(Table)]` and `#[migration]` of the binary. Tests build explicit sets to play
/// several versions of an application against one database:
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use appwrite_orm::migrate::{MigrationDef, Migrator};
/// use appwrite_orm::schema::{ColumnSchema, TableSchema};
/// use appwrite_orm::Database;
///
/// let v1 = TableSchema::new("notes", "Notes").column(ColumnSchema::varchar("text", 100));
/// let v2 = v1.clone().column(ColumnSchema::boolean("pinned").default_value(false).since(2));
///
/// let db = Database::in_memory().await?;
/// Migrator::new([&v1], []).run(&db).await?;
/// db.rows("notes").create("n1", serde_json::json!({"text": "hi"}).as_object().unwrap()).await?;
///
/// let report = Migrator::new([&v2], []).run(&db).await?;
/// assert_eq!(report.to_version, 2);
/// assert_eq!(report.versions[0].schema[1].rows, Some(1)); // the default, written into n1
/// # Ok::<(), appwrite_orm::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Migrator {
    tables: Vec<TableSchema>,
    migrations: Vec<MigrationDef>,
    options: MigrateOptions,
    progress: Option<Sink>,
}

impl Migrator {
    /// A migrator for these tables and migrations.
    pub fn new<'t>(
        tables: impl IntoIterator<Item = &'t TableSchema>,
        migrations: impl IntoIterator<Item = MigrationDef>,
    ) -> Self {
        let mut migrations: Vec<MigrationDef> = migrations.into_iter().collect();
        migrations.sort_by(|a, b| (a.version, &a.source).cmp(&(b.version, &b.source)));
        Self {
            tables: tables.into_iter().cloned().collect(),
            migrations,
            options: MigrateOptions::default(),
            progress: None,
        }
    }

    /// Every table and migration registered in this binary.
    pub fn from_registry() -> Self {
        Self::new(crate::model::registered_tables(), registered_migrations())
    }

    /// Uses these settings.
    pub fn with_options(mut self, options: MigrateOptions) -> Self {
        self.options = options;
        self
    }

    /// Reports progress to `sink` while running ([`progress`](crate::migrate::progress)):
    /// [`LogLines`](crate::migrate::LogLines) for plain lines, a closure, or the command
    /// line's progress bars.
    pub fn with_progress(mut self, sink: impl MigrationProgress + 'static) -> Self {
        self.progress = Some(Sink(Arc::new(sink)));
        self
    }

    /// The settings.
    pub fn options(&self) -> &MigrateOptions {
        &self.options
    }

    /// The declared tables.
    pub fn tables(&self) -> &[TableSchema] {
        &self.tables
    }

    /// The migrations, sorted by version.
    pub fn migrations(&self) -> &[MigrationDef] {
        &self.migrations
    }

    /// The progress sink, when there is one.
    pub(crate) fn progress(&self) -> Option<&Sink> {
        self.progress.as_ref()
    }

    /// The binary split by database, through the connection `db`: for each database it
    /// migrates, a handle on it (same backend) and a migrator holding only that database's
    /// tables (their [`database`](TableSchema::database) cleared: it is the part's) and
    /// migrations. The connection's database comes first (tables and migrations
    /// naming no database are its), then the databases the others name, sorted by id: the
    /// order [`run`](Self::run) takes them in. One entry when nothing names another database.
    ///
    /// Each part is an independent stream of versions, with its own history table and lock in
    /// its database; running a part alone (`part.run(&part_db)`) migrates that database only.
    /// The parts of other databases keep their backups in a subdirectory named after their
    /// database.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use appwrite_orm::migrate::Migrator;
    /// use appwrite_orm::schema::TableSchema;
    ///
    /// let users = TableSchema::new("users", "Users");
    /// let events = TableSchema::new("events", "Events").database("analytics");
    /// let db = appwrite_orm::Database::in_memory().await?; // the database "default"
    /// let parts = Migrator::new([&users, &events], []).by_database(&db);
    /// let ids: Vec<&str> = parts.iter().map(|(part_db, _)| part_db.id()).collect();
    /// assert_eq!(ids, ["default", "analytics"]);
    /// assert_eq!(parts[1].1.tables()[0].id, "events");
    /// # Ok::<(), appwrite_orm::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn by_database(&self, db: &Database) -> Vec<(Database, Migrator)> {
        databases::split(&self.tables, &self.migrations, db.id())
            .into_iter()
            .map(|part| {
                let (handle, options) = if part.database == db.id() {
                    (db.clone(), self.options.clone())
                } else {
                    (
                        db.in_database(&part.database),
                        self.options.for_other_database(&part.database),
                    )
                };
                let migrator = Migrator {
                    tables: part.tables,
                    migrations: part.migrations,
                    options,
                    progress: self.progress.clone(),
                };
                (handle, migrator)
            })
            .collect()
    }

    /// The part of the binary in `db`'s own database: what the operations on one history
    /// (revert, baseline, repair, forget, unlock, lint) work on. For another database's, pick
    /// its part from [`by_database`](Self::by_database).
    fn own_part(&self, db: &Database) -> Migrator {
        self.by_database(db)
            .into_iter()
            .next()
            .map(|(_, part)| part)
            .unwrap_or_else(|| self.clone())
    }

    /// Checks the declarations and computes what every operation needs, without any request.
    pub(crate) fn prepare(&self) -> Result<Prepared> {
        prepare::prepare(&self.tables, &self.migrations, &self.options)
    }

    // --- what the binary declares ----------------------------------------------------------

    /// The highest version this binary declares (or the configured target) for the
    /// connection's database: of the tables and migrations that name no database (another
    /// database's: its part in [`by_database`](Self::by_database)).
    pub fn target(&self) -> Result<u32> {
        Ok(self.unnamed_part().prepare()?.target)
    }

    /// The fingerprint the head row of the connection's database carries after a run of this
    /// binary (of the tables and migrations that name no database).
    pub fn fingerprint(&self) -> Result<String> {
        Ok(self.unnamed_part().prepare()?.fingerprint)
    }

    /// The tables and migrations that name no database.
    fn unnamed_part(&self) -> Migrator {
        let mut part = self.clone();
        part.tables.retain(|t| t.database.is_none());
        part.migrations.retain(|m| m.database.is_none());
        part
    }

    // --- going up ------------------------------------------------------------------------------

    /// Applies every pending version (see the [module](crate::migrate) docs). Returns what was
    /// done; a boot with nothing to do makes one request (per database).
    /// [`try_run`](Self::try_run) also gives the report of a run that failed.
    ///
    /// With tables or migrations in several databases, each database is migrated in turn as
    /// its own stream ([`by_database`](Self::by_database)), the connection's first; the run
    /// stops at the first database that fails, and the databases before it stay migrated. The
    /// error is that database's as it came (a lock timeout is still
    /// [`MigrateError::LockTimeout`](crate::migrate::MigrateError::LockTimeout)); the report of
    /// [`try_run`](Self::try_run) names the database in its errors.
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
        run_databases::try_run(self, db).await
    }

    /// What [`run`](Migrator::run) would do, with nothing written: the schema operations of every
    /// pending version with their class, and what each step would write (see the [`dry_run`
    /// module](crate::migrate::running::dry_run) docs for what it cannot see). Stops with the
    /// history's issues when the history does not match the binary, as a run would. The
    /// other databases the binary migrates are in [`DryRunReport::other_databases`]; none is
    /// created.
    pub async fn dry_run(&self, db: &Database) -> Result<DryRunReport> {
        run_databases::dry_run(self, db).await
    }

    /// What the pending versions would break in the data as it is now: duplicates under a
    /// unique index to be created, values a narrowed column refuses, rows lacking a value for a
    /// column becoming required, data a step drops, a step's reads of columns dropped before
    /// it, rows deleted by relationship cascades (see the [`lint`
    /// module](crate::migrate::lint) docs). Reads only: no write of any kind, no lock;
    /// counting spends at most [`LINT_REQUEST_BUDGET`] requests. A history that does not match
    /// the binary is reported as `history-…` error findings (a run would refuse), and the
    /// pending versions are checked all the same. Looks at the
    /// connection's database (another's: its part from [`by_database`](Self::by_database)).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use appwrite_orm::migrate::Migrator;
    /// use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};
    /// use appwrite_orm::Database;
    ///
    /// let v1 = TableSchema::new("users", "Users").column(ColumnSchema::varchar("email", 100));
    /// let v2 = v1.clone().index(IndexSchema::new("by_email", IndexKind::Unique, ["email"]).since(2));
    /// let db = Database::in_memory().await?;
    /// Migrator::new([&v1], []).run(&db).await?;
    /// for id in ["u1", "u2"] {
    ///     let row = serde_json::json!({"email": "a@example.com"});
    ///     db.rows("users").create(id, row.as_object().unwrap()).await?;
    /// }
    ///
    /// let report = Migrator::new([&v2], []).lint(&db).await?;
    /// assert!(report.has_errors());
    /// assert_eq!(report.findings()[0].code(), "unique-duplicates");
    /// assert_eq!(report.findings()[0].rows(), Some(2));
    /// # Ok::<(), appwrite_orm::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn lint(&self, db: &Database) -> Result<LintReport> {
        self.lint_with_budget(db, LINT_REQUEST_BUDGET).await
    }

    /// [`lint`](Self::lint), spending at most `requests` requests on counting rows; counts the
    /// budget stops are lower bounds ("at least N").
    pub async fn lint_with_budget(&self, db: &Database, requests: u64) -> Result<LintReport> {
        lint::lint(&self.own_part(db), db, requests).await
    }

    /// What the database says and what a run would do; writes nothing and takes no lock. The
    /// other databases the binary migrates are in
    /// [`MigrationStatus::other_databases`](crate::migrate::MigrationStatus::other_databases)
    /// (a database that does not exist yet has an empty history and no tables).
    pub async fn status(&self, db: &Database) -> Result<MigrationStatus> {
        status::status_of_all(self, db).await
    }

    // --- going down ----------------------------------------------------------------------------

    /// Reverts the applied versions above `to` with the default [`RevertOptions`]: runs their
    /// `down` steps, newest first, and deletes their history rows; the schema they added is
    /// kept (the report names it). The next `migrate()` applies those versions again unless
    /// the binary no longer declares them.
    pub async fn revert(&self, db: &Database, to: u32) -> Result<MigrationReport> {
        self.revert_with(db, to, &RevertOptions::default()).await
    }

    /// Reverts the applied versions above `to` of the connection's database (another's: call
    /// it on its part from [`by_database`](Self::by_database)), newest first. Every version is
    /// checked first: one
    /// that runs a step without a `down` stops the revert before anything changed
    /// ([`MigrateError::NoDown`](crate::migrate::MigrateError::NoDown)). Then per version: its
    /// `down` step runs (it may move data back out of the version's new columns); with
    /// [`RevertOptions::drop_schema`], what the version added (`since = V` indexes, columns,
    /// tables) and still exists is dropped and awaited until gone; its history row is deleted.
    ///
    /// Right before the revert's first drop, every table that will lose a column or be dropped is
    /// backed up ([`crate::backup::backup`], restorable with [`crate::backup::restore`]) into
    /// `<dir>/revert-to-v<to>-<UTC time>/`, where `<dir>` is
    /// [`MigrateOptions::backup_before_destructive`](crate::migrate::MigrateOptions::backup_before_destructive),
    /// else [`MigrateOptions::backups`](crate::migrate::MigrateOptions::backups); with neither, a
    /// revert that would drop data is refused before anything changed
    /// ([`MigrateError::RevertWithoutBackup`](crate::migrate::MigrateError::RevertWithoutBackup)).
    /// The report lists the drops in each version's `schema` and the backup in its `backups` and
    /// `warnings`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use appwrite_orm::migrate::{Migrator, RevertOptions};
    /// use appwrite_orm::schema::{ColumnSchema, TableSchema};
    /// use appwrite_orm::Database;
    ///
    /// let v2 = TableSchema::new("notes", "Notes")
    ///     .column(ColumnSchema::varchar("text", 100))
    ///     .column(ColumnSchema::integer("rank").since(2));
    /// let dir = tempfile::tempdir().unwrap();
    /// let options = appwrite_orm::migrate::MigrateOptions::default().backups_in(dir.path());
    /// let db = Database::in_memory().await?;
    /// let binary = Migrator::new([&v2], []).with_options(options);
    /// binary.run(&db).await?;
    ///
    /// let plan = binary.revert_plan(&db, 1).await?;
    /// assert_eq!(plan.versions[0].drops[0].op.to_string(), "drop column notes.rank");
    /// let report = binary.revert_with(&db, 1, &RevertOptions::default().drop_schema(true)).await?;
    /// assert_eq!(report.to_version, 1);
    /// let notes = db.backend().get_table(db.id(), "notes").await?;
    /// assert!(notes.column("rank").is_none());
    /// # Ok::<(), appwrite_orm::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn revert_with(
        &self,
        db: &Database,
        to: u32,
        options: &RevertOptions,
    ) -> Result<MigrationReport> {
        revert::revert_with(&self.own_part(db), db, to, options).await
    }

    /// What [`revert_with`](Self::revert_with) to `to` would do, per version newest first:
    /// whether it runs a `down` step or is refused, and the schema it added that exists live
    /// (dropped only with [`RevertOptions::drop_schema`]). Reads the history and the live
    /// schema; takes no lock and writes nothing.
    pub async fn revert_plan(&self, db: &Database, to: u32) -> Result<RevertPlan> {
        revert::revert_plan(&self.own_part(db), db, to).await
    }

    // --- the history ---------------------------------------------------------------------------

    /// Records every version of this binary up to `version` as applied, with its checksum,
    /// without running schema operations or steps, and moves the head row to `version` (the
    /// host column of those rows says `(baseline)`).
    /// Versions the history already has are kept as they are. Returns the versions recorded.
    ///
    /// For a database that already has the schema of `version`: the next
    /// [`run`](Migrator::run) applies only what is above it (and creates whatever of the
    /// declared schema up to `version` is still missing). Refuses a version above the
    /// binary's target.
    pub async fn baseline(&self, db: &Database, version: u32) -> Result<Vec<u32>> {
        admin::baseline(&self.own_part(db), db, version).await
    }

    /// Accepts the checksums of this binary's migrations for versions already applied (after
    /// an edit that does not change what they did). Returns the versions whose checksum was
    /// updated.
    pub async fn repair(&self, db: &Database) -> Result<Vec<u32>> {
        admin::repair(&self.own_part(db), db).await
    }

    /// Deletes the history row of `version` (an applied migration removed from the code on
    /// purpose). Returns whether there was one.
    pub async fn forget(&self, db: &Database, version: u32) -> Result<bool> {
        admin::forget(&self.own_part(db), db, version).await
    }

    /// Removes the lock row whoever holds it, in every database the binary migrates (a run
    /// that is gone may have held any of them). Returns whether there was one. Only for a lock
    /// left by a run known to be gone: a live run would lose it and stop.
    pub async fn force_unlock(&self, db: &Database) -> Result<bool> {
        let mut removed = false;
        for (part_db, part) in self.by_database(db) {
            removed |= admin::force_unlock(&part, &part_db).await?;
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::embedded::EmbeddedBackend;

    fn is_send<T: Send>(_: &T) {}

    #[test]
    fn runs_can_be_spawned() {
        let db = Database::new(Arc::new(EmbeddedBackend::in_memory().unwrap()), "x");
        let migrator = Migrator::new([], []);
        is_send(&migrator.run(&db));
        is_send(&migrator.revert(&db, 0));
        is_send(&migrator.status(&db));
    }
}
