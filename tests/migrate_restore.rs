//! Restoring the backup taken before a version when the version fails
//! (`MigrateOptions::restore_on_failure`), each case on the embedded engine and over HTTP
//! through the emulator: a step that fails halfway through a backfill leaves every row as it
//! was and the version's new column and table gone; without the option the rows stay
//! half-changed and the next run resumes; a failed schema operation and a failed check are
//! restored as well; the option without any backup directory is refused before anything runs.
//! Over tables linked by relationships, the restore brings back every link, those of related
//! tables the version did not touch included.

mod backup_support;
mod migrate_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use appwrite_orm::backend::{Document, Row};
use appwrite_orm::migrate::{
    MigrateError, MigrateOptions, MigrationDef, Migrator, VersionStatus, check_failed,
};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};
use appwrite_orm::{Database, Error};
use backup_support::linked;
use migrate_support::{Fixture, Kind};
use serde_json::{Value, json};

const ROWS: usize = 3_000;
/// The row at which the doubling backfill breaks.
const FAIL_AT: usize = 1_500;

fn accounts_v1() -> TableSchema {
    TableSchema::new("accounts", "Accounts")
        .column(ColumnSchema::varchar("email", 100).required())
        .column(ColumnSchema::integer("balance"))
}

/// Version 2 adds a column and a table around its step.
fn v2_tables() -> Vec<TableSchema> {
    let accounts = accounts_v1().column(ColumnSchema::varchar("note", 50).since(2));
    let ledger = TableSchema::new("ledger", "Ledger")
        .since(2)
        .column(ColumnSchema::integer("amount").since(2));
    vec![accounts, ledger]
}

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

/// Version 2's step: doubles every balance; while `armed`, the backfill breaks on its
/// 1,500th row (after the pages before it were written).
fn doubling(armed: Arc<AtomicBool>) -> MigrationDef {
    MigrationDef::new(2, "double balances", move |m| {
        let armed = Arc::clone(&armed);
        Box::pin(async move {
            let mut seen = 0;
            m.rows("accounts")
                .try_backfill(vec![], move |row| {
                    seen += 1;
                    if armed.load(Ordering::SeqCst) && seen == FAIL_AT {
                        return Err(Error::Internal(format!("the backfill broke at row {seen}")));
                    }
                    let balance = row.0["balance"].as_i64().unwrap_or_default();
                    Ok(Some(doc(json!({ "balance": balance * 2 }))))
                })
                .await?;
            Ok(())
        })
    })
}

