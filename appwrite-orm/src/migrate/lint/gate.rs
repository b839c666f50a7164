//! [`MigrateOptions::lint_before_run`](crate::migrate::MigrateOptions::lint_before_run): the
//! lint a run makes before its first write, and its verdict.

use crate::migrate::Migrator;
use crate::migrate::error::MigrateError;
use crate::migrate::lint::{LINT_REQUEST_BUDGET, LintReport, Severity, run};
use crate::{Database, Result};

/// Lints `db` for `migrator`'s binary: the lines of its warnings for the run's report, or
/// [`MigrateError::Lint`] when it has errors
/// ([`LintReport::has_errors`], so that whatever that leaves out does not stop the run).
pub(crate) async fn before_run(migrator: &Migrator, db: &Database) -> Result<Vec<String>> {
    let report = run::lint(migrator, db, LINT_REQUEST_BUDGET).await?;
    verdict(report)
}

/// The warnings of a report without errors, or the error that refuses the run.
fn verdict(report: LintReport) -> Result<Vec<String>> {
    if report.has_errors() {
        tracing::warn!(findings = report.findings.len(), "lint refused the run");
        return Err(MigrateError::Lint(Box::new(report)).into());
    }
    Ok(report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| {
            let place = match &f.column {
                Some(column) => format!("{}.{column}", f.table),
                None => f.table.clone(),
            };
            format!("lint: {} v{} {place}: {}", f.code, f.version, f.message)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::lint::Finding;

    fn finding(severity: Severity) -> Finding {
        Finding {
            code: "destructive",
            severity,
            version: 2,
            table: "users".into(),
            column: Some("nick".into()),
            operation: "drop column users.nick (in the step)".into(),
            rows: Some(3),
            rows_at_least: false,
            examples: Vec::new(),
            values: Vec::new(),
            message: "3 rows hold values".into(),
            advice: "back up".into(),
            acknowledged: false,
        }
    }

    #[test]
    fn warnings_go_on_and_errors_refuse_with_the_report() {
        let mut report = LintReport {
            findings: vec![finding(Severity::Warning)],
            versions: vec![2],
            ..LintReport::default()
        };
        let lines = verdict(report.clone()).unwrap();
        assert_eq!(
            lines,
            ["lint: destructive v2 users.nick: 3 rows hold values"]
        );
        report.findings.push(finding(Severity::Error));
        let error = verdict(report).unwrap_err();
        let Some(MigrateError::Lint(carried)) = error.migrate() else {
            panic!("not a lint error: {error}");
        };
        assert_eq!(carried.findings.len(), 2);
        let text = error.to_string();
        assert!(text.contains("nothing was written"), "{text}");
        assert!(text.contains("error   destructive v2 users.nick"), "{text}");
    }
}
