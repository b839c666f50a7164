//! Reverting versions with their schema: `Migrator::revert_with` and `revert_plan`, each case
//! on the embedded engine and over HTTP through the emulator. The application has three
//! versions: `posts` (1), the schema-only table `tags` (2), and `posts.view_count` with its
//! index `by_views` and a step that fills it (3).

mod migrate_support;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

use appwrite_orm::backend::{Document, Row};
use appwrite_orm::migrate::{
    MigrateError, MigrationDef, Migrator, OpClass, RevertOptions, VersionState,
};
use appwrite_orm::prelude::*;
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};
use appwrite_orm::{Error, backup};
use migrate_support::{Fixture, Kind};
use serde_json::{Value, json};

const POSTS: usize = 5;

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

fn posts_v1() -> TableSchema {
    TableSchema::new("posts", "Posts").column(ColumnSchema::varchar("title", 100).required())
}

fn posts() -> TableSchema {
    posts_v1()
        .column(ColumnSchema::integer("view_count").since(3))
        .index(IndexSchema::new("by_views", IndexKind::Key, ["view_count"]).since(3))
}

fn tags() -> TableSchema {
    TableSchema::new("tags", "Tags")
        .since(2)
        .column(ColumnSchema::varchar("label", 20).required().since(2))
}

/// The views a post gets from version 3's step: `p3` has 30.
fn views_of(id: &str) -> i64 {
    id.trim_start_matches('p').parse::<i64>().unwrap() * 10
}

/// Version 3: fills `view_count`.
fn add_views() -> MigrationDef {
    MigrationDef::new(3, "add views", |m| {
        Box::pin(async move {
            m.rows("posts")
                .backfill(vec![Query::is_null("view_count")], |row| {
                    Some(doc(json!({"view_count": views_of(row.id())})))
                })
                .await?;
            Ok(())
        })
    })
}

/// Version 3 with a down step that adds up the views it still sees, so that a test can tell
/// that the down step runs before the column is dropped.
fn add_views_with_down(seen: Arc<AtomicI64>, downs: Arc<AtomicUsize>) -> MigrationDef {
    add_views().with_down(move |m| {
        let (seen, downs) = (Arc::clone(&seen), Arc::clone(&downs));
        Box::pin(async move {
            downs.fetch_add(1, Ordering::SeqCst);
            let rows = m.rows("posts").query().all().await?;
            let sum: i64 = rows
                .iter()
                .filter_map(|r| r.get("view_count").and_then(Value::as_i64))
                .sum();
            seen.store(sum, Ordering::SeqCst);
            Ok(())
        })
    })
}

struct App {
    f: Fixture,
    binary: Migrator,
    seen: Arc<AtomicI64>,
    downs: Arc<AtomicUsize>,
}

/// The database at version 3 with five posts and two tags; `binary` declares all three
/// versions (version 3 with its down step).
async fn app_at_v3(kind: Kind) -> App {
    let f = Fixture::new(kind).await;
    Migrator::new([&posts_v1()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let rows: Vec<Document> = (1..=POSTS)
        .map(|i| doc(json!({"$id": format!("p{i}"), "title": format!("post {i}")})))
        .collect();
    f.db.rows("posts").insert_many(&rows).await.unwrap();
    let seen = Arc::new(AtomicI64::new(0));
    let downs = Arc::new(AtomicUsize::new(0));
    let binary = Migrator::new(
        [&posts(), &tags()],
        [add_views_with_down(Arc::clone(&seen), Arc::clone(&downs))],
    )
    .with_options(f.options());
    let report = binary.run(&f.db).await.unwrap();
    assert_eq!(report.to_version, 3);
    for (id, label) in [("t1", "rust"), ("t2", "sql")] {
        f.db.rows("tags")
            .create(id, &doc(json!({ "label": label })))
            .await
            .unwrap();
    }
    App {
        f,
        binary,
        seen,
        downs,
    }
}

async fn live(f: &Fixture, table: &str) -> Option<appwrite_orm::backend::Table> {
    match f.db.backend().get_table(f.db.id(), table).await {
        Ok(t) => Some(t),
        Err(e) if e.is_not_found() => None,
        Err(e) => panic!("get_table {table}: {e}"),
    }
}

/// Rows of a table by id, without system fields but `$id`.
async fn rows_of(db: &Database, table: &str) -> Vec<Document> {
    let mut rows: Vec<Document> = db
        .rows(table)
        .query()
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|Row(mut d)| {
            d.retain(|k, _| k == "$id" || !k.starts_with('$'));
            d
        })
        .collect();
    rows.sort_by(|a, b| a["$id"].as_str().cmp(&b["$id"].as_str()));
    rows
}

/// The `revert-to-v*` directories under `dir`.
fn revert_backups(dir: &std::path::Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("revert-to-v"))
        })
        .collect()
}

