//! The embedded engine beside plain rusqlite doing the same work, in the same run.
//!
//! `cargo bench -p appwrite-orm --bench embedded` measures three workloads with criterion and then
//! prints, for each, the ratio engine / plain rusqlite of the mean times:
//! - bulk insert of 100,000 rows in requests of 100 (Appwrite's bulk limit), one SQLite
//!   transaction per request on both sides;
//! - an equality lookup on a uniquely indexed column;
//! - a full cursor scan of 100,000 rows, 1,000 rows a page.
//!
//! Set `BENCH_ROWS` to change the row count (e.g. for a quick run).

use std::path::PathBuf;

use appwrite_orm::backend::embedded::EmbeddedBackend;
use appwrite_orm::backend::{Backend, Document, ListOptions};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};
use criterion::{BatchSize, Criterion};
use rusqlite::{Connection, params};
use serde_json::json;
use tokio::runtime::Runtime;

const DB: &str = "bench";
const TABLE: &str = "people";
const BATCH: usize = 100;
const PAGE: u64 = 1_000;

fn row_count() -> usize {
    std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn schema() -> TableSchema {
    TableSchema::new(TABLE, "People")
        .column(ColumnSchema::varchar("name", 64).required())
        .column(ColumnSchema::new("email", appwrite_orm::schema::ColumnKind::Email).required())
        .column(ColumnSchema::integer("age"))
        .column(ColumnSchema::boolean("active"))
        .index(IndexSchema::new("by_email", IndexKind::Unique, ["email"]))
}

fn person(i: usize) -> Document {
    json!({
        "name": format!("Person {i}"),
        "email": format!("person{i}@example.com"),
        "age": (i % 90) as i64,
        "active": i.is_multiple_of(3),
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

async fn engine_with_table() -> EmbeddedBackend {
    let engine = EmbeddedBackend::in_memory().expect("in-memory engine");
    engine.create_database(DB, "Bench").await.expect("database");
    engine.create_table(DB, &schema()).await.expect("table");
    engine
}

async fn engine_insert(engine: &EmbeddedBackend, rows: usize) {
    let docs: Vec<Document> = (0..rows).map(person).collect();
    for chunk in docs.chunks(BATCH) {
        engine
            .create_rows(DB, TABLE, chunk)
            .await
            .expect("bulk insert");
    }
}

/// The table the engine makes for the same schema: system columns, their indexes, one SQL
/// column per Appwrite column, and the unique index.
fn plain_with_table() -> Connection {
    let conn = Connection::open_in_memory().expect("sqlite");
    conn.execute_batch(
        "CREATE TABLE people (seq INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL UNIQUE,
             created TEXT NOT NULL, updated TEXT NOT NULL, perms TEXT NOT NULL,
             name TEXT, email TEXT, age INTEGER, active INTEGER);
         CREATE UNIQUE INDEX people_email ON people (email);
         CREATE INDEX people_created ON people (created);
         CREATE INDEX people_updated ON people (updated);",
    )
    .expect("schema");
    conn
}

fn plain_insert(conn: &mut Connection, rows: usize) {
    for start in (0..rows).step_by(BATCH) {
        let tx = conn.transaction().expect("tx");
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO people (uid, created, updated, perms, name, email, age, active)
                     VALUES (?1, ?2, ?2, '[]', ?3, ?4, ?5, ?6)",
                )
                .expect("prepare");
            for i in start..(start + BATCH).min(rows) {
                stmt.execute(params![
                    format!("{i:020x}"),
                    "2026-01-01T00:00:00.000+00:00",
                    format!("Person {i}"),
                    format!("person{i}@example.com"),
                    (i % 90) as i64,
                    i.is_multiple_of(3),
                ])
                .expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
}

fn bench_insert(c: &mut Criterion, rt: &Runtime, rows: usize) {
    let mut group = c.benchmark_group("bulk_insert");
    group.sample_size(10);
    group.bench_function("engine", |b| {
        b.iter_batched(
            || rt.block_on(engine_with_table()),
            |engine| rt.block_on(engine_insert(&engine, rows)),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("rusqlite", |b| {
        b.iter_batched(
            plain_with_table,
            |mut conn| plain_insert(&mut conn, rows),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn bench_lookup(c: &mut Criterion, rt: &Runtime, rows: usize) {
    let engine = rt.block_on(async {
        let engine = engine_with_table().await;
        engine_insert(&engine, rows).await;
        engine
    });
    let mut conn = plain_with_table();
    plain_insert(&mut conn, rows);
    let mut group = c.benchmark_group("indexed_lookup");
    let mut i = 0usize;
    group.bench_function("engine", |b| {
        b.iter(|| {
            i = (i + 7919) % rows;
            let email = format!("person{i}@example.com");
            let found = rt
                .block_on(engine.list_rows(
                    DB,
                    TABLE,
                    &[Query::equal("email", [email])],
                    &ListOptions {
                        total: false,
                        transaction_id: None,
                    },
                ))
                .expect("lookup");
            assert_eq!(found.items.len(), 1);
        })
    });
    group.bench_function("rusqlite", |b| {
        b.iter(|| {
            i = (i + 7919) % rows;
            let email = format!("person{i}@example.com");
            let mut stmt = conn
                .prepare_cached("SELECT * FROM people WHERE email = ?1 ORDER BY seq LIMIT 25")
                .expect("prepare");
            let n = stmt
                .query_map([email], |r| r.get::<_, String>(1))
                .expect("query")
                .count();
            assert_eq!(n, 1);
        })
    });
    group.finish();

    let mut group = c.benchmark_group("cursor_scan");
    group.sample_size(10);
    group.bench_function("engine", |b| {
        b.iter(|| {
            let seen = rt.block_on(async {
                let mut seen = 0usize;
                let mut cursor: Option<String> = None;
                loop {
                    let mut queries = vec![Query::limit(PAGE)];
                    if let Some(c) = &cursor {
                        queries.push(Query::cursor_after(c.clone()));
                    }
                    let page = engine
                        .list_rows(
                            DB,
                            TABLE,
                            &queries,
                            &ListOptions {
                                total: false,
                                transaction_id: None,
                            },
                        )
                        .await
                        .expect("page");
                    seen += page.items.len();
                    match page.items.last() {
                        Some(last) if page.items.len() as u64 == PAGE => {
                            cursor = Some(last.id().to_owned())
                        }
                        _ => break seen,
                    }
                }
            });
            assert_eq!(seen, rows);
        })
    });
    group.bench_function("rusqlite", |b| {
        b.iter(|| {
            let mut seen = 0usize;
            let mut after = 0i64;
            loop {
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT seq, uid, created, updated, perms, name, email, age, active
                         FROM people WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                    )
                    .expect("prepare");
                // Every column is read, as the engine reads every column of a row.
                let page: Vec<Vec<rusqlite::types::Value>> = stmt
                    .query_map(params![after, PAGE as i64], |r| {
                        (0..9).map(|i| r.get(i)).collect()
                    })
                    .expect("query")
                    .collect::<Result<_, _>>()
                    .expect("rows");
                seen += page.len();
                match page.last().and_then(|row| row.first()) {
                    Some(rusqlite::types::Value::Integer(last)) if page.len() as u64 == PAGE => {
                        after = *last
                    }
                    _ => break,
                }
            }
            assert_eq!(seen, rows);
        })
    });
    group.finish();
}

/// Reads criterion's mean estimate (nanoseconds) of one benchmark from its JSON output.
fn mean_ns(group: &str, function: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = dir
        .join("criterion")
        .join(group)
        .join(function)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

fn main() {
    let rows = row_count();
    let rt = Runtime::new().expect("tokio runtime");
    let mut criterion = Criterion::default().configure_from_args();
    bench_insert(&mut criterion, &rt, rows);
    bench_lookup(&mut criterion, &rt, rows);
    criterion.final_summary();

    println!("\nembedded engine / plain rusqlite ({rows} rows), mean time ratio:");
    for group in ["bulk_insert", "indexed_lookup", "cursor_scan"] {
        match (mean_ns(group, "engine"), mean_ns(group, "rusqlite")) {
            (Some(engine), Some(plain)) if plain > 0.0 => {
                println!("  {group:<16} {:>6.2}x", engine / plain)
            }
            _ => println!("  {group:<16} (no estimate found)"),
        }
    }
}
