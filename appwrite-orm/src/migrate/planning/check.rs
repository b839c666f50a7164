//! The history against the binary (Flyway's `validate`), pure: edited migrations, applied
//! versions the binary lacks, new migrations below the applied version.

use std::collections::BTreeMap;

use crate::migrate::error::HistoryIssue;
use crate::migrate::planning::plan::VersionInfo;
use crate::migrate::records::history::{HistoryEntry, VersionStatus};
use crate::migrate::registry::MigrationDef;

/// What the history says, checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Checked {
    /// The highest applied version.
    pub(crate) applied: u32,
    /// Disagreements; the run stops when there is one.
    pub(crate) issues: Vec<HistoryIssue>,
}

/// Checks the history rows against the binary's versions and migrations.
pub(crate) fn check_history(
    versions: &[VersionInfo],
    migrations: &[MigrationDef],
    entries: &BTreeMap<u32, HistoryEntry>,
) -> Checked {
    let applied = entries
        .values()
        .filter(|e| e.status == VersionStatus::Applied)
        .map(|e| e.version)
        .max()
        .unwrap_or(0);
    let mut issues = Vec::new();
    for entry in entries.values() {
        if entry.status != VersionStatus::Applied {
            // A failed or interrupted version is re-run with the code as it is now: a fix of
            // the failing step is what is expected between two attempts.
            continue;
        }
        match migrations.iter().find(|m| m.version == entry.version) {
            Some(m) if m.checksum != entry.checksum => issues.push(HistoryIssue::ChecksumChanged {
                version: entry.version,
                name: m.name.clone(),
                recorded: entry.checksum.clone(),
                current: m.checksum.clone(),
                source: m.source.clone(),
            }),
            Some(_) => {}
            None => {
                let known = versions.iter().any(|v| v.version == entry.version);
                // A schema-only version has nothing to lose but its `since` values; it is
                // missing only when the database is past everything the binary knows.
                if !entry.checksum.is_empty() || (!known && entry.version > max_version(versions)) {
                    issues.push(HistoryIssue::Missing {
                        version: entry.version,
                        name: entry.name.clone(),
                        applied_at: entry.finished_at.clone(),
                    });
                }
            }
        }
    }
    for v in versions
        .iter()
        .filter(|v| v.has_step && v.version < applied)
    {
        let done = entries
            .get(&v.version)
            .is_some_and(|e| e.status == VersionStatus::Applied);
        if !done {
            issues.push(HistoryIssue::OutOfOrder {
                version: v.version,
                name: v.name.clone(),
                applied,
            });
        }
    }
    Checked { applied, issues }
}

fn max_version(versions: &[VersionInfo]) -> u32 {
    versions.iter().map(|v| v.version).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::test_support::history_entry;

    fn entry(version: u32, checksum: &str, status: VersionStatus) -> HistoryEntry {
        history_entry(version, &format!("m{version}"), checksum, status)
    }

    fn def(version: u32, checksum: &str) -> MigrationDef {
        MigrationDef::new(version, format!("m{version}"), |_m| {
            Box::pin(async { Ok(()) })
        })
        .with_checksum(checksum)
    }

    fn info(version: u32, has_step: bool) -> VersionInfo {
        VersionInfo {
            version,
            name: format!("m{version}"),
            checksum: None,
            has_step,
        }
    }

    fn entries(list: Vec<HistoryEntry>) -> BTreeMap<u32, HistoryEntry> {
        list.into_iter().map(|e| (e.version, e)).collect()
    }

    #[test]
    fn a_matching_history_passes() {
        let checked = check_history(
            &[info(1, false), info(2, true), info(3, true)],
            &[def(2, "a"), def(3, "b")],
            &entries(vec![
                entry(1, "", VersionStatus::Applied),
                entry(2, "a", VersionStatus::Applied),
                entry(3, "b", VersionStatus::Failed),
            ]),
        );
        assert_eq!(
            checked,
            Checked {
                applied: 2,
                issues: vec![]
            }
        );
    }

    #[test]
    fn an_edited_migration_is_reported() {
        let checked = check_history(
            &[info(1, true)],
            &[def(1, "new")],
            &entries(vec![entry(1, "old", VersionStatus::Applied)]),
        );
        assert!(matches!(
            &checked.issues[..],
            [HistoryIssue::ChecksumChanged { version: 1, recorded, current, .. }]
                if recorded == "old" && current == "new"
        ));
        assert!(checked.issues[0].to_string().contains("Migrator::repair"));
    }

    #[test]
    fn a_failed_migration_may_change() {
        let checked = check_history(
            &[info(1, true)],
            &[def(1, "fixed")],
            &entries(vec![entry(1, "broken", VersionStatus::Failed)]),
        );
        assert!(checked.issues.is_empty());
        assert_eq!(checked.applied, 0);
    }

    #[test]
    fn applied_versions_missing_from_the_binary_are_reported() {
        let checked = check_history(
            &[info(1, true)],
            &[def(1, "a")],
            &entries(vec![
                entry(1, "a", VersionStatus::Applied),
                entry(2, "b", VersionStatus::Applied),
                entry(3, "", VersionStatus::Applied),
            ]),
        );
        let missing: Vec<u32> = checked
            .issues
            .iter()
            .map(|i| match i {
                HistoryIssue::Missing { version, .. } => *version,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(missing, [2, 3]);
        assert!(
            checked.issues[0]
                .to_string()
                .contains("Migrator::forget(2)")
        );
    }

    #[test]
    fn schema_only_versions_may_disappear_below_the_binarys_versions() {
        // Version 2 only added columns; the binary dropped its `since = 2` marks.
        let checked = check_history(
            &[info(1, false), info(3, true)],
            &[def(3, "c")],
            &entries(vec![
                entry(1, "", VersionStatus::Applied),
                entry(2, "", VersionStatus::Applied),
            ]),
        );
        assert!(checked.issues.is_empty(), "{:?}", checked.issues);
    }

    #[test]
    fn new_migrations_below_the_applied_version_are_refused() {
        let checked = check_history(
            &[info(1, true), info(2, true), info(3, true)],
            &[def(1, "a"), def(2, "b"), def(3, "c")],
            &entries(vec![
                entry(1, "a", VersionStatus::Applied),
                entry(3, "c", VersionStatus::Applied),
            ]),
        );
        assert!(matches!(
            &checked.issues[..],
            [HistoryIssue::OutOfOrder {
                version: 2,
                applied: 3,
                ..
            }]
        ));
    }
}