fn states(status: &appwrite_orm::migrate::MigrationStatus) -> Vec<(u32, VersionState)> {
    status
        .versions
        .iter()
        .map(|l| (l.version, l.state))
        .collect()
}

// --- the plan ---------------------------------------------------------------------------------

async fn the_plan_lists_the_drops_in_order_and_writes_nothing(kind: Kind) {
    let app = app_at_v3(kind).await;
    app.f.counter.reset();
    let plan = app.binary.revert_plan(&app.f.db, 1).await.unwrap();
    let writes: u64 = app
        .f
        .counter
        .by_operation()
        .into_iter()
        .filter(|(op, _)| !op.starts_with("get_") && !op.starts_with("list_"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(writes, 0, "{:?}", app.f.counter.by_operation());
    assert_eq!((plan.from, plan.to), (3, 1));
    let versions: Vec<(u32, bool, bool)> = plan
        .versions
        .iter()
        .map(|v| (v.version, v.has_down, v.refused.is_some()))
        .collect();
    assert_eq!(versions, [(3, true, false), (2, false, false)]);
    let drops: Vec<Vec<String>> = plan
        .versions
        .iter()
        .map(|v| v.drops.iter().map(|d| d.op.to_string()).collect())
        .collect();
    assert_eq!(
        drops,
        [
            vec!["drop index posts.by_views", "drop column posts.view_count"],
            vec!["drop table tags"],
        ]
    );
    assert_eq!(plan.tables_losing_data(), ["posts", "tags"]);
    let text = plan.to_string();
    println!("revert plan over {kind:?}:\n{text}");
    assert!(
        text.contains("version 3 (add views): runs its down step"),
        "{text}"
    );
    assert!(text.contains("version 2 (schema): schema only"), "{text}");
    // Nothing to revert at or above the applied version.
    assert!(
        app.binary
            .revert_plan(&app.f.db, 3)
            .await
            .unwrap()
            .is_empty()
    );
}

// --- dropping ---------------------------------------------------------------------------------

async fn drop_schema_removes_what_the_versions_added(kind: Kind) {
    let app = app_at_v3(kind).await;
    let f = &app.f;
    let before_posts = rows_of(&f.db, "posts").await;
    let before_tags = rows_of(&f.db, "tags").await;
    assert_eq!(before_posts[2]["view_count"], 30);

    let options = RevertOptions::default().drop_schema(true);
    let report = app.binary.revert_with(&f.db, 1, &options).await.unwrap();
    assert_eq!((report.from_version, report.to_version), (3, 1));
    // The down step ran first, while the column still had its values.
    assert_eq!(app.downs.load(Ordering::SeqCst), 1);
    let total: i64 = (1..=POSTS as i64).map(|i| i * 10).sum();
    assert_eq!(app.seen.load(Ordering::SeqCst), total);

    let v3 = report.version(3).unwrap();
    let v2 = report.version(2).unwrap();
    let ops = |v: &appwrite_orm::migrate::VersionReport| -> Vec<String> {
        v.schema.iter().map(|o| o.description.clone()).collect()
    };
    assert_eq!(
        ops(v3),
        ["drop index posts.by_views", "drop column posts.view_count"]
    );
    assert_eq!(ops(v2), ["drop table tags"]);
    assert!(
        v3.schema
            .iter()
            .chain(&v2.schema)
            .all(|o| o.class == OpClass::Destructive)
    );
    // The schema is gone.
    let posts_live = live(f, "posts").await.unwrap();
    assert!(posts_live.column("view_count").is_none());
    assert!(posts_live.index("by_views").is_none());
    assert!(posts_live.column("title").is_some());
    assert!(live(f, "tags").await.is_none());

    // One backup, taken before the first drop, named in the report.
    let dirs = revert_backups(f.dir.path());
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let dir = &dirs[0];
    let shown = dir.display().to_string();
    assert!(v3.warnings.iter().any(|w| w.contains(&shown)), "{v3:?}");
    assert!(v3.schema[1].reason.contains(&shown), "{:?}", v3.schema[1]);
    let backed_up: Vec<(&str, u64)> = v3
        .backups
        .iter()
        .map(|b| (b.table.as_str(), b.rows))
        .collect();
    assert_eq!(backed_up, [("posts", POSTS as u64), ("tags", 2)]);
    let text = report.to_string();
    println!("revert over {kind:?}:\n{text}");
    assert!(
        text.contains("drop column posts.view_count [destructive]"),
        "{text}"
    );
    assert!(text.contains(&shown), "{text}");

    // The backup brings the dropped values back, row by row.
    let fresh = Database::in_memory().await.unwrap();
    let restored = backup::restore(&fresh, dir).await.unwrap();
    assert_eq!(restored.rows, POSTS as u64 + 2);
    assert_eq!(rows_of(&fresh, "posts").await, before_posts);
    assert_eq!(rows_of(&fresh, "tags").await, before_tags);

    // The reverted versions are pending, and migrate() applies them again.
    let status = app.binary.status(&f.db).await.unwrap();
    assert_eq!(status.applied, 1);
    assert_eq!(
        states(&status),
        [
            (1, VersionState::Applied),
            (2, VersionState::Pending),
            (3, VersionState::Pending)
        ]
    );
    let again = app.binary.run(&f.db).await.unwrap();
    let applied: Vec<u32> = again.versions.iter().map(|v| v.version).collect();
    assert_eq!(applied, [2, 3]);
    let posts_live = live(f, "posts").await.unwrap();
    assert!(posts_live.column("view_count").is_some());
    assert!(posts_live.index("by_views").is_some());
    assert!(live(f, "tags").await.is_some());
    assert_eq!(rows_of(&f.db, "posts").await, before_posts);
    assert!(app.binary.status(&f.db).await.unwrap().up_to_date);
}

async fn what_the_down_step_dropped_is_not_dropped_again(kind: Kind) {
    let f = Fixture::new(kind).await;
    Migrator::new([&posts_v1()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    f.db.rows("posts")
        .create("p1", &doc(json!({"title": "one"})))
        .await
        .unwrap();
    let v3 = add_views().with_down(|m| {
        Box::pin(async move {
            m.drop_index("posts", "by_views").await?;
            m.drop_column("posts", "view_count").await?;
            Ok(())
        })
    });
    let binary = Migrator::new([&posts(), &tags()], [v3]).with_options(f.options());
    binary.run(&f.db).await.unwrap();
    let report = binary
        .revert_with(&f.db, 1, &RevertOptions::default().drop_schema(true))
        .await
        .unwrap();
    let v3 = report.version(3).unwrap();
    // Both drops come from the down step's helpers (the column with its JSONL backup)...
    let ops: Vec<&str> = v3.schema.iter().map(|o| o.description.as_str()).collect();
    assert_eq!(
        ops,
        ["drop index posts.by_views", "drop column posts.view_count"]
    );
    assert!(
        v3.schema[1].reason.contains("explicit in a step"),
        "{ops:?}"
    );
    // ...so the full backup before the first revert drop holds only `tags`.
    let v2 = report.version(2).unwrap();
    assert_eq!(v2.schema[0].description, "drop table tags");
    let backed_up: Vec<&str> = v2.backups.iter().map(|b| b.table.as_str()).collect();
    assert_eq!(backed_up, ["tags"]);
    assert!(
        live(&f, "posts")
            .await
            .unwrap()
            .column("view_count")
            .is_none()
    );
    assert!(live(&f, "tags").await.is_none());
}

// --- keeping ----------------------------------------------------------------------------------

async fn without_drop_schema_the_additions_stay_and_are_named(kind: Kind) {
    let app = app_at_v3(kind).await;
    let f = &app.f;
    let before_posts = rows_of(&f.db, "posts").await;
    let report = app.binary.revert(&f.db, 1).await.unwrap();
    assert_eq!((report.from_version, report.to_version), (3, 1));
    assert_eq!(app.downs.load(Ordering::SeqCst), 1);
    let v3 = report.version(3).unwrap();
    assert!(v3.schema.is_empty(), "{v3:?}");
    assert_eq!(
        v3.warnings,
        [
            "kept the schema additions of version 3: posts.by_views (index), \
             posts.view_count (column); pass drop_schema / --drop-schema to drop them"
        ]
    );
    let v2 = report.version(2).unwrap();
    assert!(v2.warnings[0].contains("version 2: tags (table)"), "{v2:?}");
    assert!(report.to_string().contains("kept the schema additions"));
    // Nothing was dropped nor backed up.
    let posts_live = live(f, "posts").await.unwrap();
    assert!(posts_live.column("view_count").is_some());
    assert!(posts_live.index("by_views").is_some());
    assert_eq!(rows_of(&f.db, "tags").await.len(), 2);
    assert!(revert_backups(f.dir.path()).is_empty());
    // Pending again; migrate() runs them and the data is as it was.
    let status = app.binary.status(&f.db).await.unwrap();
    assert_eq!(status.applied, 1);
    assert_eq!(
        states(&status)[1..],
        [(2, VersionState::Pending), (3, VersionState::Pending)]
    );
    let again = app.binary.run(&f.db).await.unwrap();
    assert_eq!(again.to_version, 3);
    assert_eq!(rows_of(&f.db, "posts").await, before_posts);
}

// --- refusals ---------------------------------------------------------------------------------

async fn dropping_without_a_backup_dir_is_refused_before_anything(kind: Kind) {
    let app = app_at_v3(kind).await;
    let f = &app.f;
    let no_backups = app
        .binary
        .clone()
        .with_options(f.options().without_backups());
    let drop = RevertOptions::default().drop_schema(true);
    let err = no_backups.revert_with(&f.db, 1, &drop).await.unwrap_err();
    match err.migrate() {
        Some(MigrateError::RevertWithoutBackup { to, drops }) => {
            assert_eq!(*to, 1);
            assert_eq!(drops, &["posts.view_count (column)", "tags (table)"]);
        }
        _ => panic!("RevertWithoutBackup expected, got {err}"),
    }
    let message = err.to_string();
    assert!(message.contains("backup_before_destructive"), "{message}");
    assert!(message.contains("nothing was changed"), "{message}");
    // Nothing changed: no down step, history and schema as they were.
    assert_eq!(app.downs.load(Ordering::SeqCst), 0);
    assert_eq!(no_backups.status(&f.db).await.unwrap().applied, 3);
    assert!(
        live(f, "posts")
            .await
            .unwrap()
            .column("view_count")
            .is_some()
    );
    assert!(live(f, "tags").await.is_some());

    // `backup_before_destructive` alone is enough: the backup goes there.
    let elsewhere = tempfile::tempdir().unwrap();
    let guarded = app.binary.clone().with_options(
        f.options()
            .without_backups()
            .backup_before_destructive(elsewhere.path()),
    );
    guarded.revert_with(&f.db, 1, &drop).await.unwrap();
    assert_eq!(revert_backups(elsewhere.path()).len(), 1);
    assert!(live(f, "tags").await.is_none());
}

async fn a_step_without_down_is_refused_before_anything_ran(kind: Kind) {
    let f = Fixture::new(kind).await;
    let downs = Arc::new(AtomicUsize::new(0));
    let v2 = MigrationDef::new(2, "no way back", |_m| Box::pin(async { Ok(()) }));
    let v3 = add_views_with_down(Arc::new(AtomicI64::new(0)), Arc::clone(&downs));
    let binary = Migrator::new([&posts(), &tags()], [v2, v3]).with_options(f.options());
    binary.run(&f.db).await.unwrap();
    let plan = binary.revert_plan(&f.db, 1).await.unwrap();
    assert!(plan.versions[0].refused.is_none());
    assert!(plan.versions[1].refused.is_some());
    for options in [
        RevertOptions::default(),
        RevertOptions::default().drop_schema(true),
    ] {
        let err: Error = binary.revert_with(&f.db, 1, &options).await.unwrap_err();
        assert!(
            matches!(err.migrate(), Some(MigrateError::NoDown { version: 2, .. })),
            "{err}"
        );
    }
    // Version 3's down step never ran and nothing was dropped.
    assert_eq!(downs.load(Ordering::SeqCst), 0);
    assert_eq!(binary.status(&f.db).await.unwrap().applied, 3);
    assert!(
        live(&f, "posts")
            .await
            .unwrap()
            .column("view_count")
            .is_some()
    );
    assert!(live(&f, "tags").await.is_some());
    // Above the refused version, a revert works.
    binary.revert(&f.db, 2).await.unwrap();
    assert_eq!(downs.load(Ordering::SeqCst), 1);
}

on_both_backends!(
    the_plan_lists_the_drops_in_order_and_writes_nothing,
    drop_schema_removes_what_the_versions_added,
    what_the_down_step_dropped_is_not_dropped_again,
    without_drop_schema_the_additions_stay_and_are_named,
    dropping_without_a_backup_dir_is_refused_before_anything,
    a_step_without_down_is_refused_before_anything_ran,
);
