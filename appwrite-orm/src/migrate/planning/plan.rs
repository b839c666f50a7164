//! The plan: what each pending version does to the schema, as a pure function of the declared
//! schema, the live schema and the history. No I/O here; the runner executes the plan.
//!
//! The schema is versioned by `since = N` on tables, columns and indexes. For every pending
//! version `v` in order, the declared schema "as of `v`" (everything with `since <= v`) is
//! compared with the live schema as it will be when the earlier versions have run (the plan
//! simulates them), which gives:
//!
//! - additive operations: new tables (columns and indexes inline), new columns, new indexes,
//!   and writing a new column's default into rows that existed before it (Appwrite does not);
//! - in-place operations: what Appwrite changes on a live column (size, min/max, enum
//!   elements, default, required) or table (name, permissions, row security); a column that
//!   becomes required is created or kept optional and made required *after* the version's
//!   steps, once no row lacks a value; a declared column missing from the database whose old
//!   key ([`PlanInput::renames`]) exists there is renamed, keeping its data;
//! - plan errors for what Appwrite cannot change in place (a column's type or array flag, a
//!   relationship's side, any part of an index), each explaining the explicit path.
//!
//! Nothing is ever dropped by the plan: live tables, columns and indexes that nothing declares
//! are reported as extras. Destroying data is a step's explicit call.
//!
//! When no version is pending but the declared schema still differs from the live one (an
//! in-place change of an old column, an element someone deleted by hand), the plan holds one
//! *reconcile* entry at the target version, which runs without steps and without a history
//! row.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::api::{ColumnStatus, Table};
use crate::migrate::planning::compare;
use crate::migrate::planning::table_diff::{TableDiffInput, diff_table, is_twin};
use crate::migrate::registry::MigrationDef;
use crate::schema::{ColumnKind, ColumnSchema, IndexSchema, TableSchema, schema_fingerprint};

/// One version the binary knows: from a migration, from `since` values, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    /// The version.
    pub version: u32,
    /// The migration's name, or `schema` for a version with only schema changes.
    pub name: String,
    /// The migration's checksum; `None` for a schema-only version.
    pub checksum: Option<String>,
    /// True when a migration step runs in this version.
    pub has_step: bool,
}

/// The versions of a binary, ascending: every `since` of a table, column or index and every
/// migration's version, up to `target` when given.
pub fn known_versions(
    tables: &[TableSchema],
    migrations: &[MigrationDef],
    target: Option<u32>,
) -> Vec<VersionInfo> {
    let mut versions: BTreeMap<u32, VersionInfo> = BTreeMap::new();
    let schema_versions = tables.iter().flat_map(|t| {
        std::iter::once(t.since)
            .chain(t.columns.iter().map(|c| c.since))
            .chain(t.indexes.iter().map(|i| i.since))
    });
    for v in schema_versions {
        versions.entry(v).or_insert_with(|| VersionInfo {
            version: v,
            name: "schema".to_owned(),
            checksum: None,
            has_step: false,
        });
    }
    for m in migrations {
        versions.insert(
            m.version,
            VersionInfo {
                version: m.version,
                name: m.name.clone(),
                checksum: Some(m.checksum.clone()),
                has_step: true,
            },
        );
    }
    versions
        .into_values()
        .filter(|v| target.is_none_or(|t| v.version <= t))
        .collect()
}

/// The declared schema as of `version`: tables, columns and indexes with `since <= version`.
pub fn schema_at(tables: &[TableSchema], version: u32) -> Vec<TableSchema> {
    tables
        .iter()
        .filter(|t| t.since <= version)
        .map(|t| TableSchema {
            columns: t
                .columns
                .iter()
                .filter(|c| c.since <= version)
                .cloned()
                .collect(),
            indexes: t
                .indexes
                .iter()
                .filter(|i| i.since <= version)
                .cloned()
                .collect(),
            ..t.clone()
        })
        .collect()
}

/// What the planner needs.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// The declared tables (with `since` on tables, columns and indexes).
    pub declared: &'a [TableSchema],
    /// The live tables, with their columns' and indexes' status.
    pub live: &'a [Table],
    /// The versions the binary knows, ascending (see [`known_versions`]).
    pub versions: &'a [VersionInfo],
    /// The highest applied version (0 for a fresh database).
    pub applied: u32,
    /// The version to reach.
    pub target: u32,
    /// `(table, column)` pairs whose default is not written into existing rows.
    pub skip_default_backfill: &'a BTreeSet<(String, String)>,
    /// Live tables that are not extras even though nothing declares them (the history table).
    pub ignore_tables: &'a [String],
    /// Columns renamed in the code: a declared column missing from the database whose old key
    /// exists there is renamed in place instead of created. With several old keys for one
    /// column, the first that exists is renamed. Only this list counts: the migrator passes the
    /// options' renames and the columns' [`renamed_from`](ColumnSchema::renamed_from) in it.
    pub renames: &'a [ColumnRename],
}

/// A column renamed in the code (Appwrite renames in place and keeps the data; the Appwrite
/// CLI's `previousKey`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnRename {
    /// The table id.
    pub table: String,
    /// The key in the database.
    pub from: String,
    /// The declared key.
    pub to: String,
}

/// Whether an operation adds, changes in place or destroys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpClass {
    /// Creates something; nothing existing changes.
    Additive,
    /// Changes something existing in place; no data is lost (a narrowing change may fail).
    InPlace,
    /// Destroys data (only ever through a step's explicit call, backed up first).
    Destructive,
}

impl fmt::Display for OpClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OpClass::Additive => "additive",
            OpClass::InPlace => "in-place",
            OpClass::Destructive => "destructive",
        })
    }
}

