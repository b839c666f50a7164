//! The command line (clap derive).

use std::path::PathBuf;

use appwrite_orm::migrate::DEFAULT_HISTORY_TABLE;

use crate::pull::Models;
use crate::render::Declare;
use clap::{Parser, Subcommand};

/// Models for appwrite-orm from a live Appwrite database or an `appwrite.config.json`.
#[derive(Debug, Parser)]
#[command(name = "appwrite-orm", version, about, long_about = None)]
pub struct Args {
    /// Use the embedded engine in this SQLite file instead of a server (`APPWRITE_*`).
    #[arg(long, global = true, value_name = "PATH")]
    pub embedded: Option<PathBuf>,
    /// The database id (default: `APPWRITE_DATABASE_ID`, else `default`; for `import`, the
    /// file's only database).
    #[arg(long, global = true, value_name = "ID")]
    pub database: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write `#[derive(Table)]` models of every table of the database.
    Pull {
        /// A `.rs` file for one module, or a directory (ending in `/`, or existing) for one
        /// module per table plus `mod.rs`.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// What the models state.
        #[command(flatten)]
        models: ModelArgs,
    },
    /// Write the models of one database of an `appwrite.config.json` (the Appwrite CLI's
    /// file, as `appwrite pull` writes it), as `pull` does for a live one; reads no server.
    Import {
        /// The config file.
        #[arg(value_name = "FILE")]
        config: PathBuf,
        /// A `.rs` file for one module, or a directory for one module per table.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// What the models state.
        #[command(flatten)]
        models: ModelArgs,
    },
}

/// The options `pull` and `import` share.
#[derive(Debug, clap::Args)]
pub struct ModelArgs {
    /// The migration history table, which is not a model.
    #[arg(long, value_name = "ID", default_value = DEFAULT_HISTORY_TABLE)]
    pub history_table: String,
    /// Name the database on every model (`#[table(database = "...")]`): for a binary that
    /// connects to another database and migrates this one too.
    #[arg(long)]
    pub name_database: bool,
}

impl ModelArgs {
    /// The settings of the generation.
    pub fn settings(&self) -> Models {
        Models {
            history_table: self.history_table.clone(),
            declare: Declare {
                database: self.name_database,
            },
        }
    }
}
