//! The lint checks that follow steps and the history (`step-reads-dropped-column`,
//! `relationship-cascade`, `history-…`), `MigrateOptions::lint_before_run` and
//! `migrate verify --lint`, each case on the embedded engine and over HTTP through the
//! emulator: a finding with its exact count and none where there is nothing to find, with
//! proof that lint sent no write of any kind.

#![allow(clippy::duplicated_attributes)]

mod migrate_support;

use appwrite_orm::Database;
use appwrite_orm::backend::Document;
use appwrite_orm::cli::{self, Exit};
use appwrite_orm::migrate::{
    LINT_REQUEST_BUDGET, LintReport, MigrateError, MigrateOptions, MigrationDef, Migrator,
    Severity, StepFn,
};
use appwrite_orm::prelude::*;
use appwrite_orm::query::Query;
use appwrite_orm::schema::{
    ColumnKind, ColumnSchema, IndexKind, IndexSchema, OnDelete, RelationSide, RelationType,
    Relationship, TableSchema,
};
use migrate_support::{Fixture, Kind};
use serde_json::{Value, json};

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

async fn insert(db: &Database, table: &str, id: &str, data: Value) {
    db.rows(table).create(id, &doc(data)).await.unwrap();
}

/// Lints with the fixture's counter reset, and proves that nothing but reads was sent.
async fn lint(fx: &Fixture, migrator: &Migrator) -> LintReport {
    fx.counter.reset();
    let report = migrator
        .lint_with_budget(&fx.db, LINT_REQUEST_BUDGET)
        .await
        .unwrap();
    assert_reads_only(fx);
    report
}

fn assert_reads_only(fx: &Fixture) {
    let operations = fx.counter.by_operation();
    for operation in operations.keys() {
        assert!(
            operation.starts_with("get_") || operation.starts_with("list_"),
            "a write was sent: {operation} ({operations:?})"
        );
    }
    assert!(fx.counter.rows_written().is_empty());
}

fn users_v1() -> TableSchema {
    TableSchema::new("users", "Users")
        .column(ColumnSchema::varchar("email", 100))
        .column(ColumnSchema::varchar("nick", 50))
}

/// The struct of `users` as an older part of the code still reads it.
#[derive(Table, Debug, Clone)]
#[table(id = "users", name = "Users")]
pub struct User {
    #[column(id)]
    pub id: RowId,
    #[column(size = 100)]
    pub email: Option<String>,
    #[column(size = 50)]
    pub nick: Option<String>,
}

async fn start(kind: Kind, tables: &[&TableSchema]) -> Fixture {
    let fx = Fixture::new(kind).await;
    Migrator::new(tables.iter().copied(), [])
        .with_options(fx.options())
        .run(&fx.db)
        .await
        .unwrap();
    fx
}

fn step(version: u32, name: &'static str, f: StepFn) -> MigrationDef {
    MigrationDef::new(version, name, f)
}

/// Version 2 copies `nick` into `email` where it is missing, then drops `nick`.
fn copy_then_drop() -> MigrationDef {
    step(2, "retire nick", |m| {
        Box::pin(async move {
            let rows = m
                .rows("users")
                .query()
                .with(Query::is_not_null("nick"))
                .with(Query::select(["nick"]))
                .all()
                .await?;
            for row in rows {
                let nick = row.0.get("nick").cloned().unwrap_or(Value::Null);
                m.rows("users")
                    .update(row.id(), &doc(json!({ "email": nick })))
                    .await?;
            }
            m.drop_column("users", "nick").await?;
            Ok(())
        })
    })
}

