//! A short tour of the embedded engine: a database, a table with several column kinds and an
//! index, rows written and queried with Appwrite's semantics, in a SQLite file under `target/`.
//!
//! Run with `cargo run --example quickstart`.

use appwrite_orm::backend::embedded::EmbeddedBackend;
use appwrite_orm::backend::{Backend, Document, ListOptions};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnKind, ColumnSchema, IndexKind, IndexSchema, TableSchema};
use serde_json::json;

fn doc(value: serde_json::Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

#[tokio::main]
async fn main() -> appwrite_orm::Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/quickstart");
    std::fs::create_dir_all(&dir).map_err(|e| appwrite_orm::Error::Storage(e.to_string()))?;
    let path = dir.join("app.db");
    let _ = std::fs::remove_file(&path);
    let db = EmbeddedBackend::open(&path)?;
    println!("embedded database at {}", path.display());

    db.create_database("app", "App").await?;
    let products = TableSchema::new("products", "Products")
        .column(ColumnSchema::varchar("name", 128).required())
        .column(
            ColumnSchema::new(
                "price",
                ColumnKind::Float {
                    min: Some(0.0),
                    max: None,
                },
            )
            .required(),
        )
        .column(ColumnSchema::integer("stock").default_value(0))
        .column(ColumnSchema::varchar("tags", 32).array())
        .index(IndexSchema::new("by_name", IndexKind::Unique, ["name"]));
    products.validate()?;
    let table = db.create_table("app", &products).await?;
    println!(
        "created table {:?} with {} columns",
        table.id,
        table.columns.len()
    );

    let rows: Vec<Document> = [
        ("Keyboard", 49.9, 12, vec!["desk", "input"]),
        ("Mouse", 19.5, 40, vec!["desk", "input"]),
        ("Monitor", 189.0, 3, vec!["desk", "display"]),
        ("Cable", 4.25, 200, vec!["spare"]),
    ]
    .into_iter()
    .map(|(name, price, stock, tags)| {
        doc(json!({"name": name, "price": price, "stock": stock, "tags": tags}))
    })
    .collect();
    let created = db.create_rows("app", "products", &rows).await?;
    println!("inserted {} rows", created.total);

    let cheap_desk = db
        .list_rows(
            "app",
            "products",
            &[
                Query::contains("tags", ["desk"]),
                Query::less_than("price", 100),
                Query::order_desc("price"),
            ],
            &ListOptions::default(),
        )
        .await?;
    for row in &cheap_desk.items {
        println!(
            "  {} costs {} ({} in stock)",
            row["name"], row["price"], row["stock"]
        );
    }

    let duplicate = db
        .create_row(
            "app",
            "products",
            "unique()",
            &doc(json!({"name": "Mouse", "price": 1})),
            None,
        )
        .await;
    if let Err(e) = duplicate {
        println!("a second \"Mouse\" is refused: {e}");
    }
    Ok(())
}
