//! What a migration run tells, on the embedded engine and over HTTP: its progress events (the
//! plan, each version's start and end in order with its place in the run, rows written while a
//! step works, the failure that stops a run) and its report (status, times, host, rows read
//! and written per table, errors), for a failed run too and through the command line.

mod migrate_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use appwrite_orm::backend::Document;
use appwrite_orm::cli::{self, Exit};
use appwrite_orm::migrate::{Direction, MigrationDef, Migrator, ProgressEvent, RunStatus};
use appwrite_orm::schema::{ColumnSchema, TableSchema};
use migrate_support::{Fixture, Kind};
use serde_json::{Value, json};

/// An event reduced to what the tests compare.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Planned(u32, u32, Vec<u32>),
    Started(u32, usize, usize, bool),
    Rows(u32, u64),
    Applied(u32, u64),
    Failed(u32, String),
}

/// A migrator reporting into a shared list.
fn recorded(migrator: Migrator) -> (Migrator, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let migrator = migrator.with_progress(move |event: &ProgressEvent<'_>| {
        let seen = match *event {
            ProgressEvent::Planned {
                direction: Direction::Up,
                from,
                to,
                versions,
            } => Seen::Planned(from, to, versions.to_vec()),
            ProgressEvent::VersionStarted {
                version,
                position,
                of,
                resumed,
                ..
            } => Seen::Started(version, position, of, resumed),
            ProgressEvent::Rows { version, rows } => Seen::Rows(version, rows),
            ProgressEvent::VersionApplied { report, .. } => {
                Seen::Applied(report.version, report.rows_touched)
            }
            ProgressEvent::VersionFailed { version, error, .. } => {
                Seen::Failed(version, error.to_string())
            }
            _ => return,
        };
        sink.lock().unwrap().push(seen);
    });
    (migrator, seen)
}

fn notes() -> TableSchema {
    TableSchema::new("notes", "Notes")
        .column(ColumnSchema::varchar("text", 100).required())
        .column(ColumnSchema::integer("rank").since(2))
}

fn rows(n: usize) -> Vec<Document> {
    (0..n)
        .map(|i| {
            json!({"$id": format!("n{i:03}"), "text": format!("note {i}")})
                .as_object()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

/// Version 2 ranks every note, then lingers so that the run's ticks see its rows.
fn ranking_step() -> MigrationDef {
    MigrationDef::new(2, "rank notes", |m| {
        Box::pin(async move {
            m.rows("notes")
                .backfill(vec![appwrite_orm::query::Query::is_null("rank")], |_| {
                    json!({"rank": 1}).as_object().cloned()
                })
                .await?;
            tokio::time::sleep(Duration::from_millis(700)).await;
            Ok(())
        })
    })
}

async fn events_follow_the_versions_in_order(kind: Kind) {
    let f = Fixture::new(kind).await;
    let v1 = TableSchema::new("notes", "Notes").column(ColumnSchema::varchar("text", 100));
    Migrator::new([&v1], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    f.db.rows("notes").insert_many(&rows(30)).await.unwrap();
    let finishing = MigrationDef::new(3, "finish", |_m| Box::pin(async { Ok(()) }));
    let (migrator, seen) =
        recorded(Migrator::new([&notes()], [ranking_step(), finishing]).with_options(f.options()));
    let report = migrator.run(&f.db).await.unwrap();
    assert_eq!(report.to_version, 3);
    let seen = seen.lock().unwrap().clone();
    // Rows ticks depend on timing: compare them apart from the rest.
    let (ticks, order): (Vec<Seen>, Vec<Seen>) =
        seen.into_iter().partition(|s| matches!(s, Seen::Rows(..)));
    assert_eq!(
        order,
        [
            Seen::Planned(1, 3, vec![2, 3]),
            Seen::Started(2, 1, 2, false),
            Seen::Applied(2, 30),
            Seen::Started(3, 2, 2, false),
            Seen::Applied(3, 0),
        ]
    );
    // The step lingered 700 ms after writing its 30 rows: a tick saw them.
    assert!(ticks.contains(&Seen::Rows(2, 30)), "{ticks:?}");
    assert!(
        ticks
            .iter()
            .all(|t| matches!(t, Seen::Rows(2, n) if *n <= 30))
    );

    // A boot with nothing pending says nothing.
    let finishing = MigrationDef::new(3, "finish", |_m| Box::pin(async { Ok(()) }));
    let (idle, seen) =
        recorded(Migrator::new([&notes()], [ranking_step(), finishing]).with_options(f.options()));
    assert!(idle.run(&f.db).await.unwrap().nothing_pending);
    assert!(seen.lock().unwrap().is_empty());
}

async fn a_failed_version_is_reported_and_a_resumed_one_says_so(kind: Kind) {
    let f = Fixture::new(kind).await;
    let failing = MigrationDef::new(2, "breaks", |_m| {
        Box::pin(async { Err(appwrite_orm::Error::Internal("boom".into())) })
    });
    let (migrator, seen) = recorded(Migrator::new([&notes()], [failing]).with_options(f.options()));
    assert!(migrator.run(&f.db).await.is_err());
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0], Seen::Planned(0, 2, vec![1, 2]));
    assert_eq!(seen[1], Seen::Started(1, 1, 2, false));
    assert!(matches!(seen[2], Seen::Applied(1, 0)), "{seen:?}");
    assert_eq!(seen[3], Seen::Started(2, 2, 2, false));
    assert!(
        matches!(&seen[4], Seen::Failed(2, e) if e.contains("boom")),
        "{seen:?}"
    );
    assert_eq!(seen.len(), 5);

    let fixed = MigrationDef::new(2, "breaks", |_m| Box::pin(async { Ok(()) }));
    let (migrator, seen) = recorded(Migrator::new([&notes()], [fixed]).with_options(f.options()));
    migrator.run(&f.db).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            Seen::Planned(1, 2, vec![2]),
            Seen::Started(2, 1, 1, true),
            Seen::Applied(2, 0),
        ]
    );
}

