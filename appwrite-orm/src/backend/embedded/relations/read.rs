//! Reading relationships: what a `select` loads, and filters on relationship columns.

use std::collections::{BTreeMap, HashMap};

use rusqlite::types::Value as SqlValue;
use serde_json::Value;

use super::super::catalog::{Session, TableMeta};
use super::super::{errors, select};
use super::{MAX_DEPTH, Relation, links};
use crate::Result;
use crate::backend::Row;
use crate::query::Query;

/// What a `select` asks of a table: its plain attributes (`None`: no select, everything
/// plain) and, per relationship key, what to load of the related rows (`author.*`,
/// `author.name`, `author.books.*`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(in crate::backend::embedded) struct Selection {
    plain: Option<Vec<String>>,
    nested: BTreeMap<String, Selection>,
    /// Every relationship loaded, at every level: what a write answers.
    everything: bool,
}

impl Selection {
    /// The selection of a `select` query's values (`None`: no select).
    pub fn parse(select: Option<&[String]>) -> Self {
        let Some(values) = select else {
            return Self::default();
        };
        let mut out = Self {
            plain: Some(Vec::new()),
            ..Self::default()
        };
        for value in values {
            out.add(value);
        }
        out
    }

    fn add(&mut self, value: &str) {
        match value.split_once('.') {
            None => self
                .plain
                .get_or_insert_with(Vec::new)
                .push(value.to_owned()),
            Some((key, rest)) => self
                .nested
                .entry(key.to_owned())
                .or_insert_with(|| Self {
                    plain: Some(Vec::new()),
                    ..Self::default()
                })
                .add(rest),
        }
    }

    /// The selection loading every relationship, level by level down to the depth limit: what
    /// a write answers. Appwrite's single-row writes (utopia-php/database `createDocument`,
    /// `updateDocument`, `upsertDocuments`) populate relationships with no selection, which
    /// loads them all; only its reads without a select skip them.
    pub fn everything() -> Self {
        Self {
            everything: true,
            ..Self::default()
        }
    }

    /// What to load of the rows related through `key`, when they are to be loaded.
    fn nested(&self, key: &str) -> Option<&Self> {
        if self.everything {
            Some(self)
        } else {
            self.nested.get(key)
        }
    }

    /// The plain attributes as `select` values for the row reader (`None`: all of them).
    pub fn plain(&self) -> Option<&[String]> {
        self.plain.as_deref()
    }

    fn names(&self, key: &str) -> bool {
        self.plain
            .as_ref()
            .is_none_or(|keys| keys.iter().any(|k| k == "*" || k == key))
    }

    /// Refuses nested selections of keys that are not relationship columns, as Appwrite does.
    pub fn check(&self, meta: &TableMeta) -> Result<()> {
        let unknown: Vec<&str> = self
            .nested
            .keys()
            .map(String::as_str)
            .filter(|k| meta.relation(k).is_none())
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(errors::query_invalid(format!(
                "Cannot select attributes: {}",
                unknown.join(", ")
            )))
        }
    }
}

/// Adds the relationship values `selection` asks for to `rows` of `meta`: loaded related rows
/// for nested selections, the related id on to-one sides otherwise (Appwrite reads it from the
/// stored column); to-many sides not selected are left out.
pub(in crate::backend::embedded) fn populate(
    conn: &Session,
    meta: &TableMeta,
    rows: &mut [Row],
    selection: &Selection,
    depth: usize,
) -> Result<()> {
    populate_level(conn, meta, rows, selection, depth, None)
}

/// [`populate`] for rows at `depth` (0: the rows asked for), reached through the relationship
/// whose key on `meta` is `back_reference` (never loaded: Appwrite skips the way back and
/// removes it from the related rows, see [`load_related`]).
///
/// As utopia-php/database's `populateDocumentsRelationships`: a relationship to load on rows
/// at the last level (`depth + 1 >= MAX_DEPTH`) is removed rather than loaded, so related rows
/// are loaded at most two levels down.
fn populate_level(
    conn: &Session,
    meta: &TableMeta,
    rows: &mut [Row],
    selection: &Selection,
    depth: usize,
    back_reference: Option<&str>,
) -> Result<()> {
    if meta.relations.is_empty() || rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id().to_owned()).collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    for column in &meta.relations {
        if back_reference == Some(column.key.as_str()) {
            continue;
        }
        let nested = selection.nested(&column.key);
        let plain = nested.is_none() && selection.names(&column.key);
        let at_depth_limit = depth + 1 >= MAX_DEPTH;
        if (nested.is_some() && at_depth_limit)
            || (nested.is_none() && (!plain || column_to_many(column)))
        {
            continue;
        }
        let relation = Relation::of(conn, meta, column)?;
        let related = links::related_ids(conn, &relation, &id_refs)?;
        let loaded = match nested {
            Some(sub) => Some(load_related(conn, &relation, &related, sub, depth + 1)?),
            None => None,
        };
        for row in rows.iter_mut() {
            let linked = related.get(row.id()).map(Vec::as_slice).unwrap_or_default();
            let value = match &loaded {
                Some(by_id) => {
                    let found: Vec<Value> = linked
                        .iter()
                        .filter_map(|id| by_id.get(id).cloned())
                        .collect();
                    if relation.to_many() {
                        Value::Array(found)
                    } else {
                        found.into_iter().next().unwrap_or(Value::Null)
                    }
                }
                None => linked
                    .first()
                    .map_or(Value::Null, |id| Value::String(id.clone())),
            };
            row.0.insert(column.key.clone(), value);
        }
    }
    Ok(())
}

