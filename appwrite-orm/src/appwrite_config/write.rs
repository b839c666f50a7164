//! Writing schemas in the CLI's format: each object's keys in the order `appwrite pull` writes
//! them (its schema's order), with the values a server's models give, so that the file reads
//! as if pulled and `appwrite push` takes it.

use serde_json::{Map, Value, json};

use super::error::ConfigError;
use super::format::{self, COLUMN_KEYS, CONFIG_KEYS, ordered};
use crate::api;
use crate::schema::{ColumnKind, ColumnSchema, IndexSchema, SortOrder, TableSchema};

/// The database part of a config file, `{"tablesDB": [database], "tables": [...]}`, for the
/// declared `tables` of the database `database_id` named `database_name`. Tables keep their
/// order; the output depends on nothing else, so the same schemas give the same bytes.
pub fn export(
    database_id: &str,
    database_name: &str,
    tables: &[TableSchema],
) -> Result<Value, ConfigError> {
    let database = database_entry(database_id, database_name, true);
    let tables = tables
        .iter()
        .map(|t| table_entry(database_id, t, true))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "tablesDB": [database], "tables": tables }))
}

/// Like [`export`], for a live database and its tables as a server answers them: their
/// `enabled` flags are kept, and the columns and indexes are written whatever their status.
pub fn export_live(database: &api::Database, tables: &[api::Table]) -> Result<Value, ConfigError> {
    let entry = database_entry(&database.id, &database.name, database.enabled);
    let tables = tables
        .iter()
        .map(|t| table_entry(&database.id, &t.to_schema(), t.enabled))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "tablesDB": [entry], "tables": tables }))
}

/// A whole new config file for the project `project_id` holding `exported` (what [`export`]
/// gives). The CLI requires `projectId`.
pub fn document(project_id: &str, exported: &Value) -> Value {
    let mut root = Map::new();
    root.insert("projectId".into(), json!(project_id));
    for (key, value) in exported.as_object().into_iter().flatten() {
        root.insert(key.clone(), value.clone());
    }
    Value::Object(in_cli_order(root))
}

/// `base` (a config file's document) with `exported` (what [`export`] gives) in it: each
/// exported database replaces the `tablesDB` entry of the same id and every table of that
/// database, where the first of them was; everything else (project, functions, buckets, other
/// databases) is kept as it was. Refused when `base` lists that database among the legacy
/// `databases`, keeps its tables in another file (`includes`), or is of another format version.
pub fn merge_into(base: &Value, exported: &Value) -> Result<Value, ConfigError> {
    let mut root = base
        .as_object()
        .cloned()
        .ok_or_else(|| ConfigError::at("(root)", "the file must hold a JSON object"))?;
    format::refuse_other_versions(&root)?;
    refuse_included(&root)?;
    for database in list_of(exported, "tablesDB") {
        let id = database
            .get("$id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if list_of(&Value::Object(root.clone()), "databases")
            .iter()
            .any(|d| d.get("$id").and_then(Value::as_str) == Some(id))
        {
            return Err(ConfigError::at(
                format!("databases ({id})"),
                "the file lists this database as a legacy one; it cannot also be a TablesDB one",
            ));
        }
        replace_where(&mut root, "tablesDB", "$id", id, vec![database.clone()]);
        let tables = list_of(exported, "tables")
            .into_iter()
            .filter(|t| t.get("databaseId").and_then(Value::as_str) == Some(id))
            .cloned()
            .collect();
        replace_where(&mut root, "tables", "databaseId", id, tables);
    }
    Ok(Value::Object(in_cli_order(root)))
}

/// The document as the CLI writes it: indented by four spaces, no final newline
/// (`JSONBig.stringify(data, null, 4)`).
pub fn to_pretty_string(document: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Writing a `Value` into a `Vec` cannot fail, and its bytes are UTF-8.
    serde::Serialize::serialize(document, &mut serializer).expect("a JSON value serialises");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

fn refuse_included(root: &Map<String, Value>) -> Result<(), ConfigError> {
    let includes = root.get("includes").and_then(Value::as_object);
    for (resource, file) in includes.into_iter().flatten() {
        if ["tablesDB", "tables"].contains(&resource.as_str()) {
            return Err(ConfigError::Included {
                resource: resource.clone(),
                file: file.as_str().unwrap_or_default().to_owned(),
            });
        }
    }
    Ok(())
}

fn list_of<'a>(document: &'a Value, name: &str) -> Vec<&'a Value> {
    document
        .get(name)
        .and_then(Value::as_array)
        .map(|items| items.iter().collect())
        .unwrap_or_default()
}

