//! One report for a run over several databases: the reports of each database's part, in the
//! order they ran, added up into one [`MigrationReport`] with a [`DatabaseReport`] per part.
//! Pure. With one database the report is that database's, with its one summary.

use std::collections::BTreeMap;
use std::fmt;

use crate::migrate::records::report::{DatabaseReport, MigrationReport, RunStatus};

/// The reports of the parts of a run (the connection's database first), added up. `not_run`
/// names the databases a failure kept the run from; each gets a warning.
pub(crate) fn combine(parts: Vec<MigrationReport>, not_run: &[String]) -> MigrationReport {
    let summaries: Vec<DatabaseReport> = parts.iter().map(summary).collect();
    let mut parts = parts.into_iter();
    let mut all = parts.next().unwrap_or_default();
    for part in parts {
        absorb(&mut all, part);
    }
    all.databases = summaries;
    for database in not_run {
        all.warnings.push(format!(
            "database {database}: not migrated, the run stopped at the error above"
        ));
    }
    all
}

/// What a part did, in brief.
fn summary(part: &MigrationReport) -> DatabaseReport {
    DatabaseReport {
        database: part.database.clone(),
        status: part.status,
        from_version: part.from_version,
        to_version: part.to_version,
        versions: part
            .versions
            .iter()
            .filter(|v| !v.reconcile)
            .map(|v| v.version)
            .collect(),
        requests: part.requests,
        created: part.requests_by_operation.contains_key("create_database"),
    }
}

/// Adds the report of another database's part to `all`, naming that database in what would
/// otherwise be ambiguous.
fn absorb(all: &mut MigrationReport, part: MigrationReport) {
    let database = part.database;
    all.status = worse(all.status, part.status);
    all.finished_at = part.finished_at;
    all.nothing_pending &= part.nothing_pending;
    all.versions.extend(part.versions);
    all.extras.extend(part.extras.into_iter().map(|mut extra| {
        extra.table = qualified(&database, &extra.table);
        extra
    }));
    let prefixed = |message: String| format!("database {database}: {message}");
    all.warnings.extend(part.warnings.into_iter().map(prefixed));
    all.errors.extend(part.errors.into_iter().map(prefixed));
    add_counts(&mut all.rows_read, part.rows_read, &database);
    add_counts(&mut all.rows_written, part.rows_written, &database);
    all.requests += part.requests;
    all.retries += part.retries;
    for (operation, n) in part.requests_by_operation {
        *all.requests_by_operation.entry(operation).or_default() += n;
    }
    all.duration += part.duration;
    if all.took_over_lock.is_none() {
        all.took_over_lock = part.took_over_lock;
    }
}

/// `<database>/<table>`: no id holds a `/`, so the name cannot be taken for a table's.
pub(crate) fn qualified(database: &str, table: &str) -> String {
    format!("{database}/{table}")
}

fn add_counts(into: &mut BTreeMap<String, u64>, counts: BTreeMap<String, u64>, database: &str) {
    for (table, n) in counts {
        *into.entry(qualified(database, &table)).or_default() += n;
    }
}

/// The status of two parts together: a failure wins, then work done.
fn worse(a: RunStatus, b: RunStatus) -> RunStatus {
    match (a, b) {
        (RunStatus::Failed, _) | (_, RunStatus::Failed) => RunStatus::Failed,
        (RunStatus::Applied, _) | (_, RunStatus::Applied) => RunStatus::Applied,
        _ => RunStatus::NothingPending,
    }
}

/// The text of a report over several databases: a line for the run, then each database with
/// its versions.
pub(crate) fn write_several(report: &MigrationReport, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let outcome = match report.status {
        RunStatus::Failed => "migration FAILED",
        RunStatus::NothingPending => "nothing pending",
        RunStatus::Applied => "migrated",
    };
    writeln!(
        f,
        "{} databases ({}): {outcome} in {} ms, {} requests, {} rows touched",
        report.databases.len(),
        report.backend,
        report.duration.as_millis(),
        report.requests,
        report.rows_touched()
    )?;
    for part in &report.databases {
        let versions = if part.from_version == part.to_version {
            format!("at version {}", part.to_version)
        } else {
            format!("version {} to {}", part.from_version, part.to_version)
        };
        writeln!(
            f,
            "database {:?}{}: {versions}, {}, {} request{}",
            part.database,
            if part.created { " (created)" } else { "" },
            part.status.as_str().replace('_', " "),
            part.requests,
            if part.requests == 1 { "" } else { "s" }
        )?;
        for v in report
            .versions
            .iter()
            .filter(|v| v.database == part.database)
        {
            write!(f, "{v}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::records::report::VersionReport;

    fn part(database: &str, status: RunStatus, versions: &[u32]) -> MigrationReport {
        MigrationReport {
            status,
            database: database.into(),
            from_version: 0,
            to_version: versions.last().copied().unwrap_or(0),
            nothing_pending: status == RunStatus::NothingPending,
            versions: versions
                .iter()
                .map(|&version| VersionReport {
                    database: database.into(),
                    version,
                    ..VersionReport::default()
                })
                .collect(),
            rows_written: BTreeMap::from([("events".to_owned(), 3)]),
            requests: 5,
            warnings: vec!["slow".into()],
            ..MigrationReport::default()
        }
    }

    #[test]
    fn one_database_is_its_own_report_with_one_summary() {
        let report = combine(vec![part("main", RunStatus::Applied, &[1, 2])], &[]);
        assert_eq!(report.database, "main");
        assert_eq!(report.rows_written["events"], 3);
        assert_eq!(report.warnings, ["slow"]);
        assert_eq!(report.databases.len(), 1);
        assert_eq!(report.databases[0].versions, [1, 2]);
        assert!(!report.databases[0].created);
    }

    #[test]
    fn several_databases_add_up_and_name_the_others() {
        let report = combine(
            vec![
                part("main", RunStatus::NothingPending, &[]),
                part("analytics", RunStatus::Failed, &[1]),
            ],
            &["logs".to_owned()],
        );
        assert_eq!(report.status, RunStatus::Failed);
        assert!(!report.nothing_pending);
        assert_eq!(report.requests, 10);
        assert_eq!(report.rows_written["events"], 3);
        assert_eq!(report.rows_written["analytics/events"], 3);
        assert_eq!(report.warnings[1], "database analytics: slow");
        assert!(report.warnings[2].starts_with("database logs: not migrated"));
        assert_eq!(
            report.version_in("analytics", 1).unwrap().database,
            "analytics"
        );
        assert!(
            report.version(1).is_none(),
            "version 1 is analytics', not main's"
        );
        let ids: Vec<&str> = report
            .databases
            .iter()
            .map(|d| d.database.as_str())
            .collect();
        assert_eq!(ids, ["main", "analytics"]);
    }

    #[test]
    fn statuses_combine_failure_first_then_work() {
        use RunStatus::*;
        assert_eq!(worse(NothingPending, Applied), Applied);
        assert_eq!(worse(Applied, Failed), Failed);
        assert_eq!(worse(NothingPending, NothingPending), NothingPending);
    }
}
