//! The checks, without I/O: which operations of a version can fail on data and what to count
//! for them ([`candidates`]), whether a stored value breaks a new column ([`violates`]), and
//! the finding a count makes ([`finding`]).

use serde_json::Value;

use crate::api::Table;
use crate::backend::recording::RecordedWrite;
use crate::migrate::lint::fills::StepFills;
use crate::migrate::lint::{Finding, Severity, codes};
use crate::migrate::planning::plan::{SchemaOp, VersionPlan};
use crate::migrate::running::dry_run::StepTrace;
use crate::query::Query;
use crate::schema::{ColumnKind, ColumnSchema, IndexKind};

/// The kinds of check, each with its stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Check {
    UniqueDuplicates,
    NarrowingViolated,
    RequiredWithoutValue,
    Destructive,
}

impl Check {
    pub(super) fn code(self) -> &'static str {
        match self {
            Check::UniqueDuplicates => codes::UNIQUE_DUPLICATES,
            Check::NarrowingViolated => codes::NARROWING_VIOLATED,
            Check::RequiredWithoutValue => codes::REQUIRED_WITHOUT_VALUE,
            Check::Destructive => codes::DESTRUCTIVE,
        }
    }
}

/// How the rows of a candidate are counted.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Probe {
    /// The rows these filters match: one request gives the count and examples.
    Count(Vec<Query>),
    /// The rows whose value the new column refuses, read page by page (Appwrite has no query
    /// on a string's length).
    Scan(ColumnSchema),
    /// The rows whose values of these columns another row has too, read in their order
    /// (Appwrite has no grouping query).
    Duplicates(Vec<String>),
    /// The rows these filters match (those lacking a value), less those the version's step
    /// fills: counted, then read by id when the step fills some of them.
    Unfilled(Vec<Query>, StepFills),
}

/// An operation that may fail on data (or destroy it), with how to count the rows concerned.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Candidate {
    pub(super) check: Check,
    pub(super) version: u32,
    pub(super) table: String,
    pub(super) column: Option<String>,
    pub(super) operation: String,
    pub(super) probe: Probe,
    /// The version runs a step (after its schema changes, before `make required`).
    pub(super) has_step: bool,
    /// A narrowing the server refuses outright (a size shrink), rather than one it accepts
    /// while the rows keep values the column no longer allows.
    pub(super) refused: bool,
}

/// What counting found.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Evidence {
    /// `None`: not counted, the budget was spent.
    pub(super) rows: Option<u64>,
    /// Counting stopped before the end.
    pub(super) at_least: bool,
    pub(super) examples: Vec<String>,
    pub(super) values: Vec<Value>,
    /// Not counted because a filter names an encrypted column (Appwrite refuses the query).
    pub(super) encrypted: bool,
    /// For [`Probe::Unfilled`]: what the step fills. `rows` and `examples` are then the rows
    /// that stay empty.
    pub(super) fill: Option<Fill>,
}

/// The rows lacking a value and how many of them a version's step fills.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Fill {
    /// Rows lacking a value now.
    pub(super) lacking: u64,
    /// Counting them stopped before the end.
    pub(super) lacking_at_least: bool,
    /// How many of them the step fills (or deletes).
    pub(super) filled: u64,
    /// The step gives the column a value somewhere (or deletes rows).
    pub(super) writes_column: bool,
    /// Why the rows left empty are not known for sure.
    pub(super) unknown: Option<String>,
}

/// What a version's operations and its step (what the simulation recorded of it, `step`) may
/// break in the `live` tables. Only what exists now is a candidate: a table or column created
/// by this version or an earlier pending one holds no data.
pub(super) fn candidates(
    version: &VersionPlan,
    live: &[Table],
    step: Option<&StepTrace>,
) -> Vec<Candidate> {
    let live = Live(live);
    let step_writes = step.map_or(&[][..], |t| &t.writes[..]);
    let mut out: Vec<Candidate> = version
        .before
        .iter()
        .chain(&version.after)
        .filter_map(|planned| schema_candidate(version, &planned.op, live, step))
        .collect();
    out.extend(
        step_writes
            .iter()
            .filter_map(|w| drop_candidate(version, w, live)),
    );
    out
}

