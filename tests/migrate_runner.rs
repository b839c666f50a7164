//! The migration runner's guarantees, each case on the embedded engine and over HTTP through
//! the emulator: one request for a boot with nothing to do, one run per version under
//! concurrency, exact resumption after a failure or a crash, the history checks (edited and
//! missing migrations), required columns on tables with rows, backups before destruction,
//! plan errors, server-side failures, reconciling and extras, status, repair and revert.
//!
//! Migrations here are built by hand ([`MigrationDef::new`]), so that each case can play
//! several "binaries" against one database.

#![allow(clippy::duplicated_attributes)]

mod migrate_support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use appwrite_orm::backend::{ColumnStatus, Document};
use appwrite_orm::migrate::{
    HistoryIssue, MigrateError, MigrationDef, Migrator, OpClass, VersionStatus,
};
use appwrite_orm::prelude::*;
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};
use appwrite_orm::{Error, Result};
use migrate_support::{Fixture, Kind};
use serde_json::{Value, json};

#[derive(Table, Debug, Clone)]
#[table(id = "notes", name = "Notes")]
pub struct Note {
    #[column(id)]
    pub id: RowId,
    #[column(size = 100)]
    pub text: String,
    #[column(since = 2)]
    pub rank: Option<i64>,
}

fn notes_v1() -> TableSchema {
    TableSchema::new("notes", "Notes").column(ColumnSchema::varchar("text", 100).required())
}

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

async fn seed_notes(db: &Database, n: usize) {
    let rows: Vec<Document> = (0..n)
        .map(|i| doc(json!({"$id": format!("n{i:04}"), "text": format!("note {i}")})))
        .collect();
    db.rows("notes").insert_many(&rows).await.unwrap();
}

