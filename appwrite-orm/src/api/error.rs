//! Appwrite's errors in its own terms: `{ message, code, type }` and the type identifiers.
//!
//! The engine and the emulator produce these, the HTTP backend decodes them, and callers match
//! on [`types`]; none of them spells a type identifier of its own.

use std::fmt;

/// An error in Appwrite's own terms: `{ message, code, type }`.
///
/// `error_type` is Appwrite's identifier (`row_not_found`, `general_query_invalid`, ...). The
/// constants in [`types`] name the ones this crate produces or inspects.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AppwriteError {
    /// HTTP status code (400, 404, 409, ...).
    pub code: u16,
    /// Appwrite's error type identifier.
    #[serde(rename = "type")]
    pub error_type: String,
    /// Human-readable message, in Appwrite's wording.
    pub message: String,
}

impl AppwriteError {
    /// Builds an error from its parts.
    pub fn new(code: u16, error_type: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            error_type: error_type.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for AppwriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} {})", self.message, self.code, self.error_type)
    }
}

impl std::error::Error for AppwriteError {}

/// `404 table_not_found`: `Table with the requested ID could not be found.`
pub fn table_not_found() -> AppwriteError {
    requested_id_not_found(types::TABLE_NOT_FOUND, "Table")
}

/// `404 row_not_found`: `Row with the requested ID could not be found.`
pub fn row_not_found() -> AppwriteError {
    requested_id_not_found(types::ROW_NOT_FOUND, "Row")
}

/// `404 column_not_found`: `Column with the requested ID could not be found.`
pub fn column_not_found() -> AppwriteError {
    requested_id_not_found(types::COLUMN_NOT_FOUND, "Column")
}

/// `404 column_index_not_found`: `Index with the requested ID could not be found.`
pub fn index_not_found() -> AppwriteError {
    requested_id_not_found(types::COLUMN_INDEX_NOT_FOUND, "Index")
}

/// `404 transaction_not_found`: `Transaction with the requested ID could not be found.`
pub fn transaction_not_found() -> AppwriteError {
    requested_id_not_found(types::TRANSACTION_NOT_FOUND, "Transaction")
}

/// The 404 Appwrite words the same way for every resource looked up by id.
fn requested_id_not_found(error_type: &str, resource: &str) -> AppwriteError {
    AppwriteError::new(
        404,
        error_type,
        format!("{resource} with the requested ID could not be found."),
    )
}

/// Utopia's `Range` validator description: `Value must be a valid range between 1 and
/// 16,381` (numbers with thousands separators).
pub fn range_description(min: i64, max: i64) -> String {
    format!(
        "Value must be a valid range between {} and {}",
        thousands(min),
        thousands(max)
    )
}

/// A number as Utopia's messages print it: `16,381`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Appwrite error type identifiers (TablesDB names) used by this crate.
pub mod types {
    #![allow(missing_docs)]
    pub const DATABASE_NOT_FOUND: &str = "database_not_found";
    pub const DATABASE_ALREADY_EXISTS: &str = "database_already_exists";
    pub const TABLE_NOT_FOUND: &str = "table_not_found";
    pub const TABLE_ALREADY_EXISTS: &str = "table_already_exists";
    pub const ROW_NOT_FOUND: &str = "row_not_found";
    pub const ROW_ALREADY_EXISTS: &str = "row_already_exists";
    pub const ROW_INVALID_STRUCTURE: &str = "row_invalid_structure";
    pub const ROW_MISSING_DATA: &str = "row_missing_data";
    pub const ROW_MISSING_PAYLOAD: &str = "row_missing_payload";
    pub const COLUMN_NOT_FOUND: &str = "column_not_found";
    pub const COLUMN_ALREADY_EXISTS: &str = "column_already_exists";
    pub const COLUMN_LIMIT_EXCEEDED: &str = "column_limit_exceeded";
    pub const COLUMN_NOT_AVAILABLE: &str = "column_not_available";
    pub const COLUMN_UNKNOWN: &str = "column_unknown";
    pub const COLUMN_TYPE_INVALID: &str = "column_type_invalid";
    pub const COLUMN_DEFAULT_UNSUPPORTED: &str = "column_default_unsupported";
    pub const COLUMN_VALUE_INVALID: &str = "column_value_invalid";
    pub const COLUMN_INVALID_RESIZE: &str = "column_invalid_resize";
    pub const COLUMN_INDEX_NOT_FOUND: &str = "column_index_not_found";
    pub const COLUMN_INDEX_ALREADY_EXISTS: &str = "column_index_already_exists";
    pub const COLUMN_INDEX_LIMIT_EXCEEDED: &str = "column_index_limit_exceeded";
    pub const COLUMN_INDEX_INVALID: &str = "column_index_invalid";
    pub const COLUMN_INDEX_DEPENDENCY: &str = "column_index_dependency";
    pub const ATTRIBUTE_TYPE_INVALID: &str = "attribute_type_invalid";
    pub const GENERAL_ARGUMENT_INVALID: &str = "general_argument_invalid";
    pub const GENERAL_QUERY_INVALID: &str = "general_query_invalid";
    pub const GENERAL_CURSOR_NOT_FOUND: &str = "general_cursor_not_found";
    pub const GENERAL_BAD_REQUEST: &str = "general_bad_request";
    pub const RELATIONSHIP_VALUE_INVALID: &str = "relationship_value_invalid";
    /// A delete met `onDelete: restrict` with related rows (403).
    pub const ROW_DELETE_RESTRICTED: &str = "row_delete_restricted";
    pub const DATABASE_QUERY_ORDER_NULL: &str = "database_query_order_null";
    pub const TRANSACTION_NOT_FOUND: &str = "transaction_not_found";
    pub const TRANSACTION_INVALID: &str = "transaction_invalid";
    pub const TRANSACTION_LIMIT_EXCEEDED: &str = "transaction_limit_exceeded";
    pub const TRANSACTION_NOT_READY: &str = "transaction_not_ready";
    pub const TRANSACTION_FAILED: &str = "transaction_failed";
    pub const TRANSACTION_EXPIRED: &str = "transaction_expired";
    /// A commit met a row that changed after the operation writing it was staged (409).
    pub const TRANSACTION_CONFLICT: &str = "transaction_conflict";
}
