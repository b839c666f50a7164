//! Column renames declared next to the field, `#[column(renamed_from = "fullName")]`, each
//! case on the embedded engine and over HTTP through the emulator: the column is renamed in
//! place with every row's value, a second boot is one request, a fresh database just creates
//! the column, an index on the column follows it, the plan (status, dry run) shows the same
//! renames, a rename also given in the options runs once, and a database that has both keys is
//! reported and left alone, as with `MigrateOptions::rename_column`.

#![allow(clippy::duplicated_attributes)]

mod migrate_support;

use appwrite_orm::backend::Document;
use appwrite_orm::migrate::plan::SchemaOp;
use appwrite_orm::migrate::{MigrateOptions, Migrator, VersionStatus};
use appwrite_orm::prelude::*;
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};
use migrate_support::{Fixture, Kind};
use serde_json::{Value, json};

/// Version 2 of the application: `fullName` is now the field `name`.
#[derive(Table, Debug, Clone)]
#[table(id = "users", name = "Users")]
#[index(key = "by_name", unique, columns(name))]
pub struct User {
    #[column(id)]
    pub id: RowId,
    #[column(size = 128, renamed_from = "fullName", since = 2)]
    pub name: String,
}

/// How many rows the old version leaves behind.
const ROWS: usize = 30;

/// Version 1 of the application, as it was: `fullName`, with a unique index on it.
fn users_v1() -> TableSchema {
    TableSchema::new("users", "Users")
        .column(ColumnSchema::varchar("fullName", 128).required())
        .index(IndexSchema::new("by_name", IndexKind::Unique, ["fullName"]))
}

/// `User` as it would be without the attribute, for the options path.
fn users_plain() -> TableSchema {
    let mut table = User::schema().clone();
    for column in &mut table.columns {
        column.renamed_from = None;
    }
    table
}

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

fn full_name(i: usize) -> String {
    format!("Person {i:02}")
}

