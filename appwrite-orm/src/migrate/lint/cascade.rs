//! `relationship-cascade`: rows a relationship's `onDelete: cascade` would delete, or expose to
//! deletion, counted on the live rows.
//!
//! Two things are found:
//! - **A step deletes rows** (`delete_row`, or a delete staged in a transaction, seen by
//!   running the step against the recorder) of a table whose relationships cascade from its
//!   side: the related rows those rows link to are deleted with them. Where a row cascades is
//!   Appwrite's rule (utopia-php/database `deleteCascade`, as the embedded engine does it): the
//!   "one" side, so oneToOne on either side, the parent of oneToMany and manyToMany, the child
//!   of manyToOne; a one-way relationship cascades from its related table too, which has no
//!   column. The related ids are read from the deleted rows (`select(["key.$id"])`, up to 100
//!   ids a request), or, for a one-way relationship declared on the other table, counted there
//!   (`equal(key, ids)`).
//! - **A version changes a relationship's `onDelete` to cascade**: the rows of the table that
//!   declares it holding a link now are counted (`isNotNull` on a to-one side; a to-many side is
//!   read page by page, Appwrite filters no list of links).
//!
//! What is not counted: rows deleted further down a chain of cascades (only the first level is
//! read), rows a bulk delete (`delete_rows`) removes (their ids are not known to the recorder;
//! Appwrite refuses bulk writes on tables with relationship columns anyway, and the report
//! notes the delete), and table drops: utopia-php/database's `deleteCollection` calls
//! `deleteRelationship` for each relationship of the table (the columns on both sides, with
//! their links) before dropping it, and Appwrite 1.9.6's Databases worker then removes the
//! relationship columns other tables point at it with; no related row is deleted. The
//! `destructive` check reports such a drop.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::Result;
use crate::api::Table;
use crate::backend::recording::RecordedWrite;
use crate::migrate::lint::probe::{PAGE, Prober, keep};
use crate::migrate::lint::{Finding, Severity};
use crate::migrate::planning::plan::{SchemaOp, VersionPlan};
use crate::query::Query;
use crate::schema::{ColumnKind, OnDelete, RelationSide, RelationType, Relationship};

/// The stable code.
pub(super) const CODE: &str = super::codes::RELATIONSHIP_CASCADE;

/// What to count for one cascade.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Count {
    /// The related ids that the rows `ids` of the candidate's table hold in `key`.
    HeldBy { key: String, ids: Vec<String> },
    /// The rows of `table` whose one-way relationship `key` points at one of `ids`.
    PointingAt {
        table: String,
        key: String,
        ids: Vec<String>,
    },
    /// The rows of the candidate's table linked through `key`.
    Linked { key: String, to_many: bool },
}

/// A cascade to count, with the words of its finding.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Candidate {
    pub(super) version: u32,
    /// The table whose rows are deleted (or that declares the relationship).
    pub(super) table: String,
    /// The relationship's key when `table` holds it (`None`: a one-way relationship the other
    /// table declares).
    pub(super) column: Option<String>,
    /// The relationship column, as `holder.key`.
    pub(super) via: String,
    /// The table of the rows deleted by the cascade.
    pub(super) related: String,
    pub(super) operation: String,
    pub(super) count: Count,
}

/// A relationship as seen from the rows of one table.
struct Reach<'l> {
    /// The table that holds the column (this table, or the other one for an inbound one-way
    /// relationship).
    holder: &'l str,
    key: &'l str,
    /// The table on the other side, whose rows a cascade deletes.
    related: &'l str,
    rel: &'l Relationship,
    /// The side this table stands on.
    side: RelationSide,
}

impl Reach<'_> {
    /// True when deleting a row on this side deletes its related rows.
    fn cascades(&self) -> bool {
        self.rel.on_delete == OnDelete::Cascade
            && match (self.rel.relation_type, self.side) {
                (RelationType::OneToOne, _) => true,
                (RelationType::OneToMany | RelationType::ManyToMany, side) => {
                    side == RelationSide::Parent
                }
                (RelationType::ManyToOne, side) => side == RelationSide::Child,
            }
    }
}