async fn reads_of_dropped_columns(kind: Kind) {
    let fx = start(kind, &[&users_v1()]).await;
    insert(&fx.db, "users", "u1", json!({"nick": "ann"})).await;

    // Read, then drop, in one step: nothing to say.
    let fine = Migrator::new([&users_v1()], [copy_then_drop()]).with_options(fx.options());
    let report = lint(&fx, &fine).await;
    assert_eq!(
        report.with_code("step-reads-dropped-column").count(),
        0,
        "{report}"
    );

    // Version 2 reads after its own drop; version 3 filters and orders on it, and reads the
    // model that still declares it.
    let read_after = step(2, "drop, then read", |m| {
        Box::pin(async move {
            m.drop_column("users", "nick").await?;
            m.rows("users")
                .query()
                .with(Query::select(["email", "nick"]))
                .all()
                .await?;
            Ok(())
        })
    });
    let later = step(3, "read the old nick", |m| {
        Box::pin(async move {
            m.rows("users")
                .query()
                .with(Query::or(vec![
                    Query::equal("nick", ["ann"]),
                    Query::is_null("email"),
                ]))
                .with(Query::order_asc("nick"))
                .all()
                .await?;
            m.table::<User>().count().await?;
            Ok(())
        })
    });
    let migrator = Migrator::new([&users_v1()], [read_after, later]).with_options(fx.options());
    let report = lint(&fx, &migrator).await;
    let found: Vec<(u32, &str, Option<&str>, &str, Severity)> = report
        .with_code("step-reads-dropped-column")
        .map(|f| {
            (
                f.version,
                f.table.as_str(),
                f.column.as_deref(),
                f.operation.as_str(),
                f.severity,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                2,
                "users",
                Some("nick"),
                "list_rows in version 2's step",
                Severity::Warning
            ),
            (
                3,
                "users",
                Some("nick"),
                "typed read in version 3's step",
                Severity::Warning
            ),
        ]
    );
    assert!(
        report.findings()[0]
            .message
            .contains("version 2's step drops it")
    );
    assert_eq!(report.findings()[0].rows(), None);
    // A read names what it names: `email` was never dropped.
    assert!(
        report
            .findings()
            .iter()
            .all(|f| f.column.as_deref() != Some("email"))
    );
    // The finding prints without a row count (it counts none).
    let text = report.to_string();
    assert!(
        text.contains("warning step-reads-dropped-column v2 users.nick"),
        "{text}"
    );
    assert!(!text.contains("not counted"), "{text}");
    // Nothing was dropped.
    let users = fx.db.backend().get_table("app", "users").await.unwrap();
    assert!(users.column("nick").is_some());
}

/// `books.author`: manyToOne to `authors`, two-way (`authors.books`), with `on_delete`.
fn books(on_delete: OnDelete) -> TableSchema {
    TableSchema::new("books", "Books")
        .column(ColumnSchema::varchar("title", 50))
        .column(ColumnSchema::new(
            "author",
            ColumnKind::Relationship(Relationship {
                related_table: "authors".into(),
                relation_type: RelationType::ManyToOne,
                two_way: true,
                two_way_key: Some("books".into()),
                on_delete,
                side: RelationSide::Parent,
            }),
        ))
}

fn authors() -> TableSchema {
    TableSchema::new("authors", "Authors").column(ColumnSchema::varchar("name", 50))
}

/// `reviews.book`: manyToOne to `books`, one-way, cascade.
fn reviews() -> TableSchema {
    TableSchema::new("reviews", "Reviews")
        .column(ColumnSchema::varchar("text", 50))
        .column(ColumnSchema::new(
            "book",
            ColumnKind::Relationship(Relationship {
                on_delete: OnDelete::Cascade,
                ..Relationship::new("books", RelationType::ManyToOne)
            }),
        ))
}

/// a1 wrote b1 and b2, a2 wrote b3, a3 wrote nothing; b4 has no author. r1 and r2 review b3.
async fn library(kind: Kind, on_delete: OnDelete) -> Fixture {
    let fx = start(kind, &[&authors(), &books(on_delete), &reviews()]).await;
    for id in ["a1", "a2", "a3"] {
        insert(&fx.db, "authors", id, json!({"name": id})).await;
    }
    for (id, author) in [
        ("b1", json!("a1")),
        ("b2", json!("a1")),
        ("b3", json!("a2")),
        ("b4", json!(null)),
    ] {
        insert(&fx.db, "books", id, json!({"title": id, "author": author})).await;
    }
    for id in ["r1", "r2"] {
        insert(&fx.db, "reviews", id, json!({"text": id, "book": "b3"})).await;
    }
    fx
}

fn deleting(version: u32, table: &'static str, ids: &'static [&'static str]) -> MigrationDef {
    MigrationDef::new(version, "delete rows", move |m| {
        Box::pin(async move {
            for id in ids {
                m.rows(table).delete(id).await?;
            }
            Ok(())
        })
    })
}

/// A cascade finding: table, column, rows, example ids.
type Cascade<'r> = (&'r str, Option<&'r str>, Option<u64>, Vec<String>);

fn cascade_findings(report: &LintReport) -> Vec<Cascade<'_>> {
    report
        .with_code("relationship-cascade")
        .map(|f| {
            assert_eq!(f.severity, Severity::Warning);
            (
                f.table.as_str(),
                f.column.as_deref(),
                f.rows(),
                f.examples.clone(),
            )
        })
        .collect()
}

