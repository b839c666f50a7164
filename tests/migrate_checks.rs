//! Validation checks of a version, the backup taken before a destructive version, and its
//! restore when a check fails: on the embedded engine and through the emulator.

use std::sync::Arc;
use std::time::Duration;

use appwrite_orm::backend::Backend;
use appwrite_orm::backend::http::{ApiKey, HttpBackend, HttpConfig};
use appwrite_orm::backend::{Document, Row};
use appwrite_orm::migrate::{MigrateOptions, MigrationDef, Migrator, check_failed};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, TableSchema};
use appwrite_orm::{Database, Error};
use appwrite_orm_emulator::{EmulatorConfig, RunningEmulator, spawn};
use serde_json::json;

const ROWS: u64 = 300;

fn accounts_v1() -> TableSchema {
    TableSchema::new("accounts", "Accounts")
        .column(ColumnSchema::varchar("email", 100).required())
        .column(ColumnSchema::integer("balance"))
}

/// Version 2 adds a column and a table, and its step zeroes every balance (the bug the check
/// is there to catch).
fn v2_tables() -> Vec<TableSchema> {
    let accounts = accounts_v1().column(ColumnSchema::varchar("note", 50).since(2));
    let ledger = TableSchema::new("ledger", "Ledger")
        .since(2)
        .column(ColumnSchema::integer("amount").since(2));
    vec![accounts, ledger]
}

fn zeroing_step(zero: bool) -> MigrationDef {
    MigrationDef::new(2, "move balances", move |m| {
        Box::pin(async move {
            let balance = if zero { 0 } else { 1 };
            let data = json!({ "balance": balance });
            m.db()
                .rows("accounts")
                .update_where(&[Query::equal("balance", [0])], data.as_object().unwrap())
                .await?;
            if zero {
                m.db()
                    .rows("accounts")
                    .update_where(&[], data.as_object().unwrap())
                    .await?;
            }
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
                return Err(check_failed(format!(
                    "{zero} account(s) have a zero balance"
                )));
            }
            Ok(())
        })
    })
}

async fn seed(db: &Database) {
    Migrator::new([&accounts_v1()], []).run(db).await.unwrap();
    for i in 0..ROWS {
        let doc = json!({
            "$id": format!("a{i:04}"),
            "email": format!("u{i}@example.com"),
            "balance": i + 1,
            "$permissions": [format!("read(\"user:u{i}\")")],
        });
        db.rows("accounts")
            .create(&format!("a{i:04}"), doc.as_object().unwrap())
            .await
            .unwrap();
    }
}

fn comparable(row: Row) -> Document {
    let mut doc = row.0;
    doc.remove("$sequence");
    doc
}

async fn snapshot(db: &Database) -> Vec<Document> {
    db.rows("accounts")
        .query()
        .with(Query::order_asc("$id"))
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(comparable)
        .collect()
}

async fn column_keys(db: &Database, table: &str) -> Vec<String> {
    let live = db.backend().get_table(db.id(), table).await.unwrap();
    live.columns.into_iter().map(|c| c.schema.key).collect()
}

async fn a_failed_check_restores_the_backup(db: Database) {
    seed(&db).await;
    let before = snapshot(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let options = MigrateOptions::default()
        .backups_in(dir.path().join("drops"))
        .backup_before_destructive(dir.path().join("auto"))
        .restore_on_failed_check(true);
    let err = Migrator::new(&v2_tables(), [zeroing_step(true)])
        .with_options(options.clone())
        .run(&db)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("version 2 (move balances) failed"),
        "{message}"
    );
    assert!(
        message.contains("check \"no balance lost\" failed"),
        "{message}"
    );
    assert!(
        message.contains("300 account(s) have a zero balance"),
        "{message}"
    );
    assert!(message.contains("restored from"), "{message}");
    assert!(message.contains("auto/v2-"), "{message}");
    assert!(matches!(err, Error::Migrate(_)));

    // Rows, permissions and timestamps as before the version; its column and table are gone.
    assert_eq!(snapshot(&db).await, before);
    assert_eq!(column_keys(&db, "accounts").await, ["email", "balance"]);
    assert!(db.backend().get_table(db.id(), "ledger").await.is_err());
    let status = Migrator::new(&v2_tables(), [zeroing_step(true)])
        .status(&db)
        .await
        .unwrap();
    assert_eq!(status.applied, 1);

    // Fixed, the version passes its check and is applied.
    let report = Migrator::new(&v2_tables(), [zeroing_step(false)])
        .with_options(options)
        .run(&db)
        .await
        .unwrap();
    assert_eq!(report.to_version, 2);
    assert!(
        report.versions[0]
            .warnings
            .iter()
            .any(|w| w.contains("backed up before the version")),
        "{:?}",
        report.versions[0].warnings
    );
    assert_eq!(snapshot(&db).await.len() as u64, ROWS);
}

