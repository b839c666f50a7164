//! Acknowledged lint findings (`#[migration(allow = "...")]`, `MigrationDef::allow`), each case
//! on the embedded engine and over HTTP through the emulator: lint marks the findings of the
//! codes a version allows and leaves them out of the errors while other codes still count; the
//! history row of an applied version records the codes, read back through `status` (and the
//! CLI's), a history made before the column existed gains it when a version needs it, and an
//! acknowledgement added later does not make an applied migration look edited; what
//! `#[migration(allow = ...)]` registers, outside the checksum.

#![allow(clippy::duplicated_attributes)]

mod migrate_support;

use std::time::Duration;

use appwrite_orm::Database;
use appwrite_orm::backend::Document;
use appwrite_orm::cli::{self, Exit};
use appwrite_orm::migrate::lint::codes;
use appwrite_orm::migrate::{
    MigrateError, MigrateOptions, MigrationDef, Migrator, Severity, VersionState,
};
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};
use migrate_support::{Fixture, Kind};
use serde_json::{Value, json};

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

fn users_v1() -> TableSchema {
    TableSchema::new("users", "Users")
        .column(ColumnSchema::varchar("email", 100))
        .column(ColumnSchema::varchar("nick", 50))
}

async fn start(kind: Kind) -> Fixture {
    let fx = Fixture::new(kind).await;
    Migrator::new([&users_v1()], [])
        .with_options(fx.options())
        .run(&fx.db)
        .await
        .unwrap();
    fx
}

async fn insert(db: &Database, id: &str, data: Value) {
    db.rows("users").create(id, &doc(data)).await.unwrap();
}

/// Version 2's step: drops `nick` (with its values).
fn drop_nick() -> MigrationDef {
    MigrationDef::new(2, "retire nick", |m| {
        Box::pin(async move {
            m.drop_column("users", "nick").await?;
            Ok(())
        })
    })
}

/// A version with a step that does nothing.
fn noop(version: u32) -> MigrationDef {
    MigrationDef::new(version, format!("step {version}"), |_m| {
        Box::pin(async { Ok(()) })
    })
}

/// Version 2 drops `nick` without a backup directory (a `destructive` error) and creates a
/// unique index over duplicated emails (a `unique-duplicates` error); only the first is allowed.
async fn lint_acknowledges_what_a_version_allows(kind: Kind) {
    let fx = start(kind).await;
    for (id, email) in [("a", "x@x.io"), ("b", "x@x.io"), ("c", "y@x.io")] {
        insert(&fx.db, id, json!({"email": email, "nick": id})).await;
    }
    let v2 = users_v1().index(IndexSchema::new("by_email", IndexKind::Unique, ["email"]).since(2));
    let no_backups = MigrateOptions {
        backups: None,
        ..fx.options()
    };
    let lint = |migrations: Vec<MigrationDef>| {
        let migrator = Migrator::new([&v2], migrations).with_options(no_backups.clone());
        let db = fx.db.clone();
        async move { migrator.lint(&db).await.unwrap() }
    };

    let unacknowledged = lint(vec![drop_nick()]).await;
    let codes_found: Vec<(&str, Severity, bool)> = unacknowledged
        .findings()
        .iter()
        .map(|f| (f.code(), f.severity, f.acknowledged))
        .collect();
    assert_eq!(
        codes_found,
        [
            (codes::UNIQUE_DUPLICATES, Severity::Error, false),
            (codes::DESTRUCTIVE, Severity::Error, false),
        ]
    );

    let report = lint(vec![drop_nick().allow(codes::DESTRUCTIVE)]).await;
    let destructive = report.with_code(codes::DESTRUCTIVE).next().unwrap();
    assert!(destructive.acknowledged);
    assert_eq!(destructive.severity, Severity::Error);
    assert_eq!(destructive.rows(), Some(3));
    assert!(
        !report
            .with_code(codes::UNIQUE_DUPLICATES)
            .next()
            .unwrap()
            .acknowledged
    );
    assert!(report.has_errors(), "the duplicates still count: {report}");
    let text = report.to_string();
    assert!(
        text.starts_with("lint: version 1 → 2: 1 error, 0 warnings, 1 allowed"),
        "{text}"
    );
    assert!(
        text.contains("allowed destructive v2 users.nick: ") && text.contains("allowed by v2"),
        "{text}"
    );

    // A code allowed by another version acknowledges nothing here.
    let elsewhere = lint(vec![drop_nick(), noop(3).allow(codes::UNIQUE_DUPLICATES)]).await;
    assert!(elsewhere.findings().iter().all(|f| !f.acknowledged));

    let both = lint(vec![
        drop_nick()
            .allow(codes::DESTRUCTIVE)
            .allow(codes::UNIQUE_DUPLICATES),
    ])
    .await;
    assert!(both.findings().iter().all(|f| f.acknowledged));
    assert!(!both.has_errors(), "{both}");

    // The command line exits 0 when every error is acknowledged, and says so in JSON.
    let migrator = Migrator::new(
        [&v2],
        [drop_nick()
            .allow(codes::DESTRUCTIVE)
            .allow(codes::UNIQUE_DUPLICATES)],
    )
    .with_options(no_backups.clone());
    let (exit, json) = run_cli(&fx.db, &migrator, &["lint", "--json"]).await;
    assert_eq!(exit, Exit::Ok, "{json}");
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["findings"][0]["acknowledged"], true);
    assert_eq!(value["findings"][1]["acknowledged"], true);
}