/// The live tables, looked up by id.
#[derive(Clone, Copy)]
struct Live<'l>(&'l [Table]);

impl Live<'_> {
    fn has_table(&self, table: &str) -> bool {
        self.0.iter().any(|t| t.id == table)
    }

    fn column(&self, table: &str, key: &str) -> Option<&ColumnSchema> {
        self.0
            .iter()
            .find(|t| t.id == table)
            .and_then(|t| t.column(key))
            .map(|c| &c.schema)
    }
}

/// A candidate of `version` about `table`.
fn candidate(
    version: &VersionPlan,
    check: Check,
    table: &str,
    column: Option<String>,
    operation: String,
    probe: Probe,
) -> Candidate {
    Candidate {
        check,
        version: version.version,
        table: table.to_owned(),
        column,
        operation,
        probe,
        has_step: version.has_step,
        refused: false,
    }
}

/// The candidate a schema operation makes, when it can fail on the data.
fn schema_candidate(
    version: &VersionPlan,
    op: &SchemaOp,
    live: Live<'_>,
    step: Option<&StepTrace>,
) -> Option<Candidate> {
    let (check, table, column, probe) = match op {
        SchemaOp::CreateIndex { table, index } if index.kind == IndexKind::Unique => {
            // Every column must hold data now, and arrays are not compared here.
            let scalar = |key: &String| live.column(table, key).is_some_and(|c| !c.array);
            if !index.columns.iter().all(scalar) {
                return None;
            }
            let probe = Probe::Duplicates(index.columns.clone());
            (
                Check::UniqueDuplicates,
                table,
                index.columns.join(","),
                probe,
            )
        }
        SchemaOp::UpdateColumn { table, column } => {
            let probe = narrowing(column, live.column(table, &column.key)?)?;
            let mut found = candidate(
                version,
                Check::NarrowingViolated,
                table,
                Some(column.key.clone()),
                op.to_string(),
                probe,
            );
            found.refused = is_shrink(&column.kind);
            return Some(found);
        }
        SchemaOp::MakeRequired { table, column } if !fills(version, table, &column.key) => {
            let filters = match live.column(table, &column.key) {
                Some(_) => vec![Query::is_null(&column.key)],
                // Created by this version: every row that exists lacks it.
                None if live.has_table(table) => Vec::new(),
                None => return None,
            };
            let probe = if version.has_step {
                let created = live.column(table, &column.key).is_none();
                let fills = StepFills::of(version.version, step, table, &column.key, created);
                Probe::Unfilled(filters, fills)
            } else {
                Probe::Count(filters)
            };
            (
                Check::RequiredWithoutValue,
                table,
                column.key.clone(),
                probe,
            )
        }
        _ => return None,
    };
    Some(candidate(
        version,
        check,
        table,
        Some(column),
        op.to_string(),
        probe,
    ))
}

/// The candidate a step's recorded write makes when it drops a live column or table.
fn drop_candidate(
    version: &VersionPlan,
    write: &RecordedWrite,
    live: Live<'_>,
) -> Option<Candidate> {
    let table = &write.table;
    let (column, filters, operation) = match (write.operation.as_str(), &write.target) {
        ("delete_column", Some(key)) if live.column(table, key).is_some() => (
            Some(key.clone()),
            vec![Query::is_not_null(key)],
            format!("drop column {table}.{key} (in the step)"),
        ),
        ("delete_table", _) if live.has_table(table) => (
            None,
            Vec::new(),
            format!("drop table {table} (in the step)"),
        ),
        _ => return None,
    };
    let probe = Probe::Count(filters);
    Some(candidate(
        version,
        Check::Destructive,
        table,
        column,
        operation,
        probe,
    ))
}

