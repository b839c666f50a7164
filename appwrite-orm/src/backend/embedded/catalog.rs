//! The catalog: databases, tables, columns and indexes, kept in SQLite tables beside the data.
//!
//! Each Appwrite table is a real SQL table `rows_<seq>` with one SQL column per Appwrite column
//! (named by its key) and the system columns `_seq`, `_uid`, `_createdAt`, `_updatedAt`,
//! `_permissions`. Column and index lifecycles (`processing` → `available`, `deleting` → gone)
//! are driven by a `ready_at` time stamp and settled whenever a table's metadata is read.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::clock;
use super::errors;
use crate::api::listing;
use crate::backend::{ColumnStatus, Database, Index, List, Live, Table};
use crate::query::Query;
use crate::schema::{ColumnKind, ColumnSchema, IndexKind, IndexSchema, SortOrder};
use crate::{Error, Result};

/// Creates the catalog tables when they are missing.
pub(super) fn init(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         PRAGMA case_sensitive_like = ON;
         CREATE TABLE IF NOT EXISTS aw_databases (
             id TEXT PRIMARY KEY, name TEXT NOT NULL, enabled INTEGER NOT NULL,
             created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
         CREATE TABLE IF NOT EXISTS aw_tables (
             seq INTEGER PRIMARY KEY AUTOINCREMENT, database_id TEXT NOT NULL, id TEXT NOT NULL,
             name TEXT NOT NULL, permissions TEXT NOT NULL, row_security INTEGER NOT NULL,
             enabled INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
             UNIQUE (database_id, id));
         CREATE TABLE IF NOT EXISTS aw_columns (
             table_seq INTEGER NOT NULL, key TEXT NOT NULL, position INTEGER NOT NULL,
             schema TEXT NOT NULL, status TEXT NOT NULL, error TEXT NOT NULL,
             ready_at INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
             PRIMARY KEY (table_seq, key));
         CREATE TABLE IF NOT EXISTS aw_indexes (
             table_seq INTEGER NOT NULL, key TEXT NOT NULL, position INTEGER NOT NULL,
             schema TEXT NOT NULL, status TEXT NOT NULL, error TEXT NOT NULL,
             ready_at INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
             PRIMARY KEY (table_seq, key));",
    )?;
    Ok(())
}

/// The connection with a cache of table metadata, so that row operations do not read the catalog
/// each time. Any schema change clears the cache; a table whose columns or indexes are still
/// changing state is cached only until the next state change is due.
pub(super) struct Session {
    conn: Connection,
    tables: RefCell<HashMap<(String, String), Arc<TableMeta>>>,
}

impl Session {
    pub(super) fn new(conn: Connection) -> Self {
        Self {
            conn,
            tables: RefCell::new(HashMap::new()),
        }
    }

    /// Forgets every cached table (after a schema change, or a rolled-back write).
    pub(super) fn invalidate(&self) {
        self.tables.borrow_mut().clear();
    }
}

impl std::ops::Deref for Session {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

/// A table's metadata as the engine uses it.
#[derive(Debug, Clone)]
pub(super) struct TableMeta {
    pub seq: i64,
    /// The table as Appwrite's model has it, columns and indexes included.
    pub table: Table,
    /// When the next column or index state change is due (ms), if one is pending.
    pub pending_until: Option<i64>,
    /// The columns rows may use (status `available`) that hold values in the row's SQL table,
    /// in order; computed once per load. Relationship columns are not among them: their values
    /// live in the link store (see `relations`).
    pub available: Vec<ColumnSchema>,
    /// The available relationship columns, in order.
    pub relations: Vec<ColumnSchema>,
    /// `INSERT` of a whole row: system columns, then `available`.
    pub insert_sql: String,
    /// `UPDATE` of a whole row by `_seq`: `_updatedAt`, `_permissions`, then `available`.
    pub update_sql: String,
    /// The `SELECT` list: system columns, then `available`.
    pub select_list: String,
}

impl TableMeta {
    /// The quoted name of the SQL table holding the rows.
    pub fn sql_table(&self) -> String {
        sql_table(self.seq)
    }

