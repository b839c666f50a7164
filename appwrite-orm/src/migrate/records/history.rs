//! The history table: one row per version (`v1`, `v2`, ...), one head row, one lock row, in the
//! database being migrated (ids may not start with `_`, hence `orm_migrations`).
//!
//! The head row carries the applied version and the fingerprint of what the binary declares
//! (schemas plus migration versions and checksums), so that a boot with nothing to do is one
//! `get_row`. Version rows record what ran: name, checksum, status, times, rows touched, the
//! schema fingerprint as of the version, the backfills' checkpoint, the error, the host and the
//! lint codes the version allowed.
//!
//! The table grows with the library: [`History::ensure`] adds the columns an older version did
//! not create, and a row written before a column existed reads as empty there.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::api::types;
use crate::api::{Document, ListOptions, Row};
use crate::backend::Backend;
use crate::database::every_page;
use crate::query::Query;
use crate::schema::{ColumnSchema, TableSchema};
use crate::{Database, Error, Result};

/// Id of the head row.
pub(crate) const HEAD_ID: &str = "head";
/// Id of the lock row.
pub(crate) const LOCK_ID: &str = "lock";

/// The row id of a version.
pub(crate) fn version_id(version: u32) -> String {
    format!("v{version}")
}

/// Where a version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionStatus {
    /// Started and not finished: running now, or the run crashed.
    Running,
    /// Done.
    Applied,
    /// Failed; the next run resumes it.
    Failed,
}

impl VersionStatus {
    fn as_str(self) -> &'static str {
        match self {
            VersionStatus::Running => "running",
            VersionStatus::Applied => "applied",
            VersionStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "running" => Some(VersionStatus::Running),
            "applied" => Some(VersionStatus::Applied),
            "failed" => Some(VersionStatus::Failed),
            _ => None,
        }
    }
}

/// One version's row of the history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HistoryEntry {
    /// The version.
    pub version: u32,
    /// The migration's name (`schema` for a schema-only version).
    pub name: String,
    /// The migration's checksum when it ran; empty for a schema-only version.
    pub checksum: String,
    /// Where it stands.
    pub status: VersionStatus,
    /// When the last attempt started.
    pub started_at: String,
    /// When it finished (or failed).
    pub finished_at: String,
    /// How long the last attempt took, in milliseconds.
    pub duration_ms: u64,
    /// Rows written by the version (schema defaults, steps).
    pub rows_touched: u64,
    /// Fingerprint of the declared schema as of the version.
    pub schema_fingerprint: String,
    /// The backfills' progress (JSON), kept while the version is not applied.
    pub checkpoint: String,
    /// Why the last attempt failed.
    pub error: String,
    /// The machine that ran it.
    pub host: String,
    /// The lint codes the migration allowed when it ran (`#[migration(allow = "...")]`): the
    /// findings it acknowledged. Empty for rows written before the history recorded them.
    pub allowed: Vec<String>,
}

/// The head row: applied version and fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    pub(crate) version: u32,
    pub(crate) fingerprint: String,
}

/// The lock row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LockRow {
    pub(crate) owner: String,
    pub(crate) lease: String,
    pub(crate) expires_at: String,
    pub(crate) host: String,
}

/// Everything the history table holds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Snapshot {
    pub(crate) head: Option<Head>,
    pub(crate) versions: BTreeMap<u32, HistoryEntry>,
    pub(crate) lock: Option<LockRow>,
}

/// The history table of one database.
#[derive(Debug, Clone)]
pub(crate) struct History {
    backend: Arc<dyn Backend>,
    database: String,
    table: String,
}

/// The history table's schema. Every column is optional: the head and lock rows use a few.
pub(crate) fn history_schema(table_id: &str) -> TableSchema {
    TableSchema::new(table_id, "Migration history")
        .column(ColumnSchema::integer("version"))
        .column(ColumnSchema::varchar("name", 255))
        .column(ColumnSchema::varchar("checksum", 64))
        .column(ColumnSchema::varchar("status", 16))
        .column(ColumnSchema::datetime("started_at"))
        .column(ColumnSchema::datetime("finished_at"))
        .column(ColumnSchema::integer("duration_ms"))
        .column(ColumnSchema::integer("rows_touched"))
        .column(ColumnSchema::varchar("schema_fingerprint", 64))
        .column(ColumnSchema::new(
            "checkpoint",
            crate::schema::ColumnKind::Text,
        ))
        .column(ColumnSchema::new("error", crate::schema::ColumnKind::Text))
        .column(ColumnSchema::varchar("host", 255))
        .column(ColumnSchema::varchar("owner", 128))
        .column(ColumnSchema::varchar("lease", 64))
        .column(ColumnSchema::datetime("expires_at"))
        .column(ColumnSchema::varchar("allowed", ALLOWED_CODE_SIZE).array())
}

