//! `Migrator::lint` and `migrate lint`, each case on the embedded engine and over HTTP through
//! the emulator: every check with a finding (exact counts, examples) and without, the request
//! budget's lower bounds, and proof that lint sends no write of any kind.

#![allow(clippy::duplicated_attributes)]

mod migrate_support;

use appwrite_orm::Database;
use appwrite_orm::backend::Document;
use appwrite_orm::cli::{self, Exit};
use appwrite_orm::migrate::{LintReport, MigrateOptions, MigrationDef, Migrator, Severity};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnKind, ColumnSchema, IndexKind, IndexSchema, TableSchema};
use migrate_support::{Fixture, Kind};
use serde_json::{Value, json};

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

/// `age`, an integer from 0 to `max`.
fn age(max: i64) -> ColumnSchema {
    let mut column = ColumnSchema::integer("age");
    column.kind = ColumnKind::Integer {
        min: Some(0),
        max: Some(max),
    };
    column
}

/// Version 1 with `changed` in place of the columns of the same key, and `added` appended.
fn users_with(changed: &[ColumnSchema]) -> TableSchema {
    let mut table = users_v1();
    for column in changed {
        match table.columns.iter_mut().find(|c| c.key == column.key) {
            Some(existing) => *existing = column.clone(),
            None => table.columns.push(column.clone()),
        }
    }
    table
}

