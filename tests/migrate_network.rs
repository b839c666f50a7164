//! Migrations over a real network's troubles, against the emulator: injected faults (429 with
//! `Retry-After`, 503, dropped connections, before and after the write), and an application
//! writing the same rows while a backfill runs.
//!
//! Every backfill here is deliberately not idempotent (`n = n + 1` over every row, no filter
//! that the change makes false), so a row processed twice or skipped shows in the data.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use appwrite_orm::backend::Backend;
use appwrite_orm::backend::Document;
use appwrite_orm::backend::embedded::EmbeddedBackend;
use appwrite_orm::backend::http::{ApiKey, HttpBackend, HttpConfig};
use appwrite_orm::migrate::{MigrateOptions, MigrationDef, Migrator};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, TableSchema};
use appwrite_orm::{Database, Error};
use appwrite_orm_emulator::{EmulatorConfig, spawn_with_backend};
use serde_json::{Value, json};

const TABLE: &str = "counters";

fn v1() -> TableSchema {
    TableSchema::new(TABLE, "Counters").column(ColumnSchema::integer("n").required())
}

fn v2() -> TableSchema {
    v1().column(ColumnSchema::boolean("visited").since(2))
}

/// Version 2: every row's `n` goes up by one, and `visited` is set.
fn increment_every_row() -> MigrationDef {
    MigrationDef::new(2, "count a visit", |m| {
        Box::pin(async move {
            m.rows(TABLE)
                .backfill(vec![], |row| {
                    let n = row.get("n")?.as_i64()?;
                    let mut change = Document::new();
                    change.insert("n".into(), json!(n + 1));
                    change.insert("visited".into(), json!(true));
                    Some(change)
                })
                .await?;
            Ok(())
        })
    })
}

fn options() -> MigrateOptions {
    let mut options = MigrateOptions::default()
        .without_backups()
        .lock_ttl(Duration::from_secs(30))
        .concurrency(4)
        .page_size(40);
    options.poll_start = Duration::from_millis(10);
    options.poll_max = Duration::from_millis(200);
    options
}

/// The engine with version 1 applied and `rows` rows whose `n` is their number.
async fn seeded_engine(rows: u64) -> Arc<dyn Backend> {
    let engine: Arc<dyn Backend> = Arc::new(EmbeddedBackend::in_memory().unwrap());
    let db = Database::ready(Arc::clone(&engine), "app").await.unwrap();
    Migrator::new([&v1()], [])
        .with_options(options())
        .run(&db)
        .await
        .unwrap();
    let docs: Vec<Document> = (0..rows)
        .map(|i| doc(json!({"$id": format!("r{i:05}"), "n": i})))
        .collect();
    db.rows(TABLE).insert_many(&docs).await.unwrap();
    engine
}

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap()
}

fn http_client(endpoint: String, project: &str, key: &str) -> Arc<dyn Backend> {
    let config = HttpConfig::new(endpoint, project, ApiKey::new(key));
    Arc::new(HttpBackend::new(config).unwrap())
}

/// Every row's `n`, read from the engine itself (no faults on the way).
async fn values(engine: &Arc<dyn Backend>) -> Vec<(String, i64)> {
    Database::new(Arc::clone(engine), "app")
        .rows(TABLE)
        .query()
        .with(Query::order_asc("$sequence"))
        .all()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.id().to_owned(),
                r.get("n").and_then(Value::as_i64).unwrap(),
            )
        })
        .collect()
}

fn number(id: &str) -> i64 {
    id.trim_start_matches('r').parse().unwrap()
}

