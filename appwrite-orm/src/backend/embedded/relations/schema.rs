//! Relationship columns as schema: creating one with its twin, changing `onDelete` or the key
//! on both sides, deleting the pair.

use rusqlite::params;

use super::super::catalog::{self, Session, TableMeta};
use super::super::{clock, ddl, errors};
use super::{link_key, links};
use crate::api::types;
use crate::backend::Live;
use crate::schema::{ColumnKind, ColumnSchema, RelationSide, RelationType, Relationship};
use crate::{Error, Result};

/// The relationship settings of a column.
fn settings(column: &ColumnSchema) -> Result<&Relationship> {
    match &column.kind {
        ColumnKind::Relationship(rel) => Ok(rel),
        _ => Err(Error::Internal(format!(
            "column {:?} is not a relationship",
            column.key
        ))),
    }
}

fn duplicate(key: &str) -> Error {
    Error::Appwrite(crate::api::AppwriteError::new(
        409,
        types::COLUMN_ALREADY_EXISTS,
        format!(
            "Column with the requested key '{key}' already exists. Try again with a different key."
        ),
    ))
}

/// Completes a new relationship column as Appwrite does (`twoWayKey` defaults to this table's
/// id; the column is the parent side) and makes Appwrite's checks against the relationships
/// the table has. Answers the column to add and, for a two-way relationship, its twin for the
/// related table.
pub(in crate::backend::embedded) fn create_relationship(
    conn: &Session,
    meta: &TableMeta,
    column: &ColumnSchema,
) -> Result<(ColumnSchema, Option<(i64, ColumnSchema)>)> {
    let rel = settings(column)?;
    errors::check_id("relatedTableId", &rel.related_table)?;
    let related = catalog::load_table(conn, &meta.table.database_id, &rel.related_table)?;
    let two_way_key_given = rel.two_way_key.is_some();
    let mut parent = column.clone();
    let mut settings = rel.clone();
    settings.side = RelationSide::Parent;
    let two_way_key = settings
        .two_way_key
        .get_or_insert_with(|| meta.table.id.clone())
        .clone();
    parent.kind = ColumnKind::Relationship(settings.clone());
    for existing in &meta.table.columns {
        let ColumnKind::Relationship(other) = &existing.schema.kind else {
            continue;
        };
        if existing.schema.key.eq_ignore_ascii_case(&column.key) {
            return Err(duplicate(&column.key));
        }
        let other_twin = other.two_way_key.as_deref().unwrap_or_default();
        if other_twin.eq_ignore_ascii_case(&two_way_key) && other.related_table == related.table.id
        {
            return Err(duplicate(if two_way_key_given {
                &two_way_key
            } else {
                &column.key
            }));
        }
        if settings.relation_type == RelationType::ManyToMany
            && other.relation_type == RelationType::ManyToMany
            && other.related_table == related.table.id
        {
            return Err(Error::Appwrite(crate::api::AppwriteError::new(
                409,
                types::COLUMN_ALREADY_EXISTS,
                "Creating more than one \"manyToMany\" relationship on the same table is currently not permitted.",
            )));
        }
    }
    if !settings.two_way {
        return Ok((parent, None));
    }
    if related
        .table
        .columns
        .iter()
        .any(|c| c.schema.key.eq_ignore_ascii_case(&two_way_key))
        || (related.seq == meta.seq && two_way_key.eq_ignore_ascii_case(&column.key))
    {
        return Err(duplicate(&two_way_key));
    }
    let twin = ColumnSchema {
        kind: ColumnKind::Relationship(Relationship {
            related_table: meta.table.id.clone(),
            relation_type: settings.relation_type,
            two_way: true,
            two_way_key: Some(column.key.clone()),
            on_delete: settings.on_delete,
            side: RelationSide::Child,
        }),
        ..ColumnSchema::new(two_way_key, ColumnKind::Boolean)
    };
    Ok((parent, Some((related.seq, twin))))
}

/// The other side of a two-way relationship column: the related table's seq and the twin's
/// key, when the twin exists.
fn twin_of(
    conn: &Session,
    meta: &TableMeta,
    column: &ColumnSchema,
) -> Result<Option<(i64, String)>> {
    let rel = settings(column)?;
    if !rel.two_way {
        return Ok(None);
    }
    let related = match catalog::load_table(conn, &meta.table.database_id, &rel.related_table) {
        Ok(related) => related,
        // The related table is being deleted with its relationships.
        Err(_) => return Ok(None),
    };
    let key = rel.two_way_key.clone().unwrap_or_default();
    let exists = related.table.columns.iter().any(|c| c.schema.key == key);
    Ok(exists.then_some((related.seq, key)))
}

/// Starts deleting a relationship column and its twin; their links go at once.
pub(in crate::backend::embedded) fn drop_relationship(
    conn: &Session,
    meta: &TableMeta,
    column: &Live<ColumnSchema>,
    delay_ms: i64,
) -> Result<()> {
    let link = match settings(&column.schema)?.side {
        RelationSide::Parent => link_key(meta.seq, &column.schema.key),
        RelationSide::Child => {
            let rel = settings(&column.schema)?;
            let parent_seq = catalog::load_table(conn, &meta.table.database_id, &rel.related_table)
                .map(|t| t.seq)
                .unwrap_or(meta.seq);
            link_key(parent_seq, rel.two_way_key.as_deref().unwrap_or_default())
        }
    };
    links::drop_all(conn, &link)?;
    let twin = twin_of(conn, meta, &column.schema)?;
    ddl::mark_deleting(conn, "aw_columns", meta.seq, &column.schema.key, delay_ms)?;
    if let Some((seq, key)) = twin {
        ddl::mark_deleting(conn, "aw_columns", seq, &key, delay_ms)?;
    }
    Ok(())
}

