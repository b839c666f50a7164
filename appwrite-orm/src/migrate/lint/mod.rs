//! [`Migrator::lint`](crate::migrate::Migrator::lint): what the pending versions would break in
//! the data as it is now, found with reads only.
//!
//! A run can fail half-way because of the data: a unique index over duplicated values, a size
//! shrink that stored values exceed, a column made required while rows lack a value. Lint plans
//! every pending version from the live schema (as a run would), and for each operation that can
//! fail on data counts the rows that would make it fail, with queries on the live rows:
//!
//! | code | severity | finds |
//! |---|---|---|
//! | `unique-duplicates` | error | a unique index to be created over columns whose values repeat (the index is created before the version's step runs, so a step cannot remove them in time) |
//! | `narrowing-violated` | error | a size shrink (refused by Appwrite), a min/max narrowing or an enum element removal (made without a look at the rows, whose next update is then refused) that stored values violate |
//! | `required-without-value` | error (warning when what the step fills cannot be known) | a column becoming required (or created required without a default) on a table where rows lack a value and the version's step leaves some of them empty (see [what the step fills](#what-a-step-fills)) |
//! | `destructive` | warning (error without a backup directory) | a column or table a step drops, with the rows holding values |
//! | `step-reads-dropped-column` | warning | a step that reads a column (or table) a rename or a step's drop in the same or an earlier version removed (see [what it cannot know](#reads-of-dropped-columns)) |
//! | `relationship-cascade` | warning | rows a step deletes whose relationships cascade (counting the related rows deleted with them), and a relationship whose `onDelete` becomes cascade (counting the rows linked now) |
//! | `history-checksum-changed`, `history-missing-version`, `history-out-of-order` | error | the history disagrees with the binary ([`HistoryIssue`](crate::migrate::HistoryIssue)): an applied migration was edited, an applied version is missing from the binary, a new migration is below the applied version. A run refuses before its first version; lint still checks the pending versions |
//!
//! Drops, deletions and reads are found by running each step against a
//! [`RecordingBackend`](crate::backend::recording::RecordingBackend), as the
//! [dry run](crate::migrate::dry_run) does: its reads reach the database and are recorded with
//! the columns they name, its writes are recorded and never sent (a drop writes no backup file
//! either). The step's own reads are not taken from the budget below: a step that walks a
//! large table takes as long as in a dry run.
//!
//! With [`MigrateOptions::lint_before_run`](crate::migrate::MigrateOptions::lint_before_run) a
//! run lints first and refuses, before any write, when [`LintReport::has_errors`]
//! ([`MigrateError::Lint`](crate::migrate::MigrateError::Lint) carries the report).
//!
//! Counting is bounded: at most [`LINT_REQUEST_BUDGET`] requests (or the budget given to
//! [`Migrator::lint_with_budget`](crate::migrate::Migrator::lint_with_budget)) go to counting.
//! A count that the budget stopped is a lower bound ([`Finding::rows_at_least`]); a check the
//! budget did not reach has no count ([`Finding::rows`] is `None`) and is reported as a warning.
//! Appwrite has no query on a string's length nor a grouping one, so size shrinks and
//! duplicates are found by reading the column page by page; bounds, enum elements and missing
//! values are counted in one request each.
//!
//! # What lint cannot see
//!
//! Only what exists now is checked: a column or table that an earlier pending version creates
//! holds no data yet, and a step's writes are not applied (apart from what the step of the
//! version itself fills, see below), so a version whose data depends on an earlier pending
//! version's step is checked against the data as it is now. Duplicates
//! are compared exactly (a server whose collation ignores case may see more). Rows a step's
//! `convert_column` cannot convert keep the old column and are reported by the run, not here.
//!
//! ## Reads of dropped columns
//!
//! A column is gone from the version that renames it or whose step renames or drops it (a
//! step's read counts only after the drops the same step made before it). A step's reads are
//! known by the columns their queries name (`select`, filters, order) and by the models it
//! reads through `Migration::table::<T>()` (every column `T` declares). Not known: a read of
//! whole rows that names no column followed by `row["old"]` on the JSON map, reads through
//! `m.db()` or the backend itself with a model, and whatever a step does after it stopped in
//! the simulation.
//!
//! ## What a step fills
//!
//! A column made required after a version's step needs a value in every row by then. The
//! step's recorded writes say which rows get one: an update or upsert naming its row (directly,
//! in a transaction, a backfill's pages) fills it when it sets the column to a value other than
//! null, a bulk update that does so fills the rows its filters match, and a deleted row needs
//! none. Lint counts the rows lacking a value (one request), counts a bulk update's filters
//! over them (one request each; when they match them all, every row is filled), and when
//! rows are filled one by one reads the ids of the rows lacking a value, 100 per request. A
//! step that fills them all makes no finding (nothing would stop the run, so there is nothing
//! to act on); one that leaves some empty, or does not write the column, is an error naming
//! them. It stays a warning, saying which, where it cannot be known: the step stopped in the
//! simulation, the request budget ran out, or the step writes in a way the recorder cannot
//! attribute to rows (an increment, a bulk upsert recorded with a sample of its rows, filters
//! the live table refuses, such as one on a column an earlier pending version creates). A
//! write that later sets the value back to null is not followed.
//!
//! ## Cascades
//!
//! Only the first level of a cascade is counted (the rows a cascade deletes may cascade
//! further), rows a step deletes in bulk are not (the recorder does not know their ids), and
//! dropping a table deletes no related row: Appwrite deletes the relationships pointing at the
//! table, with their links (the `destructive` check covers the drop).

