//! Backup and restore of tables linked by relationships (oneToOne one-way, oneToMany two-way,
//! manyToOne one-way, manyToMany two-way), each case on the embedded engine and over HTTP
//! through the emulator: every row comes back with every link, twins included, compared with
//! selects that read the related ids.

mod backup_support;
mod migrate_support;

use std::sync::Arc;

use appwrite_orm::Database;
use appwrite_orm::backup::{self, RestoreOptions};
use appwrite_orm::schema::ColumnKind;
use backup_support::linked;
use migrate_support::{Fixture, Kind};
use serde_json::{Value, json};

/// A second database next to the fixture's.
async fn copy(f: &Fixture) -> Database {
    Database::ready(Arc::clone(f.db.backend()), "copy")
        .await
        .expect("the second database")
}

/// Backup into an empty database, and over the same tables with `replace` after the links
/// changed: both give back every row and every link.
async fn every_link_round_trips(kind: Kind) {
    let f = Fixture::new(kind).await;
    linked::create(&f.db).await;
    linked::seed(&f.db).await;
    let before = linked::snapshot(&f.db).await;
    // The to-many sides were written and read back: the snapshot sees links.
    assert_eq!(
        linked::links(&before, "authors", "a1", "books"),
        json!(["b1", "b2"])
    );
    assert_eq!(
        linked::links(&before, "tags", "t1", "books"),
        json!(["b1", "b2"])
    );
    assert_eq!(linked::links(&before, "books", "b3", "author"), json!("a2"));
    assert_eq!(
        linked::links(&before, "authors", "a1", "mentees"),
        json!(["a2", "a3"])
    );

    let dir = tempfile::tempdir().unwrap();
    let taken = backup::backup(&f.db, dir.path(), None).await.unwrap();
    assert_eq!(taken.rows, 18);
    // The backup stores parent sides as ids, twins not at all.
    let books = std::fs::read_to_string(dir.path().join("books.jsonl")).unwrap();
    let b1: serde_json::Value = serde_json::from_str(books.lines().next().unwrap()).unwrap();
    assert_eq!(b1["tags"], json!(["t1", "t2"]));
    assert_eq!(b1["publisher"], json!("pub1"));
    assert!(b1.get("author").is_none(), "{b1}");

    let target = copy(&f).await;
    let restored = backup::restore(&target, dir.path()).await.unwrap();
    assert_eq!(restored.rows, 18);
    // a1..a3, a5 and b1..b4 link something; b5, a4 and the tables without parent sides do not.
    assert_eq!(restored.linked, 8);
    assert!(restored.skipped_relationships.is_empty());
    assert_eq!(linked::snapshot(&target).await, before);
    // The twins were created by their parents, as twins.
    let live = target
        .backend()
        .get_table(target.id(), "tags")
        .await
        .unwrap();
    let twin = live.column("books").expect("the twin tags.books");
    assert!(
        matches!(&twin.schema.kind, ColumnKind::Relationship(rel)
            if rel.side == appwrite_orm::schema::RelationSide::Child),
        "{twin:?}"
    );

    // Links changed since the backup come back as they were.
    let data = json!({"books": ["b5"], "profile": null});
    f.db.rows("authors")
        .update("a1", data.as_object().unwrap())
        .await
        .unwrap();
    f.db.rows("tags").delete("t2").await.unwrap();
    let options = RestoreOptions::default().replace(true).in_flight(4);
    backup::restore_with(&f.db, dir.path(), &options)
        .await
        .unwrap();
    assert_eq!(linked::snapshot(&f.db).await, before);
}

/// A subset whose related tables are missing restores its rows and leaves out, and reports,
/// the relationships it cannot create; with the related tables there, the links come back.
async fn a_subset_restores_links_to_tables_that_exist(kind: Kind) {
    let f = Fixture::new(kind).await;
    linked::create(&f.db).await;
    linked::seed(&f.db).await;
    let before = linked::snapshot(&f.db).await;
    let dir = tempfile::tempdir().unwrap();
    backup::backup(&f.db, dir.path(), Some(&["books".to_owned()]))
        .await
        .unwrap();

    // Alone: no publishers, no tags, no authors.
    let lonely = copy(&f).await;
    let restored = backup::restore(&lonely, dir.path()).await.unwrap();
    assert_eq!(restored.rows, 5);
    assert_eq!(restored.linked, 0);
    assert_eq!(
        restored.skipped_relationships,
        ["books.publisher → publishers", "books.tags → tags"]
    );
    let live = lonely
        .backend()
        .get_table(lonely.id(), "books")
        .await
        .unwrap();
    assert!(live.column("publisher").is_none() && live.column("tags").is_none());
    assert_eq!(
        lonely.rows("books").get("b1").await.unwrap().unwrap().0["title"],
        "One"
    );

    // Over the source: its related tables exist, the parent sides of `books` come back with
    // their links. (`authors.books` lives on `authors`, outside the backup: dropping `books`
    // removed it, as deleting a table deletes its relationships.)
    let options = RestoreOptions::default().replace(true);
    let restored = backup::restore_with(&f.db, dir.path(), &options)
        .await
        .unwrap();
    assert!(restored.skipped_relationships.is_empty());
    let after = linked::snapshot_of(&f.db, &["books", "tags"]).await;
    assert_eq!(
        linked::links(&after, "books", "b1", "tags"),
        json!(["t1", "t2"])
    );
    assert_eq!(
        linked::links(&after, "books", "b3", "publisher"),
        json!("pub2")
    );
    assert_eq!(after["tags"], before["tags"]);
}

/// Rewrites a JSONL file line by line.
fn rewrite(path: &std::path::Path, change: impl Fn(&mut serde_json::Map<String, Value>)) {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let mut row: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
            change(&mut row);
            serde_json::to_string(&row).unwrap()
        })
        .collect();
    std::fs::write(path, lines.join("\n")).unwrap();
}

/// A backup written before relationships were stored (rows read without a select: to-one
/// sides as ids, twins included, to-many sides left out) still restores, with its to-one links.
async fn an_old_backup_restores_its_to_one_links(kind: Kind) {
    let f = Fixture::new(kind).await;
    linked::create(&f.db).await;
    linked::seed(&f.db).await;
    let before = linked::snapshot(&f.db).await;
    let dir = tempfile::tempdir().unwrap();
    backup::backup(&f.db, dir.path(), None).await.unwrap();
    rewrite(&dir.path().join("books.jsonl"), |row| {
        row.remove("tags");
        let author = linked::links(&before, "books", row["$id"].as_str().unwrap(), "author");
        row.insert("author".into(), author);
    });
    rewrite(&dir.path().join("authors.jsonl"), |row| {
        row.remove("books");
    });

    let target = copy(&f).await;
    let restored = backup::restore(&target, dir.path()).await.unwrap();
    assert_eq!(restored.rows, 18);
    let after = linked::snapshot(&target).await;
    assert_eq!(
        linked::links(&after, "books", "b1", "publisher"),
        json!("pub1")
    );
    assert_eq!(
        linked::links(&after, "authors", "a2", "profile"),
        json!("p2")
    );
    assert_eq!(linked::links(&after, "books", "b1", "tags"), json!([]));
    assert_eq!(linked::links(&after, "authors", "a1", "books"), json!([]));
    assert_eq!(linked::links(&after, "books", "b1", "author"), Value::Null);
}

on_both_backends!(
    every_link_round_trips,
    an_old_backup_restores_its_to_one_links,
    a_subset_restores_links_to_tables_that_exist,
);
