//! Shared by the backup tests: a table of many column kinds, rows to fill it, an exact
//! comparison of two databases' rows, and peak RSS sampling.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use appwrite_orm::Database;
use appwrite_orm::backend::Document;
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};
use futures_util::StreamExt;
use serde_json::{Value, json};

pub const TABLE: &str = "events";

const KINDS: [&str; 3] = ["a", "b", "c"];

/// Text, integer, float, boolean, datetime, string and integer arrays, an enum; most optional.
pub fn schema() -> TableSchema {
    let mut t = TableSchema::new(TABLE, "Events")
        .column(ColumnSchema::varchar("title", 64).required())
        .column(ColumnSchema::varchar("body", 1000))
        .column(ColumnSchema::integer("n"))
        .column(ColumnSchema::float("score"))
        .column(ColumnSchema::boolean("flag").default_value(false))
        .column(ColumnSchema::datetime("at"))
        .column(ColumnSchema::varchar("tags", 16).array())
        .column(ColumnSchema::integer("counts").array())
        .column(ColumnSchema::enumeration("kind", ["a", "b", "c"]))
        .index(IndexSchema::new("by_n", IndexKind::Key, ["n"]))
        .index(IndexSchema::new("by_title", IndexKind::Unique, ["title"]));
    t.permissions = vec!["read(\"any\")".to_owned()];
    t.row_security = true;
    t
}

/// Row `i`: nulls every few rows, permissions and explicit timestamps on some.
pub fn row(i: u64) -> Document {
    let mut doc = json!({
        "$id": format!("row{i:06}"),
        "title": format!("title {i}"),
        "body": if i.is_multiple_of(7) { Value::Null } else { json!(format!("{i} ").repeat(40)) },
        "n": if i.is_multiple_of(5) { Value::Null } else { json!(i as i64 - 25_000) },
        "score": if i.is_multiple_of(3) { Value::Null } else { json!(i as f64 / 7.0) },
        "flag": i.is_multiple_of(2),
        "at": if i.is_multiple_of(4) { Value::Null } else {
            json!(format!("2025-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+00:00",
                1 + i % 12, 1 + i % 28, i % 24, i % 60, (i / 60) % 60, i % 1000))
        },
        "tags": if i.is_multiple_of(6) { json!([]) } else { json!([format!("t{}", i % 10), "x"]) },
        "counts": if i.is_multiple_of(9) { Value::Null } else { json!([i, i * 2, 0]) },
        "kind": KINDS[(i % 3) as usize],
        "$permissions": [format!("read(\"user:u{}\")", i % 100), format!("update(\"user:u{}\")", i % 100)],
    });
    if i.is_multiple_of(10) {
        doc["$createdAt"] = json!("2020-02-29T12:00:00.000+00:00");
        doc["$updatedAt"] = json!(format!("2021-03-01T00:00:{:02}.000+00:00", i % 60));
    }
    doc.as_object().cloned().unwrap_or_default()
}

/// Creates the table and `rows` rows, 100 per request.
pub async fn fill(db: &Database, rows: u64) {
    db.backend()
        .create_table(db.id(), &schema())
        .await
        .expect("create the table");
    let mut i = 0;
    while i < rows {
        let batch: Vec<Document> = (i..(i + 100).min(rows)).map(row).collect();
        db.backend()
            .create_rows(db.id(), TABLE, &batch)
            .await
            .expect("create rows");
        i += batch.len() as u64;
    }
}

fn comparable(mut doc: Document) -> Document {
    doc.remove("$sequence");
    doc.remove("$databaseId");
    doc
}

/// Compares every row of `table` in both databases, field by field (system fields included
/// except `$sequence` and `$databaseId`); returns how many rows were compared.
pub async fn compare(a: &Database, b: &Database, table: &str) -> u64 {
    let mut left = Box::pin(a.rows(table).query().stream());
    let mut right = Box::pin(b.rows(table).query().stream());
    let mut n = 0;
    loop {
        match (left.next().await, right.next().await) {
            (None, None) => return n,
            (Some(l), Some(r)) => {
                let l = comparable(l.expect("read the source").0);
                let r = comparable(r.expect("read the copy").0);
                assert_eq!(l, r, "row {n} differs");
                n += 1;
            }
            (l, r) => panic!(
                "row counts differ after {n} rows: source has more: {}, copy has more: {}",
                l.is_some(),
                r.is_some()
            ),
        }
    }
}

/// The process's resident memory, in KiB.
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Samples VmRSS every 2 ms on a thread until stopped; reports the peak above the start.
pub struct RssSampler {
    start: u64,
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    pub fn start() -> Self {
        let start = rss_kib();
        let peak = Arc::new(AtomicU64::new(start));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::spawn({
            let peak = Arc::clone(&peak);
            let stop = Arc::clone(&stop);
            move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(rss_kib(), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        });
        Self {
            start,
            peak,
            stop,
            thread: Some(thread),
        }
    }

    /// `(RSS at start, growth of the peak above it)`, in KiB.
    pub fn stop(mut self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let peak = self.peak.load(Ordering::Relaxed).max(rss_kib());
        (self.start, peak.saturating_sub(self.start))
    }
}
pub mod linked;
