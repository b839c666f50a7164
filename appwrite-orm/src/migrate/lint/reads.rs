//! `step-reads-dropped-column`: a pending version's step reads a column that is gone by then,
//! found without I/O from the plan and from what each step did against the recorder.
//!
//! A column is gone from the moment a version renames it (the plan's renames run before the
//! step) or a step renames or drops it (`update_column` with a new key, `delete_column`, or its
//! whole table with `delete_table`), until a later operation creates it again. Against a real
//! server a read naming it fails (Appwrite refuses a query on an unknown attribute); against
//! the recorder it succeeds, since nothing was dropped, so this check compares instead. A step's reads are its row reads (`get_row`,
//! `list_rows`) and the filters of its bulk updates and deletes, each with the columns its
//! queries name: `select` (`author.$id` names `author`), filters (inside `and`/`or` too) and
//! order; and the models it reads through `Migration::table::<T>()`, with every column `T`
//! declares. Within one step, a row read counts only after the drops recorded before it (a step
//! may copy a column and then drop it); a model read has no place among the step's writes and
//! is compared with earlier versions' drops and renames only.
//!
//! What cannot be known: a read of whole rows that names no column (no `select`, no filter)
//! followed by `row["old"]` on the JSON map, reads through `m.db()` or the backend with a
//! model's handle taken outside `Migration::table`, and reads a step makes after it stopped
//! (the report notes a step that stopped when simulated).

use std::collections::{BTreeMap, BTreeSet};

use crate::backend::recording::{RecordedRead, RecordedWrite};
use crate::migrate::lint::{Finding, Severity};
use crate::migrate::planning::plan::{SchemaOp, VersionPlan};
use crate::migrate::running::dry_run::StepTrace;

/// The stable code.
pub(super) const CODE: &str = super::codes::STEP_READS_DROPPED_COLUMN;

/// A table (column `None`) or column that is gone, with how it went.
type Gone = BTreeMap<(String, Option<String>), String>;

/// The reads of the steps of `versions` (their traces, by version) that name what a plan
/// rename or a step's drop in the same or an earlier version removed.
pub(super) fn findings(
    versions: &[VersionPlan],
    traces: &BTreeMap<u32, StepTrace>,
) -> Vec<Finding> {
    let mut gone = Gone::new();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for version in versions {
        for planned in &version.before {
            plan_op(&mut gone, &planned.op, version.version);
        }
        if let Some(trace) = traces.get(&version.version) {
            let mut applied = 0;
            for read in &trace.reads {
                // The writes recorded before this read (never back: reads come in order).
                let upto = read.after_writes.clamp(applied, trace.writes.len());
                for write in &trace.writes[applied..upto] {
                    step_write(&mut gone, write, version.version);
                }
                applied = upto;
                for finding in check(&gone, read, version.version) {
                    let key = (
                        finding.table.clone(),
                        finding.column.clone(),
                        version.version,
                    );
                    if seen.insert(key) {
                        out.push(finding);
                    }
                }
            }
            for write in &trace.writes[applied..] {
                step_write(&mut gone, write, version.version);
            }
        }
        for planned in &version.after {
            plan_op(&mut gone, &planned.op, version.version);
        }
    }
    out
}

/// What a plan operation of `version` removes (a rename's old key) or brings back.
fn plan_op(gone: &mut Gone, op: &SchemaOp, version: u32) {
    match op {
        SchemaOp::RenameColumn {
            table,
            from,
            column,
        } => {
            let how = format!("version {version} renames it to {}", column.key);
            gone.insert((table.clone(), Some(from.clone())), how);
            gone.remove(&(table.clone(), Some(column.key.clone())));
        }
        SchemaOp::CreateColumn { table, column } => {
            gone.remove(&(table.clone(), Some(column.key.clone())));
        }
        SchemaOp::CreateTable { table } => gone.retain(|(t, _), _| *t != table.id),
        _ => {}
    }
}

/// What a step's recorded write of `version` removes or brings back.
fn step_write(gone: &mut Gone, write: &RecordedWrite, version: u32) {
    let table = write.table.clone();
    match (write.operation.as_str(), &write.target) {
        ("delete_column", Some(key)) => {
            let how = format!("version {version}'s step drops it");
            gone.insert((table, Some(key.clone())), how);
        }
        ("delete_table", _) => {
            let how = format!("version {version}'s step drops the table");
            gone.insert((table, None), how);
        }
        // A rename (`Migration::rename_column`): the old key is the target, the new one the data's.
        ("update_column", Some(from)) => {
            let to = write.data.get("key").and_then(|k| k.as_str());
            if let Some(to) = to.filter(|to| to != from) {
                let how = format!("version {version}'s step renames it to {to}");
                gone.insert((table.clone(), Some(from.clone())), how);
                gone.remove(&(table, Some(to.to_owned())));
            }
        }
        ("create_column", Some(key)) => {
            gone.remove(&(table, Some(key.clone())));
        }
        ("create_table", _) => gone.retain(|(t, _), _| *t != table),
        _ => {}
    }
}

