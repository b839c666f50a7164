//! Progress while migrations run: [`ProgressEvent`]s sent to a [`MigrationProgress`] given to
//! [`Migrator::with_progress`](crate::migrate::Migrator::with_progress).
//!
//! A run sends [`ProgressEvent::Planned`] once it knows the pending versions (again when a step
//! changed the schema and the rest was planned anew), then for each version
//! [`VersionStarted`](ProgressEvent::VersionStarted), [`Rows`](ProgressEvent::Rows) a few times a
//! second while rows are being written, and [`VersionApplied`](ProgressEvent::VersionApplied) or
//! [`VersionFailed`](ProgressEvent::VersionFailed). A boot with nothing pending sends nothing.
//! Reverts send the same events with [`Direction::Down`]. A run over several databases sends
//! [`DatabaseStarted`](ProgressEvent::DatabaseStarted) before each database's events.
//!
//! [`LogLines`] writes one plain line per event (for logs and pipes); the command line
//! (feature `cli`) draws progress bars on a terminal. Any `Fn(&ProgressEvent)` closure is a
//! sink too:
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use std::sync::{Arc, Mutex};
//! use appwrite_orm::migrate::{Migrator, ProgressEvent};
//! use appwrite_orm::schema::{ColumnSchema, TableSchema};
//! use appwrite_orm::Database;
//!
//! let notes = TableSchema::new("notes", "Notes").column(ColumnSchema::varchar("text", 100));
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! let sink = Arc::clone(&seen);
//! let migrator = Migrator::new([&notes], []).with_progress(move |event: &ProgressEvent<'_>| {
//!     if let ProgressEvent::VersionApplied { report, .. } = event {
//!         sink.lock().unwrap().push(report.version);
//!     }
//! });
//! migrator.run(&Database::in_memory().await?).await?;
//! assert_eq!(*seen.lock().unwrap(), [1]);
//! # Ok::<(), appwrite_orm::Error>(())
//! # }).unwrap();
//! ```

use std::fmt;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::Error;
use crate::migrate::records::report::VersionReport;

/// Whether versions are being applied or reverted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `migrate()`: pending versions are applied.
    Up,
    /// A revert: applied versions are undone, newest first.
    Down,
}

impl Direction {
    /// What a run in this direction does: `migrating` or `reverting`.
    pub fn running(self) -> &'static str {
        match self {
            Direction::Up => "migrating",
            Direction::Down => "reverting",
        }
    }

    /// What happens to a version as it starts: `applying`, `resuming` (an earlier attempt
    /// failed) or `reverting`.
    pub fn starting(self, resumed: bool) -> &'static str {
        match (self, resumed) {
            (Direction::Down, _) => "reverting",
            (Direction::Up, true) => "resuming",
            (Direction::Up, false) => "applying",
        }
    }

    /// What a finished version was: `applied` or `reverted`.
    pub fn done(self) -> &'static str {
        match self {
            Direction::Up => "applied",
            Direction::Down => "reverted",
        }
    }
}

/// Something a run reports while it goes; see the [module](self) docs for the order.
#[derive(Debug)]
#[non_exhaustive]
pub enum ProgressEvent<'a> {
    /// The versions the run is about to apply or revert, in order.
    Planned {
        /// Up or down.
        direction: Direction,
        /// The version the database is at.
        from: u32,
        /// The version the run goes to.
        to: u32,
        /// The versions to run, in the order they run.
        versions: &'a [u32],
    },
    /// A version starts.
    VersionStarted {
        /// Up or down.
        direction: Direction,
        /// The version.
        version: u32,
        /// Its migration's name, or `schema`.
        name: &'a str,
        /// Its place in the run, from 1.
        position: usize,
        /// How many versions the run has.
        of: usize,
        /// True when an earlier attempt of this version failed or was interrupted.
        resumed: bool,
    },
    /// Rows written so far by the running version (its step, defaults, conversions).
    Rows {
        /// The version.
        version: u32,
        /// Rows written since the version started.
        rows: u64,
    },
    /// A version is done.
    VersionApplied {
        /// Up or down.
        direction: Direction,
        /// What it did.
        report: &'a VersionReport,
    },
    /// A run over several databases starts on `database`; the events up to the next
    /// `DatabaseStarted` are that database's. Not sent when the run has one database.
    DatabaseStarted {
        /// The database id.
        database: &'a str,
    },
    /// A version failed; the run stops.
    VersionFailed {
        /// Up or down.
        direction: Direction,
        /// The version.
        version: u32,
        /// Its name.
        name: &'a str,
        /// Why.
        error: &'a Error,
    },
}

