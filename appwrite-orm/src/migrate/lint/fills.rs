//! Which rows a version's step fills in a column, read from its recorded writes: pure.
//!
//! A column that becomes required after a step needs a value in every row by then. The step's
//! writes, recorded by the simulation, say which rows get one: a write naming its row (an
//! update, an upsert, a transaction's update or upsert, a bulk upsert's rows) fills that row
//! when it sets the column to a value other than null; a bulk update that does so fills the
//! rows its filters match; a deleted row needs no value any more. What the recorder cannot
//! attribute to rows (an increment, a bulk upsert of which only a sample was kept, filters that
//! cannot be read back) and a step that stopped before its end leave the answer unknown.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::backend::recording::RecordedWrite;
use crate::backend::recording::overlay::{Held, Rewritten, Simulated, rewrite};
use crate::migrate::running::dry_run::StepTrace;
use crate::query::{Query, QueryClass};

/// What a step does to the rows of one column: the rows it fills (or deletes) by id, the
/// filters of the bulk writes that fill (or delete) the rows they match, and why the answer is
/// incomplete, when it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct StepFills {
    /// Rows named one by one that get a value (or are deleted).
    pub(super) ids: BTreeSet<String>,
    /// The filters of each bulk write that gives the rows it matches a value (or deletes
    /// them), as the live table takes them.
    pub(super) bulk: Vec<Vec<Query>>,
    /// True when some write of the step gives the column a value or deletes rows.
    pub(super) writes_column: bool,
    /// Why the rows the step fills cannot all be known.
    pub(super) unknown: Option<String>,
}

impl StepFills {
    /// What the step of `version` (traced as `trace`; `None` when it was not simulated) does to
    /// `table.column`. `created`: the column exists only from this version on, so every
    /// existing row holds null there, and filters on it are decided here, as the simulated step
    /// saw them.
    pub(super) fn of(
        version: u32,
        trace: Option<&StepTrace>,
        table: &str,
        column: &str,
        created: bool,
    ) -> Self {
        let Some(trace) = trace else {
            return Self::unknown(format!("version {version}'s step was not simulated"));
        };
        let mut out = Self::default();
        let held = created.then(|| Held::from([(column.to_owned(), Value::Null)]));
        for write in trace.writes.iter().filter(|w| w.table == table) {
            out.add(write, column, held.as_ref());
        }
        if let Some(error) = &trace.stopped {
            out.unknown.get_or_insert_with(|| {
                format!(
                    "version {version}'s step stopped when simulated ({error}); what it writes \
                     after that point is not seen"
                )
            });
        }
        out
    }

    fn unknown(why: String) -> Self {
        Self {
            unknown: Some(why),
            ..Self::default()
        }
    }

    /// Takes in one recorded write to the column's table.
    fn add(&mut self, write: &RecordedWrite, column: &str, held: Option<&Held>) {
        let operation = write.operation.as_str();
        let action = operation.strip_prefix("transaction:").unwrap_or(operation);
        match action {
            "update_row" | "upsert_row" | "update" | "upsert" if sets(&write.data, column) => {
                self.by_id(write.target.as_deref());
            }
            "delete_row" | "delete" => self.by_id(write.target.as_deref()),
            "upsert_rows" | "bulkUpsert" => self.upserted(write, column),
            "update_rows" | "bulkUpdate" => {
                let set = write.data.get("set").or_else(|| write.data.get("data"));
                if set.is_some_and(|set| sets(set, column)) {
                    self.bulk_write(write, held);
                }
            }
            "delete_rows" | "bulkDelete" => self.bulk_write(write, held),
            "increment_row_column" | "decrement_row_column" | "increment" | "decrement"
                if names(write, column) =>
            {
                self.writes_column = true;
                self.cannot_attribute(format!(
                    "the step {action}s {column} in row {}, which lint does not follow on a \
                     null value",
                    write.target.as_deref().unwrap_or("?")
                ));
            }
            _ => {}
        }
    }

    fn by_id(&mut self, id: Option<&str>) {
        self.writes_column = true;
        match id {
            Some(id) => {
                self.ids.insert(id.to_owned());
            }
            None => self.cannot_attribute("a row write names no row".to_owned()),
        }
    }

    /// A bulk upsert: each row given with its `$id` and a value fills that row; the recorder
    /// keeps only a sample of a direct bulk upsert's rows.
    fn upserted(&mut self, write: &RecordedWrite, column: &str) {
        let rows = write.data.as_array().map_or(&[][..], Vec::as_slice);
        for row in rows.iter().filter(|row| sets(row, column)) {
            self.by_id(row.get("$id").and_then(Value::as_str));
        }
        if (rows.len() as u64) < write.rows {
            self.writes_column = true;
            self.cannot_attribute(format!(
                "a bulk upsert of {} rows was recorded with a sample of {} of them",
                write.rows,
                rows.len()
            ));
        }
    }

