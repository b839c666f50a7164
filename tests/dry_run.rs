//! `Migrator::dry_run` and `up --dry-run` write nothing, on the embedded engine and over HTTP
//! through the emulator, and report the writes a real run then makes.

mod migrate_support;

use appwrite_orm::backend::{Document, ListOptions, Row};
use appwrite_orm::migrate::{MigrationDef, Migrator, OpClass};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, TableSchema};
use appwrite_orm::{Database, cli};
use migrate_support::{Fixture, Kind};
use serde_json::{Value, json};

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

fn notes_v1() -> TableSchema {
    TableSchema::new("notes", "Notes")
        .column(ColumnSchema::varchar("text", 100).required())
        .column(ColumnSchema::varchar("tag", 20))
}

fn notes_v2() -> TableSchema {
    notes_v1().column(ColumnSchema::integer("rank").default_value(0).since(2))
}

/// Version 2: retags the `old` notes and adds one note.
fn retag() -> MigrationDef {
    MigrationDef::new(2, "retag", |m| {
        Box::pin(async move {
            m.rows("notes")
                .backfill(vec![Query::equal("tag", ["old"])], |_| {
                    Some(doc(json!({"tag": "new"})))
                })
                .await?;
            m.db()
                .rows("notes")
                .create("added", &doc(json!({"text": "added by v2"})))
                .await?;
            Ok(())
        })
    })
}

/// Every row of every table and every table's schema, to compare before and after.
async fn snapshot(db: &Database) -> (Vec<Value>, Vec<Vec<Row>>) {
    let tables = db.backend().list_tables(db.id(), &[]).await.unwrap().items;
    let mut rows = Vec::new();
    for t in &tables {
        let list = db
            .backend()
            .list_rows(
                db.id(),
                &t.id,
                &[Query::limit(1000)],
                &ListOptions {
                    total: false,
                    transaction_id: None,
                },
            )
            .await
            .unwrap();
        rows.push(list.items);
    }
    (tables.iter().map(|t| t.to_json()).collect(), rows)
}