/// True when the version writes a default into `table.key` before its step.
fn fills(version: &VersionPlan, table: &str, key: &str) -> bool {
    version.before.iter().any(|p| match &p.op {
        SchemaOp::FillDefault {
            table: t, column, ..
        } => t == table && column == key,
        _ => false,
    })
}

/// True for a sized string kind: a narrowing of it is a shrink, which the server refuses while
/// a stored value is longer (utopia-php/database's `TruncateException`, Appwrite's
/// `column_invalid_resize`); bounds and enum elements change in place without a look at the rows.
fn is_shrink(kind: &ColumnKind) -> bool {
    matches!(kind, ColumnKind::Varchar { .. } | ColumnKind::String { .. })
}

/// How to count the rows that the change from `now` to `new` refuses, when it narrows.
fn narrowing(new: &ColumnSchema, now: &ColumnSchema) -> Option<Probe> {
    use ColumnKind as K;
    let key = &new.key;
    match (&new.kind, &now.kind) {
        (
            K::Varchar { size: a } | K::String { size: a },
            K::Varchar { size: b } | K::String { size: b },
        ) if a < b => Some(Probe::Scan(new.clone())),
        (
            K::Integer { min, max } | K::BigInt { min, max },
            K::Integer {
                min: was_min,
                max: was_max,
            }
            | K::BigInt {
                min: was_min,
                max: was_max,
            },
        ) => {
            let narrower = min.unwrap_or(i64::MIN) > was_min.unwrap_or(i64::MIN)
                || max.unwrap_or(i64::MAX) < was_max.unwrap_or(i64::MAX);
            narrower.then(|| bounds_probe(new, min.map(Value::from), max.map(Value::from)))
        }
        (
            K::Float { min, max },
            K::Float {
                min: was_min,
                max: was_max,
            },
        ) => {
            let narrower = min.unwrap_or(f64::MIN) > was_min.unwrap_or(f64::MIN)
                || max.unwrap_or(f64::MAX) < was_max.unwrap_or(f64::MAX);
            narrower.then(|| bounds_probe(new, min.map(Value::from), max.map(Value::from)))
        }
        (K::Enum { elements }, K::Enum { elements: were }) => {
            let removed: Vec<&str> = were
                .iter()
                .filter(|e| !elements.contains(e))
                .map(String::as_str)
                .collect();
            if removed.is_empty() {
                return None;
            }
            Some(Probe::Count(vec![if new.array {
                Query::contains(key, removed)
            } else {
                Query::equal(key, removed)
            }]))
        }
        _ => None,
    }
}

/// The rows out of `[min, max]`: one query, or a scan for an array (whose elements a
/// comparison query does not reach one by one).
fn bounds_probe(new: &ColumnSchema, min: Option<Value>, max: Option<Value>) -> Probe {
    if new.array {
        return Probe::Scan(new.clone());
    }
    let mut outside: Vec<Query> = Vec::new();
    if let Some(min) = min {
        outside.push(Query::less_than(&new.key, min));
    }
    if let Some(max) = max {
        outside.push(Query::greater_than(&new.key, max));
    }
    if outside.len() == 1 {
        Probe::Count(outside)
    } else {
        Probe::Count(vec![Query::or(outside)])
    }
}

/// True when the column `new` refuses the stored `value` (an array: one of its elements).
pub(super) fn violates(new: &ColumnSchema, value: &Value) -> bool {
    if let Value::Array(items) = value {
        return items.iter().any(|item| violates_one(&new.kind, item));
    }
    violates_one(&new.kind, value)
}

