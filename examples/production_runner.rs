//! The migration command line (`appwrite_orm::cli`) driven in process, the way a deployment
//! pipeline runs it: `status`, `up --dry-run`, `up --report FILE`, `status`, `verify`; then a
//! rollback: `down --to 1` (shows what it would do, exit 64), `down --to 1 --drop-schema --yes`
//! (backs up and drops what versions 2 and 3 added), `status`, and `up` again.
//!
//! ```sh
//! cargo run --example production_runner
//! ```
//!
//! With no `APPWRITE_*` variables it uses the embedded engine in a fresh SQLite file under
//! `target/production_runner/`: it deploys version 1 of the application with sample customers,
//! then runs the commands above with the current binary (version 3). With
//! `APPWRITE_ENDPOINT`, `APPWRITE_PROJECT_ID` and `APPWRITE_API_KEY` set, it runs the same
//! commands against that server (database `APPWRITE_DATABASE_ID`, else `default`), deploying
//! version 1 with the sample data only when the database has no migration history yet.
//!
//! A project's own runner is `src/bin/migrate.rs`:
//! `#[tokio::main] async fn main() -> std::process::ExitCode { appwrite_orm::cli::main().await }`.

use std::path::PathBuf;
use std::process::ExitCode;

use appwrite_orm::HttpConfig;
use appwrite_orm::backend::Document;
use appwrite_orm::cli::{self, Exit};
use appwrite_orm::migrate::{MigrateOptions, Migrator};
use appwrite_orm::prelude::*;
use serde_json::json;

#[derive(Table, Debug, Clone)]
#[table(id = "customers", name = "Customers")]
#[index(key = "by_email", unique, columns(email), since = 3)]
pub struct Customer {
    #[column(id)]
    pub id: RowId,
    #[column(size = 128)]
    pub name: String,
    #[column(email)]
    pub email: String,
    #[column(default = false, since = 2)]
    pub is_vip: bool,
}

/// Version 2: customers of big accounts become VIPs.
#[migration(version = 2, name = "flag vip customers", down = unflag_vips)]
async fn flag_vips(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    m.table::<Customer>()
        .backfill(Customer::EMAIL.ends_with("@bigcorp.example"), |_| {
            Customer::patch().is_vip(true)
        })
        .await?;
    Ok(())
}

/// Reverting version 2: the flags live only in `is_vip`, which `down --drop-schema` drops
/// (after a backup). A version whose step moved data elsewhere would move it back here.
async fn unflag_vips(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    let flagged = m
        .table::<Customer>()
        .query()
        .filter(Customer::IS_VIP.eq(true))
        .count()
        .await?;
    m.warn(format!("{flagged} VIP flags go with the is_vip column"));
    Ok(())
}

fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/production_runner")
}

async fn open() -> appwrite_orm::Result<Database> {
    if std::env::var_os("APPWRITE_ENDPOINT").is_some() {
        return Database::connect(HttpConfig::from_env()?).await;
    }
    let dir = out_dir();
    std::fs::create_dir_all(&dir).map_err(|e| appwrite_orm::Error::Config {
        what: dir.display().to_string(),
        reason: e.to_string(),
    })?;
    let file = dir.join("app.db");
    let _ = std::fs::remove_file(&file); // a fresh start on every run
    Database::embedded(&file).await
}

/// Version 1 of the application, with its data, when the database is new.
async fn deploy_version_1(db: &Database) -> appwrite_orm::Result<()> {
    if Migrator::from_registry().status(db).await?.applied > 0 {
        return Ok(());
    }
    Migrator::from_registry()
        .with_options(MigrateOptions::default().target(1))
        .run(db)
        .await?;
    let rows: Vec<Document> = (0..40)
        .map(|i| {
            let domain = if i % 4 == 0 {
                "bigcorp.example"
            } else {
                "mail.example"
            };
            json!({"$id": format!("c{i:03}"), "name": format!("Customer {i}"),
                   "email": format!("customer{i}@{domain}")})
            .as_object()
            .cloned()
            .unwrap_or_default()
        })
        .collect();
    db.rows("customers").insert_many(&rows).await?;
    println!("deployed version 1 with {} customers", rows.len());
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let db = match open().await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = deploy_version_1(&db).await {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let migrator = Migrator::from_registry()
        .with_options(MigrateOptions::default().backups_in(out_dir().join("backups")));
    let report = out_dir().join("report.json");
    let report = report.to_string_lossy();
    // Each command with the exit code the pipeline expects of it.
    let commands: [(&[&str], Exit); 10] = [
        (&["status"], Exit::Ok),
        (&["up", "--dry-run"], Exit::Ok),
        (&["up", "--report", &report], Exit::Ok),
        (&["status"], Exit::Ok),
        (&["verify"], Exit::Ok),
        // Rolling back: without --yes, the plan and nothing else.
        (&["down", "--to", "1", "--drop-schema"], Exit::Usage),
        (&["down", "--to", "1", "--drop-schema", "--yes"], Exit::Ok),
        (&["status"], Exit::Ok),
        (&["up"], Exit::Ok),
        (&["verify"], Exit::Ok),
    ];
    let mut stdout = std::io::stdout();
    for (args, expected) in commands {
        println!("\n$ migrate {}", args.join(" "));
        let argv = std::iter::once("migrate").chain(args.iter().copied());
        let exit = cli::execute(argv, &migrator, Some(&db), &mut stdout).await;
        if exit != Exit::Ok {
            println!("exit code {}", exit.code());
        }
        if exit != expected {
            return exit.into();
        }
    }
    ExitCode::SUCCESS
}
