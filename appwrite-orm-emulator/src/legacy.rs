//! The two route families and the renaming between them.
//!
//! The legacy Databases API (`/v1/databases/...`) has the same operations as TablesDB
//! (`/v1/tablesdb/...`) under older names: collections, attributes and documents instead of
//! tables, columns and rows. Handlers work in TablesDB terms; this module tells the families
//! apart and renames request parameters, response models and error types for legacy requests
//! through the contract's renaming tables ([`appwrite_orm::api::legacy`]).

use appwrite_orm::api::legacy::{self, Renamed};
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{Extensions, Uri};
use serde_json::Value;

/// Which API a request came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// `/v1/tablesdb/...`: tables, columns, rows.
    TablesDb,
    /// `/v1/databases/...`: collections, attributes, documents.
    Legacy,
}

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
        self.rename(legacy::PARAMS, name)
    }

    /// The list key of a list answer (`rows` → `documents`, `tables` → `collections`,
    /// `columns` → `attributes`).
    pub(crate) fn list_key(self, key: &'static str) -> &'static str {
        self.rename(legacy::LIST_KEYS, key)
    }

    /// One of the contract's renamed names (a path segment, a key) in this family's terms.
    pub(crate) fn name(self, renamed: Renamed) -> &'static str {
        renamed.pick(self.is_legacy())
    }

    fn rename(self, table: &[Renamed], name: &'static str) -> &'static str {
        if self.is_legacy() {
            legacy::to_legacy(table, name)
        } else {
            name
        }
    }

    /// An error type in this family's terms (`row_not_found` → `document_not_found`, ...).
    pub(crate) fn error_type(self, error_type: &str) -> String {
        if self.is_legacy() {
            legacy::error_type_to_legacy(error_type)
        } else {
            error_type.to_owned()
        }
    }

    /// An error message in this family's terms.
    pub(crate) fn message(self, message: &str) -> String {
        if self.is_legacy() {
            legacy::message_to_legacy(message)
        } else {
            message.to_owned()
        }
    }

    /// A response model (row, table, column, index, list) in this family's terms: renames the
    /// keys that differ, recursively through `columns`/`indexes`/list items.
    pub(crate) fn model(self, value: Value) -> Value {
        if self.is_legacy() {
            legacy::model_to_legacy(value)
        } else {
            value
        }
    }
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
    fn params_and_messages() {
        assert_eq!(
            Family::Legacy.message("Row with the requested ID could not be found."),
            "Document with the requested ID could not be found."
        );
        assert_eq!(Family::Legacy.param("rowId"), "documentId");
        assert_eq!(Family::TablesDb.param("rowId"), "rowId");
    }
}
