//! The step context: what a `#[migration]` function gets.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;

use crate::api::types;
use crate::api::{ColumnStatus, Document, ListOptions, Row, Table as LiveTable};
use crate::backend::Backend;
use crate::migrate::error::MigrateError;
use crate::migrate::options::MigrateOptions;
use crate::migrate::planning::compare;
use crate::migrate::planning::plan::OpClass;
use crate::migrate::records::history::History;
use crate::migrate::records::lock::Lock;
use crate::migrate::records::report::{BackfillReport, ConversionReport, OpReport, Unconvertible};
use crate::migrate::running::backfill::{self, Checkpoint, JobState};
use crate::migrate::running::backup::{self, BackupReport};
use crate::migrate::running::wait::{self, Pending};
use crate::model::{Filter, Patch, Table, validate_patch};
use crate::query::Query;
use crate::rows::Rows;
use crate::schema::{ColumnSchema, IndexSchema, value::check_value};
use crate::{Database, Result, TableHandle};

/// Unconvertible rows listed in a conversion report (the total is always exact).
const MAX_LISTED: u64 = 1_000;

/// What a step did, collected for the report and the history.
#[derive(Debug, Default)]
pub(crate) struct StepState {
    pub(crate) checkpoint: Checkpoint,
    pub(crate) next_job: u32,
    pub(crate) backfills: Vec<BackfillReport>,
    pub(crate) conversions: Vec<ConversionReport>,
    pub(crate) backups: Vec<BackupReport>,
    pub(crate) schema: Vec<OpReport>,
    pub(crate) warnings: Vec<String>,
    pub(crate) schema_changed: bool,
    /// The server refused transactions: backfills write row by row for the rest of the step.
    pub(crate) no_transactions: bool,
    /// Pipelined backfills left chunk markers, deleted once the version is applied.
    pub(crate) markers: bool,
    /// The models read through [`Migration::table`], each once: table id and declared column
    /// keys (what a lint compares with the columns dropped before the step).
    pub(crate) models: Vec<(String, Vec<String>)>,
}

/// The context of a migration step: the database, typed and dynamic rows with resumable
/// backfills, and the schema helpers that a plan never does on its own (conversions, renames,
/// drops).
///
/// ```
/// use appwrite_orm::prelude::*;
///
/// #[derive(Table, Debug, Clone)]
/// #[table(id = "users")]
/// pub struct User {
///     #[column(id)]
///     pub id: RowId,
///     pub name: String,
///     #[column(default = false, since = 2)]
///     pub is_verified: bool,
///     #[column(size = 20, since = 2)]
///     pub phone: Option<String>,
/// }
///
/// #[migration(version = 2, name = "normalise phone numbers")]
/// async fn normalise_phones(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
///     // Typed: rows still needing work, walked by cursor, written in bulk, checkpointed.
///     m.table::<User>()
///         .backfill(User::PHONE.is_null(), |_user| User::patch().phone("unknown"))
///         .await?;
///     // Dynamic: columns no struct declares any more.
///     m.rows("users")
///         .backfill(vec![], |row| {
///             let name = row.get("name")?.as_str()?.trim().to_owned();
///             let mut change = appwrite_orm::backend::Document::new();
///             change.insert("name".into(), name.into());
///             Some(change)
///         })
///         .await?;
///     Ok(())
/// }
/// # fn main() {}
/// ```
///
/// Every helper is safe to run again: a version that failed or crashed is re-run from the
/// start of its step, backfills resume from their checkpoints, schema helpers do nothing when
/// their work is already done, and on a fresh database (every version replayed on empty
/// tables) they do nothing where there is nothing to do.
pub struct Migration<'a> {
    db: Database,
    version: u32,
    options: &'a MigrateOptions,
    history: &'a History,
    lock: &'a Lock,
    save_checkpoints: bool,
    state: Mutex<StepState>,
}

impl std::fmt::Debug for Migration<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migration")
            .field("database", &self.db.id())
            .field("version", &self.version)
            .finish()
    }
}

impl<'a> Migration<'a> {
    pub(crate) fn new(
        db: Database,
        version: u32,
        options: &'a MigrateOptions,
        history: &'a History,
        lock: &'a Lock,
        checkpoint: Checkpoint,
        save_checkpoints: bool,
    ) -> Self {
        Self {
            db,
            version,
            options,
            history,
            lock,
            save_checkpoints,
            state: Mutex::new(StepState {
                checkpoint,
                ..StepState::default()
            }),
        }
    }