/// Deletes the relationships of a table that is being deleted: their twins on other tables
/// go at once, with every link of the table's relationships.
pub(in crate::backend::embedded) fn delete_relationships_of(
    conn: &Session,
    meta: &TableMeta,
) -> Result<()> {
    for column in &meta.table.columns {
        let ColumnKind::Relationship(rel) = &column.schema.kind else {
            continue;
        };
        let parent_seq_key = match rel.side {
            RelationSide::Parent => Some(link_key(meta.seq, &column.schema.key)),
            RelationSide::Child => {
                catalog::load_table(conn, &meta.table.database_id, &rel.related_table)
                    .ok()
                    .map(|t| link_key(t.seq, rel.two_way_key.as_deref().unwrap_or_default()))
            }
        };
        if let Some(link) = parent_seq_key {
            links::drop_all(conn, &link)?;
        }
        if let Some((seq, key)) = twin_of(conn, meta, &column.schema)?
            && seq != meta.seq
        {
            remove_column(conn, seq, &key)?;
        }
    }
    conn.invalidate();
    Ok(())
}

/// Removes a twin column whose table stays: its catalog entry and its (unused) SQL column.
fn remove_column(conn: &Session, seq: i64, key: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM aw_columns WHERE table_seq = ?1 AND key = ?2",
        params![seq, key],
    )?;
    conn.execute_batch(&format!(
        "ALTER TABLE {} DROP COLUMN {}",
        catalog::sql_table(seq),
        catalog::quote(key)
    ))?;
    Ok(())
}

/// `PATCH …/columns/{key}/relationship`: a new `onDelete` and/or key, on both sides.
pub(in crate::backend::embedded) fn update_relationship(
    conn: &Session,
    meta: &TableMeta,
    current: &ColumnSchema,
    desired: &ColumnSchema,
) -> Result<()> {
    let (ColumnKind::Relationship(old), ColumnKind::Relationship(new)) =
        (&current.kind, &desired.kind)
    else {
        return errors::err(
            400,
            types::COLUMN_TYPE_INVALID,
            format!("Column \"{}\" is not a relationship column.", current.key),
        );
    };
    let renamed = desired.key != current.key;
    if renamed {
        if let Err(reason) = crate::schema::check_key(&desired.key) {
            return errors::argument("newKey", reason);
        }
        if meta
            .table
            .columns
            .iter()
            .any(|c| c.schema.key.eq_ignore_ascii_case(&desired.key))
        {
            return Err(duplicate(&desired.key));
        }
    }
    let mut next = old.clone();
    next.on_delete = new.on_delete;
    let twin = twin_of(conn, meta, current)?;
    store(conn, meta.seq, &current.key, &desired.key, &next)?;
    if renamed {
        catalog_rename(conn, meta.seq, &current.key, &desired.key)?;
        if old.side == RelationSide::Parent {
            links::rename(
                conn,
                &link_key(meta.seq, &current.key),
                &link_key(meta.seq, &desired.key),
            )?;
        }
    }
    if let Some((seq, key)) = twin {
        let related = catalog::load_table_by_seq(conn, seq)?;
        if let Some(column) = related.table.columns.iter().find(|c| c.schema.key == key)
            && let ColumnKind::Relationship(twin_rel) = &column.schema.kind
        {
            let mut twin_next = twin_rel.clone();
            twin_next.on_delete = new.on_delete;
            twin_next.two_way_key = Some(desired.key.clone());
            store(conn, seq, &key, &key, &twin_next)?;
        }
    }
    conn.invalidate();
    Ok(())
}

/// Writes a relationship column's settings (and key) to the catalog.
fn store(conn: &Session, seq: i64, key: &str, new_key: &str, rel: &Relationship) -> Result<()> {
    let stored: String = conn.query_row(
        "SELECT schema FROM aw_columns WHERE table_seq = ?1 AND key = ?2",
        params![seq, key],
        |r| r.get(0),
    )?;
    let mut schema: ColumnSchema = serde_json::from_str(&stored)?;
    schema.key = new_key.to_owned();
    schema.kind = ColumnKind::Relationship(rel.clone());
    conn.execute(
        "UPDATE aw_columns SET key = ?1, schema = ?2, updated_at = ?3
         WHERE table_seq = ?4 AND key = ?5",
        params![
            new_key,
            serde_json::to_string(&schema)?,
            clock::now(),
            seq,
            key
        ],
    )?;
    Ok(())
}

/// Renames the (unused) SQL column of a renamed relationship column.
fn catalog_rename(conn: &Session, seq: i64, old: &str, new: &str) -> Result<()> {
    conn.execute_batch(&format!(
        "ALTER TABLE {} RENAME COLUMN {} TO {}",
        catalog::sql_table(seq),
        catalog::quote(old),
        catalog::quote(new)
    ))?;
    Ok(())
}