/// Version 1 and `ROWS` accounts, balance `i + 1`, each readable by its own user.
async fn seed(f: &Fixture, rows: usize) {
    Migrator::new([&accounts_v1()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let docs: Vec<Document> = (0..rows)
        .map(|i| {
            doc(json!({
                "$id": format!("a{i:04}"),
                "email": format!("u{i}@example.com"),
                "balance": i + 1,
                "$permissions": [format!("read(\"user:u{i}\")")],
            }))
        })
        .collect();
    f.db.rows("accounts").insert_many(&docs).await.unwrap();
}

/// Every row with every value, permissions and timestamps (`$sequence` apart: a restore
/// numbers rows anew).
async fn snapshot(db: &Database) -> Vec<Document> {
    let rows = db
        .rows("accounts")
        .query()
        .with(Query::order_asc("$id"))
        .all()
        .await
        .unwrap();
    rows.into_iter()
        .map(|row: Row| {
            let mut doc = row.0;
            doc.remove("$sequence");
            doc
        })
        .collect()
}

fn balance(row: &Document) -> i64 {
    row["balance"].as_i64().unwrap()
}

async fn column_keys(db: &Database, table: &str) -> Vec<String> {
    let live = db.backend().get_table(db.id(), table).await.unwrap();
    live.columns.into_iter().map(|c| c.schema.key).collect()
}

fn migrate_error(e: &Error) -> &MigrateError {
    e.migrate()
        .unwrap_or_else(|| panic!("a migration error expected, got {e}"))
}

async fn a_step_failing_halfway_is_restored(kind: Kind) {
    let f = Fixture::new(kind).await;
    seed(&f, ROWS).await;
    let before = snapshot(&f.db).await;
    let armed = Arc::new(AtomicBool::new(true));
    let options = f
        .options()
        .backup_before_destructive(f.dir.path().join("versions"))
        .restore_on_failure(true);
    let binary = Migrator::new(&v2_tables(), [doubling(Arc::clone(&armed))]).with_options(options);
    let err = binary.run(&f.db).await.unwrap_err();

    let message = err.to_string();
    assert!(
        message.contains("version 2 (double balances) failed: "),
        "{message}"
    );
    assert!(
        message.contains("the backfill broke at row 1500"),
        "{message}"
    );
    assert!(message.contains("; restored from "), "{message}");
    let MigrateError::VersionFailed { source, .. } = migrate_error(&err) else {
        panic!("{err}");
    };
    let Some(MigrateError::Restored { source, restored }) = source.migrate() else {
        panic!("{source}");
    };
    assert!(source.to_string().contains("broke at row 1500"), "{source}");
    assert!(restored.starts_with(f.dir.path().join("versions")));
    assert_eq!(
        migrate_error(&err).restored_from(),
        Some(restored.as_path())
    );

    // Every row exactly as before; the version's column and table are gone.
    assert_eq!(snapshot(&f.db).await, before);
    assert_eq!(column_keys(&f.db, "accounts").await, ["email", "balance"]);
    assert!(
        f.db.backend()
            .get_table(f.db.id(), "ledger")
            .await
            .unwrap_err()
            .is_not_found()
    );

    // The history records the failure and the restore, and no backfill progress.
    let status = binary.status(&f.db).await.unwrap();
    assert_eq!(status.applied, 1);
    let entry = status.history.iter().find(|e| e.version == 2).unwrap();
    assert_eq!(entry.status, VersionStatus::Failed);
    assert!(entry.error.contains("broke at row 1500"), "{}", entry.error);
    assert!(
        entry
            .error
            .contains(&format!("restored from {}", restored.display())),
        "{}",
        entry.error
    );
    assert!(!entry.checkpoint.contains("a0"), "{}", entry.checkpoint);

    // Fixed, the version starts over rather than resuming: every balance doubled once.
    armed.store(false, Ordering::SeqCst);
    let report = binary.run(&f.db).await.unwrap();
    let v2 = report.version(2).unwrap();
    assert_eq!(v2.backfills[0].resumed_after, None);
    assert_eq!(v2.backfills[0].written, ROWS as u64);
    let after = snapshot(&f.db).await;
    assert_eq!(after.len(), ROWS);
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(balance(new), balance(old) * 2, "{}", old["$id"]);
    }
}

/// Without `restore_on_failure` (a failed check would still restore), a step failing halfway
/// leaves its rows half-changed, by design: the next run resumes where it stopped.
async fn without_the_option_a_failed_step_resumes(kind: Kind) {
    let f = Fixture::new(kind).await;
    seed(&f, ROWS).await;
    let before = snapshot(&f.db).await;
    let armed = Arc::new(AtomicBool::new(true));
    let options = f
        .options()
        .backup_before_destructive(f.dir.path().join("versions"))
        .restore_on_failed_check(true);
    let binary = Migrator::new(&v2_tables(), [doubling(Arc::clone(&armed))]).with_options(options);
    let err = binary.run(&f.db).await.unwrap_err();
    assert!(err.to_string().contains("broke at row 1500"), "{err}");
    assert!(!err.to_string().contains("restored"), "{err}");
    assert_eq!(migrate_error(&err).restored_from(), None);

    // Some rows doubled, the others untouched.
    let half = snapshot(&f.db).await;
    let doubled = before
        .iter()
        .zip(&half)
        .filter(|(old, new)| balance(new) == balance(old) * 2)
        .count();
    let untouched = before
        .iter()
        .zip(&half)
        .filter(|(old, new)| balance(new) == balance(old))
        .count();
    assert!(
        doubled > 0 && doubled < FAIL_AT,
        "{doubled} rows doubled before the failure"
    );
    assert_eq!(doubled + untouched, ROWS);
    assert!(
        column_keys(&f.db, "accounts")
            .await
            .contains(&"note".into())
    );

    // The next run resumes after the last page written: every balance doubled exactly once.
    armed.store(false, Ordering::SeqCst);
    let report = binary.run(&f.db).await.unwrap();
    let v2 = report.version(2).unwrap();
    assert!(v2.resumed);
    assert!(v2.backfills[0].resumed_after.is_some());
    assert_eq!(v2.backfills[0].written, (ROWS - doubled) as u64);
    let after = snapshot(&f.db).await;
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(balance(new), balance(old) * 2, "{}", old["$id"]);
    }
}

/// A schema-only version whose unique index fails on duplicates: the column it added before
/// the index is removed again, since the table is restored from the backup taken before it.
async fn a_failed_schema_operation_is_restored(kind: Kind) {
    let f = Fixture::new(kind).await;
    seed(&f, 20).await;
    f.db.rows("accounts")
        .update("a0007", &doc(json!({ "email": "u3@example.com" })))
        .await
        .unwrap();
    let before = snapshot(&f.db).await;
    let v2 = accounts_v1()
        .column(ColumnSchema::integer("rank").since(2))
        .index(IndexSchema::new("unique_email", IndexKind::Unique, ["email"]).since(2));
    // No `backup_before_destructive`: the backup goes under `backups` (the fixture's directory).
    let options = f.options().restore_on_failure(true);
    let err = Migrator::new([&v2], [])
        .with_options(options)
        .run(&f.db)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("unique_email"), "{message}");
    assert!(message.contains("; restored from "), "{message}");
    let restored = migrate_error(&err).restored_from().unwrap();
    assert!(restored.starts_with(f.dir.path()), "{}", restored.display());

    assert_eq!(snapshot(&f.db).await, before);
    let live =
        f.db.backend()
            .get_table(f.db.id(), "accounts")
            .await
            .unwrap();
    assert!(live.column("rank").is_none());
    assert!(live.index("unique_email").is_none());
}