async fn one_run_completes_through_faults(after_write: bool, seed: u64) {
    const ROWS: u64 = 300;
    let engine = seeded_engine(ROWS).await;
    let emulator = spawn_with_backend(
        EmulatorConfig {
            fault_rate: 0.3,
            faults_after_write: after_write,
            seed: Some(seed),
            ..EmulatorConfig::default()
        },
        Arc::clone(&engine),
    )
    .await
    .unwrap();
    let client = http_client(emulator.endpoint(), emulator.project(), emulator.key());
    let db = Database::new(client, "app");
    let report = Migrator::new([&v2()], [increment_every_row()])
        .with_options(options())
        .run(&db)
        .await
        .unwrap_or_else(|e| panic!("one migrate() rides through the faults: {e}"));

    let rows = values(&engine).await;
    assert_eq!(rows.len() as u64, ROWS);
    for (id, n) in &rows {
        assert_eq!(*n, number(id) + 1, "row {id} was transformed exactly once");
    }
    let backfill = &report.version(2).unwrap().backfills[0];
    assert_eq!(backfill.written, ROWS);
    assert!(
        report.retries > 0,
        "a 30% fault rate makes the client retry, and the report says how often"
    );
    assert!(report.requests > report.retries);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_migrate_completes_a_backfill_through_30_percent_faults() {
    one_run_completes_through_faults(false, 11).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_migrate_completes_a_backfill_when_faults_strike_after_the_write() {
    one_run_completes_through_faults(true, 23).await;
}

/// An application adds 1,000 to rows (atomically, with `increment`) while the backfill adds 1
/// to every row: a chunk that read a row before the application's write must not commit its
/// stale value over it. Both writes must show in every row.
async fn a_concurrent_writer_is_neither_lost_nor_overwritten(
    backend: Arc<dyn Backend>,
    engine: Arc<dyn Backend>,
) {
    const ROWS: u64 = 1_200;
    let db = Database::new(Arc::clone(&backend), "app");
    let stop = Arc::new(AtomicBool::new(false));
    let bumps: Arc<Vec<AtomicU64>> = Arc::new((0..ROWS).map(|_| AtomicU64::new(0)).collect());
    let writer = tokio::spawn({
        let (stop, bumps, backend) = (Arc::clone(&stop), Arc::clone(&bumps), Arc::clone(&backend));
        async move {
            let mut i: u64 = 7;
            while !stop.load(Ordering::SeqCst) {
                // Rows spread over the whole table, again and again.
                i = (i + 7_919) % ROWS;
                let id = format!("r{i:05}");
                match backend
                    .increment_row_column("app", TABLE, &id, "n", 1_000.into(), None)
                    .await
                {
                    Ok(_) => {
                        bumps[i as usize].fetch_add(1, Ordering::SeqCst);
                    }
                    Err(e) => panic!("the application's write failed: {e}"),
                }
                tokio::task::yield_now().await;
            }
        }
    });
    let options = options().page_size(99).concurrency(8);
    let report = Migrator::new([&v2()], [increment_every_row()])
        .with_options(options)
        .run(&db)
        .await;
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    let report = report.unwrap();

    let rows = values(&engine).await;
    assert_eq!(rows.len() as u64, ROWS);
    let mut bumped = 0;
    for (id, n) in &rows {
        let i = number(id);
        let times = bumps[i as usize].load(Ordering::SeqCst) as i64;
        bumped += u64::from(times > 0);
        assert_eq!(
            *n,
            i + 1 + 1_000 * times,
            "row {id}: the backfill's +1 once and each of the application's {times} +1000"
        );
    }
    assert!(
        bumped > 50,
        "the application wrote during the backfill ({bumped} rows)"
    );
    let backfill = &report.version(2).unwrap().backfills[0];
    assert!(
        backfill.conflicts > 0,
        "some chunks met the application's writes and were redone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_a_concurrent_writer_is_neither_lost_nor_overwritten() {
    let engine = seeded_engine(1_200).await;
    a_concurrent_writer_is_neither_lost_nor_overwritten(Arc::clone(&engine), engine).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_a_concurrent_writer_is_neither_lost_nor_overwritten() {
    let engine = seeded_engine(1_200).await;
    let emulator = spawn_with_backend(EmulatorConfig::default(), Arc::clone(&engine))
        .await
        .unwrap();
    let client = http_client(emulator.endpoint(), emulator.project(), emulator.key());
    a_concurrent_writer_is_neither_lost_nor_overwritten(client, engine).await;
    emulator.shutdown().await;
}

/// A closure that fails stops the walk after every chunk in flight has finished; the run
/// after it resumes exactly there, with chunks committed out of order in between.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_pipelined_backfill_resumes_where_its_committed_chunks_end() {
    const ROWS: u64 = 2_000;
    let engine = seeded_engine(ROWS).await;
    let db = Database::new(Arc::clone(&engine), "app");
    let armed = Arc::new(AtomicBool::new(true));
    let step = {
        let armed = Arc::clone(&armed);
        MigrationDef::new(2, "count a visit", move |m| {
            let armed = Arc::clone(&armed);
            Box::pin(async move {
                m.rows(TABLE)
                    .try_backfill(vec![], |row| {
                        if armed.load(Ordering::SeqCst) && row.id() == "r01234" {
                            return Err(Error::Internal("stopped at r01234".into()));
                        }
                        let n = row.get("n").and_then(Value::as_i64).unwrap_or_default();
                        Ok(Some(doc(json!({"n": n + 1, "visited": true}))))
                    })
                    .await?;
                Ok(())
            })
        })
    };
    let migrator =
        Migrator::new([&v2()], [step]).with_options(options().page_size(50).concurrency(8));
    let err = migrator.run(&db).await.unwrap_err();
    assert!(err.to_string().contains("stopped at r01234"), "{err}");
    for (id, n) in values(&engine).await {
        let i = number(&id);
        let expected = if i < 1234 { i + 1 } else { i };
        assert_eq!(n, expected, "row {id} after the failure");
    }
    assert_eq!(
        markers_left(&engine).await,
        0,
        "a failed job's progress went into the history row, its markers were deleted"
    );
    armed.store(false, Ordering::SeqCst);
    let report = migrator.run(&db).await.unwrap();
    let backfill = &report.version(2).unwrap().backfills[0];
    assert_eq!(backfill.resumed_after.as_deref(), Some("r01233"));
    assert_eq!(backfill.written, ROWS - 1234);
    for (id, n) in values(&engine).await {
        assert_eq!(n, number(&id) + 1, "row {id} exactly once");
    }
    assert_eq!(
        markers_left(&engine).await,
        0,
        "an applied version leaves no chunk markers"
    );
}

/// Chunk markers in the history table.
async fn markers_left(engine: &Arc<dyn Backend>) -> u64 {
    Database::new(Arc::clone(engine), "app")
        .rows("orm_migrations")
        .query()
        .with(Query::equal("status", [json!("chunk")]))
        .count()
        .await
        .unwrap()
}

/// The report counts what the server received: every request, the polls of columns being
/// created and the retries after injected faults included.
async fn the_report_counts_what_the_server_received(fault_rate: f64) {
    let engine: Arc<dyn Backend> = Arc::new(EmbeddedBackend::in_memory().unwrap());
    let emulator = spawn_with_backend(
        EmulatorConfig {
            column_delay: Duration::from_millis(150),
            fault_rate,
            seed: Some(5),
            ..EmulatorConfig::default()
        },
        Arc::clone(&engine),
    )
    .await
    .unwrap();
    let client = http_client(emulator.endpoint(), emulator.project(), emulator.key());
    // Columns that cannot go inline are created one by one and polled inside create_table.
    let tables: Vec<TableSchema> = (0..3)
        .map(|t| {
            let mut schema = TableSchema::new(format!("t{t}"), format!("Table {t}"));
            for c in 0..6 {
                schema = schema.column(ColumnSchema::varchar(format!("c{c}"), 40));
            }
            schema.index(appwrite_orm::schema::IndexSchema::new(
                "by_c0",
                appwrite_orm::schema::IndexKind::Key,
                ["c0"],
            ))
        })
        .collect();
    let db = Database::ready(client, "app").await.unwrap();
    let before = emulator.requests();
    let report = Migrator::new(tables.iter(), [])
        .with_options(options())
        .run(&db)
        .await
        .unwrap();
    assert_eq!(
        report.requests,
        emulator.requests() - before,
        "the report's count is the server's"
    );
    assert!(
        report.requests > 3 * 7,
        "polls are counted: {}",
        report.requests
    );
    let by_operation: u64 = report.requests_by_operation.values().sum();
    assert_eq!(by_operation, report.requests);
    if fault_rate > 0.0 {
        assert!(report.retries > 0);
    }
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_counts_every_request_polls_included() {
    the_report_counts_what_the_server_received(0.0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_counts_every_request_retries_included() {
    the_report_counts_what_the_server_received(0.2).await;
}