/// Version 1 with 30 notes, and a binary whose version 2 ranks them and whose version 3
/// fails when `fail` is set.
async fn ranked_binary(f: &Fixture, fail: bool) -> Migrator {
    let v1 = TableSchema::new("notes", "Notes").column(ColumnSchema::varchar("text", 100));
    Migrator::new([&v1], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    f.db.rows("notes").insert_many(&rows(30)).await.unwrap();
    let rank = MigrationDef::new(2, "rank notes", |m| {
        Box::pin(async move {
            m.rows("notes")
                .backfill(vec![appwrite_orm::query::Query::is_null("rank")], |_| {
                    json!({"rank": 1}).as_object().cloned()
                })
                .await?;
            Ok(())
        })
    });
    let last = MigrationDef::new(3, "last", move |_m| {
        Box::pin(async move {
            if fail {
                return Err(appwrite_orm::Error::Internal("the last step broke".into()));
            }
            Ok(())
        })
    });
    Migrator::new([&notes()], [rank, last]).with_options(f.options())
}

async fn reports_say_when_where_and_what_was_read_and_written(kind: Kind) {
    let f = Fixture::new(kind).await;
    let migrator = ranked_binary(&f, false).await;
    let report = migrator.run(&f.db).await.unwrap();
    assert_eq!(report.status, RunStatus::Applied);
    let started = chrono::DateTime::parse_from_rfc3339(&report.started_at).unwrap();
    let finished = chrono::DateTime::parse_from_rfc3339(&report.finished_at).unwrap();
    assert!(started <= finished);
    assert_eq!(report.host, f.options().host);
    // The backfill read the 30 notes and wrote each once; the history is not data.
    assert_eq!(report.rows_written.get("notes"), Some(&30));
    assert!(report.rows_read.get("notes").is_some_and(|n| *n >= 30));
    assert!(!report.rows_written.contains_key("orm_migrations"));
    assert!(!report.rows_read.contains_key("orm_migrations"));
    let v2 = report.version(2).unwrap();
    assert_eq!(v2.rows_written.get("notes"), Some(&30));
    assert_eq!(v2.error, None);
    assert!(report.errors.is_empty());
    let json = report.to_json();
    assert_eq!(json["status"], "applied");
    assert_eq!(json["rows_written"]["notes"], 30);

    let again = migrator.run(&f.db).await.unwrap();
    assert_eq!(again.status, RunStatus::NothingPending);
    assert!(again.rows_written.is_empty());
}

async fn a_failed_run_reports_what_it_did(kind: Kind) {
    let f = Fixture::new(kind).await;
    let migrator = ranked_binary(&f, true).await;
    let failed = migrator.try_run(&f.db).await.unwrap_err();
    let report = &failed.report;
    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(
        report.to_version, 2,
        "version 2 was applied before 3 failed"
    );
    let versions: Vec<(u32, bool)> = report
        .versions
        .iter()
        .map(|v| (v.version, v.error.is_some()))
        .collect();
    assert_eq!(versions, [(2, false), (3, true)]);
    assert!(report.errors[0].contains("the last step broke"), "{report}");
    assert_eq!(report.rows_written.get("notes"), Some(&30));
    assert!(report.to_string().contains("FAILED"), "{report}");
    assert!(failed.error.to_string().contains("the last step broke"));
}

async fn the_command_line_writes_the_report_of_a_failed_run(kind: Kind) {
    let f = Fixture::new(kind).await;
    let migrator = ranked_binary(&f, true).await;
    let file = f.dir.path().join("reports/failed.json");
    let arg = file.to_string_lossy().into_owned();
    let mut out = Vec::new();
    let argv = ["migrate", "up", "--report", &arg];
    let exit = cli::execute(argv, &migrator, Some(&f.db), &mut out).await;
    assert_eq!(exit, Exit::Error);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written["status"], "failed");
    assert_eq!(written["to_version"], 2);
    assert!(
        written["errors"][0]
            .as_str()
            .unwrap()
            .contains("the last step broke")
    );
    assert_eq!(written["versions"][1]["version"], 3);
    assert!(written["versions"][1]["error"].is_string());
    assert!(written["started_at"].is_string() && written["host"].is_string());
    // stdout says what was done before the error.
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("version 2 \"rank notes\""), "{text}");
}