/// A schema operation of the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SchemaOp {
    /// Create a table with its columns and indexes inline (relationship columns follow as
    /// [`CreateColumn`](SchemaOp::CreateColumn), Appwrite refuses them inline).
    CreateTable {
        /// The table as of the version.
        table: TableSchema,
    },
    /// Change a table's settings.
    UpdateTable {
        /// The table id.
        table: String,
        /// The declared name.
        name: String,
        /// The declared permissions.
        permissions: Vec<String>,
        /// The declared row security.
        row_security: bool,
    },
    /// Delete a column or index whose creation failed on the server (it holds no data), so
    /// that it can be created again.
    RemoveFailed {
        /// The table id.
        table: String,
        /// The key.
        key: String,
        /// True for an index, false for a column.
        index: bool,
    },
    /// Rename a column in place (`PATCH …/columns/{type}/{from}` with `newKey`).
    RenameColumn {
        /// The table id.
        table: String,
        /// The key in the database.
        from: String,
        /// The column as it is, under its new key.
        column: ColumnSchema,
    },
    /// Create a column (optional when it is to become required later).
    CreateColumn {
        /// The table id.
        table: String,
        /// The column to create.
        column: ColumnSchema,
    },
    /// Change a column in place.
    UpdateColumn {
        /// The table id.
        table: String,
        /// The column as it is to be (its key is the live key).
        column: ColumnSchema,
    },
    /// Create an index.
    CreateIndex {
        /// The table id.
        table: String,
        /// The index.
        index: IndexSchema,
    },
    /// Write a new column's default into the rows that hold null (those that existed before
    /// the column): `PATCH …/rows` filtered on `isNull`.
    FillDefault {
        /// The table id.
        table: String,
        /// The column key.
        column: String,
        /// The default.
        value: Value,
    },
    /// After the steps: make a column required when no row lacks a value.
    MakeRequired {
        /// The table id.
        table: String,
        /// The column as it is to be.
        column: ColumnSchema,
    },
}

impl SchemaOp {
    /// The table the operation acts on.
    pub fn table(&self) -> &str {
        match self {
            SchemaOp::CreateTable { table } => &table.id,
            SchemaOp::UpdateTable { table, .. }
            | SchemaOp::RemoveFailed { table, .. }
            | SchemaOp::RenameColumn { table, .. }
            | SchemaOp::CreateColumn { table, .. }
            | SchemaOp::UpdateColumn { table, .. }
            | SchemaOp::CreateIndex { table, .. }
            | SchemaOp::FillDefault { table, .. }
            | SchemaOp::MakeRequired { table, .. } => table,
        }
    }
}

impl fmt::Display for SchemaOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaOp::CreateTable { table } => write!(
                f,
                "create table {} ({} columns, {} indexes)",
                table.id,
                table.columns.len(),
                table.indexes.len()
            ),
            SchemaOp::UpdateTable { table, .. } => write!(f, "update table {table}"),
            SchemaOp::RemoveFailed { table, key, index } => write!(
                f,
                "remove failed {} {table}.{key}",
                if *index { "index" } else { "column" }
            ),
            SchemaOp::RenameColumn {
                table,
                from,
                column,
            } => write!(f, "rename column {table}.{from} to {}", column.key),
            SchemaOp::CreateColumn { table, column } => write!(
                f,
                "add column {table}.{} {}{}",
                column.key,
                compare::describe_column(column),
                if column.required { " required" } else { "" }
            ),
            SchemaOp::UpdateColumn { table, column } => {
                write!(f, "change column {table}.{}", column.key)
            }
            SchemaOp::CreateIndex { table, index } => write!(
                f,
                "add index {table}.{} {}",
                index.key,
                compare::describe_index(index)
            ),
            SchemaOp::FillDefault {
                table,
                column,
                value,
            } => write!(
                f,
                "write default {value} into {table}.{column} of existing rows"
            ),
            SchemaOp::MakeRequired { table, column } => {
                write!(f, "make {table}.{} required", column.key)
            }
        }
    }
}

/// An operation with its class and why it is planned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedOp {
    /// What to do.
    pub op: SchemaOp,
    /// Additive, in place or destructive.
    pub class: OpClass,
    /// Why.
    pub reason: String,
}

/// What one version does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionPlan {
    /// The version.
    pub version: u32,
    /// Its name.
    pub name: String,
    /// The migration's checksum (`None`: schema only).
    pub checksum: Option<String>,
    /// True when a migration step runs.
    pub has_step: bool,
    /// True for the reconcile entry (no version pending; no steps, no history row).
    pub reconcile: bool,
    /// Schema operations before the steps, in order.
    pub before: Vec<PlannedOp>,
    /// Schema operations after the steps (columns becoming required).
    pub after: Vec<PlannedOp>,
    /// Fingerprint of the declared schema as of this version.
    pub fingerprint: String,
}

/// Something the plan cannot do without an explicit step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanError {
    /// The version whose declarations ask for it.
    pub version: u32,
    /// The table id.
    pub table: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "version {}: {}", self.version, self.message)
    }
}

/// A live table, column or index that nothing declares. Reported, never dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extra {
    /// The table id.
    pub table: String,
    /// `table`, `column` or `index`.
    pub kind: &'static str,
    /// The column or index key (the table id for a table).
    pub key: String,
    /// For a column declared as renamed to another key that exists as well (so it was not
    /// renamed): that key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
}

impl fmt::Display for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, table, key) = (self.kind, &self.table, &self.key);
        if kind == "table" {
            return write!(f, "table {table} exists but no model declares it");
        }
        match &self.renamed_to {
            Some(to) => write!(
                f,
                "column {table}.{key} is declared as renamed to {to:?}, but {table}.{to} exists \
                 as well, so it was not renamed (kept; move what it holds into {table}.{to} in a \
                 step and drop it there)"
            ),
            None => write!(
                f,
                "{kind} {table}.{key} exists but the model does not declare it (kept; drop it in a step if it is obsolete)"
            ),
        }
    }
}