/// The findings of one read of `version`'s step.
fn check(gone: &Gone, read: &RecordedRead, version: u32) -> Vec<Finding> {
    if let Some(how) = gone.get(&(read.table.clone(), None)) {
        return vec![finding(read, None, how, version)];
    }
    read.columns
        .iter()
        .filter_map(|column| {
            let how = gone.get(&(read.table.clone(), Some(column.clone())))?;
            Some(finding(read, Some(column), how, version))
        })
        .collect()
}

fn finding(read: &RecordedRead, column: Option<&String>, how: &str, version: u32) -> Finding {
    let place = match column {
        Some(column) => format!("{}.{column}", read.table),
        None => format!("table {}", read.table),
    };
    Finding {
        code: CODE,
        severity: Severity::Warning,
        version,
        table: read.table.clone(),
        column: column.cloned(),
        operation: format!("{} in version {version}'s step", read.operation),
        rows: None,
        rows_at_least: false,
        examples: Vec::new(),
        values: Vec::new(),
        message: format!(
            "version {version}'s step reads {place}, but {how}: on the server the read fails \
             (the column is unknown) or the typed row cannot be read"
        ),
        advice: "read it before it goes (in the version that drops it, before the drop), or \
                 stop reading it; a rename reads under its new key"
            .to_owned(),
        acknowledged: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::planning::plan::{OpClass, PlannedOp};
    use crate::schema::ColumnSchema;

    fn version(n: u32, before: Vec<SchemaOp>) -> VersionPlan {
        VersionPlan {
            version: n,
            name: format!("v{n}"),
            checksum: None,
            has_step: true,
            reconcile: false,
            before: before
                .into_iter()
                .map(|op| PlannedOp {
                    op,
                    class: OpClass::InPlace,
                    reason: String::new(),
                })
                .collect(),
            after: Vec::new(),
            fingerprint: String::new(),
        }
    }

    fn read(table: &str, columns: &[&str], after_writes: usize) -> RecordedRead {
        RecordedRead {
            operation: "list_rows".into(),
            table: table.into(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            after_writes,
        }
    }

    fn drop_column(table: &str, key: &str) -> RecordedWrite {
        RecordedWrite {
            operation: "delete_column".into(),
            table: table.into(),
            target: Some(key.into()),
            rows: 0,
            data: serde_json::Value::Null,
        }
    }

    fn trace(writes: Vec<RecordedWrite>, reads: Vec<RecordedRead>) -> StepTrace {
        StepTrace {
            stopped: None,
            writes,
            reads,
        }
    }

    #[test]
    fn a_read_after_the_drop_is_found_and_one_before_it_is_not() {
        let traces = BTreeMap::from([
            (
                2,
                trace(
                    vec![drop_column("users", "nick")],
                    vec![read("users", &["nick"], 0), read("users", &["nick"], 1)],
                ),
            ),
            (3, trace(vec![], vec![read("users", &["email", "nick"], 0)])),
        ]);
        let found: Vec<(u32, Option<String>)> =
            findings(&[version(2, vec![]), version(3, vec![])], &traces)
                .into_iter()
                .map(|f| (f.version, f.column))
                .collect();
        assert_eq!(
            found,
            [(2, Some("nick".to_owned())), (3, Some("nick".to_owned()))]
        );
    }

    #[test]
    fn a_steps_rename_removes_the_old_key_and_brings_the_new_one() {
        let rename = RecordedWrite {
            operation: "update_column".into(),
            table: "users".into(),
            target: Some("name".into()),
            rows: 0,
            data: serde_json::json!({"key": "full_name", "type": "string"}),
        };
        let resize = RecordedWrite {
            target: Some("email".into()),
            data: serde_json::json!({"key": "email", "type": "string"}),
            ..rename.clone()
        };
        let reads = vec![read("users", &["name", "email", "full_name"], 2)];
        let traces = BTreeMap::from([(2, trace(vec![rename, resize], reads))]);
        let found = findings(&[version(2, vec![])], &traces);
        let columns: Vec<Option<String>> = found.iter().map(|f| f.column.clone()).collect();
        assert_eq!(columns, [Some("name".to_owned())]);
        assert!(found[0].message.contains("step renames it to full_name"));
    }

    #[test]
    fn a_rename_removes_the_old_key_and_a_creation_brings_a_key_back() {
        let rename = SchemaOp::RenameColumn {
            table: "users".into(),
            from: "name".into(),
            column: ColumnSchema::varchar("full_name", 10),
        };
        let create = SchemaOp::CreateColumn {
            table: "users".into(),
            column: ColumnSchema::varchar("name", 10),
        };
        let traces = BTreeMap::from([
            (2, trace(vec![], vec![read("users", &["name"], 0)])),
            (3, trace(vec![], vec![read("users", &["name"], 0)])),
        ]);
        let found = findings(
            &[version(2, vec![rename]), version(3, vec![create])],
            &traces,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].version, 2);
        assert!(found[0].message.contains("renames it to full_name"));
    }
}
