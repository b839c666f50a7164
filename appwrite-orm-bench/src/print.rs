//! What every scenario prints: a header with its settings and the machine, a table of results,
//! and number formats that read the same everywhere.

use std::fmt::Write as _;

use crate::harness::Measured;

/// Prints a scenario's header: its name, its settings as `label: value` pairs, and the machine
/// (CPU count and model), since every number below depends on it.
pub fn header(scenario: &str, settings: &[(&str, String)]) {
    println!("== {scenario} ==");
    let settings: Vec<String> = settings.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    println!("{}", settings.join(" | "));
    println!("machine: {}", machine());
}

/// The header of a bulk-write scenario (`insert_many`, `restore`): rows, latency, and the
/// baseline that sends one chunk of 100 at a time.
pub fn bulk_header(scenario: &str, rows: u64, latency: std::time::Duration, baseline: &str) {
    header(
        scenario,
        &[
            ("rows", count(rows)),
            ("latency", format!("{} ms", latency.as_millis())),
            (
                "concurrency",
                format!(
                    "baseline 1, appwrite-orm its own (client allows {})",
                    crate::harness::MAX_IN_FLIGHT
                ),
            ),
            ("baseline", baseline.to_owned()),
        ],
    );
}

/// `N cpus (nproc), <model>`: `nproc` as the shell counts it (the CPUs this process may run
/// on), the model from `/proc/cpuinfo`.
pub fn machine() -> String {
    let cpus = std::process::Command::new("nproc")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| {
            std::thread::available_parallelism()
                .ok()
                .map(|n| n.to_string())
        })
        .unwrap_or_else(|| "?".to_owned());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    format!("{cpus} cpus (nproc), {model}")
}

/// A table of results: a left-aligned first column, right-aligned others.
#[derive(Debug, Clone, Default)]
pub struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles.
    pub fn new(columns: &[&str]) -> Self {
        Table {
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (cells beyond the columns are ignored, missing ones left empty).
    pub fn row(&mut self, cells: Vec<String>) -> &mut Self {
        self.rows.push(cells);
        self
    }

    /// The table as text, one line per row after the titles.
    pub fn render(&self) -> String {
        let cell = |row: &[String], i: usize| row.get(i).cloned().unwrap_or_default();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                self.rows
                    .iter()
                    .map(|r| cell(r, i).chars().count())
                    .chain([self.columns[i].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for row in std::iter::once(&self.columns).chain(&self.rows) {
            let mut line = String::new();
            for (i, width) in widths.iter().enumerate() {
                let text = cell(row, i);
                if i == 0 {
                    let _ = write!(line, "{text:<width$}");
                } else {
                    let _ = write!(line, "  {text:>width$}");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// Prints the table.
    pub fn print(&self) {
        print!("{}", self.render());
    }
}

/// The results of a scenario where each side moves `rows` rows: seconds, requests, rows/s.
pub fn throughput(rows: u64, sides: &[(&str, &Measured)]) {
    let mut table = Table::new(&["", "seconds", "server requests", "rows/s"]);
    for (label, m) in sides {
        table.row(vec![
            (*label).to_owned(),
            seconds(m.seconds),
            count(m.requests),
            count(divide(rows as f64, m.seconds) as u64),
        ]);
    }
    table.print();
}

/// Seconds with three decimals.
pub fn seconds(s: f64) -> String {
    format!("{s:.3}")
}

/// A count with thousands separators: `12,345`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How many times faster `ours` ran than `seed`, as a [`ratio`].
pub fn speedup(seed: &Measured, ours: &Measured) -> String {
    ratio(divide(seed.seconds, ours.seconds))
}

/// A ratio with two decimals: `3.25x`.
pub fn ratio(r: f64) -> String {
    format!("{r:.2}x")
}

/// `a / b`, or 0 when `b` is not positive (a ratio to nothing measured is no ratio).
pub fn divide(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// Bytes in MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn tables_align() {
        let mut t = Table::new(&["", "seconds"]);
        t.row(vec!["ours".into(), "1.000".into()]);
        t.row(vec!["the seed pattern".into(), "12.000".into()]);
        let text = t.render();
        let lines: Vec<&str> = text.lines().collect();
        // First column 16 wide, then two spaces and the 7-wide `seconds` column.
        assert_eq!(lines[0], format!("{:16}  seconds", ""));
        assert_eq!(lines[1], format!("{:16}  {:>7}", "ours", "1.000"));
        assert_eq!(
            lines[2],
            format!("{:16}  {:>7}", "the seed pattern", "12.000")
        );
    }

    #[test]
    fn ratios_of_nothing_are_zero() {
        assert_eq!(divide(1.0, 0.0), 0.0);
        assert_eq!(ratio(divide(3.0, 2.0)), "1.50x");
    }
}
