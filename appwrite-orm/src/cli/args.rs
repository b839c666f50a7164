//! The command line: global options and subcommands (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Versioned migrations of an Appwrite database.
#[derive(Debug, Parser)]
#[command(name = "migrate", version, about, long_about = None)]
pub struct Args {
    /// Use the embedded engine in this SQLite file instead of a server (`APPWRITE_*`).
    #[arg(long, global = true, value_name = "PATH")]
    pub embedded: Option<PathBuf>,
    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Seconds to wait for a lock held by another run before giving up (exit code 3).
    #[arg(long, global = true, value_name = "SECS")]
    pub lock_wait: Option<u64>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply every pending version (or up to `--to`).
    Up {
        /// Stop at this version.
        #[arg(long, value_name = "N")]
        to: Option<u32>,
        /// Show what would be done and written; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also write the report as JSON into this file.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Revert the versions above `--to`: their down steps, and with `--drop-schema` the schema
    /// they added (destructive: needs `--yes`).
    Down {
        /// The version to go back to.
        #[arg(long, value_name = "N")]
        to: u32,
        /// Also drop the tables, columns and indexes the reverted versions added, after a
        /// backup of the tables that lose data.
        #[arg(long)]
        drop_schema: bool,
        /// Confirm: without it, the command only shows what it would revert.
        #[arg(long)]
        yes: bool,
    },
    /// Every version with where it stands.
    Status,
    /// The schema operations a run would make.
    Plan,
    /// Exit 2 when versions are pending or the live schema differs from the declared one.
    Verify {
        /// Lint too (`lint`): exit 2 when either finds an error.
        #[arg(long)]
        lint: bool,
        /// With `--lint`: requests to spend at most on counting rows.
        #[arg(long, value_name = "N", default_value_t = crate::migrate::LINT_REQUEST_BUDGET)]
        budget: u64,
    },
    /// What the pending versions would break in the data as it is now (reads only); exit 2
    /// when a finding is an error.
    Lint {
        /// Requests to spend at most on counting rows.
        #[arg(long, value_name = "N", default_value_t = crate::migrate::LINT_REQUEST_BUDGET)]
        budget: u64,
    },
    /// Remove the migration lock left by a run that is gone.
    Unlock,
    /// Accept the checksums of edited, already applied migrations.
    Repair,
    /// Adopt an existing database at version N without running anything.
    Baseline {
        /// The version the database already has.
        version: u32,
    },
    /// Write every table (or `--table` ones) into DIR: schema.json and one JSONL file per table.
    Backup {
        /// The backup directory (created; existing backup files are never overwritten).
        dir: PathBuf,
        /// Only this table (repeatable).
        #[arg(long = "table", value_name = "ID")]
        tables: Vec<String>,
    },
    /// Restore the backup in DIR; tables that exist are refused unless `--replace --yes`.
    Restore {
        /// The backup directory.
        dir: PathBuf,
        /// Drop and recreate tables of the backup that exist (destructive: needs `--yes`).
        #[arg(long)]
        replace: bool,
        /// Confirm `--replace`.
        #[arg(long)]
        yes: bool,
        /// Bulk requests of 100 rows in flight at once (faster over a slow link; above 1, rows
        /// keep their order within each request but not across them).
        #[arg(long, value_name = "N", default_value_t = 1)]
        in_flight: usize,
    },
    /// Write the declared tables (or, with `--live`, the database's tables as they are) in the
    /// Appwrite CLI's `appwrite.config.json` format, for `appwrite push`.
    ExportConfig(ExportConfig),
}

/// The options of `export-config`.
#[derive(Debug, clap::Args)]
pub struct ExportConfig {
    /// Write into this file (atomically; an existing file keeps everything but this database's
    /// entry and tables) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Export the tables of the database as they are, instead of the declared ones.
    #[arg(long)]
    pub live: bool,
    /// The project id a new file names (the Appwrite CLI requires one).
    #[arg(long, value_name = "ID", env = "APPWRITE_PROJECT_ID")]
    pub project_id: Option<String>,
    /// The database the tables go into (default: the connection's, `APPWRITE_DATABASE_ID`, or
    /// `default`).
    #[arg(long, value_name = "ID")]
    pub database_id: Option<String>,
    /// The database's name in the file (default: its name on the server with `--live`, else its
    /// id, as a migration creates it).
    #[arg(long, value_name = "NAME")]
    pub database_name: Option<String>,
}