/// The relationships of `table` in `live`, seen from its rows: its own columns (parents and
/// twins), and the one-way relationships other tables declare towards it.
fn reaches<'l>(live: &'l [Table], table: &str) -> Vec<Reach<'l>> {
    let mut out = Vec::new();
    for holder in live {
        for column in &holder.columns {
            let ColumnKind::Relationship(rel) = &column.schema.kind else {
                continue;
            };
            if holder.id == table {
                out.push(Reach {
                    holder: &holder.id,
                    key: &column.schema.key,
                    related: &rel.related_table,
                    rel,
                    side: rel.side,
                });
            } else if rel.related_table == table && !rel.two_way && rel.side.is_parent() {
                out.push(Reach {
                    holder: &holder.id,
                    key: &column.schema.key,
                    related: &holder.id,
                    rel,
                    side: RelationSide::Child,
                });
            }
        }
    }
    out
}

/// The rows a step deletes one by one, by table, in order; the bulk deletes' tables apart.
fn deleted_rows(writes: &[RecordedWrite]) -> (BTreeMap<&str, Vec<String>>, Vec<&str>) {
    let mut rows: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut bulk = Vec::new();
    for write in writes {
        match (write.operation.as_str(), &write.target) {
            ("delete_row" | "transaction:delete", Some(id)) => {
                let ids = rows.entry(write.table.as_str()).or_default();
                if !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
            ("delete_rows" | "transaction:bulkDelete", _) if !bulk.contains(&&*write.table) => {
                bulk.push(write.table.as_str());
            }
            _ => {}
        }
    }
    (rows, bulk)
}

/// The cascades of `version`: its step's deletions (`step_writes`) and its changes of
/// `onDelete` to cascade, against the `live` tables; and a note per table the step
/// bulk-deletes from while a relationship cascades from it.
pub(super) fn candidates(
    version: &VersionPlan,
    live: &[Table],
    step_writes: &[RecordedWrite],
) -> (Vec<Candidate>, Vec<String>) {
    let (deleted, bulk) = deleted_rows(step_writes);
    let mut out = Vec::new();
    for (table, ids) in &deleted {
        for reach in reaches(live, table).iter().filter(|r| r.cascades()) {
            out.push(deletion(version.version, table, ids, reach));
        }
    }
    let notes = bulk
        .into_iter()
        .filter(|table| reaches(live, table).iter().any(Reach::cascades))
        .map(|table| {
            format!(
                "version {}'s step deletes rows of {table} in bulk, and a relationship cascades \
                 from {table}: the related rows it would delete are not counted",
                version.version
            )
        })
        .collect();
    out.extend(
        version
            .before
            .iter()
            .chain(&version.after)
            .filter_map(|planned| now_cascading(version.version, &planned.op, live)),
    );
    (out, notes)
}

/// The candidate of deleting the rows `ids` of `table`, which cascades through `reach`.
fn deletion(version: u32, table: &str, ids: &[String], reach: &Reach<'_>) -> Candidate {
    let count = if reach.holder == table {
        Count::HeldBy {
            key: reach.key.to_owned(),
            ids: ids.to_vec(),
        }
    } else {
        Count::PointingAt {
            table: reach.holder.to_owned(),
            key: reach.key.to_owned(),
            ids: ids.to_vec(),
        }
    };
    Candidate {
        version,
        table: table.to_owned(),
        column: (reach.holder == table).then(|| reach.key.to_owned()),
        via: format!("{}.{}", reach.holder, reach.key),
        related: reach.related.to_owned(),
        operation: format!(
            "delete {} {} of {table} (in the step)",
            ids.len(),
            if ids.len() == 1 { "row" } else { "rows" }
        ),
        count,
    }
}

/// The candidate of an operation that turns a live relationship's `onDelete` into cascade.
fn now_cascading(version: u32, op: &SchemaOp, live: &[Table]) -> Option<Candidate> {
    let SchemaOp::UpdateColumn { table, column } = op else {
        return None;
    };
    let ColumnKind::Relationship(new) = &column.kind else {
        return None;
    };
    let now = live.iter().find(|t| &t.id == table)?.column(&column.key)?;
    let ColumnKind::Relationship(was) = &now.schema.kind else {
        return None;
    };
    if new.on_delete != OnDelete::Cascade || was.on_delete == OnDelete::Cascade {
        return None;
    }
    Some(Candidate {
        version,
        table: table.clone(),
        column: Some(column.key.clone()),
        via: format!("{table}.{}", column.key),
        related: new.related_table.clone(),
        operation: format!(
            "change onDelete of {table}.{} from {} to cascade",
            column.key,
            was.on_delete.as_str()
        ),
        count: Count::Linked {
            key: column.key.clone(),
            to_many: was.is_to_many(),
        },
    })
}

/// What counting found: rows, whether the budget cut it short, examples.
#[derive(Debug, Default)]
struct Counted {
    rows: Option<u64>,
    at_least: bool,
    examples: Vec<String>,
}

/// Counts `candidate` within the prober's budget and makes its finding (`None`: no row).
pub(super) async fn finding(
    prober: &mut Prober<'_>,
    candidate: &Candidate,
) -> Result<Option<Finding>> {
    let counted = match &candidate.count {
        Count::HeldBy { key, ids } => held_by(prober, &candidate.table, key, ids).await?,
        Count::PointingAt { table, key, ids } => pointing_at(prober, table, key, ids).await?,
        Count::Linked {
            key,
            to_many: false,
        } => {
            let evidence = prober
                .count(&candidate.table, &[Query::is_not_null(key)])
                .await?;
            Counted {
                rows: evidence.rows,
                at_least: evidence.at_least,
                examples: evidence.examples,
            }
        }
        Count::Linked { key, to_many: true } => linked_lists(prober, &candidate.table, key).await?,
    };
    match (counted.rows, counted.at_least) {
        (Some(0), false) => Ok(None),
        // Cut by the budget before any related row was found: the rest is not counted, which
        // is no all-clear.
        (Some(0), true) => Ok(Some(words(
            candidate,
            Counted {
                rows: None,
                ..counted
            },
        ))),
        _ => Ok(Some(words(candidate, counted))),
    }
}

/// The distinct related ids the rows `ids` of `table` hold in `key`, 100 rows a request.
async fn held_by(
    prober: &mut Prober<'_>,
    table: &str,
    key: &str,
    ids: &[String],
) -> Result<Counted> {
    let mut related: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut counted = Counted::default();
    for chunk in ids.chunks(PAGE as usize) {
        if !prober.take() {
            counted.at_least = true;
            break;
        }
        let queries = [
            Query::equal("$id", chunk.iter().map(String::as_str)),
            Query::select([format!("{key}.$id")]),
            Query::limit(PAGE),
        ];
        let (_, rows) = prober.list(table, &queries, false).await?;
        for row in &rows {
            for id in related_ids(row.0.get(key).unwrap_or(&Value::Null)) {
                // The first ones found are the examples.
                if related.insert(id.clone())
                    && counted.examples.len() < crate::migrate::lint::LINT_EXAMPLES
                {
                    counted.examples.push(id);
                }
            }
        }
        counted.rows = Some(related.len() as u64);
    }
    Ok(counted)
}

/// The rows of `table` whose `key` points at one of `ids`, 100 ids a request.
async fn pointing_at(
    prober: &mut Prober<'_>,
    table: &str,
    key: &str,
    ids: &[String],
) -> Result<Counted> {
    let mut counted = Counted::default();
    for chunk in ids.chunks(PAGE as usize) {
        let evidence = prober
            .count(
                table,
                &[Query::equal(key, chunk.iter().map(String::as_str))],
            )
            .await?;
        let Some(rows) = evidence.rows else {
            counted.at_least = counted.rows.is_some();
            break;
        };
        *counted.rows.get_or_insert(0) += rows;
        counted.at_least |= evidence.at_least;
        for id in evidence.examples {
            keep(&mut counted.examples, id);
        }
    }
    Ok(counted)
}

/// The rows of `table` whose to-many `key` holds a link, read page by page.
async fn linked_lists(prober: &mut Prober<'_>, table: &str, key: &str) -> Result<Counted> {
    let mut counted = Counted::default();
    let mut cursor: Option<String> = None;
    loop {
        if !prober.take() {
            counted.at_least = true;
            return Ok(counted);
        }
        let mut queries = vec![Query::select([format!("{key}.$id")]), Query::limit(PAGE)];
        queries.extend(cursor.take().map(Query::cursor_after));
        let (_, rows) = prober.list(table, &queries, false).await?;
        let count = counted.rows.get_or_insert(0);
        for row in &rows {
            if !related_ids(row.0.get(key).unwrap_or(&Value::Null)).is_empty() {
                *count += 1;
                keep(&mut counted.examples, row.id().to_owned());
            }
        }
        if (rows.len() as u64) < PAGE {
            return Ok(counted);
        }
        cursor = rows.last().map(|r| r.id().to_owned());
    }
}

/// The related ids in a relationship value: an id, a row (its `$id`), or a list of those.
fn related_ids(value: &Value) -> Vec<String> {
    match value {
        Value::String(id) => vec![id.clone()],
        Value::Object(row) => row
            .get("$id")
            .and_then(Value::as_str)
            .map(|id| vec![id.to_owned()])
            .unwrap_or_default(),
        Value::Array(items) => items.iter().flat_map(related_ids).collect(),
        _ => Vec::new(),
    }
}

/// The finding of a counted cascade; a warning: the deletion may be what the step means.
fn words(c: &Candidate, counted: Counted) -> Finding {
    let rows = match (counted.rows, counted.at_least) {
        (None, _) => "an unknown number of".to_owned(),
        (Some(n), true) => format!("at least {n}"),
        (Some(n), false) => n.to_string(),
    };
    let (message, advice) = match c.count {
        Count::Linked { .. } => (
            format!(
                "{rows} rows of {} hold a link through {}; with onDelete cascade, deleting the \
                 row on the cascading side deletes the rows linked to it",
                c.table, c.via
            ),
            "make sure deleting those rows is meant; keep setNull or restrict where related \
             rows must outlive the row they link to"
                .to_owned(),
        ),
        _ => (
            format!(
                "{rows} related rows of {} are deleted with them (onDelete cascade through {}); \
                 rows further down a chain of cascades are not counted",
                c.related, c.via
            ),
            format!(
                "if those rows must stay, unlink them or change the relationship's onDelete to \
                 setNull in an earlier version; back up {} first either way",
                c.related
            ),
        ),
    };
    Finding {
        code: CODE,
        severity: Severity::Warning,
        version: c.version,
        table: c.table.clone(),
        column: c.column.clone(),
        operation: c.operation.clone(),
        rows: counted.rows,
        rows_at_least: counted.at_least,
        examples: counted.examples,
        values: Vec::new(),
        message,
        advice,
        acknowledged: false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rel(relation_type: RelationType, on_delete: OnDelete) -> Relationship {
        Relationship {
            on_delete,
            ..Relationship::new("b", relation_type)
        }
    }

    fn cascades(relation_type: RelationType, side: RelationSide) -> bool {
        let rel = rel(relation_type, OnDelete::Cascade);
        let reach = Reach {
            holder: "a",
            key: "k",
            related: "b",
            rel: &rel,
            side,
        };
        reach.cascades()
    }

    #[test]
    fn the_one_side_cascades() {
        use RelationSide::{Child, Parent};
        use RelationType::*;
        let rule: Vec<bool> = [
            (OneToOne, Parent),
            (OneToOne, Child),
            (OneToMany, Parent),
            (OneToMany, Child),
            (ManyToOne, Parent),
            (ManyToOne, Child),
            (ManyToMany, Parent),
            (ManyToMany, Child),
        ]
        .into_iter()
        .map(|(t, s)| cascades(t, s))
        .collect();
        assert_eq!(rule, [true, true, true, false, false, true, true, false]);
        let set_null = rel(OneToOne, OnDelete::SetNull);
        let reach = Reach {
            holder: "a",
            key: "k",
            related: "b",
            rel: &set_null,
            side: Parent,
        };
        assert!(!reach.cascades());
    }

    #[test]
    fn deletions_are_gathered_by_table_and_bulk_ones_apart() {
        let write = |operation: &str, table: &str, target: Option<&str>| RecordedWrite {
            operation: operation.into(),
            table: table.into(),
            target: target.map(str::to_owned),
            rows: 1,
            data: json!(null),
        };
        let writes = [
            write("delete_row", "authors", Some("a1")),
            write("transaction:delete", "authors", Some("a2")),
            write("delete_row", "authors", Some("a1")),
            write("update_row", "books", Some("b1")),
            write("delete_rows", "books", None),
        ];
        let (rows, bulk) = deleted_rows(&writes);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows["authors"], ["a1", "a2"]);
        assert_eq!(bulk, ["books"]);
        assert_eq!(related_ids(&json!([{"$id": "x"}, "y", null])), ["x", "y"]);
    }
}
