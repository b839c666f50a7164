//! Appwrite's errors as the engine answers them: the same `code`, `type` and message forms.

use crate::api::{AppwriteError, error, ids, types};
use crate::{Error, Result};

pub(super) fn err<T>(code: u16, error_type: &str, message: impl Into<String>) -> Result<T> {
    Err(Error::Appwrite(AppwriteError::new(
        code, error_type, message,
    )))
}

pub(super) fn argument<T>(param: &str, reason: impl std::fmt::Display) -> Result<T> {
    err(
        400,
        types::GENERAL_ARGUMENT_INVALID,
        format!("Invalid `{param}` param: {reason}"),
    )
}

pub(super) fn query_invalid(message: impl std::fmt::Display) -> Error {
    Error::Appwrite(AppwriteError::new(
        400,
        types::GENERAL_QUERY_INVALID,
        format!("Invalid query: {message}"),
    ))
}

pub(super) fn structure(message: impl std::fmt::Display) -> Error {
    Error::Appwrite(AppwriteError::new(
        400,
        types::ROW_INVALID_STRUCTURE,
        format!("Invalid document structure: {message}"),
    ))
}

/// 400 `relationship_value_invalid`: a relationship value of the wrong shape.
pub(super) fn relationship_invalid(message: impl Into<String>) -> Error {
    Error::Appwrite(AppwriteError::new(
        400,
        types::RELATIONSHIP_VALUE_INVALID,
        message,
    ))
}

/// 403 `row_delete_restricted`: `onDelete: restrict` met related rows.
pub(super) fn delete_restricted() -> Error {
    Error::Appwrite(AppwriteError::new(
        403,
        types::ROW_DELETE_RESTRICTED,
        "Row cannot be deleted because it is referenced by another row.",
    ))
}

/// 400 `general_bad_request` with a message.
pub(super) fn bad_request(message: impl Into<String>) -> Error {
    Error::Appwrite(AppwriteError::new(400, types::GENERAL_BAD_REQUEST, message))
}

pub(super) fn database_not_found() -> Error {
    Error::Appwrite(AppwriteError::new(
        404,
        types::DATABASE_NOT_FOUND,
        "Database not found",
    ))
}

pub(super) fn table_not_found() -> Error {
    Error::Appwrite(error::table_not_found())
}

pub(super) fn row_not_found() -> Error {
    Error::Appwrite(error::row_not_found())
}

pub(super) fn row_already_exists() -> Error {
    Error::Appwrite(AppwriteError::new(
        409,
        types::ROW_ALREADY_EXISTS,
        "Row with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
    ))
}

pub(super) fn column_not_found() -> Error {
    Error::Appwrite(error::column_not_found())
}

pub(super) fn index_not_found() -> Error {
    Error::Appwrite(error::index_not_found())
}

pub(super) fn transaction_not_found() -> Error {
    Error::Appwrite(error::transaction_not_found())
}

/// A commit that met a row changed by someone else since the operation writing it was staged.
pub(super) fn transaction_conflict() -> Error {
    Error::Appwrite(AppwriteError::new(
        409,
        types::TRANSACTION_CONFLICT,
        "The transaction has a conflict. Please resolve the conflict and try again.",
    ))
}

/// Checks an id that goes into a route, as Appwrite's `UID` validator does.
pub(super) fn check_id(param: &str, id: &str) -> Result<()> {
    ids::check_id(id).or_else(|reason| {
        err(
            400,
            types::GENERAL_ARGUMENT_INVALID,
            ids::invalid_id_message(param, &reason),
        )
    })
}

/// Checks an id that may also be the literal `unique()`.
pub(super) fn check_custom_id(param: &str, id: &str) -> Result<()> {
    if id == crate::backend::UNIQUE_ID {
        Ok(())
    } else {
        check_id(param, id)
    }
}
