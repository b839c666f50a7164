//! The safety net around a version: a full backup before a destructive version
//! ([`MigrateOptions::backup_before_destructive`]), or before every version that changes
//! something with [`MigrateOptions::restore_on_failure`]; and its restore when a validation
//! check fails ([`MigrateOptions::restore_on_failed_check`]) or, with `restore_on_failure`,
//! when anything of the version fails.

use std::path::{Path, PathBuf};

use crate::backup::{self, RestoreOptions};
use crate::migrate::error::MigrateError;
use crate::migrate::options::MigrateOptions;
use crate::migrate::planning::plan::{OpClass, SchemaOp, VersionPlan};
use crate::schema::ColumnKind;
use crate::{Database, Error, Result};

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

/// Where the backups taken before versions go: `backup_before_destructive`, or, when failed
/// versions are restored, the helpers' backup directory (the revert's fallback too).
fn backup_root(options: &MigrateOptions) -> Option<&Path> {
    let fallback = options
        .backups
        .as_deref()
        .filter(|_| options.restore_on_failure);
    options.backup_before_destructive.as_deref().or(fallback)
}

/// Refuses `restore_on_failure` without any backup directory, before a run touches anything:
/// no failed version could be restored.
pub(crate) fn check_restore_settings(options: &MigrateOptions) -> Result<()> {
    if options.restore_on_failure && backup_root(options).is_none() {
        return Err(MigrateError::RestoreWithoutBackup.into());
    }
    Ok(())
}

/// True when a backup is taken before the version: a destructive one always (given a
/// directory); with `restore_on_failure`, any that changes something, so that a failed
/// additive operation is undone as well.
fn needs_backup(plan: &VersionPlan, options: &MigrateOptions) -> bool {
    let changes = !(plan.before.is_empty() && plan.after.is_empty());
    !plan.reconcile && (is_destructive(plan) || (options.restore_on_failure && changes))
}

/// Backs up the tables the version may damage ([`tables_to_back_up`]), and the tables linked
/// to them by relationships ([`with_related_tables`]), into a new directory under the
/// configured one. Returns the directory.
pub(crate) async fn backup_before(
    db: &Database,
    plan: &VersionPlan,
    options: &MigrateOptions,
) -> Result<Option<PathBuf>> {
    let Some(root) = backup_root(options) else {
        return Ok(None);
    };
    if !needs_backup(plan, options) {
        return Ok(None);
    }
    let live = db.live_tables().await?;
    let ids: Vec<String> = live.iter().map(|t| t.id.clone()).collect();
    let chosen = tables_to_back_up(plan, &ids, options);
    let tables = with_related_tables(chosen, &relationship_edges(&live));
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let dir = root.join(format!("v{}-{stamp}", plan.version));
    let report = backup::backup(db, &dir, Some(&tables)).await?;
    tracing::info!(
        version = plan.version,
        dir = %dir.display(),
        tables = report.tables.len(),
        rows = report.rows,
        "backed up before the version"
    );
    Ok(Some(dir))
}

/// The live tables a version may damage: every one but the history when it runs a step (code
/// can write anywhere), else those its non-additive operations change; with
/// `restore_on_failure`, those all its operations change (a failed version is undone by
/// restoring them).
fn tables_to_back_up(plan: &VersionPlan, live: &[String], options: &MigrateOptions) -> Vec<String> {
    let counted = |class: OpClass| options.restore_on_failure || class != OpClass::Additive;
    live.iter()
        .filter(|id| id.as_str() != options.history_table)
        .filter(|id| {
            plan.has_step
                || plan
                    .before
                    .iter()
                    .chain(&plan.after)
                    .any(|op| counted(op.class) && op.op.table() == id.as_str())
        })
        .cloned()
        .collect()
}

/// Each live table's relationship columns as `(table, related table)`, both sides included
/// (a related table that no longer exists is left out: there is nothing of it to back up).
fn relationship_edges(live: &[crate::api::Table]) -> Vec<(String, String)> {
    live.iter()
        .flat_map(|t| {
            t.columns.iter().filter_map(|c| match &c.schema.kind {
                ColumnKind::Relationship(rel) => Some((t.id.clone(), rel.related_table.clone())),
                _ => None,
            })
        })
        .filter(|(_, related)| live.iter().any(|t| t.id == *related))
        .collect()
}

