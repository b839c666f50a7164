//! Ids: checked before they go into a URL, and made on the client so that creates can be
//! retried safely.

use crate::api::{AppwriteError, ids, types};
use crate::backend::UNIQUE_ID;
use crate::{Error, Result};

/// A new id like the SDKs' `ID.unique()` (20 hex characters, see
/// [`new_unique_id`](crate::backend::new_unique_id)).
///
/// Made here rather than by the server (`unique()`) so that a create whose answer was lost can
/// be repeated with the same id: the repeat then meets `409` and the existing row is returned
/// instead of a duplicate being created.
pub(crate) fn new_id() -> String {
    crate::backend::new_unique_id()
}

/// Refuses an id that breaks Appwrite's id rule, with the error the server would answer
/// (`400 general_argument_invalid`, naming the parameter), without sending anything. Checked
/// ids cannot contain `/` or start with `.`, so they cannot change the route they go into.
pub(crate) fn check_id(param: &str, id: &str) -> Result<()> {
    ids::check_id(id).map_err(|reason| argument_invalid(ids::invalid_id_message(param, &reason)))
}

/// Like [`check_id`] for column and index keys (which also may not start with `$`).
pub(crate) fn check_key(param: &str, key: &str) -> Result<()> {
    ids::check_key(key).map_err(|reason| argument_invalid(ids::invalid_key_message(param, &reason)))
}

/// An id that may be [`UNIQUE_ID`]: that becomes a client-made id, others are checked.
pub(crate) fn custom_id(param: &str, id: &str) -> Result<String> {
    if id == UNIQUE_ID {
        Ok(new_id())
    } else {
        check_id(param, id)?;
        Ok(id.to_owned())
    }
}

/// The `400 general_argument_invalid` the server answers a broken id or key with.
fn argument_invalid(message: String) -> Error {
    Error::Appwrite(AppwriteError::new(
        400,
        types::GENERAL_ARGUMENT_INVALID,
        message,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_look_like_the_sdks() {
        let id = new_id();
        assert_eq!(id.len(), 20);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(crate::schema::check_id(&id).is_ok());
        assert_ne!(new_id(), new_id());
    }

    #[test]
    fn ids_that_would_change_the_route_are_refused() {
        for bad in ["../x", "a/b", "", ".", "..", "a?b", "a#b", "a%2Fb"] {
            let e = check_id("rowId", bad).unwrap_err();
            assert_eq!(
                e.error_type(),
                Some(types::GENERAL_ARGUMENT_INVALID),
                "{bad}"
            );
        }
        assert!(check_key("key", "$id").is_err());
        assert_eq!(custom_id("rowId", "r1").unwrap(), "r1");
        assert_eq!(custom_id("rowId", UNIQUE_ID).unwrap().len(), 20);
    }
}