async fn prepared(kind: Kind) -> (Fixture, Migrator) {
    let f = Fixture::new(kind).await;
    Migrator::new([&notes_v1()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    for i in 0..5 {
        let tag = if i < 3 { json!("old") } else { Value::Null };
        f.db.rows("notes")
            .create(
                &format!("n{i}"),
                &doc(json!({"text": format!("note {i}"), "tag": tag})),
            )
            .await
            .unwrap();
    }
    let v2 = Migrator::new([&notes_v2()], [retag()]).with_options(f.options());
    (f, v2)
}

async fn dry_run_writes_nothing(kind: Kind) {
    let (f, v2) = prepared(kind).await;
    let before = snapshot(&f.db).await;
    let report = v2.dry_run(&f.db).await.unwrap();
    assert_eq!(snapshot(&f.db).await, before, "the dry run wrote something");

    assert_eq!((report.from_version, report.to_version), (1, 2));
    let v = report.version(2).expect("version 2 planned");
    assert!(v.step_error.is_none(), "{:?}", v.step_error);
    assert!(
        v.schema
            .iter()
            .any(|op| op.class == OpClass::Additive && op.op.to_string().contains("rank")),
        "{:?}",
        v.schema
    );
    // 5 rows get the default, 3 are retagged, 1 is created.
    assert_eq!(v.rows_by_table["notes"], 9, "{v:?}");
    assert!(
        v.sample
            .iter()
            .any(|w| w.target.as_deref() == Some("added"))
    );
    assert_eq!(v2.status(&f.db).await.unwrap().applied, 1);

    // The real run makes the writes the dry run announced.
    let real = v2.run(&f.db).await.unwrap();
    assert_eq!(real.version(2).unwrap().rows_touched, 9);
    let tagged =
        f.db.rows("notes")
            .query()
            .with(Query::equal("tag", ["new"]))
            .all()
            .await
            .unwrap();
    assert_eq!(tagged.len(), 3);
    // Nothing pending now: an empty dry run.
    assert!(v2.dry_run(&f.db).await.unwrap().nothing_pending);
}

async fn cli_dry_run_writes_nothing(kind: Kind) {
    let (f, v2) = prepared(kind).await;
    let before = snapshot(&f.db).await;
    let mut out = Vec::new();
    let exit = cli::execute(
        ["migrate", "--json", "up", "--dry-run"],
        &v2,
        Some(&f.db),
        &mut out,
    )
    .await;
    assert_eq!(exit, cli::Exit::Ok);
    assert_eq!(snapshot(&f.db).await, before);
    let json: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["versions"][0]["rows_by_table"]["notes"], 9, "{json}");
}

/// Version 2 with `summary` (no default) and the `rank` of [`notes_v2`] (default 0).
fn notes_v2_with_summary() -> TableSchema {
    notes_v2().column(ColumnSchema::varchar("summary", 50).since(2))
}

/// A step that works on the columns its own version creates: it filters on `rank` (default 0)
/// and `summary` (null in every existing row), and converts `tag` into `label`, which it
/// creates itself and waits for.
fn on_new_columns() -> MigrationDef {
    MigrationDef::new(2, "work on new columns", |m| {
        Box::pin(async move {
            m.rows("notes")
                .backfill(vec![Query::equal("rank", [0])], |_| {
                    Some(doc(json!({"rank": 1})))
                })
                .await?;
            let with_summary = m
                .rows("notes")
                .query()
                .with(Query::is_not_null("summary"))
                .count()
                .await?;
            assert_eq!(with_summary, 0, "no existing row holds a summary yet");
            m.rows("notes")
                .backfill(vec![Query::is_null("summary")], |row| {
                    let text = row.get("text")?.as_str()?.to_owned();
                    Some(doc(json!({"summary": text})))
                })
                .await?;
            let label = ColumnSchema::varchar("label", 20);
            m.convert_column("notes", "tag", label, |v| Ok(v.clone()))
                .await?;
            Ok(())
        })
    })
}

/// The step of a version that filters on, and converts into, columns the same version creates
/// runs its whole course in the dry run, writes nothing, and announces the writes the real run
/// then makes.
async fn dry_run_sees_the_columns_its_version_creates(kind: Kind) {
    let (f, _) = prepared(kind).await;
    let v2 =
        Migrator::new([&notes_v2_with_summary()], [on_new_columns()]).with_options(f.options());
    let before = snapshot(&f.db).await;
    f.counter.reset();
    let report = v2.dry_run(&f.db).await.unwrap();
    let operations = f.counter.by_operation();
    assert!(
        operations
            .keys()
            .all(|op| op.starts_with("get_") || op.starts_with("list_")),
        "the dry run sent a write: {operations:?}"
    );
    assert_eq!(snapshot(&f.db).await, before, "the dry run wrote something");
    let v = report.version(2).unwrap();
    assert!(v.step_error.is_none(), "{v:?}");
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    // 5 defaults, 5 ranks, 5 summaries, 3 tags converted.
    assert_eq!(v.rows_by_table["notes"], 18, "{v:?}");
    // Those 13 row writes of the step, and the creation of `label`.
    assert_eq!(v.writes, 14, "{v:?}");

    let real = v2.run(&f.db).await.unwrap();
    assert_eq!(real.version(2).unwrap().rows_touched, 18);
}

/// Version 2 renames `tag` to `label`; its step retags by the new name. The dry run reads the
/// renamed column under its live key and runs the step to the end.
async fn dry_run_reads_a_column_its_version_renames(kind: Kind) {
    let (f, _) = prepared(kind).await;
    let renamed = TableSchema::new("notes", "Notes")
        .column(ColumnSchema::varchar("text", 100).required())
        .column(
            ColumnSchema::varchar("label", 20)
                .renamed_from("tag")
                .since(2),
        );
    let step = MigrationDef::new(2, "retag by the new name", |m| {
        Box::pin(async move {
            m.rows("notes")
                .backfill(vec![Query::equal("label", ["old"])], |row| {
                    let label = row.get("label")?.as_str()?;
                    Some(doc(json!({"label": format!("{label}-2")})))
                })
                .await?;
            Ok(())
        })
    });
    let v2 = Migrator::new([&renamed], [step]).with_options(f.options());
    let before = snapshot(&f.db).await;
    let report = v2.dry_run(&f.db).await.unwrap();
    assert_eq!(snapshot(&f.db).await, before, "the dry run wrote something");
    let v = report.version(2).unwrap();
    assert!(v.step_error.is_none(), "{v:?}");
    assert_eq!(v.rows_by_table["notes"], 3, "{v:?}");
    assert_eq!(v.sample[0].data, json!({"label": "old-2"}), "{v:?}");

    let real = v2.run(&f.db).await.unwrap();
    assert_eq!(real.version(2).unwrap().rows_touched, 3);
}

on_both_backends!(
    dry_run_writes_nothing,
    cli_dry_run_writes_nothing,
    dry_run_sees_the_columns_its_version_creates,
    dry_run_reads_a_column_its_version_renames,
);