/// Replaces the entries of `root[list]` whose `field` is `value` by `with`, at the place of
/// the first of them (at the end when there is none).
fn replace_where(
    root: &mut Map<String, Value>,
    list: &str,
    field: &str,
    value: &str,
    with: Vec<Value>,
) {
    let old = root
        .get(list)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let matches = |entry: &Value| entry.get(field).and_then(Value::as_str) == Some(value);
    let at = old.iter().position(matches).unwrap_or(old.len());
    let mut kept: Vec<Value> = old.into_iter().filter(|e| !matches(e)).collect();
    let at = at.min(kept.len());
    kept.splice(at..at, with);
    root.insert(list.to_owned(), Value::Array(kept));
}

/// Top-level keys in the CLI's order, unknown ones after in their order.
fn in_cli_order(mut root: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for key in CONFIG_KEYS {
        if let Some(value) = root.remove(key) {
            out.insert(key.to_owned(), value);
        }
    }
    out.extend(root);
    out
}

fn database_entry(id: &str, name: &str, enabled: bool) -> Value {
    json!({ "$id": id, "name": name, "enabled": enabled })
}

fn table_entry(
    database_id: &str,
    table: &TableSchema,
    enabled: bool,
) -> Result<Value, ConfigError> {
    let columns = table
        .columns
        .iter()
        .map(|c| column_entry(&table.id, c))
        .collect::<Result<Vec<_>, _>>()?;
    let indexes = table
        .indexes
        .iter()
        .map(|i| index_entry(&table.id, i))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({
        "$id": table.id,
        "$permissions": table.permissions,
        "databaseId": database_id,
        "name": table.name,
        "enabled": enabled,
        "rowSecurity": table.row_security,
        "columns": columns,
        "indexes": indexes,
    }))
}

/// A column as `appwrite pull` writes it: the server's column model (what
/// [`ColumnSchema::model_fields`] gives) filtered through the CLI's column keys, plus
/// `previousKey` for a declared rename (the CLI renames in place with it, as the planner does).
fn column_entry(table: &str, column: &ColumnSchema) -> Result<Value, ConfigError> {
    if let ColumnKind::Opaque { type_name, .. } = &column.kind {
        return Err(ConfigError::Unexportable {
            table: table.to_owned(),
            what: format!("column {:?}", column.key),
            reason: format!("the CLI's format has no column type {type_name:?}"),
        });
    }
    let mut model = column.model_fields();
    keep_declared_bounds(table, column, &mut model)?;
    if let Some(previous) = &column.renamed_from {
        model.insert("previousKey".into(), json!(previous));
    }
    Ok(Value::Object(ordered(&model, &COLUMN_KEYS)))
}

/// Leaves out the bounds a column does not declare, where a server's model has the type's
/// extremes: the CLI reads `min` and `max` as 64-bit integers whatever the type (`int64Schema`
/// in `lib/commands/config.ts`) and refuses a double's `±1.7976931348623157e308`, and `push`
/// sends no bound for a missing one, so the server applies the same extremes. A declared float
/// bound outside that range cannot be written for the CLI at all.
fn keep_declared_bounds(
    table: &str,
    column: &ColumnSchema,
    model: &mut Map<String, Value>,
) -> Result<(), ConfigError> {
    let (min, max) = match &column.kind {
        ColumnKind::Integer { min, max } | ColumnKind::BigInt { min, max } => {
            (min.is_some(), max.is_some())
        }
        ColumnKind::Float { min, max } => {
            // i64's range as floats: what the CLI's BigInt conversion accepts.
            const LIMIT: f64 = 9_223_372_036_854_775_807.0;
            if let Some(bound) = min.iter().chain(max).find(|b| b.abs() > LIMIT) {
                return Err(ConfigError::Unexportable {
                    table: table.to_owned(),
                    what: format!("column {:?}", column.key),
                    reason: format!(
                        "the CLI reads bounds as 64-bit integers and refuses {bound:e}"
                    ),
                });
            }
            (min.is_some(), max.is_some())
        }
        _ => return Ok(()),
    };
    if !min {
        model.remove("min");
    }
    if !max {
        model.remove("max");
    }
    Ok(())
}

/// An index as `appwrite pull` writes it, without `status` (a declared index has none): an
/// order per column, as servers answer.
fn index_entry(table: &str, index: &IndexSchema) -> Result<Value, ConfigError> {
    if index.lengths.iter().any(Option::is_some) {
        return Err(ConfigError::Unexportable {
            table: table.to_owned(),
            what: format!("index {:?}", index.key),
            reason: "the CLI's format has no prefix lengths (`lengths`)".to_owned(),
        });
    }
    let orders: Vec<&str> = if index.orders.is_empty() {
        index
            .columns
            .iter()
            .map(|_| SortOrder::Asc.as_str())
            .collect()
    } else {
        index.orders.iter().map(|o| o.as_str()).collect()
    };
    Ok(json!({
        "key": index.key,
        "type": index.kind.as_str(),
        "columns": index.columns,
        "orders": orders,
    }))
}