/// Size of one element of the `allowed` column: room for a longer code than any known now.
const ALLOWED_CODE_SIZE: u32 = 64;

/// Now, in Appwrite's datetime form.
pub(crate) fn now() -> String {
    format_time(chrono::Utc::now())
}

pub(crate) fn format_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string()
}

fn is_missing_table(e: &Error) -> bool {
    matches!(
        e.error_type(),
        Some(types::TABLE_NOT_FOUND | types::DATABASE_NOT_FOUND)
    )
}

/// What a read of the history table's own rows makes of a table that does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MissingTable {
    /// Nothing has run yet: as good as an empty table.
    IsEmpty,
    /// The caller created the table first, so its absence is an error.
    IsAnError,
}

impl History {
    pub(crate) fn new(backend: Arc<dyn Backend>, database: &str, table: &str) -> Self {
        Self {
            backend,
            database: database.to_owned(),
            table: table.to_owned(),
        }
    }

    /// The history table `table` of `db`, reached through `db`'s backend.
    pub(crate) fn of(db: &Database, table: &str) -> Self {
        Self::new(Arc::clone(db.backend()), db.id(), table)
    }

    pub(crate) fn table_id(&self) -> &str {
        &self.table
    }

    pub(crate) fn database(&self) -> &str {
        &self.database
    }

