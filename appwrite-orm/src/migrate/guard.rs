//! The safety net around a version: a full backup before a destructive version
//! ([`MigrateOptions::backup_before_destructive`]) and its restore when a validation check
//! fails ([`MigrateOptions::restore_on_failed_check`]).

use std::path::{Path, PathBuf};

use super::options::MigrateOptions;
use super::plan::{OpClass, SchemaOp, VersionPlan};
use crate::backup::{self, RestoreOptions};
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

/// Backs up every table but the history into a new directory under the configured one, when
/// the version is destructive. Returns the directory.
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
    let tables: Vec<String> = backup::all_tables(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .filter(|id| *id != options.history_table)
        .collect();
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
