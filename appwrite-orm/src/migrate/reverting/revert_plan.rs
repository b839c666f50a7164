//! The revert plan: for each applied version above a target, newest first, whether it can be
//! reverted and which of its schema additions exist live, as ordered drops. A pure function
//! of the declared schema, the live schema and the history; [`Migrator::revert_with`] executes
//! it and [`Migrator::revert_plan`] returns it.
//!
//! The additions of version `V` are what the declarations mark `since = V`, dropped in this
//! order so that Appwrite accepts each drop:
//!
//! 1. indexes with `since = V` on tables older than `V`;
//! 2. live indexes, declared or not, that use a column of step 3 (Appwrite refuses to delete a
//!    column an index uses);
//! 3. columns with `since = V` on tables older than `V`;
//! 4. tables with `since = V` (their columns and indexes go with them).
//!
//! Only what exists live is listed; what is being deleted already is left to finish.
//!
//! [`Migrator::revert_with`]: crate::migrate::Migrator::revert_with
//! [`Migrator::revert_plan`]: crate::migrate::Migrator::revert_plan

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::api::{ColumnStatus, Table};
use crate::migrate::error::MigrateError;
use crate::migrate::records::history::{HistoryEntry, VersionStatus};
use crate::migrate::registry::MigrationDef;
use crate::schema::TableSchema;

/// One drop of a revert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum DropOp {
    /// Delete an index (it holds no data of its own).
    DropIndex {
        /// The table id.
        table: String,
        /// The index key.
        key: String,
    },
    /// Delete a column and its values.
    DropColumn {
        /// The table id.
        table: String,
        /// The column key.
        key: String,
    },
    /// Delete a table and its rows.
    DropTable {
        /// The table id.
        table: String,
    },
}

impl DropOp {
    /// The table the drop acts on.
    pub fn table(&self) -> &str {
        match self {
            DropOp::DropIndex { table, .. }
            | DropOp::DropColumn { table, .. }
            | DropOp::DropTable { table } => table,
        }
    }

    /// True when rows' data is lost (a column or a table), false for an index.
    pub fn loses_data(&self) -> bool {
        !matches!(self, DropOp::DropIndex { .. })
    }

    /// What is dropped, as `table.key (kind)`: `posts.view_count (column)`, `tags (table)`.
    pub fn label(&self) -> String {
        match self {
            DropOp::DropIndex { table, key } => format!("{table}.{key} (index)"),
            DropOp::DropColumn { table, key } => format!("{table}.{key} (column)"),
            DropOp::DropTable { table } => format!("{table} (table)"),
        }
    }
}

impl fmt::Display for DropOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DropOp::DropIndex { table, key } => write!(f, "drop index {table}.{key}"),
            DropOp::DropColumn { table, key } => write!(f, "drop column {table}.{key}"),
            DropOp::DropTable { table } => write!(f, "drop table {table}"),
        }
    }
}

/// A drop with why it is planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedDrop {
    /// What to drop.
    pub op: DropOp,
    /// Why.
    pub reason: String,
}

/// What reverting one version does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevertVersion {
    /// The version.
    pub version: u32,
    /// Its recorded name.
    pub name: String,
    /// True when the binary has a `down` step for it (it runs first).
    pub has_down: bool,
    /// Why it cannot be reverted (it runs a step that has no `down`); `None` when it can.
    pub refused: Option<String>,
    /// Its schema additions that exist live, in the order they are dropped (only with
    /// [`RevertOptions::drop_schema`](crate::migrate::RevertOptions::drop_schema); kept otherwise).
    pub drops: Vec<PlannedDrop>,
}

/// What a revert to a version would do: the applied versions above it, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevertPlan {
    /// The highest applied version.
    pub from: u32,
    /// The version to go back to.
    pub to: u32,
    /// The versions to revert, newest first.
    pub versions: Vec<RevertVersion>,
}

