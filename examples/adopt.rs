//! Adopting a database built in the Appwrite console: pull models from it, record the adopted
//! state with `baseline`, then migrate onward.
//!
//! ```sh
//! cargo run --example adopt
//! ```
//!
//! 1. A "console user" creates the database `shop`: tables `customers` and `orders`, columns
//!    and indexes one request at a time in Appwrite's JSON, a two-way relationship, a few rows.
//!    No Rust model is involved.
//! 2. `appwrite-orm pull --database shop --out target/examples/adopt/models.rs` (run in
//!    process) writes the models. They must equal `examples/adopt/models.rs`, which this
//!    example compiles: the pulled code is what the team checks in.
//! 3. `migrate baseline 1` records the database as version 1 without touching it.
//! 4. Version 2, as the team writes it next: `customers.loyalty_points` with a default, and a
//!    `#[migration]` step that credits pro customers. `migrate()` applies only that.
//!
//! With no `APPWRITE_*` variables it runs on the embedded engine in a fresh SQLite file under
//! `target/examples/adopt/`; with `APPWRITE_ENDPOINT`, `APPWRITE_PROJECT_ID` and
//! `APPWRITE_API_KEY` set, against that server (the database `shop` is deleted and created
//! again).

#[path = "adopt/models.rs"]
mod models;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use appwrite_orm::backend::embedded::EmbeddedBackend;
use appwrite_orm::migrate::{Migrator, registered_in};
use appwrite_orm::prelude::*;
use appwrite_orm::schema::{ColumnSchema, IndexSchema, TableSchema};
use appwrite_orm::{Error, HttpBackend, HttpConfig};
use serde_json::{Value, json};

const DATABASE: &str = "shop";
const CHECKED_IN: &str = "examples/adopt/models.rs";

/// Version 2 of `customers`, as the team edits the pulled struct after adopting: one new
/// column (`since = 2`, with a default) and nothing else changed.
mod v2 {
    use appwrite_orm::prelude::*;

    use super::models::{CustomersPlan, Orders};

    /// The table `customers`.
    #[derive(Table, Debug, Clone)]
    #[table(id = "customers", name = "Customers")]
    #[index(key = "by_email", unique, columns(email))]
    pub struct Customers {
        /// `$id`.
        #[column(id)]
        pub id: RowId,
        /// `$createdAt`.
        #[column(created_at)]
        pub created_at: DateTime,
        /// `$updatedAt`.
        #[column(updated_at)]
        pub updated_at: DateTime,
        /// `email`: email, required.
        #[column(email)]
        pub email: String,
        /// `fullName`: varchar(128), required.
        #[column(rename = "fullName", size = 128)]
        pub full_name: String,
        /// `orders`: relationship manyToOne to `orders` (twin).
        #[column(
            relation(table = "orders", kind = many_to_one, on_delete = set_null, twin, two_way_key = "customer")
        )]
        pub orders: Vec<Ref<Orders>>,
        /// `plan`: enum.
        #[column(default = "free")]
        pub plan: CustomersPlan,
        /// New in version 2: points earned, 0 for every customer that existed before.
        #[column(default = 0, min = 0, since = 2)]
        pub loyalty_points: i64,
    }

    /// Version 2's step: pro customers start with 100 points.
    #[migration(version = 2, name = "credit pro customers")]
    async fn credit_pro_customers(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
        m.table::<Customers>()
            .backfill(Customers::PLAN.eq(CustomersPlan::Pro), |_| {
                Customers::patch().loyalty_points(100)
            })
            .await?;
        Ok(())
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> appwrite_orm::Result<()> {
    let (db, embedded) = open().await?;
    println!("== 1. the console: database {DATABASE:?}, tables and rows, no models");
    console(&db).await?;

    let out = example_dir().join("models.rs");
    let mut args = vec!["appwrite-orm".to_owned()];
    if let Some(path) = &embedded {
        args.extend(["--embedded".to_owned(), path.display().to_string()]);
    }
    args.extend(["--database", DATABASE, "pull", "--out"].map(str::to_owned));
    args.push(out.display().to_string());
    println!("\n== 2. appwrite-orm {}", args[1..].join(" "));
    let mut printed = Vec::new();
    if appwrite_orm_cli::execute(&args, &mut printed).await != 0 {
        return Err(failed("the pull failed (its error is above)"));
    }
    print!("{}", String::from_utf8_lossy(&printed));
    let pulled = read(&out)?;
    let checked_in = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(CHECKED_IN))?;
    if pulled != checked_in {
        return Err(failed(&format!(
            "the pulled models differ from {CHECKED_IN}; compare it with {}",
            out.display()
        )));
    }
    println!("the pulled models equal {CHECKED_IN}, which this example compiles:\n");
    print_struct(&pulled, "pub struct Orders");

    println!("\n== 3. migrate baseline 1");
    let v1 = Migrator::new([models::Customers::schema(), models::Orders::schema()], []);
    let mut stdout = std::io::stdout();
    let exit =
        appwrite_orm::cli::execute(["migrate", "baseline", "1"], &v1, Some(&db), &mut stdout).await;
    if exit != appwrite_orm::cli::Exit::Ok {
        return Err(failed("baseline failed"));
    }

    println!("\n== 4. version 2: customers.loyalty_points (default 0) and a step");
    let v2 = Migrator::new(
        [v2::Customers::schema(), models::Orders::schema()],
        registered_in(&format!("{}::v2", module_path!())),
    );
    let report = v2.run(&db).await?;
    println!("{report}");
    let pro = db
        .table::<v2::Customers>()
        .query()
        .filter(v2::Customers::LOYALTY_POINTS.eq(100))
        .count()
        .await?;
    println!("customers with 100 points: {pro}");
    let again = v2.run(&db).await?;
    println!("\na second run: {again}");
    Ok(())
}