/// Version 1: what the rows are written into.
fn users_v1() -> TableSchema {
    TableSchema::new("users", "Users")
        .column(ColumnSchema::varchar("email", 100))
        .column(ColumnSchema::varchar("nick", 50))
        .column(age(200))
        .column(ColumnSchema::enumeration("plan", ["free", "pro", "team"]))
        .column(ColumnSchema::varchar("note", 20))
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

/// Lints with the fixture's counter reset, and proves that nothing but reads was sent.
async fn lint(fx: &Fixture, migrator: &Migrator) -> LintReport {
    lint_with(fx, migrator, appwrite_orm::migrate::LINT_REQUEST_BUDGET).await
}

async fn lint_with(fx: &Fixture, migrator: &Migrator, budget: u64) -> LintReport {
    fx.counter.reset();
    let report = migrator.lint_with_budget(&fx.db, budget).await.unwrap();
    let operations = fx.counter.by_operation();
    for operation in operations.keys() {
        assert!(
            operation.starts_with("get_") || operation.starts_with("list_"),
            "lint sent a write: {operation} ({operations:?})"
        );
    }
    assert!(fx.counter.rows_written().is_empty());
    report
}

async fn unique_duplicates(kind: Kind) {
    let fx = start(kind).await;
    for i in 0..20 {
        insert(
            &fx.db,
            &format!("u{i:02}"),
            json!({"email": format!("u{i}@x.io")}),
        )
        .await;
    }
    // Nulls do not collide in a unique index.
    insert(&fx.db, "n1", json!({"nick": "no email"})).await;
    insert(&fx.db, "n2", json!({"nick": "no email"})).await;
    let v2 = users_v1().index(IndexSchema::new("by_email", IndexKind::Unique, ["email"]).since(2));
    let migrator = Migrator::new([&v2], []).with_options(fx.options());

    let clean = lint(&fx, &migrator).await;
    assert!(clean.findings().is_empty(), "{clean}");
    assert!(!clean.has_errors());
    assert_eq!(clean.versions, [2]);

    // Three values held twice, one three times: nine rows.
    for (id, twin) in [("d1", 1), ("d2", 2), ("d3", 3), ("d4", 4), ("d5", 4)] {
        insert(&fx.db, id, json!({"email": format!("u{twin}@x.io")})).await;
    }
    let report = lint(&fx, &migrator).await;
    assert!(report.has_errors());
    let [finding] = report.findings() else {
        panic!("one finding expected: {report}");
    };
    assert_eq!(finding.code(), "unique-duplicates");
    assert_eq!(finding.severity, Severity::Error);
    assert_eq!((finding.version, finding.table.as_str()), (2, "users"));
    assert_eq!(finding.column.as_deref(), Some("email"));
    assert_eq!(finding.rows(), Some(9));
    assert!(!finding.rows_at_least);
    assert_eq!(
        finding.values,
        [
            json!("u1@x.io"),
            json!("u2@x.io"),
            json!("u3@x.io"),
            json!("u4@x.io")
        ]
    );
    assert_eq!(finding.examples.len(), 5);
    assert!(
        finding
            .examples
            .iter()
            .all(|id| ["u01", "d1", "u02", "d2", "u03"].contains(&id.as_str()))
    );
    // A step does not help: the index is created before it runs.
    let with_step = Migrator::new([&v2], [noop(2)]).with_options(fx.options());
    let report = lint(&fx, &with_step).await;
    assert_eq!(report.findings()[0].severity, Severity::Error);
    // Nothing was written: the index is still missing and a run fails as lint said.
    let live = fx.db.backend().get_table("app", "users").await.unwrap();
    assert!(live.indexes.iter().all(|i| i.schema.key != "by_email"));
}

fn noop(version: u32) -> MigrationDef {
    MigrationDef::new(version, "a step", |_m| Box::pin(async { Ok(()) }))
}

/// Version 2 narrows `nick` to 10 characters, `age` to 0..=100 and drops the element `team`.
fn narrowed() -> TableSchema {
    TableSchema::new("users", "Users")
        .column(ColumnSchema::varchar("email", 100))
        .column(ColumnSchema::varchar("nick", 10))
        .column(age(100))
        .column(ColumnSchema::enumeration("plan", ["free", "pro"]))
        .column(ColumnSchema::varchar("note", 20))
}

async fn narrowing_violated(kind: Kind) {
    let fx = start(kind).await;
    for i in 0..12 {
        insert(
            &fx.db,
            &format!("ok{i:02}"),
            json!({"nick": "short", "age": 40, "plan": "pro"}),
        )
        .await;
    }
    let migrator = Migrator::new([&narrowed()], []).with_options(fx.options());
    let clean = lint(&fx, &migrator).await;
    assert!(clean.findings().is_empty(), "{clean}");

    for i in 0..3 {
        insert(
            &fx.db,
            &format!("long{i}"),
            json!({"nick": "ñ".repeat(11 + i)}),
        )
        .await;
    }
    // Exactly 10 characters (of two bytes each) still fits.
    insert(&fx.db, "edge", json!({"nick": "é".repeat(10)})).await;
    for (i, age) in [101, 150, 200].into_iter().enumerate() {
        insert(&fx.db, &format!("old{i}"), json!({"age": age})).await;
    }
    for i in 0..2 {
        insert(&fx.db, &format!("team{i}"), json!({"plan": "team"})).await;
    }
    let report = lint(&fx, &migrator).await;
    assert!(report.has_errors());
    let counts: Vec<(&str, Option<u64>, Vec<String>)> = report
        .with_code("narrowing-violated")
        .map(|f| (f.column.as_deref().unwrap(), f.rows(), f.examples.clone()))
        .collect();
    assert_eq!(
        counts,
        [
            (
                "nick",
                Some(3),
                vec!["long0".to_owned(), "long1".into(), "long2".into()]
            ),
            (
                "age",
                Some(3),
                vec!["old0".to_owned(), "old1".into(), "old2".into()]
            ),
            ("plan", Some(2), vec!["team0".to_owned(), "team1".into()]),
        ]
    );
    assert!(
        report
            .findings()
            .iter()
            .all(|f| f.severity == Severity::Error)
    );
    assert_eq!(report.findings().len(), 3);
    assert!(
        report.findings()[0]
            .message
            .contains("column_invalid_resize")
    );
    assert!(report.findings()[1].message.contains("every later update"));
    // What lint announced: the run stops at the shrink.
    let error = migrator.run(&fx.db).await.unwrap_err();
    assert!(error.to_string().contains("nick"), "{error}");
}

async fn budget_gives_lower_bounds(kind: Kind) {
    let fx = start(kind).await;
    let rows: Vec<Document> = (0..150)
        .map(|i| doc(json!({"$id": format!("r{i:03}"), "nick": "x".repeat(20)})))
        .collect();
    for chunk in rows.chunks(100) {
        fx.db
            .backend()
            .create_rows("app", "users", chunk)
            .await
            .unwrap();
    }
    let only_nick = users_with(&[ColumnSchema::varchar("nick", 10)]);
    let migrator = Migrator::new([&only_nick], []).with_options(fx.options());

    let full = lint(&fx, &migrator).await;
    assert_eq!(full.findings()[0].rows(), Some(150));
    assert!(!full.findings()[0].rows_at_least);
    assert_eq!(full.requests, 2);

    let cut = lint_with(&fx, &migrator, 1).await;
    let finding = &cut.findings()[0];
    assert_eq!((finding.rows(), finding.rows_at_least), (Some(100), true));
    assert_eq!(finding.rows_text(), "at least 100");
    assert_eq!(cut.requests, 1);
    assert!(cut.to_string().contains("rows: at least 100"), "{cut}");

    let none = lint_with(&fx, &migrator, 0).await;
    let finding = &none.findings()[0];
    assert_eq!(finding.rows(), None);
    assert_eq!(finding.severity, Severity::Warning);
}

async fn required_without_value(kind: Kind) {
    let fx = start(kind).await;
    for i in 0..6 {
        let note = if i < 4 { json!(null) } else { json!("kept") };
        insert(
            &fx.db,
            &format!("u{i}"),
            json!({"note": note, "email": "e"}),
        )
        .await;
    }
    // `note` becomes required, `code` is created required without a default; `tier`, optional
    // with a default, is written into every row.
    let v2 = users_with(&[
        ColumnSchema::varchar("note", 20).required(),
        ColumnSchema::varchar("code", 8).required().since(2),
        ColumnSchema::varchar("tier", 8)
            .default_value("basic")
            .since(2),
    ]);

    let report = lint(&fx, &Migrator::new([&v2], []).with_options(fx.options())).await;
    let found: Vec<(&str, Option<u64>, Severity)> = report
        .with_code("required-without-value")
        .map(|f| (f.column.as_deref().unwrap(), f.rows(), f.severity))
        .collect();
    assert_eq!(
        found,
        [
            ("note", Some(4), Severity::Error),
            ("code", Some(6), Severity::Error)
        ]
    );
    assert_eq!(report.findings()[0].examples, ["u0", "u1", "u2", "u3"]);

    // With a step, lint sees what it writes: this one writes neither column, so both stay
    // errors, with the same counts.
    let stepped = Migrator::new([&v2], [noop(2)]).with_options(fx.options());
    let report = lint(&fx, &stepped).await;
    let found: Vec<(&str, Option<u64>, Severity)> = report
        .with_code("required-without-value")
        .map(|f| (f.column.as_deref().unwrap(), f.rows(), f.severity))
        .collect();
    assert_eq!(
        found,
        [
            ("note", Some(4), Severity::Error),
            ("code", Some(6), Severity::Error)
        ],
        "{report}"
    );
    assert!(report.has_errors());
    assert!(
        report.findings()[0]
            .message
            .contains("version 2's step does not write that column")
    );

    // Every row has a note: nothing to say about it.
    let only_note = users_with(&[ColumnSchema::varchar("note", 20).required()]);
    for i in 0..4 {
        fx.db
            .rows("users")
            .update(&format!("u{i}"), &doc(json!({"note": "now"})))
            .await
            .unwrap();
    }
    let report = lint(
        &fx,
        &Migrator::new([&only_note], []).with_options(fx.options()),
    )
    .await;
    assert!(report.findings().is_empty(), "{report}");
}

/// A version 2 step that writes `note` into the rows lacking one, but those in `skip`.
fn filling_step(skip: &'static [&'static str]) -> MigrationDef {
    MigrationDef::new(2, "fill the notes", move |m| {
        Box::pin(async move {
            m.rows("users")
                .backfill(vec![Query::is_null("note")], |row| {
                    (!skip.contains(&row.id())).then(|| doc(json!({"note": "filled"})))
                })
                .await?;
            Ok(())
        })
    })
}

