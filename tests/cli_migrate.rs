//! The migration command line driven in process (`appwrite_orm::cli::execute`): argument
//! parsing, exit codes, `status` after failed, edited and missing versions, `baseline`.

mod migrate_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use appwrite_orm::backend::Document;
use appwrite_orm::cli::{self, Exit};
use appwrite_orm::migrate::{MigrateError, MigrationDef, Migrator, VersionState};
use appwrite_orm::schema::{ColumnSchema, TableSchema};
use appwrite_orm::{Database, Error};
use migrate_support::{Fixture, Kind};
use serde_json::{Value, json};

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

fn notes_v1() -> TableSchema {
    TableSchema::new("notes", "Notes").column(ColumnSchema::varchar("text", 100).required())
}

fn notes_v2() -> TableSchema {
    notes_v1().column(ColumnSchema::integer("rank").default_value(0).since(2))
}

fn counting(version: u32, runs: Arc<AtomicUsize>) -> MigrationDef {
    MigrationDef::new(version, format!("step {version}"), move |_m| {
        let runs = Arc::clone(&runs);
        Box::pin(async move {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    })
}

fn noop(version: u32) -> MigrationDef {
    counting(version, Arc::new(AtomicUsize::new(0)))
}

/// Runs a command line; returns the exit and stdout.
async fn cli(args: &[&str], migrator: &Migrator, db: &Database) -> (Exit, String) {
    let mut out = Vec::new();
    let argv = std::iter::once("migrate").chain(args.iter().copied());
    let exit = cli::execute(argv, migrator, Some(db), &mut out).await;
    (exit, String::from_utf8_lossy(&out).into_owned())
}

#[test]
fn exit_codes_are_documented_values() {
    let codes: Vec<u8> = [
        Exit::Ok,
        Exit::Error,
        Exit::Drift,
        Exit::LockHeld,
        Exit::Usage,
    ]
    .iter()
    .map(|e| e.code())
    .collect();
    assert_eq!(codes, [0, 1, 2, 3, 64]);
}

#[tokio::test]
async fn bad_command_lines_are_usage_errors() {
    let f = Fixture::new(Kind::Embedded).await;
    let m = Migrator::new([&notes_v1()], []).with_options(f.options());
    for args in [
        &["bogus"][..],
        &[],
        &["up", "--to", "two"],
        &["down"],
        &["baseline"],
        &["up", "--unknown"],
    ] {
        assert_eq!(cli(args, &m, &f.db).await.0, Exit::Usage, "{args:?}");
    }
    let (exit, out) = cli(&["--help"], &m, &f.db).await;
    assert_eq!(exit, Exit::Ok);
    assert!(out.contains("verify"), "{out}");
    // Nothing was migrated by any of them.
    assert_eq!(m.status(&f.db).await.unwrap().applied, 0);
}

#[tokio::test]
async fn embedded_flag_opens_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.db");
    let path = file.to_string_lossy().into_owned();
    let m = Migrator::new([&notes_v2()], [noop(2)]);
    for (args, expected) in [
        (["migrate", "--embedded", &path, "verify"], Exit::Drift),
        (["migrate", "--embedded", &path, "up"], Exit::Ok),
        (["migrate", "--embedded", &path, "verify"], Exit::Ok),
    ] {
        let mut out = Vec::new();
        assert_eq!(
            cli::execute(args, &m, None, &mut out).await,
            expected,
            "{args:?}"
        );
    }
    // The file holds the migrated database.
    let db = Database::embedded(&file).await.unwrap();
    assert_eq!(m.status(&db).await.unwrap().applied, 2);
}

async fn verify_follows_pending_and_drift(kind: Kind) {
    let f = Fixture::new(kind).await;
    let m = Migrator::new([&notes_v2()], [noop(2)]).with_options(f.options());
    let (exit, out) = cli(&["verify"], &m, &f.db).await;
    assert_eq!(exit, Exit::Drift, "{out}");
    assert!(out.contains("pending"), "{out}");

    let report = f.dir.path().join("reports/up.json");
    let report_arg = report.to_string_lossy().into_owned();
    let (exit, _) = cli(&["up", "--report", &report_arg], &m, &f.db).await;
    assert_eq!(exit, Exit::Ok);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(written["to_version"], 2);

    let (exit, out) = cli(&["verify"], &m, &f.db).await;
    assert_eq!(exit, Exit::Ok, "{out}");
    let (exit, out) = cli(&["--json", "verify"], &m, &f.db).await;
    assert_eq!(exit, Exit::Ok);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["ok"], true);

    // Someone drops a declared column by hand: the live schema drifted.
    f.db.backend()
        .delete_column(f.db.id(), "notes", "rank")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (exit, out) = cli(&["verify"], &m, &f.db).await;
    assert_eq!(exit, Exit::Drift, "{out}");
    assert!(out.contains("rank"), "{out}");
}