fn column_to_many(column: &crate::schema::ColumnSchema) -> bool {
    matches!(&column.kind, crate::schema::ColumnKind::Relationship(rel) if rel.is_to_many())
}

/// The related rows of a relationship, read once for a whole page, by id, at `depth`.
///
/// A two-way relationship's twin is left out of the related rows: it would only point back at
/// the rows they were loaded for, and Appwrite removes it to keep answers free of cycles.
fn load_related(
    conn: &Session,
    relation: &Relation,
    related: &HashMap<String, Vec<String>>,
    sub: &Selection,
    depth: usize,
) -> Result<HashMap<String, Value>> {
    let mut wanted: Vec<&str> = related.values().flatten().map(String::as_str).collect();
    wanted.sort_unstable();
    wanted.dedup();
    sub.check(&relation.related)?;
    let mut rows = select::get_by_ids(conn, &relation.related, &wanted, sub.plain())?;
    let twin = relation
        .rel
        .two_way_key
        .as_deref()
        .filter(|_| relation.rel.two_way);
    populate_level(conn, &relation.related, &mut rows, sub, depth, twin)?;
    Ok(rows
        .into_iter()
        .map(|mut row| {
            if let Some(twin) = twin {
                row.0.remove(twin);
            }
            (row.id().to_owned(), Value::Object(row.0))
        })
        .collect())
}

/// The SQL condition of a filter on a relationship column (`equal`, `notEqual`, `isNull`,
/// `isNotNull` on the related ids) or through one (`author.name`), as an uncorrelated
/// `_uid IN (…)` so that it nests at any depth.
pub(in crate::backend::embedded) fn relation_filter(
    conn: &Session,
    meta: &TableMeta,
    attribute: &str,
    query: &Query,
    params: &mut Vec<SqlValue>,
) -> Result<Option<String>> {
    let (key, rest) = match attribute.split_once('.') {
        Some((key, rest)) => (key, Some(rest)),
        None => (attribute, None),
    };
    let Some(column) = meta.relation(key) else {
        return Ok(None);
    };
    let relation = Relation::of(conn, meta, column)?;
    let (this, other) = (relation.this_end(), relation.other_end());
    let links_of = |params: &mut Vec<SqlValue>| {
        params.push(SqlValue::Text(relation.link.clone()));
        format!("SELECT {this} FROM aw_links WHERE _rel = ?")
    };
    if let Some(rest) = rest {
        let inner = retarget(query, rest)?;
        let mut inner_params = Vec::new();
        let condition = select::filter_sql(conn, &relation.related, &inner, &mut inner_params)?;
        params.push(SqlValue::Text(relation.link.clone()));
        params.extend(inner_params);
        return Ok(Some(format!(
            "_uid IN (SELECT l.{this} FROM aw_links l JOIN {table} ON {table}._uid = l.{other}
                      WHERE l._rel = ? AND ({condition}))",
            table = relation.related.sql_table(),
        )));
    }
    let ids = |values: &[Value], params: &mut Vec<SqlValue>| -> Result<String> {
        let mut marks = Vec::with_capacity(values.len());
        for v in values {
            let Some(id) = v.as_str() else {
                return Err(errors::query_invalid(format!(
                    "Query value is invalid for attribute \"{key}\""
                )));
            };
            params.push(SqlValue::Text(id.to_owned()));
            marks.push("?");
        }
        Ok(marks.join(","))
    };
    Ok(Some(match query {
        Query::IsNull { .. } => format!("_uid NOT IN ({})", links_of(params)),
        Query::IsNotNull { .. } => format!("_uid IN ({})", links_of(params)),
        Query::Equal { values, .. } => {
            let base = links_of(params);
            format!("_uid IN ({base} AND {other} IN ({}))", ids(values, params)?)
        }
        Query::NotEqual { value, .. } => {
            let any = links_of(params);
            let base = links_of(params);
            let marks = ids(std::slice::from_ref(value), params)?;
            format!("(_uid IN ({any}) AND _uid NOT IN ({base} AND {other} IN ({marks})))")
        }
        other_query => {
            return Err(errors::query_invalid(format!(
                "Cannot query {} on attribute \"{key}\" because it is a relationship.",
                other_query.method()
            )));
        }
    }))
}

/// The same filter on another attribute (the part of a dotted attribute after the
/// relationship key), through the wire form so that every filter method keeps its values.
fn retarget(query: &Query, attribute: &str) -> Result<Query> {
    let mut json = query.to_json();
    if let Some(obj) = json.as_object_mut() {
        obj.insert("attribute".into(), Value::String(attribute.to_owned()));
    }
    Query::from_json(&json).map_err(|e| errors::query_invalid(e.to_string()))
}