/// A database migrated by version 1, with rows.
async fn at_version_one(kind: Kind) -> Fixture {
    let f = Fixture::new(kind).await;
    Migrator::new([&users_v1()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let rows: Vec<Document> = (0..ROWS)
        .map(|i| doc(json!({"$id": format!("u{i:02}"), "fullName": full_name(i)})))
        .collect();
    f.db.rows("users").insert_many(&rows).await.unwrap();
    f
}

/// The binary of version 2: the derived model and nothing else.
fn binary(f: &Fixture) -> Migrator {
    Migrator::new([User::schema()], []).with_options(f.options())
}

/// Every schema operation of a plan, as text.
fn planned(plan: &appwrite_orm::migrate::Plan) -> Vec<String> {
    plan.versions
        .iter()
        .flat_map(|v| v.before.iter().chain(&v.after))
        .map(|o| o.op.to_string())
        .collect()
}

async fn the_column_is_renamed_in_place_with_its_data(kind: Kind) {
    let f = at_version_one(kind).await;
    let report = binary(&f).run(&f.db).await.unwrap();
    assert_eq!((report.from_version, report.to_version), (1, 2));
    let ops: Vec<(&str, &str)> = report
        .version(2)
        .unwrap()
        .schema
        .iter()
        .map(|o| (o.description.as_str(), o.reason.as_str()))
        .collect();
    assert_eq!(
        ops,
        [(
            "rename column users.fullName to name",
            "declared as renamed from \"fullName\"; Appwrite renames in place and keeps the data"
        )]
    );
    assert!(report.extras.is_empty(), "{:?}", report.extras);
    let live = f.db.backend().get_table("app", "users").await.unwrap();
    assert!(live.column("fullName").is_none());
    let name = live.column("name").unwrap();
    assert!(name.schema.required, "the column stays as it was");
    assert_eq!(
        name.schema.renamed_from, None,
        "the server keeps no metadata"
    );
    let users = f.db.table::<User>().all().await.unwrap();
    assert_eq!(users.len(), ROWS);
    for user in &users {
        let i: usize = user.id.as_ref()[1..].parse().unwrap();
        assert_eq!(user.name, full_name(i));
    }
    let row = f.db.rows("users").get("u07").await.unwrap().unwrap();
    assert!(row.get("fullName").is_none());
    let status = binary(&f).status(&f.db).await.unwrap();
    let v2 = status.history.iter().find(|e| e.version == 2).unwrap();
    assert_eq!(v2.status, VersionStatus::Applied);
    assert!(status.up_to_date);
    // The second boot finds the head row and stops there.
    f.counter.reset();
    let again = binary(&f).run(&f.db).await.unwrap();
    assert!(again.nothing_pending);
    assert_eq!(f.counter.requests(), 1);
}

async fn a_fresh_database_creates_the_column(kind: Kind) {
    let f = Fixture::new(kind).await;
    let report = binary(&f).run(&f.db).await.unwrap();
    assert_eq!((report.from_version, report.to_version), (0, 2));
    let renames = report
        .versions
        .iter()
        .flat_map(|v| &v.schema)
        .filter(|o| o.description.starts_with("rename"))
        .count();
    assert_eq!(renames, 0, "nothing to rename: {report}");
    let live = f.db.backend().get_table("app", "users").await.unwrap();
    assert!(live.column("fullName").is_none());
    let name = live.column("name").unwrap();
    assert!(name.schema.required);
    assert_eq!(name.schema.renamed_from, None);
    assert_eq!(live.index("by_name").unwrap().schema.columns, ["name"]);
    let created =
        f.db.table::<User>()
            .create(&User {
                id: RowId::new("ada").unwrap(),
                name: "Ada".into(),
            })
            .await
            .unwrap();
    assert_eq!(created.name, "Ada");
    f.counter.reset();
    assert!(binary(&f).run(&f.db).await.unwrap().nothing_pending);
    assert_eq!(f.counter.requests(), 1);
}

async fn an_index_on_the_renamed_column_keeps_working(kind: Kind) {
    let f = at_version_one(kind).await;
    binary(&f).run(&f.db).await.unwrap();
    let live = f.db.backend().get_table("app", "users").await.unwrap();
    let index = live.index("by_name").unwrap();
    assert_eq!(
        index.schema.columns,
        ["name"],
        "Appwrite rewrites the index"
    );
    assert_eq!(index.schema.kind, IndexKind::Unique);
    // Still unique, under the new key.
    let duplicate =
        f.db.rows("users")
            .create("dup", &doc(json!({"name": full_name(3)})))
            .await
            .unwrap_err();
    assert!(duplicate.is_conflict(), "{duplicate}");
    // And queries on the new key find the old rows.
    let found =
        f.db.table::<User>()
            .query()
            .filter(User::NAME.eq(full_name(12)))
            .all()
            .await
            .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id.as_ref(), "u12");
    let ordered =
        f.db.table::<User>()
            .query()
            .order(User::NAME.desc())
            .limit(2)
            .all()
            .await
            .unwrap();
    let names: Vec<&str> = ordered.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, [full_name(ROWS - 1), full_name(ROWS - 2)]);
}

async fn status_and_dry_run_plan_the_same_rename(kind: Kind) {
    let f = at_version_one(kind).await;
    let migrator = binary(&f);
    let status = migrator.status(&f.db).await.unwrap();
    assert!(!status.up_to_date);
    let plan = status.plan.unwrap();
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    assert_eq!(planned(&plan), ["rename column users.fullName to name"]);
    let SchemaOp::RenameColumn { from, column, .. } = &plan.versions[0].before[0].op else {
        panic!("a rename expected: {plan:?}");
    };
    assert_eq!((from.as_str(), column.key.as_str()), ("fullName", "name"));
    let dry = migrator.dry_run(&f.db).await.unwrap();
    assert!(dry.plan_errors.is_empty(), "{:?}", dry.plan_errors);
    let schema: Vec<String> = dry.versions[0]
        .schema
        .iter()
        .map(|o| o.op.to_string())
        .collect();
    assert_eq!(schema, ["rename column users.fullName to name"]);
    // Nothing was written: version 1 is still what the database holds.
    let live = f.db.backend().get_table("app", "users").await.unwrap();
    assert!(live.column("fullName").is_some() && live.column("name").is_none());
    // The options path plans exactly the same.
    let by_options = Migrator::new([&users_plain()], [])
        .with_options(f.options().rename_column("users", "fullName", "name"))
        .status(&f.db)
        .await
        .unwrap();
    assert_eq!(by_options.plan.as_ref(), Some(&plan));
}