/// The plan: every pending version's operations, the errors, and the extras.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The applied version.
    pub from: u32,
    /// The target version.
    pub to: u32,
    /// Pending versions in order (or one reconcile entry).
    pub versions: Vec<VersionPlan>,
    /// What cannot be done.
    pub errors: Vec<PlanError>,
    /// What exists but is not declared.
    pub extras: Vec<Extra>,
}

impl Plan {
    /// True when there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }

    /// The errors of versions up to `version`.
    pub fn errors_up_to(&self, version: u32) -> Vec<PlanError> {
        self.errors
            .iter()
            .filter(|e| e.version <= version)
            .cloned()
            .collect()
    }
}

/// Plans the pending versions. Pure: the same input gives the same plan.
pub fn plan(input: &PlanInput<'_>) -> Plan {
    let mut sim = Sim::from_live(input.live);
    let mut errors = Vec::new();
    let mut versions = Vec::new();
    let pending: Vec<&VersionInfo> = input
        .versions
        .iter()
        .filter(|v| v.version > input.applied && v.version <= input.target)
        .collect();
    for info in &pending {
        let tables = schema_at(input.declared, info.version);
        let (before, after) = diff(info.version, &tables, &mut sim, input, &mut errors);
        versions.push(VersionPlan {
            version: info.version,
            name: info.name.clone(),
            checksum: info.checksum.clone(),
            has_step: info.has_step,
            reconcile: false,
            before,
            after,
            fingerprint: schema_fingerprint(&tables),
        });
    }
    let target_tables = schema_at(input.declared, input.target);
    if pending.is_empty() {
        let (before, after) = diff(input.target, &target_tables, &mut sim, input, &mut errors);
        if !before.is_empty() || !after.is_empty() {
            versions.push(VersionPlan {
                version: input.target,
                name: "schema changes".to_owned(),
                checksum: None,
                has_step: false,
                reconcile: true,
                before,
                after,
                fingerprint: schema_fingerprint(&target_tables),
            });
        }
    }
    Plan {
        from: input.applied,
        to: input.target,
        versions,
        errors,
        extras: sim.extras(&target_tables, input.ignore_tables, input.renames),
    }
}

/// The live schema as it will be after the planned operations.
#[derive(Debug, Clone)]
struct Sim {
    tables: BTreeMap<String, SimTable>,
}

/// A live table as it will be after the planned operations.
#[derive(Debug, Clone)]
pub(super) struct SimTable {
    pub(super) name: String,
    pub(super) permissions: Vec<String>,
    pub(super) row_security: bool,
    pub(super) columns: Vec<SimItem<ColumnSchema>>,
    pub(super) indexes: Vec<SimItem<IndexSchema>>,
}

/// A live column or index as it will be after the planned operations.
#[derive(Debug, Clone)]
pub(super) struct SimItem<T> {
    pub(super) schema: T,
    pub(super) status: ColumnStatus,
    pub(super) error: String,
}

impl<T> SimItem<T> {
    /// An item the plan creates: available once its version ran.
    pub(super) fn ready(schema: T) -> Self {
        Self {
            schema,
            status: ColumnStatus::Available,
            error: String::new(),
        }
    }
}

impl Sim {
    fn from_live(live: &[Table]) -> Self {
        let tables = live
            .iter()
            .map(|t| {
                let table = SimTable {
                    name: t.name.clone(),
                    permissions: t.permissions.clone(),
                    row_security: t.row_security,
                    columns: t
                        .columns
                        .iter()
                        .map(|c| SimItem {
                            schema: c.schema.clone(),
                            status: c.status,
                            error: c.error.clone(),
                        })
                        .collect(),
                    indexes: t
                        .indexes
                        .iter()
                        .map(|i| SimItem {
                            schema: i.schema.clone(),
                            status: i.status,
                            error: i.error.clone(),
                        })
                        .collect(),
                };
                (t.id.clone(), table)
            })
            .collect();
        Self { tables }
    }

    fn extras(
        &self,
        declared: &[TableSchema],
        ignore: &[String],
        renames: &[ColumnRename],
    ) -> Vec<Extra> {
        let mut out = Vec::new();
        for (id, table) in &self.tables {
            let Some(decl) = declared.iter().find(|t| &t.id == id) else {
                if !ignore.contains(id) {
                    out.push(Extra {
                        table: id.clone(),
                        kind: "table",
                        key: id.clone(),
                        renamed_to: None,
                    });
                }
                continue;
            };
            for c in &table.columns {
                if decl.find_column(&c.schema.key).is_none()
                    && c.status != ColumnStatus::Deleting
                    && !twin_of_declared(&c.schema, declared)
                {
                    // Still here while its new key is declared: the new key existed as well.
                    let renamed_to = renames
                        .iter()
                        .find(|r| {
                            &r.table == id
                                && r.from == c.schema.key
                                && decl.find_column(&r.to).is_some()
                        })
                        .map(|r| r.to.clone());
                    out.push(Extra {
                        table: id.clone(),
                        kind: "column",
                        key: c.schema.key.clone(),
                        renamed_to,
                    });
                }
            }
            for i in &table.indexes {
                if decl.find_index(&i.schema.key).is_none() && i.status != ColumnStatus::Deleting {
                    out.push(Extra {
                        table: id.clone(),
                        kind: "index",
                        key: i.schema.key.clone(),
                        renamed_to: None,
                    });
                }
            }
        }
        out
    }
}

