//! Writing rows with Appwrite's validation: structure checks in Appwrite's order (missing
//! required, unknown attribute, invalid value), defaults as `Database::encode` applies them,
//! system fields, and unique constraints answered as `row_already_exists`.

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, ErrorCode, params_from_iter};
use serde_json::{Number, Value};

use super::catalog::{Session, TableMeta, quote};
use super::relations::{self, Mode};
use super::select::{self, Plan};
use super::{clock, codec, errors};
use crate::api::{AppwriteError, types};
use crate::backend::{Document, List, Row, UNIQUE_ID};
use crate::schema::{ColumnKind, ColumnSchema, limits, value};
use crate::{Error, Result};

/// The system fields a write may carry inside its data.
#[derive(Debug, Default)]
struct SystemFields {
    id: Option<String>,
    permissions: Option<Vec<String>>,
    created_at: Option<String>,
    updated_at: Option<String>,
}

/// True for the `$` keys a row's data may carry besides its columns: `$sequence`,
/// `$databaseId`, `$tableId` and `$collectionId` are dropped as Appwrite drops them; `$id`,
/// `$permissions`, `$createdAt` and `$updatedAt` are read by [`read_system`]. Any other `$` key
/// is an unknown attribute.
fn is_system_key(key: &str) -> bool {
    matches!(
        key,
        "$sequence"
            | "$databaseId"
            | "$tableId"
            | "$collectionId"
            | "$id"
            | "$permissions"
            | "$createdAt"
            | "$updatedAt"
    )
}

/// Reads the system fields of a row's data. `$createdAt`/`$updatedAt` are honoured (the engine
/// acts with an API key's rights).
fn read_system(data: &Document) -> Result<SystemFields> {
    let mut sys = SystemFields::default();
    if let Some(v) = data.get("$id") {
        sys.id = v.as_str().map(str::to_owned);
    }
    if let Some(v) = data.get("$permissions").filter(|v| !v.is_null()) {
        sys.permissions = Some(permission_list(v)?);
    }
    if let Some(v) = data.get("$createdAt") {
        sys.created_at = system_time("$createdAt", v)?;
    }
    if let Some(v) = data.get("$updatedAt") {
        sys.updated_at = system_time("$updatedAt", v)?;
    }
    Ok(sys)
}

fn system_time(key: &str, v: &Value) -> Result<Option<String>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => value::normalize_datetime(s).map(Some).ok_or_else(|| {
            errors::structure(format!(
                "Attribute \"{key}\" has invalid format. Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 23:59:59."
            ))
        }),
        _ => Err(errors::structure(format!(
            "Attribute \"{key}\" has invalid type. Value must be a valid string"
        ))),
    }
}

fn permission_list(v: &Value) -> Result<Vec<String>> {
    let Some(items) = v.as_array() else {
        return errors::argument("permissions", "Value must be a valid array");
    };
    let strings: Vec<String> = items
        .iter()
        .map(|p| p.as_str().map(str::to_owned))
        .collect::<Option<_>>()
        .map_or_else(
            || errors::argument("permissions", "Value must be a valid array of strings"),
            Ok,
        )?;
    normalize_permissions(&strings)
}

/// Checks row permissions (`read`, `update`, `delete`, `write`) and expands `write` into
/// update and delete, as Appwrite stores them.
pub(super) fn normalize_permissions(permissions: &[String]) -> Result<Vec<String>> {
    normalize(
        permissions,
        &["read", "update", "delete"],
        &["update", "delete"],
    )
}

/// Checks table permissions (`read`, `create`, `update`, `delete`, `write`); `write` becomes
/// create, update and delete.
pub(super) fn normalize_table_permissions(permissions: &[String]) -> Result<Vec<String>> {
    normalize(
        permissions,
        &["read", "create", "update", "delete"],
        &["create", "update", "delete"],
    )
}

