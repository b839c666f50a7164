//! The `appwrite-orm` command: generates `#[derive(Table)]` models from a live Appwrite
//! database, for teams adopting appwrite-orm on a database built in the Appwrite console.
//!
//! ```sh
//! cargo install --path appwrite-orm-cli
//! appwrite-orm pull --out src/models.rs            # one file
//! appwrite-orm pull --out src/models/              # one module per table and a mod.rs
//! appwrite-orm pull --embedded app.db --out src/models.rs
//! appwrite-orm import appwrite.config.json --out src/models.rs   # the Appwrite CLI's file
//! ```
//!
//! It connects as the migration command line does (`APPWRITE_ENDPOINT`, `APPWRITE_PROJECT_ID`,
//! `APPWRITE_API_KEY`, `APPWRITE_DATABASE_ID`, or `--embedded PATH`), reads every table of the
//! database except the migration history, and writes the models ([`render::generate`]). Then
//! the project records the adopted state with its own migration binary
//! (`migrate baseline 1`) and migrates onward from there.
//!
//! The layers: [`naming`] (Rust names for Appwrite keys), [`render`] (tables to source, pure),
//! [`pull`] (connecting, reading and writing files), [`args`] (the command line).
#![warn(missing_docs)]

pub mod args;
pub mod naming;
pub mod pull;
pub mod render;

pub use render::{
    Declare, GenerateError, ModuleFile, generate, generate_modules, generate_modules_with,
    generate_with,
};

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;

use crate::args::{Args, Command};
use crate::pull::{Output, PullError};

/// Exit code of a wrong command line (as the migration command line's).
pub const EXIT_USAGE: u8 = 64;

/// Runs one command line (`args[0]` is the program name), writing results to `out` and errors
/// to stderr; returns the process's exit code: 0 done, 1 error, 64 usage.
pub async fn execute<I, T>(args: I, out: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(e) if e.use_stderr() => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
        Err(e) => {
            let _ = write!(out, "{e}");
            return 0;
        }
    };
    match run(&args, out).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// Runs parsed arguments.
pub async fn run(args: &Args, out: &mut dyn Write) -> Result<(), PullError> {
    let (summary, output) = match &args.command {
        Command::Pull { out: path, models } => {
            let output = Output::from_path(path)?;
            let db = pull::open(args.embedded.as_deref(), args.database.as_deref()).await?;
            (pull::pull(&db, &output, &models.settings()).await?, output)
        }
        Command::Import {
            config,
            out: path,
            models,
        } => {
            let output = Output::from_path(path)?;
            let database = args.database.as_deref();
            let summary = pull::import(config, database, &output, &models.settings())?;
            (summary, output)
        }
    };
    write!(out, "{}", pull::next_steps(&summary, &output)).map_err(|source| PullError::Io {
        path: "<stdout>".into(),
        source,
    })
}