fn violates_one(kind: &ColumnKind, value: &Value) -> bool {
    use ColumnKind as K;
    match (kind, value) {
        (K::Varchar { size } | K::String { size }, Value::String(s)) => {
            // Appwrite counts characters, not bytes.
            s.chars().count() > *size as usize
        }
        (K::Integer { min, max } | K::BigInt { min, max }, Value::Number(n)) => n
            .as_i64()
            .is_some_and(|n| min.is_some_and(|min| n < min) || max.is_some_and(|max| n > max)),
        (K::Float { min, max }, Value::Number(n)) => n
            .as_f64()
            .is_some_and(|n| min.is_some_and(|min| n < min) || max.is_some_and(|max| n > max)),
        (K::Enum { elements }, Value::String(s)) => !elements.contains(s),
        _ => false,
    }
}

/// The finding that `evidence` makes of `candidate`; `None` when no row is concerned.
/// `backups` says whether a backup directory is configured.
pub(super) fn finding(candidate: &Candidate, evidence: Evidence, backups: bool) -> Option<Finding> {
    if evidence.rows == Some(0) && !evidence.at_least {
        return None;
    }
    let cut_before_any = evidence.rows == Some(0);
    let (severity, message, advice) = if evidence.encrypted {
        uncountable(candidate)
    } else if cut_before_any {
        unfinished(candidate)
    } else {
        words(candidate, &evidence, backups)
    };
    // A count the budget did not reach is not proof of a failure.
    let severity = if evidence.rows.is_none() {
        Severity::Warning
    } else {
        severity
    };
    Some(Finding {
        code: candidate.check.code(),
        severity,
        version: candidate.version,
        table: candidate.table.clone(),
        column: candidate.column.clone(),
        operation: candidate.operation.clone(),
        // Nothing found in part of the rows is no count of the rest.
        rows: evidence.rows.filter(|_| !cut_before_any),
        rows_at_least: evidence.at_least,
        examples: evidence.examples,
        values: evidence.values,
        message,
        advice,
        // Set by the lint from the version's `allow` codes.
        acknowledged: false,
    })
}

/// A probe whose filter names an encrypted column: Appwrite refuses the query, so the rows are
/// not counted; a warning, as silence would be a false all-clear.
fn uncountable(c: &Candidate) -> (Severity, String, String) {
    let place = match &c.column {
        Some(column) => format!("{}.{column}", c.table),
        None => c.table.clone(),
    };
    (
        Severity::Warning,
        format!(
            "not checked: {place} is encrypted and Appwrite refuses queries on encrypted \
             columns, so the rows `{}` concerns cannot be counted",
            c.operation
        ),
        "check the values by hand, or in a step that reads every row".to_owned(),
    )
}

/// A scan the budget stopped before it found anything: the rows it did not read may still
/// break the operation, so silence would be a false all-clear.
fn unfinished(c: &Candidate) -> (Severity, String, String) {
    (
        Severity::Warning,
        format!(
            "not fully checked: the request budget ran out before every row of {} was read; \
             none of the rows read breaks `{}`, the others may",
            c.table, c.operation
        ),
        "raise the budget (`Migrator::lint_with_budget`, `migrate lint --budget N`) to read \
         every row"
            .to_owned(),
    )
}

