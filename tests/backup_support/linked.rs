//! Tables linked by every kind of relationship, rows that use them, and a snapshot of every
//! row with the related ids of each relationship column (twins included), read with selects.
//!
//! - `authors.profile` → `profiles`: oneToOne, one-way;
//! - `authors.books` → `books`: oneToMany, two-way (twin `books.author`), setNull;
//! - `books.publisher` → `publishers`: manyToOne, one-way;
//! - `books.tags` → `tags`: manyToMany, two-way (twin `tags.books`);
//! - `authors.mentor` → `authors`: manyToOne to its own table, two-way (twin `mentees`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use appwrite_orm::Database;
use appwrite_orm::backend::{ColumnStatus, Document};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{
    ColumnKind, ColumnSchema, OnDelete, RelationSide, RelationType, Relationship, TableSchema,
};
use serde_json::{Value, json};

/// The tables, in the order they are created.
pub const TABLES: [&str; 5] = ["profiles", "publishers", "tags", "books", "authors"];

fn relation(
    key: &str,
    related: &str,
    relation_type: RelationType,
    twin: Option<&str>,
    side: RelationSide,
) -> ColumnSchema {
    let mut rel = Relationship::new(related, relation_type);
    rel.two_way = twin.is_some();
    rel.two_way_key = twin.map(str::to_owned);
    rel.on_delete = OnDelete::SetNull;
    rel.side = side;
    ColumnSchema::new(key, ColumnKind::Relationship(rel))
}

/// The five tables as a migration declares them: parents and twins.
pub fn schemas() -> Vec<TableSchema> {
    let named = |id: &str, column: &str| {
        TableSchema::new(id, id).column(ColumnSchema::varchar(column, 64).required())
    };
    let parent = RelationSide::Parent;
    let child = RelationSide::Child;
    vec![
        named("profiles", "bio"),
        named("publishers", "name"),
        named("tags", "label").column(relation(
            "books",
            "books",
            RelationType::ManyToMany,
            Some("tags"),
            child,
        )),
        named("books", "title")
            .column(relation(
                "publisher",
                "publishers",
                RelationType::ManyToOne,
                None,
                parent,
            ))
            .column(relation(
                "tags",
                "tags",
                RelationType::ManyToMany,
                Some("books"),
                parent,
            ))
            .column(relation(
                "author",
                "authors",
                RelationType::OneToMany,
                Some("books"),
                child,
            )),
        named("authors", "name")
            .column(relation(
                "profile",
                "profiles",
                RelationType::OneToOne,
                None,
                parent,
            ))
            .column(relation(
                "books",
                "books",
                RelationType::OneToMany,
                Some("author"),
                parent,
            ))
            .column(relation(
                "mentor",
                "authors",
                RelationType::ManyToOne,
                Some("mentees"),
                parent,
            ))
            .column(relation(
                "mentees",
                "authors",
                RelationType::ManyToOne,
                Some("mentor"),
                child,
            )),
    ]
}

fn is_relationship(c: &ColumnSchema) -> bool {
    matches!(c.kind, ColumnKind::Relationship(_))
}