mod cascade;
mod checks;
mod fills;
mod gate;
mod history;
mod probe;
mod reads;
mod run;
mod unfilled;

/// The codes of the findings, and those a migration may allow (one list, shared with the
/// `#[migration]` macro, which checks `allow = "..."` against it at compile time).
pub use appwrite_orm_contract::lint as codes;

use std::fmt;

use serde::Serialize;
use serde_json::Value;

pub(crate) use gate::before_run;
pub(crate) use run::lint;

/// How many requests lint spends on counting rows, by default.
pub const LINT_REQUEST_BUDGET: u64 = 100;

/// How many example row ids a finding keeps.
pub const LINT_EXAMPLES: usize = 5;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; a run may still succeed.
    Warning,
    /// A run would fail or lose data.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`: a width given to the format (the report's column) applies.
        f.pad(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One thing a pending version would break; see the [module](self) docs for the codes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The stable code (`unique-duplicates`, `narrowing-violated`, `required-without-value`,
    /// `destructive`, `step-reads-dropped-column`, `relationship-cascade`, `history-…`; see
    /// [`codes`]).
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The pending version.
    pub version: u32,
    /// The table id.
    pub table: String,
    /// The column (for an index, its columns joined with `,`); `None` for a whole table.
    pub column: Option<String>,
    /// The operation concerned, in words.
    pub operation: String,
    /// Rows concerned, counted on the live data; `None` when the budget ran out first, and
    /// for the checks that count no rows (see [`counts_rows`](Self::counts_rows)).
    pub rows: Option<u64>,
    /// True when counting stopped before the end: there are at least [`rows`](Self::rows).
    pub rows_at_least: bool,
    /// Up to [`LINT_EXAMPLES`] ids of rows concerned.
    pub examples: Vec<String>,
    /// Offending values: the duplicated values, the values out of the new bounds.
    pub values: Vec<Value>,
    /// What is wrong.
    pub message: String,
    /// What to do instead.
    pub advice: String,
    /// True when the version allows this code (`#[migration(allow = "...")]`): the finding is
    /// reported but counts neither as an error nor as a warning.
    pub acknowledged: bool,
}

impl Finding {
    /// The stable code.
    pub fn code(&self) -> &str {
        self.code
    }

    /// Rows concerned; see [`rows_at_least`](Self::rows_at_least).
    pub fn rows(&self) -> Option<u64> {
        self.rows
    }

    /// False for the checks that count no rows: `step-reads-dropped-column` and the
    /// `history-…` ones.
    pub fn counts_rows(&self) -> bool {
        !(self.code == reads::CODE || self.code.starts_with(codes::HISTORY_PREFIX))
    }

    /// The count in words: "3", "at least 100", "not counted".
    pub fn rows_text(&self) -> String {
        match (self.rows, self.rows_at_least) {
            (None, _) if !self.counts_rows() => "not counted by this check".to_owned(),
            (None, _) => "not counted (request budget spent)".to_owned(),
            (Some(n), true) => format!("at least {n}"),
            (Some(n), false) => n.to_string(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = match &self.column {
            Some(column) => format!("{}.{column}", self.table),
            None => self.table.clone(),
        };
        if self.acknowledged {
            // What to do instead is moot: the version says it knows.
            writeln!(
                f,
                "allowed {} v{} {place}: {} ({}, allowed by v{})",
                self.code, self.version, self.message, self.severity, self.version
            )?;
            writeln!(f, "        operation: {}", self.operation)?;
            return write!(f, "        rows: {}", self.rows_text());
        }
        writeln!(
            f,
            "{:<7} {} v{} {place}: {}",
            self.severity, self.code, self.version, self.message
        )?;
        writeln!(f, "        operation: {}", self.operation)?;
        if self.counts_rows() {
            writeln!(f, "        rows: {}", self.rows_text())?;
        }
        if !self.values.is_empty() {
            let values: Vec<String> = self.values.iter().map(Value::to_string).collect();
            writeln!(f, "        values: {}", values.join(", "))?;
        }
        if !self.examples.is_empty() {
            writeln!(f, "        e.g. rows: {}", self.examples.join(", "))?;
        }
        write!(f, "        instead: {}", self.advice)
    }
}

/// What [`Migrator::lint`](crate::migrate::Migrator::lint) found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LintReport {
    /// The database id.
    pub database: String,
    /// The applied version.
    pub from_version: u32,
    /// The version a run would reach.
    pub to_version: u32,
    /// The pending versions checked.
    pub versions: Vec<u32>,
    /// What would break, by version.
    pub findings: Vec<Finding>,
    /// What a run would refuse before touching data (see [`Plan::errors`](crate::migrate::Plan)).
    pub plan_errors: Vec<String>,
    /// What lint could not check, and why.
    pub notes: Vec<String>,
    /// Requests spent counting rows.
    pub requests: u64,
}

impl LintReport {
    /// Every finding, in version order.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// True when a finding not [acknowledged](Finding::acknowledged) is an error, or the plan
    /// has errors: a run would fail or lose data.
    pub fn has_errors(&self) -> bool {
        !self.plan_errors.is_empty()
            || self
                .findings
                .iter()
                .any(|f| f.severity == Severity::Error && !f.acknowledged)
    }

    /// The findings the versions allow ([`Finding::acknowledged`]).
    pub fn acknowledged(&self) -> impl Iterator<Item = &Finding> + '_ {
        self.findings.iter().filter(|f| f.acknowledged)
    }

    /// Marks the findings whose version allows their code (`allowed` gives a version's codes).
    pub(crate) fn acknowledge<'a>(&mut self, allowed: impl Fn(u32) -> &'a [String]) {
        for finding in &mut self.findings {
            finding.acknowledged = allowed(finding.version).iter().any(|c| c == finding.code);
        }
    }

    /// The findings with this code.
    pub fn with_code<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.code == code)
    }

    /// The findings of `severity` that count (not acknowledged).
    fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity && !f.acknowledged)
            .count()
    }
}

