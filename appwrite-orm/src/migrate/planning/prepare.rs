//! The pure preparation of a run: the binary's declarations checked, its versions, the
//! target, the renames it plans with and its fingerprint. Every operation of a
//! [`Migrator`](crate::migrate::Migrator) starts here; nothing is requested.

use sha2::{Digest, Sha256};

use crate::api::Table;
use crate::migrate::error::MigrateError;
use crate::migrate::options::MigrateOptions;
use crate::migrate::planning::plan::{self, ColumnRename, Plan, PlanInput, VersionInfo};
use crate::migrate::planning::renames;
use crate::migrate::registry::{MigrationDef, first_duplicate, first_unknown_allowed};
use crate::schema::{SchemaViolation, TableSchema, schema_fingerprint};
use crate::{Error, Result};

/// Prefix of the binary fingerprint; bump when its encoding changes.
const FINGERPRINT_DOMAIN: &str = "appwrite-orm migrations v1";

/// The pure preparation of a run: checked declarations, versions, target, renames,
/// fingerprint.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) tables: Vec<TableSchema>,
    pub(crate) migrations: Vec<MigrationDef>,
    pub(crate) versions: Vec<VersionInfo>,
    pub(crate) target: u32,
    /// The options' renames and those declared on the columns as of the target, each once:
    /// what every plan of this binary (run, status, dry run) renames.
    pub(crate) renames: Vec<ColumnRename>,
    pub(crate) fingerprint: String,
}

/// Checks the declarations and computes what a run needs, without any request.
pub(crate) fn prepare(
    tables: &[TableSchema],
    migrations: &[MigrationDef],
    options: &MigrateOptions,
) -> Result<Prepared> {
    check_declarations(tables, migrations, options)?;
    let versions = plan::known_versions(tables, migrations, options.target);
    let target = options
        .target
        .unwrap_or_else(|| versions.last().map_or(0, |v| v.version));
    let migrations: Vec<MigrationDef> = migrations
        .iter()
        .filter(|m| m.version <= target)
        .cloned()
        .collect();
    let target_tables = plan::schema_at(tables, target);
    // Columns beyond the target are never planned, and neither are their renames.
    let renames = renames::effective(&options.renames, &target_tables);
    let fingerprint = fingerprint(&target_tables, &migrations, target, &renames);
    Ok(Prepared {
        tables: tables.to_vec(),
        migrations,
        versions,
        target,
        renames,
        fingerprint,
    })
}

/// Refuses what no run can start from: tables that break Appwrite's rules, a table declared
/// twice or under the history table's id, version 0, a version defined twice, a lint code no
/// migration can allow.
fn check_declarations(
    tables: &[TableSchema],
    migrations: &[MigrationDef],
    options: &MigrateOptions,
) -> Result<()> {
    let mut violations: Vec<SchemaViolation> = Vec::new();
    for table in tables {
        if let Err(Error::Schema(v)) = table.validate() {
            violations.extend(v);
        }
    }
    if !violations.is_empty() {
        return Err(Error::Schema(violations));
    }
    let mut ids: Vec<&TableSchema> = tables.iter().collect();
    ids.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(pair) = ids.windows(2).find(|p| p[0].id == p[1].id) {
        return Err(MigrateError::DuplicateTable {
            table: pair[0].id.clone(),
            first: pair[0].name.clone(),
            second: pair[1].name.clone(),
        }
        .into());
    }
    if let Some(t) = tables.iter().find(|t| t.id == options.history_table) {
        return Err(MigrateError::DuplicateTable {
            table: t.id.clone(),
            first: t.name.clone(),
            second: "the migration history".to_owned(),
        }
        .into());
    }
    if let Some(m) = migrations.iter().find(|m| m.version == 0) {
        return Err(MigrateError::VersionZero {
            source_name: m.source.clone(),
        }
        .into());
    }
    if let Some((a, b)) = first_duplicate(migrations) {
        return Err(MigrateError::DuplicateVersion {
            version: a.version,
            first: a.source.clone(),
            second: b.source.clone(),
        }
        .into());
    }
    if let Some((m, code)) = first_unknown_allowed(migrations) {
        return Err(MigrateError::UnknownLintCode {
            source_name: m.source.clone(),
            code: code.to_owned(),
        }
        .into());
    }
    Ok(())
}

impl Prepared {
    /// The plan from version `applied` against the `live` schema.
    pub(crate) fn plan(&self, live: &[Table], applied: u32, options: &MigrateOptions) -> Plan {
        plan::plan(&PlanInput {
            declared: &self.tables,
            live,
            versions: &self.versions,
            applied,
            target: self.target,
            skip_default_backfill: &options.skip_default_backfill,
            ignore_tables: std::slice::from_ref(&options.history_table),
            renames: &self.renames,
        })
    }

    /// The lint codes the migration of `version` allows (none for a schema-only version).
    pub(crate) fn allowed(&self, version: u32) -> &[String] {
        self.migrations
            .iter()
            .find(|m| m.version == version)
            .map_or(&[], MigrationDef::allowed)
    }
}

