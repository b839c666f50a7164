//! Schema changes: databases, tables, columns and indexes, with the checks Appwrite makes before
//! it accepts them (ids, limits, defaults, index rules).

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use std::sync::Arc;

use super::catalog::{self, Session, TableMeta, quote, sql_index, sql_table};
use super::{clock, errors, relations, spatial_rules};
use crate::Result;
use crate::api::types;
use crate::backend::{Column, ColumnStatus, Database, Index, Live, Table, TableUpdate};
use crate::schema::{
    ColumnKind, ColumnSchema, IndexKind, IndexSchema, TableSchema, column_width, index_length,
    limits, model_type, value,
};

fn fail<T>(code: u16, error_type: &str, message: impl Into<String>) -> Result<T> {
    errors::err(code, error_type, message)
}

fn check_name(param: &str, name: &str) -> Result<()> {
    let n = name.chars().count();
    if n == 0 || n > limits::MAX_NAME_LEN {
        return errors::argument(
            param,
            "Value must be a valid string and at least 1 chars and no longer than 128 chars",
        );
    }
    Ok(())
}

// --- databases ----------------------------------------------------------------------------------

pub(super) fn create_database(conn: &Connection, id: &str, name: &str) -> Result<Database> {
    errors::check_custom_id("databaseId", id)?;
    check_name("name", name)?;
    let id = if id == crate::backend::UNIQUE_ID {
        clock::unique_id()
    } else {
        id.to_owned()
    };
    let now = clock::now();
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO aw_databases (id, name, enabled, created_at, updated_at)
         VALUES (?1, ?2, 1, ?3, ?3)",
        params![id, name, now],
    )?;
    if inserted == 0 {
        return fail(
            409,
            types::DATABASE_ALREADY_EXISTS,
            "Database already exists",
        );
    }
    catalog::get_database(conn, &id)
}

pub(super) fn delete_database(conn: &Connection, id: &str) -> Result<()> {
    errors::check_id("databaseId", id)?;
    catalog::get_database(conn, id)?;
    for seq in catalog::table_seqs(conn, id)? {
        drop_table(conn, seq)?;
    }
    conn.execute("DELETE FROM aw_databases WHERE id = ?1", [id])?;
    Ok(())
}

// --- tables -------------------------------------------------------------------------------------

/// Creates a table with its inline columns and indexes (available at once, as in 1.9).
pub(super) fn create_table(
    conn: &Connection,
    database: &str,
    schema: &TableSchema,
) -> Result<Table> {
    errors::check_id("databaseId", database)?;
    errors::check_custom_id("tableId", &schema.id)?;
    check_name("name", &schema.name)?;
    for (param, count) in [
        ("columns", schema.columns.len()),
        ("indexes", schema.indexes.len()),
    ] {
        if count > limits::MAX_BATCH {
            return errors::argument(param, "Value must a valid array no longer than 100 items");
        }
    }
    catalog::get_database(conn, database)?;
    let id = if schema.id == crate::backend::UNIQUE_ID {
        clock::unique_id()
    } else {
        schema.id.clone()
    };
    let permissions = super::write::normalize_table_permissions(&schema.permissions)?;
    let now = clock::now();
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO aw_tables (database_id, id, name, permissions, row_security, enabled,
                                          created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)",
        params![
            database,
            id,
            schema.name,
            serde_json::to_string(&permissions)?,
            schema.row_security,
            now
        ],
    )?;
    if inserted == 0 {
        return fail(
            409,
            types::TABLE_ALREADY_EXISTS,
            "A table with the requested ID already exists.",
        );
    }
    let seq = conn.last_insert_rowid();
    conn.execute_batch(&format!(
        "CREATE TABLE {} (
             _seq INTEGER PRIMARY KEY AUTOINCREMENT,
             _uid TEXT NOT NULL UNIQUE,
             _createdAt TEXT NOT NULL,
             _updatedAt TEXT NOT NULL,
             _permissions TEXT NOT NULL);
         CREATE INDEX {} ON {} (_createdAt);
         CREATE INDEX {} ON {} (_updatedAt);",
        sql_table(seq),
        sql_index(seq, "_createdAt"),
        sql_table(seq),
        sql_index(seq, "_updatedAt"),
        sql_table(seq),
    ))?;
    for column in &schema.columns {
        if matches!(column.kind, ColumnKind::Relationship(_)) {
            return errors::argument("columns", "Relationship columns cannot be created inline");
        }
        add_column(conn, seq, column, ColumnStatus::Available, 0)?;
    }
    for index in &schema.indexes {
        add_index(conn, seq, index, 0, true)?;
    }
    Ok(catalog::load_table_by_seq(conn, seq)?.to_table())
}