    pub(crate) fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// One of the history table's own rows (head, lock), `None` when it does not exist. One
    /// request.
    async fn read_row(&self, id: &str, missing_table: MissingTable) -> Result<Option<Row>> {
        match self
            .backend
            .get_row(&self.database, &self.table, id, &[])
            .await
        {
            Ok(row) => Ok(Some(row)),
            Err(e) if e.error_type() == Some(types::ROW_NOT_FOUND) => Ok(None),
            Err(e) if missing_table == MissingTable::IsEmpty && is_missing_table(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The head row, `None` when the table or the row does not exist. One request.
    pub(crate) async fn read_head(&self) -> Result<Option<Head>> {
        let head = self.read_row(HEAD_ID, MissingTable::IsEmpty).await?;
        Ok(head.as_ref().map(head_of))
    }

    /// Creates the table when missing (inline columns, available at once), or adds the columns
    /// an older library version did not create. A database that does not exist yet is created
    /// first (named by its id): the first run of a binary whose tables name a new database.
    pub(crate) async fn ensure(&self) -> Result<()> {
        let schema = history_schema(&self.table);
        let created = match self.backend.create_table(&self.database, &schema).await {
            Err(e) if e.error_type() == Some(types::DATABASE_NOT_FOUND) => {
                self.create_database().await?;
                self.backend.create_table(&self.database, &schema).await
            }
            other => other,
        };
        match created {
            Ok(table) => {
                if table.columns.len() == schema.columns.len() {
                    return Ok(());
                }
            }
            // Another run created it, or it exists from before.
            Err(e) if e.is_conflict() => {}
            Err(e) => return Err(e),
        }
        let live = self.backend.get_table(&self.database, &self.table).await?;
        let mut added = Vec::new();
        for column in &schema.columns {
            if live.column(&column.key).is_none() {
                match self
                    .backend
                    .create_column(&self.database, &self.table, column)
                    .await
                {
                    Ok(_) => {}
                    Err(e) if e.is_conflict() => {}
                    Err(e) => return Err(e),
                }
                added.push(column.key.clone());
            }
        }
        if added.is_empty() {
            return Ok(());
        }
        // Appwrite refuses a row that sets a column not yet `available` (unknown attribute), and
        // the next write of a version row sets them all.
        let db = Database::new(Arc::clone(&self.backend), &self.database);
        let live = self.backend.get_table(&self.database, &self.table).await?;
        let timeout = std::time::Duration::from_secs(60);
        crate::ready::wait(&db, live, Some(&added), timeout, |table, reason| {
            Error::NotReady {
                what: format!("columns of the migration history {table:?}"),
                reason,
            }
        })
        .await
        .map(|_| ())
    }

    /// Creates the history's database; one created meanwhile by another run will do.
    async fn create_database(&self) -> Result<()> {
        tracing::info!(database = %self.database, "creating the database");
        match self
            .backend
            .create_database(&self.database, &self.database)
            .await
        {
            Err(e) if !e.is_conflict() => Err(e),
            _ => Ok(()),
        }
    }

    /// Every row of the table: head, lock and versions.
    pub(crate) async fn read_all(&self) -> Result<Snapshot> {
        let options = ListOptions {
            total: false,
            transaction_id: None,
        };
        let rows = every_page(
            |queries| {
                let options = &options;
                async move {
                    let listed = self
                        .backend
                        .list_rows(&self.database, &self.table, &queries, options)
                        .await;
                    match listed {
                        Ok(page) => Ok(page.items),
                        // No history yet: nothing was ever migrated.
                        Err(e) if is_missing_table(&e) => Ok(Vec::new()),
                        Err(e) => Err(e),
                    }
                }
            },
            |row: &Row| row.id().to_owned(),
        )
        .await?;
        let mut snapshot = Snapshot::default();
        for row in &rows {
            match row.id() {
                HEAD_ID => snapshot.head = Some(head_of(row)),
                LOCK_ID => snapshot.lock = Some(lock_of(row)),
                id => {
                    if let Some(entry) = entry_of(id, row) {
                        snapshot.versions.insert(entry.version, entry);
                    }
                }
            }
        }
        Ok(snapshot)
    }

    /// Writes a version row whole (create or replace).
    pub(crate) async fn write_entry(&self, entry: &HistoryEntry) -> Result<()> {
        self.backend
            .upsert_row(
                &self.database,
                &self.table,
                &version_id(entry.version),
                &document_of(entry),
                None,
            )
            .await
            .map(|_| ())
    }

    /// Saves the backfills' progress of a running version.
    pub(crate) async fn save_checkpoint(&self, version: u32, checkpoint: &str) -> Result<()> {
        let data = doc(json!({ "checkpoint": checkpoint }));
        self.backend
            .update_row(
                &self.database,
                &self.table,
                &version_id(version),
                &data,
                None,
            )
            .await
            .map(|_| ())
    }

    /// Records the applied version and the binary's fingerprint.
    pub(crate) async fn write_head(&self, version: u32, fingerprint: &str) -> Result<()> {
        let data = doc(json!({
            "version": version,
            "name": "head",
            "status": "applied",
            "schema_fingerprint": fingerprint,
            "finished_at": now(),
        }));
        self.backend
            .upsert_row(&self.database, &self.table, HEAD_ID, &data, None)
            .await
            .map(|_| ())
    }

    /// Deletes a version's row (revert, forget).
    pub(crate) async fn delete_entry(&self, version: u32) -> Result<bool> {
        self.delete_row(&version_id(version)).await
    }

    /// Deletes the row `id`; `false` when there was none (or no history table).
    async fn delete_row(&self, id: &str) -> Result<bool> {
        match self
            .backend
            .delete_row(&self.database, &self.table, id)
            .await
        {
            Ok(()) => Ok(true),
            Err(e) if e.error_type() == Some(types::ROW_NOT_FOUND) || is_missing_table(&e) => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    // --- the lock row ---------------------------------------------------------------------------

    /// Creates the lock row; a 409 means someone holds it.
    pub(crate) async fn create_lock(&self, lock: &LockRow) -> Result<()> {
        let data = doc(json!({
            "name": "lock",
            "status": "locked",
            "owner": lock.owner,
            "lease": lock.lease,
            "expires_at": lock.expires_at,
            "host": lock.host,
            "started_at": now(),
        }));
        self.backend
            .create_row(&self.database, &self.table, LOCK_ID, &data, None)
            .await
            .map(|_| ())
    }

    pub(crate) async fn read_lock(&self) -> Result<Option<LockRow>> {
        let lock = self.read_row(LOCK_ID, MissingTable::IsAnError).await?;
        Ok(lock.as_ref().map(lock_of))
    }

    /// Deletes the lock row if it still carries `lease`: of several runs taking over the same
    /// expired lock, only one deletes it.
    pub(crate) async fn delete_lock_with_lease(&self, lease: &str) -> Result<u64> {
        self.delete_lock_where("lease", lease).await
    }

    /// Deletes the lock row if `owner` holds it.
    pub(crate) async fn delete_lock_of(&self, owner: &str) -> Result<u64> {
        self.delete_lock_where("owner", owner).await
    }

    /// Deletes the lock row if its `column` holds `value`; the rows deleted (0 or 1).
    async fn delete_lock_where(&self, column: &str, value: &str) -> Result<u64> {
        let queries = [
            Query::equal("$id", [LOCK_ID]),
            Query::equal(column, [value]),
        ];
        Ok(self
            .backend
            .delete_rows(&self.database, &self.table, &queries)
            .await?
            .total)
    }

    /// Pushes the lock's expiry forward if `owner` still holds it; 0 means it was lost.
    pub(crate) async fn renew_lock(
        &self,
        owner: &str,
        lease: &str,
        expires_at: &str,
    ) -> Result<u64> {
        let data = doc(json!({ "lease": lease, "expires_at": expires_at }));
        let queries = [
            Query::equal("$id", [LOCK_ID]),
            Query::equal("owner", [owner]),
        ];
        Ok(self
            .backend
            .update_rows(&self.database, &self.table, &data, &queries)
            .await?
            .total)
    }

    /// Deletes the lock row whoever holds it.
    pub(crate) async fn force_unlock(&self) -> Result<bool> {
        self.delete_row(LOCK_ID).await
    }
}

fn doc(value: Value) -> Document {
    match value {
        Value::Object(map) => map,
        _ => Document::new(),
    }
}

fn text(row: &Row, key: &str) -> String {
    row.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn number(row: &Row, key: &str) -> u64 {
    row.get(key).and_then(Value::as_u64).unwrap_or(0)
}

fn head_of(row: &Row) -> Head {
    Head {
        version: u32::try_from(number(row, "version")).unwrap_or(0),
        fingerprint: text(row, "schema_fingerprint"),
    }
}

fn lock_of(row: &Row) -> LockRow {
    LockRow {
        owner: text(row, "owner"),
        lease: text(row, "lease"),
        expires_at: text(row, "expires_at"),
        host: text(row, "host"),
    }
}

/// A version row; `None` for rows this library did not write (ids other than `v<number>`).
fn entry_of(id: &str, row: &Row) -> Option<HistoryEntry> {
    let version: u32 = id.strip_prefix('v')?.parse().ok()?;
    Some(HistoryEntry {
        version,
        name: text(row, "name"),
        checksum: text(row, "checksum"),
        // A status this version does not know is treated as not applied: it will be re-run.
        status: VersionStatus::parse(&text(row, "status")).unwrap_or(VersionStatus::Failed),
        started_at: text(row, "started_at"),
        finished_at: text(row, "finished_at"),
        duration_ms: number(row, "duration_ms"),
        rows_touched: number(row, "rows_touched"),
        schema_fingerprint: text(row, "schema_fingerprint"),
        checkpoint: text(row, "checkpoint"),
        error: text(row, "error"),
        host: text(row, "host"),
        allowed: strings(row, "allowed"),
    })
}

/// The strings of an array column; empty when the row has none (written before the column).
fn strings(row: &Row, key: &str) -> Vec<String> {
    row.get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn non_empty(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        Value::String(s.to_owned())
    }
}

fn document_of(entry: &HistoryEntry) -> Document {
    // Appwrite's text columns hold at most 65,535 characters; an error is cut there rather
    // than refused.
    let error: String = entry.error.chars().take(60_000).collect();
    let mut document = doc(json!({
        "version": entry.version,
        "name": entry.name.chars().take(255).collect::<String>(),
        "checksum": entry.checksum,
        "status": entry.status.as_str(),
        "started_at": non_empty(&entry.started_at),
        "finished_at": non_empty(&entry.finished_at),
        "duration_ms": entry.duration_ms.min(i64::MAX as u64),
        "rows_touched": entry.rows_touched.min(i64::MAX as u64),
        "schema_fingerprint": entry.schema_fingerprint,
        "checkpoint": non_empty(&entry.checkpoint),
        "error": non_empty(&error),
        "host": entry.host.chars().take(255).collect::<String>(),
    }));
    // Only when there is something to record: a history table made by an older library has
    // no such column, and a run adds it only when a version allows codes (see `ensure`).
    if !entry.allowed.is_empty() {
        document.insert("allowed".to_owned(), json!(entry.allowed));
    }
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_schema_follows_appwrites_rules() {
        history_schema("orm_migrations").validate().unwrap();
    }

    #[test]
    fn entries_round_trip() {
        let entry = HistoryEntry {
            version: 3,
            name: "backfill".into(),
            checksum: "abc".into(),
            status: VersionStatus::Failed,
            started_at: "2026-01-01T00:00:00.000+00:00".into(),
            finished_at: String::new(),
            duration_ms: 12,
            rows_touched: 40,
            schema_fingerprint: "f".into(),
            checkpoint: "{}".into(),
            error: "boom".into(),
            host: "h".into(),
            allowed: vec!["destructive".into()],
        };
        let mut row = Row(document_of(&entry));
        row.insert("$id".into(), json!("v3"));
        assert_eq!(entry_of("v3", &row), Some(entry));
        assert_eq!(entry_of("head", &row), None);
        assert_eq!(version_id(12), "v12");
    }

    #[test]
    fn rows_written_before_the_allowed_column_read_as_allowing_nothing() {
        let row = Row(doc(json!({
            "$id": "v2",
            "name": "old",
            "checksum": "abc",
            "status": "applied",
        })));
        let entry = entry_of("v2", &row).unwrap();
        assert_eq!(entry.status, VersionStatus::Applied);
        assert!(entry.allowed.is_empty());
    }
}
