//! A short tour on the embedded default: a typed model, its table in a SQLite file under
//! `target/`, rows written and queried with Appwrite's semantics, and the errors Appwrite would
//! give. Against a real server, set `APPWRITE_ENDPOINT`, `APPWRITE_PROJECT_ID` and
//! `APPWRITE_API_KEY`.
//!
//! Run with `cargo run --example quickstart`.

use appwrite_orm::prelude::*;
use appwrite_orm::{Error, HttpConfig};

#[derive(ColumnEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[column_enum(rename_all = "snake_case")]
pub enum Category {
    Desk,
    Display,
    Spare,
}

#[derive(Table, Debug, Clone)]
#[table(id = "products", name = "Products")]
#[index(key = "by_name", unique, columns(name))]
pub struct Product {
    #[column(id)]
    pub id: RowId,
    #[column(size = 128)]
    pub name: String,
    #[column(min = 0)]
    pub price: f64,
    pub stock: u32,
    pub category: Category,
    pub tags: Vec<String>,
    #[column(created_at)]
    pub created_at: DateTime,
}

fn product(name: &str, price: f64, stock: u32, category: Category, tags: &[&str]) -> Product {
    Product {
        id: RowId::unique(),
        name: name.to_owned(),
        price,
        stock,
        category,
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        created_at: DateTime::default(),
    }
}

async fn open() -> appwrite_orm::Result<Database> {
    if std::env::var("APPWRITE_ENDPOINT").is_ok() {
        println!("using the Appwrite server named by APPWRITE_ENDPOINT");
        return Database::connect(HttpConfig::from_env()?).await;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/quickstart");
    std::fs::create_dir_all(&dir).map_err(|e| Error::Storage(e.to_string()))?;
    let path = dir.join("app.db");
    // Start from scratch on every run, so the tour always shows the same thing.
    let _ = std::fs::remove_file(&path);
    println!("embedded database at {}", path.display());
    Database::embedded(&path).await
}

#[tokio::main]
async fn main() -> appwrite_orm::Result<()> {
    let db = open().await?;
    if db.live_table::<Product>().await?.is_some() {
        db.drop_table::<Product>().await?;
    }
    let table = db.create_table::<Product>().await?;
    println!(
        "created table {:?}: {}",
        table.id,
        table
            .columns
            .iter()
            .map(|c| format!("{} ({})", c.schema.key, c.schema.kind.route_type()))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let products = db.table::<Product>();
    let created = products
        .insert_many(&[
            product("Keyboard", 49.9, 12, Category::Desk, &["input"]),
            product("Mouse", 19.5, 40, Category::Desk, &["input", "sale"]),
            product("Monitor", 189.0, 3, Category::Display, &[]),
            product("Cable", 4.25, 200, Category::Spare, &["sale"]),
        ])
        .await?;
    println!("inserted {} rows", created.len());

    let cheap_desk = products
        .query()
        .filter(
            Product::CATEGORY
                .eq(Category::Desk)
                .and(Product::PRICE.lt(100.0)),
        )
        .order(Product::PRICE.desc())
        .all()
        .await?;
    println!("desk products under 100, dearest first:");
    for p in &cheap_desk {
        println!("  {:<10} {:>7.2}  {} in stock", p.name, p.price, p.stock);
    }

    let on_sale = products
        .query()
        .filter(Product::TAGS.contains("sale"))
        .count()
        .await?;
    println!("{on_sale} products are on sale");

    let mouse = &created[1];
    let mouse = products
        .update(&mouse.id, Product::patch().stock(39u32))
        .await?;
    println!("sold a mouse: {} left", mouse.stock);

    // The server's rules, checked before anything is sent.
    let invalid = product(&"x".repeat(200), -1.0, 1, Category::Spare, &[]);
    if let Err(e) = products.create(&invalid).await {
        println!("refused before sending: {e}");
    }
    // And Appwrite's own errors, from the engine just as from a server.
    if let Err(e) = products
        .create(&product("Mouse", 1.0, 1, Category::Desk, &[]))
        .await
    {
        println!("a second \"Mouse\" is refused: {e}");
    }
    println!("{} rows in the table", products.count().await?);
    Ok(())
}
