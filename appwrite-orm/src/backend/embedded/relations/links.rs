//! The link store: one row per related pair, `(_rel, _parent, _child)`, where `_rel` names the
//! relationship by its parent column and `_parent`/`_child` are row ids of the parent and the
//! related table. Column names start with `_`, which no column key can, so that the store can
//! be joined with row tables without ambiguity.

use std::collections::HashMap;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params, params_from_iter};

use super::Relation;
use crate::Result;

/// Creates the link store when it is missing.
pub(in crate::backend::embedded) fn init(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS aw_links (
             _rel TEXT NOT NULL, _parent TEXT NOT NULL, _child TEXT NOT NULL,
             PRIMARY KEY (_rel, _parent, _child));
         CREATE INDEX IF NOT EXISTS aw_links_child ON aw_links (_rel, _child);",
    )?;
    Ok(())
}

/// The ids related to each of `rows` (ids on this side), in link order.
pub(super) fn related_ids(
    conn: &Connection,
    relation: &Relation,
    rows: &[&str],
) -> Result<HashMap<String, Vec<String>>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for chunk in rows.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!(
            "SELECT {this}, {other} FROM aw_links WHERE _rel = ? AND {this} IN ({marks})
             ORDER BY rowid",
            this = relation.this_end(),
            other = relation.other_end(),
        );
        let mut params = vec![SqlValue::Text(relation.link.clone())];
        params.extend(chunk.iter().map(|id| SqlValue::Text((*id).to_owned())));
        let mut stmt = conn.prepare_cached(&sql)?;
        let pairs = stmt.query_map(params_from_iter(params.iter()), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        for pair in pairs {
            let (this, other) = pair?;
            out.entry(this).or_default().push(other);
        }
    }
    Ok(out)
}

/// The ids related to one row.
pub(super) fn related_to(conn: &Connection, relation: &Relation, row: &str) -> Result<Vec<String>> {
    Ok(related_ids(conn, relation, &[row])?
        .remove(row)
        .unwrap_or_default())
}

/// Links `row` (this side) with `other` (the related side).
pub(super) fn link(conn: &Connection, relation: &Relation, row: &str, other: &str) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT OR IGNORE INTO aw_links (_rel, {}, {}) VALUES (?1, ?2, ?3)",
        relation.this_end(),
        relation.other_end()
    ))?
    .execute(params![relation.link, row, other])?;
    Ok(())
}

/// Removes every link of `row` (this side).
pub(super) fn unlink_row(conn: &Connection, relation: &Relation, row: &str) -> Result<()> {
    conn.prepare_cached(&format!(
        "DELETE FROM aw_links WHERE _rel = ?1 AND {} = ?2",
        relation.this_end()
    ))?
    .execute(params![relation.link, row])?;
    Ok(())
}

/// Removes every link of the related row `other` (so that it can take a new partner).
pub(super) fn unlink_other(conn: &Connection, relation: &Relation, other: &str) -> Result<()> {
    conn.prepare_cached(&format!(
        "DELETE FROM aw_links WHERE _rel = ?1 AND {} = ?2",
        relation.other_end()
    ))?
    .execute(params![relation.link, other])?;
    Ok(())
}

/// Removes every pair of a relationship.
pub(super) fn drop_all(conn: &Connection, link: &str) -> Result<()> {
    conn.execute("DELETE FROM aw_links WHERE _rel = ?1", [link])?;
    Ok(())
}

/// Renames a relationship (its parent column got a new key).
pub(super) fn rename(conn: &Connection, old: &str, new: &str) -> Result<()> {
    conn.execute("UPDATE aw_links SET _rel = ?1 WHERE _rel = ?2", [new, old])?;
    Ok(())
}