pub(super) fn update_table(
    conn: &Session,
    database: &str,
    table: &str,
    update: &TableUpdate,
) -> Result<Table> {
    let meta = load(conn, database, table)?;
    if let Some(name) = &update.name {
        check_name("name", name)?;
    }
    let permissions = match &update.permissions {
        Some(p) => super::write::normalize_table_permissions(p)?,
        None => meta.table.permissions.clone(),
    };
    conn.execute(
        "UPDATE aw_tables SET name = ?1, permissions = ?2, row_security = ?3, enabled = ?4,
                              updated_at = ?5 WHERE seq = ?6",
        params![
            update.name.as_deref().unwrap_or(&meta.table.name),
            serde_json::to_string(&permissions)?,
            update.row_security,
            update.enabled,
            clock::now(),
            meta.seq
        ],
    )?;
    Ok(catalog::load_table_by_seq(conn, meta.seq)?.to_table())
}

pub(super) fn delete_table(conn: &Session, database: &str, table: &str) -> Result<()> {
    let meta = load(conn, database, table)?;
    relations::delete_relationships_of(conn, &meta)?;
    drop_table(conn, meta.seq)
}

fn drop_table(conn: &Connection, seq: i64) -> Result<()> {
    conn.execute_batch(&format!("DROP TABLE IF EXISTS {}", sql_table(seq)))?;
    conn.execute(
        "DELETE FROM aw_links WHERE _rel LIKE ?1",
        [format!("{seq}:%")],
    )?;
    conn.execute("DELETE FROM aw_columns WHERE table_seq = ?1", [seq])?;
    conn.execute("DELETE FROM aw_indexes WHERE table_seq = ?1", [seq])?;
    conn.execute("DELETE FROM aw_tables WHERE seq = ?1", [seq])?;
    Ok(())
}

/// Loads a table after checking the ids that address it.
pub(super) fn load(conn: &Session, database: &str, table: &str) -> Result<Arc<TableMeta>> {
    errors::check_id("databaseId", database)?;
    errors::check_id("tableId", table)?;
    catalog::load_table(conn, database, table)
}

// --- columns ------------------------------------------------------------------------------------

/// Appwrite's create routes refuse an encrypted varchar or string under the minimum size (an
/// update may shrink it later: that route does not check it).
fn check_encrypt_size(column: &ColumnSchema) -> Result<()> {
    match column.kind {
        ColumnKind::Varchar { size } | ColumnKind::String { size }
            if column.encrypt && size < limits::MIN_ENCRYPTED_SIZE =>
        {
            fail(
                400,
                types::GENERAL_BAD_REQUEST,
                crate::schema::encrypted_size_message(),
            )
        }
        _ => Ok(()),
    }
}