/// The fingerprint of a binary: its schema as of the target, the target, every migration's
/// version and checksum, and the column renames it plans with. The lint codes migrations allow
/// are not in it: allowing one changes nothing a run does. The schema fingerprint leaves
/// `renamed_from` out (an applied rename is no schema difference), but a rename is an input
/// of the plan: declaring one must make the next boot plan instead of taking the one-request
/// path. Without renames the text is what it always was, so heads written before renames
/// counted stay valid.
fn fingerprint(
    tables: &[TableSchema],
    migrations: &[MigrationDef],
    target: u32,
    renames: &[ColumnRename],
) -> String {
    let mut text = format!(
        "{FINGERPRINT_DOMAIN}\n{}\n{target}\n",
        schema_fingerprint(tables)
    );
    for m in migrations {
        text.push_str(&format!("{}:{}\n", m.version, m.checksum));
    }
    text.push_str(&renames::fingerprint_text(renames));
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::{MigrateOptions, Migrator};
    use crate::schema::ColumnSchema;

    #[test]
    fn preparation_refuses_bad_declarations() {
        let t = TableSchema::new("t", "T");
        let err = Migrator::new([&t, &t], []).prepare().unwrap_err();
        assert!(err.to_string().contains("declared twice"), "{err}");
        let step = |v: u32| MigrationDef::new(v, format!("m{v}"), |_m| Box::pin(async { Ok(()) }));
        let err = Migrator::new([], [step(2), step(2)]).prepare().unwrap_err();
        assert!(
            err.to_string().contains("version 2 is defined twice"),
            "{err}"
        );
        let err = Migrator::new([], [step(0)]).prepare().unwrap_err();
        assert!(err.to_string().contains("versions start at 1"), "{err}");
        let history = TableSchema::new("orm_migrations", "Mine");
        assert!(Migrator::new([&history], []).prepare().is_err());
        let bad = TableSchema::new("_bad", "Bad");
        assert!(matches!(
            Migrator::new([&bad], []).prepare(),
            Err(Error::Schema(_))
        ));
    }

    #[test]
    fn allowed_codes_are_checked_and_stay_out_of_the_fingerprint() {
        let step = |v: u32| MigrationDef::new(v, format!("m{v}"), |_m| Box::pin(async { Ok(()) }));
        let typo = step(2).allow("required-without-value").allow("destructve");
        let err = Migrator::new([], [typo]).prepare().unwrap_err();
        assert!(
            matches!(
                err.migrate(),
                Some(MigrateError::UnknownLintCode { code, .. }) if code == "destructve"
            ),
            "{err}"
        );
        assert!(err.to_string().contains("destructive, step-reads"), "{err}");

        let plain = Migrator::new([], [step(2)]).prepare().unwrap();
        let allowing = Migrator::new([], [step(2).allow("destructive")])
            .prepare()
            .unwrap();
        assert_eq!(plain.fingerprint, allowing.fingerprint);
        assert_eq!(allowing.allowed(2), ["destructive"]);
        assert!(allowing.allowed(1).is_empty());
    }

    #[test]
    fn the_fingerprint_follows_schema_and_checksums() {
        let t = TableSchema::new("t", "T");
        let step =
            |c: &str| MigrationDef::new(2, "m", |_m| Box::pin(async { Ok(()) })).with_checksum(c);
        let a = Migrator::new([&t], [step("a")]).prepare().unwrap();
        let b = Migrator::new([&t], [step("b")]).prepare().unwrap();
        assert_eq!(a.target, 2);
        assert_ne!(a.fingerprint, b.fingerprint);
        assert_eq!(
            a.fingerprint,
            Migrator::new([&t], [step("a")])
                .prepare()
                .unwrap()
                .fingerprint
        );
        let limited = Migrator::new([&t], [step("a")])
            .with_options(MigrateOptions::default().target(1))
            .prepare()
            .unwrap();
        assert_eq!(limited.target, 1);
        assert!(limited.migrations.is_empty());
    }

    #[test]
    fn the_fingerprint_follows_renames() {
        let plain = TableSchema::new("users", "Users").column(ColumnSchema::varchar("name", 10));
        let renamed = TableSchema::new("users", "Users")
            .column(ColumnSchema::varchar("name", 10).renamed_from("fullName"));
        // The schema is the same: a rename is no schema difference once applied.
        assert_eq!(plain.fingerprint(), renamed.fingerprint());
        let prepare = |t: &TableSchema, options: MigrateOptions| {
            Migrator::new([t], [])
                .with_options(options)
                .prepare()
                .unwrap()
        };
        let without = prepare(&plain, MigrateOptions::default());
        let declared = prepare(&renamed, MigrateOptions::default());
        // Declaring a rename makes the next boot plan instead of taking the one-request path.
        assert_ne!(without.fingerprint, declared.fingerprint);
        assert_eq!(declared.renames.len(), 1);
        // Declared on the column or in the options, it is the same rename, planned once.
        let options = MigrateOptions::default().rename_column("users", "fullName", "name");
        let both = prepare(&renamed, options.clone());
        assert_eq!(both.renames, declared.renames);
        assert_eq!(both.fingerprint, declared.fingerprint);
        assert_eq!(prepare(&plain, options).fingerprint, declared.fingerprint);
        // Without renames the fingerprint is the one heads carried before renames counted.
        let expected = {
            let text = format!(
                "{FINGERPRINT_DOMAIN}\n{}\n1\n",
                schema_fingerprint([&plain])
            );
            Sha256::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        assert_eq!(without.fingerprint, expected);
    }

    #[test]
    fn renames_of_columns_beyond_the_target_are_not_planned() {
        let t = TableSchema::new("users", "Users")
            .column(ColumnSchema::varchar("email", 10))
            .column(
                ColumnSchema::varchar("name", 10)
                    .renamed_from("fullName")
                    .since(3),
            );
        let prepared = Migrator::new([&t], [])
            .with_options(MigrateOptions::default().target(2))
            .prepare()
            .unwrap();
        assert!(prepared.renames.is_empty());
    }
}