    /// Columns that rows may use: those in status `available`.
    pub fn available_columns(&self) -> impl Iterator<Item = &ColumnSchema> {
        self.available.iter()
    }

    /// Fills the fields derived from the columns (available set and SQL statements).
    fn derive_statements(&mut self) {
        (self.relations, self.available) = self
            .table
            .columns
            .iter()
            .filter(|c| c.status == ColumnStatus::Available)
            .map(|c| c.schema.clone())
            .partition(|c| matches!(c.kind, ColumnKind::Relationship(_)));
        let keys: Vec<String> = self.available.iter().map(|c| quote(&c.key)).collect();
        let table = self.sql_table();
        let mut insert_cols = vec!["_uid", "_createdAt", "_updatedAt", "_permissions"]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        insert_cols.extend(keys.iter().cloned());
        self.insert_sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            insert_cols.join(","),
            vec!["?"; insert_cols.len()].join(",")
        );
        let mut sets = vec!["_updatedAt = ?".to_owned(), "_permissions = ?".to_owned()];
        sets.extend(keys.iter().map(|k| format!("{k} = ?")));
        self.update_sql = format!("UPDATE {table} SET {} WHERE _seq = ?", sets.join(", "));
        let mut select = vec![
            "_seq".to_owned(),
            "_uid".to_owned(),
            "_createdAt".to_owned(),
            "_updatedAt".to_owned(),
            "_permissions".to_owned(),
        ];
        select.extend(keys);
        self.select_list = select.join(", ");
    }

    /// The available column with this key.
    pub fn available_column(&self, key: &str) -> Option<&ColumnSchema> {
        self.available_columns().find(|c| c.key == key)
    }

    /// The available relationship column with this key.
    pub fn relation(&self, key: &str) -> Option<&ColumnSchema> {
        self.relations.iter().find(|c| c.key == key)
    }

    /// True when an available fulltext index covers exactly this column.
    pub fn has_fulltext_on(&self, key: &str) -> bool {
        self.table.indexes.iter().any(|i| {
            i.status == ColumnStatus::Available
                && i.schema.kind == IndexKind::Fulltext
                && i.schema.columns.len() == 1
                && i.schema.columns[0] == key
        })
    }

    /// The public model.
    pub fn to_table(&self) -> Table {
        self.table.clone()
    }
}

/// The quoted SQL name of a table's rows.
pub(super) fn sql_table(seq: i64) -> String {
    format!("\"rows_{seq}\"")
}

/// The quoted SQL name of an index.
pub(super) fn sql_index(seq: i64, key: &str) -> String {
    format!("\"idx_{seq}_{key}\"")
}

/// Quotes a column key (keys never contain `"`: the key rule forbids it).
pub(super) fn quote(key: &str) -> String {
    format!("\"{key}\"")
}

// --- databases ----------------------------------------------------------------------------------

pub(super) fn get_database(conn: &Connection, id: &str) -> Result<Database> {
    conn.prepare_cached(
        "SELECT id, name, enabled, created_at, updated_at FROM aw_databases WHERE id = ?1",
    )?
    .query_row([id], database_from_row)
    .optional()?
    .ok_or_else(errors::database_not_found)
}

/// One page of the databases, in creation order before `queries` apply.
pub(super) fn list_databases(conn: &Connection, queries: &[Query]) -> Result<List<Database>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, enabled, created_at, updated_at FROM aw_databases ORDER BY rowid",
    )?;
    let rows = stmt.query_map([], database_from_row)?;
    let all = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let json = |d: &Database| serde_json::to_value(d).unwrap_or_default();
    listing::page_by(all, json, queries, listing::DATABASES, true).map_err(Error::Appwrite)
}

/// One page of the tables of a database, in creation order before `queries` apply.
pub(super) fn list_tables(
    conn: &Connection,
    database: &str,
    queries: &[Query],
) -> Result<List<Table>> {
    let all = table_seqs(conn, database)?
        .into_iter()
        .map(|seq| Ok(load_table_by_seq(conn, seq)?.to_table()))
        .collect::<Result<Vec<_>>>()?;
    listing::page_by(all, Table::to_json, queries, listing::TABLES, true).map_err(Error::Appwrite)
}