/// The checks Appwrite makes on a column's own settings before accepting it.
fn check_column_settings(column: &ColumnSchema) -> Result<()> {
    if let Err(reason) = crate::schema::check_key(&column.key) {
        return errors::argument("key", reason);
    }
    match &column.kind {
        // Appwrite would not find a route for the type; the engine stores no such column.
        ColumnKind::Opaque { type_name, .. } => {
            return errors::argument(
                "type",
                format!("Columns of type {type_name:?} are not supported by this library"),
            );
        }
        ColumnKind::Varchar { size } if !(1..=limits::MAX_VARCHAR_SIZE).contains(size) => {
            return errors::argument("size", "Value must be a valid range between 1 and 16,381");
        }
        ColumnKind::String { size } if !(1..=limits::MAX_STRING_SIZE).contains(size) => {
            return errors::argument(
                "size",
                "Value must be a valid range between 1 and 1,073,741,824",
            );
        }
        ColumnKind::Enum { elements } => {
            if elements.is_empty() || elements.len() > limits::MAX_ENUM_ELEMENTS {
                return errors::argument(
                    "elements",
                    "Value must a valid array no longer than 100 items and at least 1 item",
                );
            }
            if let Some(bad) = elements
                .iter()
                .find(|e| e.is_empty() || e.chars().count() > limits::MAX_ENUM_ELEMENT_LEN)
            {
                return errors::argument(
                    "elements",
                    format!("Element {bad:?} must be between 1 and 255 chars"),
                );
            }
        }
        ColumnKind::Integer { min, max } | ColumnKind::BigInt { min, max } => {
            check_bounds(min, max)?;
        }
        ColumnKind::Float { min, max } => check_bounds(min, max)?,
        _ => {}
    }
    spatial_rules::check_column(column)?;
    if let Some(default) = column.default.as_ref().filter(|d| !d.is_null()) {
        check_default_param(column, default)?;
        if column.required {
            return fail(
                400,
                types::COLUMN_DEFAULT_UNSUPPORTED,
                "Cannot set default value for required column",
            );
        }
        if column.array {
            return fail(
                400,
                types::COLUMN_DEFAULT_UNSUPPORTED,
                "Cannot set default value for array columns",
            );
        }
        if let Err(message) = value::check_value(column, default) {
            return fail(400, types::COLUMN_VALUE_INVALID, message);
        }
    }
    Ok(())
}

/// The type check of the `default` request parameter, which Appwrite makes before any column
/// rule: each create route declares the JSON type its default takes.
/// Refuses a minimum above the maximum.
fn check_bounds<T: PartialOrd>(min: &Option<T>, max: &Option<T>) -> Result<()> {
    match (min, max) {
        (Some(min), Some(max)) if min > max => fail(
            400,
            types::COLUMN_VALUE_INVALID,
            "Minimum value must be lesser than maximum value",
        ),
        _ => Ok(()),
    }
}

fn check_default_param(column: &ColumnSchema, default: &Value) -> Result<()> {
    let (fits, description) = match &column.kind {
        ColumnKind::Integer { .. } | ColumnKind::BigInt { .. } => {
            (default.is_i64(), "Value must be a valid integer")
        }
        ColumnKind::Float { .. } => (default.is_number(), "Value must be a valid float"),
        ColumnKind::Boolean => (default.is_boolean(), "Value must be a valid boolean"),
        ColumnKind::Relationship(_) => (false, "Relationship columns take no default"),
        // Checked, with the spatial validator's own message, by `spatial_rules::check_column`.
        ColumnKind::Point | ColumnKind::Line | ColumnKind::Polygon => (true, ""),
        _ => (default.is_string(), "Value must be a valid string"),
    };
    if fits {
        Ok(())
    } else {
        errors::argument("default", description)
    }
}

