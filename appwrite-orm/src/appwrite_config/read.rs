//! Reading the database part of a config file: databases, then tables (or collections) with
//! their columns (or attributes) and indexes, checked as strictly as the CLI's schema checks
//! them, every problem collected with where it is.

use serde_json::{Map, Value};

use super::columns::read_column;
use super::error::{ConfigError, Problem};
use super::fields::{Fields, list, object};
use super::format::{self, FormatVersion};
use super::{AppwriteConfig, ConfigDatabase};
use crate::api::schema_json::{index_kind, orders_from_json};
use crate::api::{self, Live};
use crate::schema::{ColumnSchema, IndexSchema};

/// The names one generation of the format gives to the same things.
pub(crate) struct Flavour {
    /// Which generation.
    pub version: FormatVersion,
    /// The list of databases (`tablesDB`).
    pub databases: &'static str,
    /// The list of tables (`tables`).
    pub list: &'static str,
    /// A table's columns (`columns`), and an index's columns.
    pub members: &'static str,
    /// Row security (`rowSecurity`).
    pub security: &'static str,
    /// A relationship's related table (`relatedTable`).
    pub related: &'static str,
    /// A table's keys.
    pub table_keys: &'static [&'static str],
    /// A column's keys.
    pub column_keys: &'static [&'static str],
    /// An index's keys.
    pub index_keys: &'static [&'static str],
}

/// TablesDB names.
pub(crate) const TABLES: Flavour = Flavour {
    version: FormatVersion::TablesDb,
    databases: "tablesDB",
    list: "tables",
    members: "columns",
    security: "rowSecurity",
    related: "relatedTable",
    table_keys: &format::TABLE_KEYS,
    column_keys: &format::COLUMN_KEYS,
    index_keys: &format::TABLE_INDEX_KEYS,
};

/// Legacy Databases names.
pub(crate) const COLLECTIONS: Flavour = Flavour {
    version: FormatVersion::Databases,
    databases: "databases",
    list: "collections",
    members: "attributes",
    security: "documentSecurity",
    related: "relatedCollection",
    table_keys: &format::COLLECTION_KEYS,
    column_keys: &format::ATTRIBUTE_KEYS,
    index_keys: &format::COLLECTION_INDEX_KEYS,
};

/// Reads the whole document.
pub(crate) fn read_root(root: &Value) -> Result<AppwriteConfig, ConfigError> {
    let root = root
        .as_object()
        .ok_or_else(|| ConfigError::at("(root)", "the file must hold a JSON object"))?;
    if let Some(includes) = root.get("includes").and_then(Value::as_object) {
        for resource in format::DATABASE_RESOURCES {
            if let Some(file) = includes.get(resource) {
                return Err(ConfigError::Included {
                    resource: resource.to_owned(),
                    file: file.as_str().unwrap_or_default().to_owned(),
                });
            }
        }
    }
    format::refuse_other_versions(root)?;
    let mut problems = Vec::new();
    let mut databases = Vec::new();
    let mut tables = Vec::new();
    for flavour in [&TABLES, &COLLECTIONS] {
        databases.extend(read_databases(root, flavour, &mut problems));
        tables.extend(read_tables(root, flavour, &mut problems));
    }
    check_database_ids(&databases, &mut problems);
    add_implied_databases(&mut databases, &tables);
    if problems.is_empty() {
        let tables = tables.into_iter().map(|(_, table)| table).collect();
        Ok(AppwriteConfig { databases, tables })
    } else {
        Err(ConfigError::Invalid(problems))
    }
}

fn read_databases(
    root: &Map<String, Value>,
    flavour: &Flavour,
    problems: &mut Vec<Problem>,
) -> Vec<ConfigDatabase> {
    let mut out = Vec::new();
    for (i, entry) in list(root, flavour.databases, flavour.databases, problems) {
        let at = format!("{}[{i}]", flavour.databases);
        let Some(obj) = object(entry, &at, &format::DATABASE_KEYS, problems) else {
            continue;
        };
        let fields = Fields::new(obj, &at);
        let (id, name) = (
            fields.string("$id", problems),
            fields.string("name", problems),
        );
        let enabled = fields.opt_bool("enabled", problems).unwrap_or(true);
        if let (Some(id), Some(name)) = (id, name) {
            out.push(ConfigDatabase {
                id,
                name,
                enabled,
                format: flavour.version,
            });
        }
    }
    out
}