/// "1 error", "2 errors".
fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

impl fmt::Display for LintReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.count(Severity::Error) + self.plan_errors.len();
        if self.versions.is_empty() && self.findings.is_empty() {
            writeln!(f, "lint: nothing pending (version {})", self.from_version)?;
        } else if self.versions.is_empty() {
            // The history's findings, with no version to check.
            writeln!(
                f,
                "lint: nothing pending (version {}): {}",
                self.from_version,
                counted(errors, "error")
            )?;
        } else {
            let allowed = match self.acknowledged().count() {
                0 => String::new(),
                n => format!(", {n} allowed"),
            };
            writeln!(
                f,
                "lint: version {} → {}: {}, {}{allowed} ({} requests)",
                self.from_version,
                self.to_version,
                counted(errors, "error"),
                counted(self.count(Severity::Warning), "warning"),
                self.requests
            )?;
        }
        for error in &self.plan_errors {
            writeln!(f, "error   plan {error}")?;
        }
        for finding in &self.findings {
            writeln!(f, "{finding}")?;
        }
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: &'static str, severity: Severity, version: u32) -> Finding {
        Finding {
            code,
            severity,
            version,
            table: "users".into(),
            column: Some("note".into()),
            operation: "drop column users.note (in the step)".into(),
            rows: Some(2),
            rows_at_least: false,
            examples: vec!["a".into()],
            values: Vec::new(),
            message: "2 rows hold values that the drop deletes".into(),
            advice: "configure a backup directory".into(),
            acknowledged: false,
        }
    }

    #[test]
    fn an_allowed_code_is_acknowledged_only_in_its_version() {
        let mut report = LintReport {
            from_version: 1,
            to_version: 3,
            versions: vec![2, 3],
            findings: vec![
                finding(codes::DESTRUCTIVE, Severity::Error, 2),
                finding(codes::UNIQUE_DUPLICATES, Severity::Error, 2),
                finding(codes::DESTRUCTIVE, Severity::Warning, 3),
            ],
            ..LintReport::default()
        };
        let v2 = [codes::DESTRUCTIVE.to_owned()];
        report.acknowledge(|version| if version == 2 { &v2[..] } else { &[] });
        let acknowledged: Vec<bool> = report.findings.iter().map(|f| f.acknowledged).collect();
        assert_eq!(acknowledged, [true, false, false]);
        assert!(report.has_errors(), "unique-duplicates is not allowed");
        let text = report.to_string();
        assert!(
            text.starts_with("lint: version 1 → 3: 1 error, 1 warning, 1 allowed"),
            "{text}"
        );
        assert!(
            text.contains("allowed destructive v2 users.note: 2 rows hold values that the drop deletes (error, allowed by v2)\n        operation: drop column users.note (in the step)\n        rows: 2\nerror   unique-duplicates"),
            "{text}"
        );
        assert_eq!(text.matches("instead:").count(), 2, "{text}");

        report.findings.remove(1);
        assert!(!report.has_errors());
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["findings"][0]["acknowledged"], true);
        assert_eq!(json["findings"][1]["acknowledged"], false);
    }
}
