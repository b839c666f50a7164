//! Runs a version's planned schema operations against the backend.
//!
//! New tables are created first, all of them (a relationship column needs its related table).
//! Then each table's own operations run in order, tables side by side up to
//! `table_concurrency` (Appwrite refuses concurrent schema changes on one table, not across
//! tables): failed leftovers removed, settings and columns changed or created, columns awaited
//! before indexes are created (an index needs available columns), indexes awaited, and the
//! defaults of new columns written into existing rows. Creates that meet 409 are accepted: an
//! interrupted earlier attempt got that far.

use std::collections::BTreeMap;

use futures_util::{StreamExt, TryStreamExt, stream};
use serde_json::Value;

use crate::api::types;
use crate::api::{ColumnStatus, Document, TableUpdate};
use crate::migrate::error::MigrateError;
use crate::migrate::options::MigrateOptions;
use crate::migrate::planning::plan::{PlannedOp, SchemaOp};
use crate::migrate::records::report::OpReport;
use crate::migrate::running::wait::{self, Pending};
use crate::query::Query;
use crate::schema::{ColumnSchema, IndexSchema, TableSchema};
use crate::{Database, Result};

fn report(op: &PlannedOp, rows: Option<u64>) -> OpReport {
    OpReport {
        description: op.op.to_string(),
        class: op.class,
        reason: op.reason.clone(),
        rows,
    }
}

/// Runs the operations that come before the steps; reports them in plan order.
pub(crate) async fn before_steps(
    db: &Database,
    ops: &[PlannedOp],
    options: &MigrateOptions,
) -> Result<Vec<OpReport>> {
    // Owned items: futures built from borrowed ones trip the compiler's higher-ranked `Send`
    // check when the caller's future must be `Send`.
    let creates: Vec<TableSchema> = ops
        .iter()
        .filter_map(|o| match &o.op {
            SchemaOp::CreateTable { table } => Some(table.clone()),
            _ => None,
        })
        .collect();
    let concurrency = options.table_concurrency.max(1);
    stream::iter(creates)
        .map(|table| {
            let db = db.clone();
            let options = options.clone();
            async move { create_table(&db, &table, &options).await }
        })
        .buffer_unordered(concurrency)
        .try_collect::<Vec<()>>()
        .await?;

    let mut by_table: BTreeMap<String, Vec<(usize, PlannedOp)>> = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        if !matches!(op.op, SchemaOp::CreateTable { .. }) {
            by_table
                .entry(op.op.table().to_owned())
                .or_default()
                .push((i, op.clone()));
        }
    }
    let done: Vec<Vec<(usize, Option<u64>)>> = stream::iter(by_table)
        .map(|(table, ops)| {
            let db = db.clone();
            let options = options.clone();
            async move { table_ops(&db, &table, ops, &options).await }
        })
        .buffer_unordered(concurrency)
        .try_collect()
        .await?;
    let mut rows: BTreeMap<usize, Option<u64>> = done.into_iter().flatten().collect();
    Ok(ops
        .iter()
        .enumerate()
        .map(|(i, op)| report(op, rows.remove(&i).flatten()))
        .collect())
}

async fn create_table(db: &Database, table: &TableSchema, options: &MigrateOptions) -> Result<()> {
    tracing::info!(table = %table.id, "creating table");
    let live = match db.backend().create_table(db.id(), table).await {
        Ok(live) => live,
        // An earlier, interrupted attempt created it.
        Err(e) if e.is_conflict() => db.backend().get_table(db.id(), &table.id).await?,
        Err(e) => return Err(e),
    };
    // Inline columns are available at once on 1.9; a server that created them one by one may
    // still be processing some.
    wait::until_available(db, &table.id, &Pending::of_table(&live), options).await
}

/// One table's operations, in order. Returns the rows written per operation index.
async fn table_ops(
    db: &Database,
    table: &str,
    ops: Vec<(usize, PlannedOp)>,
    options: &MigrateOptions,
) -> Result<Vec<(usize, Option<u64>)>> {
    let mut work = TableWork {
        db,
        table,
        options,
        pending: Pending::default(),
    };
    let mut out = Vec::with_capacity(ops.len());
    for (i, planned) in &ops {
        out.push((*i, work.run(planned).await?));
    }
    work.settle().await?;
    Ok(out)
}