    pub(crate) fn into_state(self) -> StepState {
        self.state
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn state(&self) -> MutexGuard<'_, StepState> {
        // A panic in a user closure while the state was locked cannot leave it half-written
        // in a way that matters more than the panic itself.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The version being applied.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The database this migration belongs to (its requests count towards the run's report).
    /// Another database of the same backend: `m.db().in_database(id)`, or a typed model that
    /// names it (`m.table::<Event>()`).
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// The backend, for what the helpers do not cover. Schema changes made through it are
    /// not seen by the planner of later versions in this run unless
    /// [`schema_changed`](Self::schema_changed) is called.
    pub fn backend(&self) -> &Arc<dyn Backend> {
        self.db.backend()
    }

    /// The run's settings.
    pub fn options(&self) -> &MigrateOptions {
        self.options
    }

    /// Tells the runner that the step changed the schema, so that the next version is planned
    /// against a fresh read of the live schema.
    pub fn schema_changed(&self) {
        self.state().schema_changed = true;
    }

    /// Adds a warning to the report.
    pub fn warn(&self, message: impl Into<String>) {
        let message = message.into();
        tracing::warn!(version = self.version, "{message}");
        self.state().warnings.push(message);
    }

    /// Typed rows of model `T`, with [`backfill`](StepTable::backfill).
    pub fn table<T: Table>(&self) -> StepTable<'_, 'a, T> {
        let schema = T::schema();
        let mut state = self.state();
        // Once per model: a step may take the handle once per row.
        if !state.models.iter().any(|(table, _)| *table == schema.id) {
            let columns = schema.columns.iter().map(|c| c.key.clone()).collect();
            state.models.push((schema.id.clone(), columns));
        }
        drop(state);
        StepTable {
            m: self,
            handle: self.db.table::<T>(),
        }
    }

    /// Dynamic rows of any table, with [`backfill`](StepRows::backfill).
    pub fn rows(&self, table: &str) -> StepRows<'_, 'a> {
        StepRows {
            m: self,
            rows: self.db.rows(table),
        }
    }

    /// The models read through [`table`](Self::table) so far, each once.
    pub(crate) fn models_read(&self) -> Vec<(String, Vec<String>)> {
        self.state().models.clone()
    }

    // --- checkpoint plumbing for the engine ------------------------------------------------------

    pub(crate) fn check_lock(&self) -> Result<()> {
        self.lock.check()
    }

    pub(crate) fn next_job(&self, table: &str) -> String {
        let mut state = self.state();
        let n = state.next_job;
        state.next_job += 1;
        format!("{n}:{table}")
    }

    pub(crate) fn job_state(&self, job: &str) -> JobState {
        self.state()
            .checkpoint
            .jobs
            .get(job)
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) fn set_job_state(&self, job: &str, job_state: JobState) {
        self.state()
            .checkpoint
            .jobs
            .insert(job.to_owned(), job_state);
    }

    /// True when backfills write each page and its checkpoint in one transaction.
    pub(crate) fn transactions_enabled(&self) -> bool {
        self.options.transactions && !self.state().no_transactions
    }

    pub(crate) fn disable_transactions(&self, why: &crate::Error) {
        let mut state = self.state();
        if !state.no_transactions {
            state.no_transactions = true;
            let message = format!(
                "transactions are unavailable ({why}); backfills write row by row, checkpointing \
                 after each page"
            );
            tracing::warn!(version = self.version, "{message}");
            state.warnings.push(message);
        }
    }

    /// Notes that chunk markers were written, to delete once the version is applied.
    pub(crate) fn markers_written(&self) {
        self.state().markers = true;
    }

    /// The history the version is recorded in.
    pub(crate) fn history(&self) -> &History {
        self.history
    }

    /// The token that names this checkpoint's chunk markers; `None` when checkpoints are not
    /// saved (a dry run). A checkpoint without one (written by an older version of the
    /// library) gets one, saved before any marker can depend on it.
    pub(crate) async fn checkpoint_token(&self) -> Result<Option<String>> {
        if !self.save_checkpoints {
            return Ok(None);
        }
        let existing = self.state().checkpoint.token.clone();
        if let Some(token) = existing {
            return Ok(Some(token));
        }
        let token = {
            let mut state = self.state();
            let checkpoint = std::mem::take(&mut state.checkpoint).with_token();
            let token = checkpoint.token.clone();
            state.checkpoint = checkpoint;
            token
        };
        self.save_checkpoint().await?;
        Ok(token)
    }

    pub(crate) async fn save_checkpoint(&self) -> Result<()> {
        if !self.save_checkpoints {
            return Ok(());
        }
        let text = self.state().checkpoint.to_text();
        self.history.save_checkpoint(self.version, &text).await
    }

    fn record_op(&self, description: String, class: OpClass, reason: &str) {
        let mut state = self.state();
        state.schema.push(OpReport {
            description,
            class,
            reason: reason.to_owned(),
            rows: None,
        });
        state.schema_changed = true;
    }

    async fn live_table(&self, table: &str) -> Result<Option<LiveTable>> {
        match self.db.backend().get_table(self.db.id(), table).await {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.error_type() == Some(types::TABLE_NOT_FOUND) => Ok(None),
            Err(e) => Err(e),
        }
    }

    // --- schema helpers --------------------------------------------------------------------------

    /// Records a column or index a step helper added.
    fn record_added(&self, what: &str, table: &str, key: &str, described: String) {
        self.record_op(
            format!("add {what} {table}.{key} {described}"),
            OpClass::Additive,
            "explicit in a step",
        );
    }

    /// The live table `table`, which the step helper `helper` needs to exist.
    async fn existing_table(&self, helper: &str, table: &str) -> Result<LiveTable> {
        match self.live_table(table).await? {
            Some(live) => Ok(live),
            None => {
                Err(MigrateError::Step(format!("{helper}: table {table:?} does not exist")).into())
            }
        }
    }

    /// Creates a column (and waits until it is available) unless it exists with the same type.
    pub async fn create_column(&self, table: &str, column: ColumnSchema) -> Result<()> {
        let live = self.existing_table("create_column", table).await?;
        if let Some(existing) = live.column(&column.key) {
            if let compare::ColumnDiff::Incompatible(why) =
                compare::compare_column(&column, &existing.schema)
            {
                return Err(MigrateError::Step(format!(
                    "create_column: column {table}.{} {why}",
                    column.key
                ))
                .into());
            }
            if existing.status == ColumnStatus::Available {
                return Ok(());
            }
        } else {
            self.db
                .backend()
                .create_column(self.db.id(), table, &column)
                .await?;
            self.record_added(
                "column",
                table,
                &column.key,
                compare::describe_column(&column),
            );
        }
        wait::until_available(&self.db, table, &Pending::column(&column.key), self.options).await
    }

    /// Creates an index (and waits until it is available) unless it exists as declared.
    pub async fn create_index(&self, table: &str, index: IndexSchema) -> Result<()> {
        let live = self.existing_table("create_index", table).await?;
        if let Some(existing) = live.index(&index.key) {
            if !compare::same_index(&index, &existing.schema) {
                return Err(MigrateError::Step(format!(
                    "create_index: index {table}.{} exists as {}; drop it first with drop_index",
                    index.key,
                    compare::describe_index(&existing.schema)
                ))
                .into());
            }
        } else {
            self.db
                .backend()
                .create_index(self.db.id(), table, &index)
                .await?;
            self.record_added("index", table, &index.key, compare::describe_index(&index));
        }
        wait::until_available(&self.db, table, &Pending::index(&index.key), self.options).await
    }

    /// Renames a column in place (Appwrite 1.6+; indexes follow). Does nothing when the new
    /// key exists and the old one does not (already renamed).
    ///
    /// For a column the structs declare under its new key, declare the rename in
    /// [`MigrateOptions::rename_column`] instead: the plan runs before the steps and would
    /// otherwise create the new key first.
    pub async fn rename_column(&self, table: &str, from: &str, to: &str) -> Result<()> {
        let Some(live) = self.live_table(table).await? else {
            return Ok(());
        };
        let Some(column) = live.column(from) else {
            if live.column(to).is_some() {
                return Ok(());
            }
            return Err(MigrateError::Step(format!(
                "rename_column: table {table:?} has neither {from:?} nor {to:?}"
            ))
            .into());
        };
        let mut renamed = column.schema.clone();
        renamed.key = to.to_owned();
        self.db
            .backend()
            .update_column(self.db.id(), table, from, &renamed)
            .await?;
        tracing::info!(version = self.version, table, from, to, "column renamed");
        self.record_op(
            format!("rename column {table}.{from} → {to}"),
            OpClass::InPlace,
            "explicit in a step",
        );
        Ok(())
    }

    /// Drops a column after writing its values to a JSONL backup (unless backups are off).
    /// Returns the backup; `None` when there was nothing to drop or backups are off.
    pub async fn drop_column(&self, table: &str, key: &str) -> Result<Option<BackupReport>> {
        let Some(live) = self.live_table(table).await? else {
            return Ok(None);
        };
        if live.column(key).is_none() {
            return Ok(None);
        }
        let backup = self.backup(table, Some(key)).await?;
        wait::delete_item(&self.db, table, key, false).await?;
        wait::until_gone(&self.db, table, key, false, self.options).await?;
        tracing::warn!(
            version = self.version,
            table,
            column = key,
            "column dropped"
        );
        self.record_op(
            format!("drop column {table}.{key}"),
            OpClass::Destructive,
            &destroyed_reason(backup.as_ref()),
        );
        Ok(backup)
    }

    /// Drops a table after writing its rows to a JSONL backup (unless backups are off).
    pub async fn drop_table(&self, table: &str) -> Result<Option<BackupReport>> {
        if self.live_table(table).await?.is_none() {
            return Ok(None);
        }
        let backup = self.backup(table, None).await?;
        match self.db.backend().delete_table(self.db.id(), table).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
        tracing::warn!(version = self.version, table, "table dropped");
        self.record_op(
            format!("drop table {table}"),
            OpClass::Destructive,
            &destroyed_reason(backup.as_ref()),
        );
        Ok(backup)
    }

    /// Drops an index (no data is lost; queries that relied on it get slower, or fail for
    /// `search` without its fulltext index).
    pub async fn drop_index(&self, table: &str, key: &str) -> Result<()> {
        let Some(live) = self.live_table(table).await? else {
            return Ok(());
        };
        if live.index(key).is_none() {
            return Ok(());
        }
        wait::delete_item(&self.db, table, key, true).await?;
        wait::until_gone(&self.db, table, key, true, self.options).await?;
        self.record_op(
            format!("drop index {table}.{key}"),
            OpClass::Destructive,
            "explicit in a step (an index holds no data of its own)",
        );
        Ok(())
    }

    async fn backup(&self, table: &str, column: Option<&str>) -> Result<Option<BackupReport>> {
        let Some(dir) = &self.options.backups else {
            return Ok(None);
        };
        let report = backup::backup(&self.db.rows(table), dir, column).await?;
        self.state().backups.push(report.clone());
        Ok(Some(report))
    }

    /// Converts a column into a new one of another type: creates `to` (optional) unless it
    /// exists, then walks the rows where `to` is null and `from` is not, in pages, writing
    /// `convert(value)`. Rows whose value cannot be converted (the closure's `Err`, or a result
    /// the new column refuses) keep `to` null and are listed in the report with the reason,
    /// instead of failing the run. Resumable like a backfill; does nothing when `from` does
    /// not exist (a fresh database). Refused before any write when `from` or `to` is encrypted
    /// (the walk filters on both, and Appwrite refuses queries on encrypted columns): copy such
    /// values with [`StepRows::backfill`] and no filter.
    ///
    /// ```
    /// # async fn step(m: &appwrite_orm::migrate::Migration<'_>) -> appwrite_orm::Result<()> {
    /// use appwrite_orm::schema::ColumnSchema;
    ///
    /// let report = m
    ///     .convert_column("products", "price", ColumnSchema::float("price_value"), |v| {
    ///         let text = v.as_str().ok_or("not a string")?;
    ///         let digits: String = text.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
    ///         digits.parse::<f64>().map(Into::into).map_err(|_| format!("{text:?} is not a price"))
    ///     })
    ///     .await?;
    /// println!("{} rows could not be converted", report.unconvertible_total);
    /// # Ok(()) }
    /// ```
    pub async fn convert_column<F>(
        &self,
        table: &str,
        from: &str,
        to: ColumnSchema,
        mut convert: F,
    ) -> Result<ConversionReport>
    where
        F: FnMut(&Value) -> std::result::Result<Value, String> + Send,
    {
        let job = self.next_job(table);
        let mut report = ConversionReport {
            table: table.to_owned(),
            from: from.to_owned(),
            to: to.key.clone(),
            ..ConversionReport::default()
        };
        let live = self.live_table(table).await?;
        let Some(source) = live.as_ref().and_then(|t| t.column(from)) else {
            report.source_missing = true;
            self.state().conversions.push(report.clone());
            return Ok(report);
        };
        refuse_encrypted_conversion(table, &source.schema, &to)?;
        // Created optional: rows that cannot be converted keep null. A declared `required`
        // is applied by the plan after the steps, when no row lacks a value.
        let mut target = to.clone();
        target.required = false;
        self.create_column(table, target.clone()).await?;

        let mut reasons: HashMap<String, String> = HashMap::new();
        let to_key = to.key.clone();
        let from_key = from.to_owned();
        let mut per_row = |row: &Row| -> Result<Option<Document>> {
            let value = row.get(&from_key).cloned().unwrap_or(Value::Null);
            let converted = convert(&value).and_then(|v| {
                if v.is_null() {
                    Err("the conversion gave no value".to_owned())
                } else {
                    check_value(&target, &v)
                }
            });
            match converted {
                Ok(v) => {
                    let mut doc = Document::new();
                    doc.insert(to_key.clone(), v);
                    Ok(Some(doc))
                }
                Err(reason) => {
                    tracing::warn!(table, row = row.id(), value = %value, reason = %reason, "value cannot be converted");
                    reasons.insert(row.id().to_owned(), reason);
                    Ok(None)
                }
            }
        };
        let filters = vec![Query::is_null(&to.key), Query::is_not_null(from)];
        let job_report =
            backfill::run_job(self, &self.db, job, table, filters.clone(), &mut per_row).await?;
        report.converted = job_report.written;

        // What is left unconverted, also from earlier attempts, read back from the table.
        let rows = self.db.rows(table);
        report.unconvertible_total = rows.query().with_all(filters.clone()).count().await?;
        if report.unconvertible_total > 0 {
            let left = Unconverted {
                table,
                from,
                target: &target,
                filters,
                total: report.unconvertible_total,
            };
            report.unconvertible = self.unconvertible(&left, reasons, &mut convert).await?;
        }
        tracing::info!(
            version = self.version,
            table,
            from,
            to = %to.key,
            converted = report.converted,
            unconvertible = report.unconvertible_total,
            "column converted"
        );
        self.state().conversions.push(report.clone());
        Ok(report)
    }

    /// The first rows `left` describes (at most [`MAX_LISTED`]), each with why it was not
    /// converted: the reason this attempt met, or the conversion tried again for rows an
    /// earlier attempt left.
    async fn unconvertible<F>(
        &self,
        left: &Unconverted<'_>,
        mut reasons: HashMap<String, String>,
        convert: &mut F,
    ) -> Result<Vec<Unconvertible>>
    where
        F: FnMut(&Value) -> std::result::Result<Value, String> + Send,
    {
        let mut queries = left.filters.clone();
        queries.push(Query::order_asc("$sequence"));
        queries.push(Query::limit(left.total.min(MAX_LISTED)));
        let listed = self
            .db
            .backend()
            .list_rows(
                self.db.id(),
                left.table,
                &queries,
                &ListOptions {
                    total: false,
                    transaction_id: None,
                },
            )
            .await?
            .items;
        Ok(listed
            .into_iter()
            .map(|row| {
                let value = row.get(left.from).cloned().unwrap_or(Value::Null);
                let reason = match reasons.remove(row.id()) {
                    Some(reason) => reason,
                    None => match convert(&value).and_then(|v| check_value(left.target, &v)) {
                        Err(reason) => reason,
                        Ok(_) => "left unconverted by an earlier attempt".to_owned(),
                    },
                };
                Unconvertible {
                    row_id: row.id().to_owned(),
                    value,
                    reason,
                }
            })
            .collect())
    }
}

/// The rows of a conversion left unconverted: those its filters still match.
struct Unconverted<'u> {
    table: &'u str,
    from: &'u str,
    target: &'u ColumnSchema,
    filters: Vec<Query>,
    total: u64,
}

