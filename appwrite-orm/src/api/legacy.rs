//! The legacy Databases API (`/v1/databases/…`, every server before 1.8) beside TablesDB
//! (`/v1/tablesdb/…`): the same operations under older names, collections, attributes and
//! documents instead of tables, columns and rows. The tables of this module are the one list of
//! those names; the functions rename request parameters, answer models, error types and error
//! messages from one vocabulary to the other.

use serde_json::{Map, Value};

/// One name in both vocabularies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Renamed {
    /// The TablesDB name.
    pub tables_db: &'static str,
    /// The legacy Databases API's name.
    pub legacy: &'static str,
}

impl Renamed {
    const fn new(tables_db: &'static str, legacy: &'static str) -> Self {
        Self { tables_db, legacy }
    }

    /// The name in the legacy vocabulary when `legacy`, else the TablesDB one.
    pub const fn pick(self, legacy: bool) -> &'static str {
        if legacy { self.legacy } else { self.tables_db }
    }
}

/// The tables of a database: path segment and list key.
pub const TABLES: Renamed = Renamed::new("tables", "collections");
/// The columns of a table: path segment, list key, the inline list of a table create, the
/// column list of an index.
pub const COLUMNS: Renamed = Renamed::new("columns", "attributes");
/// The rows of a table: path segment, list key, the list of a bulk write.
pub const ROWS: Renamed = Renamed::new("rows", "documents");
/// The table id parameter of a table create (and a field of staged operations).
pub const TABLE_ID: Renamed = Renamed::new("tableId", "collectionId");
/// The row id parameter of a row create (and a field of staged operations).
pub const ROW_ID: Renamed = Renamed::new("rowId", "documentId");
/// The other table of a relationship column create.
pub const RELATED_TABLE_ID: Renamed = Renamed::new("relatedTableId", "relatedCollectionId");
/// Row security: parameter of a table create or update, field of the table model.
pub const ROW_SECURITY: Renamed = Renamed::new("rowSecurity", "documentSecurity");
/// The table a row belongs to, in the row model.
pub const ROW_TABLE: Renamed = Renamed::new("$tableId", "$collectionId");
/// The other table of a relationship, in the column model.
pub const RELATED_TABLE: Renamed = Renamed::new("relatedTable", "relatedCollection");

/// Request parameters whose names differ.
pub const PARAMS: &[Renamed] = &[
    TABLE_ID,
    ROW_ID,
    RELATED_TABLE_ID,
    ROW_SECURITY,
    COLUMNS,
    ROWS,
];

/// Keys of answer models whose names differ (a row's user columns are data, never renamed).
pub const MODEL_KEYS: &[Renamed] = &[
    ROW_TABLE,
    ROW_SECURITY,
    COLUMNS,
    RELATED_TABLE,
    TABLE_ID,
    ROW_ID,
];

/// Keys of list answers whose names differ.
pub const LIST_KEYS: &[Renamed] = &[ROWS, TABLES, COLUMNS];

/// Prefixes of error types whose names differ (`row_not_found` is `document_not_found`).
/// `column_index_` comes before `column_`, which it would otherwise match.
pub const ERROR_TYPE_PREFIXES: &[Renamed] = &[
    Renamed::new("column_index_", "index_"),
    Renamed::new("column_", "attribute_"),
    Renamed::new("table_", "collection_"),
    Renamed::new("row_", "document_"),
    Renamed::new("COLUMN_", "ATTRIBUTE_"),
];

/// Phrases of error messages that name TablesDB things.
pub const MESSAGES: &[Renamed] = &[
    Renamed::new("`tableId`", "`collectionId`"),
    Renamed::new("`rowId`", "`documentId`"),
    Renamed::new("`relatedTableId`", "`relatedCollectionId`"),
    Renamed::new("`rowSecurity`", "`documentSecurity`"),
    Renamed::new("`columns`", "`attributes`"),
    Renamed::new("`rows`", "`documents`"),
    Renamed::new(
        "Table with the requested ID",
        "Collection with the requested ID",
    ),
    Renamed::new(
        "A table with the requested ID",
        "A collection with the requested ID",
    ),
    Renamed::new(
        "Row with the requested ID",
        "Document with the requested ID",
    ),
    Renamed::new("Column with the requested", "Attribute with the requested"),
    Renamed::new("The requested column", "The requested attribute"),
    Renamed::new("The column \"", "The attribute \""),
    Renamed::new("Column \"", "Attribute \""),
    Renamed::new("this table", "this collection"),
    Renamed::new("row data", "document data"),
    Renamed::new("Relationship columns", "Relationship attributes"),
    // The increment and decrement limit messages start with the SDK namespace.
    Renamed::new("tablesDB \"", "databases \""),
];

/// The legacy name of `name` in `table`, or `name` when it is the same there.
pub fn to_legacy<'a>(table: &[Renamed], name: &'a str) -> &'a str {
    table
        .iter()
        .find(|r| r.tables_db == name)
        .map_or(name, |r| r.legacy)
}

/// The TablesDB name of legacy `name` in `table`, or `name` when it is the same there.
pub fn from_legacy<'a>(table: &[Renamed], name: &'a str) -> &'a str {
    table
        .iter()
        .find(|r| r.legacy == name)
        .map_or(name, |r| r.tables_db)
}