/// The operations of one table as they run: what was created and is not available yet is
/// awaited only when something needs it (an index its columns, a fill its column), or at the
/// end.
struct TableWork<'w> {
    db: &'w Database,
    table: &'w str,
    options: &'w MigrateOptions,
    pending: Pending,
}

impl TableWork<'_> {
    /// Runs one operation; the rows it wrote, for a default fill.
    async fn run(&mut self, planned: &PlannedOp) -> Result<Option<u64>> {
        let (db, table, options) = (self.db, self.table, self.options);
        let backend = db.backend();
        match &planned.op {
            SchemaOp::CreateTable { .. } => {}
            SchemaOp::RemoveFailed { key, index, .. } => {
                // Gone already or not, it must be gone before it is created again.
                wait::delete_item(db, table, key, *index).await?;
                wait::until_gone(db, table, key, *index, options).await?;
            }
            SchemaOp::UpdateTable {
                name,
                permissions,
                row_security,
                ..
            } => {
                let update = TableUpdate {
                    name: Some(name.clone()),
                    permissions: Some(permissions.clone()),
                    row_security: *row_security,
                    enabled: true,
                };
                backend.update_table(db.id(), table, &update).await?;
            }
            SchemaOp::RenameColumn { from, column, .. } => {
                tracing::info!(table, from = %from, to = %column.key, "renaming column");
                self.update_column(from, column).await?;
            }
            SchemaOp::CreateColumn { column, .. } => {
                tracing::info!(table, column = %column.key, "creating column");
                match backend.create_column(db.id(), table, column).await {
                    Ok(c) if c.status == ColumnStatus::Available => {}
                    Ok(_) => self.pending.columns.push(column.key.clone()),
                    Err(e) if e.is_conflict() => self.pending.columns.push(column.key.clone()),
                    Err(e) => return Err(e),
                }
            }
            SchemaOp::UpdateColumn { column, .. } => {
                tracing::info!(table, column = %column.key, change = %planned.reason, "changing column");
                self.update_column(&column.key, column).await?;
            }
            SchemaOp::CreateIndex { index, .. } => self.create_index(index).await?,
            SchemaOp::FillDefault { column, value, .. } => {
                self.settle().await?;
                let written = fill_default(db, table, column, value).await?;
                tracing::info!(
                    table,
                    column,
                    rows = written,
                    "default written into existing rows"
                );
                return Ok(Some(written));
            }
            SchemaOp::MakeRequired { .. } => {
                return Err(MigrateError::Step(format!(
                    "internal: `{}` belongs after the steps",
                    planned.op
                ))
                .into());
            }
        }
        Ok(None)
    }

    /// Changes the live column `key` into `column` (a rename when the keys differ).
    async fn update_column(&self, key: &str, column: &ColumnSchema) -> Result<()> {
        let (db, table) = (self.db, self.table);
        match db
            .backend()
            .update_column(db.id(), table, key, column)
            .await
        {
            Ok(_) => Ok(()),
            // Still processing from an earlier attempt: wait for it, then again.
            Err(e) if e.error_type() == Some(types::COLUMN_NOT_AVAILABLE) => {
                wait::until_available(db, table, &Pending::column(key), self.options).await?;
                db.backend()
                    .update_column(db.id(), table, key, column)
                    .await
                    .map(|_| ())
            }
            Err(e) => Err(e),
        }
    }

    /// Creates an index once its columns are available.
    async fn create_index(&mut self, index: &IndexSchema) -> Result<()> {
        self.settle().await?;
        let (db, table) = (self.db, self.table);
        tracing::info!(table, index = %index.key, "creating index");
        match db.backend().create_index(db.id(), table, index).await {
            Ok(x) if x.status == ColumnStatus::Available => {}
            Ok(x) if x.status == ColumnStatus::Failed => {
                return Err(crate::Error::NotReady {
                    what: format!("index {:?} of table {table:?}", index.key),
                    reason: format!("the server reports it failed: {}", x.error),
                });
            }
            Ok(_) => self.pending.indexes.push(index.key.clone()),
            Err(e) if e.is_conflict() => self.pending.indexes.push(index.key.clone()),
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// Waits until everything created so far is available.
    async fn settle(&mut self) -> Result<()> {
        wait::until_available(self.db, self.table, &self.pending, self.options).await?;
        self.pending = Pending::default();
        Ok(())
    }
}

/// Writes `value` into every row where the column is null. Bulk update acts on all matches
/// and, unlike a single-row update, sets only the column given. Appwrite refuses bulk writes on
/// tables with relationship columns: there the rows are updated one request each.
async fn fill_default(db: &Database, table: &str, column: &str, value: &Value) -> Result<u64> {
    let mut data = Document::new();
    data.insert(column.to_owned(), value.clone());
    let lacking = [Query::is_null(column)];
    match db
        .backend()
        .update_rows(db.id(), table, &data, &lacking)
        .await
    {
        Ok(list) => Ok(list.total),
        Err(e) if e.error_type() == Some(crate::api::types::GENERAL_BAD_REQUEST) => {
            let rows = db.rows(table);
            let ids = rows
                .query()
                .with_all(lacking)
                .with(Query::select(["$id"]))
                .all()
                .await?;
            for row in &ids {
                rows.update(row.id(), &data).await?;
            }
            Ok(ids.len() as u64)
        }
        // The one filter here refused: the column is encrypted, which cannot be filtered on.
        Err(e) if e.error_type() == Some(crate::api::types::GENERAL_QUERY_INVALID) => {
            fill_each_null(db, table, column, &data).await
        }
        Err(e) => Err(e),
    }
}

/// Writes `data` into each row whose `column` is null, found by reading every row's value
/// (for an encrypted column, which no query can filter on).
async fn fill_each_null(db: &Database, table: &str, column: &str, data: &Document) -> Result<u64> {
    let rows = db.rows(table);
    let all = rows.query().with(Query::select([column])).all().await?;
    let mut written = 0;
    for row in all
        .iter()
        .filter(|r| r.get(column).is_none_or(Value::is_null))
    {
        rows.update(row.id(), data).await?;
        written += 1;
    }
    Ok(written)
}

/// How many rows of `table` have no value in `column`. An encrypted column cannot be filtered
/// on (Appwrite refuses the query), so its values are read, page by page, and tested here.
async fn rows_lacking(db: &Database, table: &str, column: &ColumnSchema) -> Result<u64> {
    let rows = db.rows(table);
    if !column.encrypt {
        return rows.query().with(Query::is_null(&column.key)).count().await;
    }
    let key = column.key.as_str();
    rows.query()
        .with(Query::select([key]))
        .stream()
        .try_fold(0u64, |lacking, row| async move {
            let missing = row.get(key).is_none_or(Value::is_null);
            Ok(lacking + u64::from(missing))
        })
        .await
}

/// Runs the operations that come after the steps: columns become required when no row lacks
/// a value. Every column is checked before any is changed, so that a failure changes none.
pub(crate) async fn after_steps(
    db: &Database,
    version: u32,
    ops: &[PlannedOp],
) -> Result<Vec<OpReport>> {
    let mut reports = Vec::new();
    let mut missing = Vec::new();
    for op in ops {
        if let SchemaOp::MakeRequired { table, column } = &op.op {
            let lacking = rows_lacking(db, table, column).await?;
            if lacking > 0 {
                missing.push(MigrateError::RequiredMissing {
                    version,
                    table: table.clone(),
                    column: column.key.clone(),
                    rows: lacking,
                });
            }
        }
    }
    if let Some(first) = missing.into_iter().next() {
        return Err(first.into());
    }
    for op in ops {
        if let SchemaOp::MakeRequired { table, column } = &op.op {
            db.backend()
                .update_column(db.id(), table, &column.key, column)
                .await?;
            tracing::info!(table = %table, column = %column.key, "column made required");
            reports.push(report(op, None));
        }
    }
    Ok(reports)
}