fn destroyed_reason(backup: Option<&BackupReport>) -> String {
    match backup {
        Some(b) => format!(
            "explicit in a step; {} rows backed up to {}",
            b.rows,
            b.path.display()
        ),
        None => "explicit in a step; backups are off".to_owned(),
    }
}

/// Typed rows of `T` inside a step: everything a [`TableHandle`] offers, plus resumable
/// backfills.
pub struct StepTable<'m, 'a, T> {
    m: &'m Migration<'a>,
    handle: TableHandle<T>,
}

impl<T> Deref for StepTable<'_, '_, T> {
    type Target = TableHandle<T>;
    fn deref(&self) -> &TableHandle<T> {
        &self.handle
    }
}

impl<T: Table> StepTable<'_, '_, T> {
    /// Sets `change(row)` on every row matching `filter`, page by page in insertion order,
    /// resumable and idempotent: a re-run after a
    /// failure continues after the last row written. Equal changes of a page go out as one bulk
    /// request, different ones as single-row updates, several at once.
    ///
    /// Choose a filter that the change makes false (e.g. `COLUMN.is_null()` when setting the
    /// column), so that rows written by anyone before are not selected again.
    ///
    /// Rows are read into `T`, the struct as the code declares it now: a required field whose
    /// column this very version adds (and the step fills) is still null and cannot be read.
    /// Walk such rows with [`Migration::rows`] and write a typed patch
    /// (`Patch::<T>::from(T::patch()...).into_document()`).
    pub async fn backfill<P, F>(&self, filter: Filter<T>, mut change: F) -> Result<BackfillReport>
    where
        P: Into<Patch<T>>,
        F: FnMut(&T) -> P + Send,
    {
        self.try_backfill(filter, move |value| Ok(Some(change(value).into())))
            .await
    }