fn normalize(permissions: &[String], allowed: &[&str], write: &[&str]) -> Result<Vec<String>> {
    if permissions.len() > limits::MAX_PERMISSIONS {
        return errors::argument(
            "permissions",
            "Value must a valid array no longer than 100 items",
        );
    }
    let mut out: Vec<String> = Vec::with_capacity(permissions.len());
    for p in permissions {
        let parsed = p.split_once('(').and_then(|(action, rest)| {
            let role = rest.strip_suffix("\")")?.strip_prefix('"')?;
            (!role.is_empty()).then_some((action, role))
        });
        let Some((action, role)) = parsed else {
            return errors::argument(
                "permissions",
                format!("Invalid permission string format: \"{p}\"."),
            );
        };
        let actions: Vec<&str> = if action == "write" {
            write.to_vec()
        } else if allowed.contains(&action) {
            vec![action]
        } else {
            return errors::argument(
                "permissions",
                format!(
                    "Permission \"{p}\" is not allowed. Must be one of: {}, write.",
                    allowed.join(", ")
                ),
            );
        };
        for a in actions {
            let s = format!("{a}(\"{role}\")");
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// Refuses a create without data, as Appwrite does (an empty object counts as none).
pub(super) fn require_data(data: &Document) -> Result<()> {
    refuse_missing_data(data.is_empty())
}

/// Refuses a bulk create without rows.
pub(super) fn require_rows(rows: &[Document]) -> Result<()> {
    refuse_missing_data(rows.is_empty())
}

fn refuse_missing_data(missing: bool) -> Result<()> {
    if missing {
        return Err(Error::Appwrite(AppwriteError::new(
            400,
            types::ROW_MISSING_DATA,
            "The row data is missing. Try again with row data populated",
        )));
    }
    Ok(())
}

/// Validates a whole row and returns the SQL values of every available column, in order.
/// A null or missing value stands for the column default, as on every full write in Appwrite
/// (`Database::encode`). The checks run in Appwrite's order: missing required, unknown
/// attribute, invalid value. System keys are skipped (see [`read_system`]).
fn row_values(meta: &TableMeta, data: &Document) -> Result<Vec<SqlValue>> {
    fn value_of<'a>(data: &'a Document, column: &'a ColumnSchema) -> Option<&'a Value> {
        data.get(&column.key)
            .filter(|v| !v.is_null())
            .or(column.default.as_ref())
    }
    if let Some(column) = meta
        .available_columns()
        .find(|c| c.required && value_of(data, c).is_none())
    {
        return Err(errors::structure(format!(
            "Missing required attribute \"{}\"",
            column.key
        )));
    }
    check_unknown(meta, data)?;
    let mut values = Vec::with_capacity(meta.available.len());
    for column in meta.available_columns() {
        values.push(match value_of(data, column) {
            None => SqlValue::Null,
            Some(v) => codec::encode(
                column,
                &value::check_value(column, v).map_err(errors::structure)?,
            ),
        });
    }
    Ok(values)
}

fn check_unknown(meta: &TableMeta, data: &Document) -> Result<()> {
    match data
        .keys()
        .find(|k| !is_system_key(k) && meta.available_column(k).is_none())
    {
        Some(k) => Err(errors::structure(format!("Unknown attribute: \"{k}\""))),
        None => Ok(()),
    }
}

/// Maps SQLite's unique-constraint failures to Appwrite's `row_already_exists`.
fn constraint(e: rusqlite::Error) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation => {
            errors::row_already_exists()
        }
        _ => e.into(),
    }
}

/// Inserts one validated row and answers it as a read would. `now` is the request's time
/// stamp (one per request, as Appwrite takes one per call).
#[allow(clippy::too_many_arguments)]
fn insert(
    conn: &Connection,
    meta: &TableMeta,
    id: &str,
    data: &Document,
    permissions: Vec<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    now: &str,
) -> Result<Row> {
    errors::check_id("rowId", id)?;
    let values = row_values(meta, data)?;
    let created = created_at.unwrap_or_else(|| now.to_owned());
    let updated = updated_at.unwrap_or_else(|| now.to_owned());
    let mut params = Vec::with_capacity(4 + values.len());
    params.push(SqlValue::Text(id.to_owned()));
    params.push(SqlValue::Text(created.clone()));
    params.push(SqlValue::Text(updated.clone()));
    params.push(SqlValue::Text(serde_json::to_string(&permissions)?));
    params.extend(values);
    conn.prepare_cached(&meta.insert_sql)?
        .execute(params_from_iter(params.iter()))
        .map_err(constraint)?;
    // The answer is built from what was stored, exactly as a read would decode it.
    let columns: Vec<_> = meta.available_columns().collect();
    let stored: Vec<ValueRef<'_>> = params[4..].iter().map(ValueRef::from).collect();
    let system = select::SystemValues {
        seq: conn.last_insert_rowid(),
        id: id.to_owned(),
        created_at: created,
        updated_at: updated,
        permissions: Value::Array(permissions.into_iter().map(Value::String).collect()),
    };
    Ok(select::assemble(meta, &columns, &stored, system, None))
}

fn update_full(
    conn: &Connection,
    meta: &TableMeta,
    seq: i64,
    doc: &Document,
    permissions: &[String],
    updated_at: Option<String>,
) -> Result<()> {
    let values = row_values(meta, doc)?;
    let mut params = vec![
        SqlValue::Text(updated_at.unwrap_or_else(clock::now)),
        SqlValue::Text(serde_json::to_string(permissions)?),
    ];
    params.extend(values);
    params.push(SqlValue::Integer(seq));
    conn.prepare_cached(&meta.update_sql)?
        .execute(params_from_iter(params.iter()))
        .map_err(constraint)?;
    Ok(())
}

/// A row just written, as the write answers it: with its relationships loaded, as deep as
/// Appwrite loads them.
fn read_back(conn: &Session, meta: &TableMeta, id: &str) -> Result<Row> {
    let row = select::get_by_id(conn, meta, id, None)?
        .ok_or_else(|| Error::Internal(format!("row {id:?} vanished after it was written")))?;
    let mut rows = [row];
    let loading = relations::Selection::everything();
    relations::populate(conn, meta, &mut rows, &loading, 0)?;
    let [row] = rows;
    Ok(row)
}

/// One row as a single-row write takes it: its id, its data, and its permissions (`None`:
/// none for a create, unchanged for an update).
#[derive(Debug, Clone, Copy)]
pub(super) struct RowInput<'a> {
    /// The row id (`unique()` asks for a new one on a create).
    pub(super) id: &'a str,
    /// The columns to write.
    pub(super) data: &'a Document,
    /// The row's permissions, when given.
    pub(super) permissions: Option<&'a [String]>,
}

