//! `schema.json`: what a backup holds (the tables' schemas) and the manifest that describes it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{BackupError, io};
use crate::Result;
use crate::api::Table;
use crate::schema::TableSchema;

/// The format version written into new backups; restore refuses others.
pub const FORMAT_VERSION: u32 = 1;

/// The name of the schema file in a backup directory.
pub const SCHEMA_FILE: &str = "schema.json";

/// What a backup directory holds, as written in `schema.json` next to the tables' schemas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// The format version ([`FORMAT_VERSION`]).
    pub format: u32,
    /// The database the backup was taken from.
    pub database: String,
    /// The backend it was read through (`embedded`, `http`).
    pub backend: String,
    /// When the backup started (RFC 3339, UTC).
    pub started_at: String,
    /// When it was complete.
    pub finished_at: String,
    /// One entry per table, in the order they were written.
    pub tables: Vec<ManifestTable>,
    /// Rows in all tables.
    pub rows: u64,
}

/// One table of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestTable {
    /// The table id.
    pub id: String,
    /// Its JSONL file, relative to the backup directory.
    pub file: String,
    /// Rows written.
    pub rows: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// The content of `schema.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaFile {
    /// Counts, time, source and format.
    pub manifest: Manifest,
    /// Every table's live schema (with its permissions and row security) when it was backed up.
    pub tables: Vec<TableSchema>,
}

/// The declared form of a live table: its available columns and indexes, its permissions and
/// row security.
pub(crate) fn schema_of(live: &Table) -> TableSchema {
    live.to_schema()
}

/// Writes `schema.json` atomically (a temporary file renamed over it).
pub(crate) async fn write(dir: &Path, file: &SchemaFile) -> Result<()> {
    let text = serde_json::to_vec_pretty(file)?;
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || -> Result<()> {
        let tmp = dir.join(format!("{SCHEMA_FILE}.tmp"));
        let path = dir.join(SCHEMA_FILE);
        std::fs::write(&tmp, &text).map_err(|e| io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io(&path, e))
    })
    .await
    .map_err(|e| crate::Error::Internal(format!("backup file task failed: {e}")))?
}

/// Reads and checks `schema.json`.
pub(crate) async fn read(dir: &Path) -> Result<SchemaFile> {
    let path = dir.join(SCHEMA_FILE);
    let p = path.clone();
    let text = tokio::task::spawn_blocking(move || std::fs::read(&p).map_err(|e| io(&p, e)))
        .await
        .map_err(|e| crate::Error::Internal(format!("backup file task failed: {e}")))??;
    let corrupt = |reason: String| BackupError::CorruptSchema {
        path: path.clone(),
        reason,
    };
    let file: SchemaFile = serde_json::from_slice(&text).map_err(|e| corrupt(e.to_string()))?;
    if file.manifest.format != FORMAT_VERSION {
        return Err(corrupt(format!(
            "format version {} is not supported (this library reads {FORMAT_VERSION})",
            file.manifest.format
        ))
        .into());
    }
    for t in &file.manifest.tables {
        if !file.tables.iter().any(|s| s.id == t.id) {
            return Err(corrupt(format!(
                "the manifest lists table {:?} without its schema",
                t.id
            ))
            .into());
        }
        if t.file.contains('/') || t.file.contains('\\') || t.file.starts_with('.') {
            return Err(corrupt(format!(
                "file name {:?} leaves the backup directory",
                t.file
            ))
            .into());
        }
    }
    Ok(file)
}
