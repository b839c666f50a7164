//! One declared table against its live counterpart (as the plan simulates it) in one version:
//! the operations that bring the live table to the declaration, grouped by kind in the order
//! they run, and the plan errors for what Appwrite cannot change in place. Pure.

use crate::api::ColumnStatus;
use crate::migrate::planning::compare::{self, ColumnDiff};
use crate::migrate::planning::plan::{
    ColumnRename, OpClass, PlanError, PlanInput, PlannedOp, SchemaOp, SimItem, SimTable,
    added_reason, op,
};
use crate::schema::{ColumnKind, ColumnSchema, IndexSchema, RelationSide, TableSchema};

/// What a table's diff works on: the version planned, the declaration as of it and the
/// plan's input (renames, skipped default fills).
pub(super) struct TableDiffInput<'d, 'i> {
    pub(super) version: u32,
    pub(super) declared: &'d TableSchema,
    pub(super) input: &'d PlanInput<'i>,
}

/// The operations of one table, by kind; [`TableOps::in_order`] gives them in the order they
/// run.
#[derive(Default)]
pub(super) struct TableOps {
    /// Name, permissions and row security.
    settings: Vec<PlannedOp>,
    /// Failed leftovers removed before they are created again.
    removals: Vec<PlannedOp>,
    /// Columns renamed, changed or created.
    columns: Vec<PlannedOp>,
    /// Indexes created, once their columns are.
    indexes: Vec<PlannedOp>,
    /// Defaults written into existing rows, once the columns exist.
    fills: Vec<PlannedOp>,
    /// Columns made required after the version's steps.
    pub(super) after: Vec<PlannedOp>,
}

impl TableOps {
    /// The operations that run before the steps, in order.
    pub(super) fn in_order(self) -> (Vec<PlannedOp>, Vec<PlannedOp>) {
        let mut before = self.settings;
        before.extend(self.removals);
        before.extend(self.columns);
        before.extend(self.indexes);
        before.extend(self.fills);
        (before, self.after)
    }
}

/// The diff of one table: updates `live` to what it will be once the version ran, records
/// plan errors in `errors`.
pub(super) fn diff_table(
    of: &TableDiffInput<'_, '_>,
    live: &mut SimTable,
    errors: &mut Vec<PlanError>,
) -> TableOps {
    let mut diff = TableDiff {
        of,
        live,
        errors,
        ops: TableOps::default(),
    };
    diff.settings();
    for column in &of.declared.columns {
        diff.column(column);
    }
    for index in &of.declared.indexes {
        diff.index(index);
    }
    diff.ops
}

struct TableDiff<'a, 'd, 'i> {
    of: &'a TableDiffInput<'d, 'i>,
    live: &'a mut SimTable,
    errors: &'a mut Vec<PlanError>,
    ops: TableOps,
}

/// Where a declared column or index stands among the live ones.
enum Existing {
    /// Absent: it is created.
    Missing,
    /// Its creation failed on the server, with this error: it is removed and created again.
    Failed(String),
    /// Nothing more to plan: the same, changed in place, or a plan error.
    Settled,
}