/// An error type in legacy names (`row_not_found` → `document_not_found`).
pub fn error_type_to_legacy(error_type: &str) -> String {
    rename_prefix(error_type, |r| (r.tables_db, r.legacy))
}

/// A legacy error type in TablesDB names (`document_not_found` → `row_not_found`).
pub fn error_type_from_legacy(error_type: &str) -> String {
    rename_prefix(error_type, |r| (r.legacy, r.tables_db))
}

fn rename_prefix(
    error_type: &str,
    from_to: impl Fn(Renamed) -> (&'static str, &'static str),
) -> String {
    for renamed in ERROR_TYPE_PREFIXES {
        let (from, to) = from_to(*renamed);
        if let Some(rest) = error_type.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    error_type.to_owned()
}

/// An error message in legacy names.
pub fn message_to_legacy(message: &str) -> String {
    MESSAGES.iter().fold(message.to_owned(), |out, r| {
        if out.contains(r.tables_db) {
            out.replace(r.tables_db, r.legacy)
        } else {
            out
        }
    })
}

/// An answer model (row, table, column, index, list) in legacy names: renames the keys that
/// differ, recursively through `columns`/`indexes`/list items, keeping their order. A row's
/// user columns are data and keep their names.
pub fn model_to_legacy(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map_to_legacy(map)),
        Value::Array(items) => Value::Array(items.into_iter().map(model_to_legacy).collect()),
        other => other,
    }
}

fn map_to_legacy(map: Map<String, Value>) -> Map<String, Value> {
    let is_row = map.contains_key(ROW_TABLE.tables_db);
    map.into_iter()
        .map(|(k, v)| {
            if is_row {
                let key = if k == ROW_TABLE.tables_db {
                    ROW_TABLE.legacy.to_owned()
                } else {
                    k
                };
                return (key, v);
            }
            let key = to_legacy(MODEL_KEYS, &k).to_owned();
            let value = match k.as_str() {
                "columns" | "indexes" | "rows" | "tables" => model_to_legacy(v),
                _ => v,
            };
            (key, value)
        })
        .collect()
}

/// A row model from a legacy server in TablesDB names: `$collectionId` becomes `$tableId`.
pub fn row_from_legacy(row: &mut Map<String, Value>) {
    if let Some(table) = row.remove(ROW_TABLE.legacy) {
        row.insert(ROW_TABLE.tables_db.into(), table);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_types_both_ways() {
        let pairs = [
            ("column_index_not_found", "index_not_found"),
            ("column_not_found", "attribute_not_found"),
            ("column_limit_exceeded", "attribute_limit_exceeded"),
            ("table_not_found", "collection_not_found"),
            ("table_already_exists", "collection_already_exists"),
            ("row_not_found", "document_not_found"),
            ("row_invalid_structure", "document_invalid_structure"),
            ("COLUMN_TYPE_NOT_SUPPORTED", "ATTRIBUTE_TYPE_NOT_SUPPORTED"),
            ("database_not_found", "database_not_found"),
            ("general_argument_invalid", "general_argument_invalid"),
        ];
        for (tables_db, legacy) in pairs {
            assert_eq!(error_type_to_legacy(tables_db), legacy);
            assert_eq!(error_type_from_legacy(legacy), tables_db);
        }
        // Appwrite keeps a few types under their old name on both APIs.
        assert_eq!(
            error_type_to_legacy("attribute_type_invalid"),
            "attribute_type_invalid"
        );
    }

    #[test]
    fn tables_and_rows_are_renamed_but_row_data_is_not() {
        let table = json!({
            "$id": "t", "rowSecurity": true,
            "columns": [{"key": "author", "type": "relationship", "relatedTable": "people"}],
            "indexes": [{"key": "i", "columns": ["a"]}],
        });
        let legacy = model_to_legacy(table);
        assert_eq!(legacy["documentSecurity"], json!(true));
        assert_eq!(
            legacy["attributes"][0]["relatedCollection"],
            json!("people")
        );
        assert_eq!(legacy["indexes"][0]["attributes"], json!(["a"]));

        let row = json!({"columns": 3, "rowSecurity": "x", "$tableId": "t", "$id": "r"});
        let mut legacy = model_to_legacy(row);
        assert_eq!(legacy["$collectionId"], json!("t"));
        assert_eq!(legacy["columns"], json!(3));
        assert_eq!(legacy["rowSecurity"], json!("x"));
        assert!(legacy.get("$tableId").is_none());
        row_from_legacy(legacy.as_object_mut().unwrap());
        assert_eq!(legacy["$tableId"], json!("t"));
    }

    #[test]
    fn params_and_messages() {
        assert_eq!(
            message_to_legacy("Row with the requested ID could not be found."),
            "Document with the requested ID could not be found."
        );
        assert_eq!(to_legacy(PARAMS, "rowId"), "documentId");
        assert_eq!(from_legacy(PARAMS, "collectionId"), "tableId");
        assert_eq!(to_legacy(PARAMS, "name"), "name");
    }
}