/// The severity, what is wrong and what to do instead.
fn words(c: &Candidate, evidence: &Evidence, backups: bool) -> (Severity, String, String) {
    let rows = match (evidence.rows, evidence.at_least) {
        (None, _) => "an unknown number of".to_owned(),
        (Some(n), true) => format!("at least {n}"),
        (Some(n), false) => n.to_string(),
    };
    // "1 row holds a value", "3 rows hold values".
    let one = evidence.rows == Some(1) && !evidence.at_least;
    let agree = |singular: &'static str, plural: &'static str| if one { singular } else { plural };
    let place = match &c.column {
        Some(column) => format!("{}.{column}", c.table),
        None => c.table.clone(),
    };
    let version = c.version;
    match c.check {
        Check::UniqueDuplicates => (
            Severity::Error,
            format!(
                "{rows} rows share their values of {place} with another row; the unique index \
                 cannot be created"
            ),
            format!(
                "the index is created before version {version}'s step runs: remove or merge the \
                 duplicates in an earlier version's step (or by hand), or make the index \
                 non-unique"
            ),
        ),
        Check::NarrowingViolated => (
            Severity::Error,
            format!(
                "{rows} {} the changed column refuses; {}",
                agree("row holds a value", "rows hold values"),
                if c.refused {
                    "Appwrite refuses the change (column_invalid_resize)"
                } else {
                    "Appwrite makes the change without checking them, and every later update of \
                     such a row is refused (the whole row is validated)"
                }
            ),
            format!(
                "fix those values first (in an earlier version's step), or declare the new \
                 limits under a new key and convert the data with \
                 `m.convert_column(\"{}\", ...)`",
                c.table
            ),
        ),
        Check::RequiredWithoutValue => required_words(c, evidence, &rows, &place),
        Check::Destructive => destructive_words(&rows, agree, backups),
    }
}

/// The words of a column becoming required while `rows` rows lack a value for `place`: with
/// a step, by what the step was seen to fill ([`Evidence::fill`]).
fn required_words(
    c: &Candidate,
    evidence: &Evidence,
    rows: &str,
    place: &str,
) -> (Severity, String, String) {
    let version = c.version;
    let advice = "make the step write a value into every row that lacks one (a backfill on \
                  `is_null`), or declare a default"
        .to_owned();
    if !c.has_step {
        return (
            Severity::Error,
            format!(
                "{rows} {} a value for {place} and no step of version {version} fills them; it \
                 cannot become required",
                lack(evidence.rows, evidence.at_least)
            ),
            "declare a default (written into the rows that exist), or add a step that backfills \
             the rows where it is null"
                .to_owned(),
        );
    }
    let fill = evidence.fill.clone().unwrap_or_else(|| Fill {
        lacking: evidence.rows.unwrap_or(0),
        lacking_at_least: evidence.at_least,
        unknown: Some("what the step writes was not looked at".to_owned()),
        ..Fill::default()
    });
    let lacking = match (evidence.rows, fill.lacking_at_least) {
        (None, _) => "an unknown number of".to_owned(),
        (Some(_), true) => format!("at least {}", fill.lacking),
        (Some(_), false) => fill.lacking.to_string(),
    };
    let lacks = lack(evidence.rows.map(|_| fill.lacking), fill.lacking_at_least);
    let message = if let Some(why) = &fill.unknown {
        let seen = match fill.filled {
            0 => String::new(),
            n => format!(" (it fills {n} of them as far as seen)"),
        };
        return (
            Severity::Warning,
            format!(
                "{lacking} {lacks} a value for {place}; version {version}'s step may fill them, \
                 which lint cannot know: {why}{seen}"
            ),
            advice,
        );
    } else if !fill.writes_column {
        format!(
            "{lacking} {lacks} a value for {place} and version {version}'s step does not write \
             that column; it cannot become required"
        )
    } else if fill.filled == 0 {
        format!(
            "{lacking} {lacks} a value for {place} and version {version}'s step fills none of \
             them; it cannot become required"
        )
    } else {
        let empty = evidence.rows.unwrap_or(0);
        format!(
            "version {version}'s step fills {} of the {lacking} rows lacking a value for {place}; \
             {rows} {}: {}; it cannot become required",
            fill.filled,
            if empty == 1 {
                "stays empty"
            } else {
                "stay empty"
            },
            evidence.examples.join(", ")
        )
    };
    (Severity::Error, message, advice)
}

/// "row lacks" for one row, "rows lack" otherwise.
fn lack(rows: Option<u64>, at_least: bool) -> &'static str {
    if rows == Some(1) && !at_least {
        "row lacks"
    } else {
        "rows lack"
    }
}

