//! Writing relationship values: checking their shape, writing nested rows, and setting the
//! links of the written row.

use serde_json::{Map, Value};

use super::super::catalog::{Session, TableMeta};
use super::super::errors;
use super::super::write::{self as rows, RowInput};
use super::{MAX_DEPTH, Relation, links};
use crate::backend::{Document, UNIQUE_ID};
use crate::{Error, Result};

/// Splits the relationship values out of a row's data: the rest is written to the row's own
/// table, the relationship values afterwards with [`apply_values`].
pub(in crate::backend::embedded) fn take_relation_values(
    meta: &TableMeta,
    data: &Document,
) -> (Document, Vec<(String, Value)>) {
    if meta.relations.is_empty() {
        return (data.clone(), Vec::new());
    }
    let mut plain = Document::new();
    let mut related = Vec::new();
    for (key, value) in data {
        if meta.relation(key).is_some() {
            related.push((key.clone(), value.clone()));
        } else {
            plain.insert(key.clone(), value.clone());
        }
    }
    (plain, related)
}

/// Whether a write creates the row (a `null` to-many value leaves it alone) or changes it (the
/// values replace the current links).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::backend::embedded) enum Mode {
    /// `POST …/rows` (or an upsert that creates).
    Create,
    /// `PATCH`/`PUT …/rows/{id}` on an existing row.
    Update,
}

/// Sets the relationship values of the row `row_id` just written in `meta`. `permissions` are
/// the row's, inherited by nested rows created without their own. `depth` counts the nested
/// levels above this row: relationship values deeper than Appwrite's limit are dropped, as
/// Appwrite drops them.
pub(in crate::backend::embedded) fn apply_values(
    conn: &Session,
    meta: &TableMeta,
    row_id: &str,
    permissions: &[String],
    values: &[(String, Value)],
    mode: Mode,
    depth: usize,
) -> Result<()> {
    if depth + 1 >= MAX_DEPTH && !values.is_empty() {
        return Ok(());
    }
    for (key, value) in values {
        let Some(column) = meta.relation(key) else {
            continue;
        };
        let relation = Relation::of(conn, meta, column)?;
        let targets = match targets_of(&relation, value, mode)? {
            Some(targets) => targets,
            None => continue,
        };
        let mut ids = Vec::with_capacity(targets.len());
        for target in targets {
            if let Some(id) = write_target(conn, &relation, target, permissions, depth)? {
                ids.push(id);
            }
        }
        set_links(conn, &relation, row_id, &ids, mode)?;
    }
    Ok(())
}

/// One related row a value names: by id, or as a row object.
enum Target<'a> {
    Id(&'a str),
    Row(&'a Map<String, Value>),
}

fn invalid(message: impl Into<String>) -> Error {
    errors::relationship_invalid(message)
}

/// The related rows a value names, after Appwrite's shape checks; `None` leaves the links
/// unchanged.
fn targets_of<'a>(
    relation: &Relation,
    value: &'a Value,
    mode: Mode,
) -> Result<Option<Vec<Target<'a>>>> {
    let one = |v: &'a Value| -> Result<Target<'a>> {
        match v {
            Value::String(id) => Ok(Target::Id(id)),
            Value::Object(row) => {
                if let Some(id) = row.get("$id") {
                    let Some(id) = id.as_str() else {
                        return Err(invalid("Relationship $id must be a string"));
                    };
                    if id != UNIQUE_ID {
                        crate::api::ids::check_id(id).map_err(invalid)?;
                    }
                }
                Ok(Target::Row(row))
            }
            _ => Err(invalid(
                "Invalid relationship value. Must be either a document, document ID, or an array of documents or document IDs.",
            )),
        }
    };
    match (relation.to_many(), value) {
        (false, Value::Array(_)) => Err(invalid(
            "Invalid relationship value. Must be either a document ID or a document, array given.",
        )),
        (false, Value::Null) => Ok(Some(Vec::new())),
        (false, v) => Ok(Some(vec![one(v)?])),
        (true, Value::Array(items)) => Ok(Some(items.iter().map(one).collect::<Result<_>>()?)),
        (true, Value::Null) if mode == Mode::Create => Ok(None),
        (true, v) => Err(invalid(format!(
            "Invalid relationship value. Must be either an array of documents or document IDs, {} given.",
            match v {
                Value::String(_) => "document ID",
                Value::Object(_) => "document",
                Value::Null => "NULL",
                _ => "value",
            }
        ))),
    }
}