async fn run_cli(db: &Database, migrator: &Migrator, args: &[&str]) -> (Exit, String) {
    let mut out = Vec::new();
    let argv = std::iter::once("migrate").chain(args.iter().copied());
    let exit = cli::execute(argv, migrator, Some(db), &mut out).await;
    (exit, String::from_utf8_lossy(&out).into_owned())
}

/// The codes are recorded when the version is applied and read back through `status`.
async fn history_records_the_allowed_codes(kind: Kind) {
    let fx = start(kind).await;
    insert(&fx.db, "a", json!({"email": "a@x.io", "nick": "a"})).await;
    let v2 = drop_nick().allow(codes::DESTRUCTIVE);
    let migrator = Migrator::new([&users_v1()], [v2.clone(), noop(3)]).with_options(fx.options());
    let report = migrator.run(&fx.db).await.unwrap();
    assert_eq!(report.version(2).unwrap().allowed, [codes::DESTRUCTIVE]);
    assert!(report.version(3).unwrap().allowed.is_empty());
    assert!(
        report.to_string().contains("  version 2 \"retire nick\"")
            && report
                .to_string()
                .contains("    lint allowed: destructive\n"),
        "{report}"
    );

    let status = migrator.status(&fx.db).await.unwrap();
    let allowed: Vec<(u32, Vec<String>)> = status
        .versions
        .iter()
        .map(|line| (line.version, line.allowed.clone()))
        .collect();
    assert_eq!(
        allowed,
        [
            (1, vec![]),
            (2, vec![codes::DESTRUCTIVE.to_owned()]),
            (3, vec![])
        ]
    );
    let entry = status.history.iter().find(|e| e.version == 2).unwrap();
    assert_eq!(entry.allowed, [codes::DESTRUCTIVE]);

    let (exit, text) = run_cli(&fx.db, &migrator, &["status"]).await;
    assert_eq!(exit, Exit::Ok, "{text}");
    assert!(text.contains("lint allowed: destructive"), "{text}");
    let (_, json) = run_cli(&fx.db, &migrator, &["status", "--json"]).await;
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["versions"][1]["allowed"], json!(["destructive"]));

    // Allowing another code later is no edit: nothing pending, no history issue, and the
    // history keeps what was allowed when the version ran.
    let later = Migrator::new(
        [&users_v1()],
        [
            v2.allow(codes::REQUIRED_WITHOUT_VALUE),
            noop(3).allow(codes::UNIQUE_DUPLICATES),
        ],
    )
    .with_options(fx.options());
    fx.counter.reset();
    let again = later.run(&fx.db).await.unwrap();
    assert!(again.nothing_pending);
    assert_eq!(fx.counter.requests(), 1);
    let status = later.status(&fx.db).await.unwrap();
    assert!(status.issues.is_empty(), "{:?}", status.issues);
    assert!(
        status
            .versions
            .iter()
            .all(|line| line.state == VersionState::Applied)
    );
    assert_eq!(status.versions[1].allowed, [codes::DESTRUCTIVE]);
    assert!(status.versions[2].allowed.is_empty());
}

