//! Appwrite's id and key rule, and the words a server refuses a broken one with.
//!
//! An id (database, table, row, transaction, related table) is 1 to 36 characters of
//! `A-Z a-z 0-9 . _ -` and does not start with `_`, `.` or `-`. A key (column, index, two-way
//! key) follows the same rule; a leading `$` gets its own reason because those keys are
//! Appwrite's system fields.

use crate::limits::MAX_KEY_LEN;

/// Checks an id against Appwrite's rule; `Err` says what is wrong (`must not start with '_'`).
///
/// The `unique()` placeholder of create requests is not an id and is refused here.
pub fn check_id(id: &str) -> Result<(), String> {
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

/// Checks a column or index key against Appwrite's rule; `Err` says what is wrong.
///
/// Same rule as [`check_id`]; a leading `$` gets its own reason because those keys are
/// reserved for Appwrite's system fields.
pub fn check_key(key: &str) -> Result<(), String> {
    if key.starts_with('$') {
        return Err("must not start with '$' (reserved for system fields)".to_owned());
    }
    check_id(key)
}

/// The message of the `400 general_argument_invalid` a server answers when parameter `param`
/// holds a broken id: the words of Appwrite's `UID` validator, then `reason` (from
/// [`check_id`]) in parentheses, which says which part of the rule broke.
pub fn invalid_id_message(param: &str, reason: &str) -> String {
    invalid_message(param, "UID", reason)
}

/// Like [`invalid_id_message`] for a broken key (Appwrite's `Key` validator, whose words start
/// with `Parameter`); `reason` comes from [`check_key`].
pub fn invalid_key_message(param: &str, reason: &str) -> String {
    invalid_message(param, "Parameter", reason)
}

fn invalid_message(param: &str, subject: &str, reason: &str) -> String {
    format!(
        "Invalid `{param}` param: {subject} must contain at most {MAX_KEY_LEN} chars. Valid \
         chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special \
         char ({reason})"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks each input against what `check` says of it: `None`, accepted; `Some(reason)`,
    /// refused for that reason.
    fn assert_reasons(check: fn(&str) -> Result<(), String>, cases: &[(&str, Option<&str>)]) {
        for &(input, reason) in cases {
            let want = reason.map_or(Ok(()), |r| Err(r.to_owned()));
            assert_eq!(check(input), want, "{input:?}");
        }
    }

    #[test]
    fn check_id_reasons() {
        let (longest, too_long) = ("a".repeat(36), "a".repeat(40));
        assert_reasons(
            check_id,
            &[
                ("a", None),
                ("A.b_c-9", None),
                (&longest, None),
                (&too_long, Some("must be 1 to 36 characters, got 40")),
                ("", Some("must be 1 to 36 characters, got 0")),
                ("_a", Some("must not start with '_'")),
                (".a", Some("must not start with '.'")),
                ("-a", Some("must not start with '-'")),
                (
                    "a/b",
                    Some("contains '/' which is not one of A-Z a-z 0-9 . _ -"),
                ),
            ],
        );
        assert!(check_id("unique()").is_err());
        assert!(check_id("é").is_err());
        assert!(check_id("$id").is_err());
    }

    #[test]
    fn check_key_reasons() {
        let too_long = "a".repeat(37);
        assert_reasons(
            check_key,
            &[
                ("name", None),
                ("view_count", None),
                ("a.b-c_9", None),
                ("_x", Some("must not start with '_'")),
                (
                    "$id",
                    Some("must not start with '$' (reserved for system fields)"),
                ),
                ("", Some("must be 1 to 36 characters, got 0")),
                (&too_long, Some("must be 1 to 36 characters, got 37")),
                (
                    "a b",
                    Some("contains ' ' which is not one of A-Z a-z 0-9 . _ -"),
                ),
                (
                    "café",
                    Some("contains 'é' which is not one of A-Z a-z 0-9 . _ -"),
                ),
            ],
        );
    }

    #[test]
    fn refusals_use_the_servers_words() {
        assert_eq!(
            invalid_id_message("rowId", "must not start with '_'"),
            "Invalid `rowId` param: UID must contain at most 36 chars. Valid chars are a-z, \
             A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char (must \
             not start with '_')"
        );
        assert_eq!(
            invalid_key_message(
                "key",
                "must not start with '$' (reserved for system fields)"
            ),
            "Invalid `key` param: Parameter must contain at most 36 chars. Valid chars are \
             a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char \
             (must not start with '$' (reserved for system fields))"
        );
    }
}
