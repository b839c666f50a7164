//! `restore`: a backup of N rows (taken with `appwrite_orm::backup::backup`) restored into a
//! fresh database by the library (`backup::restore`), against reading the same JSONL file and
//! sending `create_rows` chunks of 100 one at a time.

use std::path::Path;

use appwrite_orm::backend::{Backend, Document};
use appwrite_orm::backup::{self, SCHEMA_FILE, SchemaFile};
use appwrite_orm::rows::BULK_IN_FLIGHT;
use tokio::io::AsyncBufReadExt;

use super::{OURS_DB, Outcome, SEED_DB, Scenario, Settings, start_bulk};
use crate::BenchResult;
use crate::data::{self, TABLE};
use crate::print::{self, count};
use crate::seed_pattern::OneChunkAtATime;

/// The database backed up.
const SOURCE_DB: &str = "source";

/// Runs the scenario.
pub async fn run(settings: &Settings) -> BenchResult<Outcome> {
    let (rows, server) = start_bulk(
        settings,
        "restore",
        "the JSONL file sent as create_rows chunks of 100, one at a time",
    )
    .await?;
    let source = data::database_at_v1(&server, SOURCE_DB).await?;
    data::fill(&source.rows(TABLE), rows).await?;
    // The backup is the input of both sides, taken through the engine: not measured.
    let dir = tempfile::tempdir()?;
    let taken = backup::backup(&source, dir.path(), None).await?;
    println!(
        "backup: {} rows, {} bytes of JSONL",
        count(taken.rows),
        count(taken.bytes)
    );

    let seed_db = server.direct(SEED_DB).await?;
    let ours_db = server.direct(OURS_DB).await?;
    let (_, seed) = server
        .measure(the_baseline(server.http().as_ref(), dir.path()))
        .await?;
    let over_http = server.over_http(OURS_DB);
    let (restored, ours) = server
        .measure(async {
            let options = backup::RestoreOptions::default().in_flight(BULK_IN_FLIGHT);
            Ok(backup::restore_with(&over_http, dir.path(), &options).await?)
        })
        .await?;
    println!(
        "library restore (its report): {} rows",
        count(restored.rows)
    );

    let checks = vec![
        data::check_count("baseline", &seed_db.rows(TABLE), rows).await?,
        data::check_count("appwrite-orm", &ours_db.rows(TABLE), rows).await?,
    ];
    server.shutdown().await;

    print::throughput(
        rows,
        &[
            ("one chunk of 100 at a time", &seed),
            ("appwrite-orm restore, 4 in flight", &ours),
        ],
    );
    Ok(Outcome {
        scenario: Scenario::Restore,
        summary: format!(
            "restore: {} faster than one chunk of 100 at a time",
            print::speedup(&seed, &ours)
        ),
        checks,
    })
}

/// The baseline: every table of the backup created from its schema (columns inline, like the
/// library), then its JSONL file read line by line and sent in chunks of 100, each awaited.
async fn the_baseline(backend: &dyn Backend, dir: &Path) -> BenchResult<u64> {
    let text = tokio::fs::read(dir.join(SCHEMA_FILE)).await?;
    let file: SchemaFile = serde_json::from_slice(&text)?;
    let mut created = 0;
    for entry in &file.manifest.tables {
        let schema = file
            .tables
            .iter()
            .find(|t| t.id == entry.id)
            .ok_or_else(|| format!("no schema for table `{}` in the backup", entry.id))?;
        backend.create_table(SEED_DB, schema).await?;
        let mut writer = OneChunkAtATime::new(backend, SEED_DB, &entry.id);
        let jsonl = tokio::fs::File::open(dir.join(&entry.file)).await?;
        let mut lines = tokio::io::BufReader::new(jsonl).lines();
        while let Some(line) = lines.next_line().await? {
            if line.trim().is_empty() {
                continue;
            }
            writer
                .push(serde_json::from_str::<Document>(&line)?)
                .await?;
        }
        created += writer.finish().await?;
    }
    Ok(created)
}
