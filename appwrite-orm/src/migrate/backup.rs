//! JSONL backups written before a destructive helper runs: one line per row (its system fields
//! and the columns about to be lost), streamed page by page so memory stays constant, in
//! `<dir>/<timestamp>-<table>[-<column>].jsonl`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use serde::Serialize;

use super::error::MigrateError;
use crate::backend::Row;
use crate::query::Query;
use crate::rows::Rows;
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
/// under `dir`. Nothing is written to the database.
pub(crate) async fn backup(rows: &Rows, dir: &Path, column: Option<&str>) -> Result<BackupReport> {
    let table = rows.table_id().to_owned();
    let dir_owned = dir.to_owned();
    let (path, file) = tokio::task::spawn_blocking({
        let table = table.clone();
        let column = column.map(str::to_owned);
        move || -> Result<(PathBuf, File)> {
            std::fs::create_dir_all(&dir_owned).map_err(|e| io_error(&dir_owned, e))?;
            let path = file_in(&dir_owned, &table, column.as_deref());
            let file = File::create_new(&path).map_err(|e| io_error(&path, e))?;
            Ok((path, file))
        }
    })
    .await
    .map_err(|e| Error::Internal(format!("backup task failed: {e}")))??;
    let writer = Arc::new(Mutex::new(BufWriter::new(file)));
    let mut query = rows.query();
    if let Some(column) = column {
        query = query.with(Query::select(["$id", column]));
    }
    let mut stream = Box::pin(query.stream());
    let mut count = 0u64;
    let mut batch: Vec<Row> = Vec::with_capacity(500);
    loop {
        let next = stream.next().await;
        let done = next.is_none();
        if let Some(row) = next {
            batch.push(row?);
        }
        if batch.len() >= 500 || (done && !batch.is_empty()) {
            count += batch.len() as u64;
            let lines = std::mem::take(&mut batch);
            write_lines(Arc::clone(&writer), path.clone(), lines).await?;
        }
        if done {
            break;
        }
    }
    let flush_path = path.clone();
    tokio::task::spawn_blocking(move || -> Result<()> {
        let mut w = writer.lock().unwrap_or_else(|p| p.into_inner());
        w.flush().map_err(|e| io_error(&flush_path, e))?;
        w.get_ref().sync_all().map_err(|e| io_error(&flush_path, e))
    })
    .await
    .map_err(|e| Error::Internal(format!("backup task failed: {e}")))??;
    tracing::info!(table = %table, column = ?column, rows = count, path = %path.display(), "backup written");
    Ok(BackupReport {
        table,
        column: column.map(str::to_owned),
        path,
        rows: count,
    })
}

async fn write_lines(
    writer: Arc<Mutex<BufWriter<File>>>,
    path: PathBuf,
    rows: Vec<Row>,
) -> Result<()> {
    // File writes block; they go to the blocking pool like the embedded engine's SQLite work.
    tokio::task::spawn_blocking(move || -> Result<()> {
        let mut w = writer.lock().unwrap_or_else(|p| p.into_inner());
        for row in rows {
            let line = serde_json::to_string(&row.0)?;
            w.write_all(line.as_bytes())
                .and_then(|()| w.write_all(b"\n"))
                .map_err(|e| io_error(&path, e))?;
        }
        Ok(())
    })
    .await
    .map_err(|e| Error::Internal(format!("backup task failed: {e}")))?
}