async fn cascades_of_deleted_rows(kind: Kind) {
    let fx = library(kind, OnDelete::Cascade).await;
    let tables = [authors(), books(OnDelete::Cascade), reviews()];
    let with = |def: MigrationDef| Migrator::new(tables.iter(), [def]).with_options(fx.options());

    // a1's two books go with it (the twin authors.books cascades from the "one" side); a3 has
    // none. Deleting b3 deletes its two reviews through the one-way reviews.book.
    let report = lint(&fx, &with(deleting(2, "authors", &["a1", "a3"]))).await;
    assert_eq!(
        cascade_findings(&report),
        [(
            "authors",
            Some("books"),
            Some(2),
            vec!["b1".to_owned(), "b2".into()]
        )]
    );
    assert!(
        report.findings()[0]
            .message
            .contains("2 related rows of books"),
        "{report}"
    );
    let report = lint(&fx, &with(deleting(2, "books", &["b3"]))).await;
    assert_eq!(
        cascade_findings(&report),
        [("books", None, Some(2), vec!["r1".to_owned(), "r2".into()])]
    );
    assert!(
        report.findings()[0].message.contains("reviews.book"),
        "{report}"
    );

    // Rows without links, or a side that does not cascade (books is the "many" of
    // books.author): nothing.
    assert!(cascade_findings(&lint(&fx, &with(deleting(2, "authors", &["a3"]))).await).is_empty());
    assert!(cascade_findings(&lint(&fx, &with(deleting(2, "books", &["b1"]))).await).is_empty());

    // A bulk delete names no row: noted, not counted.
    let bulk = MigrationDef::new(2, "delete in bulk", |m| {
        Box::pin(async move {
            m.rows("authors")
                .delete_where(&[Query::equal("name", ["a1"])])
                .await?;
            Ok(())
        })
    });
    let report = lint(&fx, &with(bulk)).await;
    assert!(cascade_findings(&report).is_empty(), "{report}");
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("deletes rows of authors in bulk")),
        "{report}"
    );

    // Nothing was deleted.
    assert_eq!(fx.db.rows("books").query().count().await.unwrap(), 4);
    assert_eq!(fx.db.rows("reviews").query().count().await.unwrap(), 2);
}

async fn set_null_does_not_cascade(kind: Kind) {
    let fx = library(kind, OnDelete::SetNull).await;
    let migrator = Migrator::new(
        [&authors(), &books(OnDelete::SetNull), &reviews()],
        [deleting(2, "authors", &["a1"])],
    )
    .with_options(fx.options());
    assert!(cascade_findings(&lint(&fx, &migrator).await).is_empty());

    // Version 2 turns books.author into cascade: the three books with an author are exposed.
    let cascading = Migrator::new(
        [&authors(), &books(OnDelete::Cascade), &reviews()],
        [deleting(2, "authors", &["a3"])],
    )
    .with_options(fx.options());
    let report = lint(&fx, &cascading).await;
    assert_eq!(
        cascade_findings(&report),
        [(
            "books",
            Some("author"),
            Some(3),
            vec!["b1".to_owned(), "b2".into(), "b3".into()]
        )]
    );
    assert!(
        report.findings()[0]
            .operation
            .contains("from setNull to cascade"),
        "{report}"
    );
    // Not changed by the lint.
    let live = fx.db.backend().get_table("app", "books").await.unwrap();
    let ColumnKind::Relationship(rel) = &live.column("author").unwrap().schema.kind else {
        panic!("books.author is a relationship");
    };
    assert_eq!(rel.on_delete, OnDelete::SetNull);
}

/// `shelves.items`: oneToMany to `items`, one-way (a to-many side: a list of links).
fn shelves(on_delete: OnDelete) -> TableSchema {
    TableSchema::new("shelves", "Shelves")
        .column(ColumnSchema::varchar("name", 20))
        .column(ColumnSchema::new(
            "items",
            ColumnKind::Relationship(Relationship {
                on_delete,
                ..Relationship::new("items", RelationType::OneToMany)
            }),
        ))
}

