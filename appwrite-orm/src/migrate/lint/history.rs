//! The history's disagreements with the binary (what `migrate verify` and a run refuse) as
//! error findings, so that lint reports them with everything else instead of stopping.

use crate::migrate::HistoryIssue;
use crate::migrate::lint::{Finding, Severity};

/// The stable code of an issue: `history-` and its kind.
pub(super) fn code(issue: &HistoryIssue) -> &'static str {
    match issue {
        HistoryIssue::ChecksumChanged { .. } => "history-checksum-changed",
        HistoryIssue::Missing { .. } => "history-missing-version",
        HistoryIssue::OutOfOrder { .. } => "history-out-of-order",
    }
}

/// The finding of one issue of the history kept in `history_table`. A run refuses before its
/// first version while there is one, so each is an error.
pub(super) fn finding(issue: &HistoryIssue, history_table: &str) -> Finding {
    let (version, message, advice) = words(issue);
    Finding {
        code: code(issue),
        severity: Severity::Error,
        version,
        table: history_table.to_owned(),
        column: None,
        operation: "check the history against this binary (as a run does first)".to_owned(),
        rows: None,
        rows_at_least: false,
        examples: Vec::new(),
        values: Vec::new(),
        message,
        advice: advice.to_owned(),
        acknowledged: false,
    }
}

/// The version, what is wrong and what to do (the issue's own text says both at length).
fn words(issue: &HistoryIssue) -> (u32, String, &'static str) {
    match issue {
        HistoryIssue::ChecksumChanged {
            version,
            name,
            recorded,
            current,
            source,
        } => (
            *version,
            format!(
                "version {version} ({name}) was changed after it was applied: the recorded \
                 checksum is {}, {source} now has {current}",
                if recorded.is_empty() {
                    "none"
                } else {
                    recorded
                }
            ),
            "restore the applied code and put the change in a new version, or accept an edit \
             that changes nothing with `Migrator::repair` (`migrate repair`)",
        ),
        HistoryIssue::Missing {
            version,
            name,
            applied_at,
        } => (
            *version,
            format!(
                "version {version} ({name}) was applied ({applied_at}) but this binary has no \
                 migration for it"
            ),
            "deploy the binary that has this migration, or delete its history row with \
             `Migrator::forget` (if it was removed on purpose)",
        ),
        HistoryIssue::OutOfOrder {
            version,
            name,
            applied,
        } => (
            *version,
            format!(
                "version {version} ({name}) was never applied, but the database is already at \
                 version {applied}"
            ),
            "give the migration a version above the database's: migrations run in order only",
        ),
    }
}

/// The note that says what a run would do with these issues, when there are any.
pub(super) fn note(issues: &[HistoryIssue]) -> Option<String> {
    (!issues.is_empty()).then(|| {
        "the history does not match this binary: a run refuses before its first version until \
         that is fixed; the versions above the applied one were still checked"
            .to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_issue_is_an_error_with_its_own_code() {
        let issues = [
            HistoryIssue::ChecksumChanged {
                version: 2,
                name: "m2".into(),
                recorded: "a".into(),
                current: "b".into(),
                source: "src/m2.rs".into(),
            },
            HistoryIssue::Missing {
                version: 3,
                name: "m3".into(),
                applied_at: "2026-01-01".into(),
            },
            HistoryIssue::OutOfOrder {
                version: 1,
                name: "m1".into(),
                applied: 3,
            },
        ];
        let found: Vec<(&str, u32, Severity)> = issues
            .iter()
            .map(|i| finding(i, "orm_migrations"))
            .map(|f| (f.code, f.version, f.severity))
            .collect();
        assert_eq!(
            found,
            [
                ("history-checksum-changed", 2, Severity::Error),
                ("history-missing-version", 3, Severity::Error),
                ("history-out-of-order", 1, Severity::Error),
            ]
        );
        assert!(finding(&issues[0], "h").advice.contains("Migrator::repair"));
        assert!(
            finding(&issues[1], "h")
                .message
                .contains("has no migration for it")
        );
        assert!(note(&[]).is_none() && note(&issues).is_some());
    }
}