/// The same database id listed twice (in one list or in both generations' lists).
fn check_database_ids(databases: &[ConfigDatabase], problems: &mut Vec<Problem>) {
    for (i, db) in databases.iter().enumerate() {
        if databases[..i].iter().any(|other| other.id == db.id) {
            problems.push(Problem::new(
                format!("database {:?}", db.id),
                "listed more than once",
            ));
        }
    }
}

/// Tables may name a database the file does not list (the CLI creates it on push): it is
/// known by its id.
fn add_implied_databases(
    databases: &mut Vec<ConfigDatabase>,
    tables: &[(FormatVersion, api::Table)],
) {
    for (version, table) in tables {
        if !databases.iter().any(|d| d.id == table.database_id) {
            databases.push(ConfigDatabase {
                id: table.database_id.clone(),
                name: table.database_id.clone(),
                enabled: true,
                format: *version,
            });
        }
    }
}

fn read_tables(
    root: &Map<String, Value>,
    flavour: &Flavour,
    problems: &mut Vec<Problem>,
) -> Vec<(FormatVersion, api::Table)> {
    let mut out: Vec<(FormatVersion, api::Table)> = Vec::new();
    for (i, entry) in list(root, flavour.list, flavour.list, problems) {
        let Some(table) = read_table(entry, &format!("{}[{i}]", flavour.list), flavour, problems)
        else {
            continue;
        };
        let taken = out
            .iter()
            .any(|(_, t)| t.id == table.id && t.database_id == table.database_id);
        if taken {
            problems.push(Problem::new(
                format!("{}[{i}] ({})", flavour.list, table.id),
                format!(
                    "table {:?} of database {:?} is listed twice",
                    table.id, table.database_id
                ),
            ));
        }
        out.push((flavour.version, table));
    }
    check_relationship_databases(&out, flavour, problems);
    out
}

fn read_table(
    entry: &Value,
    at: &str,
    flavour: &Flavour,
    problems: &mut Vec<Problem>,
) -> Option<api::Table> {
    let obj = object(entry, at, flavour.table_keys, problems)?;
    let id = obj.get("$id").and_then(Value::as_str).unwrap_or_default();
    let at = if id.is_empty() {
        at.to_owned()
    } else {
        format!("{at} ({id})")
    };
    let fields = Fields::new(obj, &at);
    let id = fields.string("$id", problems);
    let database_id = fields.string("databaseId", problems);
    let name = fields.string("name", problems);
    let permissions = fields
        .opt_strings("$permissions", problems)
        .unwrap_or_default();
    let enabled = fields.opt_bool("enabled", problems).unwrap_or(true);
    // The CLI's schema defaults both to true (`z.boolean().default(true)`).
    let row_security = fields.opt_bool(flavour.security, problems).unwrap_or(true);
    let table_id = id.clone().unwrap_or_default();
    let columns = read_members(obj, &at, &table_id, flavour, problems);
    let indexes = read_indexes(obj, &at, &table_id, flavour, problems);
    Some(api::Table {
        id: id?,
        name: name?,
        database_id: database_id?,
        created_at: String::new(),
        updated_at: String::new(),
        permissions,
        row_security,
        enabled,
        columns: columns
            .into_iter()
            .map(|c| Live::available(c, String::new()))
            .collect(),
        indexes: indexes
            .into_iter()
            .map(|i| Live::available(i, String::new()))
            .collect(),
    })
}