fn database_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Database> {
    Ok(Database {
        id: row.get(0)?,
        name: row.get(1)?,
        enabled: row.get(2)?,
        created_at: row.get(3)?,
        updated_at: row.get(4)?,
        database_type: "tablesdb".to_owned(),
    })
}

// --- tables -------------------------------------------------------------------------------------

/// Loads a table's metadata (from the cache when it is still current), settling column and
/// index lifecycles first.
pub(super) fn load_table(session: &Session, database: &str, table: &str) -> Result<Arc<TableMeta>> {
    let key = (database.to_owned(), table.to_owned());
    if let Some(meta) = session.tables.borrow().get(&key)
        && meta.pending_until.is_none_or(|t| clock::now_ms() < t)
    {
        return Ok(Arc::clone(meta));
    }
    let meta = Arc::new(load_table_uncached(session, database, table)?);
    session.tables.borrow_mut().insert(key, Arc::clone(&meta));
    Ok(meta)
}

fn load_table_uncached(conn: &Connection, database: &str, table: &str) -> Result<TableMeta> {
    get_database(conn, database)?;
    let seq: i64 = conn
        .prepare_cached("SELECT seq FROM aw_tables WHERE database_id = ?1 AND id = ?2")?
        .query_row(params![database, table], |r| r.get(0))
        .optional()?
        .ok_or_else(errors::table_not_found)?;
    load_table_by_seq(conn, seq)
}

pub(super) fn load_table_by_seq(conn: &Connection, seq: i64) -> Result<TableMeta> {
    settle(conn, seq)?;
    let mut meta = conn
        .prepare_cached(
            "SELECT seq, database_id, id, name, permissions, row_security, enabled, created_at,
                    updated_at FROM aw_tables WHERE seq = ?1",
        )?
        .query_row([seq], |r| {
            let permissions: String = r.get(4)?;
            Ok(TableMeta {
                seq: r.get(0)?,
                table: Table {
                    database_id: r.get(1)?,
                    id: r.get(2)?,
                    name: r.get(3)?,
                    permissions: serde_json::from_str(&permissions).unwrap_or_default(),
                    row_security: r.get(5)?,
                    enabled: r.get(6)?,
                    created_at: r.get(7)?,
                    updated_at: r.get(8)?,
                    columns: Vec::new(),
                    indexes: Vec::new(),
                },
                pending_until: None,
                available: Vec::new(),
                relations: Vec::new(),
                insert_sql: String::new(),
                update_sql: String::new(),
                select_list: String::new(),
            })
        })
        .optional()?
        .ok_or_else(errors::table_not_found)?;
    meta.table.columns = load_elements(conn, "aw_columns", seq)?;
    meta.table.indexes = load_elements(conn, "aw_indexes", seq)?;
    meta.pending_until = conn
        .prepare_cached(
            "SELECT MIN(ready_at) FROM (
                 SELECT ready_at FROM aw_columns WHERE table_seq = ?1
                     AND status IN ('processing', 'deleting')
                 UNION ALL
                 SELECT ready_at FROM aw_indexes WHERE table_seq = ?1
                     AND status IN ('processing', 'deleting'))",
        )?
        .query_row([seq], |r| r.get(0))?;
    meta.derive_statements();
    Ok(meta)
}

/// The columns or indexes (`catalog`: `aw_columns` or `aw_indexes`) of a table, in order.
fn load_elements<S: DeserializeOwned>(
    conn: &Connection,
    catalog: &str,
    seq: i64,
) -> Result<Vec<Live<S>>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT schema, status, error, created_at, updated_at FROM {catalog}
         WHERE table_seq = ?1 ORDER BY position"
    ))?;
    let rows = stmt.query_map([seq], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (schema, status, error, created_at, updated_at) = row?;
        out.push(Live {
            schema: serde_json::from_str(&schema)?,
            status: parse_status(&status)?,
            error,
            created_at,
            updated_at,
        });
    }
    Ok(out)
}

