//! A database built the way a console user builds one: a table, then its columns and indexes
//! one request at a time, each described in Appwrite's JSON (the shapes the console sends), with
//! no Rust model anywhere. Every column kind is here, keys that are no Rust identifier, a
//! two-way and a one-way relationship, and key, unique, fulltext and spatial indexes (with
//! orders and prefix lengths).

use appwrite_orm::Database;
use appwrite_orm::api::ColumnStatus;
use appwrite_orm::schema::{ColumnSchema, IndexSchema, TableSchema};
use serde_json::{Value, json};

/// One table as the console creates it.
struct ConsoleTable {
    id: &'static str,
    name: &'static str,
    row_security: bool,
    permissions: &'static [&'static str],
    columns: Value,
    indexes: Value,
}

fn tables() -> Vec<ConsoleTable> {
    vec![
        ConsoleTable {
            id: "authors",
            name: "Authors",
            row_security: true,
            permissions: &["read(\"any\")", "create(\"users\")"],
            columns: json!([
                {"key": "name", "type": "varchar", "size": 128, "required": true},
                {"key": "email", "type": "email", "required": true},
                {"key": "homepage", "type": "url", "required": false},
                {"key": "last-ip", "type": "ip", "required": false},
                {"key": "bio", "type": "text", "required": false},
                {"key": "notes", "type": "mediumtext", "required": false},
                {"key": "archive", "type": "longtext", "required": false},
                {"key": "legacy_code", "type": "string", "size": 64, "required": false},
                {"key": "type", "type": "enum", "elements": ["admin", "guest-user", "1st"], "required": true},
                {"key": "2fa", "type": "boolean", "required": false, "default": false},
                {"key": "rating", "type": "double", "required": false, "min": 0, "max": 5, "default": 2.5},
                {"key": "age", "type": "integer", "required": false, "min": 0, "max": 150},
                {"key": "followers", "type": "bigint", "required": false, "default": 0},
                {"key": "born", "type": "datetime", "required": false, "default": "2000-01-01T00:00:00.000+00:00"},
                {"key": "tags", "type": "varchar", "size": 20, "required": false, "array": true},
                {"key": "scores", "type": "integer", "required": true, "array": true},
                {"key": "displayName", "type": "varchar", "size": 64, "required": false},
                {"key": "display_name", "type": "varchar", "size": 32, "required": false},
            ]),
            indexes: json!([
                {"key": "by_email", "type": "unique", "columns": ["email"]},
                {"key": "bio_search", "type": "fulltext", "columns": ["bio"]},
                {"key": "recent", "type": "key", "columns": ["$createdAt", "age"], "orders": ["DESC", "ASC"]},
                {"key": "by_name_prefix", "type": "key", "columns": ["name", "legacy_code"], "lengths": [16, null]},
            ]),
        },
        ConsoleTable {
            id: "books",
            name: "Books",
            row_security: false,
            permissions: &[],
            columns: json!([
                {"key": "title", "type": "varchar", "size": 200, "required": true},
                {"key": "published", "type": "boolean", "required": true},
                // A whole number as the default of a float column, as the console sends it.
                {"key": "price", "type": "double", "required": false, "default": 3},
                // Stored encrypted at rest: pulled as `#[column(size = 150, encrypt)]`.
                {"key": "isbn", "type": "varchar", "size": 150, "required": false, "encrypt": true},
            ]),
            indexes: json!([
                {"key": "by_title", "type": "key", "columns": ["title"]},
            ]),
        },
        ConsoleTable {
            id: "map-places",
            name: "Map places",
            row_security: false,
            permissions: &[],
            columns: json!([
                {"key": "location", "type": "point", "required": true},
                {"key": "route", "type": "linestring", "required": false},
                {"key": "area", "type": "polygon", "required": false},
                {"key": "label", "type": "varchar", "size": 50, "required": false, "default": "somewhere"},
            ]),
            indexes: json!([
                {"key": "near", "type": "spatial", "columns": ["location"]},
            ]),
        },
    ]
}

/// The relationship the console adds once both tables exist: a book's author, two-way (the
/// authors table gets `books`). A one-way one (a book's place) follows it.
fn relationship() -> Value {
    json!({
        "key": "author", "type": "relationship", "relatedTable": "authors",
        "relationType": "manyToOne", "twoWay": true, "twoWayKey": "books",
        "onDelete": "setNull", "side": "parent",
    })
}

/// Builds the database, then waits until every column and index is available.
pub async fn build(db: &Database) {
    let backend = db.backend();
    for table in tables() {
        let mut schema = TableSchema::new(table.id, table.name);
        schema.row_security = table.row_security;
        schema.permissions = table.permissions.iter().map(|p| p.to_string()).collect();
        backend.create_table(db.id(), &schema).await.unwrap();
        for (i, column) in table.columns.as_array().unwrap().iter().enumerate() {
            let column = ColumnSchema::from_inline(i, column).unwrap();
            backend
                .create_column(db.id(), table.id, &column)
                .await
                .unwrap();
        }
        wait_available(db, table.id).await;
        for (i, index) in table.indexes.as_array().unwrap().iter().enumerate() {
            let index = IndexSchema::from_inline(i, index).unwrap();
            backend
                .create_index(db.id(), table.id, &index)
                .await
                .unwrap();
        }
    }
    let author = ColumnSchema::from_model(&relationship()).unwrap();
    backend
        .create_column(db.id(), "books", &author)
        .await
        .unwrap();
    let place = ColumnSchema::from_model(&json!({
        "key": "place", "type": "relationship", "relatedTable": "map-places",
        "relationType": "manyToOne", "twoWay": false, "onDelete": "restrict",
    }))
    .unwrap();
    backend
        .create_column(db.id(), "books", &place)
        .await
        .unwrap();
    for table in ["authors", "books", "map-places"] {
        wait_available(db, table).await;
    }
}

async fn wait_available(db: &Database, table: &str) {
    for _ in 0..200 {
        let live = db.backend().get_table(db.id(), table).await.unwrap();
        let statuses = live
            .columns
            .iter()
            .map(|c| c.status)
            .chain(live.indexes.iter().map(|i| i.status));
        if statuses.into_iter().all(|s| s == ColumnStatus::Available) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the columns of {table} did not become available");
}
