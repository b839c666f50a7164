//! `schema`: 5 tables of 12 columns and 3 indexes each, on an empty database, with a server
//! that keeps new columns and indexes `processing` for a while (the emulator's column delay).
//!
//! - The seed pattern: one request at a time; each table created empty, then each column
//!   created and polled every second until `available` before the next, then each index the
//!   same way.
//! - appwrite-orm: `migrate()` of version 1 declaring the 5 tables, on a fresh database.

use std::time::Duration;

use appwrite_orm::Database;
use appwrite_orm::backend::{Backend, ColumnStatus};
use appwrite_orm::migrate::{MigrateOptions, Migrator};
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};

use super::{Check, OURS_DB, Outcome, SEED_DB, Scenario, Settings};
use crate::harness::Server;
use crate::print::{self, Table, count};
use crate::{BenchResult, seed_pattern};

const TABLES: usize = 5;
const COLUMNS: usize = 12;
const INDEXES: usize = 3;

/// The declared tables: `t1`..`t5`, columns `c01`..`c12` of the common kinds, and three
/// indexes (two plain, one unique).
pub fn tables() -> Vec<TableSchema> {
    (1..=TABLES)
        .map(|t| {
            let mut table = TableSchema::new(format!("t{t}"), format!("Table {t}"));
            for c in 1..=COLUMNS {
                let key = format!("c{c:02}");
                table = table.column(match c % 5 {
                    0 => ColumnSchema::datetime(key),
                    1 => ColumnSchema::varchar(key, 64),
                    2 => ColumnSchema::integer(key),
                    3 => ColumnSchema::float(key),
                    _ => ColumnSchema::boolean(key),
                });
            }
            table
                .index(IndexSchema::new("by_c01", IndexKind::Key, ["c01"]))
                .index(IndexSchema::new(
                    "by_c02_c03",
                    IndexKind::Key,
                    ["c02", "c03"],
                ))
                .index(IndexSchema::new("unique_c06", IndexKind::Unique, ["c06"]))
        })
        .collect()
}

/// Runs the scenario.
pub async fn run(settings: &Settings) -> BenchResult<Outcome> {
    let latency = settings.latency();
    // Quick runs keep no delay: the seed pattern then finds every column available at its
    // first poll instead of sleeping a second per column.
    let delay = Duration::from_millis(
        settings
            .column_delay_ms
            .unwrap_or_else(|| settings.sized(200, 0)),
    );
    print::header(
        "schema",
        &[
            (
                "tables",
                format!("{TABLES} x {COLUMNS} columns x {INDEXES} indexes"),
            ),
            ("latency", format!("{} ms", latency.as_millis())),
            ("column delay", format!("{} ms", delay.as_millis())),
            (
                "concurrency",
                format!(
                    "seed pattern 1, appwrite-orm {} tables at once (library default)",
                    MigrateOptions::default().table_concurrency
                ),
            ),
            (
                "seed pattern",
                format!(
                    "one request at a time, polls every {} s",
                    seed_pattern::POLL_INTERVAL.as_secs()
                ),
            ),
        ],
    );

    let tables = tables();
    let server = Server::start(latency, delay).await?;
    let seed_db = server.direct(SEED_DB).await?;
    let ours_db = server.direct(OURS_DB).await?;

    let ((), seed) = server
        .measure(the_seed_pattern(server.http().as_ref(), &tables))
        .await?;
    let over_http = server.over_http(OURS_DB);
    let migrator = Migrator::new(&tables, []);
    let (report, ours) = server
        .measure(async { Ok(migrator.run(&over_http).await?) })
        .await?;

    let expected = (TABLES * (COLUMNS + INDEXES)) as u64;
    let checks = vec![
        Check::new(
            "seed pattern: columns and indexes available",
            expected,
            available(&seed_db, &tables).await?,
        ),
        Check::new(
            "appwrite-orm: columns and indexes available",
            expected,
            available(&ours_db, &tables).await?,
        ),
    ];
    server.shutdown().await;

    let mut table = Table::new(&["", "seconds", "server requests", "report requests"]);
    table
        .row(vec![
            "seed pattern".into(),
            print::seconds(seed.seconds),
            count(seed.requests),
            "-".into(),
        ])
        .row(vec![
            "appwrite-orm migrate()".into(),
            print::seconds(ours.seconds),
            count(ours.requests),
            count(report.requests),
        ]);
    table.print();
    Ok(Outcome {
        scenario: Scenario::Schema,
        summary: format!(
            "schema: {} faster than the seed pattern ({} vs {} requests)",
            print::speedup(&seed, &ours),
            count(ours.requests),
            count(seed.requests)
        ),
        checks,
    })
}

/// The seed pattern: every table, column and index in order, one request at a time.
async fn the_seed_pattern(backend: &dyn Backend, tables: &[TableSchema]) -> BenchResult<()> {
    for table in tables {
        backend
            .create_table(SEED_DB, &TableSchema::new(&table.id, &table.name))
            .await?;
        for column in &table.columns {
            seed_pattern::create_column_and_wait(backend, SEED_DB, &table.id, column).await?;
        }
        for index in &table.indexes {
            seed_pattern::create_index_and_wait(backend, SEED_DB, &table.id, index).await?;
        }
    }
    Ok(())
}

/// The declared columns and indexes that are live and `available` in `db`.
async fn available(db: &Database, tables: &[TableSchema]) -> BenchResult<u64> {
    let mut n = 0u64;
    for declared in tables {
        let live = db.backend().get_table(db.id(), &declared.id).await?;
        let columns = declared.columns.iter().filter(|c| {
            live.column(&c.key)
                .is_some_and(|l| l.status == ColumnStatus::Available)
        });
        let indexes = declared.indexes.iter().filter(|i| {
            live.index(&i.key)
                .is_some_and(|l| l.status == ColumnStatus::Available)
        });
        n += (columns.count() + indexes.count()) as u64;
    }
    Ok(n)
}
