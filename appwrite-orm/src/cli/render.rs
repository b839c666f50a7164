//! Human output: tables and summaries for the terminal. JSON output is the report structs
//! serialised, built in [`json`].

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::migrate::{DryRunReport, MigrationStatus, Plan, RevertPlan};

/// `status` as a table, with the issues below it; with several databases, one such section
/// per database under its name.
pub fn status(status: &MigrationStatus) -> String {
    per_database(status.all_databases(), |s| &s.database, status_of_one)
}

/// One section per database when there are several (headed `database "id"`), else the one
/// database's text alone, as before databases could be named.
fn per_database<'a, T: 'a>(
    all: impl Iterator<Item = &'a T>,
    database: impl Fn(&T) -> &str,
    render: impl Fn(&T) -> String,
) -> String {
    let all: Vec<&T> = all.collect();
    if all.len() == 1 {
        return render(all[0]);
    }
    all.iter()
        .map(|one| format!("database {:?}\n{}", database(one), render(one)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn status_of_one(status: &MigrationStatus) -> String {
    let mut out = format!(
        "applied version {} · target {} · {}\n\n",
        status.applied,
        status.target,
        if status.up_to_date {
            "up to date"
        } else {
            "not up to date"
        }
    );
    let _ = writeln!(
        out,
        "{:>7}  {:<28}  {:<16}  {:<29}  {:>9}  {:>8}",
        "VERSION", "NAME", "STATE", "APPLIED AT", "DURATION", "ROWS"
    );
    for line in &status.versions {
        let _ = writeln!(
            out,
            "{:>7}  {:<28}  {:<16}  {:<29}  {:>9}  {:>8}",
            line.version,
            truncate(&line.name, 28),
            line.state.as_str(),
            if line.applied_at.is_empty() {
                "-"
            } else {
                &line.applied_at
            },
            line.duration_ms
                .map_or_else(|| "-".to_owned(), |ms| format!("{ms} ms")),
            line.rows_touched
                .map_or_else(|| "-".to_owned(), |n| n.to_string()),
        );
        if !line.error.is_empty() {
            let _ = writeln!(out, "{:>7}  error: {}", "", line.error);
        }
        if !line.allowed.is_empty() {
            let _ = writeln!(out, "{:>7}  lint allowed: {}", "", line.allowed.join(", "));
        }
    }
    if !status.issues.is_empty() {
        out.push_str("\nissues:\n");
        for issue in &status.issues {
            let _ = writeln!(out, "  - {issue}");
        }
    }
    out
}

/// `plan` of every database: the operations of every pending version, one section per
/// database when there are several.
pub fn plans(status: &MigrationStatus) -> String {
    per_database(
        status.all_databases(),
        |s| &s.database,
        |s| plan(s.plan.as_ref()),
    )
}

/// `plan`: the operations of every pending version.
pub fn plan(plan: Option<&Plan>) -> String {
    let Some(plan) = plan else {
        return "no plan: the history does not match this binary (see `status`)\n".to_owned();
    };
    if plan.is_empty() && plan.errors.is_empty() {
        return format!("nothing to do: the schema is at version {}\n", plan.from);
    }
    let mut out = format!("from version {} to {}\n", plan.from, plan.to);
    for v in &plan.versions {
        let label = if v.reconcile {
            "reconcile (no pending version)".to_owned()
        } else {
            format!("version {} ({})", v.version, v.name)
        };
        let _ = writeln!(out, "\n{label}{}", if v.has_step { " + step" } else { "" });
        for op in v.before.iter().chain(&v.after) {
            let _ = writeln!(out, "  [{}] {} — {}", op.class, op.op, op.reason);
        }
    }
    for e in &plan.errors {
        let _ = writeln!(out, "\nerror: {e}");
    }
    for x in &plan.extras {
        let _ = writeln!(out, "note: {x}");
    }
    out
}

/// `up --dry-run`: per version the schema operations and what the step would write; one
/// section per database when there are several.
pub fn dry_run(report: &DryRunReport) -> String {
    per_database(report.all_databases(), |r| &r.database, dry_run_of_one)
}

fn dry_run_of_one(report: &DryRunReport) -> String {
    if report.nothing_pending {
        return format!(
            "dry run: nothing pending (version {}); nothing written\n",
            report.from_version
        );
    }
    let mut out = format!(
        "dry run: version {} -> {} (nothing written)\n",
        report.from_version, report.to_version
    );
    for v in &report.versions {
        let _ = writeln!(out, "\nversion {} ({})", v.version, v.name);
        for op in &v.schema {
            let _ = writeln!(out, "  [{}] {}", op.class, op.op);
        }
        for (table, rows) in &v.rows_by_table {
            let _ = writeln!(out, "  would write {rows} row(s) of {table}");
        }
        for w in &v.sample {
            let target = w.target.as_deref().unwrap_or("");
            let _ = writeln!(
                out,
                "    {} {} {} {}",
                w.operation,
                w.table,
                target,
                truncate(&w.data.to_string(), 80)
            );
        }
        if v.writes > v.sample.len() {
            let _ = writeln!(out, "    … {} more write(s)", v.writes - v.sample.len());
        }
        if let Some(e) = &v.step_error {
            let _ = writeln!(out, "  step stopped in the dry run: {e}");
        }
    }
    for e in &report.plan_errors {
        let _ = writeln!(out, "\nerror: {e}");
    }
    for n in &report.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}

/// `down` without `--yes`: the revert plan and what the flags would change.
pub fn revert_plan(plan: &RevertPlan, drop_schema: bool) -> String {
    let mut out = plan.to_string();
    if plan.is_empty() {
        return out;
    }
    if let Some(refusal) = plan.refusal() {
        let _ = writeln!(out, "\nthis revert cannot run: {refusal}");
        return out;
    }
    let drops = plan.drops().count();
    let what = if drops == 0 {
        String::new()
    } else if drop_schema {
        let tables = plan.tables_losing_data();
        let backup = if tables.is_empty() {
            String::new()
        } else {
            format!(" after a backup of {}", tables.join(", "))
        };
        format!("; with --drop-schema the {drops} schema addition(s) above are dropped{backup}")
    } else {
        format!("; the {drops} schema addition(s) above are kept (add --drop-schema to drop them)")
    };
    let _ = writeln!(out, "\nnothing was changed: pass --yes to revert{what}");
    out
}

/// `status` as JSON: with several databases, each database's (`database` names it) under
/// `other_databases` after the connection's.
pub fn status_json(status: &MigrationStatus) -> Value {
    let mut value = status_json_of_one(status);
    if !status.other_databases.is_empty() {
        value["database"] = json!(status.database);
        value["other_databases"] = status
            .other_databases
            .iter()
            .map(|other| {
                let mut v = status_json_of_one(other);
                v["database"] = json!(other.database);
                v
            })
            .collect();
    }
    value
}

fn status_json_of_one(status: &MigrationStatus) -> Value {
    json!({
        "applied": status.applied,
        "target": status.target,
        "up_to_date": status.up_to_date,
        "versions": status.versions,
        "issues": status.issues.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "plan": status.plan,
    })
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