/// Creates the tables, then their parent-side relationship columns (twins come with them),
/// and waits until every column is available.
pub async fn create(db: &Database) {
    let all = schemas();
    for schema in &all {
        let mut bare = schema.clone();
        bare.columns.retain(|c| !is_relationship(c));
        db.backend()
            .create_table(db.id(), &bare)
            .await
            .expect("create a table");
    }
    for schema in &all {
        for column in schema.columns.iter().filter(|c| {
            matches!(&c.kind, ColumnKind::Relationship(rel) if rel.side == RelationSide::Parent)
        }) {
            db.backend()
                .create_column(db.id(), &schema.id, column)
                .await
                .expect("create a relationship column");
        }
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    for table in TABLES {
        loop {
            let live = db.backend().get_table(db.id(), table).await.unwrap();
            let declared = all.iter().find(|s| s.id == table).unwrap();
            let ready = declared.columns.iter().all(|c| {
                live.column(&c.key)
                    .is_some_and(|l| l.status == ColumnStatus::Available)
            });
            if ready {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "columns of {table} not available"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

/// Rows and their links: some rows link nothing; one row has its own permissions and
/// timestamps.
pub async fn seed(db: &Database) {
    let writes = [
        ("profiles", json!({"$id": "p1", "bio": "first"})),
        ("profiles", json!({"$id": "p2", "bio": "second"})),
        ("profiles", json!({"$id": "p3", "bio": "alone"})),
        ("publishers", json!({"$id": "pub1", "name": "North"})),
        ("publishers", json!({"$id": "pub2", "name": "South"})),
        ("tags", json!({"$id": "t1", "label": "sea"})),
        ("tags", json!({"$id": "t2", "label": "war"})),
        ("tags", json!({"$id": "t3", "label": "unused"})),
        (
            "books",
            json!({"$id": "b1", "title": "One", "publisher": "pub1", "tags": ["t1", "t2"],
                "$permissions": ["read(\"user:u1\")"],
                "$createdAt": "2020-02-29T12:00:00.000+00:00",
                "$updatedAt": "2021-03-01T00:00:00.000+00:00"}),
        ),
        (
            "books",
            json!({"$id": "b2", "title": "Two", "publisher": "pub1", "tags": ["t1"]}),
        ),
        (
            "books",
            json!({"$id": "b3", "title": "Three", "publisher": "pub2"}),
        ),
        (
            "books",
            json!({"$id": "b4", "title": "Four", "tags": ["t2"]}),
        ),
        ("books", json!({"$id": "b5", "title": "Orphan"})),
        (
            "authors",
            json!({"$id": "a1", "name": "Ann", "profile": "p1", "books": ["b1", "b2"]}),
        ),
        (
            "authors",
            json!({"$id": "a2", "name": "Bob", "profile": "p2", "books": ["b3"], "mentor": "a1"}),
        ),
        (
            "authors",
            json!({"$id": "a3", "name": "Cy", "books": ["b4"], "mentor": "a1"}),
        ),
        ("authors", json!({"$id": "a4", "name": "Dee"})),
        (
            "authors",
            json!({"$id": "a5", "name": "Eve", "mentor": "a4"}),
        ),
    ];
    for (table, value) in writes {
        let id = value["$id"].as_str().unwrap().to_owned();
        let mut data = doc(value);
        let permissions: Option<Vec<String>> = data
            .remove("$permissions")
            .map(|p| serde_json::from_value(p).unwrap());
        db.backend()
            .create_row(db.id(), table, &id, &data, permissions.as_deref())
            .await
            .unwrap_or_else(|e| panic!("create {table}/{id}: {e}"));
    }
}

/// A relationship value as sorted related ids (`null` for an unlinked to-one side).
fn ids(value: &Value) -> Value {
    match value {
        Value::Object(row) => row.get("$id").cloned().unwrap_or(Value::Null),
        Value::Array(items) => {
            let mut ids: Vec<String> = items
                .iter()
                .filter_map(|i| ids(i).as_str().map(str::to_owned))
                .collect();
            ids.sort();
            json!(ids)
        }
        other => other.clone(),
    }
}

/// Every row of the five tables: [`snapshot_of`] them all.
pub async fn snapshot(db: &Database) -> BTreeMap<String, Vec<Document>> {
    snapshot_of(db, &TABLES).await
}

/// Every row of `tables`, by table, ordered by id, with each live relationship column's
/// related ids (twins included) read with `select(["*", "key.$id", …])`; `$sequence` and
/// `$databaseId` apart.
pub async fn snapshot_of(db: &Database, tables: &[&str]) -> BTreeMap<String, Vec<Document>> {
    let mut out = BTreeMap::new();
    for table in tables {
        let live = db.backend().get_table(db.id(), table).await.unwrap();
        let keys: Vec<String> = live
            .columns
            .iter()
            .filter(|c| is_relationship(&c.schema))
            .map(|c| c.schema.key.clone())
            .collect();
        let select = std::iter::once("*".to_owned()).chain(keys.iter().map(|k| format!("{k}.$id")));
        let rows = db
            .rows(table)
            .query()
            .with(Query::select(select))
            .with(Query::order_asc("$id"))
            .all()
            .await
            .unwrap_or_else(|e| panic!("read {table}: {e}"));
        let rows = rows
            .into_iter()
            .map(|row| {
                let mut doc = row.0;
                doc.remove("$sequence");
                doc.remove("$databaseId");
                for key in &keys {
                    let value = doc.get(key).map(ids).unwrap_or(Value::Null);
                    doc.insert(key.clone(), value);
                }
                doc
            })
            .collect();
        out.insert((*table).to_owned(), rows);
    }
    out
}

/// The related ids of `table`'s row `id` in a snapshot, for readable assertions.
pub fn links(
    snapshot: &BTreeMap<String, Vec<Document>>,
    table: &str,
    id: &str,
    key: &str,
) -> Value {
    snapshot[table]
        .iter()
        .find(|r| r["$id"] == id)
        .map_or(Value::Null, |r| r[key].clone())
}
