//! Backups of a database's tables and their exact restore.
//!
//! [`backup`] writes a directory:
//!
//! - `schema.json`: every chosen table's live schema ([`TableSchema`](crate::schema::TableSchema),
//!   with its permissions and row security) and a [`Manifest`] (format version, source
//!   database, start and end time, rows and bytes per table), written last: a directory
//!   without it is an incomplete backup;
//! - `<table>.jsonl`: one row per line, with its columns and the system fields `$id`,
//!   `$permissions`, `$createdAt` and `$updatedAt`. A parent-side relationship column holds
//!   the related ids (a string or `null` on a to-one side, a list on a to-many side: the rows
//!   are read with `select(["*", "key.$id", …])`, since reads without one leave to-many sides
//!   out); a twin (`side: child`) is not stored, its parent holds the same links.
//!
//! Both directions use constant memory whatever a table's size: rows are read a page at a time
//! with cursors and written line by line through a buffered writer; a restore reads the files
//! line by line and writes 100 rows per request.
//!
//! [`restore`] recreates the tables from `schema.json` and writes every row back with its id,
//! values, permissions, timestamps and links, in phases, because Appwrite creates relationship
//! columns only after a table and refuses bulk writes on tables that have any:
//!
//! 1. every table without its relationship columns (columns and indexes inline, then polled
//!    until `available`);
//! 2. its rows in bulk, without their relationship values;
//! 3. the parent-side relationship columns (a two-way one's twin comes with it; twins are
//!    never created on their own), polled until they and their twins are `available`;
//! 4. the links: one update per row that links anything, with its relationship values and its
//!    `$updatedAt` ([`RestoreReport::linked`] counts them).
//!
//! A relationship whose related table is neither in the backup nor in the database is left
//! out, with its links, and listed in [`RestoreReport::skipped_relationships`]. A twin's
//! links come back through its parent: a backup of a table holding a twin, without the table
//! of its parent, restores the table without the twin (dropping the table with
//! [`RestoreOptions::replace`] deletes the relationship, parent included); back up related
//! tables together, as the migration runner's backups do. Old backups (to-one ids, twins
//! included, to-many sides absent) restore their parent-side to-one links.
//!
//! By default it refuses a table that already exists, before touching anything;
//! with [`RestoreOptions::replace`] (the CLI's `--replace`) such tables are dropped and
//! recreated, so that the result is exactly the backup. Tables of the database that are not in
//! the backup are left alone, but for their relationships with a replaced table (dropping a
//! table deletes its relationships on both sides; those the backup holds come back).
//!
//! On the embedded engine and the emulator, setting links changes no other row. Appwrite
//! stores a oneToMany's links in the child rows and a two-way oneToOne's on both sides, and
//! setting them from the parent (utopia-php/database's `updateDocumentRelationships`) updates
//! those related rows, so there their `$updatedAt` may read the restore's time.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use appwrite_orm::Database;
//! use appwrite_orm::schema::{ColumnSchema, TableSchema};
//!
//! let source = Database::in_memory().await?;
//! let notes = TableSchema::new("notes", "Notes").column(ColumnSchema::varchar("text", 100));
//! source.backend().create_table(source.id(), &notes).await?;
//! source.rows("notes").create("n1", serde_json::json!({"text": "hi"}).as_object().unwrap()).await?;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let taken = appwrite_orm::backup::backup(&source, dir.path(), None).await?;
//! assert_eq!(taken.rows, 1);
//!
//! let target = Database::in_memory().await?;
//! let restored = appwrite_orm::backup::restore(&target, dir.path()).await?;
//! assert_eq!(restored.rows, 1);
//! assert_eq!(target.rows("notes").get("n1").await?.unwrap().0["text"], "hi");
//! # Ok::<(), appwrite_orm::Error>(())
//! # }).unwrap();
//! ```

mod dump;
mod error;
pub(crate) mod jsonl;
mod links;
mod load;
mod manifest;
mod relations;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

pub use error::BackupError;
pub use manifest::{FORMAT_VERSION, Manifest, ManifestTable, SCHEMA_FILE, SchemaFile};

use crate::{Database, Result};

/// Rows of one table in a backup or a restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableReport {
    /// The table id.
    pub table: String,
    /// Rows written.
    pub rows: u64,
}

/// What [`backup`] wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackupReport {
    /// The backup directory.
    pub dir: PathBuf,
    /// Rows per table, in the order written.
    pub tables: Vec<TableReport>,
    /// Rows in all tables.
    pub rows: u64,
    /// Bytes of the JSONL files.
    pub bytes: u64,
    /// How long it took.
    pub duration: Duration,
}

/// What [`restore`] wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestoreReport {
    /// The backup directory.
    pub dir: PathBuf,
    /// Rows per table, in the order restored.
    pub tables: Vec<TableReport>,
    /// Rows in all tables.
    pub rows: u64,
    /// Rows whose relationship links were set (one request each).
    pub linked: u64,
    /// Relationship columns left out because their related table exists neither in the backup
    /// nor in the database, as `table.key → related`; their links are not restored.
    pub skipped_relationships: Vec<String>,
    /// How long it took.
    pub duration: Duration,
}

/// Settings of a restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreOptions {
    /// Drop and recreate tables of the backup that already exist (`--replace`); otherwise a
    /// restore refuses them before touching anything.
    pub replace: bool,
    /// How long to wait for recreated columns and indexes to become `available`.
    pub poll_timeout: Duration,
    /// Bulk requests of 100 rows in flight at once. With 1 (the default) rows are created in
    /// the order of the backup, so `$sequence` keeps the source's order; with more, a restore
    /// over a 30 ms link takes about a quarter of the time, and rows keep their order within
    /// each request of 100 but not across them.
    pub in_flight: usize,
}

impl Default for RestoreOptions {
    fn default() -> Self {
        Self {
            replace: false,
            poll_timeout: Duration::from_secs(300),
            in_flight: 1,
        }
    }
}

impl RestoreOptions {
    /// Drops and recreates tables that already exist.
    pub fn replace(mut self, replace: bool) -> Self {
        self.replace = replace;
        self
    }

    /// Sets the bulk requests in flight at once (at least 1); see
    /// [`in_flight`](Self::in_flight).
    pub fn in_flight(mut self, requests: usize) -> Self {
        self.in_flight = requests.max(1);
        self
    }

    /// Sets how long to wait for columns and indexes.
    pub fn poll_timeout(mut self, timeout: Duration) -> Self {
        self.poll_timeout = timeout;
        self
    }
}

/// Backs up `tables` (every table of the database when `None`) into `dir`, which is created
/// when missing; existing backup files in it are never overwritten. See the
/// [module](self) docs for the layout.
pub async fn backup(db: &Database, dir: &Path, tables: Option<&[String]>) -> Result<BackupReport> {
    dump::run(db, dir, tables).await
}

/// Restores the backup in `dir` into `db`, refusing tables that already exist
/// ([`restore_with`] and [`RestoreOptions::replace`] replace them).
pub async fn restore(db: &Database, dir: &Path) -> Result<RestoreReport> {
    restore_with(db, dir, &RestoreOptions::default()).await
}

/// Restores the backup in `dir` into `db` with these settings.
pub async fn restore_with(
    db: &Database,
    dir: &Path,
    options: &RestoreOptions,
) -> Result<RestoreReport> {
    load::run(db, dir, options).await
}
