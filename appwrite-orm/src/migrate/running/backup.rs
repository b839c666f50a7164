//! JSONL backups written before a destructive helper runs: one line per row (its system fields
//! and the columns about to be lost), streamed page by page so memory stays constant, in
//! `<dir>/<timestamp>-<table>[-<column>].jsonl`. The line writer is the one of
//! [`crate::backup`].

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::backup::jsonl::JsonlWriter;
use crate::migrate::error::MigrateError;
use crate::query::Query;
use crate::rows::{Pager, Rows};
use crate::{Error, Result};

/// A backup that was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupReport {
    /// The table backed up.
    pub table: String,
    /// The column backed up, `None` for the whole table.
    pub column: Option<String>,
    /// The JSONL file.
    pub path: PathBuf,
    /// Rows written to it.
    pub rows: u64,
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> Error {
    MigrateError::Backup {
        path: path.to_owned(),
        reason: e.to_string(),
    }
    .into()
}

/// A file name that does not exist yet in `dir`.
fn file_in(dir: &Path, table: &str, column: Option<&str>) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
    let base = match column {
        Some(c) => format!("{stamp}-{table}-{c}"),
        None => format!("{stamp}-{table}"),
    };
    let mut path = dir.join(format!("{base}.jsonl"));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = dir.join(format!("{base}-{n}.jsonl"));
    }
    path
}

/// Streams the rows of `rows` (only `$id` and `column` when one is given) into a new JSONL file
/// under `dir`, through the backup module's line writer. Nothing is written to the database.
pub(crate) async fn backup(rows: &Rows, dir: &Path, column: Option<&str>) -> Result<BackupReport> {
    let table = rows.table_id().to_owned();
    let dir_owned = dir.to_owned();
    let path = tokio::task::spawn_blocking({
        let table = table.clone();
        let column = column.map(str::to_owned);
        move || -> Result<PathBuf> {
            std::fs::create_dir_all(&dir_owned).map_err(|e| io_error(&dir_owned, e))?;
            Ok(file_in(&dir_owned, &table, column.as_deref()))
        }
    })
    .await
    .map_err(|e| Error::Internal(format!("backup task failed: {e}")))??;
    let mut writer = JsonlWriter::create(path)
        .await
        .map_err(|e| io_error(dir, e))?;
    let mut queries = Vec::new();
    if let Some(column) = column {
        queries.push(Query::select(["$id", column]));
    }
    let mut pager = Pager::new(rows.clone(), &queries);
    while let Some(page) = pager.next_page().await? {
        writer.write_rows(page, |_| {}).await?;
    }
    let path = writer.path().to_owned();
    let count = writer.lines();
    writer.finish().await.map_err(|e| io_error(&path, e))?;
    tracing::info!(table = %table, column = ?column, rows = count, path = %path.display(), "backup written");
    Ok(BackupReport {
        table,
        column: column.map(str::to_owned),
        path,
        rows: count,
    })
}
