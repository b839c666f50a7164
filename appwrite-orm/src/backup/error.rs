//! Why a backup or a restore stopped.

use std::path::PathBuf;

/// A backup or restore stopped. Carried by [`Error::Backup`](crate::Error::Backup).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    /// A file could not be created, written or read.
    #[error("backup file {path}: {reason}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        reason: String,
    },
    /// A line of a JSONL file is not a JSON object: the backup is corrupt or truncated.
    #[error("corrupt backup: {path} line {line}: {reason}; nothing after it was restored")]
    CorruptLine {
        /// The JSONL file.
        path: PathBuf,
        /// The line number, from 1.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// `schema.json` is missing, unreadable, or of an unknown format version.
    #[error("corrupt backup: {path}: {reason}")]
    CorruptSchema {
        /// The schema file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A table of the backup already exists and the restore was not asked to replace it.
    #[error(
        "table {table:?} already exists in database {database:?}; restore into an empty database \
         or with `RestoreOptions::replace` (`--replace`) to drop and recreate it"
    )]
    TableExists {
        /// The table id.
        table: String,
        /// The database id.
        database: String,
    },
    /// A chosen table does not exist.
    #[error("table {table:?} does not exist in database {database:?}")]
    NoSuchTable {
        /// The table id.
        table: String,
        /// The database id.
        database: String,
    },
    /// A restored table's columns did not become available in time.
    #[error("table {table:?}: {reason}")]
    NotReady {
        /// The table id.
        table: String,
        /// What was still pending.
        reason: String,
    },
    /// Setting a restored row's links failed. The tables, their rows and their relationship
    /// columns are restored; the links of the rows before it are set, those after it are not.
    #[error(
        "table {table:?}: the links of row {row:?} could not be restored ({linked} row(s) of the \
         table linked before it): {source}"
    )]
    LinkFailed {
        /// The table id.
        table: String,
        /// The row whose links were refused.
        row: String,
        /// Rows of the table whose links were set before it.
        linked: u64,
        /// Why the update was refused.
        #[source]
        source: Box<crate::Error>,
    },
}

/// [`BackupError::NotReady`] for a restored table whose columns did not become available.
pub(super) fn not_ready(table: String, reason: String) -> crate::Error {
    BackupError::NotReady { table, reason }.into()
}

impl From<BackupError> for crate::Error {
    fn from(e: BackupError) -> Self {
        crate::Error::Backup(Box::new(e))
    }
}

pub(crate) fn io(path: &std::path::Path, e: impl std::fmt::Display) -> crate::Error {
    BackupError::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    }
    .into()
}