/// A declared twin needs its parent: a two-way relationship on the related table whose
/// `two_way_key` is the twin's key and whose type is the twin's.
fn check_twins(version: u32, tables: &[TableSchema], errors: &mut Vec<PlanError>) {
    for table in tables {
        for column in table.columns.iter().filter(|c| is_twin(c)) {
            let ColumnKind::Relationship(twin) = &column.kind else {
                continue;
            };
            let parent_key = twin.two_way_key.as_deref().unwrap_or_default();
            let parent = tables
                .iter()
                .find(|t| t.id == twin.related_table)
                .and_then(|t| t.find_column(parent_key));
            let matches = parent.is_some_and(|p| {
                matches!(&p.kind, ColumnKind::Relationship(rel)
                    if rel.two_way
                        && rel.relation_type == twin.relation_type
                        && rel.related_table == table.id
                        && rel.two_way_key.as_deref() == Some(column.key.as_str()))
            });
            if !matches {
                errors.push(PlanError {
                    version,
                    table: table.id.clone(),
                    message: format!(
                        "column {:?} is declared as the twin of {}.{parent_key}, which is not \
                         declared there as a two-way {} relationship to {:?} with \
                         two_way_key = {:?}; declare the parent (Appwrite creates the twin with \
                         it) or remove `twin`",
                        column.key,
                        twin.related_table,
                        twin.relation_type.as_str(),
                        table.id,
                        column.key
                    ),
                });
            }
        }
    }
}

/// True when `column` is the twin of a relationship that a declared table declares: it comes
/// and goes with that relationship, so it is no extra.
fn twin_of_declared(column: &ColumnSchema, declared: &[TableSchema]) -> bool {
    let ColumnKind::Relationship(rel) = &column.kind else {
        return false;
    };
    rel.side == crate::schema::RelationSide::Child
        && declared
            .iter()
            .find(|t| t.id == rel.related_table)
            .and_then(|t| t.find_column(rel.two_way_key.as_deref().unwrap_or_default()))
            .is_some_and(|parent| matches!(&parent.kind, ColumnKind::Relationship(p) if p.two_way))
}

/// A planned operation.
pub(super) fn op(op: SchemaOp, class: OpClass, reason: impl Into<String>) -> PlannedOp {
    PlannedOp {
        op,
        class,
        reason: reason.into(),
    }
}

/// Why a missing table, column or index is created.
pub(super) fn added_reason(since: u32, version: u32, what: &str) -> String {
    if since == version {
        format!("new in version {version}")
    } else {
        format!("declared since version {since} but missing from the database; {what} again")
    }
}