/// A step that counts its runs.
fn counting_step(version: u32, runs: Arc<AtomicUsize>) -> MigrationDef {
    MigrationDef::new(version, format!("step {version}"), move |_m| {
        let runs = Arc::clone(&runs);
        Box::pin(async move {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    })
}

fn migrate_error(e: &Error) -> &MigrateError {
    e.migrate()
        .unwrap_or_else(|| panic!("a migration error expected, got {e}"))
}

// --- boots -----------------------------------------------------------------------------------

async fn a_boot_with_nothing_to_do_is_one_request(kind: Kind) {
    let f = Fixture::new(kind).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let schema = notes_v1().column(ColumnSchema::integer("rank").since(2));
    let migrator =
        Migrator::new([&schema], [counting_step(3, Arc::clone(&runs))]).with_options(f.options());
    let first = migrator.run(&f.db).await.unwrap();
    assert_eq!((first.from_version, first.to_version), (0, 3));
    assert_eq!(first.versions.len(), 3);
    f.counter.reset();
    let again = migrator.run(&f.db).await.unwrap();
    assert!(again.nothing_pending);
    assert_eq!(f.counter.requests(), 1);
    assert_eq!(again.requests, 1);
    assert_eq!(
        f.counter.by_operation().into_iter().collect::<Vec<_>>(),
        [("get_row", 1)]
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    println!("no-op boot over {kind:?}: {} request", f.counter.requests());
}

async fn concurrent_runs_apply_each_version_once(kind: Kind) {
    let f = Fixture::new(kind).await;
    Migrator::new([&notes_v1()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    seed_notes(&f.db, 50).await;
    let runs: Vec<Arc<AtomicUsize>> = (0..3).map(|_| Arc::new(AtomicUsize::new(0))).collect();
    let slow = {
        let runs = Arc::clone(&runs[0]);
        MigrationDef::new(2, "slow", move |m| {
            let runs = Arc::clone(&runs);
            Box::pin(async move {
                runs.fetch_add(1, Ordering::SeqCst);
                // Long enough for the other replica to meet the lock.
                tokio::time::sleep(Duration::from_millis(300)).await;
                m.rows("notes")
                    .backfill(vec![Query::is_null("rank")], |_| {
                        Some(doc(json!({"rank": 1})))
                    })
                    .await?;
                Ok(())
            })
        })
    };
    let schema = notes_v1().column(ColumnSchema::integer("rank").since(2));
    let migrator = Migrator::new(
        [&schema],
        [
            slow,
            counting_step(3, Arc::clone(&runs[1])),
            counting_step(4, Arc::clone(&runs[2])),
        ],
    )
    .with_options(f.options());
    let a = tokio::spawn({
        let (m, db) = (migrator.clone(), f.db.clone());
        async move { m.run(&db).await }
    });
    let b = tokio::spawn({
        let (m, db) = (migrator.clone(), f.replica());
        async move { m.run(&db).await }
    });
    let (a, b) = (a.await.unwrap().unwrap(), b.await.unwrap().unwrap());
    for r in &runs {
        assert_eq!(r.load(Ordering::SeqCst), 1, "each version's step runs once");
    }
    let worked: Vec<bool> = [&a, &b].iter().map(|r| !r.versions.is_empty()).collect();
    assert_eq!(
        worked.iter().filter(|w| **w).count(),
        1,
        "one run did the work"
    );
    assert!([&a, &b].iter().any(|r| r.nothing_pending));
    assert_eq!(
        f.db.rows("notes")
            .query()
            .with(Query::equal("rank", [1]))
            .count()
            .await
            .unwrap(),
        50
    );
}

// --- resuming ---------------------------------------------------------------------------------

/// Per-row bookkeeping of a backfill closure shared with the test.
#[derive(Default)]
struct Seen {
    invocations: Mutex<HashMap<String, usize>>,
    successes: Mutex<HashMap<String, usize>>,
}

impl Seen {
    fn invoked(&self, id: &str) -> usize {
        let mut map = self.invocations.lock().unwrap();
        let n = map.entry(id.to_owned()).or_default();
        *n += 1;
        map.values().sum()
    }

    fn succeeded(&self, id: &str) {
        *self
            .successes
            .lock()
            .unwrap()
            .entry(id.to_owned())
            .or_default() += 1;
    }
}

fn number_of(id: &str) -> i64 {
    id.trim_start_matches('n').parse().unwrap()
}

async fn a_failed_step_resumes_with_every_row_processed_once(kind: Kind) {
    let f = Fixture::new(kind).await;
    let v1 = Migrator::new([&notes_v1()], []).with_options(f.options());
    v1.run(&f.db).await.unwrap();
    seed_notes(&f.db, 1000).await;

    let seen = Arc::new(Seen::default());
    let armed = Arc::new(AtomicBool::new(true));
    let step = {
        let (seen, armed) = (Arc::clone(&seen), Arc::clone(&armed));
        MigrationDef::new(2, "rank notes", move |m| {
            let (seen, armed) = (Arc::clone(&seen), Arc::clone(&armed));
            Box::pin(async move {
                m.table::<Note>()
                    .try_backfill(Note::RANK.is_null(), |note| {
                        let calls = seen.invoked(note.id.as_str());
                        if armed.load(Ordering::SeqCst) && calls == 437 {
                            return Err(Error::Internal("the step broke on its 437th row".into()));
                        }
                        seen.succeeded(note.id.as_str());
                        Ok(Some(Note::patch().rank(number_of(note.id.as_str())).into()))
                    })
                    .await?;
                Ok(())
            })
        })
    };
    let v2 = Migrator::new([Note::schema()], [step]).with_options(f.options());
    let err = v2.run(&f.db).await.unwrap_err();
    let MigrateError::VersionFailed {
        version, source, ..
    } = migrate_error(&err)
    else {
        panic!("{err}");
    };
    assert_eq!(*version, 2);
    assert!(source.to_string().contains("437th row"), "{source}");
    let status = v2.status(&f.db).await.unwrap();
    let entry = status.history.iter().find(|e| e.version == 2).unwrap();
    assert_eq!(entry.status, VersionStatus::Failed);
    assert!(entry.error.contains("437th row"));
    assert!(entry.checkpoint.contains("n0435"), "{}", entry.checkpoint);
    assert_eq!(status.applied, 1);

    armed.store(false, Ordering::SeqCst);
    let report = v2.run(&f.db).await.unwrap();
    let v = report.version(2).unwrap();
    assert!(v.resumed);
    assert_eq!(v.backfills[0].resumed_after.as_deref(), Some("n0435"));
    assert_eq!(v.backfills[0].written, 564);

    let successes = seen.successes.lock().unwrap().clone();
    assert_eq!(successes.len(), 1000, "no row skipped");
    assert!(
        successes.values().all(|n| *n == 1),
        "no row processed twice"
    );
    let invocations = seen.invocations.lock().unwrap().clone();
    assert_eq!(
        invocations.values().sum::<usize>(),
        1001,
        "only the failing row was seen again"
    );
    assert_eq!(
        f.counter.rows_written()["notes"],
        2000,
        "1,000 seeded, 1,000 ranked"
    );
    let notes = f.db.table::<Note>().all().await.unwrap();
    assert!(
        notes
            .iter()
            .all(|n| n.rank == Some(number_of(n.id.as_str())))
    );
}

/// A write the server refuses in the middle of a page. With transactions (the default) the
/// page and its checkpoint commit together, so the refused write rolls the page back and the
/// next run redoes that page; without, the other writes of the page stand, the checkpoint lists
/// them, and the next run redoes the refused row only. Either way every row is written once.
async fn a_refused_write(kind: Kind, transactions: bool) {
    let f = Fixture::new(kind).await;
    let mut options = f.options().page_size(100);
    if !transactions {
        options = options.without_transactions();
    }
    Migrator::new([&notes_v1()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    seed_notes(&f.db, 300).await;
    let seen = Arc::new(Seen::default());
    let armed = Arc::new(AtomicBool::new(true));
    let step = {
        let (seen, armed) = (Arc::clone(&seen), Arc::clone(&armed));
        MigrationDef::new(2, "score notes", move |m| {
            let (seen, armed) = (Arc::clone(&seen), Arc::clone(&armed));
            Box::pin(async move {
                // No filter: the cursor and the checkpoint alone keep rows from being redone.
                m.rows("notes")
                    .backfill(vec![], |row| {
                        seen.invoked(row.id());
                        let n = number_of(row.id());
                        // Out of the column's range: the server refuses this one write.
                        let score = if armed.load(Ordering::SeqCst) && n == 137 {
                            1000
                        } else {
                            n % 100
                        };
                        Some(doc(json!({"score": score})))
                    })
                    .await?;
                Ok(())
            })
        })
    };
    let schema = notes_v1().column(
        ColumnSchema::new(
            "score",
            appwrite_orm::schema::ColumnKind::Integer {
                min: Some(0),
                max: Some(100),
            },
        )
        .since(2),
    );
    let v2 = Migrator::new([&schema], [step]).with_options(options);
    let err = v2.run(&f.db).await.unwrap_err();
    assert!(err.to_string().contains("score"), "{err}");
    armed.store(false, Ordering::SeqCst);
    let report = v2.run(&f.db).await.unwrap();
    let resumed_after = report.version(2).unwrap().backfills[0]
        .resumed_after
        .clone();
    let invocations = seen.invocations.lock().unwrap().clone();
    assert_eq!(invocations.len(), 300);
    if transactions {
        // Pages of 99 rows: the second one (n0099..n0197) was rolled back and redone.
        assert_eq!(resumed_after.as_deref(), Some("n0098"));
        for (id, n) in &invocations {
            let redone = (99..198).contains(&number_of(id));
            assert_eq!(*n, if redone { 2 } else { 1 }, "{id}");
        }
    } else {
        assert_eq!(resumed_after.as_deref(), Some("n0136"));
        for (id, n) in &invocations {
            assert_eq!(*n, if id == "n0137" { 2 } else { 1 }, "{id}");
        }
    }
    // Seeded, then every row written exactly once (the refused write wrote nothing).
    assert_eq!(f.counter.rows_written()["notes"], 600);
    let wrong =
        f.db.rows("notes")
            .query()
            .with(Query::is_null("score"))
            .count()
            .await
            .unwrap();
    assert_eq!(wrong, 0);
}

async fn a_refused_write_rolls_back_its_page(kind: Kind) {
    a_refused_write(kind, true).await;
}

async fn without_transactions_a_refused_write_keeps_the_rest_of_its_page(kind: Kind) {
    a_refused_write(kind, false).await;
}

async fn a_crashed_run_is_taken_over_and_resumed(kind: Kind) {
    let f = Fixture::new(kind).await;
    let options = f
        .options()
        .lock_ttl(Duration::from_millis(1500))
        .page_size(50);
    Migrator::new([&notes_v1()], [])
        .with_options(options.clone())
        .run(&f.db)
        .await
        .unwrap();
    seed_notes(&f.db, 200).await;
    let seen = Arc::new(Seen::default());
    let crash = Arc::new(AtomicBool::new(true));
    let reached = Arc::new(tokio::sync::Notify::new());
    let step = {
        let (seen, crash, reached) = (Arc::clone(&seen), Arc::clone(&crash), Arc::clone(&reached));
        MigrationDef::new(2, "flag notes", move |m| {
            let (seen, crash, reached) =
                (Arc::clone(&seen), Arc::clone(&crash), Arc::clone(&reached));
            Box::pin(async move {
                m.rows("notes")
                    .backfill(vec![Query::is_null("flag")], |row| {
                        seen.invoked(row.id());
                        Some(doc(json!({"flag": true})))
                    })
                    .await?;
                if crash.load(Ordering::SeqCst) {
                    reached.notify_one();
                    // The process "dies" here: the test aborts this run.
                    std::future::pending::<()>().await;
                }
                Ok(())
            })
        })
    };
    let schema = notes_v1().column(ColumnSchema::boolean("flag").since(2));
    let v2 = Migrator::new([&schema], [step]).with_options(options);
    let running = tokio::spawn({
        let (m, db) = (v2.clone(), f.db.clone());
        async move { m.run(&db).await }
    });
    reached.notified().await;
    running.abort();
    assert!(running.await.unwrap_err().is_cancelled());
    let status = v2.status(&f.db).await.unwrap();
    assert_eq!(
        status
            .history
            .iter()
            .find(|e| e.version == 2)
            .unwrap()
            .status,
        VersionStatus::Running
    );

    crash.store(false, Ordering::SeqCst);
    f.counter.reset();
    let report = v2.run(&f.db).await.unwrap();
    assert!(
        report.took_over_lock.is_some(),
        "the dead run's lock was taken over"
    );
    let v = report.version(2).unwrap();
    assert!(v.resumed);
    // It continues after its checkpoint, where nothing is left.
    assert_eq!(v.backfills[0].resumed_after.as_deref(), Some("n0199"));
    assert_eq!(v.backfills[0].written, 0);
    assert_eq!(v.rows_touched, 0);
    let invocations = seen.invocations.lock().unwrap().clone();
    assert_eq!(invocations.len(), 200);
    assert!(invocations.values().all(|n| *n == 1));
}

// --- the history against the binary ------------------------------------------------------------

async fn an_edited_migration_is_refused_until_repaired(kind: Kind) {
    let f = Fixture::new(kind).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let binary = |checksum: &str| {
        Migrator::new(
            [&notes_v1()],
            [counting_step(2, Arc::clone(&runs)).with_checksum(checksum)],
        )
        .with_options(f.options())
    };
    binary("original").run(&f.db).await.unwrap();
    let err = binary("edited").run(&f.db).await.unwrap_err();
    let MigrateError::History(issues) = migrate_error(&err) else {
        panic!("{err}");
    };
    assert!(matches!(
        &issues[..],
        [HistoryIssue::ChecksumChanged { version: 2, recorded, current, .. }]
            if recorded == "original" && current == "edited"
    ));
    let message = err.to_string();
    assert!(
        message.contains("was changed after it was applied"),
        "{message}"
    );
    assert!(message.contains("Migrator::repair"), "{message}");

    assert_eq!(binary("edited").repair(&f.db).await.unwrap(), [2]);
    let report = binary("edited").run(&f.db).await.unwrap();
    assert!(report.nothing_pending);
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "repair does not run the step again"
    );
    f.counter.reset();
    binary("edited").run(&f.db).await.unwrap();
    assert_eq!(f.counter.requests(), 1);
}

async fn an_applied_version_missing_from_the_binary_is_refused(kind: Kind) {
    let f = Fixture::new(kind).await;
    let runs = Arc::new(AtomicUsize::new(0));
    Migrator::new(
        [&notes_v1()],
        [
            counting_step(2, Arc::clone(&runs)),
            counting_step(3, Arc::clone(&runs)),
        ],
    )
    .with_options(f.options())
    .run(&f.db)
    .await
    .unwrap();
    // An older binary: it knows version 2 only.
    let older = Migrator::new([&notes_v1()], [counting_step(2, Arc::clone(&runs))])
        .with_options(f.options());
    let err = older.run(&f.db).await.unwrap_err();
    let MigrateError::History(issues) = migrate_error(&err) else {
        panic!("{err}");
    };
    assert!(
        matches!(&issues[..], [HistoryIssue::Missing { version: 3, .. }]),
        "{issues:?}"
    );
    assert!(err.to_string().contains("Migrator::forget(3)"), "{err}");

    // Removed on purpose: forget it, and the older binary runs.
    assert!(older.forget(&f.db, 3).await.unwrap());
    let report = older.run(&f.db).await.unwrap();
    assert_eq!(report.to_version, 2);
    assert_eq!(runs.load(Ordering::SeqCst), 2, "no step ran again");
}

async fn a_new_migration_below_the_applied_version_is_refused(kind: Kind) {
    let f = Fixture::new(kind).await;
    let runs = Arc::new(AtomicUsize::new(0));
    Migrator::new([&notes_v1()], [counting_step(3, Arc::clone(&runs))])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let err = Migrator::new(
        [&notes_v1()],
        [
            counting_step(2, Arc::clone(&runs)),
            counting_step(3, Arc::clone(&runs)),
        ],
    )
    .with_options(f.options())
    .run(&f.db)
    .await
    .unwrap_err();
    assert!(
        matches!(
            migrate_error(&err),
            MigrateError::History(issues) if matches!(&issues[..], [HistoryIssue::OutOfOrder { version: 2, applied: 3, .. }])
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("Give it a version above 3"),
        "{err}"
    );
}

// --- schema --------------------------------------------------------------------------------

fn title_filler(leave: Arc<AtomicUsize>) -> MigrationDef {
    MigrationDef::new(2, "titles", move |m| {
        let leave = Arc::clone(&leave);
        Box::pin(async move {
            let left = leave.load(Ordering::SeqCst);
            m.rows("notes")
                .backfill(vec![Query::is_null("title")], |row| {
                    // The last `left` rows are forgotten.
                    if number_of(row.id()) >= 20 - left as i64 {
                        return None;
                    }
                    let text = row.get("text")?.as_str()?.to_uppercase();
                    Some(doc(json!({"title": text})))
                })
                .await?;
            Ok(())
        })
    })
}

async fn a_required_column_on_a_table_with_rows(kind: Kind) {
    let f = Fixture::new(kind).await;
    Migrator::new([&notes_v1()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    seed_notes(&f.db, 20).await;
    let schema = notes_v1().column(ColumnSchema::varchar("title", 100).required().since(2));
    let leave = Arc::new(AtomicUsize::new(3));
    let binary =
        Migrator::new([&schema], [title_filler(Arc::clone(&leave))]).with_options(f.options());

    // The step forgets 3 rows: the version fails and says how many.
    let err = binary.run(&f.db).await.unwrap_err();
    let MigrateError::VersionFailed { source, .. } = migrate_error(&err) else {
        panic!("{err}");
    };
    assert!(
        matches!(
            source.migrate(),
            Some(MigrateError::RequiredMissing { rows: 3, column, table, .. }) if column == "title" && table == "notes"
        ),
        "{source}"
    );
    assert!(err.to_string().contains("3 row(s) have no value"), "{err}");
    let live = f.db.backend().get_table("app", "notes").await.unwrap();
    assert!(
        !live.column("title").unwrap().schema.required,
        "still optional"
    );

    // Fixed (new code, so its backfills start over from their filters), the version is run
    // again and the column becomes required.
    leave.store(0, Ordering::SeqCst);
    let fixed = Migrator::new(
        [&schema],
        [title_filler(Arc::clone(&leave)).with_checksum("fixed")],
    )
    .with_options(f.options());
    let report = fixed.run(&f.db).await.unwrap();
    let v2 = report.version(2).unwrap();
    assert!(v2.resumed);
    assert_eq!(v2.backfills[0].written, 3);
    assert!(
        v2.schema
            .iter()
            .any(|o| o.description == "make notes.title required")
    );
    let live = f.db.backend().get_table("app", "notes").await.unwrap();
    assert!(live.column("title").unwrap().schema.required);
    let row = f.db.rows("notes").get("n0019").await.unwrap().unwrap();
    assert_eq!(row["title"], "NOTE 19");
}

/// Version 2 of the encrypted-column case: fills `secret` walking every row (no filter can
/// name an encrypted column).
fn secret_filler() -> MigrationDef {
    MigrationDef::new(2, "secrets", |m| {
        Box::pin(async move {
            m.rows("notes")
                .backfill(vec![], |row| {
                    let text = row.get("text")?.as_str()?.to_owned();
                    Some(doc(json!({"secret": format!("s:{text}")})))
                })
                .await?;
            Ok(())
        })
    })
    .with_checksum("fixed")
}

/// An encrypted column cannot be filtered on: the step fills it walking every row, and the
/// runner checks the rows that still lack a value without a query on it.
async fn a_required_encrypted_column_on_a_table_with_rows(kind: Kind) {
    let f = Fixture::new(kind).await;
    Migrator::new([&notes_v1()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    seed_notes(&f.db, 5).await;
    let schema = notes_v1().column(
        ColumnSchema::varchar("secret", 150)
            .required()
            .encrypt()
            .since(2),
    );
    // A step that fills nothing: every row is counted as lacking a value.
    let forgetful = MigrationDef::new(2, "secrets", |_m| Box::pin(async { Ok(()) }));
    let err = Migrator::new([&schema], [forgetful])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap_err();
    let MigrateError::VersionFailed { source, .. } = migrate_error(&err) else {
        panic!("{err}");
    };
    assert!(
        matches!(
            source.migrate(),
            Some(MigrateError::RequiredMissing { rows: 5, column, .. }) if column == "secret"
        ),
        "{source}"
    );
    Migrator::new([&schema], [secret_filler()])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let live = f.db.backend().get_table("app", "notes").await.unwrap();
    let secret = &live.column("secret").unwrap().schema;
    assert!(secret.required && secret.encrypt, "{secret:?}");
    let row = f.db.rows("notes").get("n0004").await.unwrap().unwrap();
    assert_eq!(row["secret"], "s:note 4");

    // A conversion into an encrypted column is refused before it creates anything.
    let converting = MigrationDef::new(3, "convert", |m| {
        Box::pin(async move {
            m.convert_column(
                "notes",
                "text",
                ColumnSchema::varchar("sealed", 200).encrypt(),
                |v| Ok(v.clone()),
            )
            .await?;
            Ok(())
        })
    });
    let err = Migrator::new([&schema], [secret_filler(), converting])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("convert_column: notes.sealed is encrypted"),
        "{err}"
    );
    let live = f.db.backend().get_table("app", "notes").await.unwrap();
    assert!(live.column("sealed").is_none());

    // An encrypted column with a default: the existing rows get it without a query on it.
    let with_default = schema.column(
        ColumnSchema::new("memo", appwrite_orm::schema::ColumnKind::Text)
            .encrypt()
            .default_value("none")
            .since(3),
    );
    Migrator::new([&with_default], [secret_filler()])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let row = f.db.rows("notes").get("n0002").await.unwrap().unwrap();
    assert_eq!(row["memo"], "none");
}

async fn destructive_helpers_back_up_first(kind: Kind) {
    let f = Fixture::new(kind).await;
    let old = TableSchema::new("old_notes", "Old notes")
        .column(ColumnSchema::varchar("text", 50))
        .column(ColumnSchema::integer("n"));
    let v1 = notes_v1().column(ColumnSchema::varchar("legacy", 20));
    Migrator::new([&v1, &old], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    seed_notes(&f.db, 5).await;
    for i in 0..5 {
        f.db.rows("notes")
            .update(
                &format!("n{i:04}"),
                &doc(json!({"legacy": format!("L{i}")})),
            )
            .await
            .unwrap();
    }
    let rows: Vec<Document> = (0..3)
        .map(|i| doc(json!({"$id": format!("o{i}"), "text": format!("old {i}"), "n": i})))
        .collect();
    f.db.rows("old_notes").insert_many(&rows).await.unwrap();

    let cleanup = MigrationDef::new(2, "cleanup", |m| {
        Box::pin(async move {
            m.drop_column("notes", "legacy").await?;
            m.drop_table("old_notes").await?;
            // Again: nothing left to drop, nothing done.
            assert!(m.drop_column("notes", "legacy").await?.is_none());
            Ok(())
        })
    });
    let report = Migrator::new([&notes_v1()], [cleanup])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let v2 = report.version(2).unwrap();
    let destructive: Vec<&str> = v2
        .schema
        .iter()
        .filter(|o| o.class == OpClass::Destructive)
        .map(|o| o.description.as_str())
        .collect();
    assert_eq!(
        destructive,
        ["drop column notes.legacy", "drop table old_notes"]
    );
    assert_eq!(v2.backups.len(), 2);

    let read = |path: &std::path::Path| -> Vec<Value> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let column = read(&v2.backups[0].path);
    assert_eq!(column.len(), 5);
    assert_eq!(
        (column[2]["$id"].as_str(), column[2]["legacy"].as_str()),
        (Some("n0002"), Some("L2"))
    );
    assert!(v2.backups[0].path.starts_with(f.dir.path()));
    assert!(
        v2.backups[0]
            .path
            .to_string_lossy()
            .ends_with("-notes-legacy.jsonl")
    );
    let table = read(&v2.backups[1].path);
    assert_eq!(table.len(), 3);
    assert_eq!(table[1]["text"], "old 1");
    assert_eq!(table[1]["n"], 1);
    assert_eq!(table[1]["$id"], "o1");
    assert!(f.db.backend().get_table("app", "old_notes").await.is_err());
    assert!(
        f.db.backend()
            .get_table("app", "notes")
            .await
            .unwrap()
            .column("legacy")
            .is_none()
    );
}

async fn destructive_helpers_without_backups(kind: Kind) {
    let f = Fixture::new(kind).await;
    let v1 = notes_v1().column(ColumnSchema::varchar("legacy", 20));
    Migrator::new([&v1], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let drop = MigrationDef::new(2, "drop", |m| {
        Box::pin(async move {
            assert!(m.drop_column("notes", "legacy").await?.is_none());
            Ok(())
        })
    });
    let report = Migrator::new([&notes_v1()], [drop])
        .with_options(f.options().without_backups())
        .run(&f.db)
        .await
        .unwrap();
    assert!(
        report.version(2).unwrap().schema[0]
            .reason
            .contains("backups are off")
    );
    assert_eq!(std::fs::read_dir(f.dir.path()).unwrap().count(), 0);
}

async fn a_type_change_is_a_plan_error(kind: Kind) {
    let f = Fixture::new(kind).await;
    let v1 = notes_v1().column(ColumnSchema::varchar("price", 20));
    Migrator::new([&v1], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let v2 = notes_v1()
        .column(ColumnSchema::float("price"))
        .column(ColumnSchema::boolean("done").since(2));
    let err = Migrator::new([&v2], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap_err();
    let MigrateError::Plan(errors) = migrate_error(&err) else {
        panic!("{err}");
    };
    assert_eq!(errors.len(), 1);
    let message = err.to_string();
    assert!(
        message.contains("column notes.price is varchar(20) in the database but declared float"),
        "{message}"
    );
    assert!(
        message.contains("m.convert_column(\"notes\", \"price\""),
        "{message}"
    );
    // Nothing was done.
    let live = f.db.backend().get_table("app", "notes").await.unwrap();
    assert!(live.column("done").is_none());
    let status = Migrator::new([&v2], []).status(&f.db).await.unwrap();
    assert_eq!(status.applied, 1);
    assert!(status.history.iter().all(|e| e.version == 1));
}

async fn a_failed_index_stops_with_the_servers_text(kind: Kind) {
    let f = Fixture::new(kind).await;
    Migrator::new([&notes_v1()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let rows: Vec<Document> = (0..3)
        .map(|i| doc(json!({"$id": format!("d{i}"), "text": "same"})))
        .collect();
    f.db.rows("notes").insert_many(&rows).await.unwrap();
    let v2 =
        notes_v1().index(IndexSchema::new("unique_text", IndexKind::Unique, ["text"]).since(2));
    let binary = Migrator::new([&v2], []).with_options(f.options());
    let err = binary.run(&f.db).await.unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("index \"unique_text\" of table \"notes\""),
        "{message}"
    );
    assert!(message.contains("failed"), "{message}");
    assert!(
        message.to_lowercase().contains("unique"),
        "the server's text: {message}"
    );

    // The duplicates fixed, the failed index is removed and created again.
    f.db.rows("notes")
        .update("d1", &doc(json!({"text": "other"})))
        .await
        .unwrap();
    f.db.rows("notes")
        .update("d2", &doc(json!({"text": "third"})))
        .await
        .unwrap();
    let report = binary.run(&f.db).await.unwrap();
    let ops: Vec<&str> = report
        .version(2)
        .unwrap()
        .schema
        .iter()
        .map(|o| o.description.as_str())
        .collect();
    assert_eq!(
        ops,
        [
            "remove failed index notes.unique_text",
            "add index notes.unique_text unique (text)"
        ]
    );
    let live = f.db.backend().get_table("app", "notes").await.unwrap();
    assert_eq!(
        live.index("unique_text").unwrap().status,
        ColumnStatus::Available
    );
}

async fn in_place_changes_and_extras(kind: Kind) {
    let f = Fixture::new(kind).await;
    Migrator::new([&notes_v1()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    // Someone added a column by hand.
    f.db.backend()
        .create_column("app", "notes", &ColumnSchema::varchar("by_hand", 10))
        .await
        .unwrap();
    let wider =
        TableSchema::new("notes", "Notes").column(ColumnSchema::varchar("text", 300).required());
    let binary = Migrator::new([&wider], []).with_options(f.options());
    let report = binary.run(&f.db).await.unwrap();
    assert_eq!(report.versions.len(), 1);
    let change = &report.versions[0];
    assert!(change.reconcile);
    assert_eq!(change.schema[0].description, "change column notes.text");
    assert_eq!(change.schema[0].reason, "size 100 → 300");
    assert_eq!(change.schema[0].class, OpClass::InPlace);
    let extras: Vec<String> = report.extras.iter().map(ToString::to_string).collect();
    assert_eq!(extras.len(), 1);
    assert!(
        extras[0].starts_with("column notes.by_hand exists"),
        "{extras:?}"
    );
    let live = f.db.backend().get_table("app", "notes").await.unwrap();
    assert!(live.column("by_hand").is_some(), "extras are never dropped");
    assert_eq!(
        live.column("text").unwrap().schema.kind,
        appwrite_orm::schema::ColumnKind::Varchar { size: 300 }
    );
    f.counter.reset();
    assert!(binary.run(&f.db).await.unwrap().nothing_pending);
    assert_eq!(f.counter.requests(), 1);
}

async fn renames_keep_data_and_schema_helpers_are_idempotent(kind: Kind) {
    let f = Fixture::new(kind).await;
    let v1 = notes_v1().column(ColumnSchema::varchar("tag", 10));
    Migrator::new([&v1], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    seed_notes(&f.db, 5).await;
    let helpers = MigrationDef::new(2, "helpers", |m| {
        Box::pin(async move {
            // Twice: the second round finds everything done.
            for _ in 0..2 {
                m.create_column("notes", ColumnSchema::integer("extra"))
                    .await?;
                m.create_index(
                    "notes",
                    IndexSchema::new("by_extra", IndexKind::Key, ["extra"]),
                )
                .await?;
                m.rename_column("notes", "tag", "label").await?;
            }
            Ok(())
        })
    });
    // `text` is declared as `body` now, wider.
    let v2 =
        TableSchema::new("notes", "Notes").column(ColumnSchema::varchar("body", 200).required());
    let report = Migrator::new([&v2], [helpers])
        .with_options(f.options().rename_column("notes", "text", "body"))
        .run(&f.db)
        .await
        .unwrap();
    let ops: Vec<(&str, &str)> = report
        .version(2)
        .unwrap()
        .schema
        .iter()
        .map(|o| (o.description.as_str(), o.reason.as_str()))
        .collect();
    assert_eq!(
        ops,
        [
            (
                "rename column notes.text to body",
                "declared as renamed from \"text\"; Appwrite renames in place and keeps the data"
            ),
            ("change column notes.body", "size 100 → 200"),
            ("add column notes.extra integer", "explicit in a step"),
            ("add index notes.by_extra key (extra)", "explicit in a step"),
            ("rename column notes.tag → label", "explicit in a step"),
        ]
    );
    let row = f.db.rows("notes").get("n0003").await.unwrap().unwrap();
    assert_eq!(row["body"], "note 3");
    assert!(row.get("text").is_none());
    let mut extras: Vec<String> = report.extras.iter().map(|e| e.key.clone()).collect();
    extras.sort();
    assert_eq!(extras, ["by_extra", "extra", "label"]);
}

async fn status_shows_the_plan_without_writing(kind: Kind) {
    let f = Fixture::new(kind).await;
    let schema = notes_v1().column(ColumnSchema::integer("rank").since(2));
    let binary = Migrator::new([&schema], []).with_options(f.options());
    let status = binary.status(&f.db).await.unwrap();
    assert_eq!(
        (status.applied, status.target, status.up_to_date),
        (0, 2, false)
    );
    let plan = status.plan.unwrap();
    assert_eq!(plan.versions.len(), 2);
    assert_eq!(
        plan.versions[0].before[0].op.to_string(),
        "create table notes (1 columns, 0 indexes)"
    );
    assert!(
        f.db.backend()
            .list_tables("app", &[])
            .await
            .unwrap()
            .items
            .is_empty()
    );
    binary.run(&f.db).await.unwrap();
    let status = binary.status(&f.db).await.unwrap();
    assert!(status.up_to_date);
    assert!(status.plan.unwrap().is_empty());
}

async fn revert_runs_down_steps(kind: Kind) {
    let f = Fixture::new(kind).await;
    let schema = notes_v1().column(ColumnSchema::varchar("tag", 10).since(2));
    let step = MigrationDef::new(2, "tags", |m| {
        Box::pin(async move {
            m.rows("notes")
                .backfill(vec![Query::is_null("tag")], |_| {
                    Some(doc(json!({"tag": "t"})))
                })
                .await?;
            Ok(())
        })
    })
    .with_down(|m| {
        Box::pin(async move {
            m.drop_column("notes", "tag").await?;
            Ok(())
        })
    });
    Migrator::new([&notes_v1()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    seed_notes(&f.db, 4).await;
    let binary = Migrator::new([&schema], [step]).with_options(f.options());
    binary.run(&f.db).await.unwrap();
    let reverted = binary.revert(&f.db, 1).await.unwrap();
    assert_eq!((reverted.from_version, reverted.to_version), (2, 1));
    assert_eq!(reverted.versions[0].backups[0].rows, 4);
    assert!(
        f.db.backend()
            .get_table("app", "notes")
            .await
            .unwrap()
            .column("tag")
            .is_none()
    );
    // Without a down step, nothing is reverted.
    let plain = Migrator::new([&schema], [counting_step(2, Arc::new(AtomicUsize::new(0)))])
        .with_options(f.options());
    plain.run(&f.db).await.unwrap();
    let err = plain.revert(&f.db, 1).await.unwrap_err();
    assert!(
        matches!(migrate_error(&err), MigrateError::NoDown { version: 2, .. }),
        "{err}"
    );
}

async fn slow_columns_are_awaited(kind: Kind) {
    let f = Fixture::with_delay(kind, Duration::from_millis(400)).await;
    if f.on_real_server() {
        eprintln!("skipped on a real server: its columns' delay is not ours to set");
        return;
    }
    Migrator::new([&notes_v1()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    seed_notes(&f.db, 10).await;
    let schema = notes_v1()
        .column(ColumnSchema::boolean("done").default_value(false).since(2))
        .index(IndexSchema::new("by_done", IndexKind::Key, ["done"]).since(2));
    let started = std::time::Instant::now();
    let report = Migrator::new([&schema], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "column, then index"
    );
    let v2 = report.version(2).unwrap();
    assert_eq!(v2.schema[2].rows, Some(10));
    assert!(
        report.requests_by_operation["get_table"] >= 3,
        "{:?}",
        report.requests_by_operation
    );
}

async fn migrate_uses_the_registry(kind: Kind) {
    // This binary registers one model (`Note`) and no #[migration]: `db.migrate()` creates it.
    let f = Fixture::new(kind).await;
    let report = f.db.migrate_with(f.options()).await.unwrap();
    assert_eq!(report.to_version, 2);
    assert!(
        f.db.backend()
            .get_table("app", "notes")
            .await
            .unwrap()
            .column("rank")
            .is_some()
    );
    f.counter.reset();
    assert!(f.db.migrate().await.unwrap().nothing_pending);
    assert_eq!(f.counter.requests(), 1);
}

#[test]
fn errors_say_what_to_do() {
    let e = Error::from(MigrateError::LockTimeout {
        holder: "web-1:42:abc".into(),
        expires_at: "2026-01-01T00:00:00.000+00:00".into(),
        waited_secs: 600,
    });
    assert!(e.to_string().contains("force_unlock"));
    let _: Result<()> = Ok(());
}

on_both_backends!(
    a_boot_with_nothing_to_do_is_one_request,
    concurrent_runs_apply_each_version_once,
    a_failed_step_resumes_with_every_row_processed_once,
    a_refused_write_rolls_back_its_page,
    without_transactions_a_refused_write_keeps_the_rest_of_its_page,
    a_crashed_run_is_taken_over_and_resumed,
    an_edited_migration_is_refused_until_repaired,
    an_applied_version_missing_from_the_binary_is_refused,
    a_new_migration_below_the_applied_version_is_refused,
    a_required_column_on_a_table_with_rows,
    a_required_encrypted_column_on_a_table_with_rows,
    destructive_helpers_back_up_first,
    destructive_helpers_without_backups,
    a_type_change_is_a_plan_error,
    a_failed_index_stops_with_the_servers_text,
    in_place_changes_and_extras,
    renames_keep_data_and_schema_helpers_are_idempotent,
    status_shows_the_plan_without_writing,
    revert_runs_down_steps,
    slow_columns_are_awaited,
    migrate_uses_the_registry,
);