/// `POST …/rows` with one row.
pub(super) fn create_row(conn: &Session, meta: &TableMeta, row: RowInput) -> Result<Row> {
    create_nested(conn, meta, row, 0)
}

/// Creates a row `depth` levels below the row a request writes (0: the request's own row).
pub(super) fn create_nested(
    conn: &Session,
    meta: &TableMeta,
    row: RowInput,
    depth: usize,
) -> Result<Row> {
    let RowInput {
        id: row_id,
        data,
        permissions,
    } = row;
    errors::check_custom_id("rowId", row_id)?;
    require_data(data)?;
    let sys = read_system(data)?;
    let id = if row_id == UNIQUE_ID {
        clock::unique_id()
    } else {
        row_id.to_owned()
    };
    let permissions = match permissions {
        Some(p) => normalize_permissions(p)?,
        None => Vec::new(),
    };
    let (data, related) = relations::take_relation_values(meta, data);
    let created = insert(
        conn,
        meta,
        &id,
        &data,
        permissions.clone(),
        sys.created_at,
        sys.updated_at,
        &clock::now(),
    )?;
    if meta.relations.is_empty() {
        return Ok(created);
    }
    relations::apply_values(conn, meta, &id, &permissions, &related, Mode::Create, depth)?;
    read_back(conn, meta, &id)
}

/// `PATCH …/rows/{id}`: merges `data` into the stored row and writes it whole, as Appwrite
/// does (so a stored null of a column with a default becomes the default).
pub(super) fn update_row(conn: &Session, meta: &TableMeta, row: RowInput) -> Result<Row> {
    if row.data.is_empty() && row.permissions.is_none() {
        return Err(Error::Appwrite(AppwriteError::new(
            400,
            types::ROW_MISSING_PAYLOAD,
            "The row payload is missing.",
        )));
    }
    update_nested(conn, meta, row, 0)
}