/// A failed check is restored with `restore_on_failure` alone.
async fn a_failed_check_is_restored(kind: Kind) {
    let f = Fixture::new(kind).await;
    seed(&f, 50).await;
    let before = snapshot(&f.db).await;
    let zeroing = MigrationDef::new(2, "zero balances", |m| {
        Box::pin(async move {
            m.rows("accounts")
                .update_where(&[], &doc(json!({ "balance": 0 })))
                .await?;
            Ok(())
        })
    })
    .check("no balance lost", |m| {
        Box::pin(async move {
            let zero = m
                .db()
                .rows("accounts")
                .query()
                .with(Query::equal("balance", [0]))
                .count()
                .await?;
            if zero > 0 {
                return Err(check_failed(format!("{zero} zero balance(s)")));
            }
            Ok(())
        })
    });
    let err = Migrator::new(&v2_tables(), [zeroing])
        .with_options(f.options().restore_on_failure(true))
        .run(&f.db)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("check \"no balance lost\" failed: 50 zero balance(s); restored from"),
        "{message}"
    );
    assert!(migrate_error(&err).restored_from().is_some());
    assert_eq!(snapshot(&f.db).await, before);
    assert_eq!(column_keys(&f.db, "accounts").await, ["email", "balance"]);
}

/// Restoring needs a backup: with backups off, the run is refused before any request.
async fn restoring_without_backups_is_refused_first(kind: Kind) {
    let f = Fixture::new(kind).await;
    f.counter.reset();
    let options = MigrateOptions::default()
        .without_backups()
        .restore_on_failure(true);
    let err = Migrator::new([&accounts_v1()], [])
        .with_options(options)
        .run(&f.db)
        .await
        .unwrap_err();
    assert!(
        matches!(migrate_error(&err), MigrateError::RestoreWithoutBackup),
        "{err}"
    );
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert_eq!(f.counter.requests(), 0);
}

/// Version 1: the linked tables of `backup_support::linked`, with their rows and links.
async fn seed_linked(f: &Fixture) {
    Migrator::new(&linked::schemas(), [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    linked::seed(&f.db).await;
}

/// A step that relinks rows on both sides of relationships and then fails: every row and
/// every link is restored.
async fn a_failed_step_over_linked_tables_is_restored(kind: Kind) {
    let f = Fixture::new(kind).await;
    seed_linked(&f).await;
    let before = linked::snapshot(&f.db).await;
    let relinking = MigrationDef::new(2, "relink", |m| {
        Box::pin(async move {
            let db = m.db();
            let moved = json!({ "books": ["b5"], "profile": "p3" });
            db.rows("authors").update("a1", &doc(moved)).await?;
            db.rows("books")
                .update("b2", &doc(json!({ "tags": [], "publisher": "pub2" })))
                .await?;
            db.rows("tags").delete("t1").await?;
            Err(Error::Internal("the step broke after relinking".into()))
        })
    });
    let err = Migrator::new(&linked::schemas(), [relinking])
        .with_options(f.options().restore_on_failure(true))
        .run(&f.db)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("; restored from "), "{err}");
    assert_eq!(linked::snapshot(&f.db).await, before);
}

/// A schema-only version on `books` fails: `books` and every table linked to it are backed
/// up (dropping `books` deletes `authors.books`, the parent of its twin) and restored with
/// their links.
async fn a_failed_schema_operation_on_a_linked_table_is_restored(kind: Kind) {
    let f = Fixture::new(kind).await;
    seed_linked(&f).await;
    f.db.rows("books")
        .update("b2", &doc(json!({ "title": "One" })))
        .await
        .unwrap();
    let before = linked::snapshot(&f.db).await;
    let tables: Vec<TableSchema> = linked::schemas()
        .into_iter()
        .map(|t| match t.id.as_str() {
            "books" => t
                .column(ColumnSchema::integer("rank").since(2))
                .index(IndexSchema::new("unique_title", IndexKind::Unique, ["title"]).since(2)),
            _ => t,
        })
        .collect();
    let err = Migrator::new(&tables, [])
        .with_options(f.options().restore_on_failure(true))
        .run(&f.db)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unique_title"), "{err}");
    assert!(err.to_string().contains("; restored from "), "{err}");
    assert_eq!(linked::snapshot(&f.db).await, before);
    assert_eq!(
        linked::links(&before, "authors", "a1", "books"),
        json!(["b1", "b2"])
    );
    let live = f.db.backend().get_table(f.db.id(), "books").await.unwrap();
    assert!(live.column("rank").is_none());
}

on_both_backends!(
    a_failed_step_over_linked_tables_is_restored,
    a_failed_schema_operation_on_a_linked_table_is_restored,
    a_step_failing_halfway_is_restored,
    without_the_option_a_failed_step_resumes,
    a_failed_schema_operation_is_restored,
    a_failed_check_is_restored,
    restoring_without_backups_is_refused_first,
);
