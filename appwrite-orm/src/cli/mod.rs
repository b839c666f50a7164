//! The migration command line as a library function (feature `cli`).
//!
//! A project's `src/bin/migrate.rs` is three lines:
//!
//! ```no_run
//! #[tokio::main]
//! async fn main() -> std::process::ExitCode {
//!     appwrite_orm::cli::main().await
//! }
//! ```
//!
//! It migrates every `#[derive(Table)]` and `#[migration]` of the binary
//! ([`Migrator::from_registry`]). It connects to the server of the `APPWRITE_ENDPOINT`,
//! `APPWRITE_PROJECT_ID`, `APPWRITE_API_KEY` (and optional `APPWRITE_DATABASE_ID`) environment
//! variables, or with `--embedded PATH` to the embedded engine in a SQLite file.
//!
//! | command | does |
//! |---|---|
//! | `up [--to N] [--dry-run] [--report FILE]` | applies pending versions; `--dry-run` writes nothing and says what a run would do and write; `--report` writes the JSON report ([`MigrationReport`](crate::migrate::MigrationReport)), for a failed run too |
//! | `down --to N [--drop-schema] --yes` | reverts the versions above `N`: their down steps, and with `--drop-schema` the tables, columns and indexes they added (after a backup of the tables that lose data); without `--yes` it shows that plan and changes nothing |
//! | `status` | every version: applied, pending, failed, running, checksum changed, missing |
//! | `plan` | the schema operations a run would make, with their class |
//! | `verify [--lint [--budget N]]` | exit 2 when versions are pending, the history disagrees or the live schema differs (for CI); with `--lint`, lints too and exits 2 when either finds an error |
//! | `lint [--budget N]` | what the pending versions would break in the data as it is now ([`Migrator::lint`]): duplicates under a new unique index, values a narrowed column refuses, rows lacking a value for a column becoming required, data a step drops, reads of dropped columns, relationship cascades, history issues; reads only; exit 2 when a finding is an error |
//! | `unlock` | removes a lock left by a run that is gone |
//! | `repair` | accepts the checksums of edited applied migrations |
//! | `baseline N` | adopts an existing database at version `N` without running anything |
//! | `backup DIR [--table ID]…` | writes the tables into `DIR` ([`backup::backup`](crate::backup::backup)) |
//! | `restore DIR [--replace --yes]` | restores a backup ([`backup::restore_with`](crate::backup::restore_with)) |
//! | `export-config [--out FILE] [--live]` | the declared tables (or with `--live` the database's) as the Appwrite CLI's `appwrite.config.json` ([`appwrite_config`](crate::appwrite_config)); without `--live` it connects to nothing |
//!
//! Global flags: `--json` (machine output: the report structs serialised), `--embedded PATH`,
//! `--lock-wait SECS`. Progress goes to stderr, so stdout holds only the result: `up` and `down` draw a
//! bar over the versions with the running version's rows written ([`ProgressDisplay`]) when
//! stderr is a terminal, and writes one plain line per version otherwise; the other commands
//! show a spinner on a terminal. `RUST_LOG` turns on `tracing` lines (default `warn`).
//!
//! Exit codes ([`Exit`]): 0 done, 1 error, 2 `verify` found drift or pending versions (or `lint` found an error), 3 the
//! migration lock is held by another run, 64 usage (a wrong command line, or `down` /
//! `restore --replace` without `--yes`).

mod args;
mod commands;
mod connect;
mod exit;
mod export_config;
mod progress;
mod render;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

pub use args::{Args, Command, ExportConfig};
pub use exit::Exit;
pub use progress::ProgressDisplay;

use crate::Database;
use crate::migrate::Migrator;

/// The whole program: the process's arguments, this binary's registered tables and
/// migrations, the connection of `--embedded` or the `APPWRITE_*` variables.
pub async fn main() -> ExitCode {
    init_logging();
    let mut stdout = std::io::stdout();
    execute(
        std::env::args_os(),
        &Migrator::from_registry(),
        None,
        &mut stdout,
    )
    .await
    .into()
}

/// Like [`main`] with an explicit migrator (options, a subset of tables) and, optionally, an
/// open database (then `--embedded` and the environment are not used).
pub async fn run(migrator: &Migrator, db: Option<&Database>) -> ExitCode {
    init_logging();
    let mut stdout = std::io::stdout();
    execute(std::env::args_os(), migrator, db, &mut stdout)
        .await
        .into()
}

/// Runs one command line (`args[0]` is the program name) and writes its output to `out`;
/// errors go to stderr. For tests and for programs that drive the command line in process.
pub async fn execute<I, T>(
    args: I,
    migrator: &Migrator,
    db: Option<&Database>,
    out: &mut dyn Write,
) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(e) => {
            let exit = if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Ok
            };
            if exit == Exit::Ok {
                let _ = write!(out, "{e}");
            } else {
                eprintln!("{e}");
            }
            return exit;
        }
    };
    let migrator = migrator
        .clone()
        .with_options(commands::options(migrator.options(), args.lock_wait));
    if let Command::ExportConfig(export) = &args.command
        && !export.live
        && db.is_none()
    {
        // The declared tables are compiled into the binary: nothing to connect to.
        let mut output = commands::Out {
            writer: out,
            json: args.json,
        };
        return exit_of(export_config::declared(
            export,
            &migrator,
            None,
            &mut output,
        ));
    }
    let connected;
    let db = match db {
        Some(db) => db,
        None => match connect::connect(args.embedded.as_deref()).await {
            Ok(db) => {
                connected = db;
                &connected
            }
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::of(&e);
            }
        },
    };
    let mut output = commands::Out {
        writer: out,
        json: args.json,
    };
    exit_of(commands::run(&args.command, &migrator, db, &mut output).await)
}

/// The exit of a command's outcome; an error is printed on stderr.
fn exit_of(outcome: crate::Result<Exit>) -> Exit {
    match outcome {
        Ok(exit) => exit,
        Err(e) => {
            eprintln!("error: {e}");
            Exit::of(&e)
        }
    }
}

/// `tracing` lines on stderr at the level of `RUST_LOG`, else `warn`: progress has its own
/// display ([`ProgressDisplay`]). Does nothing when a subscriber is already installed.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
