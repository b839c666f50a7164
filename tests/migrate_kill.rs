//! SIGKILL of a migrating process at random moments, again and again, then one run to the
//! end: every row is transformed exactly once. The backfill is pipelined (chunks commit out of
//! order), on an embedded database file that outlives each killed process.
//!
//! It takes about half a minute, so it is kept out of the default test run:
//! `cargo test --test migrate_kill -- --ignored` (CI runs it as a step of its own).
//! The killed process is this test binary itself, started again with `KILL_TEST_DB` set,
//! running only [`child_migrates`].

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use appwrite_orm::Database;
use appwrite_orm::backend::Document;
use appwrite_orm::migrate::{MigrateOptions, MigrationDef, Migrator, VersionStatus};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, TableSchema};
use rand::Rng;
use serde_json::{Value, json};

const TABLE: &str = "counters";
const ROWS: u64 = 30_000;
/// Kills that must land in the middle of the walk (rows moved since the last kill).
const MID_RUN_KILLS: usize = 20;

fn v1() -> TableSchema {
    TableSchema::new(TABLE, "Counters").column(ColumnSchema::integer("n").required())
}

fn migrator() -> Migrator {
    let step = MigrationDef::new(2, "count a visit", |m| {
        Box::pin(async move {
            m.rows(TABLE)
                .backfill(vec![], |row| {
                    // Slow enough that a kill lands in the middle of the walk.
                    std::thread::sleep(Duration::from_micros(300));
                    let n = row.get("n")?.as_i64()?;
                    let mut change = Document::new();
                    change.insert("n".into(), json!(n + 1));
                    Some(change)
                })
                .await?;
            Ok(())
        })
    });
    let options = MigrateOptions::default()
        .without_backups()
        .lock_ttl(Duration::from_millis(400))
        .page_size(50)
        .concurrency(8);
    Migrator::new([&v1()], [step]).with_options(options)
}

/// What a killed process runs: migrate the database file named by `KILL_TEST_DB`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "started by sigkill_at_random_moments_loses_and_doubles_nothing"]
async fn child_migrates() {
    let Ok(path) = std::env::var("KILL_TEST_DB") else {
        return;
    };
    let db = Database::embedded(&path).await.unwrap();
    migrator().run(&db).await.unwrap();
}

async fn version_2_applied(path: &std::path::Path) -> bool {
    let db = Database::embedded(path).await.unwrap();
    let status = migrator().status(&db).await.unwrap();
    status
        .history
        .iter()
        .any(|e| e.version == 2 && e.status == VersionStatus::Applied)
}

/// Rows whose `n` is already one more than their number.
async fn transformed(path: &std::path::Path) -> u64 {
    let db = Database::embedded(path).await.unwrap();
    let rows = db.rows(TABLE).query().all().await.unwrap();
    rows.iter()
        .filter(|row| {
            let i: i64 = row.id().trim_start_matches('r').parse().unwrap();
            row.get("n").and_then(Value::as_i64) == Some(i + 1)
        })
        .count() as u64
}

fn spawn_child(path: &std::path::Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_migrates", "--ignored", "--quiet"])
        .env("KILL_TEST_DB", path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "about half a minute: cargo test --test migrate_kill -- --ignored"]
async fn sigkill_at_random_moments_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    {
        let db = Database::embedded(&path).await.unwrap();
        Migrator::new([&v1()], [])
            .with_options(MigrateOptions::default().without_backups())
            .run(&db)
            .await
            .unwrap();
        let docs: Vec<Document> = (0..ROWS)
            .map(|i| {
                json!({"$id": format!("r{i:05}"), "n": i})
                    .as_object()
                    .cloned()
                    .unwrap()
            })
            .collect();
        db.rows(TABLE).insert_many(&docs).await.unwrap();
    }

    let started = Instant::now();
    let mut mid_run = 0;
    let mut trials = 0;
    let mut progress = 0;
    while mid_run < MID_RUN_KILLS {
        assert!(
            trials < 200,
            "the migration finished before {MID_RUN_KILLS} kills landed mid-run ({mid_run} did)"
        );
        trials += 1;
        let mut child = spawn_child(&path);
        // Past the dead run's lock (400 ms) and into the walk, at a random point.
        let delay = rand::rng().random_range(450..900);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        child.kill().unwrap();
        child.wait().unwrap();
        if version_2_applied(&path).await {
            break;
        }
        // A kill counts when it stopped the walk itself: rows moved since the last one, and
        // not all of them are done.
        let done = transformed(&path).await;
        if done > progress && done < ROWS {
            mid_run += 1;
        }
        progress = done;
    }
    let status = spawn_child(&path).wait().unwrap();
    assert!(status.success(), "the last run finishes the migration");
    assert!(version_2_applied(&path).await);

    let db = Database::embedded(&path).await.unwrap();
    let rows = db
        .rows(TABLE)
        .query()
        .with(Query::order_asc("$sequence"))
        .all()
        .await
        .unwrap();
    assert_eq!(rows.len() as u64, ROWS);
    for row in rows {
        let i: i64 = row.id().trim_start_matches('r').parse().unwrap();
        assert_eq!(
            row.get("n").and_then(Value::as_i64),
            Some(i + 1),
            "row {} transformed exactly once",
            row.id()
        );
    }
    let markers = db
        .rows("orm_migrations")
        .query()
        .with(Query::equal("status", [json!("chunk")]))
        .count()
        .await
        .unwrap();
    assert_eq!(
        markers, 0,
        "the killed runs' chunk markers went with the applied version"
    );
    assert!(
        mid_run >= MID_RUN_KILLS,
        "{mid_run} of {trials} kills landed mid-walk"
    );
    eprintln!(
        "{trials} processes killed ({mid_run} in the middle of the walk) in {:.1} s; every row transformed once",
        started.elapsed().as_secs_f64()
    );
}
