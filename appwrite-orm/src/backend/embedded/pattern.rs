//! The `regex` filter's matching: patterns are compiled with the `regex` crate, checked before any
//! SQL runs, and matched in SQL by the function `aw_regex(text, pattern)`.
//!
//! The `regex` crate guarantees matching in time linear in the text, so a pattern cannot stall
//! the engine; in exchange it has no backreferences and no lookaround, which PCRE (MariaDB's
//! `REGEXP`, MongoDB's `$regex`) has.

use regex::Regex;
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

/// The SQL function that matches a text against a pattern: `aw_regex(text, pattern)`, false
/// when the text is null.
pub(super) const SQL_FUNCTION: &str = "aw_regex";

/// Registers [`SQL_FUNCTION`] on a connection.
pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        SQL_FUNCTION,
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            // Compiled once per statement: SQLite keeps it with the constant pattern argument.
            let regex = ctx.get_or_create_aux(1, |pattern| {
                let pattern = pattern.as_str().map_err(|e| e.to_string())?;
                compile(pattern).map_err(|reason| format!("invalid regular expression: {reason}"))
            })?;
            let text = ctx.get_raw(0).as_str_or_null()?;
            Ok(text.is_some_and(|t| regex.is_match(t)))
        },
    )
}

/// Compiles a pattern; on failure, the reason in one line (the `regex` crate's own message
/// spans several, with a caret under the fault).
pub(super) fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| match e {
        regex::Error::Syntax(text) => text
            .lines()
            .rev()
            .find_map(|line| line.strip_prefix("error: "))
            .unwrap_or("syntax error")
            .to_owned(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(text: Option<&str>, pattern: &str) -> bool {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        conn.query_row(
            &format!("SELECT {SQL_FUNCTION}(?1, ?2)"),
            rusqlite::params![text, pattern],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn matches_anywhere_unless_anchored() {
        assert!(matches(Some("amber-07"), "er-0"));
        assert!(matches(Some("amber-07"), "^am.*7$"));
        assert!(!matches(Some("amber-07"), "^er"));
        assert!(!matches(None, ".*"));
    }

    #[test]
    fn case_is_significant_unless_the_pattern_says_otherwise() {
        assert!(!matches(Some("Amber"), "^amber$"));
        assert!(matches(Some("Amber"), "(?i)^amber$"));
    }

    #[test]
    fn invalid_patterns_name_the_fault_in_one_line() {
        assert_eq!(compile("(").unwrap_err(), "unclosed group");
        assert_eq!(
            compile("a{2,1}").unwrap_err(),
            "invalid repetition count range, the start must be <= the end"
        );
        // PCRE features the crate does not have are refused, not misread.
        assert_eq!(
            compile(r"(a)\1").unwrap_err(),
            "backreferences are not supported"
        );
        assert_eq!(
            compile("(?=a)").unwrap_err(),
            "look-around, including look-ahead and look-behind, is not supported"
        );
    }
}