/// Validates and records a column, and adds its SQL column.
fn add_column(
    conn: &Connection,
    seq: i64,
    column: &ColumnSchema,
    status: ColumnStatus,
    delay_ms: i64,
) -> Result<Column> {
    check_column_settings(column)?;
    check_encrypt_size(column)?;
    let meta = catalog::load_table_by_seq(conn, seq)?;
    spatial_rules::check_new_column_rows(conn, &meta, column)?;
    refuse_taken(&meta.table.columns, |c| &c.key, &column.key, "Column")?;
    let width: u64 = limits::BASE_ROW_WIDTH
        + meta
            .table
            .columns
            .iter()
            .map(|c| column_width(&c.schema))
            .sum::<u64>()
        + column_width(column);
    if meta.table.columns.len() >= limits::MAX_COLUMNS || width >= limits::MAX_ROW_WIDTH {
        return fail(
            400,
            types::COLUMN_LIMIT_EXCEEDED,
            "The maximum number or size of columns for this table has been reached.",
        );
    }
    let mut stored = column.clone();
    // Migration metadata: Appwrite never receives it, so the engine does not keep it either.
    stored.renamed_from = None;
    // Only the text routes take `encrypt`; the others ignore it as an unknown parameter.
    stored.encrypt = column.encrypt && column.kind.can_encrypt();
    if let Some(default) = &column.default {
        stored.default = stored_default(column, default);
    }
    conn.execute_batch(&format!(
        "ALTER TABLE {} ADD COLUMN {} {}",
        sql_table(seq),
        quote(&column.key),
        catalog::sql_type(column)
    ))?;
    let at = catalog::Placement::new(seq, status, delay_ms);
    catalog::insert_live(conn, "aw_columns", at, &stored.key, &stored, "")
}

/// A column's default as Appwrite keeps it: spatial ones as they were sent (rows get them
/// normalised), a float column's as a float (its create and update routes take `?float
/// $default`, so `3` is kept and answered as `3.0`), the others as the value rules normalise
/// them (dates in UTC).
fn stored_default(column: &ColumnSchema, default: &Value) -> Option<Value> {
    match default {
        Value::Null => None,
        d if column.kind.is_spatial() => Some(d.clone()),
        Value::Number(n) if matches!(column.kind, ColumnKind::Float { .. }) && !column.array => {
            Some(n.as_f64().map_or_else(|| default.clone(), Value::from))
        }
        d => Some(value::check_value(column, d).unwrap_or_else(|_| d.clone())),
    }
}

pub(super) fn create_column(
    conn: &Session,
    meta: &TableMeta,
    column: &ColumnSchema,
    delay_ms: i64,
) -> Result<Column> {
    if !matches!(column.kind, ColumnKind::Relationship(_)) {
        return add_column(conn, meta.seq, column, ColumnStatus::Processing, delay_ms);
    }
    let (parent, twin) = relations::create_relationship(conn, meta, column)?;
    let created = add_column(conn, meta.seq, &parent, ColumnStatus::Processing, delay_ms)?;
    if let Some((seq, twin)) = twin {
        add_column(conn, seq, &twin, ColumnStatus::Processing, delay_ms)?;
    }
    Ok(created)
}

pub(super) fn get_column(meta: &TableMeta, key: &str) -> Result<Column> {
    let column = find_live(&meta.table.columns, key, |c| &c.key);
    column.cloned().ok_or_else(errors::column_not_found)
}

/// The live column or index with `key` among `items`.
fn find_live<'a, S>(
    items: &'a [Live<S>],
    key: &str,
    key_of: impl Fn(&S) -> &String,
) -> Option<&'a Live<S>> {
    items.iter().find(|item| key_of(&item.schema) == key)
}

/// Refuses a new column or index (`what`) whose key a live one has already, ignoring case as
/// MariaDB's collation does.
fn refuse_taken<S>(
    live: &[Live<S>],
    key_of: impl Fn(&S) -> &String,
    key: &str,
    what: &str,
) -> Result<()> {
    if !live
        .iter()
        .any(|l| key_of(&l.schema).eq_ignore_ascii_case(key))
    {
        return Ok(());
    }
    let error_type = match what {
        "Column" => types::COLUMN_ALREADY_EXISTS,
        _ => types::COLUMN_INDEX_ALREADY_EXISTS,
    };
    fail(
        409,
        error_type,
        format!("{what} with the requested key already exists."),
    )
}

