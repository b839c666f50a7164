//! Writing a backup: `schema.json` and one JSONL file per table, streamed page by page.

use std::path::Path;
use std::time::Instant;

use super::error::{BackupError, io};
use super::jsonl::JsonlWriter;
use super::manifest::{self, FORMAT_VERSION, Manifest, ManifestTable, SchemaFile};
use super::relations;
use super::{BackupReport, TableReport};
use crate::api::{Document, Table};
use crate::query::Query;
use crate::rows::Pager;
use crate::schema::TableSchema;
use crate::{Database, Result};

/// Keeps a row's columns and the system fields a restore writes back (`$id`, `$permissions`,
/// `$createdAt`, `$updatedAt`); drops `$sequence`, `$databaseId`, `$tableId`.
pub(crate) fn keep_restorable(doc: &mut Document) {
    doc.retain(|k, _| {
        !k.starts_with('$')
            || matches!(
                k.as_str(),
                "$id" | "$permissions" | "$createdAt" | "$updatedAt"
            )
    });
}

async fn chosen(db: &Database, tables: Option<&[String]>) -> Result<Vec<Table>> {
    let Some(ids) = tables else {
        return db.live_tables().await;
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        match db.backend().get_table(db.id(), id).await {
            Ok(t) => out.push(t),
            Err(e) if e.is_not_found() => {
                return Err(BackupError::NoSuchTable {
                    table: id.clone(),
                    database: db.id().to_owned(),
                }
                .into());
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

pub(crate) async fn run(
    db: &Database,
    dir: &Path,
    tables: Option<&[String]>,
) -> Result<BackupReport> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let live = chosen(db, tables).await?;
    let d = dir.to_owned();
    tokio::task::spawn_blocking(move || std::fs::create_dir_all(&d).map_err(|e| io(&d, e)))
        .await
        .map_err(|e| crate::Error::Internal(format!("backup file task failed: {e}")))??;
    let mut report = BackupReport {
        dir: dir.to_owned(),
        tables: Vec::with_capacity(live.len()),
        rows: 0,
        bytes: 0,
        duration: Default::default(),
    };
    let mut entries = Vec::with_capacity(live.len());
    for table in &live {
        let file = format!("{}.jsonl", table.id);
        let schema = manifest::schema_of(table);
        let (rows, bytes) = table_rows(db, &schema, &dir.join(&file)).await?;
        tracing::info!(table = %table.id, rows, bytes, "table backed up");
        report.rows += rows;
        report.bytes += bytes;
        report.tables.push(TableReport {
            table: table.id.clone(),
            rows,
        });
        entries.push(ManifestTable {
            id: table.id.clone(),
            file,
            rows,
            bytes,
        });
    }
    let schema = SchemaFile {
        manifest: Manifest {
            format: FORMAT_VERSION,
            database: db.id().to_owned(),
            backend: db.backend().name().to_owned(),
            started_at,
            finished_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            tables: entries,
            rows: report.rows,
        },
        tables: live.iter().map(manifest::schema_of).collect(),
    };
    // Written last: a directory without `schema.json` is an incomplete backup.
    manifest::write(dir, &schema).await?;
    report.duration = started.elapsed();
    tracing::info!(dir = %dir.display(), rows = report.rows, bytes = report.bytes, "backup written");
    Ok(report)
}

/// Streams one table into `path`; returns rows and bytes. A table with relationship columns
/// is read with a select that brings the related ids of every parent side (reads without one
/// leave to-many sides out), stored as ids; twins are left out (their parents hold the links).
async fn table_rows(db: &Database, schema: &TableSchema, path: &Path) -> Result<(u64, u64)> {
    let mut writer = JsonlWriter::create(path.to_owned()).await?;
    let select: Vec<Query> = relations::link_select(schema).into_iter().collect();
    let mut pager = Pager::new(db.rows(&schema.id), &select);
    while let Some(mut page) = pager.next_page().await? {
        for row in &mut page {
            relations::store_links(schema, &mut row.0);
        }
        writer.write_rows(page, keep_restorable).await?;
    }
    writer.finish().await
}
