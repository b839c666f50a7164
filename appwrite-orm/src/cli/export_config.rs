//! `export-config`: the declared or live tables as the Appwrite CLI's `appwrite.config.json`,
//! on stdout or into a file (merged into it when it exists, replaced atomically).

use std::path::Path;

use serde_json::{Value, json};

use super::args::ExportConfig;
use super::commands::Out;
use super::exit::Exit;
use crate::appwrite_config;
use crate::backend::http::ENV_DATABASE_ID;
use crate::migrate::Migrator;
use crate::{DEFAULT_DATABASE_ID, Database, Error, Result};

/// The binary's declared tables, into the database of `--database-id`, else `open` (the open
/// connection's), else the one a connection would use (`APPWRITE_DATABASE_ID`, else
/// `default`).
pub fn declared(
    args: &ExportConfig,
    migrator: &Migrator,
    open: Option<&str>,
    out: &mut Out<'_>,
) -> Result<Exit> {
    let from_env = std::env::var(ENV_DATABASE_ID)
        .ok()
        .filter(|id| !id.is_empty());
    let id = args
        .database_id
        .as_deref()
        .or(open)
        .or(from_env.as_deref())
        .unwrap_or(DEFAULT_DATABASE_ID);
    // A migration creates the database with its id as its name.
    let name = args.database_name.as_deref().unwrap_or(id);
    let exported = appwrite_config::export(id, name, migrator.tables())?;
    emit(args, id, &exported, out)
}

/// The tables of the database (of `--database-id`, else the connection's) as they are.
pub async fn live(args: &ExportConfig, db: &Database, out: &mut Out<'_>) -> Result<Exit> {
    let id = args.database_id.as_deref().unwrap_or(db.id());
    let db = Database::new(db.backend().clone(), id);
    let mut database = db.backend().get_database(id).await?;
    if let Some(name) = &args.database_name {
        database.name.clone_from(name);
    }
    let tables = db.live_tables().await?;
    let exported = appwrite_config::export_live(&database, &tables)?;
    emit(args, id, &exported, out)
}

/// Writes the export into `--out` (merged into the file there) or on stdout.
fn emit(args: &ExportConfig, database: &str, exported: &Value, out: &mut Out<'_>) -> Result<Exit> {
    let tables = exported["tables"].as_array().map_or(0, Vec::len);
    let Some(path) = &args.out else {
        let document = appwrite_config::document(project_id(args)?, exported);
        out.text(&format!(
            "{}\n",
            appwrite_config::to_pretty_string(&document)
        ))?;
        return Ok(Exit::Ok);
    };
    let document = if path.exists() {
        let existing = appwrite_config::read_document(path).map_err(|e| in_file(path, e))?;
        appwrite_config::merge_into(&existing, exported).map_err(|e| in_file(path, e))?
    } else {
        appwrite_config::document(project_id(args)?, exported)
    };
    appwrite_config::write_file(path, &document).map_err(|e| in_file(path, e))?;
    out.either(
        &json!({ "file": path, "database": database, "tables": tables }),
        || {
            format!(
                "wrote {tables} table(s) of database {database:?} into {}\n",
                path.display()
            )
        },
    )?;
    Ok(Exit::Ok)
}

/// `--project-id` (or `APPWRITE_PROJECT_ID`): a new file needs it.
fn project_id(args: &ExportConfig) -> Result<&str> {
    args.project_id.as_deref().ok_or_else(|| Error::Config {
        what: "--project-id".to_owned(),
        reason: "a new appwrite.config.json needs the project id (the Appwrite CLI requires \
                 `projectId`); pass --project-id or set APPWRITE_PROJECT_ID"
            .to_owned(),
    })
}

fn in_file(path: &Path, e: appwrite_config::ConfigError) -> Error {
    Error::Config {
        what: path.display().to_string(),
        reason: e.to_string(),
    }
}
