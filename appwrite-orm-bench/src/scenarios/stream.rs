//! `stream`: every row of a large table read through the typed `stream()` on the embedded
//! backend (a SQLite file in a temporary directory), against `all()`, which holds every row in
//! memory at once. Each read reports its rows/s and its peak resident memory above what was
//! resident when it started.
//!
//! Each read runs in a fresh child process of this binary (the hidden `stream-child`
//! subcommand), which opens the file, resets its peak (`/proc/self/clear_refs`, where
//! permitted) and reports the peak of the read alone. Measured in this process instead
//! (`--memory-in-process`, after resetting its peak), the growth hides most of the read: the
//! memory the fill allocated and freed stays with the process and is reused without raising
//! the resident size, so a stream of a million rows can show no growth at all.

use std::path::Path;

use appwrite_orm::Database;
use futures_util::TryStreamExt;
use serde_json::{Value, json};

use super::{Check, Outcome, Scenario, Settings};
use crate::data::{self, Item, TABLE};
use crate::harness::timed;
use crate::print::{self, Table, count};
use crate::{BenchResult, memory};

/// The name of the hidden subcommand that runs one read in a child process.
pub const CHILD_COMMAND: &str = "stream-child";

/// Memory is measured as a rise above this floor at least, so that a stream whose peak did not
/// move still gives a finite ratio: one page.
const MEASURABLE: u64 = 4096;

/// How the rows are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// `TableHandle::query().stream()`: one page at a time.
    Stream,
    /// `TableHandle::all()`: every row in one `Vec`.
    All,
}

impl Read {
    /// The name used on the child's command line and in the output.
    pub fn name(self) -> &'static str {
        match self {
            Read::Stream => "stream",
            Read::All => "all",
        }
    }

    /// The read named `name`.
    pub fn parse(name: &str) -> Option<Read> {
        [Read::Stream, Read::All]
            .into_iter()
            .find(|r| r.name() == name)
    }
}

/// What one read cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadCost {
    /// Rows read.
    pub rows: u64,
    /// Seconds it took.
    pub seconds: f64,
    /// Resident memory when it started, in bytes.
    pub resident_before: u64,
    /// Peak resident memory while it ran, in bytes.
    pub peak: u64,
}

impl ReadCost {
    /// The peak above what was resident before the read.
    pub fn growth(&self) -> u64 {
        self.peak.saturating_sub(self.resident_before)
    }

    fn to_json(self) -> Value {
        json!({
            "rows": self.rows,
            "seconds": self.seconds,
            "resident_before": self.resident_before,
            "peak": self.peak,
        })
    }

    fn from_json(value: &Value) -> Option<ReadCost> {
        Some(ReadCost {
            rows: value["rows"].as_u64()?,
            seconds: value["seconds"].as_f64()?,
            resident_before: value["resident_before"].as_u64()?,
            peak: value["peak"].as_u64()?,
        })
    }
}