/// Starts deleting a column or index (`catalog`: `aw_columns` or `aw_indexes`): it stays
/// `deleting` for `delay_ms`, as Appwrite's worker takes its time.
pub(super) fn mark_deleting(
    conn: &Connection,
    catalog: &str,
    table_seq: i64,
    key: &str,
    delay_ms: i64,
) -> Result<()> {
    conn.execute(
        &format!(
            "UPDATE {catalog} SET status = 'deleting', ready_at = ?1, updated_at = ?2
             WHERE table_seq = ?3 AND key = ?4"
        ),
        params![clock::now_ms() + delay_ms, clock::now(), table_seq, key],
    )?;
    Ok(())
}

/// Changes a column in place. Bounds left `None` keep their current value, as Appwrite merges
/// omitted `min`/`max` with the stored ones.
pub(super) fn update_column(
    conn: &Session,
    meta: &TableMeta,
    key: &str,
    desired: &ColumnSchema,
) -> Result<Column> {
    let current =
        find_live(&meta.table.columns, key, |c| &c.key).ok_or_else(errors::column_not_found)?;
    if current.status != ColumnStatus::Available {
        return fail(
            400,
            types::COLUMN_NOT_AVAILABLE,
            "The requested column is not yet available. Please try again later.",
        );
    }
    let old = &current.schema;
    check_same_type(key, old, desired)?;
    if matches!(old.kind, ColumnKind::Relationship(_)) {
        relations::update_relationship(conn, meta, old, desired)?;
        return get_column(
            &*load(conn, &meta.table.database_id, &meta.table.id)?,
            &desired.key,
        );
    }
    let mut next = desired.clone();
    next.key = old.key.clone();
    next.since = old.since;
    next.renamed_from = None;
    // The update routes take no `encrypt`: the flag stays what the column was created with.
    next.encrypt = old.encrypt;
    next.kind = merge_bounds(&old.kind, &desired.kind);
    next.default = desired
        .default
        .as_ref()
        .and_then(|d| stored_default(&next, d));
    check_column_settings(&next)?;
    spatial_rules::check_update(meta, &next, key)?;
    check_resize(conn, meta, key, old, &next)?;
    if desired.key != key {
        if let Err(reason) = crate::schema::check_key(&desired.key) {
            return errors::argument("newKey", reason);
        }
        refuse_taken(&meta.table.columns, |c| &c.key, &desired.key, "Column")?;
        conn.execute_batch(&format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            meta.sql_table(),
            quote(key),
            quote(&desired.key)
        ))?;
        rename_in_indexes(conn, meta, key, &desired.key)?;
        next.key = desired.key.clone();
    }
    conn.execute(
        "UPDATE aw_columns SET key = ?1, schema = ?2, updated_at = ?3
         WHERE table_seq = ?4 AND key = ?5",
        params![
            next.key,
            serde_json::to_string(&next)?,
            clock::now(),
            meta.seq,
            key
        ],
    )?;
    // The cached metadata still describes the column as it was.
    conn.invalidate();
    get_column(
        &*load(conn, &meta.table.database_id, &meta.table.id)?,
        &next.key,
    )
}

/// Refuses an update that would change a column's type or array flag: Appwrite changes
/// neither in place.
fn check_same_type(key: &str, old: &ColumnSchema, desired: &ColumnSchema) -> Result<()> {
    if model_type(&old.kind) == model_type(&desired.kind)
        && old.kind.route_type() == desired.kind.route_type()
        && old.array == desired.array
    {
        return Ok(());
    }
    fail(
        400,
        types::COLUMN_TYPE_INVALID,
        format!(
            "Column \"{key}\" is of type {}{}; its type and array flag cannot change in place",
            old.kind.route_type(),
            if old.array { "[]" } else { "" }
        ),
    )
}

