//! Appwrite's id and key rule, checked at compile time.
//!
//! The same rule as `appwrite_orm::schema::check_id` / `check_key`, re-implemented because a
//! proc-macro crate cannot depend on the runtime crate (which depends on it). The messages
//! match the runtime's, so a user sees the same words at compile time and in a schema report.

/// Longest id or key (`appwrite_orm::schema::limits::MAX_KEY_LEN`).
pub(crate) const MAX_KEY_LEN: usize = 36;

/// Longest table name (`limits::MAX_NAME_LEN`).
pub(crate) const MAX_NAME_LEN: usize = 128;

/// Largest varchar size (`limits::MAX_VARCHAR_SIZE`).
pub(crate) const MAX_VARCHAR_SIZE: u64 = 16_381;

/// Largest legacy string size (`limits::MAX_STRING_SIZE`).
pub(crate) const MAX_STRING_SIZE: u64 = 1_073_741_824;

/// Size a `String` column gets when no `size` is given (`ColumnType for String`).
pub(crate) const DEFAULT_STRING_SIZE: u64 = 255;

/// Elements of an enum column (`limits::MAX_ENUM_ELEMENTS`).
pub(crate) const MAX_ENUM_ELEMENTS: usize = 100;

/// Characters of one enum element (`limits::MAX_ENUM_ELEMENT_LEN`).
pub(crate) const MAX_ENUM_ELEMENT_LEN: usize = 255;

/// Checks an id (table id, related table id): 1 to 36 characters of `[A-Za-z0-9._-]`, not
/// starting with `_`, `.` or `-`.
pub(crate) fn check_id(id: &str) -> Result<(), String> {
    let len = id.chars().count();
    if !(1..=MAX_KEY_LEN).contains(&len) {
        return Err(format!("must be 1 to {MAX_KEY_LEN} characters, got {len}"));
    }
    if let Some(first @ ('_' | '.' | '-')) = id.chars().next() {
        return Err(format!("must not start with '{first}'"));
    }
    match id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        Some(bad) => Err(format!(
            "contains {bad:?} which is not one of A-Z a-z 0-9 . _ -"
        )),
        None => Ok(()),
    }
}

/// Checks a column or index key: the id rule, and no leading `$` (system fields).
pub(crate) fn check_key(key: &str) -> Result<(), String> {
    if key.starts_with('$') {
        return Err("must not start with '$' (reserved for system fields)".to_owned());
    }
    check_id(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_appwrites_rule() {
        assert!(check_key("view_count").is_ok());
        assert!(check_key("a.b-c_9").is_ok());
        assert_eq!(check_key("_x").unwrap_err(), "must not start with '_'");
        assert_eq!(
            check_key("$id").unwrap_err(),
            "must not start with '$' (reserved for system fields)"
        );
        assert_eq!(
            check_key("").unwrap_err(),
            "must be 1 to 36 characters, got 0"
        );
        assert_eq!(
            check_key(&"a".repeat(37)).unwrap_err(),
            "must be 1 to 36 characters, got 37"
        );
        assert_eq!(
            check_key("café").unwrap_err(),
            "contains 'é' which is not one of A-Z a-z 0-9 . _ -"
        );
    }
}