/// Writes a nested row (created, or updated when its `$id` exists) and answers the id to link;
/// a bare id is linked as it is on a to-one side, and only when its row exists on a to-many
/// side (Appwrite keeps a to-one side's stored id even when no row has it, and creates no
/// junction row for a missing one).
fn write_target(
    conn: &Session,
    relation: &Relation,
    target: Target<'_>,
    permissions: &[String],
    depth: usize,
) -> Result<Option<String>> {
    let related = &relation.related;
    match target {
        Target::Id(id) => {
            let exists = super::super::select::stamp(conn, related, id)?.is_some();
            Ok((exists || !relation.to_many()).then(|| id.to_owned()))
        }
        Target::Row(row) => {
            let id = row.get("$id").and_then(Value::as_str).unwrap_or(UNIQUE_ID);
            let data: Document = row
                .iter()
                .filter(|(k, _)| k.as_str() != "$id" && k.as_str() != "$permissions")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let own_permissions: Option<Vec<String>> = match row.get("$permissions") {
                Some(p) => Some(serde_json::from_value(p.clone()).map_err(|_| {
                    invalid("Invalid relationship value. $permissions must be an array of strings.")
                })?),
                None => None,
            };
            let exists =
                id != UNIQUE_ID && super::super::select::stamp(conn, related, id)?.is_some();
            let written = if exists {
                rows::update_nested(
                    conn,
                    related,
                    RowInput {
                        id,
                        data: &data,
                        permissions: own_permissions.as_deref(),
                    },
                    depth + 1,
                )?
            } else {
                rows::create_nested(
                    conn,
                    related,
                    RowInput {
                        id,
                        data: &data,
                        permissions: Some(own_permissions.as_deref().unwrap_or(permissions)),
                    },
                    depth + 1,
                )?
            };
            Ok(Some(written.id().to_owned()))
        }
    }
}

/// Makes `ids` the related rows of `row_id`: a to-one value or a list replaces the current
/// links (a create has none). A related row that may have only one partner leaves its former
/// one (oneToMany, manyToOne) or, on oneToOne, refuses a second one.
fn set_links(
    conn: &Session,
    relation: &Relation,
    row_id: &str,
    ids: &[String],
    mode: Mode,
) -> Result<()> {
    if mode == Mode::Update {
        links::unlink_row(conn, relation, row_id)?;
    }
    for id in ids {
        if !relation.other_side_to_many() {
            let partners = other_partners(conn, relation, id)?;
            if partners.iter().any(|p| p != row_id) {
                if relation.is_one_to_one() {
                    return Err(errors::row_already_exists());
                }
                links::unlink_other(conn, relation, id)?;
            }
        }
        links::link(conn, relation, row_id, id)?;
    }
    Ok(())
}

/// The rows of this side linked to the related row `other`.
fn other_partners(conn: &Session, relation: &Relation, other: &str) -> Result<Vec<String>> {
    links::related_to(conn, &relation.reversed(), other)
}

/// Removes every link of a deleted row (the `onDelete` rules ran before).
pub(in crate::backend::embedded) fn delete_links_of(
    conn: &Session,
    relations: &[Relation],
    row_id: &str,
) -> Result<()> {
    for relation in relations {
        links::unlink_row(conn, relation, row_id)?;
    }
    Ok(())
}