impl RevertPlan {
    /// True when no applied version is above the target.
    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }

    /// The refusal of the newest version that cannot be reverted; a revert checks every
    /// version before it reverts any.
    pub fn refusal(&self) -> Option<MigrateError> {
        self.versions
            .iter()
            .find(|v| v.refused.is_some())
            .map(|v| MigrateError::NoDown {
                version: v.version,
                name: v.name.clone(),
            })
    }

    /// Every drop, newest version first.
    pub fn drops(&self) -> impl Iterator<Item = &PlannedDrop> {
        self.versions.iter().flat_map(|v| &v.drops)
    }

    /// The tables that lose a column or are dropped, each once, in the order of the drops.
    pub fn tables_losing_data(&self) -> Vec<String> {
        tables_losing_data(self.drops())
    }
}

/// The tables that lose a column or are dropped by `drops`, each once, in order.
pub(crate) fn tables_losing_data<'d>(drops: impl Iterator<Item = &'d PlannedDrop>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for drop in drops.filter(|d| d.op.loses_data()) {
        if !out.iter().any(|t| t == drop.op.table()) {
            out.push(drop.op.table().to_owned());
        }
    }
    out
}

impl fmt::Display for RevertPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(
                f,
                "nothing to revert: no applied version above {} (the database is at version {})",
                self.to, self.from
            );
        }
        writeln!(f, "revert from version {} to {}:", self.from, self.to)?;
        for v in &self.versions {
            let how = match (&v.refused, v.has_down) {
                (Some(_), _) => "refused",
                (None, true) => "runs its down step",
                (None, false) => "schema only, no down step",
            };
            writeln!(f, "  version {} ({}): {how}", v.version, v.name)?;
            if let Some(why) = &v.refused {
                writeln!(f, "    {why}")?;
            }
            if !v.drops.is_empty() {
                writeln!(
                    f,
                    "    schema it added (dropped with drop_schema / --drop-schema, kept otherwise):"
                )?;
            }
            for d in &v.drops {
                writeln!(f, "      {} ({})", d.op, d.reason)?;
            }
        }
        Ok(())
    }
}

/// What the revert planner needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RevertInput<'a> {
    /// The declared tables (with `since` on tables, columns and indexes).
    pub(crate) declared: &'a [TableSchema],
    /// The binary's migrations.
    pub(crate) migrations: &'a [MigrationDef],
    /// The live tables.
    pub(crate) live: &'a [Table],
    /// Every history entry.
    pub(crate) history: &'a [HistoryEntry],
    /// The version to go back to.
    pub(crate) to: u32,
}

/// Plans a revert to `input.to`. Pure: the same input gives the same plan.
pub(crate) fn plan(input: &RevertInput<'_>) -> RevertPlan {
    let applied = || {
        input
            .history
            .iter()
            .filter(|e| e.status == VersionStatus::Applied)
    };
    let from = applied().map(|e| e.version).max().unwrap_or(0);
    let mut reverted: Vec<&HistoryEntry> = applied().filter(|e| e.version > input.to).collect();
    reverted.sort_by_key(|e| std::cmp::Reverse(e.version));
    let mut live = LiveSet::of(input.live);
    let versions = reverted
        .into_iter()
        .map(|entry| {
            let def = input.migrations.iter().find(|m| m.version == entry.version);
            let has_down = def.is_some_and(MigrationDef::has_down);
            // A version without a migration and without a recorded checksum only changed the
            // schema: there is no step to undo.
            let schema_only = def.is_none() && entry.checksum.is_empty();
            let refused = (!has_down && !schema_only).then(|| {
                MigrateError::NoDown {
                    version: entry.version,
                    name: entry.name.clone(),
                }
                .to_string()
            });
            RevertVersion {
                version: entry.version,
                name: entry.name.clone(),
                has_down,
                refused,
                drops: additions(input.declared, &mut live, entry.version),
            }
        })
        .collect();
    RevertPlan {
        from,
        to: input.to,
        versions,
    }
}

/// The drops of `versions` (each newest first, in that order) against `live`.
pub(crate) fn drops_of(
    declared: &[TableSchema],
    live: &[Table],
    versions: &[u32],
) -> Vec<Vec<PlannedDrop>> {
    let mut live = LiveSet::of(live);
    versions
        .iter()
        .map(|v| additions(declared, &mut live, *v))
        .collect()
}