impl TableDiff<'_, '_, '_> {
    fn id(&self) -> &str {
        &self.of.declared.id
    }

    fn error(&mut self, message: String) {
        self.errors.push(PlanError {
            version: self.of.version,
            table: self.of.declared.id.clone(),
            message,
        });
    }

    /// Name, row security and permissions, changed in place when they differ.
    fn settings(&mut self) {
        let (table, live) = (self.of.declared, &mut *self.live);
        let mut what = Vec::new();
        if live.name != table.name {
            what.push(format!("name {:?} → {:?}", live.name, table.name));
        }
        if live.row_security != table.row_security {
            what.push(format!(
                "row security {} → {}",
                live.row_security, table.row_security
            ));
        }
        if !compare::same_permissions(&live.permissions, &table.permissions) {
            what.push("permissions".to_owned());
        }
        if what.is_empty() {
            return;
        }
        self.ops.settings.push(op(
            SchemaOp::UpdateTable {
                table: table.id.clone(),
                name: table.name.clone(),
                permissions: table.permissions.clone(),
                row_security: table.row_security,
            },
            OpClass::InPlace,
            what.join(", "),
        ));
        live.name = table.name.clone();
        live.permissions = table.permissions.clone();
        live.row_security = table.row_security;
    }

    /// One declared column: renamed, compared, or created.
    fn column(&mut self, column: &ColumnSchema) {
        self.follow_rename(column);
        let existing = match self
            .live
            .columns
            .iter()
            .position(|c| c.schema.key == column.key)
        {
            Some(p) => self.live_column(column, p),
            None if self.differs_by_case(&column.key) => Existing::Settled,
            None => Existing::Missing,
        };
        match existing {
            Existing::Settled => {}
            Existing::Missing => self.create_column(column),
            Existing::Failed(server_error) => {
                self.ops.removals.push(remove_failed(
                    self.id(),
                    &column.key,
                    false,
                    format!(
                        "its creation failed on the server ({server_error}); it holds no data \
                         and is created again"
                    ),
                ));
                self.live.columns.retain(|c| c.schema.key != column.key);
                self.create_column(column);
            }
        }
    }

    /// Renames the live column declared as the old key of `column`, when `column` is not
    /// live yet.
    fn follow_rename(&mut self, column: &ColumnSchema) {
        let (id, key) = (&self.of.declared.id, &column.key);
        if self.live.columns.iter().any(|c| &c.schema.key == key) {
            return;
        }
        let Some((rename, old)) =
            renamed_column(self.of.input.renames, id, key, &mut self.live.columns)
        else {
            return;
        };
        let mut renamed = old.schema.clone();
        renamed.key = key.clone();
        self.ops.columns.push(op(
            SchemaOp::RenameColumn {
                table: id.clone(),
                from: rename.from.clone(),
                column: renamed.clone(),
            },
            OpClass::InPlace,
            format!(
                "declared as renamed from {:?}; Appwrite renames in place and keeps the data",
                rename.from
            ),
        ));
        old.schema = renamed;
        let from = rename.from.as_str();
        // Appwrite rewrites the indexes that use the column: they follow it.
        for index in &mut self.live.indexes {
            for column in index.schema.columns.iter_mut().filter(|c| *c == from) {
                column.clone_from(key);
            }
        }
    }

    /// True (with a plan error) when a live column's key differs from `key` only by case.
    fn differs_by_case(&mut self, key: &str) -> bool {
        let Some(other) = self
            .live
            .columns
            .iter()
            .find(|c| c.schema.key.eq_ignore_ascii_case(key))
        else {
            return false;
        };
        let message = format!(
            "column {}.{key} differs only by case from the live column {:?}, and Appwrite \
             compares keys without case; rename one of them",
            self.id(),
            other.schema.key
        );
        self.error(message);
        true
    }

    /// The declared column against the live one at `p`, by the live one's status.
    fn live_column(&mut self, column: &ColumnSchema, p: usize) -> Existing {
        let id = self.id().to_owned();
        let key = &column.key;
        let item = &self.live.columns[p];
        match item.status {
            ColumnStatus::Failed => Existing::Failed(item.error.clone()),
            ColumnStatus::Stuck => {
                let message = format!(
                    "column {id}.{key} is stuck on the server ({}); it needs attention in the \
                     Appwrite console before migrations can go on",
                    item.error
                );
                self.error(message);
                Existing::Settled
            }
            ColumnStatus::Deleting => {
                self.error(format!(
                    "column {id}.{key} is still being deleted on the server; run the migration \
                     again once it is gone"
                ));
                Existing::Settled
            }
            ColumnStatus::Available | ColumnStatus::Processing => {
                self.change_column(column, p);
                Existing::Settled
            }
        }
    }

    /// Changes the live column at `p` in place where it differs from the declaration.
    fn change_column(&mut self, column: &ColumnSchema, p: usize) {
        let id = self.id().to_owned();
        match compare::compare_column(column, &self.live.columns[p].schema) {
            ColumnDiff::Same => {}
            ColumnDiff::InPlace {
                desired,
                changes,
                make_required,
            } => {
                if let Some(desired) = desired {
                    self.ops.columns.push(op(
                        SchemaOp::UpdateColumn {
                            table: id.clone(),
                            column: desired.clone(),
                        },
                        OpClass::InPlace,
                        changes.join(", "),
                    ));
                    self.live.columns[p].schema = desired;
                }
                if make_required {
                    self.ops.after.push(make_required_op(&id, column));
                    // As it will be once the version is done.
                    let live = &mut self.live.columns[p].schema;
                    live.required = true;
                    live.default = None;
                }
            }
            ColumnDiff::Incompatible(why) => {
                let live = &self.live.columns[p].schema;
                self.error(if column.encrypt == live.encrypt {
                    incompatible_message(&id, column, &why)
                } else {
                    encryption_change_message(&id, column, &why)
                });
            }
        }
    }

    /// Creates a missing column: optional until the steps have run when declared required,
    /// with its default written into the rows that exist.
    fn create_column(&mut self, column: &ColumnSchema) {
        if is_twin(column) {
            // Appwrite creates a twin with its parent relationship; the sim has it from then.
            self.live.columns.push(SimItem::ready(column.clone()));
            return;
        }
        let id = self.id().to_owned();
        let key = &column.key;
        let mut created = column.clone();
        if column.required {
            // Rows that exist have no value for it: required comes after the steps.
            created.required = false;
            self.ops.after.push(make_required_op(&id, column));
        }
        self.ops.columns.push(op(
            SchemaOp::CreateColumn {
                table: id.clone(),
                column: created,
            },
            OpClass::Additive,
            added_reason(column.since, self.of.version, "created"),
        ));
        if let Some(default) = column.default.as_ref().filter(|v| !v.is_null())
            && !self
                .of
                .input
                .skip_default_backfill
                .contains(&(id.clone(), key.clone()))
        {
            self.ops.fills.push(op(
                SchemaOp::FillDefault {
                    table: id,
                    column: key.clone(),
                    value: default.clone(),
                },
                OpClass::Additive,
                "Appwrite leaves existing rows null, and filters on the column would miss them",
            ));
        }
        // As it will be once the version is done (required after the steps).
        self.live.columns.push(SimItem::ready(column.clone()));
    }

    /// One declared index: kept when the same, created when missing or failed; a different
    /// one is a plan error (Appwrite cannot change an index in place).
    fn index(&mut self, index: &IndexSchema) {
        let existing = match self
            .live
            .indexes
            .iter()
            .position(|i| i.schema.key == index.key)
        {
            Some(p) => self.live_index(index, p),
            None => Existing::Missing,
        };
        match existing {
            Existing::Settled => return,
            Existing::Missing => {}
            Existing::Failed(server_error) => {
                self.ops.removals.push(remove_failed(
                    self.id(),
                    &index.key,
                    true,
                    format!(
                        "its creation failed on the server ({server_error}); it is created again"
                    ),
                ));
                self.live.indexes.retain(|i| i.schema.key != index.key);
            }
        }
        self.ops.indexes.push(op(
            SchemaOp::CreateIndex {
                table: self.id().to_owned(),
                index: index.clone(),
            },
            OpClass::Additive,
            added_reason(index.since, self.of.version, "created"),
        ));
        self.live.indexes.push(SimItem::ready(index.clone()));
    }

    /// The declared index against the live one at `p`, by the live one's status.
    fn live_index(&mut self, index: &IndexSchema, p: usize) -> Existing {
        let id = self.id().to_owned();
        let key = &index.key;
        let item = &self.live.indexes[p];
        let message = match item.status {
            ColumnStatus::Failed => return Existing::Failed(item.error.clone()),
            ColumnStatus::Stuck | ColumnStatus::Deleting => format!(
                "index {id}.{key} is {} on the server; run the migration again once it is gone, \
                 or remove it in the Appwrite console",
                item.status.as_str()
            ),
            ColumnStatus::Available | ColumnStatus::Processing => {
                if compare::same_index(index, &item.schema) {
                    return Existing::Settled;
                }
                format!(
                    "index {id}.{key} is {} in the database but declared {}; Appwrite cannot \
                     change an index in place. Give the new definition another key (it is then \
                     created as an additive change) and drop the old index in a step with \
                     `m.drop_index(\"{id}\", \"{key}\")`",
                    compare::describe_index(&item.schema),
                    compare::describe_index(index)
                )
            }
        };
        self.error(message);
        Existing::Settled
    }
}