/// 230 rows lack a `note` (three pages), 2 hold one.
async fn start_with_notes(kind: Kind) -> Fixture {
    let fx = start(kind).await;
    let rows: Vec<Document> = (0..232)
        .map(|i| {
            let note = if i >= 230 { json!("kept") } else { json!(null) };
            doc(json!({"$id": format!("r{i:03}"), "note": note}))
        })
        .collect();
    for chunk in rows.chunks(100) {
        fx.db
            .backend()
            .create_rows("app", "users", chunk)
            .await
            .unwrap();
    }
    fx
}

/// The step's recorded writes say which of the rows lacking a value it fills, one by one.
async fn required_filled_by_the_step(kind: Kind) {
    let fx = &start_with_notes(kind).await;
    let v2 = users_with(&[ColumnSchema::varchar("note", 20).required()]);
    let lint_step = |step: MigrationDef| {
        let migrator = Migrator::new([&v2], [step]).with_options(fx.options());
        async move { lint(fx, &migrator).await }
    };

    // Every row filled, one by one: nothing to say.
    let report = lint_step(filling_step(&[])).await;
    assert!(report.findings().is_empty(), "{report}");
    assert!(!report.has_errors());

    // All but two: an error naming them.
    let report = lint_step(filling_step(&["r007", "r150"])).await;
    let [finding] = report.findings() else {
        panic!("one finding expected: {report}");
    };
    assert_eq!(finding.code(), "required-without-value");
    assert_eq!(finding.severity, Severity::Error);
    assert_eq!((finding.rows(), finding.rows_at_least), (Some(2), false));
    assert_eq!(finding.examples, ["r007", "r150"]);
    assert!(
        finding
            .message
            .starts_with("version 2's step fills 228 of the 230 rows lacking a value for users.note; 2 stay empty: r007, r150"),
        "{}",
        finding.message
    );
    assert!(report.has_errors());

    // A step that writes another column: every row stays empty.
    let other = MigrationDef::new(2, "nicks only", |m| {
        Box::pin(async move {
            m.rows("users")
                .backfill(vec![Query::is_null("nick")], |_| {
                    Some(doc(json!({"nick": "n"})))
                })
                .await?;
            Ok(())
        })
    });
    let report = lint_step(other).await;
    let finding = &report.findings()[0];
    assert_eq!(
        (finding.severity, finding.rows()),
        (Severity::Error, Some(230))
    );
    assert!(
        finding.message.contains("step does not write that column"),
        "{}",
        finding.message
    );
}