fn read_members(
    table: &Map<String, Value>,
    table_at: &str,
    table_id: &str,
    flavour: &Flavour,
    problems: &mut Vec<Problem>,
) -> Vec<ColumnSchema> {
    let mut columns: Vec<ColumnSchema> = Vec::new();
    for (i, entry) in list(table, flavour.members, table_at, problems) {
        let at = member_at(table_at, flavour.members, i, table_id, entry);
        let Some(column) = read_column(entry, &at, flavour, problems) else {
            continue;
        };
        if columns.iter().any(|c| c.key == column.key) {
            problems.push(Problem::new(
                at,
                format!("key {:?} is used twice", column.key),
            ));
            continue;
        }
        columns.push(column);
    }
    columns
}

fn read_indexes(
    table: &Map<String, Value>,
    table_at: &str,
    table_id: &str,
    flavour: &Flavour,
    problems: &mut Vec<Problem>,
) -> Vec<IndexSchema> {
    let mut indexes: Vec<IndexSchema> = Vec::new();
    for (i, entry) in list(table, "indexes", table_at, problems) {
        let at = member_at(table_at, "indexes", i, table_id, entry);
        let Some(index) = read_index(entry, &at, flavour, problems) else {
            continue;
        };
        if indexes.iter().any(|x| x.key == index.key) {
            problems.push(Problem::new(
                at,
                format!("key {:?} is used twice", index.key),
            ));
            continue;
        }
        indexes.push(index);
    }
    indexes
}

fn read_index(
    entry: &Value,
    at: &str,
    flavour: &Flavour,
    problems: &mut Vec<Problem>,
) -> Option<IndexSchema> {
    let obj = object(entry, at, flavour.index_keys, problems)?;
    let fields = Fields::new(obj, at);
    let before = problems.len();
    let key = fields.string("key", problems);
    let kind = fields.string("type", problems);
    if let Some(kind) = kind.as_deref().filter(|k| index_kind(k).is_none()) {
        fields.problem(
            problems,
            format!("unknown index type {kind:?} (key, unique, fulltext or spatial)"),
        );
    }
    let columns = fields.strings(flavour.members, problems);
    if let Some(orders) = obj.get("orders").filter(|o| orders_from_json(o).is_none()) {
        fields.problem(
            problems,
            format!("orders must be a list of \"ASC\" or \"DESC\", not {orders}"),
        );
    }
    key?;
    columns?;
    if problems.len() > before {
        return None;
    }
    match IndexSchema::from_model(entry) {
        Ok(index) => Some(index),
        Err(e) => {
            fields.problem(problems, e.message);
            None
        }
    }
}

/// Relationships must stay within their database (the CLI's `validateCrossDatabase`).
fn check_relationship_databases(
    tables: &[(FormatVersion, api::Table)],
    flavour: &Flavour,
    problems: &mut Vec<Problem>,
) {
    for (_, table) in tables {
        for column in &table.columns {
            let crate::schema::ColumnKind::Relationship(rel) = &column.schema.kind else {
                continue;
            };
            let elsewhere = tables
                .iter()
                .find(|(_, t)| t.id == rel.related_table && t.database_id != table.database_id);
            let in_this_one = tables
                .iter()
                .any(|(_, t)| t.id == rel.related_table && t.database_id == table.database_id);
            if let (Some((_, other)), false) = (elsewhere, in_this_one) {
                problems.push(Problem::new(
                    format!("{} ({}.{})", flavour.list, table.id, column.schema.key),
                    format!(
                        "{} {:?} is in database {:?}, not {:?}; Appwrite relates tables of one \
                         database only",
                        flavour.related, rel.related_table, other.database_id, table.database_id
                    ),
                ));
            }
        }
    }
}

/// `tables[2].columns[5] (users.age)`.
fn member_at(table_at: &str, list: &str, i: usize, table_id: &str, entry: &Value) -> String {
    let path = table_at.split(' ').next().unwrap_or(table_at);
    match entry.get("key").and_then(Value::as_str) {
        Some(key) if !table_id.is_empty() => format!("{path}.{list}[{i}] ({table_id}.{key})"),
        _ => format!("{path}.{list}[{i}]"),
    }
}