/// A to-many side becoming cascade: its rows holding a link are read page by page.
async fn to_many_side_becomes_cascading(kind: Kind) {
    let items = TableSchema::new("items", "Items").column(ColumnSchema::varchar("name", 20));
    let fx = start(kind, &[&items, &shelves(OnDelete::SetNull)]).await;
    for id in ["i1", "i2", "i3"] {
        insert(&fx.db, "items", id, json!({"name": id})).await;
    }
    for (id, links) in [
        ("s1", json!(["i1", "i2"])),
        ("s2", json!([])),
        ("s3", json!(["i3"])),
    ] {
        insert(&fx.db, "shelves", id, json!({"name": id, "items": links})).await;
    }
    let unchanged =
        Migrator::new([&items, &shelves(OnDelete::SetNull)], []).with_options(fx.options());
    assert!(cascade_findings(&lint(&fx, &unchanged).await).is_empty());

    let cascading =
        Migrator::new([&items, &shelves(OnDelete::Cascade)], []).with_options(fx.options());
    let report = lint(&fx, &cascading).await;
    assert_eq!(
        cascade_findings(&report),
        [(
            "shelves",
            Some("items"),
            Some(2),
            vec!["s1".to_owned(), "s3".into()]
        )]
    );
    assert_eq!(report.requests, 1, "one page of shelves");
}

fn checked(version: u32, checksum: &str) -> MigrationDef {
    MigrationDef::new(version, "a step", |_m| Box::pin(async { Ok(()) })).with_checksum(checksum)
}

async fn history_issues_are_findings(kind: Kind) {
    let fx = Fixture::new(kind).await;
    Migrator::new([&users_v1()], [checked(1, "a")])
        .with_options(fx.options())
        .run(&fx.db)
        .await
        .unwrap();
    insert(
        &fx.db,
        "users",
        "u1",
        json!({"nick": "a much too long nick"}),
    )
    .await;
    let narrowed = TableSchema::new("users", "Users")
        .column(ColumnSchema::varchar("email", 100))
        .column(ColumnSchema::varchar("nick", 5).since(2));

    // The same binary: no history finding.
    let same = Migrator::new([&users_v1()], [checked(1, "a")]).with_options(fx.options());
    let report = lint(&fx, &same).await;
    assert!(report.findings().is_empty(), "{report}");

    // Version 1 was edited, and version 2 narrows nick: both are reported, and the plan was
    // still checked.
    let edited = Migrator::new([&narrowed], [checked(1, "b")]).with_options(fx.options());
    let report = lint(&fx, &edited).await;
    let codes: Vec<(&str, u32, Severity)> = report
        .findings()
        .iter()
        .map(|f| (f.code(), f.version, f.severity))
        .collect();
    assert_eq!(
        codes,
        [
            ("history-checksum-changed", 1, Severity::Error),
            ("narrowing-violated", 2, Severity::Error),
        ]
    );
    assert_eq!(report.versions, [2]);
    assert!(report.findings()[0].advice.contains("Migrator::repair"));
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("history does not match"))
    );

    // Version 1's migration is gone from the binary.
    let without = Migrator::new([&users_v1()], []).with_options(fx.options());
    let report = lint(&fx, &without).await;
    let codes: Vec<&str> = report.findings().iter().map(|f| f.code()).collect();
    assert_eq!(codes, ["history-missing-version"]);
    assert!(report.has_errors());
    let text = report.to_string();
    assert!(
        text.starts_with("lint: nothing pending (version 1): 1 error\nerror   history-missing-version v1 orm_migrations"),
        "{text}"
    );
}

async fn lint_before_run_refuses_before_any_write(kind: Kind) {
    let fx = Fixture::new(kind).await;
    // A table made by hand, with duplicates: the database has no history yet.
    fx.db
        .backend()
        .create_table("app", &users_v1())
        .await
        .unwrap();
    for id in ["d1", "d2"] {
        insert(&fx.db, "users", id, json!({"email": "same@x.io"})).await;
    }
    let unique = users_v1().index(IndexSchema::new("by_email", IndexKind::Unique, ["email"]));
    let guarded = MigrateOptions {
        lint_before_run: true,
        ..fx.options()
    };

    fx.counter.reset();
    let error = Migrator::new([&unique], [])
        .with_options(guarded.clone())
        .run(&fx.db)
        .await
        .unwrap_err();
    let Some(MigrateError::Lint(report)) = error.migrate() else {
        panic!("not refused by lint: {error}");
    };
    assert_eq!(report.findings()[0].code(), "unique-duplicates");
    assert_eq!(report.findings()[0].rows(), Some(2));
    assert!(
        error
            .to_string()
            .contains("error   unique-duplicates v1 users.email"),
        "{error}"
    );
    // Not a write: no lock, no history table, no index.
    assert_reads_only(&fx);
    assert!(
        fx.db
            .backend()
            .get_table("app", "orm_migrations")
            .await
            .is_err()
    );
    let live = fx.db.backend().get_table("app", "users").await.unwrap();
    assert!(live.indexes.is_empty());

    // Off by default: the run goes ahead and fails at the index, as lint said.
    let unguarded = Migrator::new([&unique], []).with_options(fx.options());
    let error = unguarded.run(&fx.db).await.unwrap_err();
    assert!(
        !matches!(error.migrate(), Some(MigrateError::Lint(_))),
        "{error}"
    );

    // Warnings do not stop it: a backed-up drop is a warning, and the run reports it.
    let dropping = step(2, "retire nick", |m| {
        Box::pin(async move {
            m.drop_column("users", "nick").await?;
            Ok(())
        })
    });
    fx.db
        .rows("users")
        .update("d2", &doc(json!({"email": "other@x.io", "nick": "n"})))
        .await
        .unwrap();
    let report = Migrator::new([&unique], [dropping])
        .with_options(guarded)
        .run(&fx.db)
        .await
        .unwrap();
    assert_eq!(report.to_version, 2);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("lint: destructive v2 users.nick: 1 row holds a value")),
        "{:?}",
        report.warnings
    );
}