/// Removes a column or index whose creation failed.
fn remove_failed(table: &str, key: &str, index: bool, reason: String) -> PlannedOp {
    op(
        SchemaOp::RemoveFailed {
            table: table.to_owned(),
            key: key.to_owned(),
            index,
        },
        OpClass::InPlace,
        reason,
    )
}

/// The first rename of `table.key` whose old key the live table has (and can rename: it is
/// neither failed nor being deleted), with that live column.
fn renamed_column<'r, 'l>(
    renames: &'r [ColumnRename],
    table: &str,
    key: &str,
    live: &'l mut [SimItem<ColumnSchema>],
) -> Option<(&'r ColumnRename, &'l mut SimItem<ColumnSchema>)> {
    let renamable = |c: &SimItem<ColumnSchema>, from: &str| {
        c.schema.key == from
            && matches!(c.status, ColumnStatus::Available | ColumnStatus::Processing)
    };
    let rename = renames
        .iter()
        .find(|r| r.table == table && r.to == key && live.iter().any(|c| renamable(c, &r.from)))?;
    let old = live.iter_mut().find(|c| renamable(c, &rename.from))?;
    Some((rename, old))
}

fn make_required_op(table: &str, column: &ColumnSchema) -> PlannedOp {
    let mut required = column.clone();
    required.required = true;
    required.default = None;
    op(
        SchemaOp::MakeRequired {
            table: table.to_owned(),
            column: required,
        },
        OpClass::InPlace,
        "kept optional while rows lack a value; required once the steps have filled every row",
    )
}