/// The words of a drop, by whether a backup directory is configured.
fn destructive_words(
    rows: &str,
    agree: impl Fn(&'static str, &'static str) -> &'static str,
    backups: bool,
) -> (Severity, String, String) {
    let holding = agree("row holds a value", "rows hold values");
    if backups {
        (
            Severity::Warning,
            format!("{rows} {holding} that the drop deletes (backed up first)"),
            "keep the backup until the release is confirmed; `migrate restore` puts it back"
                .to_owned(),
        )
    } else {
        (
            Severity::Error,
            format!("{rows} {holding} that the drop deletes; no backup directory is configured"),
            "configure a backup directory (`MigrateOptions::backups_in`) so that the values are \
             written to JSONL before the drop, or copy them elsewhere in an earlier version"
                .to_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::migrate::planning::plan::{OpClass, PlannedOp};

    fn evidence(rows: Option<u64>, at_least: bool) -> Evidence {
        Evidence {
            rows,
            at_least,
            ..Evidence::default()
        }
    }

    fn version(has_step: bool, before: Vec<SchemaOp>, after: Vec<SchemaOp>) -> VersionPlan {
        let planned = |op| PlannedOp {
            op,
            class: OpClass::InPlace,
            reason: String::new(),
        };
        VersionPlan {
            version: 2,
            name: "v2".to_owned(),
            checksum: None,
            has_step,
            reconcile: false,
            before: before.into_iter().map(planned).collect(),
            after: after.into_iter().map(planned).collect(),
            fingerprint: String::new(),
        }
    }

    fn live_users(columns: &[ColumnSchema]) -> Table {
        Table {
            id: "users".into(),
            name: "Users".into(),
            database_id: "app".into(),
            created_at: String::new(),
            updated_at: String::new(),
            permissions: Vec::new(),
            row_security: false,
            enabled: true,
            columns: columns
                .iter()
                .map(|c| crate::api::Column::available(c.clone(), String::new()))
                .collect(),
            indexes: Vec::new(),
        }
    }

    #[test]
    fn values_are_checked_against_the_new_column() {
        let short = ColumnSchema::varchar("nick", 3);
        assert!(!violates(&short, &json!("ñññ")), "characters, not bytes");
        assert!(violates(&short, &json!("abcd")));
        assert!(violates(&short.clone().array(), &json!(["a", "abcd"])));
        let mut age = ColumnSchema::integer("age");
        age.kind = ColumnKind::Integer {
            min: Some(0),
            max: Some(10),
        };
        assert!(violates(&age, &json!(11)) && violates(&age, &json!(-1)));
        assert!(!violates(&age, &json!(10)));
        let plan = ColumnSchema::enumeration("plan", ["free"]);
        assert!(violates(&plan, &json!("pro")) && !violates(&plan, &json!("free")));
    }

    #[test]
    fn only_narrowing_changes_are_counted() {
        let wide = ColumnSchema::varchar("nick", 50);
        assert_eq!(
            narrowing(&ColumnSchema::varchar("nick", 10), &wide),
            Some(Probe::Scan(ColumnSchema::varchar("nick", 10)))
        );
        assert_eq!(narrowing(&ColumnSchema::varchar("nick", 80), &wide), None);
        let was = ColumnSchema::enumeration("plan", ["free", "pro"]);
        let now = ColumnSchema::enumeration("plan", ["free", "pro", "team"]);
        assert_eq!(narrowing(&now, &was), None);
        assert_eq!(
            narrowing(&was, &now),
            Some(Probe::Count(vec![Query::equal("plan", ["team"])]))
        );
    }

    #[test]
    fn a_default_fill_or_a_missing_table_leaves_required_alone() {
        let note = ColumnSchema::varchar("note", 5).required();
        let required = SchemaOp::MakeRequired {
            table: "users".into(),
            column: note.clone(),
        };
        let fill = SchemaOp::FillDefault {
            table: "users".into(),
            column: "note".into(),
            value: json!("x"),
        };
        let live = [live_users(&[ColumnSchema::varchar("note", 5)])];
        let filled = version(false, vec![fill], vec![required.clone()]);
        assert!(candidates(&filled, &live, None).is_empty());
        let bare = version(false, vec![], vec![required]);
        let found = candidates(&bare, &live, None);
        assert_eq!(found[0].probe, Probe::Count(vec![Query::is_null("note")]));
        assert!(candidates(&bare, &[], None).is_empty(), "no table, no rows");
    }

    #[test]
    fn severities_follow_the_step_and_the_backups() {
        let mut c = Candidate {
            check: Check::RequiredWithoutValue,
            version: 2,
            table: "users".into(),
            column: Some("note".into()),
            operation: "make users.note required".into(),
            probe: Probe::Count(Vec::new()),
            has_step: false,
            refused: false,
        };
        assert!(finding(&c, evidence(Some(0), false), true).is_none());
        // A scan the budget cut before it found anything is not an all-clear.
        let unfinished = finding(&c, evidence(Some(0), true), true).unwrap();
        assert_eq!(unfinished.severity, Severity::Warning);
        assert!(
            unfinished.message.starts_with("not fully checked"),
            "{}",
            unfinished.message
        );
        assert_eq!(unfinished.rows(), None);
        let error = finding(&c, evidence(Some(1), false), true).unwrap();
        assert_eq!(error.severity, Severity::Error);
        assert!(
            error.message.starts_with("1 row lacks a value"),
            "{}",
            error.message
        );
        c.has_step = true;
        let warning = finding(&c, evidence(Some(100), true), true).unwrap();
        assert_eq!(warning.severity, Severity::Warning);
        assert!(warning.message.starts_with("at least 100 rows lack"));
        c.check = Check::Destructive;
        assert_eq!(
            finding(&c, evidence(Some(3), false), false)
                .unwrap()
                .severity,
            Severity::Error
        );
        assert_eq!(
            finding(&c, evidence(Some(3), false), true)
                .unwrap()
                .severity,
            Severity::Warning
        );
        // Not counted: the budget ran out, so it is no proof of a failure.
        assert_eq!(
            finding(&c, evidence(None, false), false).unwrap().severity,
            Severity::Warning
        );
    }

    #[test]
    fn what_the_step_fills_decides_the_severity_and_the_words() {
        let c = Candidate {
            check: Check::RequiredWithoutValue,
            version: 2,
            table: "users".into(),
            column: Some("note".into()),
            operation: "make users.note required".into(),
            probe: Probe::Count(Vec::new()),
            has_step: true,
            refused: false,
        };
        let filled = |rows: u64, fill: Fill, examples: &[&str]| Evidence {
            rows: Some(rows),
            examples: examples.iter().map(|e| e.to_string()).collect(),
            fill: Some(fill),
            ..Evidence::default()
        };
        let seen = |filled: u64, writes_column: bool, unknown: Option<&str>| Fill {
            lacking: 300,
            lacking_at_least: false,
            filled,
            writes_column,
            unknown: unknown.map(str::to_owned),
        };
        assert!(finding(&c, filled(0, seen(300, true, None), &[]), true).is_none());
        let some = finding(&c, filled(2, seen(298, true, None), &["a", "b"]), true).unwrap();
        assert_eq!(some.severity, Severity::Error);
        assert_eq!(
            some.message,
            "version 2's step fills 298 of the 300 rows lacking a value for users.note; 2 stay \
             empty: a, b; it cannot become required"
        );
        let none = finding(&c, filled(300, seen(0, false, None), &[]), true).unwrap();
        assert_eq!(none.severity, Severity::Error);
        assert!(none.message.contains("does not write that column"));
        let cut = finding(&c, filled(5, seen(95, true, Some("budget")), &[]), true).unwrap();
        assert_eq!(cut.severity, Severity::Warning);
        assert!(
            cut.message
                .ends_with("cannot know: budget (it fills 95 of them as far as seen)")
        );
    }
}