/// A history table made before the `allowed` column existed: its rows read as allowing
/// nothing, a version that allows nothing is recorded without the column, and the first
/// version that allows a code adds the column (waiting until it is available) and records it.
async fn an_older_history_gains_the_column(kind: Kind) {
    let fx = start(kind).await;
    fx.db
        .backend()
        .delete_column("app", "orm_migrations", "allowed")
        .await
        .unwrap();
    wait_until_gone(&fx.db, "orm_migrations", "allowed").await;

    let v2 = Migrator::new([&users_v1()], [noop(2)]).with_options(fx.options());
    v2.run(&fx.db).await.unwrap();
    let history = fx.db.backend().get_table("app", "orm_migrations").await;
    assert!(history.unwrap().column("allowed").is_none());
    let status = v2.status(&fx.db).await.unwrap();
    assert!(status.versions.iter().all(|line| line.allowed.is_empty()));

    let v3 = Migrator::new(
        [&users_v1()],
        [noop(2), noop(3).allow(codes::REQUIRED_WITHOUT_VALUE)],
    )
    .with_options(fx.options());
    v3.run(&fx.db).await.unwrap();
    let status = v3.status(&fx.db).await.unwrap();
    assert_eq!(status.applied, 3);
    assert_eq!(status.versions[2].allowed, [codes::REQUIRED_WITHOUT_VALUE]);
    assert!(status.versions[1].allowed.is_empty());
}

async fn wait_until_gone(db: &Database, table: &str, key: &str) {
    for _ in 0..200 {
        let live = db.backend().get_table("app", table).await.unwrap();
        if live.column(key).is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("column {key} of {table} was not deleted");
}

/// A hand-built migration allowing a code lint does not know is refused before anything is
/// written.
async fn an_unknown_code_is_refused(kind: Kind) {
    let fx = Fixture::new(kind).await;
    let typo = noop(2).allow("destructve");
    let migrator = Migrator::new([&users_v1()], [typo]).with_options(fx.options());
    let err = migrator.run(&fx.db).await.unwrap_err();
    assert!(
        matches!(
            err.migrate(),
            Some(MigrateError::UnknownLintCode { code, .. }) if code == "destructve"
        ),
        "{err}"
    );
    assert!(err.to_string().contains("step 2"), "{err}");
    assert!(migrator.lint(&fx.db).await.is_err());
    let missing = fx.db.backend().get_table("app", "orm_migrations").await;
    assert!(missing.unwrap_err().is_not_found());
}

/// What `#[migration]` registers: the codes in the order written, the key repeated or not.
/// The same function under two attributes, one allowing codes and one not.
mod registered {
    pub mod allowing {
        use appwrite_orm::prelude::*;

        #[migration(
            version = 7,
            allow("destructive", "unique-duplicates"),
            allow = "narrowing-violated"
        )]
        async fn tidy(_m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
            Ok(())
        }
    }

    pub mod plain {
        use appwrite_orm::prelude::*;

        #[migration(version = 8)]
        async fn tidy(_m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
            Ok(())
        }
    }
}

#[test]
fn the_attribute_registers_its_codes_outside_the_checksum() {
    let defs = appwrite_orm::migrate::registered_in(&format!("{}::registered", module_path!()));
    let allowed: Vec<(u32, Vec<&str>)> = defs
        .iter()
        .map(|d| (d.version, d.allowed().iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        allowed,
        [
            (
                7,
                vec![
                    codes::DESTRUCTIVE,
                    codes::UNIQUE_DUPLICATES,
                    codes::NARROWING_VIOLATED
                ]
            ),
            (8, vec![]),
        ]
    );
    assert_eq!(defs[0].checksum.len(), 64);
    assert_eq!(defs[0].checksum, defs[1].checksum);
}

on_both_backends!(
    lint_acknowledges_what_a_version_allows,
    history_records_the_allowed_codes,
    an_older_history_gains_the_column,
    an_unknown_code_is_refused,
);
