//! The two route families and the renaming between them.
//!
//! The legacy Databases API (`/v1/databases/...`) has the same operations as TablesDB
//! (`/v1/tablesdb/...`) under older names: collections, attributes and documents instead of
//! tables, columns and rows. Handlers work in TablesDB terms; this module renames request
//! parameters, response models and error types for legacy requests.

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{Extensions, Uri};
use serde_json::{Map, Value};

/// Which API a request came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// `/v1/tablesdb/...`: tables, columns, rows.
    TablesDb,
    /// `/v1/databases/...`: collections, attributes, documents.
    Legacy,
}

/// Request parameter names that differ between the families (TablesDB name, legacy name).
const PARAMS: &[(&str, &str)] = &[
    ("tableId", "collectionId"),
    ("rowId", "documentId"),
    ("relatedTableId", "relatedCollectionId"),
    ("rowSecurity", "documentSecurity"),
    ("columns", "attributes"),
    ("rows", "documents"),
];

/// Response keys that differ (TablesDB key, legacy key).
const KEYS: &[(&str, &str)] = &[
    ("$tableId", "$collectionId"),
    ("rowSecurity", "documentSecurity"),
    ("columns", "attributes"),
    ("relatedTable", "relatedCollection"),
    ("tableId", "collectionId"),
    ("rowId", "documentId"),
];

/// Phrases of the engine's error messages that name TablesDB things.
const MESSAGES: &[(&str, &str)] = &[
    ("`tableId`", "`collectionId`"),
    ("`rowId`", "`documentId`"),
    ("`relatedTableId`", "`relatedCollectionId`"),
    ("`rowSecurity`", "`documentSecurity`"),
    ("`columns`", "`attributes`"),
    ("`rows`", "`documents`"),
    (
        "Table with the requested ID",
        "Collection with the requested ID",
    ),
    (
        "A table with the requested ID",
        "A collection with the requested ID",
    ),
    (
        "Row with the requested ID",
        "Document with the requested ID",
    ),
    ("Column with the requested", "Attribute with the requested"),
    ("The requested column", "The requested attribute"),
    ("The column \"", "The attribute \""),
    ("Column \"", "Attribute \""),
    ("this table", "this collection"),
    ("row data", "document data"),
    ("Relationship columns", "Relationship attributes"),
];

impl Family {
    /// The family of a request path.
    pub(crate) fn of_path(path: &str) -> Family {
        if path.starts_with("/v1/databases") {
            Family::Legacy
        } else {
            Family::TablesDb
        }
    }

    /// The family of a request, from its original path (nested routers see the path without
    /// its `/v1/tablesdb` or `/v1/databases` prefix).
    pub(crate) fn of_request(uri: &Uri, extensions: &Extensions) -> Family {
        match extensions.get::<OriginalUri>() {
            Some(OriginalUri(original)) => Family::of_path(original.path()),
            None => Family::of_path(uri.path()),
        }
    }

    /// True for the legacy family.
    pub(crate) fn is_legacy(self) -> bool {
        self == Family::Legacy
    }