/// The plan error for a column declared encrypted where the live one is not, or the reverse.
fn encryption_change_message(table: &str, column: &ColumnSchema, why: &str) -> String {
    let key = &column.key;
    format!(
        "column {table}.{key} {why}. Appwrite cannot change a column's encryption after \
             creation. Declare the column under a new key (e.g. `{key}_new` with `since = N`, \
             encrypted or not), copy the values in a step of version N with \
             `m.rows(\"{table}\").backfill(vec![], |row| ...)` setting `{key}_new` from `{key}` \
             (an encrypted column cannot be filtered on, so the step walks every row), and drop \
             the old column in a later version's step with `m.drop_column(\"{table}\", \"{key}\")` \
             (it is backed up first)"
    )
}

fn incompatible_message(table: &str, column: &ColumnSchema, why: &str) -> String {
    let key = &column.key;
    if matches!(column.kind, ColumnKind::Relationship(_)) {
        return format!(
            "column {table}.{key} {why}. Appwrite changes only a relationship's onDelete and key \
             in place. Declare the new relationship under a new key (e.g. `{key}_new` with \
             `since = N`), link the rows in a step of version N (e.g. \
             `m.rows(\"{table}\").backfill(vec![Query::is_null(\"{key}_new\")], ...)` setting \
             it from `{key}`), and delete the old relationship in a later version's step with \
             `m.drop_column(\"{table}\", \"{key}\")` (its twin goes with it)"
        );
    }
    format!(
        "column {table}.{key} {why}. Appwrite cannot change a column's type or array flag in \
         place. Declare the new type under a new key (e.g. `{key}_new` with `since = N`), \
         convert the data in a step of version N with `m.convert_column(\"{table}\", \"{key}\", \
         <new column>, |value| ...)`, and drop the old column in a later version's step with \
         `m.drop_column(\"{table}\", \"{key}\")` (it is backed up first)"
    )
}

/// True for the twin (child side) of a two-way relationship: created and deleted with its
/// parent column, never on its own.
pub(super) fn is_twin(column: &ColumnSchema) -> bool {
    matches!(&column.kind, ColumnKind::Relationship(rel) if rel.side == RelationSide::Child)
}