/// The `shop` database, new: on the server of the `APPWRITE_*` variables (deleted first), or
/// in a new SQLite file (returned, for `--embedded`).
async fn open() -> appwrite_orm::Result<(Database, Option<PathBuf>)> {
    let dir = example_dir();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| Error::Storage(e.to_string()))?;
    if std::env::var_os("APPWRITE_ENDPOINT").is_none() {
        let path = dir.join("app.db");
        let engine: Arc<dyn Backend> = Arc::new(EmbeddedBackend::open(&path)?);
        engine.create_database(DATABASE, "Shop").await?;
        return Ok((Database::new(engine, DATABASE), Some(path)));
    }
    let config = HttpConfig::from_env()?;
    println!("server {}", config.endpoint);
    let server: Arc<dyn Backend> = Arc::new(HttpBackend::new(config)?);
    match server.delete_database(DATABASE).await {
        Ok(()) => println!("deleted the database {DATABASE:?} of an earlier run"),
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e),
    }
    server.create_database(DATABASE, "Shop").await?;
    Ok((Database::new(server, DATABASE), None))
}

fn example_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("examples").join("adopt")
}

/// The tables a console user creates: id, name, columns and indexes, as the JSON each click
/// sends.
fn console_tables() -> [(&'static str, &'static str, Value, Value); 2] {
    [
        (
            "customers",
            "Customers",
            json!([
                {"key": "fullName", "type": "varchar", "size": 128, "required": true},
                {"key": "email", "type": "email", "required": true},
                {"key": "plan", "type": "enum", "elements": ["free", "pro"], "required": false, "default": "free"},
            ]),
            json!([{"key": "by_email", "type": "unique", "columns": ["email"]}]),
        ),
        (
            "orders",
            "Orders",
            json!([
                {"key": "total", "type": "double", "required": true, "min": 0},
                {"key": "placed-at", "type": "datetime", "required": true},
            ]),
            json!([{"key": "recent", "type": "key", "columns": ["placed-at"], "orders": ["DESC"]}]),
        ),
    ]
}

/// What a console user clicks: tables, columns and indexes one at a time, a relationship, rows.
async fn console(db: &Database) -> appwrite_orm::Result<()> {
    let backend = db.backend();
    for (id, name, columns, indexes) in console_tables() {
        backend
            .create_table(db.id(), &TableSchema::new(id, name))
            .await?;
        for (i, column) in items(&columns).iter().enumerate() {
            let column =
                ColumnSchema::from_inline(i, column).map_err(|e| failed(&format!("{e:?}")))?;
            backend.create_column(db.id(), id, &column).await?;
        }
        wait_available(db, id).await?;
        for (i, index) in items(&indexes).iter().enumerate() {
            let index =
                IndexSchema::from_inline(i, index).map_err(|e| failed(&format!("{e:?}")))?;
            backend.create_index(db.id(), id, &index).await?;
        }
        println!(
            "created table {id:?}: {} columns, {} index",
            items(&columns).len(),
            items(&indexes).len()
        );
    }
    let customer = ColumnSchema::from_model(&json!({
        "key": "customer", "type": "relationship", "relatedTable": "customers",
        "relationType": "manyToOne", "twoWay": true, "twoWayKey": "orders", "onDelete": "setNull",
    }))?;
    backend.create_column(db.id(), "orders", &customer).await?;
    wait_available(db, "orders").await?;
    wait_available(db, "customers").await?;
    println!("created the relationship orders.customer, two-way (customers.orders)");
    let customers = db.rows("customers");
    for (id, name, email, plan) in [
        ("ada", "Ada Lovelace", "ada@example.com", "pro"),
        ("alan", "Alan Turing", "alan@example.com", "free"),
        ("grace", "Grace Hopper", "grace@example.com", "pro"),
    ] {
        let row = json!({"fullName": name, "email": email, "plan": plan});
        customers
            .create(id, row.as_object().expect("an object"))
            .await?;
    }
    let row =
        json!({"total": 42.5, "placed-at": "2026-01-02T03:04:05.000+00:00", "customer": "ada"});
    db.rows("orders")
        .create("o1", row.as_object().expect("an object"))
        .await?;
    println!("created 3 customers and 1 order");
    Ok(())
}

fn items(list: &Value) -> &[Value] {
    list.as_array().map_or(&[], Vec::as_slice)
}

async fn wait_available(db: &Database, table: &str) -> appwrite_orm::Result<()> {
    for _ in 0..600 {
        let live = db.backend().get_table(db.id(), table).await?;
        let ready = live
            .columns
            .iter()
            .all(|c| c.status == appwrite_orm::api::ColumnStatus::Available)
            && live
                .indexes
                .iter()
                .all(|i| i.status == appwrite_orm::api::ColumnStatus::Available);
        if ready {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(failed(&format!(
        "the columns of {table:?} did not become available"
    )))
}

/// Prints the item of `source` that starts with the line `start`, with its attributes.
fn print_struct(source: &str, start: &str) {
    let blocks = source.split("\n\n");
    if let Some(block) = blocks.into_iter().find(|b| b.contains(start)) {
        println!("{}", block.trim_end());
    }
}

fn read(path: &Path) -> appwrite_orm::Result<String> {
    std::fs::read_to_string(path).map_err(|e| failed(&format!("{}: {e}", path.display())))
}

fn failed(message: &str) -> Error {
    Error::Config {
        what: "the adopt example".to_owned(),
        reason: message.to_owned(),
    }
}