async fn down_refuses_without_yes(kind: Kind) {
    let f = Fixture::new(kind).await;
    let downs = Arc::new(AtomicUsize::new(0));
    let step = {
        let downs = Arc::clone(&downs);
        noop(2).with_down(move |_m| {
            let downs = Arc::clone(&downs);
            Box::pin(async move {
                downs.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
        })
    };
    let m = Migrator::new([&notes_v1()], [step]).with_options(f.options());
    assert_eq!(cli(&["up"], &m, &f.db).await.0, Exit::Ok);
    let (exit, _) = cli(&["down", "--to", "1"], &m, &f.db).await;
    assert_eq!(exit, Exit::Usage);
    assert_eq!(downs.load(Ordering::SeqCst), 0);
    assert_eq!(m.status(&f.db).await.unwrap().applied, 2);
    let (exit, _) = cli(&["down", "--to", "1", "--yes"], &m, &f.db).await;
    assert_eq!(exit, Exit::Ok);
    assert_eq!(downs.load(Ordering::SeqCst), 1);
    assert_eq!(m.status(&f.db).await.unwrap().applied, 1);
}

async fn down_shows_the_plan_and_drops_schema_with_yes(kind: Kind) {
    let f = Fixture::new(kind).await;
    let downs = Arc::new(AtomicUsize::new(0));
    let step = {
        let downs = Arc::clone(&downs);
        noop(2).with_down(move |_m| {
            let downs = Arc::clone(&downs);
            Box::pin(async move {
                downs.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
        })
    };
    let m = Migrator::new([&notes_v2()], [step]).with_options(f.options());
    assert_eq!(cli(&["up"], &m, &f.db).await.0, Exit::Ok);
    f.db.rows("notes")
        .create("n1", &doc(json!({"text": "kept", "rank": 7})))
        .await
        .unwrap();
    let rank_exists = || async {
        f.db.backend()
            .get_table(f.db.id(), "notes")
            .await
            .unwrap()
            .column("rank")
            .is_some()
    };

    // Without --yes: the plan, exit 64, nothing changed.
    for args in [
        &["down", "--to", "1"][..],
        &["down", "--to", "1", "--drop-schema"],
    ] {
        let (exit, out) = cli(args, &m, &f.db).await;
        assert_eq!(exit, Exit::Usage, "{args:?}");
        assert!(
            out.contains("version 2 (step 2): runs its down step"),
            "{out}"
        );
        assert!(out.contains("drop column notes.rank"), "{out}");
        assert!(out.contains("nothing was changed: pass --yes"), "{out}");
    }
    let (exit, out) = cli(&["--json", "down", "--to", "1"], &m, &f.db).await;
    assert_eq!(exit, Exit::Usage);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["refused"], true);
    assert_eq!(
        json["plan"]["versions"][0]["drops"][0]["op"]["op"],
        "drop_column"
    );
    assert_eq!(downs.load(Ordering::SeqCst), 0);
    assert_eq!(m.status(&f.db).await.unwrap().applied, 2);
    assert!(rank_exists().await);

    // With --yes and --drop-schema: the down step, the backup, the drop.
    let (exit, out) = cli(&["down", "--to", "1", "--drop-schema", "--yes"], &m, &f.db).await;
    assert_eq!(exit, Exit::Ok, "{out}");
    assert!(
        out.contains("drop column notes.rank [destructive]"),
        "{out}"
    );
    assert!(out.contains("revert-to-v1-"), "{out}");
    assert_eq!(downs.load(Ordering::SeqCst), 1);
    assert!(!rank_exists().await);
    assert_eq!(m.status(&f.db).await.unwrap().applied, 1);
    let row = f.db.rows("notes").get("n1").await.unwrap().unwrap();
    assert!(row.0.get("rank").is_none(), "{row:?}");
}

async fn a_held_lock_exits_3(kind: Kind) {
    let f = Fixture::new(kind).await;
    let release = Arc::new(tokio::sync::Notify::new());
    let slow = {
        let release = Arc::clone(&release);
        MigrationDef::new(2, "slow", move |_m| {
            let release = Arc::clone(&release);
            Box::pin(async move {
                release.notified().await;
                Ok(())
            })
        })
    };
    let holder = Migrator::new([&notes_v1()], [slow]).with_options(f.options());
    let db = f.db.clone();
    let run = tokio::spawn(async move { holder.run(&db).await });
    // Wait until the run holds the lock.
    let m = Migrator::new([&notes_v1()], [noop(2)]).with_options(f.options());
    for _ in 0..200 {
        if f.db
            .rows("orm_migrations")
            .get("lock")
            .await
            .ok()
            .flatten()
            .is_some()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (exit, _) = cli(&["--lock-wait", "0", "up"], &m, &f.db).await;
    assert_eq!(exit, Exit::LockHeld);
    assert_eq!(
        Exit::of(&Error::from(MigrateError::LockLost)),
        Exit::Error,
        "only a held lock is 3"
    );
    release.notify_one();
    run.await.unwrap().unwrap();
    assert_eq!(cli(&["verify"], &m, &f.db).await.0, Exit::Drift); // another checksum
}

async fn status_shows_failed_changed_and_missing(kind: Kind) {
    let f = Fixture::new(kind).await;
    let failing = MigrationDef::new(3, "breaks", |_m| {
        Box::pin(async { Err(MigrateError::Step("boom".to_owned()).into()) })
    });
    let m = Migrator::new([&notes_v1()], [noop(2).with_checksum("a"), failing])
        .with_options(f.options());
    assert_eq!(cli(&["up"], &m, &f.db).await.0, Exit::Error);
    let status = m.status(&f.db).await.unwrap();
    let states: Vec<(u32, VersionState)> = status
        .versions
        .iter()
        .map(|l| (l.version, l.state))
        .collect();
    assert_eq!(
        states,
        [
            (1, VersionState::Applied),
            (2, VersionState::Applied),
            (3, VersionState::Failed)
        ]
    );
    assert!(status.versions[2].error.contains("boom"));
    assert!(status.versions[1].duration_ms.is_some());
    assert!(!status.versions[1].applied_at.is_empty());

    // Version 2 edited, version 3 gone from the binary.
    let edited =
        Migrator::new([&notes_v1()], [noop(2).with_checksum("b")]).with_options(f.options());
    let (exit, out) = cli(&["status"], &edited, &f.db).await;
    assert_eq!(exit, Exit::Ok);
    assert!(out.contains("checksum_changed"), "{out}");
    assert!(out.contains("missing"), "{out}");
    let (_, out) = cli(&["--json", "status"], &edited, &f.db).await;
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["versions"][1]["state"], "checksum_changed");
    assert_eq!(json["versions"][2]["state"], "missing");
    assert!(!json["issues"].as_array().unwrap().is_empty());
    assert_eq!(cli(&["verify"], &edited, &f.db).await.0, Exit::Drift);
    // A version the binary adds is pending.
    let newer = Migrator::new([&notes_v1()], [noop(2).with_checksum("a"), noop(4)])
        .with_options(f.options());
    let status = newer.status(&f.db).await.unwrap();
    assert_eq!(status.versions.last().unwrap().state, VersionState::Pending);
}

async fn baseline_adopts_an_existing_database(kind: Kind) {
    let f = Fixture::new(kind).await;
    // The schema of version 2 exists already, made by another tool, with rows.
    f.db.backend()
        .create_table(f.db.id(), &notes_v2())
        .await
        .unwrap();
    f.db.rows("notes")
        .create("n1", &doc(json!({"text": "kept", "rank": 7})))
        .await
        .unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let m = Migrator::new(
        [&notes_v2()],
        [
            counting(2, Arc::clone(&runs)),
            counting(3, Arc::clone(&runs)),
        ],
    )
    .with_options(f.options());
    let (exit, out) = cli(&["baseline", "2"], &m, &f.db).await;
    assert_eq!(exit, Exit::Ok, "{out}");
    let status = m.status(&f.db).await.unwrap();
    assert_eq!(status.applied, 2);
    let states: Vec<VersionState> = status.versions.iter().map(|l| l.state).collect();
    assert_eq!(
        states,
        [
            VersionState::Applied,
            VersionState::Applied,
            VersionState::Pending
        ]
    );
    // `up` runs only version 3; the data is kept.
    assert_eq!(cli(&["up"], &m, &f.db).await.0, Exit::Ok);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let row = f.db.rows("notes").get("n1").await.unwrap().unwrap();
    assert_eq!(row.0["rank"], 7);
    assert_eq!(cli(&["verify"], &m, &f.db).await.0, Exit::Ok);
    // Above the binary's versions: refused.
    assert_eq!(cli(&["baseline", "9"], &m, &f.db).await.0, Exit::Error);
}

async fn backup_and_restore_round_trip(kind: Kind) {
    let f = Fixture::new(kind).await;
    let m = Migrator::new([&notes_v1()], []).with_options(f.options());
    assert_eq!(cli(&["up"], &m, &f.db).await.0, Exit::Ok);
    f.db.rows("notes")
        .create("n1", &doc(json!({"text": "keep me"})))
        .await
        .unwrap();
    let dir = f.dir.path().join("dump");
    let dir_arg = dir.to_string_lossy().into_owned();
    let (exit, out) = cli(
        &["--json", "backup", &dir_arg, "--table", "notes"],
        &m,
        &f.db,
    )
    .await;
    assert_eq!(exit, Exit::Ok, "{out}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["rows"], 1);
    f.db.rows("notes").delete("n1").await.unwrap();
    // The table exists: refused without --replace, and --replace needs --yes.
    assert_eq!(cli(&["restore", &dir_arg], &m, &f.db).await.0, Exit::Error);
    let (exit, _) = cli(&["restore", &dir_arg, "--replace"], &m, &f.db).await;
    assert_eq!(exit, Exit::Usage);
    let (exit, _) = cli(&["restore", &dir_arg, "--replace", "--yes"], &m, &f.db).await;
    assert_eq!(exit, Exit::Ok);
    let row = f.db.rows("notes").get("n1").await.unwrap().unwrap();
    assert_eq!(row.0["text"], "keep me");
}

on_both_backends!(
    backup_and_restore_round_trip,
    verify_follows_pending_and_drift,
    down_refuses_without_yes,
    down_shows_the_plan_and_drops_schema_with_yes,
    a_held_lock_exits_3,
    status_shows_failed_changed_and_missing,
    baseline_adopts_an_existing_database,
);