/// Refuses a smaller size when a stored value is longer than it.
fn check_resize(
    conn: &Session,
    meta: &TableMeta,
    key: &str,
    old: &ColumnSchema,
    next: &ColumnSchema,
) -> Result<()> {
    let (Some(old_size), Some(new_size)) = (old.kind.max_chars(), next.kind.max_chars()) else {
        return Ok(());
    };
    if new_size >= old_size || old.array {
        return Ok(());
    }
    let too_long: Option<i64> = conn
        .query_row(
            &format!(
                "SELECT 1 FROM {} WHERE length({}) > ?1 LIMIT 1",
                meta.sql_table(),
                quote(key)
            ),
            [new_size],
            |r| r.get(0),
        )
        .optional()?;
    if too_long.is_some() {
        return fail(
            400,
            types::COLUMN_INVALID_RESIZE,
            format!("Column \"{key}\" cannot be resized to {new_size}: existing values are longer"),
        );
    }
    Ok(())
}

fn merge_bounds(old: &ColumnKind, new: &ColumnKind) -> ColumnKind {
    match (old, new) {
        (ColumnKind::Integer { min: a, max: b }, ColumnKind::Integer { min, max }) => {
            ColumnKind::Integer {
                min: min.or(*a),
                max: max.or(*b),
            }
        }
        (ColumnKind::BigInt { min: a, max: b }, ColumnKind::BigInt { min, max }) => {
            ColumnKind::BigInt {
                min: min.or(*a),
                max: max.or(*b),
            }
        }
        (ColumnKind::Float { min: a, max: b }, ColumnKind::Float { min, max }) => {
            ColumnKind::Float {
                min: min.or(*a),
                max: max.or(*b),
            }
        }
        _ => new.clone(),
    }
}

fn rename_in_indexes(conn: &Connection, meta: &TableMeta, old: &str, new: &str) -> Result<()> {
    for index in &meta.table.indexes {
        if index.schema.columns.iter().any(|c| c == old) {
            let mut schema = index.schema.clone();
            for c in &mut schema.columns {
                if c == old {
                    *c = new.to_owned();
                }
            }
            conn.execute(
                "UPDATE aw_indexes SET schema = ?1 WHERE table_seq = ?2 AND key = ?3",
                params![serde_json::to_string(&schema)?, meta.seq, schema.key],
            )?;
        }
    }
    Ok(())
}

pub(super) fn delete_column(
    conn: &Session,
    meta: &TableMeta,
    key: &str,
    delay_ms: i64,
) -> Result<()> {
    let column =
        find_live(&meta.table.columns, key, |c| &c.key).ok_or_else(errors::column_not_found)?;
    if column.status == ColumnStatus::Deleting {
        return Ok(());
    }
    if matches!(column.schema.kind, ColumnKind::Relationship(_)) {
        return relations::drop_relationship(conn, meta, column, delay_ms);
    }
    // An index over the column does not stop the deletion: Appwrite 1.9 refuses only array
    // columns in an index, on databases that index arrays (MySQL; not MariaDB, nor this
    // engine, which indexes no arrays). The indexes lose the column when the deletion
    // completes (`catalog::settle`).
    mark_deleting(conn, "aw_columns", meta.seq, key, delay_ms)
}

// --- indexes ------------------------------------------------------------------------------------

fn index_invalid<T>(message: impl Into<String>) -> Result<T> {
    fail(400, types::COLUMN_INDEX_INVALID, message)
}

/// Validates and records an index, and creates its SQL index (none for fulltext: `search`
/// matches words in SQL functions instead).
fn add_index(
    conn: &Connection,
    seq: i64,
    index: &IndexSchema,
    delay_ms: i64,
    inline: bool,
) -> Result<Index> {
    if let Err(reason) = crate::schema::check_key(&index.key) {
        return errors::argument("key", reason);
    }
    let meta = catalog::load_table_by_seq(conn, seq)?;
    check_index_request(&meta, index)?;
    for key in &index.columns {
        check_indexable(&meta, index.kind, key)?;
    }
    check_index_length(&meta, index)?;
    spatial_rules::check_index(&meta, index)?;
    let mut status = if inline {
        ColumnStatus::Available
    } else {
        ColumnStatus::Processing
    };
    let mut error = String::new();
    if let Err(e) = catalog::create_sql_index(conn, seq, index) {
        // Appwrite reports database-side failures through the index status, not the request.
        status = ColumnStatus::Failed;
        error = e.to_string();
    }
    let at = catalog::Placement::new(seq, status, delay_ms);
    catalog::insert_live(conn, "aw_indexes", at, &index.key, index, &error)
}