    /// A bulk update that fills (or a bulk delete that removes) the rows its filters match.
    fn bulk_write(&mut self, write: &RecordedWrite, held: Option<&Held>) {
        self.writes_column = true;
        let filters = match recorded_filters(&write.data) {
            Some(filters) => filters,
            None => {
                return self.cannot_attribute(format!(
                    "the filters of a {} could not be read back",
                    write.operation
                ));
            }
        };
        let Some(held) = held else {
            return self.bulk.push(filters);
        };
        // The column exists only in the simulation: decide what names it, as the step saw it.
        let simulated = Simulated {
            held: held.clone(),
            ..Simulated::default()
        };
        match rewrite(&filters, &simulated) {
            Ok(Rewritten::NoMatch) => {}
            Ok(Rewritten::Send { queries, .. }) => self.bulk.push(only_filters(queries)),
            Err(why) => self.cannot_attribute(why.0),
        }
    }

    fn cannot_attribute(&mut self, why: String) {
        self.unknown.get_or_insert(why);
    }
}

/// True when the row data `data` gives `column` a value other than null.
fn sets(data: &Value, column: &str) -> bool {
    data.get(column).is_some_and(|v| !v.is_null())
}

/// True when an increment or decrement names `column` (`{column: value}` when recorded
/// directly, `{"column": ..}` when staged in a transaction).
fn names(write: &RecordedWrite, column: &str) -> bool {
    write.data.get(column).is_some()
        || write.data.get("column").and_then(Value::as_str) == Some(column)
}

/// The filters of a recorded bulk write: its `queries`, as strings or JSON objects; `None`
/// when one cannot be parsed.
fn recorded_filters(data: &Value) -> Option<Vec<Query>> {
    let items = data.get("queries")?.as_array()?;
    let queries = items
        .iter()
        .map(|q| match q {
            Value::String(text) => Query::parse(text).ok(),
            other => Query::from_json(other).ok(),
        })
        .collect::<Option<Vec<Query>>>()?;
    Some(only_filters(queries))
}

/// The filters among `queries` (a bulk write's limit, cursor and order do not change which rows
/// it may reach; the recorder counts its matches the same way).
fn only_filters(queries: Vec<Query>) -> Vec<Query> {
    queries
        .into_iter()
        .filter(|q| q.class() == QueryClass::Filter)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn write(operation: &str, target: Option<&str>, rows: u64, data: Value) -> RecordedWrite {
        RecordedWrite {
            operation: operation.to_owned(),
            table: "users".to_owned(),
            target: target.map(str::to_owned),
            rows,
            data,
        }
    }

    fn trace(writes: Vec<RecordedWrite>) -> StepTrace {
        StepTrace {
            writes,
            ..StepTrace::default()
        }
    }

    #[test]
    fn rows_named_one_by_one_are_filled_when_the_value_is_not_null() {
        let step = trace(vec![
            write("update_row", Some("a"), 1, json!({"note": "x"})),
            write("transaction:update", Some("b"), 1, json!({"note": "y"})),
            write("update_row", Some("c"), 1, json!({"note": null})),
            write("update_row", Some("d"), 1, json!({"other": 1})),
            write("delete_row", Some("e"), 1, Value::Null),
            write(
                "transaction:bulkUpsert",
                None,
                2,
                json!([{"$id": "f", "note": "z"}, {"$id": "g"}]),
            ),
        ]);
        let fills = StepFills::of(2, Some(&step), "users", "note", false);
        let ids: Vec<&str> = fills.ids.iter().map(String::as_str).collect();
        assert_eq!(ids, ["a", "b", "e", "f"]);
        assert!(fills.writes_column && fills.unknown.is_none() && fills.bulk.is_empty());
    }

    #[test]
    fn bulk_updates_keep_their_filters_and_unknowns_are_named() {
        let filters = json!([Query::is_null("note").to_wire(), Query::limit(10).to_wire()]);
        let step = trace(vec![
            write(
                "update_rows",
                None,
                3,
                json!({"set": {"note": "n"}, "filters": 2, "queries": filters}),
            ),
            write("upsert_rows", None, 5, json!([{"$id": "a", "note": "x"}])),
        ]);
        let fills = StepFills::of(2, Some(&step), "users", "note", false);
        assert_eq!(fills.bulk, [vec![Query::is_null("note")]]);
        assert!(fills.unknown.unwrap().contains("sample of 1"));

        let stopped = StepTrace {
            stopped: Some("boom".into()),
            ..StepTrace::default()
        };
        let fills = StepFills::of(2, Some(&stopped), "users", "note", false);
        assert!(!fills.writes_column);
        assert!(
            fills
                .unknown
                .unwrap()
                .contains("stopped when simulated (boom)")
        );
        let none = StepFills::of(2, None, "users", "note", false);
        assert!(none.unknown.unwrap().contains("not simulated"));
    }

    #[test]
    fn filters_on_a_column_the_version_creates_are_decided_as_the_step_saw_them() {
        let bulk = |queries: Vec<Query>| {
            let queries: Vec<String> = queries.iter().map(Query::to_wire).collect();
            write(
                "update_rows",
                None,
                0,
                json!({"set": {"code": "c"}, "queries": queries}),
            )
        };
        let step = trace(vec![
            bulk(vec![Query::is_null("code")]),
            bulk(vec![Query::is_not_null("code")]),
            bulk(vec![Query::is_null("code"), Query::equal("plan", ["pro"])]),
        ]);
        let fills = StepFills::of(2, Some(&step), "users", "code", true);
        assert_eq!(
            fills.bulk,
            [vec![], vec![Query::equal("plan", ["pro"])]],
            "every row; none (dropped); the rows of the live filter"
        );
    }
}