fn parse_status(s: &str) -> Result<ColumnStatus> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| crate::Error::Storage(format!("unknown status {s:?} in the catalog")))
}

/// Moves columns and indexes whose time has come from `processing` to `available`, and removes
/// those whose delete has finished.
fn settle(conn: &Connection, seq: i64) -> Result<()> {
    let now = clock::now_ms();
    for catalog in ["aw_columns", "aw_indexes"] {
        conn.prepare_cached(&format!(
            "UPDATE {catalog} SET status = 'available'
             WHERE table_seq = ?1 AND status = 'processing' AND ready_at <= ?2"
        ))?
        .execute(params![seq, now])?;
    }
    for key in deleted_by_now(conn, "aw_indexes", seq, now)? {
        conn.execute_batch(&format!("DROP INDEX IF EXISTS {}", sql_index(seq, &key)))?;
        conn.execute(
            "DELETE FROM aw_indexes WHERE table_seq = ?1 AND key = ?2",
            params![seq, key],
        )?;
    }
    for key in deleted_by_now(conn, "aw_columns", seq, now)? {
        take_out_of_indexes(conn, seq, &key)?;
        conn.execute_batch(&format!(
            "ALTER TABLE {} DROP COLUMN {}",
            sql_table(seq),
            quote(&key)
        ))?;
        conn.execute(
            "DELETE FROM aw_columns WHERE table_seq = ?1 AND key = ?2",
            params![seq, key],
        )?;
    }
    Ok(())
}

/// Takes a deleted column out of the indexes that use it, as Appwrite 1.9's database worker
/// does when a column's deletion completes (`Workers/Databases.php`, `deleteAttribute`): the
/// column leaves each index with its order and length; an index left with no column is dropped,
/// and so is one left the same as another index (same columns and orders); the others are
/// rebuilt over their remaining columns.
fn take_out_of_indexes(conn: &Connection, seq: i64, key: &str) -> Result<()> {
    let mut indexes: Vec<Index> = load_elements(conn, "aw_indexes", seq)?;
    for i in 0..indexes.len() {
        let Some(at) = indexes[i].schema.columns.iter().position(|c| c == key) else {
            continue;
        };
        conn.execute_batch(&format!(
            "DROP INDEX IF EXISTS {}",
            sql_index(seq, &indexes[i].schema.key)
        ))?;
        let schema = &mut indexes[i].schema;
        schema.columns.remove(at);
        if at < schema.orders.len() {
            schema.orders.remove(at);
        }
        if at < schema.lengths.len() {
            schema.lengths.remove(at);
        }
        let schema = schema.clone();
        let same_as_another = indexes.iter().any(|other| {
            other.schema.key != schema.key
                && other.schema.columns == schema.columns
                && effective_orders(&other.schema) == effective_orders(&schema)
        });
        if schema.columns.is_empty() || same_as_another {
            conn.execute(
                "DELETE FROM aw_indexes WHERE table_seq = ?1 AND key = ?2",
                params![seq, schema.key],
            )?;
            continue;
        }
        conn.execute(
            "UPDATE aw_indexes SET schema = ?1, updated_at = ?2 WHERE table_seq = ?3 AND key = ?4",
            params![
                serde_json::to_string(&schema)?,
                clock::now(),
                seq,
                schema.key
            ],
        )?;
        create_sql_index(conn, seq, &schema)?;
    }
    Ok(())
}

/// An index's orders, one per column (none given means ascending).
fn effective_orders(index: &IndexSchema) -> Vec<SortOrder> {
    (0..index.columns.len())
        .map(|i| index.orders.get(i).copied().unwrap_or(SortOrder::Asc))
        .collect()
}

/// The SQL column of a system attribute an index may name (`$id`, `$createdAt`, `$updatedAt`).
pub(super) fn system_term(key: &str) -> Option<&'static str> {
    match key {
        "$id" => Some("_uid"),
        "$createdAt" => Some("_createdAt"),
        "$updatedAt" => Some("_updatedAt"),
        _ => None,
    }
}

