//! Schema evolution with a breaking change (the seed's "Schema Evolution with Breaking
//! Changes"): product prices stored as text (`"$12.99"`, `"1,299.00"`) become numbers.
//! Appwrite cannot change a column's type, so version 2 converts `price` into a new float
//! column `price_value`, reporting the rows whose price is no number instead of failing or
//! guessing; version 3, once no reader of the text column is left, drops it after writing
//! every value to a JSONL backup.
//!
//! ```sh
//! cargo run --example breaking_change
//! APPWRITE_ENDPOINT=https://appwrite.example.com/v1 APPWRITE_PROJECT_ID=... \
//!   APPWRITE_API_KEY=... cargo run --example breaking_change   # the same on a real server
//! ```
//!
//! Every run starts over: on the embedded default the SQLite file and the backups under
//! `target/examples/breaking_change/` are deleted first; on a server (database
//! `APPWRITE_DATABASE_ID`, else `example-breaking-change`) the tables `products` and
//! `orm_migrations` are deleted first. Then the run plays two deployments: version 1 of the
//! application, whose products table is built by hand below (its `price` column is gone from
//! the current struct), writes 40 products; the current binary migrates them to version 3.

mod common;

use common::{doc, open};

use appwrite_orm::Error;
use appwrite_orm::backend::Document;
use appwrite_orm::migrate::{MigrateOptions, Migrator};
use appwrite_orm::prelude::*;
use appwrite_orm::schema::{ColumnSchema, TableSchema};
use serde_json::{Value, json};

const EXAMPLE: &str = "breaking_change";

/// The products as the code declares them now: the price is a number, under a new key.
#[derive(Table, Debug, Clone)]
#[table(id = "products", name = "Products")]
pub struct Product {
    #[column(id)]
    pub id: RowId,
    #[column(size = 200)]
    pub name: String,
    #[column(size = 64)]
    pub category: String,
    /// Optional: products whose old price was no number have none until someone sets it.
    #[column(min = 0, since = 2)]
    pub price_value: Option<f64>,
    #[column(size = 2000, since = 2)]
    pub description: Option<String>,
    #[column(default = true, since = 2)]
    pub in_stock: bool,
    #[column(since = 2)]
    pub tags: Vec<String>,
}

/// The seed's `parseFloat(price.replace(/[^0-9.-]+/g, ''))`, refusing what is no number
/// (where `parseFloat` would give `NaN`).
fn parse_price(value: &Value) -> Result<Value, String> {
    let text = value.as_str().ok_or("the price is not text")?;
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    kept.parse::<f64>()
        .map(Value::from)
        .map_err(|_| format!("{text:?} is not a price"))
}

#[migration(version = 2, name = "prices to numbers")]
async fn prices_to_numbers(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    let to = Product::schema()
        .find_column("price_value")
        .cloned()
        .ok_or_else(|| Error::Internal("price_value is declared".into()))?;
    m.convert_column("products", "price", to, parse_price)
        .await?;
    Ok(())
}

#[migration(version = 3, name = "drop the text price")]
async fn drop_text_price(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    m.drop_column("products", "price").await?;
    Ok(())
}

/// The products table of version 1, as that version's binary declared it.
fn products_v1() -> TableSchema {
    TableSchema::new("products", "Products")
        .column(ColumnSchema::varchar("name", 200).required())
        .column(ColumnSchema::varchar("price", 32).required())
        .column(ColumnSchema::varchar("category", 64).required())
}

/// Version 1 of the application: products with text prices, some of which are no number.
async fn deploy_version_one(db: &Database, options: &MigrateOptions) -> appwrite_orm::Result<()> {
    let v1 = products_v1();
    let report = Migrator::new([&v1], [])
        .with_options(options.clone())
        .run(db)
        .await?;
    println!("== version 1 of the application\n{report}");
    let prices = [
        "$12.99", "7", "1,299.00", "call us", "0.50", "N/A", "€3", "twelve",
    ];
    let categories = ["desk", "display", "spare"];
    let products: Vec<Document> = (0..40)
        .map(|i| {
            doc(json!({
                "$id": format!("p{i:02}"),
                "name": format!("Product {i}"),
                "price": prices[i % prices.len()],
                "category": categories[i % categories.len()],
            }))
        })
        .collect();
    db.rows("products").insert_many(&products).await?;
    println!(
        "version 1 wrote {} products, prices like {:?}\n",
        products.len(),
        prices
    );
    Ok(())
}

#[tokio::main]
async fn main() -> appwrite_orm::Result<()> {
    let (db, dir) = open(EXAMPLE, &["products"]).await?;
    let options = MigrateOptions::default().backups_in(dir.join("backups"));
    deploy_version_one(&db, &options).await?;

    println!("== the current version: db.migrate()");
    let report = db.migrate_with(options.clone()).await?;
    print!("{report}");

    let products = db.table::<Product>();
    println!("\nwhat the data looks like now:");
    for p in products
        .query()
        .filter(Product::ID.is_in(["p00", "p02", "p03", "p06"]))
        .order(Product::ID.asc())
        .all()
        .await?
    {
        let price = p
            .price_value
            .map_or("none".to_owned(), |v| format!("{v:.2}"));
        println!(
            "  {} {:<11} {:<8} price {price:>8}, in stock {}",
            p.id.as_str(),
            p.name,
            p.category,
            p.in_stock
        );
    }
    let without_price = products
        .query()
        .filter(Product::PRICE_VALUE.is_null())
        .count()
        .await?;
    let dear = products
        .query()
        .filter(Product::PRICE_VALUE.gt(100.0))
        .count()
        .await?;
    println!("{dear} products above 100 (a numeric filter); {without_price} without a price");

    // The text prices are gone from the table but not lost: version 3 backed them up.
    if let Some(backup) = report.version(3).and_then(|v| v.backups.first()) {
        let text = std::fs::read_to_string(&backup.path)
            .map_err(|e| Error::Storage(format!("{}: {e}", backup.path.display())))?;
        let unpriced: Vec<String> = products
            .query()
            .filter(Product::PRICE_VALUE.is_null())
            .all()
            .await?
            .into_iter()
            .map(|p| p.id.to_string())
            .collect();
        println!(
            "\nthe old prices of the {} products without a price are in {}, e.g.:",
            unpriced.len(),
            backup.path.display()
        );
        let mut shown = 0;
        for line in text.lines() {
            let row: Value =
                serde_json::from_str(line).map_err(|e| Error::Storage(e.to_string()))?;
            let id = row["$id"].as_str().unwrap_or_default();
            if unpriced.iter().any(|u| u == id) && shown < 3 {
                println!("  {id}: {}", row["price"]);
                shown += 1;
            }
        }
    }
    Ok(())
}