async fn a_rename_also_given_in_the_options_runs_once(kind: Kind) {
    let f = at_version_one(kind).await;
    let options: MigrateOptions = f.options().rename_column("users", "fullName", "name");
    let migrator = Migrator::new([User::schema()], []).with_options(options);
    let report = migrator.run(&f.db).await.unwrap();
    let ops: Vec<&str> = report
        .versions
        .iter()
        .flat_map(|v| &v.schema)
        .map(|o| o.description.as_str())
        .collect();
    assert_eq!(ops, ["rename column users.fullName to name"]);
    assert_eq!(f.db.table::<User>().count().await.unwrap(), ROWS as u64);
    f.counter.reset();
    assert!(migrator.run(&f.db).await.unwrap().nothing_pending);
    assert_eq!(f.counter.requests(), 1);
}

async fn both_keys_live_are_reported_and_left_alone(kind: Kind) {
    let f = Fixture::new(kind).await;
    // Someone created `name` by hand next to `fullName` and filled both.
    let both = TableSchema::new("users", "Users")
        .column(ColumnSchema::varchar("fullName", 128).required())
        .column(ColumnSchema::varchar("name", 128).required());
    Migrator::new([&both], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let rows: Vec<Document> = (0..3)
        .map(|i| {
            doc(json!({"$id": format!("u{i}"), "fullName": full_name(i), "name": format!("new {i}")}))
        })
        .collect();
    f.db.rows("users").insert_many(&rows).await.unwrap();
    let by_options = Migrator::new([&users_plain()], [])
        .with_options(f.options().rename_column("users", "fullName", "name"))
        .status(&f.db)
        .await
        .unwrap()
        .plan
        .unwrap();
    let report = binary(&f).run(&f.db).await.unwrap();
    // Nothing is renamed; version 2 only adds its index on `name`.
    let ops: Vec<&str> = report
        .versions
        .iter()
        .flat_map(|v| &v.schema)
        .map(|o| o.description.as_str())
        .collect();
    assert_eq!(ops, ["add index users.by_name unique (name)"]);
    assert_eq!(report.extras.len(), 1);
    let extra = &report.extras[0];
    assert_eq!(
        (extra.key.as_str(), extra.renamed_to.as_deref()),
        ("fullName", Some("name"))
    );
    let note = report.to_string();
    assert!(
        note.contains(
            "column users.fullName is declared as renamed to \"name\", but users.name exists as \
             well, so it was not renamed"
        ),
        "{note}"
    );
    // The options path would have done and said the same.
    assert!(planned(&by_options) == ops, "{by_options:?}");
    assert_eq!(by_options.extras, report.extras);
    // Both columns keep their values.
    let row = f.db.rows("users").get("u1").await.unwrap().unwrap();
    assert_eq!(
        (&row["fullName"], &row["name"]),
        (&json!(full_name(1)), &json!("new 1"))
    );
}

on_both_backends!(
    the_column_is_renamed_in_place_with_its_data,
    a_fresh_database_creates_the_column,
    an_index_on_the_renamed_column_keeps_working,
    status_and_dry_run_plan_the_same_rename,
    a_rename_also_given_in_the_options_runs_once,
    both_keys_live_are_reported_and_left_alone,
);
