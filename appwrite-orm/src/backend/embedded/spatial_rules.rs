//! The column and index rules that concern spatial columns, as Appwrite 1.9.6 on MariaDB
//! applies them (`…/Attributes/Action.php`, utopia-php/database `Database::createAttribute`,
//! `updateAttribute` and `Validator/Index.php`). The rules themselves are pure
//! ([`crate::spatial::check_geometry`], [`crate::schema::spatial_index_problem`]); this module
//! words their failures as the engine answers them and looks at the stored rows where a rule
//! depends on them.

use rusqlite::{Connection, OptionalExtension};

use super::catalog::TableMeta;
use super::errors;
use crate::Result;
use crate::api::types;
use crate::schema::{ColumnSchema, IndexKind, IndexSchema, spatial_index_problem};
use crate::spatial::check_geometry;

/// A spatial column's own settings: no array (the routes take no `array`), and a `default`
/// that Appwrite's spatial validator accepts (checked as the route's parameter, so before the
/// column rules).
pub(super) fn check_column(column: &ColumnSchema) -> Result<()> {
    let Some(ty) = column.kind.spatial_type() else {
        return Ok(());
    };
    if column.array {
        return errors::argument("array", "Spatial columns cannot be arrays");
    }
    match column.default.as_ref().filter(|d| !d.is_null()) {
        Some(default) => check_geometry(ty, default)
            .map(drop)
            .or_else(|description| errors::argument("default", description)),
        None => Ok(()),
    }
}

/// MariaDB's spatial indexes take no nulls, so Appwrite refuses a new required spatial column
/// on a table that has rows (their value would be null).
pub(super) fn check_new_column_rows(
    conn: &Connection,
    meta: &TableMeta,
    column: &ColumnSchema,
) -> Result<()> {
    if !column.kind.is_spatial() || !column.required {
        return Ok(());
    }
    let any: Option<i64> = conn
        .query_row(
            &format!("SELECT 1 FROM {} LIMIT 1", meta.sql_table()),
            [],
            |r| r.get(0),
        )
        .optional()?;
    if any.is_none() {
        return Ok(());
    }
    errors::err(
        400,
        types::ROW_INVALID_STRUCTURE,
        "Failed to add required spatial column: existing rows present. Make the column optional.",
    )
}

/// A spatial index covers exactly one required spatial column; other indexes cover none.
pub(super) fn check_index(meta: &TableMeta, index: &IndexSchema) -> Result<()> {
    let find = |key: &str| {
        meta.table
            .columns
            .iter()
            .map(|c| &c.schema)
            .find(|c| c.key == key)
    };
    match spatial_index_problem(index, find) {
        Some(problem) => errors::err(400, types::COLUMN_INDEX_INVALID, problem),
        None => Ok(()),
    }
}

/// A spatial column in a spatial index cannot become optional.
pub(super) fn check_update(meta: &TableMeta, next: &ColumnSchema, key: &str) -> Result<()> {
    if !next.kind.is_spatial() || next.required {
        return Ok(());
    }
    let indexed =
        meta.table.indexes.iter().any(|i| {
            i.schema.kind == IndexKind::Spatial && i.schema.columns.iter().any(|c| c == key)
        });
    if !indexed {
        return Ok(());
    }
    errors::err(
        400,
        types::COLUMN_INDEX_INVALID,
        format!(
            "Spatial indexes do not allow null values. Mark the attribute \"{key}\" as required or create the index on a column with no null values."
        ),
    )
}