    /// Like [`backfill`](Self::backfill), but the closure may leave a row as it is (`None`) or
    /// stop the step (`Err`); rows before the failing one are written and checkpointed, and the
    /// next run resumes at the failing row.
    pub async fn try_backfill<F>(&self, filter: Filter<T>, mut change: F) -> Result<BackfillReport>
    where
        F: FnMut(&T) -> Result<Option<Patch<T>>> + Send,
    {
        let schema = T::schema();
        let job = self.m.next_job(&schema.id);
        let mut per_row = |row: &Row| -> Result<Option<Document>> {
            let value = T::from_row(row)?;
            match change(&value)? {
                Some(patch) if !patch.is_empty() => {
                    validate_patch(schema, patch.document())?;
                    Ok(Some(patch.into_document()))
                }
                _ => Ok(None),
            }
        };
        let report = backfill::run_job(
            self.m,
            &self.m.db.database_of::<T>(),
            job,
            &schema.id,
            vec![filter.into_query()],
            &mut per_row,
        )
        .await?;
        self.m.state().backfills.push(report.clone());
        Ok(report)
    }
}

/// Dynamic rows of a table inside a step: everything [`Rows`] offers, plus resumable
/// backfills over JSON rows (for columns no struct declares any more).
pub struct StepRows<'m, 'a> {
    m: &'m Migration<'a>,
    rows: Rows,
}