/// The live tables' keys, with what is planned for dropping taken out, so that an item shared
/// by two versions (an index on columns of both) is dropped once.
struct LiveSet {
    tables: BTreeMap<String, LiveKeys>,
}

struct LiveKeys {
    columns: BTreeSet<String>,
    /// Index key and the columns it uses, in creation order.
    indexes: Vec<(String, Vec<String>)>,
}

impl LiveSet {
    fn of(live: &[Table]) -> Self {
        let present = |s: ColumnStatus| s != ColumnStatus::Deleting;
        let tables = live
            .iter()
            .map(|t| {
                let keys = LiveKeys {
                    columns: t
                        .columns
                        .iter()
                        .filter(|c| present(c.status))
                        .map(|c| c.schema.key.clone())
                        .collect(),
                    indexes: t
                        .indexes
                        .iter()
                        .filter(|i| present(i.status))
                        .map(|i| (i.schema.key.clone(), i.schema.columns.clone()))
                        .collect(),
                };
                (t.id.clone(), keys)
            })
            .collect();
        Self { tables }
    }
}

/// The additions of `version` that exist in `live`, as ordered drops; takes them out of `live`.
fn additions(declared: &[TableSchema], live: &mut LiveSet, version: u32) -> Vec<PlannedDrop> {
    let new_here = format!("added in version {version}");
    let mut indexes = Vec::new();
    let mut columns = Vec::new();
    let mut tables = Vec::new();
    // Tables of this version go whole: their columns and indexes need no drop of their own.
    for table in declared.iter().filter(|t| t.since < version) {
        let Some(keys) = live.tables.get_mut(&table.id) else {
            continue;
        };
        for index in table.indexes.iter().filter(|i| i.since == version) {
            if let Some(p) = keys.indexes.iter().position(|(k, _)| *k == index.key) {
                keys.indexes.remove(p);
                indexes.push(PlannedDrop {
                    op: DropOp::DropIndex {
                        table: table.id.clone(),
                        key: index.key.clone(),
                    },
                    reason: new_here.clone(),
                });
            }
        }
        let mut dependents = Vec::new();
        for column in table.columns.iter().filter(|c| c.since == version) {
            if !keys.columns.remove(&column.key) {
                continue;
            }
            while let Some(p) = keys
                .indexes
                .iter()
                .position(|(_, cols)| cols.contains(&column.key))
            {
                let (key, _) = keys.indexes.remove(p);
                dependents.push(PlannedDrop {
                    op: DropOp::DropIndex {
                        table: table.id.clone(),
                        key,
                    },
                    reason: format!(
                        "uses column {}.{}, added in version {version}",
                        table.id, column.key
                    ),
                });
            }
            columns.push(PlannedDrop {
                op: DropOp::DropColumn {
                    table: table.id.clone(),
                    key: column.key.clone(),
                },
                reason: new_here.clone(),
            });
        }
        indexes.extend(dependents);
    }
    for table in declared.iter().filter(|t| t.since == version) {
        if live.tables.remove(&table.id).is_some() {
            tables.push(PlannedDrop {
                op: DropOp::DropTable {
                    table: table.id.clone(),
                },
                reason: new_here.clone(),
            });
        }
    }
    indexes.extend(columns);
    indexes.extend(tables);
    indexes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::test_support::{history_entry, live_table};
    use crate::schema::{ColumnSchema, IndexKind, IndexSchema};

    fn entry(version: u32, checksum: &str, status: VersionStatus) -> HistoryEntry {
        history_entry(version, &format!("v{version}"), checksum, status)
    }

    fn step(version: u32) -> MigrationDef {
        MigrationDef::new(version, format!("v{version}"), |_m| {
            Box::pin(async { Ok(()) })
        })
    }

    fn with_down(version: u32) -> MigrationDef {
        step(version).with_down(|_m| Box::pin(async { Ok(()) }))
    }

    /// posts (v1) gains `view_count`, `by_views` and `by_title_views` in v3; tags is new in v2.
    fn declared() -> Vec<TableSchema> {
        vec![
            TableSchema::new("posts", "Posts")
                .column(ColumnSchema::varchar("title", 100))
                .column(ColumnSchema::integer("view_count").since(3))
                .column(ColumnSchema::varchar("slug", 50).since(2))
                .index(IndexSchema::new("by_title", IndexKind::Key, ["title"]))
                .index(IndexSchema::new("by_views", IndexKind::Key, ["view_count"]).since(3))
                .index(IndexSchema::new("by_slug", IndexKind::Unique, ["slug"]).since(2)),
            TableSchema::new("tags", "Tags")
                .since(2)
                .column(ColumnSchema::varchar("label", 20).since(2))
                .index(IndexSchema::new("by_label", IndexKind::Key, ["label"]).since(2)),
        ]
    }

    fn ops(v: &RevertVersion) -> Vec<String> {
        v.drops.iter().map(|d| d.op.to_string()).collect()
    }

    fn plan_for(
        declared: &[TableSchema],
        live: &[Table],
        history: &[HistoryEntry],
        migrations: &[MigrationDef],
        to: u32,
    ) -> RevertPlan {
        plan(&RevertInput {
            declared,
            migrations,
            live,
            history,
            to,
        })
    }

    fn applied(versions: &[u32]) -> Vec<HistoryEntry> {
        versions
            .iter()
            .map(|v| entry(*v, "", VersionStatus::Applied))
            .collect()
    }

    #[test]
    fn drops_come_newest_first_indexes_then_columns_then_tables() {
        let declared = declared();
        let live: Vec<Table> = declared.iter().map(live_table).collect();
        let p = plan_for(&declared, &live, &applied(&[1, 2, 3]), &[], 1);
        assert_eq!((p.from, p.to), (3, 1));
        let versions: Vec<u32> = p.versions.iter().map(|v| v.version).collect();
        assert_eq!(versions, [3, 2]);
        assert_eq!(
            ops(&p.versions[0]),
            ["drop index posts.by_views", "drop column posts.view_count"]
        );
        assert_eq!(
            ops(&p.versions[1]),
            [
                "drop index posts.by_slug",
                "drop column posts.slug",
                "drop table tags"
            ]
        );
        assert_eq!(p.versions[1].drops[2].reason, "added in version 2");
        assert_eq!(p.tables_losing_data(), ["posts", "tags"]);
        assert!(p.refusal().is_none());
    }

    #[test]
    fn only_what_exists_live_is_dropped() {
        let declared = declared();
        // posts as of version 1, plus view_count without its index; no tags table.
        let posts = TableSchema::new("posts", "Posts")
            .column(ColumnSchema::varchar("title", 100))
            .column(ColumnSchema::integer("view_count"))
            .index(IndexSchema::new("by_title", IndexKind::Key, ["title"]));
        let p = plan_for(
            &declared,
            &[live_table(&posts)],
            &applied(&[1, 2, 3]),
            &[],
            1,
        );
        assert_eq!(ops(&p.versions[0]), ["drop column posts.view_count"]);
        assert!(p.versions[1].drops.is_empty());
        assert!(
            plan_for(&declared, &[], &applied(&[1, 2, 3]), &[], 1)
                .drops()
                .next()
                .is_none()
        );
    }

    #[test]
    fn undeclared_indexes_on_a_dropped_column_go_first() {
        let declared = declared();
        let mut posts = declared[0].clone();
        posts.indexes.push(IndexSchema::new(
            "hand_made",
            IndexKind::Key,
            ["title", "view_count"],
        ));
        let p = plan_for(
            &declared,
            &[live_table(&posts)],
            &applied(&[1, 2, 3]),
            &[],
            2,
        );
        assert_eq!(
            ops(&p.versions[0]),
            [
                "drop index posts.by_views",
                "drop index posts.hand_made",
                "drop column posts.view_count"
            ]
        );
        assert_eq!(
            p.versions[0].drops[1].reason,
            "uses column posts.view_count, added in version 3"
        );
    }

    #[test]
    fn an_index_over_columns_of_two_versions_is_dropped_once() {
        let mut declared = declared();
        declared[0].indexes.push(
            IndexSchema::new("by_slug_views", IndexKind::Key, ["slug", "view_count"]).since(3),
        );
        let live: Vec<Table> = declared.iter().map(live_table).collect();
        let p = plan_for(&declared, &live, &applied(&[1, 2, 3]), &[], 1);
        let all: Vec<String> = p.drops().map(|d| d.op.to_string()).collect();
        assert_eq!(
            all.iter().filter(|o| o.contains("by_slug_views")).count(),
            1
        );
        assert_eq!(
            ops(&p.versions[0])[..2],
            [
                "drop index posts.by_views",
                "drop index posts.by_slug_views"
            ]
        );
    }

    #[test]
    fn deleting_items_are_left_to_finish() {
        let declared = declared();
        let mut posts = live_table(&declared[0]);
        for c in &mut posts.columns {
            c.status = ColumnStatus::Deleting;
        }
        for i in &mut posts.indexes {
            i.status = ColumnStatus::Deleting;
        }
        let p = plan_for(&declared, &[posts], &applied(&[1, 2, 3]), &[], 2);
        assert!(p.versions[0].drops.is_empty());
    }

    #[test]
    fn versions_at_or_below_the_target_and_unapplied_ones_stay() {
        let declared = declared();
        let mut history = applied(&[1, 2]);
        history.push(entry(3, "", VersionStatus::Failed));
        let p = plan_for(&declared, &[], &history, &[], 2);
        assert!(p.is_empty());
        assert_eq!(p.from, 2);
        assert!(p.to_string().contains("nothing to revert"), "{p}");
    }

    #[test]
    fn a_step_without_down_is_refused_and_the_newest_refusal_wins() {
        let declared = declared();
        let history = vec![
            entry(1, "", VersionStatus::Applied),
            entry(2, "c2", VersionStatus::Applied),
            entry(3, "c3", VersionStatus::Applied),
            entry(4, "c4", VersionStatus::Applied),
            entry(5, "", VersionStatus::Applied),
        ];
        // 5: schema only; 4: down; 3: a step without down; 2: gone from the binary.
        let migrations = [step(3), with_down(4)];
        let p = plan_for(&declared, &[], &history, &migrations, 1);
        let states: Vec<(u32, bool, bool)> = p
            .versions
            .iter()
            .map(|v| (v.version, v.has_down, v.refused.is_some()))
            .collect();
        assert_eq!(
            states,
            [
                (5, false, false),
                (4, true, false),
                (3, false, true),
                (2, false, true)
            ]
        );
        assert!(matches!(
            p.refusal(),
            Some(MigrateError::NoDown { version: 3, .. })
        ));
        let text = p.to_string();
        assert!(text.contains("version 3 (v3): refused"), "{text}");
        assert!(text.contains("has no down migration"), "{text}");
    }

    #[test]
    fn drops_of_replans_the_remaining_versions() {
        let declared = declared();
        let live: Vec<Table> = declared.iter().map(live_table).collect();
        let drops = drops_of(&declared, &live, &[2]);
        assert_eq!(drops.len(), 1);
        assert_eq!(
            drops[0].iter().map(|d| d.op.label()).collect::<Vec<_>>(),
            [
                "posts.by_slug (index)",
                "posts.slug (column)",
                "tags (table)"
            ]
        );
    }

    #[test]
    fn the_plan_reads_and_serialises() {
        let declared = declared();
        let live: Vec<Table> = declared.iter().map(live_table).collect();
        let p = plan_for(&declared, &live, &applied(&[1, 2, 3]), &[with_down(3)], 2);
        let text = p.to_string();
        assert!(text.contains("revert from version 3 to 2"), "{text}");
        assert!(
            text.contains("version 3 (v3): runs its down step"),
            "{text}"
        );
        assert!(
            text.contains("drop column posts.view_count (added in version 3)"),
            "{text}"
        );
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["versions"][0]["drops"][1]["op"]["op"], "drop_column");
        assert_eq!(json["versions"][0]["drops"][1]["op"]["key"], "view_count");
        assert_eq!(json["versions"][0]["refused"], serde_json::Value::Null);
    }
}