/// Receives a run's [`ProgressEvent`]s. Implemented by closures taking `&ProgressEvent`.
///
/// Events come from the task running the migration, one at a time; a sink should return
/// quickly (it delays the run).
pub trait MigrationProgress: Send + Sync {
    /// Called for each event.
    fn event(&self, event: &ProgressEvent<'_>);
}

impl<F> MigrationProgress for F
where
    F: Fn(&ProgressEvent<'_>) + Send + Sync,
{
    fn event(&self, event: &ProgressEvent<'_>) {
        self(event);
    }
}

/// A shared sink, as the migrator keeps it.
#[derive(Clone)]
pub(crate) struct Sink(pub(crate) Arc<dyn MigrationProgress>);

impl fmt::Debug for Sink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MigrationProgress")
    }
}

/// How often [`LogLines`] repeats a rows count while a version writes.
const ROWS_LINE_EVERY: Duration = Duration::from_secs(2);

/// One plain line per event, for logs and pipes: `[2/3] version 3 "view counts": 120 rows
/// written`. Rows lines come at most every two seconds per version.
///
/// ```
/// use appwrite_orm::migrate::{LogLines, Migrator};
///
/// let migrator = Migrator::from_registry().with_progress(LogLines::stderr());
/// ```
pub struct LogLines {
    out: Mutex<LogState>,
}

struct LogState {
    writer: Box<dyn Write + Send>,
    position: usize,
    of: usize,
    last_rows_line: Option<Instant>,
}

impl LogLines {
    /// Lines on standard error.
    pub fn stderr() -> Self {
        Self::to(std::io::stderr())
    }

    /// Lines into `writer`.
    pub fn to(writer: impl Write + Send + 'static) -> Self {
        Self {
            out: Mutex::new(LogState {
                writer: Box::new(writer),
                position: 0,
                of: 0,
                last_rows_line: None,
            }),
        }
    }
}

impl fmt::Debug for LogLines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LogLines")
    }
}

impl MigrationProgress for LogLines {
    fn event(&self, event: &ProgressEvent<'_>) {
        let mut state = self.out.lock().unwrap_or_else(|p| p.into_inner());
        let line = match *event {
            ProgressEvent::Planned {
                direction,
                from,
                to,
                versions,
            } => {
                state.of = versions.len();
                format!(
                    "{} from version {from} to {to}: {} version(s) to run",
                    direction.running(),
                    versions.len()
                )
            }
            ProgressEvent::VersionStarted {
                direction,
                version,
                name,
                position,
                of,
                resumed,
            } => {
                state.position = position;
                state.of = of;
                state.last_rows_line = Some(Instant::now());
                let verb = direction.starting(resumed);
                format!("[{position}/{of}] {verb} version {version} {name:?}")
            }
            ProgressEvent::Rows { version, rows } => {
                let due = state
                    .last_rows_line
                    .is_none_or(|at| at.elapsed() >= ROWS_LINE_EVERY);
                if !due {
                    return;
                }
                state.last_rows_line = Some(Instant::now());
                format!(
                    "[{}/{}] version {version}: {rows} rows written",
                    state.position, state.of
                )
            }
            ProgressEvent::VersionApplied { direction, report } => format!(
                "[{}/{}] version {} {}: {} ms, {} rows, {} requests",
                state.position,
                state.of,
                report.version,
                direction.done(),
                report.duration.as_millis(),
                report.rows_touched,
                report.requests
            ),
            ProgressEvent::VersionFailed {
                version,
                name,
                error,
                ..
            } => format!(
                "[{}/{}] version {version} {name:?} failed: {error}",
                state.position, state.of
            ),
            ProgressEvent::DatabaseStarted { database } => format!("database {database:?}"),
        };
        // Progress output that cannot be written (a closed pipe) must not fail the run.
        let _ = writeln!(state.writer, "{line}");
        let _ = state.writer.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose bytes the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn log_lines_number_versions_and_throttle_rows() {
        let buf = Shared::default();
        let log = LogLines::to(buf.clone());
        log.event(&ProgressEvent::Planned {
            direction: Direction::Up,
            from: 1,
            to: 3,
            versions: &[2, 3],
        });
        log.event(&ProgressEvent::VersionStarted {
            direction: Direction::Up,
            version: 2,
            name: "link posts",
            position: 1,
            of: 2,
            resumed: false,
        });
        // Right after the start line: not due yet.
        log.event(&ProgressEvent::Rows {
            version: 2,
            rows: 10,
        });
        let report = VersionReport {
            version: 2,
            rows_touched: 300,
            requests: 12,
            ..VersionReport::default()
        };
        log.event(&ProgressEvent::VersionApplied {
            direction: Direction::Up,
            report: &report,
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "migrating from version 1 to 3: 2 version(s) to run",
                "[1/2] applying version 2 \"link posts\"",
                "[1/2] version 2 applied: 0 ms, 300 rows, 12 requests",
            ]
        );
    }
}