/// Creates the SQL index of an index (none for fulltext: `search` matches words in SQL
/// functions instead; none for spatial: spatial filters run in an SQL function over each row,
/// which a B-tree on coordinate text would not speed up).
pub(super) fn create_sql_index(
    conn: &Connection,
    seq: i64,
    index: &IndexSchema,
) -> rusqlite::Result<()> {
    if matches!(index.kind, IndexKind::Fulltext | IndexKind::Spatial) {
        return Ok(());
    }
    let orders = effective_orders(index);
    let terms: Vec<String> = index
        .columns
        .iter()
        .zip(orders)
        .map(|(key, order)| {
            let term = system_term(key).map_or_else(|| quote(key), str::to_owned);
            let direction = if order == SortOrder::Desc {
                "DESC"
            } else {
                "ASC"
            };
            format!("{term} {direction}")
        })
        .collect();
    let unique = if index.kind == IndexKind::Unique {
        "UNIQUE "
    } else {
        ""
    };
    conn.execute_batch(&format!(
        "CREATE {unique}INDEX {} ON {} ({})",
        sql_index(seq, &index.key),
        sql_table(seq),
        terms.join(", ")
    ))
}

/// The keys of the columns or indexes (`catalog`) whose deletion is due by `now`.
fn deleted_by_now(conn: &Connection, catalog: &str, seq: i64, now: i64) -> Result<Vec<String>> {
    let keys = conn
        .prepare_cached(&format!(
            "SELECT key FROM {catalog} WHERE table_seq = ?1 AND status = 'deleting'
             AND ready_at <= ?2"
        ))?
        .query_map(params![seq, now], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(keys)
}

/// Every table of a database, in creation order.
pub(super) fn table_seqs(conn: &Connection, database: &str) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT seq FROM aw_tables WHERE database_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([database], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The ids of the tables of a database, in creation order.
pub(super) fn table_ids(conn: &Connection, database: &str) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM aw_tables WHERE database_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([database], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Where a new column or index goes: its table, its first status, and when that status ends.
pub(super) struct Placement {
    seq: i64,
    status: ColumnStatus,
    ready_at: i64,
}

impl Placement {
    /// In table `seq`, `status` until `delay_ms` from now.
    pub(super) fn new(seq: i64, status: ColumnStatus, delay_ms: i64) -> Self {
        let ready_at = clock::now_ms() + delay_ms;
        Placement {
            seq,
            status,
            ready_at,
        }
    }
}

/// Records a column or index (`catalog`: `aw_columns` or `aw_indexes`) after the table's last.
pub(super) fn insert_live<S: Serialize + Clone>(
    conn: &Connection,
    catalog: &str,
    at: Placement,
    key: &str,
    schema: &S,
    error: &str,
) -> Result<Live<S>> {
    let now = clock::now();
    let position: i64 = conn.query_row(
        &format!("SELECT COALESCE(MAX(position), 0) + 1 FROM {catalog} WHERE table_seq = ?1"),
        [at.seq],
        |r| r.get(0),
    )?;
    conn.execute(
        &format!(
            "INSERT INTO {catalog} (table_seq, key, position, schema, status, error, ready_at,
                                    created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
        ),
        params![
            at.seq,
            key,
            position,
            serde_json::to_string(schema)?,
            at.status.as_str(),
            error,
            at.ready_at,
            now
        ],
    )?;
    Ok(Live {
        schema: schema.clone(),
        status: at.status,
        error: error.to_owned(),
        created_at: now.clone(),
        updated_at: now,
    })
}

/// The SQL type a column is stored as.
pub(super) fn sql_type(column: &ColumnSchema) -> &'static str {
    if column.array {
        return "TEXT";
    }
    match column.kind {
        ColumnKind::Integer { .. } | ColumnKind::BigInt { .. } | ColumnKind::Boolean => "INTEGER",
        ColumnKind::Float { .. } => "REAL",
        _ => "TEXT",
    }
}