/// A bulk update's filters are counted over the rows lacking a value; a step that stops leaves
/// what it fills unknown.
async fn required_filled_in_bulk_or_unknown(kind: Kind) {
    let fx = &start_with_notes(kind).await;
    let v2 = users_with(&[ColumnSchema::varchar("note", 20).required()]);
    let lint_step = |step: MigrationDef| {
        let migrator = Migrator::new([&v2], [step]).with_options(fx.options());
        async move { lint(fx, &migrator).await }
    };

    // One bulk update on `isNull`: every row filled, counted in one request more.
    let bulk = MigrationDef::new(2, "bulk fill", |m| {
        Box::pin(async move {
            let data = doc(json!({"note": "bulk"}));
            m.db()
                .rows("users")
                .update_where(&[Query::is_null("note")], &data)
                .await?;
            Ok(())
        })
    });
    let report = lint_step(bulk).await;
    assert!(report.findings().is_empty(), "{report}");
    assert_eq!(report.requests, 2);

    // A column the version creates required: the step's `isNull` on it matches every row.
    let coded = users_with(&[ColumnSchema::varchar("code", 8).required().since(2)]);
    let bulk_code = MigrationDef::new(2, "codes", |m| {
        Box::pin(async move {
            let data = doc(json!({"code": "c"}));
            m.db()
                .rows("users")
                .update_where(&[Query::is_null("code")], &data)
                .await?;
            Ok(())
        })
    });
    let migrator = Migrator::new([&coded], [bulk_code]).with_options(fx.options());
    let report = lint(fx, &migrator).await;
    assert!(report.findings().is_empty(), "{report}");
    assert_eq!(report.requests, 2);

    // A step that stops half-way: what it fills is not known, a warning says why.
    let stops = MigrationDef::new(2, "stops", |m| {
        Box::pin(async move {
            m.db()
                .rows("users")
                .update_where(&[Query::equal("$id", ["r001"])], &doc(json!({"note": "x"})))
                .await?;
            Err(appwrite_orm::Error::Internal("gave up".into()))
        })
    });
    let report = lint_step(stops).await;
    let finding = &report.findings()[0];
    assert_eq!(finding.severity, Severity::Warning, "{report}");
    assert!(
        finding.message.contains(
            "may fill them, which lint cannot know: version 2's step stopped when simulated"
        ),
        "{}",
        finding.message
    );
}

fn dropping_step() -> MigrationDef {
    MigrationDef::new(2, "retire nick", |m| {
        Box::pin(async move {
            m.drop_column("users", "nick").await?;
            m.drop_table("legacy").await?;
            Ok(())
        })
    })
}