/// The operations of one version, applied to `sim`.
fn diff(
    version: u32,
    tables: &[TableSchema],
    sim: &mut Sim,
    input: &PlanInput<'_>,
    errors: &mut Vec<PlanError>,
) -> (Vec<PlannedOp>, Vec<PlannedOp>) {
    let mut creates = Vec::new();
    let mut before = Vec::new();
    let mut after = Vec::new();
    check_twins(version, tables, errors);
    for table in tables {
        match sim.tables.get_mut(&table.id) {
            None => {
                let (inline, later): (Vec<ColumnSchema>, Vec<ColumnSchema>) = table
                    .columns
                    .iter()
                    .cloned()
                    .partition(|c| !matches!(c.kind, ColumnKind::Relationship(_)));
                let created = TableSchema {
                    columns: inline,
                    ..table.clone()
                };
                creates.push(op(
                    SchemaOp::CreateTable {
                        table: created.clone(),
                    },
                    OpClass::Additive,
                    added_reason(table.since, version, "created"),
                ));
                for column in later.into_iter().filter(|c| !is_twin(c)) {
                    before.push(op(
                        SchemaOp::CreateColumn {
                            table: table.id.clone(),
                            column: column.clone(),
                        },
                        OpClass::Additive,
                        "relationship columns cannot be created inline with their table",
                    ));
                }
                sim.tables.insert(
                    table.id.clone(),
                    SimTable {
                        name: table.name.clone(),
                        permissions: table.permissions.clone(),
                        row_security: table.row_security,
                        columns: table.columns.iter().cloned().map(SimItem::ready).collect(),
                        indexes: table.indexes.iter().cloned().map(SimItem::ready).collect(),
                    },
                );
            }
            Some(live) => {
                let of = TableDiffInput {
                    version,
                    declared: table,
                    input,
                };
                let (table_before, table_after) = diff_table(&of, live, errors).in_order();
                before.extend(table_before);
                after.extend(table_after);
            }
        }
    }
    creates.extend(before);
    (creates, after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Column;
    use crate::migrate::test_support::live_table;
    use crate::schema::{IndexKind, OnDelete, RelationType, Relationship};
    use serde_json::json;

    fn users() -> TableSchema {
        TableSchema::new("users", "Users")
            .column(ColumnSchema::varchar("name", 128).required())
            .column(ColumnSchema::new("email", ColumnKind::Email).required())
            .column(ColumnSchema::varchar("phone", 20).since(2))
            .column(
                ColumnSchema::boolean("is_verified")
                    .default_value(false)
                    .since(2),
            )
            .index(IndexSchema::new("by_email", IndexKind::Unique, ["email"]))
    }

    struct Case {
        declared: Vec<TableSchema>,
        live: Vec<Table>,
        applied: u32,
        skip: BTreeSet<(String, String)>,
        renames: Vec<ColumnRename>,
    }

    impl Case {
        fn new(declared: Vec<TableSchema>) -> Self {
            Self {
                declared,
                live: Vec::new(),
                applied: 0,
                skip: BTreeSet::new(),
                renames: Vec::new(),
            }
        }

        fn live(mut self, tables: &[TableSchema]) -> Self {
            self.live = tables.iter().map(live_table).collect();
            self
        }

        fn applied(mut self, v: u32) -> Self {
            self.applied = v;
            self
        }

        /// Declares column `from` of table `t` renamed to `to`.
        fn rename(&mut self, from: &str, to: &str) {
            self.renames.push(ColumnRename {
                table: "t".into(),
                from: from.into(),
                to: to.into(),
            });
        }

        fn plan(&self) -> Plan {
            let versions = known_versions(&self.declared, &[], None);
            let target = versions.last().map_or(0, |v| v.version);
            plan(&PlanInput {
                declared: &self.declared,
                live: &self.live,
                versions: &versions,
                applied: self.applied,
                target,
                skip_default_backfill: &self.skip,
                ignore_tables: &["orm_migrations".to_owned()],
                renames: &self.renames,
            })
        }
    }

    fn ops(v: &VersionPlan) -> Vec<String> {
        v.before
            .iter()
            .chain(&v.after)
            .map(|o| format!("{} [{}]", o.op, o.class))
            .collect()
    }

    #[test]
    fn versions_come_from_since_and_migrations() {
        let tables = [users()];
        let migrations = [MigrationDef::new(3, "backfill", |_m| {
            Box::pin(async { Ok(()) })
        })];
        let versions = known_versions(&tables, &migrations, None);
        let numbers: Vec<u32> = versions.iter().map(|v| v.version).collect();
        assert_eq!(numbers, [1, 2, 3]);
        assert!(!versions[1].has_step);
        assert_eq!(versions[1].name, "schema");
        assert!(versions[2].has_step);
        assert_eq!(versions[2].name, "backfill");
        assert_eq!(known_versions(&tables, &migrations, Some(2)).len(), 2);
    }

    #[test]
    fn schema_at_keeps_what_exists_by_then() {
        let v1 = schema_at(&[users()], 1);
        assert_eq!(v1[0].columns.len(), 2);
        assert_eq!(schema_at(&[users()], 2)[0].columns.len(), 4);
        assert!(schema_at(&[users().since(3)], 2).is_empty());
    }

    #[test]
    fn a_fresh_database_replays_from_version_one() {
        let plan = Case::new(vec![users()]).plan();
        assert!(plan.errors.is_empty());
        assert_eq!(plan.versions.len(), 2);
        assert_eq!(
            ops(&plan.versions[0]),
            ["create table users (2 columns, 1 indexes) [additive]"]
        );
        // Version 2 meets an existing table: new columns, the default written into old rows.
        assert_eq!(
            ops(&plan.versions[1]),
            [
                "add column users.phone varchar(20) [additive]",
                "add column users.is_verified boolean [additive]",
                "write default false into users.is_verified of existing rows [additive]",
            ]
        );
        assert_eq!(plan.versions[1].before[0].reason, "new in version 2");
    }

    #[test]
    fn a_database_at_the_target_has_nothing_to_do() {
        let plan = Case::new(vec![users()]).live(&[users()]).applied(2).plan();
        assert!(plan.is_empty(), "{plan:?}");
        assert!(plan.extras.is_empty());
    }

    #[test]
    fn applied_versions_are_skipped() {
        let v1 = schema_at(&[users()], 1);
        let plan = Case::new(vec![users()]).live(&v1).applied(1).plan();
        assert_eq!(plan.versions.len(), 1);
        assert_eq!(plan.versions[0].version, 2);
    }

    #[test]
    fn defaults_are_not_written_when_opted_out() {
        let v1 = schema_at(&[users()], 1);
        let mut case = Case::new(vec![users()]).live(&v1).applied(1);
        case.skip.insert(("users".into(), "is_verified".into()));
        let plan = case.plan();
        assert_eq!(plan.versions[0].before.len(), 2);
    }

    #[test]
    fn a_new_table_takes_its_required_columns_inline() {
        let t = TableSchema::new("t", "T").column(ColumnSchema::varchar("a", 5).required());
        let plan = Case::new(vec![t]).plan();
        let SchemaOp::CreateTable { table } = &plan.versions[0].before[0].op else {
            panic!("create table expected");
        };
        assert!(table.columns[0].required);
        assert!(plan.versions[0].after.is_empty());
    }

    #[test]
    fn required_columns_on_existing_tables_wait_for_the_steps() {
        let declared = TableSchema::new("t", "T")
            .column(ColumnSchema::varchar("a", 5))
            .column(ColumnSchema::varchar("b", 5).required().since(2));
        let live = schema_at(std::slice::from_ref(&declared), 1);
        let plan = Case::new(vec![declared]).live(&live).applied(1).plan();
        let v2 = &plan.versions[0];
        assert_eq!(
            ops(v2),
            [
                "add column t.b varchar(5) [additive]",
                "make t.b required [in-place]"
            ]
        );
        let SchemaOp::CreateColumn { column, .. } = &v2.before[0].op else {
            panic!("create column expected");
        };
        assert!(!column.required, "created optional first");
        assert_eq!(v2.after.len(), 1);
    }

    #[test]
    fn a_column_made_required_stays_required_in_later_versions() {
        let declared = TableSchema::new("t", "T")
            .column(ColumnSchema::varchar("a", 5))
            .column(ColumnSchema::varchar("b", 5).required().since(2))
            .column(ColumnSchema::varchar("c", 5).since(3));
        let live = schema_at(std::slice::from_ref(&declared), 1);
        let plan = Case::new(vec![declared]).live(&live).applied(1).plan();
        assert_eq!(plan.versions.len(), 2);
        assert_eq!(
            ops(&plan.versions[1]),
            ["add column t.c varchar(5) [additive]"]
        );
    }

    #[test]
    fn in_place_changes_of_old_columns_go_with_the_next_version() {
        let mut declared = users();
        declared.columns[0] = ColumnSchema::varchar("name", 200).required();
        declared
            .columns
            .push(ColumnSchema::varchar("bio", 10).since(3));
        let live = schema_at(&[users()], 2);
        let plan = Case::new(vec![declared]).live(&live).applied(2).plan();
        assert_eq!(
            ops(&plan.versions[0]),
            [
                "change column users.name [in-place]",
                "add column users.bio varchar(10) [additive]"
            ]
        );
        assert_eq!(plan.versions[0].before[0].reason, "size 128 → 200");
    }

    #[test]
    fn spatial_columns_are_planned_like_any_other() {
        let ring = json!([[[0, 0], [0, 1], [1, 1], [0, 0]]]);
        let mut declared = users();
        declared.columns.push(
            ColumnSchema::polygon("area")
                .default_value(ring.clone())
                .since(3),
        );
        let live = schema_at(&[users()], 2);
        let plan = Case::new(vec![declared.clone()])
            .live(&live)
            .applied(2)
            .plan();
        assert_eq!(
            ops(&plan.versions[0]),
            [
                "add column users.area polygon [additive]",
                "write default [[[0,0],[0,1],[1,1],[0,0]]] into users.area of existing rows [additive]"
            ]
        );
        // A server answers the default with float coordinates: that is no change.
        let mut live = schema_at(&[declared.clone()], 3);
        live[0].columns.last_mut().unwrap().default =
            Some(json!([[[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]]));
        let plan = Case::new(vec![declared]).live(&live).applied(3).plan();
        assert!(plan.is_empty(), "{:?}", plan.versions);
    }

    #[test]
    fn without_a_pending_version_changes_are_reconciled() {
        let mut declared = users();
        declared.columns[0] = ColumnSchema::varchar("name", 200).required();
        let live = schema_at(&[users()], 2);
        let plan = Case::new(vec![declared]).live(&live).applied(2).plan();
        assert_eq!(plan.versions.len(), 1);
        assert!(plan.versions[0].reconcile);
        assert!(!plan.versions[0].has_step);
        assert_eq!(
            ops(&plan.versions[0]),
            ["change column users.name [in-place]"]
        );
    }

    #[test]
    fn type_changes_are_plan_errors_that_explain_the_path() {
        let declared =
            TableSchema::new("products", "Products").column(ColumnSchema::float("price"));
        let live =
            TableSchema::new("products", "Products").column(ColumnSchema::varchar("price", 32));
        let plan = Case::new(vec![declared]).live(&[live]).plan();
        assert_eq!(plan.errors.len(), 1);
        let message = &plan.errors[0].message;
        assert!(
            message.contains("is varchar(32) in the database but declared float"),
            "{message}"
        );
        assert!(
            message.contains("m.convert_column(\"products\", \"price\""),
            "{message}"
        );
        assert!(message.contains("m.drop_column"), "{message}");
    }

    #[test]
    fn encryption_changes_are_plan_errors_that_explain_the_path() {
        let declared = TableSchema::new("patients", "Patients")
            .column(ColumnSchema::varchar("ssn", 200).encrypt());
        let live =
            TableSchema::new("patients", "Patients").column(ColumnSchema::varchar("ssn", 200));
        let plan = Case::new(vec![declared]).live(&[live]).plan();
        assert_eq!(plan.errors.len(), 1);
        let message = &plan.errors[0].message;
        assert!(
            message.starts_with(
                "column patients.ssn is not encrypted in the database but declared encrypted. \
                 Appwrite cannot change a column's encryption after creation."
            ),
            "{message}"
        );
        assert!(message.contains("`ssn_new`"), "{message}");
        assert!(
            message.contains("m.rows(\"patients\").backfill(vec![]"),
            "{message}"
        );
        assert!(
            message.contains("m.drop_column(\"patients\", \"ssn\")"),
            "{message}"
        );
    }

    #[test]
    fn index_changes_are_plan_errors() {
        let declared = users();
        let mut live = schema_at(&[users()], 2);
        live[0].indexes[0] = IndexSchema::new("by_email", IndexKind::Key, ["email"]);
        let plan = Case::new(vec![declared]).live(&live).applied(2).plan();
        assert_eq!(plan.errors.len(), 1);
        assert!(
            plan.errors[0]
                .message
                .contains("cannot change an index in place")
        );
        assert!(
            plan.errors[0]
                .message
                .contains("m.drop_index(\"users\", \"by_email\")")
        );
    }

    #[test]
    fn an_opaque_live_column_is_left_alone_and_reported() {
        let mut live = schema_at(&[users()], 2);
        let point = json!({"key": "home", "type": "point", "required": false, "array": false});
        live[0].columns.push(ColumnSchema {
            kind: ColumnKind::Opaque {
                type_name: "point".to_owned(),
                model: Box::new(point),
            },
            ..ColumnSchema::varchar("home", 1)
        });
        live[0]
            .indexes
            .push(IndexSchema::new("near", IndexKind::Spatial, ["home"]));
        let plan = Case::new(vec![users()]).live(&live).applied(2).plan();
        assert!(plan.is_empty(), "nothing touches it: {:?}", plan.versions);
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        let extras: Vec<String> = plan
            .extras
            .iter()
            .map(|e| format!("{}:{}.{}", e.kind, e.table, e.key))
            .collect();
        assert_eq!(extras, ["column:users.home", "index:users.near"]);
    }

    #[test]
    fn extras_are_reported_and_kept() {
        let mut live = schema_at(&[users()], 2);
        live[0].columns.push(ColumnSchema::varchar("legacy", 10));
        live[0]
            .indexes
            .push(IndexSchema::new("old", IndexKind::Key, ["name"]));
        live.push(TableSchema::new("orphans", "Orphans"));
        live.push(TableSchema::new("orm_migrations", "History"));
        let plan = Case::new(vec![users()]).live(&live).applied(2).plan();
        assert!(plan.is_empty(), "nothing is dropped: {:?}", plan.versions);
        let extras: Vec<String> = plan
            .extras
            .iter()
            .map(|e| format!("{}:{}.{}", e.kind, e.table, e.key))
            .collect();
        assert_eq!(
            extras,
            [
                "table:orphans.orphans",
                "column:users.legacy",
                "index:users.old"
            ]
        );
    }

    #[test]
    fn failed_columns_are_removed_and_created_again() {
        let v1 = schema_at(&[users()], 1);
        let mut live: Vec<Table> = v1.iter().map(live_table).collect();
        live[0].columns.push(Column {
            schema: ColumnSchema::varchar("phone", 20),
            status: ColumnStatus::Failed,
            error: "disk full".into(),
            created_at: String::new(),
            updated_at: String::new(),
        });
        let declared = vec![users()];
        let versions = known_versions(&declared, &[], None);
        let plan = plan(&PlanInput {
            declared: &declared,
            live: &live,
            versions: &versions,
            applied: 1,
            target: 2,
            skip_default_backfill: &BTreeSet::new(),
            ignore_tables: &[],
            renames: &[],
        });
        let names = ops(&plan.versions[0]);
        assert_eq!(names[0], "remove failed column users.phone [in-place]");
        assert!(plan.versions[0].before[0].reason.contains("disk full"));
        assert_eq!(names[1], "add column users.phone varchar(20) [additive]");
    }

    /// `books.author`, a two-way manyToOne to `authors` whose twin is `authors.books`, and the
    /// twin as `authors` declares it.
    fn library() -> (TableSchema, TableSchema) {
        let mut parent = Relationship::new("authors", RelationType::ManyToOne);
        parent.two_way = true;
        parent.two_way_key = Some("books".into());
        let mut twin = Relationship::new("books", RelationType::ManyToOne);
        twin.two_way = true;
        twin.two_way_key = Some("author".into());
        twin.side = crate::schema::RelationSide::Child;
        let books = TableSchema::new("books", "Books").column(ColumnSchema::new(
            "author",
            ColumnKind::Relationship(parent),
        ));
        let authors = TableSchema::new("authors", "Authors")
            .column(ColumnSchema::new("books", ColumnKind::Relationship(twin)));
        (books, authors)
    }

    #[test]
    fn a_declared_twin_is_created_by_its_parent_and_is_no_extra() {
        let (books, authors) = library();
        let plan = Case::new(vec![authors.clone(), books.clone()]).plan();
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        assert_eq!(
            ops(&plan.versions[0]),
            [
                "create table authors (0 columns, 0 indexes) [additive]",
                "create table books (0 columns, 0 indexes) [additive]",
                "add column books.author relationship manyToOne to \"authors\" (two-way, twin \"books\") [additive]",
            ]
        );
        // Once applied, the live twin matches the declaration: nothing to do, no extra; and
        // undeclared, it is no extra either while its parent is declared.
        let live = [authors.clone(), books.clone()];
        let again = Case::new(vec![authors, books.clone()])
            .live(&live)
            .applied(1)
            .plan();
        assert!(again.is_empty() && again.extras.is_empty(), "{again:?}");
        let bare = TableSchema::new("authors", "Authors");
        let without = Case::new(vec![bare, books]).live(&live).applied(1).plan();
        assert!(without.extras.is_empty(), "{:?}", without.extras);
    }

    #[test]
    fn a_changed_relationship_type_is_a_plan_error_that_says_what_to_do() {
        let (books, authors) = library();
        let live = [authors.clone(), books.clone()];
        let mut changed = books.clone();
        if let ColumnKind::Relationship(rel) = &mut changed.columns[0].kind {
            rel.relation_type = RelationType::OneToOne;
        }
        let plan = Case::new(vec![authors, changed])
            .live(&live)
            .applied(1)
            .plan();
        let messages: Vec<&str> = plan.errors.iter().map(|e| e.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("relationship manyToOne to \"authors\"")
                    && m.contains("declared relationship oneToOne")
                    && m.contains("drop_column(\"books\", \"author\")")),
            "{messages:?}"
        );
    }

    #[test]
    fn a_twin_without_its_parent_is_a_plan_error() {
        let (_, authors) = library();
        let books = TableSchema::new("books", "Books");
        let plan = Case::new(vec![authors, books]).plan();
        assert_eq!(plan.errors.len(), 1, "{:?}", plan.errors);
        assert!(plan.errors[0].message.contains("twin of books.author"));
    }

    #[test]
    fn relationship_columns_follow_their_table() {
        let posts = TableSchema::new("posts", "Posts")
            .column(ColumnSchema::varchar("title", 10))
            .column(ColumnSchema::new(
                "author",
                ColumnKind::Relationship(Relationship {
                    related_table: "authors".into(),
                    relation_type: RelationType::ManyToOne,
                    two_way: false,
                    two_way_key: None,
                    on_delete: OnDelete::Cascade,
                    side: Default::default(),
                }),
            ));
        let authors = TableSchema::new("authors", "Authors");
        let plan = Case::new(vec![authors, posts]).plan();
        assert_eq!(
            ops(&plan.versions[0]),
            [
                "create table authors (0 columns, 0 indexes) [additive]",
                "create table posts (1 columns, 0 indexes) [additive]",
                "add column posts.author relationship manyToOne to \"authors\" [additive]",
            ]
        );
    }

    #[test]
    fn declared_renames_keep_the_data() {
        let declared = TableSchema::new("t", "T")
            .column(ColumnSchema::varchar("body", 200))
            .column(ColumnSchema::varchar("x", 5).since(2));
        let live = TableSchema::new("t", "T").column(ColumnSchema::varchar("text", 100));
        let mut case = Case::new(vec![declared]).live(&[live]).applied(1);
        case.rename("text", "body");
        let plan = case.plan();
        assert_eq!(
            ops(&plan.versions[0]),
            [
                "rename column t.text to body [in-place]",
                "change column t.body [in-place]",
                "add column t.x varchar(5) [additive]",
            ]
        );
        assert!(plan.extras.is_empty());
        // Without the rename, the old column is an extra and the new one is created.
        case.renames.clear();
        let plan = case.plan();
        assert_eq!(
            ops(&plan.versions[0])[0],
            "add column t.body varchar(200) [additive]"
        );
        assert_eq!(plan.extras[0].key, "text");
    }

    #[test]
    fn indexes_follow_a_renamed_column() {
        let declared = TableSchema::new("t", "T")
            .column(ColumnSchema::varchar("body", 100))
            .column(ColumnSchema::integer("rank"))
            .index(IndexSchema::new(
                "by_body",
                IndexKind::Unique,
                ["body", "rank"],
            ));
        let live = TableSchema::new("t", "T")
            .column(ColumnSchema::varchar("text", 100))
            .column(ColumnSchema::integer("rank"))
            .index(IndexSchema::new(
                "by_body",
                IndexKind::Unique,
                ["text", "rank"],
            ));
        let mut case = Case::new(vec![declared]).live(&[live]).applied(1);
        case.rename("text", "body");
        let plan = case.plan();
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        assert_eq!(
            ops(&plan.versions[0]),
            ["rename column t.text to body [in-place]"]
        );
        assert!(plan.extras.is_empty(), "{:?}", plan.extras);
    }

    #[test]
    fn the_first_old_key_that_exists_is_renamed() {
        let declared = TableSchema::new("t", "T").column(ColumnSchema::varchar("body", 100));
        let live = TableSchema::new("t", "T").column(ColumnSchema::varchar("content", 100));
        let mut case = Case::new(vec![declared]).live(&[live]).applied(1);
        for from in ["text", "content"] {
            case.rename(from, "body");
        }
        let plan = case.plan();
        assert_eq!(
            ops(&plan.versions[0]),
            ["rename column t.content to body [in-place]"]
        );
        assert!(plan.extras.is_empty(), "{:?}", plan.extras);
    }

    #[test]
    fn a_rename_whose_new_key_exists_leaves_the_old_column_as_an_extra() {
        let declared = TableSchema::new("t", "T").column(ColumnSchema::varchar("body", 100));
        let live = TableSchema::new("t", "T")
            .column(ColumnSchema::varchar("text", 100))
            .column(ColumnSchema::varchar("body", 100));
        let mut case = Case::new(vec![declared]).live(&[live]).applied(1);
        case.rename("text", "body");
        let plan = case.plan();
        assert!(plan.is_empty(), "nothing is renamed: {:?}", plan.versions);
        assert!(plan.errors.is_empty());
        assert_eq!(plan.extras.len(), 1);
        assert_eq!(plan.extras[0].renamed_to.as_deref(), Some("body"));
        assert_eq!(
            plan.extras[0].to_string(),
            "column t.text is declared as renamed to \"body\", but t.body exists as well, so it \
             was not renamed (kept; move what it holds into t.body in a step and drop it there)"
        );
        // Without the rename it is a plain extra.
        case.renames.clear();
        let plan = case.plan();
        assert_eq!(plan.extras[0].renamed_to, None);
        assert!(plan.extras[0].to_string().contains("does not declare it"));
    }

    #[test]
    fn table_settings_change_in_place() {
        let mut declared = users();
        declared.name = "People".into();
        declared.permissions = vec!["read(\"any\")".into()];
        let live = schema_at(&[users()], 2);
        let plan = Case::new(vec![declared]).live(&live).applied(2).plan();
        assert_eq!(
            plan.versions[0].before[0].reason,
            "name \"Users\" → \"People\", permissions"
        );
    }

    #[test]
    fn a_case_clash_is_an_error() {
        let declared = TableSchema::new("t", "T").column(ColumnSchema::varchar("Email", 10));
        let live = TableSchema::new("t", "T").column(ColumnSchema::varchar("email", 10));
        let plan = Case::new(vec![declared]).live(&[live]).plan();
        assert!(plan.errors[0].message.contains("differs only by case"));
    }

    #[test]
    fn missing_old_elements_are_created_with_a_reason() {
        let live = TableSchema::new("users", "Users")
            .column(ColumnSchema::varchar("name", 128).required())
            .column(ColumnSchema::new("email", ColumnKind::Email).required());
        let plan = Case::new(vec![users()]).live(&[live]).applied(1).plan();
        let index = plan.versions[0]
            .before
            .iter()
            .find(|o| matches!(o.op, SchemaOp::CreateIndex { .. }))
            .unwrap();
        assert_eq!(
            index.reason,
            "declared since version 1 but missing from the database; created again"
        );
    }

    #[test]
    fn planning_is_pure() {
        let case = Case::new(vec![users()])
            .live(&schema_at(&[users()], 1))
            .applied(1);
        assert_eq!(case.plan(), case.plan());
        let value = serde_json::to_value(case.plan()).unwrap();
        assert_eq!(
            value["versions"][0]["before"][0]["op"]["op"],
            json!("create_column")
        );
    }
}
