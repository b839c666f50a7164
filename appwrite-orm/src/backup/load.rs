//! Restoring a backup: tables created from `schema.json`, rows written back 100 at a time
//! (several requests at once when asked), from the JSONL files, read line by line; then the
//! relationship columns and the rows' links ([`links`](super::links)).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::error::BackupError;
use super::error::not_ready;
use super::jsonl::JsonlReader;
use super::manifest::SchemaFile;
use super::{RestoreOptions, RestoreReport, TableReport};
use super::{links, manifest, relations};
use crate::ready;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use crate::schema::{TableSchema, limits};
use crate::{Database, Result};

pub(crate) async fn run(
    db: &Database,
    dir: &Path,
    options: &RestoreOptions,
) -> Result<RestoreReport> {
    let started = Instant::now();
    let file = manifest::read(dir).await?;
    clear_existing(db, &file, options).await?;
    let mut report = RestoreReport {
        dir: dir.to_owned(),
        tables: Vec::with_capacity(file.manifest.tables.len()),
        rows: 0,
        linked: 0,
        skipped_relationships: Vec::new(),
        duration: Duration::ZERO,
    };
    let mut restored = Vec::with_capacity(file.manifest.tables.len());
    for entry in &file.manifest.tables {
        let Some(schema) = file.tables.iter().find(|s| s.id == entry.id) else {
            continue; // checked by `manifest::read`
        };
        restored.push((schema, dir.join(&entry.file)));
    }
    // Phases 1 and 2: each table without its relationship columns, then its rows in bulk
    // (refused on a table with relationship columns), without their links.
    for (schema, path) in &restored {
        let bare = relations::without_relationships(schema);
        let live = db.backend().create_table(db.id(), &bare).await?;
        ready::wait(db, live, None, options.poll_timeout, not_ready).await?;
        let keys = relations::relationship_keys(schema);
        let rows = table_rows(db, &schema.id, path, &keys, options.in_flight).await?;
        tracing::info!(table = %schema.id, rows, "table restored");
        report.rows += rows;
        report.tables.push(TableReport {
            table: schema.id.clone(),
            rows,
        });
    }
    // Phases 3 and 4: the relationship columns (twins come with their parents), then the
    // links of every row that has any, one request per row.
    let schemas: Vec<&TableSchema> = restored.iter().map(|(s, _)| *s).collect();
    let created = links::create_columns(db, &schemas, options.poll_timeout).await?;
    for (schema, path) in &restored {
        let keys = created.keys_of(&schema.id);
        if !keys.is_empty() {
            report.linked += links::set_links(db, schema, path, keys, options.in_flight).await?;
        }
    }
    report.skipped_relationships = created.skipped;
    report.duration = started.elapsed();
    Ok(report)
}

/// Checks every table of the backup before any is touched: one that exists is refused, or,
/// with [`RestoreOptions::replace`], dropped (with its relationships, twins included).
async fn clear_existing(db: &Database, file: &SchemaFile, options: &RestoreOptions) -> Result<()> {
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
    Ok(())
}

/// Writes the rows of one JSONL file in bulk requests of 100, `in_flight` at once, reading
/// the file ahead while they run. When a request fails, those already sent finish and the
/// error says how many rows were written.
async fn table_rows(
    db: &Database,
    table: &str,
    path: &Path,
    relationship_keys: &[String],
    in_flight: usize,
) -> Result<u64> {
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
                for key in relationship_keys {
                    doc.remove(key);
                }
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