async fn a_failed_check_without_restore_says_so(db: Database) {
    seed(&db).await;
    let err = Migrator::new(&v2_tables(), [zeroing_step(true)])
        .with_options(MigrateOptions::default().restore_on_failed_check(true))
        .run(&db)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("have a zero balance"), "{message}");
    assert!(message.contains("nothing was restored"), "{message}");
    assert!(!message.contains("restored from"), "{message}");
}

async fn emulator() -> (Database, RunningEmulator) {
    let emulator = spawn(EmulatorConfig {
        column_delay: Duration::from_millis(20),
        ..EmulatorConfig::default()
    })
    .await
    .expect("start the emulator");
    let mut config = HttpConfig::new(
        emulator.endpoint(),
        emulator.project(),
        ApiKey::new(emulator.key()),
    );
    config.timeout = Duration::from_secs(30);
    let backend: Arc<dyn Backend> = Arc::new(HttpBackend::new(config).unwrap());
    let db = Database::ready(backend, "app").await.unwrap();
    (db, emulator)
}

#[tokio::test]
async fn embedded_a_failed_check_restores_the_backup() {
    a_failed_check_restores_the_backup(Database::in_memory().await.unwrap()).await;
}

#[tokio::test]
async fn http_a_failed_check_restores_the_backup() {
    let (db, _emulator) = emulator().await;
    a_failed_check_restores_the_backup(db).await;
}

#[tokio::test]
async fn embedded_a_failed_check_without_backup_restores_nothing() {
    a_failed_check_without_restore_says_so(Database::in_memory().await.unwrap()).await;
}

#[tokio::test]
async fn http_a_failed_check_without_backup_restores_nothing() {
    let (db, _emulator) = emulator().await;
    a_failed_check_without_restore_says_so(db).await;
}

/// `#[migration(check = ...)]`: the registered checks run like hand-built ones.
mod registered {
    use appwrite_orm::prelude::*;
    use appwrite_orm::query::Query;

    #[migration(version = 2, name = "zero everything", check = no_zero_balance)]
    async fn zero_everything(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
        let data = serde_json::json!({ "balance": 0 });
        m.db()
            .rows("accounts")
            .update_where(&[], data.as_object().unwrap_or(&Default::default()))
            .await?;
        Ok(())
    }

    async fn no_zero_balance(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
        let rows = m.db().rows("accounts");
        let zero = rows
            .query()
            .with(Query::equal("balance", [0]))
            .count()
            .await?;
        if zero > 0 {
            return Err(appwrite_orm::migrate::check_failed(format!(
                "{zero} zero balance(s)"
            )));
        }
        Ok(())
    }
}

#[tokio::test]
async fn checks_named_in_the_attribute_run_and_restore() {
    let db = Database::in_memory().await.unwrap();
    seed(&db).await;
    let before = snapshot(&db).await;
    let migrations = appwrite_orm::migrate::registered_in("migrate_checks::registered");
    assert_eq!(migrations.len(), 1);
    assert_eq!(migrations[0].check_names(), ["no_zero_balance"]);
    let dir = tempfile::tempdir().unwrap();
    let err = Migrator::new([&accounts_v1()], migrations)
        .with_options(
            MigrateOptions::default()
                .backup_before_destructive(dir.path())
                .restore_on_failed_check(true),
        )
        .run(&db)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("check \"no_zero_balance\" failed: 300 zero balance(s); restored from"),
        "{message}"
    );
    assert_eq!(snapshot(&db).await, before);
}
