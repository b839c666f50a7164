//! The versions of the file's format, how a file shows which one it is in, and the keys (in the
//! CLI's order) of each of its objects.
//!
//! The file has no version field: the CLI's schema (`lib/commands/config.ts`) is a strict zod
//! object without one. Its generations differ by their keys instead, and that is what marks a
//! file's version here.

use std::fmt;

use serde_json::{Map, Value};

use super::error::ConfigError;

/// A generation of `appwrite.config.json`'s database part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormatVersion {
    /// `tablesDB` and `tables` with `columns` and `rowSecurity`: appwrite-cli 9.1.0 and later
    /// (Appwrite 1.8+).
    TablesDb,
    /// `databases` and `collections` with `attributes` and `documentSecurity`: appwrite-cli
    /// 1.0.0 to 9.0 (Appwrite 1.0 to 1.7). Later CLIs still read and write it for legacy
    /// databases; it is read here and converted to tables.
    Databases,
    /// `collections` with `$read`, `$write` and `permission` (and, before appwrite-cli 0.18,
    /// no `databaseId`): appwrite-cli 0.x, for Appwrite 0.15 and older. Not read.
    PreOne,
}

impl FormatVersion {
    /// The versions this library reads.
    pub const SUPPORTED: [FormatVersion; 2] = [FormatVersion::TablesDb, FormatVersion::Databases];

    /// A list of versions for a message.
    pub(crate) fn list(versions: &[FormatVersion]) -> String {
        versions
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

impl fmt::Display for FormatVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FormatVersion::TablesDb => {
                "TablesDB (`tablesDB`, `tables` with `columns`; appwrite-cli 9.1 and later)"
            }
            FormatVersion::Databases => {
                "Databases (`databases`, `collections` with `attributes`; appwrite-cli 1.0 to 9.0)"
            }
            FormatVersion::PreOne => {
                "pre-1.0 (`collections` with `$read`/`$write`/`permission`; appwrite-cli 0.x, \
                 Appwrite 0.15 and older)"
            }
        })
    }
}

/// The keys only the pre-1.0 collections have.
const PRE_ONE_COLLECTION_KEYS: [&str; 3] = ["$read", "$write", "permission"];

/// Refuses a file with a pre-1.0 collection, naming the first one.
pub(crate) fn refuse_other_versions(root: &Map<String, Value>) -> Result<(), ConfigError> {
    let collections = root.get("collections").and_then(Value::as_array);
    for (i, collection) in collections.into_iter().flatten().enumerate() {
        let Some(obj) = collection.as_object() else {
            continue;
        };
        let old_key = PRE_ONE_COLLECTION_KEYS
            .iter()
            .any(|key| obj.contains_key(*key));
        if old_key || !obj.contains_key("databaseId") {
            return Err(ConfigError::UnsupportedVersion {
                found: FormatVersion::PreOne,
                at: format!("collections[{i}]"),
                supported: FormatVersion::SUPPORTED.to_vec(),
            });
        }
    }
    Ok(())
}

/// Top-level keys in the order the CLI writes them (`CONFIG_KEY_ORDER` in `lib/config.ts`);
/// others follow in their own order.
pub(crate) const CONFIG_KEYS: [&str; 17] = [
    "organizationId",
    "projectId",
    "projectName",
    "endpoint",
    "includes",
    "settings",
    "functions",
    "sites",
    "databases",
    "collections",
    "tablesDB",
    "tables",
    "buckets",
    "teams",
    "webhooks",
    "topics",
    "messages",
];

/// The database resources, the ones that may be kept in another file through `includes`.
pub(crate) const DATABASE_RESOURCES: [&str; 4] = ["databases", "collections", "tablesDB", "tables"];

/// A `databases` or `tablesDB` entry (`DatabaseSchema`).
pub(crate) const DATABASE_KEYS: [&str; 3] = ["$id", "name", "enabled"];

/// A table (`TableSchema`).
pub(crate) const TABLE_KEYS: [&str; 8] = [
    "$id",
    "$permissions",
    "databaseId",
    "name",
    "enabled",
    "rowSecurity",
    "columns",
    "indexes",
];

/// A collection (`CollectionSchema`).
pub(crate) const COLLECTION_KEYS: [&str; 8] = [
    "$id",
    "$permissions",
    "databaseId",
    "name",
    "enabled",
    "documentSecurity",
    "attributes",
    "indexes",
];

/// A column (`ColumnSchema`). `columns` and `orders` are in the CLI's column schema too.
pub(crate) const COLUMN_KEYS: [&str; 20] = [
    "key",
    "type",
    "required",
    "array",
    "size",
    "default",
    "min",
    "max",
    "format",
    "elements",
    "relatedTable",
    "relationType",
    "twoWay",
    "twoWayKey",
    "onDelete",
    "side",
    "columns",
    "orders",
    "encrypt",
    "previousKey",
];

/// An attribute (`AttributeSchema`): a column's keys, plus `relatedCollection`, with
/// `attributes` for `columns`.
pub(crate) const ATTRIBUTE_KEYS: [&str; 21] = [
    "key",
    "type",
    "required",
    "array",
    "size",
    "default",
    "min",
    "max",
    "format",
    "elements",
    "relatedCollection",
    "relatedTable",
    "relationType",
    "twoWay",
    "twoWayKey",
    "onDelete",
    "side",
    "attributes",
    "orders",
    "encrypt",
    "previousKey",
];

/// A table's index (`IndexTableSchema`).
pub(crate) const TABLE_INDEX_KEYS: [&str; 5] = ["key", "type", "status", "columns", "orders"];

/// A collection's index (`IndexSchema`).
pub(crate) const COLLECTION_INDEX_KEYS: [&str; 5] =
    ["key", "type", "status", "attributes", "orders"];

/// The column types of the CLI's schema (the `type` enum of `ColumnSchema`).
pub(crate) const COLUMN_TYPES: [&str; 14] = [
    "string",
    "text",
    "varchar",
    "mediumtext",
    "longtext",
    "integer",
    "bigint",
    "double",
    "boolean",
    "datetime",
    "relationship",
    "linestring",
    "point",
    "polygon",
];

/// The formats of a column (`""` is accepted as none).
pub(crate) const COLUMN_FORMATS: [&str; 6] = ["email", "enum", "url", "ip", "datetime", ""];

/// `src` with only `keys`, in their order (the CLI's `filterBySchema`).
pub(crate) fn ordered(src: &Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    keys.iter()
        .filter_map(|k| src.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect()
}