/// Updates a row `depth` levels below the row a request writes (0: the request's own row).
pub(super) fn update_nested(
    conn: &Session,
    meta: &TableMeta,
    row: RowInput,
    depth: usize,
) -> Result<Row> {
    let RowInput {
        id: row_id,
        data,
        permissions,
    } = row;
    errors::check_id("rowId", row_id)?;
    let existing =
        select::get_by_id(conn, meta, row_id, None)?.ok_or_else(errors::row_not_found)?;
    let (data, related) = relations::take_relation_values(meta, data);
    let permissions = merge_into(conn, meta, existing, &data, permissions)?;
    relations::apply_values(
        conn,
        meta,
        row_id,
        &permissions,
        &related,
        Mode::Update,
        depth,
    )?;
    read_back(conn, meta, row_id)
}

/// Writes `data` over the stored row and answers the row's permissions.
fn merge_into(
    conn: &Connection,
    meta: &TableMeta,
    existing: Row,
    data: &Document,
    permissions: Option<&[String]>,
) -> Result<Vec<String>> {
    let sys = read_system(data)?;
    let seq: i64 = existing.sequence().parse().unwrap_or_default();
    let mut doc = existing.data();
    doc.extend(
        data.iter()
            .filter(|(k, _)| !is_system_key(k))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    let permissions = match (permissions, sys.permissions) {
        (Some(p), _) => normalize_permissions(p)?,
        (None, Some(p)) => p,
        (None, None) => existing.permissions(),
    };
    update_full(conn, meta, seq, &doc, &permissions, sys.updated_at)?;
    Ok(permissions)
}

/// `PUT …/rows/{id}`: creates the row, or merges `data` into it.
pub(super) fn upsert_row(conn: &Session, meta: &TableMeta, row: RowInput) -> Result<Row> {
    errors::check_id("rowId", row.id)?;
    if select::stamp(conn, meta, row.id)?.is_some() {
        return update_nested(conn, meta, row, 0);
    }
    let sys = read_system(row.data)?;
    let permissions = match (row.permissions, sys.permissions) {
        (Some(p), _) => normalize_permissions(p)?,
        (None, Some(p)) => p,
        (None, None) => Vec::new(),
    };
    create_nested(
        conn,
        meta,
        RowInput {
            permissions: Some(&permissions),
            ..row
        },
        0,
    )
}

/// `DELETE …/rows/{id}`, with the `onDelete` rules of the row's relationships.
pub(super) fn delete_row(conn: &Session, meta: &TableMeta, row_id: &str) -> Result<()> {
    errors::check_id("rowId", row_id)?;
    delete_walked(conn, meta, row_id, &mut Vec::new())
}

/// Deletes a row, `walked` holding the relationships a cascade came through.
pub(super) fn delete_walked(
    conn: &Session,
    meta: &TableMeta,
    row_id: &str,
    walked: &mut Vec<String>,
) -> Result<()> {
    if select::stamp(conn, meta, row_id)?.is_none() {
        return Err(errors::row_not_found());
    }
    relations::before_delete(conn, meta, row_id, walked)?;
    conn.prepare_cached(&format!("DELETE FROM {} WHERE _uid = ?1", meta.sql_table()))?
        .execute([row_id])?;
    Ok(())
}

/// Refuses a bulk operation (`what`: create, update, upsert, delete) on a table that has
/// relationship columns, as Appwrite does.
pub(super) fn refuse_bulk_with_relationships(meta: &TableMeta, what: &str) -> Result<()> {
    let has_relationships = meta
        .table
        .columns
        .iter()
        .any(|c| matches!(c.schema.kind, crate::schema::ColumnKind::Relationship(_)));
    if !has_relationships {
        return Ok(());
    }
    // Appwrite's create names "columns", the other three "attributes".
    let noun = if what == "create" {
        "columns"
    } else {
        "attributes"
    };
    Err(errors::bad_request(format!(
        "Bulk {what} is not supported for tablesDB with relationship {noun}"
    )))
}

fn check_batch(rows: &[Document]) -> Result<()> {
    if rows.len() > limits::MAX_BATCH {
        return errors::argument("rows", "Value must a valid array no longer than 100 items");
    }
    Ok(())
}

/// `POST …/rows` with `rows`: every row or none (the caller wraps this in a transaction).
pub(super) fn create_rows(
    conn: &Connection,
    meta: &TableMeta,
    rows: &[Document],
) -> Result<List<Row>> {
    require_rows(rows)?;
    refuse_bulk_with_relationships(meta, "create")?;
    check_batch(rows)?;
    let now = clock::now();
    let mut items = Vec::with_capacity(rows.len());
    for data in rows {
        let sys = read_system(data)?;
        let id = sys.id.unwrap_or_else(clock::unique_id);
        let id = if id == UNIQUE_ID {
            clock::unique_id()
        } else {
            id
        };
        items.push(insert(
            conn,
            meta,
            &id,
            data,
            sys.permissions.unwrap_or_default(),
            sys.created_at,
            sys.updated_at,
            &now,
        )?);
    }
    Ok(List {
        total: items.len() as u64,
        items,
    })
}

/// `PUT …/rows`: upserts every row or none (the caller wraps this in a transaction).
pub(super) fn upsert_rows(
    conn: &Session,
    meta: &TableMeta,
    rows: &[Document],
) -> Result<List<Row>> {
    refuse_bulk_with_relationships(meta, "upsert")?;
    check_batch(rows)?;
    let mut items = Vec::with_capacity(rows.len());
    for data in rows {
        let id = match data.get("$id").and_then(Value::as_str) {
            Some(id) if id != UNIQUE_ID => id.to_owned(),
            _ => clock::unique_id(),
        };
        let row = RowInput {
            id: &id,
            data,
            permissions: None,
        };
        items.push(upsert_row(conn, meta, row)?);
    }
    Ok(List {
        total: items.len() as u64,
        items,
    })
}

/// `PATCH …/rows`: sets only the sent columns on every matching row (no defaults applied, as
/// Appwrite's bulk update does).
pub(super) fn update_rows(
    conn: &Connection,
    meta: &TableMeta,
    data: &Document,
    plan: Plan,
) -> Result<List<Row>> {
    refuse_bulk_with_relationships(meta, "update")?;
    let sys = read_system(data)?;
    check_unknown(meta, data)?;
    let mut sets = vec!["_updatedAt = ?".to_owned()];
    let mut params = vec![SqlValue::Text(sys.updated_at.unwrap_or_else(clock::now))];
    if let Some(p) = &sys.permissions {
        sets.push("_permissions = ?".to_owned());
        params.push(SqlValue::Text(serde_json::to_string(p)?));
    }
    for (key, v) in data {
        let Some(column) = meta.available_column(key) else {
            continue;
        };
        let stored = if v.is_null() {
            if column.required {
                return Err(errors::structure(format!(
                    "Missing required attribute \"{key}\""
                )));
            }
            SqlValue::Null
        } else {
            codec::encode(
                column,
                &value::check_value(column, v).map_err(errors::structure)?,
            )
        };
        sets.push(format!("{} = ?", quote(key)));
        params.push(stored);
    }
    let seqs = select::matching_seqs(conn, meta, &plan)?;
    let sql = format!(
        "UPDATE {} SET {} WHERE _seq = ?",
        meta.sql_table(),
        sets.join(", ")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    for seq in &seqs {
        let mut p = params.clone();
        p.push(SqlValue::Integer(*seq));
        stmt.execute(params_from_iter(p.iter()))
            .map_err(constraint)?;
    }
    let shown = &seqs[..seqs.len().min(limits::MAX_BATCH)];
    Ok(List {
        total: seqs.len() as u64,
        items: select::get_by_seqs(conn, meta, shown)?,
    })
}

/// `DELETE …/rows`: deletes every matching row.
pub(super) fn delete_rows(conn: &Connection, meta: &TableMeta, plan: Plan) -> Result<List<Row>> {
    refuse_bulk_with_relationships(meta, "delete")?;
    let seqs = select::matching_seqs(conn, meta, &plan)?;
    let shown = select::get_by_seqs(conn, meta, &seqs[..seqs.len().min(limits::MAX_BATCH)])?;
    let mut stmt =
        conn.prepare_cached(&format!("DELETE FROM {} WHERE _seq = ?1", meta.sql_table()))?;
    for seq in &seqs {
        stmt.execute([seq])?;
    }
    Ok(List {
        total: seqs.len() as u64,
        items: shown,
    })
}

/// One increment or decrement of a row's column.
#[derive(Debug, Clone)]
pub(super) struct Step {
    /// The column's key.
    pub(super) column: String,
    /// How much to add or subtract.
    pub(super) delta: Number,
    /// The `max` of an increment or the `min` of a decrement, if given.
    pub(super) bound: Option<Number>,
    /// True for a decrement.
    pub(super) decrement: bool,
}

/// `PATCH …/rows/{id}/{column}/increment|decrement`. `delta` is signed: negative decrements.
///
/// Reproduces Appwrite 1.9.6 as read from its source: only the `bound` parameter is enforced
/// (not the column's own min/max), the answer carries `$updatedAt` from before the change, and
/// a null value answers `delta` while the stored value stays null (MariaDB's `NULL + n`).
pub(super) fn add_to_column(
    conn: &Connection,
    meta: &TableMeta,
    row_id: &str,
    step: &Step,
) -> Result<Row> {
    let (column_key, delta, bound, decrement) = (
        step.column.as_str(),
        &step.delta,
        step.bound.as_ref(),
        step.decrement,
    );
    errors::check_id("rowId", row_id)?;
    let column = meta
        .available_column(column_key)
        .ok_or_else(errors::column_not_found)?
        .clone();
    let is_int = matches!(
        column.kind,
        ColumnKind::Integer { .. } | ColumnKind::BigInt { .. }
    );
    if column.array || !column.kind.is_numeric() {
        return Err(Error::Appwrite(AppwriteError::new(
            400,
            types::ATTRIBUTE_TYPE_INVALID,
            format!("Column \"{column_key}\" is not a numeric column."),
        )));
    }
    if is_int && delta.as_i64().is_none() {
        return errors::argument("value", "Value must be a valid integer");
    }
    let mut row = select::get_by_id(conn, meta, row_id, None)?.ok_or_else(errors::row_not_found)?;
    let current = row.get(column_key).cloned().unwrap_or(Value::Null);
    let step = delta.as_f64().unwrap_or(0.0);
    let signed = if decrement { -step } else { step };
    let new_value: Value = if is_int {
        let d = delta.as_i64().unwrap_or(0);
        let d = if decrement { -d } else { d };
        match current.as_i64() {
            Some(c) => match c.checked_add(d) {
                Some(n) => Value::from(n),
                None => return Err(limit_exceeded(column_key, bound, decrement)),
            },
            None => Value::from(d),
        }
    } else {
        Number::from_f64(current.as_f64().unwrap_or(0.0) + signed)
            .map_or(Value::Null, Value::Number)
    };
    if let (Some(limit), Some(n)) = (bound.and_then(Number::as_f64), new_value.as_f64()) {
        let beyond = if decrement { n < limit } else { n > limit };
        if beyond {
            return Err(limit_exceeded(column_key, bound, decrement));
        }
    }
    if !current.is_null() {
        conn.prepare_cached(&format!(
            "UPDATE {} SET {} = ?1, _updatedAt = ?2 WHERE _uid = ?3",
            meta.sql_table(),
            quote(column_key)
        ))?
        .execute(rusqlite::params![
            codec::encode(&column, &new_value),
            clock::now(),
            row_id
        ])?;
    } else {
        conn.prepare_cached(&format!(
            "UPDATE {} SET _updatedAt = ?1 WHERE _uid = ?2",
            meta.sql_table()
        ))?
        .execute(rusqlite::params![clock::now(), row_id])?;
    }
    row.insert(column_key.to_owned(), new_value);
    Ok(row)
}

/// Appwrite 1.9.6's refusal of a step past its bound, worded as its `Increment.php` and
/// `Decrement.php` build it: the SDK namespace (`tablesDB`; `databases` on the legacy routes),
/// the column, and the bound as PHP prints a number (nothing when no bound was given).
fn limit_exceeded(column_key: &str, bound: Option<&Number>, decrement: bool) -> Error {
    let which = if decrement { "minimum" } else { "maximum" };
    let bound = bound.map(php_number).unwrap_or_default();
    Error::Appwrite(AppwriteError::new(
        400,
        types::COLUMN_LIMIT_EXCEEDED,
        format!("tablesDB \"{column_key}\" has reached the {which} value of {bound}"),
    ))
}

/// A number as PHP's string conversion prints it: a whole float without its `.0`.
fn php_number(n: &Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        _ => n.to_string(),
    }
}
