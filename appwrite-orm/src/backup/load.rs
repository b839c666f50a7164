//! Restoring a backup: tables created from `schema.json`, rows written back 100 at a time
//! (several requests at once when asked), from the JSONL files, read line by line.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::error::BackupError;
use super::jsonl::JsonlReader;
use super::manifest;
use super::{RestoreOptions, RestoreReport, TableReport};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use crate::api::ColumnStatus;
use crate::schema::{TableSchema, limits};
use crate::{Database, Result};

pub(crate) async fn run(
    db: &Database,
    dir: &Path,
    options: &RestoreOptions,
) -> Result<RestoreReport> {
    let started = Instant::now();
    let file = manifest::read(dir).await?;
    // Every table is checked before any is touched.
    let mut existing = Vec::new();
    for entry in &file.manifest.tables {
        match db.backend().get_table(db.id(), &entry.id).await {
            Ok(_) if options.replace => existing.push(entry.id.clone()),
            Ok(_) => {
                return Err(BackupError::TableExists {
                    table: entry.id.clone(),
                    database: db.id().to_owned(),
                }
                .into());
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    for id in &existing {
        tracing::warn!(table = %id, "dropping the table to restore it");
        match db.backend().delete_table(db.id(), id).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    let mut report = RestoreReport {
        dir: dir.to_owned(),
        tables: Vec::with_capacity(file.manifest.tables.len()),
        rows: 0,
        duration: Duration::ZERO,
    };
    for entry in &file.manifest.tables {
        let Some(schema) = file.tables.iter().find(|s| s.id == entry.id) else {
            continue; // checked by `manifest::read`
        };
        create(db, schema, options.poll_timeout).await?;
        let rows = table_rows(db, &entry.id, &dir.join(&entry.file), options.in_flight).await?;
        tracing::info!(table = %entry.id, rows, "table restored");
        report.rows += rows;
        report.tables.push(TableReport {
            table: entry.id.clone(),
            rows,
        });
    }
    report.duration = started.elapsed();
    Ok(report)
}

/// Creates the table with its columns and indexes inline, then polls until every one is
/// `available` (servers that create them one by one answer before they are).
async fn create(db: &Database, schema: &TableSchema, timeout: Duration) -> Result<()> {
    let mut live = db.backend().create_table(db.id(), schema).await?;
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(50);
    loop {
        let pending: Vec<String> = live
            .columns
            .iter()
            .map(|c| (&c.schema.key, c.status, &c.error))
            .chain(
                live.indexes
                    .iter()
                    .map(|i| (&i.schema.key, i.status, &i.error)),
            )
            .filter(|(_, status, _)| *status != ColumnStatus::Available)
            .map(|(key, status, error)| format!("{key} ({}{error})", status.as_str()))
            .collect();
        let failed = live
            .columns
            .iter()
            .map(|c| c.status)
            .chain(live.indexes.iter().map(|i| i.status))
            .any(|s| matches!(s, ColumnStatus::Failed | ColumnStatus::Stuck));
        if pending.is_empty() {
            return Ok(());
        }
        if failed || Instant::now() >= deadline {
            return Err(BackupError::NotReady {
                table: schema.id.clone(),
                reason: format!("not available: {}", pending.join(", ")),
            }
            .into());
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 3 / 2).min(Duration::from_secs(2));
        live = db.backend().get_table(db.id(), &schema.id).await?;
    }
}

/// Writes the rows of one JSONL file in bulk requests of 100, `in_flight` at once, reading
/// the file ahead while they run. When a request fails, those already sent finish and the
/// error says how many rows were written.
async fn table_rows(db: &Database, table: &str, path: &Path, in_flight: usize) -> Result<u64> {
    let mut reader = JsonlReader::open(path.to_owned()).await?;
    let mut running = FuturesUnordered::new();
    let mut written = 0u64;
    let mut lost = 0u64;
    let mut failure = None;
    let mut read_all = false;
    loop {
        while failure.is_none() && !read_all && running.len() < in_flight.max(1) {
            let mut batch = reader.next_batch(limits::MAX_BATCH).await?;
            if batch.is_empty() {
                read_all = true;
                break;
            }
            for doc in &mut batch {
                super::dump::keep_restorable(doc);
            }
            let backend = Arc::clone(db.backend());
            let (database, table) = (db.id().to_owned(), table.to_owned());
            running.push(async move {
                let rows = batch.len() as u64;
                let sent = backend.create_rows(&database, &table, &batch).await;
                (rows, sent)
            });
        }
        match running.next().await {
            Some((rows, Ok(_))) => written += rows,
            Some((rows, Err(e))) => {
                lost += rows;
                failure.get_or_insert(e);
            }
            None => break,
        }
    }
    match failure {
        None => Ok(written),
        Some(e) => Err(crate::Error::Partial {
            completed: usize::try_from(written).unwrap_or(usize::MAX),
            total: usize::try_from(written + lost).unwrap_or(usize::MAX),
            source: Box::new(e),
        }),
    }
}