/// What Appwrite checks of an index request before it looks at the columns: a free key, room
/// for one more index, at least one column, and orders for all columns or none.
fn check_index_request(meta: &TableMeta, index: &IndexSchema) -> Result<()> {
    refuse_taken(&meta.table.indexes, |i| &i.key, &index.key, "Index")?;
    if meta.table.indexes.len() >= limits::MAX_INDEXES {
        return fail(
            400,
            types::COLUMN_INDEX_LIMIT_EXCEEDED,
            "The maximum number of indexes has been reached.",
        );
    }
    if index.columns.is_empty() {
        return errors::argument("columns", "Value must a valid array and at least 1 item");
    }
    if !index.orders.is_empty() && index.orders.len() != index.columns.len() {
        return index_invalid("Index orders must be given for every column or for none");
    }
    Ok(())
}

/// Refuses an index over `key` unless it is a system column, or an available, scalar,
/// non-relationship column (a string one for a fulltext index).
fn check_indexable(meta: &TableMeta, kind: IndexKind, key: &str) -> Result<()> {
    if catalog::system_term(key).is_some() {
        return Ok(());
    }
    let Some(column) = meta.table.columns.iter().find(|c| c.schema.key == key) else {
        return fail(
            400,
            types::COLUMN_UNKNOWN,
            format!(
                "The column \"{key}\" required for the index could not be found. Please confirm all your columns are in the available state."
            ),
        );
    };
    if column.status != ColumnStatus::Available {
        return fail(
            400,
            types::COLUMN_NOT_AVAILABLE,
            format!("The column \"{key}\" is not yet available. Please try again later."),
        );
    }
    if column.schema.array {
        return index_invalid(format!("Cannot create an index on array column \"{key}\""));
    }
    if matches!(column.schema.kind, ColumnKind::Relationship(_)) {
        return index_invalid(format!(
            "Cannot create an index on relationship column \"{key}\""
        ));
    }
    if kind == IndexKind::Fulltext && !column.schema.kind.is_string() {
        return index_invalid(format!(
            "Attribute \"{key}\" cannot be part of a fulltext index, must be of type string"
        ));
    }
    Ok(())
}

/// Refuses an index longer than MariaDB allows.
fn check_index_length(meta: &TableMeta, index: &IndexSchema) -> Result<()> {
    let schema_view = TableSchema {
        columns: meta
            .table
            .columns
            .iter()
            .map(|c| c.schema.clone())
            .collect(),
        ..TableSchema::new(meta.table.id.clone(), meta.table.name.clone())
    };
    if index_length(index, &schema_view) > limits::MAX_INDEX_LENGTH {
        return index_invalid(format!(
            "Index length is longer than the maximum: {}",
            limits::MAX_INDEX_LENGTH
        ));
    }
    Ok(())
}

pub(super) fn create_index(
    conn: &Session,
    meta: &TableMeta,
    index: &IndexSchema,
    delay_ms: i64,
) -> Result<Index> {
    add_index(conn, meta.seq, index, delay_ms, false)
}

pub(super) fn get_index(meta: &TableMeta, key: &str) -> Result<Index> {
    let index = find_live(&meta.table.indexes, key, |i| &i.key);
    index.cloned().ok_or_else(errors::index_not_found)
}

pub(super) fn delete_index(
    conn: &Session,
    meta: &TableMeta,
    key: &str,
    delay_ms: i64,
) -> Result<()> {
    if find_live(&meta.table.indexes, key, |i| &i.key).is_none() {
        return Err(errors::index_not_found());
    }
    mark_deleting(conn, "aw_indexes", meta.seq, key, delay_ms)
}
