//! The codes of lint findings that a migration may acknowledge with
//! `#[migration(version = N, allow = "code")]`.
//!
//! One list for both sides: the `#[migration]` macro refuses, at compile time, a code that is not
//! in [`ALLOWABLE`], and the runtime's lint gives its findings these codes. History problems
//! (codes starting with [`HISTORY_PREFIX`]) are not findings of a version and cannot be allowed:
//! they are fixed in the history (`repair`, `forget`, `baseline`). Use them through
//! `appwrite_orm::migrate::lint::codes`.

/// A new unique index over values that repeat.
pub const UNIQUE_DUPLICATES: &str = "unique-duplicates";
/// A narrowed column (size, bounds, enum elements) that stored values violate.
pub const NARROWING_VIOLATED: &str = "narrowing-violated";
/// A column becoming required while rows lack a value.
pub const REQUIRED_WITHOUT_VALUE: &str = "required-without-value";
/// A column or table dropped with the values it holds.
pub const DESTRUCTIVE: &str = "destructive";
/// A step reading a column or table that an earlier operation drops.
pub const STEP_READS_DROPPED_COLUMN: &str = "step-reads-dropped-column";
/// A relationship whose `onDelete` cascade deletes rows.
pub const RELATIONSHIP_CASCADE: &str = "relationship-cascade";

/// The start of the codes of history problems, which no migration can allow.
pub const HISTORY_PREFIX: &str = "history-";

/// A lint code a migration may allow, with what it finds in one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintCode {
    /// The stable code, as written in `allow = "..."`.
    pub code: &'static str,
    /// What a finding with this code means.
    pub meaning: &'static str,
}

/// Every code a migration may allow, in the order lint reports them.
pub const ALLOWABLE: &[LintCode] = &[
    LintCode {
        code: UNIQUE_DUPLICATES,
        meaning: "a new unique index over values that repeat",
    },
    LintCode {
        code: NARROWING_VIOLATED,
        meaning: "a size, bound or enum narrowing that stored values violate",
    },
    LintCode {
        code: REQUIRED_WITHOUT_VALUE,
        meaning: "a column becoming required while rows lack a value",
    },
    LintCode {
        code: DESTRUCTIVE,
        meaning: "a column or table dropped with the values it holds",
    },
    LintCode {
        code: STEP_READS_DROPPED_COLUMN,
        meaning: "a step reading a column or table dropped before it runs",
    },
    LintCode {
        code: RELATIONSHIP_CASCADE,
        meaning: "a relationship whose onDelete cascade deletes related rows",
    },
];

/// The entry of `code` in [`ALLOWABLE`], `None` for a code no migration may allow.
pub fn allowable(code: &str) -> Option<&'static LintCode> {
    ALLOWABLE.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_none_is_a_history_code() {
        for (i, a) in ALLOWABLE.iter().enumerate() {
            assert!(!a.code.starts_with(HISTORY_PREFIX), "{}", a.code);
            assert!(
                ALLOWABLE[i + 1..].iter().all(|b| b.code != a.code),
                "{}",
                a.code
            );
        }
        assert_eq!(allowable(DESTRUCTIVE).map(|c| c.code), Some("destructive"));
        assert_eq!(allowable("history-edited"), None);
    }
}