async fn verify_with_lint(kind: Kind) {
    let fx = start(kind, &[&users_v1()]).await;
    insert(
        &fx.db,
        "users",
        "a",
        json!({"nick": "a much too long nick"}),
    )
    .await;
    let narrowed = TableSchema::new("users", "Users")
        .column(ColumnSchema::varchar("email", 100))
        .column(ColumnSchema::varchar("nick", 5).since(2));
    let run = |args: &'static [&'static str], migrator: Migrator| {
        let db = fx.db.clone();
        async move {
            let mut out = Vec::new();
            let argv = std::iter::once("migrate").chain(args.iter().copied());
            let exit = cli::execute(argv, &migrator, Some(&db), &mut out).await;
            (exit, String::from_utf8_lossy(&out).into_owned())
        }
    };
    let bad = Migrator::new([&narrowed], []).with_options(fx.options());
    let (exit, text) = run(&["verify", "--lint"], bad.clone()).await;
    assert_eq!(exit, Exit::Drift);
    assert!(text.starts_with("verify failed:\n  - version 2"), "{text}");
    assert!(
        text.contains("error   narrowing-violated v2 users.nick"),
        "{text}"
    );
    let (exit, json) = run(&["verify", "--lint", "--json"], bad).await;
    assert_eq!(exit, Exit::Drift);
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["ok"], false);
    assert_eq!(value["lint"]["findings"][0]["code"], "narrowing-violated");
    assert_eq!(value["lint"]["findings"][0]["rows"], 1);

    let fine = Migrator::new([&users_v1()], []).with_options(fx.options());
    let (exit, text) = run(&["verify", "--lint"], fine.clone()).await;
    assert_eq!(exit, Exit::Ok, "{text}");
    assert!(
        text.contains("ok: version 1") && text.contains("lint: nothing pending"),
        "{text}"
    );
    let (exit, json) = run(&["verify", "--lint", "--json"], fine).await;
    assert_eq!(exit, Exit::Ok);
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (value["ok"].clone(), value["lint"]["findings"].clone()),
        (json!(true), json!([]))
    );
}

/// An encrypted column cannot be filtered on: a check that would count its rows with a query
/// cannot count them, and says so as a warning instead of failing the lint.
async fn encrypted_columns_are_not_counted(kind: Kind) {
    let vault =
        TableSchema::new("vault", "Vault").column(ColumnSchema::varchar("secret", 200).encrypt());
    let fx = start(kind, &[&vault]).await;
    insert(&fx.db, "vault", "a", json!({"secret": "x".repeat(180)})).await;
    let narrowed = TableSchema::new("vault", "Vault")
        .column(ColumnSchema::varchar("secret", 160).encrypt().since(2));
    let report = lint(
        &fx,
        &Migrator::new([&narrowed], []).with_options(fx.options()),
    )
    .await;
    let found: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.code, f.severity, f.rows))
        .collect();
    assert_eq!(
        found,
        [("narrowing-violated", Severity::Warning, None)],
        "{report:?}"
    );
    assert!(
        report.findings[0].message.contains("encrypted"),
        "{}",
        report.findings[0].message
    );
}

on_both_backends!(
    reads_of_dropped_columns,
    cascades_of_deleted_rows,
    set_null_does_not_cascade,
    to_many_side_becomes_cascading,
    history_issues_are_findings,
    lint_before_run_refuses_before_any_write,
    verify_with_lint,
    encrypted_columns_are_not_counted,
);