impl Deref for StepRows<'_, '_> {
    type Target = Rows;
    fn deref(&self) -> &Rows {
        &self.rows
    }
}

impl StepRows<'_, '_> {
    /// Sets `change(row)` on every row matching `filters` (all of them when empty); `None`
    /// leaves a row as it is. Resumable and idempotent like [`StepTable::backfill`]. Does
    /// nothing when the table does not exist (a fresh database may replay a step written for
    /// a table a later version dropped).
    pub async fn backfill<F>(&self, filters: Vec<Query>, mut change: F) -> Result<BackfillReport>
    where
        F: FnMut(&Row) -> Option<Document> + Send,
    {
        self.try_backfill(filters, move |row| Ok(change(row))).await
    }

    /// Like [`backfill`](Self::backfill), but the closure may stop the step with an error.
    pub async fn try_backfill<F>(
        &self,
        filters: Vec<Query>,
        mut change: F,
    ) -> Result<BackfillReport>
    where
        F: FnMut(&Row) -> Result<Option<Document>> + Send,
    {
        let table = self.rows.table_id().to_owned();
        let job = self.m.next_job(&table);
        let report =
            backfill::run_job(self.m, &self.m.db, job, &table, filters, &mut change).await?;
        self.m.state().backfills.push(report.clone());
        Ok(report)
    }
}

/// The conversion finds its rows by filters on both columns, which Appwrite refuses on an
/// encrypted one: refused before anything is created.
fn refuse_encrypted_conversion(table: &str, from: &ColumnSchema, to: &ColumnSchema) -> Result<()> {
    let Some(encrypted) = [to, from].into_iter().find(|c| c.encrypt) else {
        return Ok(());
    };
    Err(MigrateError::Step(format!(
        "convert_column: {table}.{} is encrypted, and Appwrite refuses queries on encrypted \
         columns; copy the values with `m.rows(\"{table}\").backfill(vec![], |row| ...)`, \
         which walks every row",
        encrypted.key
    ))
    .into())
}