async fn destructive(kind: Kind) {
    let fx = start(kind).await;
    let legacy = TableSchema::new("legacy", "Legacy").column(ColumnSchema::varchar("x", 5));
    Migrator::new([&users_v1(), &legacy], [])
        .with_options(fx.options())
        .run(&fx.db)
        .await
        .unwrap();
    for i in 0..5 {
        let nick = if i < 3 { json!("n") } else { json!(null) };
        insert(
            &fx.db,
            &format!("u{i}"),
            json!({"nick": nick, "email": "e"}),
        )
        .await;
    }
    for i in 0..2 {
        fx.db
            .rows("legacy")
            .create(&format!("l{i}"), &doc(json!({"x": "y"})))
            .await
            .unwrap();
    }
    let v2 = users_v1().column(ColumnSchema::integer("rank").since(2));

    let backed_up = Migrator::new([&v2], [dropping_step()]).with_options(fx.options());
    let report = lint(&fx, &backed_up).await;
    let found: Vec<(Option<&str>, &str, Option<u64>, Severity)> = report
        .with_code("destructive")
        .map(|f| (f.column.as_deref(), f.table.as_str(), f.rows(), f.severity))
        .collect();
    assert_eq!(
        found,
        [
            (Some("nick"), "users", Some(3), Severity::Warning),
            (None, "legacy", Some(2), Severity::Warning),
        ]
    );
    assert!(!report.has_errors());
    // The simulated drop wrote no backup file either.
    assert_eq!(std::fs::read_dir(fx.dir.path()).unwrap().count(), 0);

    let no_backups = MigrateOptions {
        backups: None,
        ..fx.options()
    };
    let unsafe_drop = Migrator::new([&v2], [dropping_step()]).with_options(no_backups);
    let report = lint(&fx, &unsafe_drop).await;
    assert!(report.has_errors());
    assert!(
        report
            .findings()
            .iter()
            .all(|f| f.severity == Severity::Error)
    );
    assert!(report.findings()[0].advice.contains("backup directory"));
    // Everything is still there.
    let users = fx.db.backend().get_table("app", "users").await.unwrap();
    assert!(users.column("nick").is_some() && users.column("rank").is_none());
    assert!(fx.db.backend().get_table("app", "legacy").await.is_ok());

    // A step that drops nothing: nothing destructive.
    let harmless = Migrator::new([&v2], [noop(2)]).with_options(fx.options());
    assert!(lint(&fx, &harmless).await.findings().is_empty());
}

/// Version 2 creates `rank` (default 0) and `summary`; its step filters on both, converts
/// `nick` into `label` (a column it creates itself and waits for), then drops `nick`.
fn on_new_columns() -> MigrationDef {
    MigrationDef::new(2, "work on new columns", |m| {
        Box::pin(async move {
            m.rows("users")
                .backfill(vec![Query::equal("rank", [0])], |_| {
                    Some(doc(json!({"rank": 1})))
                })
                .await?;
            m.rows("users")
                .backfill(vec![Query::is_null("summary")], |_| {
                    Some(doc(json!({"summary": "s"})))
                })
                .await?;
            let label = ColumnSchema::varchar("label", 50);
            m.convert_column("users", "nick", label, |v| Ok(v.clone()))
                .await?;
            m.drop_column("users", "nick").await?;
            Ok(())
        })
    })
}

/// The simulated step sees the columns its version creates: it runs to the end (no note that
/// it stopped), so its drop after the conversion is found, and lint still sends no write.
async fn steps_see_the_columns_their_version_creates(kind: Kind) {
    let fx = start(kind).await;
    for i in 0..4 {
        let nick = if i < 3 { json!("n") } else { json!(null) };
        insert(&fx.db, &format!("u{i}"), json!({"nick": nick})).await;
    }
    let v2 = users_v1()
        .column(ColumnSchema::integer("rank").default_value(0).since(2))
        .column(ColumnSchema::varchar("summary", 20).since(2));
    let migrator = Migrator::new([&v2], [on_new_columns()]).with_options(fx.options());
    let report = lint(&fx, &migrator).await;
    assert!(
        report.notes.iter().all(|n| !n.contains("stopped")),
        "{:?}",
        report.notes
    );
    let dropped: Vec<(&str, Option<&str>, Option<u64>)> = report
        .with_code("destructive")
        .map(|f| (f.table.as_str(), f.column.as_deref(), f.rows()))
        .collect();
    assert_eq!(dropped, [("users", Some("nick"), Some(3))], "{report}");
    // Nothing of version 2 reached the database.
    let users = fx.db.backend().get_table("app", "users").await.unwrap();
    assert!(users.column("rank").is_none() && users.column("label").is_none());
    assert!(users.column("nick").is_some());
}

