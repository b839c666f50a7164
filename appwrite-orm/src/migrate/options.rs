//! Settings of a migration run.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use crate::migrate::planning::plan::ColumnRename;

/// The id of the history table when none is configured (ids may not start with `_`).
pub const DEFAULT_HISTORY_TABLE: &str = "orm_migrations";

/// Where backups of destroyed data go when nothing else is configured.
pub const DEFAULT_BACKUP_DIR: &str = "migration-backups";

/// Settings of a migration run. `MigrateOptions::default()` suits a server booting several
/// replicas; the builder methods change one setting each.
///
/// ```
/// use std::time::Duration;
/// use appwrite_orm::migrate::MigrateOptions;
///
/// let options = MigrateOptions::default()
///     .lock_ttl(Duration::from_secs(120))
///     .backups_in("/var/backups/app")
///     .skip_default_backfill("users", "last_seen");
/// assert_eq!(options.history_table, "orm_migrations");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MigrateOptions {
    /// The table holding the history, the head row and the lock row.
    pub history_table: String,
    /// Stop after this version (default: the highest version the binary declares).
    pub target: Option<u32>,
    /// How long a lock stays valid without a heartbeat. A run that crashed leaves its lock
    /// behind; another run takes it over once it has expired.
    pub lock_ttl: Duration,
    /// How often the lock's expiry is pushed forward while migrating.
    pub heartbeat: Duration,
    /// How long to wait for a lock held by another run before giving up.
    pub lock_wait: Duration,
    /// How long to wait for new columns and indexes to become `available`.
    pub poll_timeout: Duration,
    /// First pause between two polls of a table's columns and indexes.
    pub poll_start: Duration,
    /// Longest pause between two polls (the pause grows by half each time).
    pub poll_max: Duration,
    /// Directory for the JSONL backups written before destructive helpers run; `None` turns
    /// backups off.
    pub backups: Option<PathBuf>,
    /// Tables whose schema changes run at once (changes to one table always run in order:
    /// Appwrite refuses concurrent schema changes on a table).
    pub table_concurrency: usize,
    /// Writes in flight at once in backfills and conversions: page transactions (with
    /// [`transactions`](Self::transactions)) or single-row updates (without). The backfill
    /// reads ahead while they run, so the pipe stays full on a high-latency link.
    pub concurrency: usize,
    /// Rows read per page (and checkpointed together) by backfills and conversions. With
    /// transactions, at most 99: a page's writes and its checkpoint are one transaction, and
    /// Appwrite stages at most 100 operations.
    pub page_size: u64,
    /// Backfills commit each page's writes together with its checkpoint in one transaction
    /// (Appwrite 1.8+): three requests per page instead of one per row, and a page is written
    /// entirely or not at all. Turned off, or on servers without transactions, rows are
    /// written one by one (several at once) and the checkpoint follows each page.
    pub transactions: bool,
    /// `(table, column)` pairs whose default is not written into rows that existed before the
    /// column was added (they keep reading `null` until something writes them).
    pub skip_default_backfill: BTreeSet<(String, String)>,
    /// Recorded in the history and the lock, to tell which machine ran what.
    pub host: String,
    /// Columns renamed in the code: the plan renames them in place (keeping their data)
    /// instead of creating the new key and reporting the old one as an extra. Renames declared
    /// on the columns ([`ColumnSchema::renamed_from`](crate::schema::ColumnSchema::renamed_from),
    /// `#[column(renamed_from = "…")]`) are planned as well; these come first.
    pub renames: Vec<ColumnRename>,
    /// Directory under which a full backup ([`crate::backup`]) is written before each
    /// destructive version, in `<dir>/v<version>-<time>/`. A version is destructive when it
    /// runs a step (a step is code: it may rewrite, convert or drop anything, which the
    /// planner cannot see; every table but the history is backed up) or when its planned
    /// schema operations include one that is not additive (an in-place change such as a
    /// narrowing, a rename; the tables those operations change are backed up). Schema-only
    /// additive versions are not backed up. The tables linked by relationships to a backed-up
    /// table are backed up with it: a restore drops the table, which deletes its relationships
    /// on both sides, and creates them again from the backup with their links.
    pub backup_before_destructive: Option<PathBuf>,
    /// When a validation check fails, restore the backup taken before the version (needs
    /// [`backup_before_destructive`](Self::backup_before_destructive)): its tables are
    /// dropped and recreated from the backup, tables the version created are dropped, and the
    /// version fails with the check's message and "restored from `<dir>`".
    pub restore_on_failed_check: bool,
    /// When a version fails (its step, a schema operation or a check), restore the backup taken
    /// before it: the tables it may have touched are dropped and recreated from the backup
    /// (rows, permissions, timestamps, columns and indexes as they were, so the columns it added
    /// are gone), the tables it created are dropped, the history records the version `failed`
    /// with the error and "restored from `<dir>`", and its next attempt starts over instead of
    /// resuming. Off by default: a failed version then stays as it stopped and the next run
    /// resumes its backfills where they were, because restoring rewrites every table of the
    /// backup in full (for a version with a step, every table but the history), which on large
    /// tables costs far more than finishing the work. A restore also undoes what other clients
    /// wrote to those tables while the version ran: use it when writes are paused during
    /// deploys.
    ///
    /// With it on, every version that changes something is backed up first (the tables its
    /// schema operations change, additive ones included; every table for a step), under
    /// [`backup_before_destructive`](Self::backup_before_destructive), or else under
    /// [`backups`](Self::backups) (by default `migration-backups/`, where the destructive
    /// helpers' backups go: the revert's `drop_schema` uses the same fallback). A restore
    /// needs a backup, so with both off ([`without_backups`](Self::without_backups)) a run
    /// stops before it touches anything with
    /// [`MigrateError::RestoreWithoutBackup`](crate::migrate::MigrateError::RestoreWithoutBackup)
    /// rather than fail a version later with nothing to restore.
    pub restore_on_failure: bool,
    /// Run [`Migrator::lint`](crate::migrate::Migrator::lint) before a run that has something
    /// to do, and refuse the run with
    /// [`MigrateError::Lint`](crate::migrate::MigrateError::Lint) when it reports an error
    /// ([`LintReport::has_errors`](crate::migrate::LintReport::has_errors)), before any write:
    /// no lock, no history table. Warnings do not stop the run; they go into the run report's
    /// warnings. Off by default: it costs lint's counting requests (at most
    /// [`LINT_REQUEST_BUDGET`](crate::migrate::LINT_REQUEST_BUDGET)) and a simulated run of each
    /// pending step before the real one. A boot with nothing pending does not lint.
    pub lint_before_run: bool,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        Self {
            history_table: DEFAULT_HISTORY_TABLE.to_owned(),
            target: None,
            lock_ttl: Duration::from_secs(60),
            heartbeat: Duration::from_secs(15),
            lock_wait: Duration::from_secs(600),
            poll_timeout: Duration::from_secs(300),
            poll_start: Duration::from_millis(50),
            poll_max: Duration::from_secs(2),
            backups: Some(PathBuf::from(DEFAULT_BACKUP_DIR)),
            table_concurrency: 4,
            concurrency: 12,
            page_size: 99,
            transactions: true,
            skip_default_backfill: BTreeSet::new(),
            host: host_name(),
            renames: Vec::new(),
            backup_before_destructive: None,
            restore_on_failed_check: false,
            restore_on_failure: false,
            lint_before_run: false,
        }
    }
}

