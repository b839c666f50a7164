//! The safety net around a version: a full backup before a destructive version
//! ([`MigrateOptions::backup_before_destructive`]) and its restore when a validation check
//! fails ([`MigrateOptions::restore_on_failed_check`]).

use std::path::{Path, PathBuf};

use crate::backup::{self, RestoreOptions};
use crate::migrate::options::MigrateOptions;
use crate::migrate::planning::plan::{OpClass, SchemaOp, VersionPlan};
use crate::{Database, Result};

/// True when the version runs a step (code the planner cannot see into) or plans a schema
/// operation that is not additive.
pub(crate) fn is_destructive(plan: &VersionPlan) -> bool {
    plan.has_step
        || plan
            .before
            .iter()
            .chain(&plan.after)
            .any(|op| op.class != OpClass::Additive)
}

/// Backs up the tables a destructive version may damage ([`tables_to_back_up`]) into a new
/// directory under the configured one. Returns the directory.
pub(crate) async fn backup_before(
    db: &Database,
    plan: &VersionPlan,
    options: &MigrateOptions,
) -> Result<Option<PathBuf>> {
    let Some(root) = &options.backup_before_destructive else {
        return Ok(None);
    };
    if plan.reconcile || !is_destructive(plan) {
        return Ok(None);
    }
    let live: Vec<String> = db.live_tables().await?.into_iter().map(|t| t.id).collect();
    let tables = tables_to_back_up(plan, &live, &options.history_table);
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let dir = root.join(format!("v{}-{stamp}", plan.version));
    let report = backup::backup(db, &dir, Some(&tables)).await?;
    tracing::info!(
        version = plan.version,
        dir = %dir.display(),
        tables = report.tables.len(),
        rows = report.rows,
        "backed up before a destructive version"
    );
    Ok(Some(dir))
}

/// The live tables a destructive version may damage: every one but the history when it runs
/// a step (code can write anywhere), else those its non-additive operations change.
fn tables_to_back_up(plan: &VersionPlan, live: &[String], history: &str) -> Vec<String> {
    live.iter()
        .filter(|id| id.as_str() != history)
        .filter(|id| {
            plan.has_step
                || plan
                    .before
                    .iter()
                    .chain(&plan.after)
                    .any(|op| op.class != OpClass::Additive && op.op.table() == id.as_str())
        })
        .cloned()
        .collect()
}

/// Puts the database back as the backup in `dir` holds it: its tables are dropped and
/// recreated with their rows, and the tables the version created are dropped.
pub(crate) async fn restore(
    db: &Database,
    dir: &Path,
    plan: &VersionPlan,
    options: &MigrateOptions,
) -> Result<()> {
    let restore = RestoreOptions::default()
        .replace(true)
        .poll_timeout(options.poll_timeout);
    let report = backup::restore_with(db, dir, &restore).await?;
    for op in &plan.before {
        if let SchemaOp::CreateTable { table } = &op.op
            && !report.tables.iter().any(|t| t.table == table.id)
        {
            match db.backend().delete_table(db.id(), &table.id).await {
                Ok(()) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
    }
    tracing::warn!(version = plan.version, dir = %dir.display(), rows = report.rows, "restored the backup taken before the version");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::planning::plan::PlannedOp;
    use crate::schema::ColumnSchema;

    fn version(has_step: bool, ops: Vec<PlannedOp>) -> VersionPlan {
        VersionPlan {
            version: 2,
            name: "v2".into(),
            checksum: None,
            has_step,
            reconcile: false,
            before: ops,
            after: Vec::new(),
            fingerprint: String::new(),
        }
    }

    fn op(table: &str, class: OpClass) -> PlannedOp {
        PlannedOp {
            op: SchemaOp::UpdateColumn {
                table: table.into(),
                column: ColumnSchema::varchar("title", 10),
            },
            class,
            reason: String::new(),
        }
    }

    #[test]
    fn only_what_a_version_may_damage_is_backed_up() {
        let live: Vec<String> = ["orm_migrations", "posts", "users"]
            .map(String::from)
            .to_vec();
        // A step may write anywhere: every table but the history.
        let step = version(true, vec![]);
        assert_eq!(
            tables_to_back_up(&step, &live, "orm_migrations"),
            ["posts", "users"]
        );
        // Schema only: the tables of the non-additive operations.
        let narrowing = version(
            false,
            vec![
                op("posts", OpClass::InPlace),
                op("users", OpClass::Additive),
            ],
        );
        assert!(is_destructive(&narrowing));
        assert_eq!(
            tables_to_back_up(&narrowing, &live, "orm_migrations"),
            ["posts"]
        );
        let additive = version(false, vec![op("users", OpClass::Additive)]);
        assert!(!is_destructive(&additive));
    }
}