async fn command_line(kind: Kind) {
    let fx = start(kind).await;
    insert(&fx.db, "a", json!({"nick": "a much too long nick"})).await;
    let bad = Migrator::new([&narrowed()], []).with_options(fx.options());
    let run = |args: &'static [&'static str], migrator: Migrator| {
        let db = fx.db.clone();
        async move {
            let mut out = Vec::new();
            let argv = std::iter::once("migrate").chain(args.iter().copied());
            let exit = cli::execute(argv, &migrator, Some(&db), &mut out).await;
            (exit, String::from_utf8_lossy(&out).into_owned())
        }
    };
    let (exit, text) = run(&["lint"], bad.clone()).await;
    assert_eq!(exit, Exit::Drift);
    assert!(
        text.contains("error   narrowing-violated v1 users.nick"),
        "{text}"
    );
    let (exit, json) = run(&["lint", "--json"], bad).await;
    assert_eq!(exit, Exit::Drift);
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["findings"][0]["code"], "narrowing-violated");
    assert_eq!(value["findings"][0]["rows"], 1);
    assert_eq!(value["findings"][0]["examples"], json!(["a"]));

    let fine = Migrator::new([&users_v1()], []).with_options(fx.options());
    let (exit, text) = run(&["lint"], fine).await;
    assert_eq!(exit, Exit::Ok);
    assert!(text.contains("lint: nothing pending"), "{text}");
}

/// Groups of three equal values over 230 rows: a group straddles each page boundary.
async fn duplicates_across_pages(kind: Kind) {
    let fx = start(kind).await;
    let rows: Vec<Document> = (0..230)
        .map(|i| doc(json!({"$id": format!("r{i:03}"), "email": format!("e{:03}", i / 3)})))
        .collect();
    for chunk in rows.chunks(100) {
        fx.db
            .backend()
            .create_rows("app", "users", chunk)
            .await
            .unwrap();
    }
    fx.db
        .rows("users")
        .create("alone", &doc(json!({"email": "zzz"})))
        .await
        .unwrap();
    let v2 = users_v1().index(IndexSchema::new("by_email", IndexKind::Unique, ["email"]).since(2));
    let report = lint(&fx, &Migrator::new([&v2], []).with_options(fx.options())).await;
    let finding = &report.findings()[0];
    assert_eq!((finding.rows(), finding.rows_at_least), (Some(230), false));
    assert_eq!(report.requests, 3);
    assert_eq!(finding.examples, ["r000", "r001", "r002", "r003", "r004"]);
    assert_eq!(
        finding.values,
        [
            json!("e000"),
            json!("e001"),
            json!("e002"),
            json!("e003"),
            json!("e004")
        ]
    );

    let cut = lint_with(&fx, &Migrator::new([&v2], []).with_options(fx.options()), 2).await;
    // 200 rows read; the group straddling the cut counts the two rows seen.
    assert_eq!(
        (cut.findings()[0].rows(), cut.findings()[0].rows_at_least),
        (Some(200), true)
    );
}

/// Duplicates past the budget: a scan cut before it found any says so, as a warning.
async fn duplicates_past_the_budget(kind: Kind) {
    let fx = start(kind).await;
    // 150 distinct values, then two rows sharing the last one: only the second page holds them.
    let rows: Vec<Document> = (0..152)
        .map(|i| doc(json!({"$id": format!("r{i:03}"), "email": format!("e{:03}", i.min(150))})))
        .collect();
    for chunk in rows.chunks(100) {
        fx.db
            .backend()
            .create_rows("app", "users", chunk)
            .await
            .unwrap();
    }
    let v2 = users_v1().index(IndexSchema::new("by_email", IndexKind::Unique, ["email"]).since(2));
    let migrator = Migrator::new([&v2], []).with_options(fx.options());
    let full = lint(&fx, &migrator).await;
    assert_eq!(full.findings()[0].rows(), Some(2));
    assert!(full.has_errors());

    let cut = lint_with(&fx, &migrator, 1).await;
    let finding = &cut.findings()[0];
    assert_eq!(finding.code(), "unique-duplicates");
    assert_eq!(finding.severity, Severity::Warning);
    assert_eq!(finding.rows(), None);
    assert!(
        finding.message.starts_with("not fully checked"),
        "{}",
        finding.message
    );
    assert!(
        !cut.has_errors(),
        "a warning: the rows read hold no duplicate"
    );
}

on_both_backends!(
    unique_duplicates,
    duplicates_across_pages,
    duplicates_past_the_budget,
    narrowing_violated,
    budget_gives_lower_bounds,
    required_without_value,
    required_filled_by_the_step,
    required_filled_in_bulk_or_unknown,
    destructive,
    steps_see_the_columns_their_version_creates,
    command_line,
);