impl MigrateOptions {
    /// The settings for the part of a run in `database`, a database other than the
    /// connection's: the same, with backups in a subdirectory named after it, so that the
    /// backups of two databases' tables with the same id never meet.
    pub(crate) fn for_other_database(&self, database: &str) -> Self {
        let mut options = self.clone();
        options.backups = options.backups.map(|dir| dir.join(database));
        options.backup_before_destructive = options
            .backup_before_destructive
            .map(|dir| dir.join(database));
        options
    }

    /// Stops after `version` (in each database, when the binary migrates several).
    pub fn target(mut self, version: u32) -> Self {
        self.target = Some(version);
        self
    }

    /// Uses another history table.
    pub fn history_table(mut self, id: impl Into<String>) -> Self {
        self.history_table = id.into();
        self
    }

    /// Sets the lock's time to live; the heartbeat becomes a quarter of it.
    pub fn lock_ttl(mut self, ttl: Duration) -> Self {
        self.lock_ttl = ttl;
        self.heartbeat = ttl / 4;
        self
    }

    /// Sets how long to wait for another run's lock.
    pub fn lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// Sets how long to wait for columns and indexes to become available.
    pub fn poll_timeout(mut self, timeout: Duration) -> Self {
        self.poll_timeout = timeout;
        self
    }

    /// Writes backups under `dir`.
    pub fn backups_in(mut self, dir: impl Into<PathBuf>) -> Self {
        self.backups = Some(dir.into());
        self
    }

    /// Destructive helpers run without writing a backup first.
    pub fn without_backups(mut self) -> Self {
        self.backups = None;
        self
    }

    /// Rows per page in backfills and conversions.
    pub fn page_size(mut self, rows: u64) -> Self {
        self.page_size = rows.max(1);
        self
    }

