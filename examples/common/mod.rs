//! Helpers shared by the migration examples: where each example's database lives, and JSON
//! documents from `json!` literals.

use std::path::PathBuf;

use appwrite_orm::backend::Document;
use appwrite_orm::prelude::*;
use appwrite_orm::{Error, HttpConfig};
use serde_json::Value;

/// A row document from a `json!` object literal.
pub fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

/// The database to migrate, started over: the server named by `APPWRITE_ENDPOINT` (these
/// `tables` and the history are deleted first), else a new SQLite file under `target/`.
/// Returns it with a directory for backups.
pub async fn open(example: &str, tables: &[&str]) -> appwrite_orm::Result<(Database, PathBuf)> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("examples").join(example);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| Error::Storage(e.to_string()))?;
    if std::env::var_os("APPWRITE_ENDPOINT").is_none() {
        let path = dir.join("app.db");
        println!("embedded database at {}\n", path.display());
        return Ok((Database::embedded(&path).await?, dir));
    }
    let mut config = HttpConfig::from_env()?;
    let id = config
        .database_id
        .get_or_insert_with(|| format!("example-{}", example.replace('_', "-")))
        .clone();
    println!("database {id:?} on {}", config.endpoint);
    let db = Database::connect(config).await?;
    for table in tables.iter().copied().chain(["orm_migrations"]) {
        match db.backend().delete_table(db.id(), table).await {
            Ok(()) => println!("deleted table {table:?} of an earlier run"),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    println!();
    Ok((db, dir))
}