/// `chosen` and every table linked to one of them by relationships, directly or through
/// others. A restore drops and recreates the backed-up tables, and dropping a table deletes
/// its relationships on both sides (the parent column of a twin it holds lives on the other
/// table): backing up the related tables too lets the restore create every one of them again
/// with its links.
fn with_related_tables(mut chosen: Vec<String>, edges: &[(String, String)]) -> Vec<String> {
    let mut i = 0;
    while i < chosen.len() {
        let table = chosen[i].clone();
        for (a, b) in edges {
            let other = if *a == table {
                b
            } else if *b == table {
                a
            } else {
                continue;
            };
            if !chosen.contains(other) {
                chosen.push(other.clone());
            }
        }
        i += 1;
    }
    chosen
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

/// Restores the backup in `dir` after the version failed with `error`
/// ([`MigrateOptions::restore_on_failure`]); returns the error to fail the version with, which
/// keeps `error` and says whether the restore worked.
pub(crate) async fn restore_after_failure(
    db: &Database,
    dir: &Path,
    plan: &VersionPlan,
    options: &MigrateOptions,
    error: Error,
) -> Error {
    tracing::error!(version = plan.version, error = %error, dir = %dir.display(), "version failed; restoring the backup taken before it");
    let source = Box::new(error);
    match restore(db, dir, plan, options).await {
        Ok(()) => MigrateError::Restored {
            source,
            restored: dir.to_owned(),
        },
        Err(e) => MigrateError::RestoreFailed {
            source,
            dir: dir.to_owned(),
            reason: e.to_string(),
        },
    }
    .into()
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

    fn tables(plan: &VersionPlan, live: &[String], restore_on_failure: bool) -> Vec<String> {
        let options = MigrateOptions::default().restore_on_failure(restore_on_failure);
        tables_to_back_up(plan, live, &options)
    }

    #[test]
    fn only_what_a_version_may_damage_is_backed_up() {
        let live: Vec<String> = ["orm_migrations", "posts", "users"]
            .map(String::from)
            .to_vec();
        // A step may write anywhere: every table but the history.
        let step = version(true, vec![]);
        assert_eq!(tables(&step, &live, false), ["posts", "users"]);
        // Schema only: the tables of the non-additive operations.
        let narrowing = version(
            false,
            vec![
                op("posts", OpClass::InPlace),
                op("users", OpClass::Additive),
            ],
        );
        assert!(is_destructive(&narrowing));
        assert_eq!(tables(&narrowing, &live, false), ["posts"]);
        let additive = version(false, vec![op("users", OpClass::Additive)]);
        assert!(!is_destructive(&additive));
        assert!(!needs_backup(&additive, &MigrateOptions::default()));
    }

    #[test]
    fn restoring_failures_backs_up_additive_versions_too() {
        let live: Vec<String> = ["orm_migrations", "posts", "users"]
            .map(String::from)
            .to_vec();
        let options = MigrateOptions::default().restore_on_failure(true);
        let additive = version(false, vec![op("users", OpClass::Additive)]);
        assert!(needs_backup(&additive, &options));
        assert_eq!(tables(&additive, &live, true), ["users"]);
        // A version with nothing to do has nothing to undo.
        assert!(!needs_backup(&version(false, vec![]), &options));
        let mut reconcile = version(false, vec![op("users", OpClass::InPlace)]);
        reconcile.reconcile = true;
        assert!(!needs_backup(&reconcile, &options));
    }

    #[test]
    fn tables_linked_by_relationships_are_backed_up_together() {
        let edges = [
            ("books".to_owned(), "authors".to_owned()),
            ("authors".to_owned(), "books".to_owned()),
            ("authors".to_owned(), "profiles".to_owned()),
            ("notes".to_owned(), "tags".to_owned()),
        ];
        // From the table holding a twin to its parent's table, and on through its relationships.
        assert_eq!(
            with_related_tables(vec!["books".to_owned()], &edges),
            ["books", "authors", "profiles"]
        );
        // A one-way relationship links its target to the table that has the column.
        assert_eq!(
            with_related_tables(vec!["tags".to_owned()], &edges),
            ["tags", "notes"]
        );
        assert_eq!(
            with_related_tables(vec!["users".to_owned()], &edges),
            ["users"]
        );
    }

    #[test]
    fn restoring_failures_needs_a_backup_directory() {
        let fallback = MigrateOptions::default().restore_on_failure(true);
        assert_eq!(
            backup_root(&fallback),
            Some(Path::new(crate::migrate::options::DEFAULT_BACKUP_DIR))
        );
        assert!(check_restore_settings(&fallback).is_ok());
        let chosen = fallback.clone().backup_before_destructive("/srv/b");
        assert_eq!(backup_root(&chosen), Some(Path::new("/srv/b")));
        let off = fallback.without_backups();
        let err = check_restore_settings(&off).unwrap_err();
        assert!(matches!(
            err.migrate(),
            Some(MigrateError::RestoreWithoutBackup)
        ));
        assert!(
            err.to_string().contains("backup_before_destructive"),
            "{err}"
        );
        // Without the option, versions are backed up only under `backup_before_destructive`.
        assert_eq!(backup_root(&MigrateOptions::default()), None);
        assert!(check_restore_settings(&off.restore_on_failure(false)).is_ok());
    }
}