/// Runs the scenario.
pub async fn run(settings: &Settings) -> BenchResult<Outcome> {
    let rows = settings.rows_or(1_000_000, 20_000);
    // In this process only when asked and when its peak can be reset.
    let in_child = !(settings.memory_in_process && memory::reset_peak());
    print::header(
        "stream",
        &[
            ("rows", count(rows)),
            ("concurrency", "1 reader".into()),
            (
                "backend",
                "embedded (SQLite file in a temporary directory)".into(),
            ),
            (
                "read page",
                format!("{} rows", count(appwrite_orm::rows::PAGE_SIZE)),
            ),
            (
                "memory",
                if in_child {
                    "peak of a fresh child process per read".into()
                } else {
                    "peak of this process, reset through /proc/self/clear_refs".into()
                },
            ),
        ],
    );

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("stream.db");
    let db = Database::embedded(&path).await?;
    db.backend().create_table(db.id(), &data::schema()).await?;
    let ((), filled) = timed(data::fill(&db.rows(TABLE), rows)).await?;
    println!(
        "filled {} rows in {} s ({} rows/s, insert_many on the embedded engine)",
        count(rows),
        print::seconds(filled),
        count(print::divide(rows as f64, filled) as u64)
    );

    let mut costs = Vec::new();
    // The stream first: whatever `all()` leaves allocated cannot then flatter it.
    for read in [Read::Stream, Read::All] {
        let cost = if in_child {
            read_in_child(&path, read).await?
        } else {
            read_here(&db, read).await?
        };
        costs.push((read, cost));
    }
    drop(db);

    let mut table = Table::new(&["", "rows", "seconds", "rows/s", "peak memory growth"]);
    for (read, cost) in &costs {
        table.row(vec![
            format!("{}()", read.name()),
            count(cost.rows),
            print::seconds(cost.seconds),
            count(print::divide(cost.rows as f64, cost.seconds) as u64),
            print::mib(cost.growth()),
        ]);
    }
    table.print();
    if !in_child {
        // Memory the process freed earlier (the fill's batches) is reused without raising
        // the resident size, so a small working set may not show here.
        println!(
            "memory growth is above what this process already held (the fill's freed memory \
             is reused unseen); without --memory-in-process each read runs in a fresh process"
        );
    }
    let checks = costs
        .iter()
        .map(|(read, cost)| Check::new(format!("{}(): rows read", read.name()), rows, cost.rows))
        .collect();
    let (stream, all) = (costs[0].1, costs[1].1);
    let less = print::divide(
        all.growth().max(MEASURABLE) as f64,
        stream.growth().max(MEASURABLE) as f64,
    );
    Ok(Outcome {
        scenario: Scenario::Stream,
        summary: format!(
            "stream: {} less peak memory than all() ({} vs {}; {} rows/s streamed)",
            print::ratio(less),
            print::mib(stream.growth()),
            print::mib(all.growth()),
            count(print::divide(stream.rows as f64, stream.seconds) as u64)
        ),
        checks,
    })
}

/// One read in this process, its peak reset first.
pub async fn read_here(db: &Database, read: Read) -> BenchResult<ReadCost> {
    if !memory::reset_peak() {
        return Err("the peak resident memory cannot be reset in this process".into());
    }
    measure(db, read).await
}

/// Reads every row the way `read` says, with the resident memory before and the peak after.
async fn measure(db: &Database, read: Read) -> BenchResult<ReadCost> {
    let resident_before = memory::resident().ok_or("no /proc/self/status")?;
    let (rows, seconds) = timed(async {
        let items = db.table::<Item>();
        Ok(match read {
            Read::Stream => {
                items
                    .query()
                    .stream()
                    .try_fold(0u64, |n, _item| async move { Ok(n + 1) })
                    .await?
            }
            Read::All => items.all().await?.len() as u64,
        })
    })
    .await?;
    let peak = memory::peak().ok_or("no /proc/self/status")?;
    Ok(ReadCost {
        rows,
        seconds,
        resident_before,
        peak,
    })
}

/// One read in a fresh child process of the running executable, which must be this binary
/// (library callers such as tests set [`Settings::memory_in_process`]); the child opens the
/// file itself.
async fn read_in_child(path: &Path, read: Read) -> BenchResult<ReadCost> {
    let exe = std::env::current_exe()?;
    let output = tokio::process::Command::new(exe)
        .arg(CHILD_COMMAND)
        .arg("--db")
        .arg(path)
        .arg("--read")
        .arg(read.name())
        .output()
        .await?;
    if !output.status.success() {
        return Err(format!(
            "the {} child failed ({}): {}",
            read.name(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().unwrap_or_default();
    let value: Value = serde_json::from_str(line)?;
    ReadCost::from_json(&value)
        .ok_or_else(|| format!("unreadable answer of the child: {line}").into())
}

/// The child's side: opens the table at `path`, reads it, and prints its cost as one JSON
/// line. The peak is reset where permitted once the file is open; elsewhere it also holds the
/// child's start, which is small next to a read.
pub async fn child(path: &Path, read: Read) -> BenchResult<()> {
    let db = Database::embedded(path).await?;
    memory::reset_peak();
    println!("{}", measure(&db, read).await?.to_json());
    Ok(())
}