async fn a_revert_reports_its_versions_newest_first(kind: Kind) {
    let f = Fixture::new(kind).await;
    let binary = ranked_binary(&f, false).await;
    binary.run(&f.db).await.unwrap();
    let undo = |v: u32| {
        MigrationDef::new(v, if v == 2 { "rank notes" } else { "last" }, |_m| {
            Box::pin(async { Ok(()) })
        })
        .with_down(|_m| Box::pin(async { Ok(()) }))
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let reverting = Migrator::new([&notes()], [undo(2), undo(3)])
        .with_options(f.options())
        .with_progress(move |event: &ProgressEvent<'_>| {
            let line = match *event {
                ProgressEvent::Planned {
                    direction: Direction::Down,
                    from,
                    to,
                    versions,
                } => format!("plan {from}->{to} {versions:?}"),
                ProgressEvent::VersionStarted {
                    direction: Direction::Down,
                    version,
                    position,
                    of,
                    ..
                } => format!("start {version} {position}/{of}"),
                ProgressEvent::VersionApplied {
                    direction: Direction::Down,
                    report,
                } => format!("reverted {}", report.version),
                _ => return,
            };
            sink.lock().unwrap().push(line);
        });
    let report = reverting.revert(&f.db, 1).await.unwrap();
    assert_eq!((report.from_version, report.to_version), (3, 1));
    assert!(!report.started_at.is_empty() && !report.finished_at.is_empty());
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "plan 3->1 [3, 2]",
            "start 3 1/2",
            "reverted 3",
            "start 2 2/2",
            "reverted 2",
        ]
    );
}

on_both_backends!(
    a_revert_reports_its_versions_newest_first,
    events_follow_the_versions_in_order,
    a_failed_version_is_reported_and_a_resumed_one_says_so,
    reports_say_when_where_and_what_was_read_and_written,
    a_failed_run_reports_what_it_did,
    the_command_line_writes_the_report_of_a_failed_run,
);