    /// Rows a backfill reads per request when it writes through transactions: enough for
    /// every chunk in flight (`page_size` changes each, at most 99) and at most 1,000.
    ///
    /// ```
    /// use appwrite_orm::migrate::MigrateOptions;
    ///
    /// assert_eq!(MigrateOptions::default().read_page_rows(), 1_000);
    /// assert_eq!(MigrateOptions::default().concurrency(8).read_page_rows(), 792);
    /// assert_eq!(MigrateOptions::default().concurrency(16).read_page_rows(), 1_000);
    /// ```
    pub fn read_page_rows(&self) -> u64 {
        let chunk = self
            .page_size
            .clamp(1, crate::schema::limits::MAX_BATCH as u64 - 1);
        (chunk * self.concurrency.max(1) as u64).min(1_000)
    }

    /// Writes in flight at once in backfills and conversions (at least 1).
    pub fn concurrency(mut self, writes: usize) -> Self {
        self.concurrency = writes.max(1);
        self
    }

    /// Backfills write row by row instead of one transaction per page.
    pub fn without_transactions(mut self) -> Self {
        self.transactions = false;
        self
    }

    /// Declares that column `from` of `table` is now declared as `to`: where the database
    /// still has `from`, the plan renames it in place (Appwrite keeps the data and rewrites the
    /// indexes that use it) before the version that needs `to`. The same as
    /// `#[column(renamed_from = "from")]` on the field of `to`, which the compiler checks; a
    /// rename given both ways is planned once.
    pub fn rename_column(mut self, table: &str, from: &str, to: &str) -> Self {
        self.renames.push(ColumnRename {
            table: table.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
        });
        self
    }

    /// Backs up the tables a destructive version may damage under `dir` before it runs; see
    /// [`backup_before_destructive`](Self::backup_before_destructive) for what counts as
    /// destructive and what is backed up.
    pub fn backup_before_destructive(mut self, dir: impl Into<PathBuf>) -> Self {
        self.backup_before_destructive = Some(dir.into());
        self
    }

    /// Restores the backup taken before a version when one of its checks fails.
    pub fn restore_on_failed_check(mut self, restore: bool) -> Self {
        self.restore_on_failed_check = restore;
        self
    }

    /// Restores the backup taken before a version when the version fails, whatever failed
    /// (its step, a schema operation, a check); see
    /// [`restore_on_failure`](Self::restore_on_failure) for the cost and where the backup goes.
    ///
    /// ```
    /// use appwrite_orm::migrate::MigrateOptions;
    ///
    /// let options = MigrateOptions::default()
    ///     .backup_before_destructive("/var/backups/app")
    ///     .restore_on_failure(true);
    /// assert!(options.restore_on_failure);
    /// assert!(!MigrateOptions::default().restore_on_failure);
    /// ```
    pub fn restore_on_failure(mut self, restore: bool) -> Self {
        self.restore_on_failure = restore;
        self
    }

    /// Sets [`lint_before_run`](Self::lint_before_run): lint first, and refuse a run that
    /// lint says would fail or lose data, before it writes anything.
    ///
    /// ```
    /// use appwrite_orm::migrate::MigrateOptions;
    ///
    /// assert!(MigrateOptions::default().lint_before_run(true).lint_before_run);
    /// assert!(!MigrateOptions::default().lint_before_run);
    /// ```
    pub fn lint_before_run(mut self, lint: bool) -> Self {
        self.lint_before_run = lint;
        self
    }

    /// Leaves rows that existed before `table.column` was added at `null` instead of writing
    /// the column's default into them.
    pub fn skip_default_backfill(mut self, table: &str, column: &str) -> Self {
        self.skip_default_backfill
            .insert((table.to_owned(), column.to_owned()));
        self
    }
}

/// Settings of a revert ([`Migrator::revert_with`](crate::migrate::Migrator::revert_with)).
///
/// ```
/// use appwrite_orm::migrate::RevertOptions;
///
/// let options = RevertOptions::default().drop_schema(true);
/// assert!(options.drop_schema);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevertOptions {
    /// Also drop what each reverted version added to the schema (its `since = V` tables,
    /// columns and indexes that still exist after its down step), after a full backup of the
    /// tables that lose data. Off: those additions are kept and the report names them.
    pub drop_schema: bool,
}

impl RevertOptions {
    /// Drops (or keeps) the reverted versions' schema additions.
    pub fn drop_schema(mut self, drop: bool) -> Self {
        self.drop_schema = drop;
        self
    }
}

/// The machine's name, for the history; `HOSTNAME`, then `/etc/hostname`, then `unknown`.
fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}
