//! The scenarios, their settings, and what each hands back: the checks of its data and the
//! last line it printed.

pub mod backfill;
pub mod boot;
pub mod insert_many;
pub mod lint;
pub mod pull;
pub mod relations;
pub mod restore;
pub mod schema;
pub mod stream;

use std::time::Duration;

use crate::BenchResult;
use crate::harness::Server;

/// The database a scenario's baseline works on.
pub(crate) const SEED_DB: &str = "seed";
/// The database appwrite-orm works on, beside the baseline's on the same server.
pub(crate) const OURS_DB: &str = "ours";

/// One benchmark scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// New columns filled from each row's own values.
    Backfill,
    /// `migrate()` with nothing pending.
    Boot,
    /// Several tables with columns and indexes on an empty database.
    Schema,
    /// Every row of a large table, streamed on the embedded engine.
    Stream,
    /// Many rows written in one call.
    InsertMany,
    /// A backup restored into a fresh database.
    Restore,
    /// Rows read with their related rows.
    Relations,
    /// A deploy gated by lint, against the same deploy without the gate.
    Lint,
    /// Models generated from a database created without them.
    Pull,
}

impl Scenario {
    /// Every scenario, in the order `all` runs them.
    pub const ALL: [Scenario; 9] = [
        Scenario::Backfill,
        Scenario::Boot,
        Scenario::Schema,
        Scenario::Stream,
        Scenario::InsertMany,
        Scenario::Restore,
        Scenario::Relations,
        Scenario::Lint,
        Scenario::Pull,
    ];

    /// The name on the command line and in the output.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Backfill => "backfill",
            Scenario::Boot => "boot",
            Scenario::Schema => "schema",
            Scenario::Stream => "stream",
            Scenario::InsertMany => "insert_many",
            Scenario::Restore => "restore",
            Scenario::Relations => "relations",
            Scenario::Lint => "lint",
            Scenario::Pull => "pull",
        }
    }

    /// Runs the scenario: prints its header, results and checks, and ends with its summary line.
    pub async fn run(self, settings: &Settings) -> BenchResult<Outcome> {
        let outcome = match self {
            Scenario::Backfill => backfill::run(settings).await?,
            Scenario::Boot => boot::run(settings).await?,
            Scenario::Schema => schema::run(settings).await?,
            Scenario::Stream => stream::run(settings).await?,
            Scenario::InsertMany => insert_many::run(settings).await?,
            Scenario::Restore => restore::run(settings).await?,
            Scenario::Relations => relations::run(settings).await?,
            Scenario::Lint => lint::run(settings).await?,
            Scenario::Pull => pull::run(settings).await?,
        };
        for check in &outcome.checks {
            println!("{check}");
        }
        println!("{}", outcome.summary);
        Ok(outcome)
    }
}

/// The knobs of a run; `None` takes the scenario's default (its quick default with `quick`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Rows of the table (`boot`: ignored; `schema`: ignored; `relations`: books; `pull`:
    /// tables).
    pub rows: Option<u64>,
    /// Latency the emulator adds to every request, in milliseconds.
    pub latency_ms: Option<u64>,
    /// Writes in flight in the library's backfill (`MigrateOptions::concurrency`).
    pub concurrency: Option<usize>,
    /// How long the emulator keeps new columns and indexes `processing`, in milliseconds.
    pub column_delay_ms: Option<u64>,
    /// Small sizes and a short latency: a smoke test that runs in seconds, even in debug.
    pub quick: bool,
    /// `stream`: measure each read in this process (its peak reset) instead of in a fresh child
    /// process of the running executable.
    pub memory_in_process: bool,
}

impl Settings {
    /// The full-size default, or the quick one with [`quick`](Self::quick).
    pub fn sized<T>(&self, full: T, quick: T) -> T {
        if self.quick { quick } else { full }
    }

    /// [`rows`](Self::rows), else the scenario's default.
    pub fn rows_or(&self, full: u64, quick: u64) -> u64 {
        self.rows.unwrap_or_else(|| self.sized(full, quick))
    }

    /// [`latency_ms`](Self::latency_ms), else the default of every scenario that goes over
    /// HTTP: 30 ms, a same-region round trip (2 ms with [`quick`](Self::quick)).
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.unwrap_or_else(|| self.sized(30, 2)))
    }
}

/// Starts a bulk-write scenario (`insert_many`, `restore`: the same kind of work at the same
/// sizes): prints its header, starts the server at the scenario's latency (with no column
/// delay: these scenarios write rows, not schema) and returns its rows
/// ([`rows`](Settings::rows), else 50,000, 500 quick) and the server.
async fn start_bulk(
    settings: &Settings,
    scenario: &str,
    baseline: &str,
) -> BenchResult<(u64, Server)> {
    let rows = settings.rows_or(50_000, 500);
    let latency = settings.latency();
    crate::print::bulk_header(scenario, rows, latency, baseline);
    let server = Server::start(latency, Duration::ZERO).await?;
    Ok((rows, server))
}

/// A check of the data a scenario produced: a count that must come out as expected. Never a
/// time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was counted.
    pub what: String,
    /// The count the work must produce.
    pub expected: u64,
    /// The count found.
    pub actual: u64,
}

impl Check {
    /// A check of `what`: `actual` must equal `expected`.
    pub fn new(what: impl Into<String>, expected: u64, actual: u64) -> Self {
        Check {
            what: what.into(),
            expected,
            actual,
        }
    }

    /// Whether the count came out as expected.
    pub fn ok(&self) -> bool {
        self.expected == self.actual
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = if self.ok() { "ok" } else { "FAILED" };
        write!(
            f,
            "check: {}: {} (expected {}) {verdict}",
            self.what,
            crate::print::count(self.actual),
            crate::print::count(self.expected)
        )
    }
}

/// What a scenario hands back once it printed its results.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The scenario.
    pub scenario: Scenario,
    /// Its last line, `<scenario>: X.XXx ...`.
    pub summary: String,
    /// The checks of its data.
    pub checks: Vec<Check>,
}

impl Outcome {
    /// Whether every check passed.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(Check::ok)
    }
}
