//! `appwrite-orm-bench`: each scenario against its baseline, in one run, on the same data.
//!
//! ```text
//! cargo run --release -p appwrite-orm-bench -- <scenario> [--rows N] [--latency-ms L] [--concurrency C]
//! cargo run --release -p appwrite-orm-bench -- all [--quick]
//! ```
#![warn(missing_docs)]

use std::path::PathBuf;
use std::process::ExitCode;

use appwrite_orm_bench::scenarios::stream::{self, Read};
use appwrite_orm_bench::scenarios::{Outcome, Scenario, Settings};
use clap::{Args, Parser, Subcommand};

/// Benchmarks of appwrite-orm: each scenario measures a baseline and the library in the same
/// run, on the same data, against the emulator started in-process, and prints seconds,
/// requests counted by the server, and ratios.
#[derive(Debug, Parser)]
#[command(name = "appwrite-orm-bench", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// New columns filled row by row: offset pages with 50 updates in flight, against
    /// migrate() with a backfill step (default 10,000 rows, 30 ms latency).
    Backfill(Knobs),
    /// migrate() with nothing pending, against one get_row round trip (30 ms latency).
    Boot(Knobs),
    /// 5 tables x 12 columns x 3 indexes on an empty database: one request at a time with
    /// 1 s polls, against migrate() (30 ms latency, 200 ms column delay).
    Schema(Knobs),
    /// Every row of a 1,000,000-row embedded table: stream() against all(), rows/s and peak
    /// memory.
    Stream(Knobs),
    /// insert_many of 50,000 rows, against one create_rows chunk of 100 at a time.
    #[command(name = "insert_many", alias = "insert-many")]
    InsertMany(Knobs),
    /// The library's restore of a 50,000-row backup, against sending its JSONL file in chunks
    /// of 100 one at a time.
    Restore(Knobs),
    /// Every book with its author's name (default 2,000 books, one author per 10, 30 ms):
    /// N+1 gets and the batched join referenced_by, against with(Book::AUTHOR).
    Relations(Knobs),
    /// A version 2 deploy of a 10,000-row table (unique index, required column filled by its
    /// step, a drop with backups): migrate() with lint_before_run, against without; and the
    /// refusal of duplicates against the run that fails half-way (30 ms latency).
    Lint(Knobs),
    /// Models of a database of 100 tables (12 columns, 2 indexes each) created without them:
    /// appwrite-orm pull to a file, against the reads alone (`--rows` is the table count).
    Pull(Knobs),
    /// Every scenario with its defaults.
    All {
        /// Small sizes and a 2 ms latency: a smoke test in seconds, even in debug builds.
        #[arg(long)]
        quick: bool,
    },
    /// One read of the `stream` scenario, in a child process that reports its own memory.
    #[command(name = "stream-child", hide = true)]
    StreamChild {
        /// The SQLite file holding the table.
        #[arg(long)]
        db: PathBuf,
        /// `stream` or `all`.
        #[arg(long)]
        read: String,
    },
}

/// The knobs of one scenario; each takes the scenario's default when not given.
#[derive(Debug, Args)]
struct Knobs {
    /// Rows of the table (backfill, stream, insert_many, restore, lint), books (relations),
    /// tables (pull).
    #[arg(long)]
    rows: Option<u64>,
    /// Latency the emulator adds to every request, in milliseconds.
    #[arg(long)]
    latency_ms: Option<u64>,
    /// Writes the library's backfill keeps in flight (default: the library's own default).
    #[arg(long)]
    concurrency: Option<usize>,
    /// How long new columns and indexes stay `processing` (schema), in milliseconds.
    #[arg(long)]
    column_delay_ms: Option<u64>,
    /// The small sizes of `all --quick`.
    #[arg(long)]
    quick: bool,
    /// stream: measure each read in this process after resetting its peak, instead of in a
    /// fresh child process (the growth then hides memory the fill freed and the read reused).
    #[arg(long)]
    memory_in_process: bool,
}

impl Knobs {
    fn settings(&self) -> Settings {
        Settings {
            rows: self.rows,
            latency_ms: self.latency_ms,
            concurrency: self.concurrency,
            column_delay_ms: self.column_delay_ms,
            quick: self.quick,
            memory_in_process: self.memory_in_process,
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let (scenarios, settings) = match cli.command {
        Command::Backfill(k) => (vec![Scenario::Backfill], k.settings()),
        Command::Boot(k) => (vec![Scenario::Boot], k.settings()),
        Command::Schema(k) => (vec![Scenario::Schema], k.settings()),
        Command::Stream(k) => (vec![Scenario::Stream], k.settings()),
        Command::InsertMany(k) => (vec![Scenario::InsertMany], k.settings()),
        Command::Restore(k) => (vec![Scenario::Restore], k.settings()),
        Command::Relations(k) => (vec![Scenario::Relations], k.settings()),
        Command::Lint(k) => (vec![Scenario::Lint], k.settings()),
        Command::Pull(k) => (vec![Scenario::Pull], k.settings()),
        Command::All { quick } => (
            Scenario::ALL.to_vec(),
            Settings {
                quick,
                ..Settings::default()
            },
        ),
        Command::StreamChild { db, read } => {
            let Some(read) = Read::parse(&read) else {
                eprintln!("unknown read {read:?}: stream or all");
                return ExitCode::from(64);
            };
            return match stream::child(&db, read).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            };
        }
    };
    run(&scenarios, &settings).await
}

/// Runs the scenarios in order; with several, ends with their summary lines together. Fails
/// when a scenario fails or one of its data checks does.
async fn run(scenarios: &[Scenario], settings: &Settings) -> ExitCode {
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut failed = false;
    for (i, scenario) in scenarios.iter().enumerate() {
        if i > 0 {
            println!();
        }
        match scenario.run(settings).await {
            Ok(outcome) => {
                failed |= !outcome.ok();
                outcomes.push(outcome);
            }
            Err(e) => {
                eprintln!("error: {} failed: {e}", scenario.name());
                failed = true;
            }
        }
    }
    if scenarios.len() > 1 {
        println!("\n== summary ==");
        for outcome in &outcomes {
            println!("{}", outcome.summary);
        }
    }
    if failed {
        eprintln!("error: a scenario failed or its data did not check out");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