    /// The name this family gives a request parameter known by its TablesDB name.
    pub(crate) fn param(self, name: &'static str) -> &'static str {
        if self.is_legacy() {
            for (new, old) in PARAMS {
                if *new == name {
                    return old;
                }
            }
        }
        name
    }

    /// The list key of a list answer (`rows` → `documents`, `tables` → `collections`,
    /// `columns` → `attributes`).
    pub(crate) fn list_key(self, key: &'static str) -> &'static str {
        match (self, key) {
            (Family::Legacy, "rows") => "documents",
            (Family::Legacy, "tables") => "collections",
            (Family::Legacy, "columns") => "attributes",
            _ => key,
        }
    }

    /// An error type in this family's terms (`row_not_found` → `document_not_found`, ...).
    pub(crate) fn error_type(self, error_type: &str) -> String {
        if !self.is_legacy() {
            return error_type.to_owned();
        }
        let prefixes = [
            ("column_index_", "index_"),
            ("column_", "attribute_"),
            ("table_", "collection_"),
            ("row_", "document_"),
            ("COLUMN_", "ATTRIBUTE_"),
        ];
        for (new, old) in prefixes {
            if let Some(rest) = error_type.strip_prefix(new) {
                return format!("{old}{rest}");
            }
        }
        error_type.to_owned()
    }

    /// An error message in this family's terms.
    pub(crate) fn message(self, message: &str) -> String {
        if !self.is_legacy() {
            return message.to_owned();
        }
        let mut out = message.to_owned();
        for (new, old) in MESSAGES {
            if out.contains(new) {
                out = out.replace(new, old);
            }
        }
        out
    }

    /// A response model (row, table, column, index, list) in this family's terms: renames the
    /// keys that differ, recursively through `columns`/`indexes`/list items.
    pub(crate) fn model(self, value: Value) -> Value {
        if self.is_legacy() {
            rename_value(value)
        } else {
            value
        }
    }
}

fn rename_value(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(rename_map(map)),
        Value::Array(items) => Value::Array(items.into_iter().map(rename_value).collect()),
        other => other,
    }
}

/// Renames the keys of one model, keeping their order. Only containers of models (`columns`,
/// `indexes`, list keys) are entered, never user data inside a row.
fn rename_map(map: Map<String, Value>) -> Map<String, Value> {
    let is_row = map.contains_key("$tableId");
    map.into_iter()
        .map(|(k, v)| {
            if is_row {
                // A row: only the system key changes; user columns are data, left alone.
                let key = if k == "$tableId" {
                    "$collectionId".to_owned()
                } else {
                    k
                };
                return (key, v);
            }
            let key = KEYS
                .iter()
                .find(|(new, _)| *new == k)
                .map_or_else(|| k.clone(), |(_, old)| (*old).to_owned());
            let value = match k.as_str() {
                "columns" | "indexes" | "rows" | "tables" => rename_value(v),
                _ => v,
            };
            (key, value)
        })
        .collect()
}

impl<S: Send + Sync> FromRequestParts<S> for Family {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Family::of_request(&parts.uri, &parts.extensions))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_types_get_legacy_prefixes() {
        let l = Family::Legacy;
        assert_eq!(l.error_type("column_index_not_found"), "index_not_found");
        assert_eq!(l.error_type("column_not_found"), "attribute_not_found");
        assert_eq!(l.error_type("table_not_found"), "collection_not_found");
        assert_eq!(
            l.error_type("row_invalid_structure"),
            "document_invalid_structure"
        );
        assert_eq!(
            l.error_type("COLUMN_TYPE_NOT_SUPPORTED"),
            "ATTRIBUTE_TYPE_NOT_SUPPORTED"
        );
        assert_eq!(l.error_type("database_not_found"), "database_not_found");
        assert_eq!(
            l.error_type("attribute_type_invalid"),
            "attribute_type_invalid"
        );
        assert_eq!(
            Family::TablesDb.error_type("row_not_found"),
            "row_not_found"
        );
    }

    #[test]
    fn tables_and_rows_are_renamed_but_row_data_is_not() {
        let table = json!({
            "$id": "t", "rowSecurity": true,
            "columns": [{"key": "author", "type": "relationship", "relatedTable": "people"}],
            "indexes": [{"key": "i", "columns": ["a"]}],
        });
        let legacy = Family::Legacy.model(table);
        assert_eq!(legacy["documentSecurity"], json!(true));
        assert_eq!(
            legacy["attributes"][0]["relatedCollection"],
            json!("people")
        );
        assert_eq!(legacy["indexes"][0]["attributes"], json!(["a"]));

        let row = json!({"columns": 3, "rowSecurity": "x", "$tableId": "t", "$id": "r"});
        let legacy = Family::Legacy.model(row);
        assert_eq!(legacy["$collectionId"], json!("t"));
        assert_eq!(legacy["columns"], json!(3));
        assert_eq!(legacy["rowSecurity"], json!("x"));
        assert!(legacy.get("$tableId").is_none());
    }

    #[test]
    fn params_and_messages() {
        assert_eq!(
            Family::Legacy.message("Row with the requested ID could not be found."),
            "Document with the requested ID could not be found."
        );
        assert_eq!(Family::Legacy.param("rowId"), "documentId");
        assert_eq!(Family::TablesDb.param("rowId"), "rowId");
    }
}
