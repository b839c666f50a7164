//! Helpers shared by the conformance cases: schema set-up, polling for asynchronous columns and
//! indexes, document building, error assertions and cursor scans.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use appwrite_orm::backend::{
    Backend, Column, ColumnStatus, Document, Index, List, ListOptions, Row, Table,
};
use appwrite_orm::error::AppwriteError;
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, IndexSchema, TableSchema};
use appwrite_orm::{Error, Result};
use serde_json::Value;

pub use appwrite_orm::error::types as ty;

/// The database id most cases use (every case runs on its own fresh backend).
pub const DB: &str = "db1";
/// The table id most cases use.
pub const T: &str = "items";

/// How long polling waits for a column or index before failing the case.
pub const POLL_TIMEOUT: Duration = Duration::from_secs(20);
const POLL_STEP: Duration = Duration::from_millis(10);

/// A JSON object literal as a [`Document`]; panics when `v` is not an object.
pub fn doc(v: Value) -> Document {
    match v {
        Value::Object(map) => map,
        other => panic!("doc() needs a JSON object, got {other}"),
    }
}

/// Several documents from a JSON array literal.
pub fn docs(v: Value) -> Vec<Document> {
    match v {
        Value::Array(items) => items.into_iter().map(doc).collect(),
        other => panic!("docs() needs a JSON array, got {other}"),
    }
}

/// Creates database [`DB`].
pub async fn new_db(b: &dyn Backend) {
    b.create_database(DB, "Test database")
        .await
        .expect("create_database");
}

/// Creates database [`DB`] and, in it, the table `id` with the given columns (inline, so they
/// are available at once).
pub async fn table_with(b: &dyn Backend, id: &str, columns: Vec<ColumnSchema>) -> Table {
    let mut schema = TableSchema::new(id, id);
    schema.columns = columns;
    table_schema(b, schema).await
}

/// Creates database [`DB`] (if missing) and the given table in it.
pub async fn table_schema(b: &dyn Backend, schema: TableSchema) -> Table {
    if b.get_database(DB).await.is_err() {
        new_db(b).await;
    }
    b.create_table(DB, &schema).await.expect("create_table")
}

/// Creates database [`DB`] and table [`T`] with one column, returning nothing.
pub async fn single_column(b: &dyn Backend, column: ColumnSchema) {
    table_with(b, T, vec![column]).await;
}

/// Creates a column through the asynchronous route and waits until it is available.
pub async fn add_column(b: &dyn Backend, table: &str, column: ColumnSchema) -> Column {
    b.create_column(DB, table, &column)
        .await
        .expect("create_column");
    wait_column(b, table, &column.key).await
}

/// Creates an index through the asynchronous route and waits until it is available.
pub async fn add_index(b: &dyn Backend, table: &str, index: IndexSchema) -> Index {
    b.create_index(DB, table, &index)
        .await
        .expect("create_index");
    wait_index(b, table, &index.key).await
}

/// Polls `get_column` until the column is `available`; panics on `failed`/`stuck` or timeout.
pub async fn wait_column(b: &dyn Backend, table: &str, key: &str) -> Column {
    let start = Instant::now();
    loop {
        let column = b.get_column(DB, table, key).await.expect("get_column");
        match column.status {
            ColumnStatus::Available => return column,
            ColumnStatus::Failed | ColumnStatus::Stuck => {
                panic!("column {key} ended {:?}: {}", column.status, column.error)
            }
            _ => {}
        }
        assert!(
            start.elapsed() < POLL_TIMEOUT,
            "column {key} still {:?} after {POLL_TIMEOUT:?}",
            column.status
        );
        tokio::time::sleep(POLL_STEP).await;
    }
}

/// Polls `get_index` until the index is `available`; panics on `failed`/`stuck` or timeout.
pub async fn wait_index(b: &dyn Backend, table: &str, key: &str) -> Index {
    let start = Instant::now();
    loop {
        let index = b.get_index(DB, table, key).await.expect("get_index");
        match index.status {
            ColumnStatus::Available => return index,
            ColumnStatus::Failed | ColumnStatus::Stuck => {
                panic!("index {key} ended {:?}: {}", index.status, index.error)
            }
            _ => {}
        }
        assert!(
            start.elapsed() < POLL_TIMEOUT,
            "index {key} still {:?} after {POLL_TIMEOUT:?}",
            index.status
        );
        tokio::time::sleep(POLL_STEP).await;
    }
}

/// Polls `list_columns` until no column has this key.
pub async fn wait_column_gone(b: &dyn Backend, table: &str, key: &str) {
    let start = Instant::now();
    loop {
        let list = b.list_columns(DB, table).await.expect("list_columns");
        if list.items.iter().all(|c| c.schema.key != key) {
            return;
        }
        assert!(
            start.elapsed() < POLL_TIMEOUT,
            "column {key} still listed after {POLL_TIMEOUT:?}"
        );
        tokio::time::sleep(POLL_STEP).await;
    }
}

/// Polls `list_indexes` until no index has this key.
pub async fn wait_index_gone(b: &dyn Backend, table: &str, key: &str) {
    let start = Instant::now();
    loop {
        let list = b.list_indexes(DB, table).await.expect("list_indexes");
        if list.items.iter().all(|i| i.schema.key != key) {
            return;
        }
        assert!(
            start.elapsed() < POLL_TIMEOUT,
            "index {key} still listed after {POLL_TIMEOUT:?}"
        );
        tokio::time::sleep(POLL_STEP).await;
    }
}

/// Asserts that `result` failed with an Appwrite error of this HTTP code and type, and returns
/// the error for further checks.
#[track_caller]
pub fn assert_err<T: Debug>(result: Result<T>, code: u16, error_type: &str) -> AppwriteError {
    match result {
        Ok(v) => panic!("expected {code} {error_type}, got Ok({v:?})"),
        Err(Error::Appwrite(e)) => {
            assert_eq!(
                (e.code, e.error_type.as_str()),
                (code, error_type),
                "wrong error (message: {:?})",
                e.message
            );
            e
        }
        Err(other) => panic!("expected Appwrite error {code} {error_type}, got {other:?}"),
    }
}

/// Asserts an Appwrite error of this code and type with exactly this message.
#[track_caller]
pub fn assert_err_msg<T: Debug>(result: Result<T>, code: u16, error_type: &str, message: &str) {
    let e = assert_err(result, code, error_type);
    assert_eq!(e.message, message);
}

/// Asserts that `result` failed with an Appwrite error of this HTTP code (any type).
#[track_caller]
pub fn assert_code<T: Debug>(result: Result<T>, code: u16) -> AppwriteError {
    match result {
        Ok(v) => panic!("expected an error {code}, got Ok({v:?})"),
        Err(Error::Appwrite(e)) => {
            assert_eq!(e.code, code, "wrong code for {e:?}");
            e
        }
        Err(other) => panic!("expected an Appwrite error {code}, got {other:?}"),
    }
}

/// The ids of a page, in order.
pub fn ids(list: &List<Row>) -> Vec<String> {
    list.items.iter().map(|r| r.id().to_owned()).collect()
}

/// Lists rows of `table` with `queries` and returns their ids in order.
pub async fn list_ids(b: &dyn Backend, table: &str, queries: &[Query]) -> Vec<String> {
    let list = b
        .list_rows(DB, table, queries, &ListOptions::default())
        .await
        .expect("list_rows");
    ids(&list)
}

/// Lists rows of `table` with `queries` (no cursor/limit inside), adding `limit(1000)` so the
/// answer is not cut at the default page size.
pub async fn all_ids(b: &dyn Backend, table: &str, queries: &[Query]) -> Vec<String> {
    let mut q = queries.to_vec();
    q.push(Query::limit(1000));
    list_ids(b, table, &q).await
}

/// Walks every page with `cursorAfter` and `limit(page)`; returns the ids in visiting order.
pub async fn scan_all(b: &dyn Backend, table: &str, queries: &[Query], page: u64) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = queries.to_vec();
        q.push(Query::limit(page));
        if let Some(c) = &cursor {
            q.push(Query::cursor_after(c.clone()));
        }
        let page_ids = list_ids(b, table, &q).await;
        let len = page_ids.len() as u64;
        if let Some(last) = page_ids.last() {
            cursor = Some(last.clone());
        }
        out.extend(page_ids);
        if len < page {
            return out;
        }
        assert!(out.len() < 100_000, "cursor scan does not end");
    }
}

/// Reads one row.
pub async fn get(b: &dyn Backend, table: &str, id: &str) -> Row {
    b.get_row(DB, table, id, &[]).await.expect("get_row")
}

/// Creates one row with the given id and data.
pub async fn put(b: &dyn Backend, table: &str, id: &str, data: Value) -> Row {
    b.create_row(DB, table, id, &doc(data), None)
        .await
        .expect("create_row")
}

/// Total number of rows in a table.
pub async fn count(b: &dyn Backend, table: &str) -> u64 {
    b.list_rows(DB, table, &[Query::limit(1)], &ListOptions::default())
        .await
        .expect("list_rows")
        .total
}

/// True for Appwrite's generated ids: 20 lowercase hex characters.
pub fn is_hex20(s: &str) -> bool {
    s.len() == 20
        && s.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// True for `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$`.
pub fn is_timestamp(s: &str) -> bool {
    let pattern = "dddd-dd-ddTdd:dd:dd.ddd+00:00";
    s.len() == pattern.len()
        && s.bytes().zip(pattern.bytes()).all(|(c, p)| match p {
            b'd' => c.is_ascii_digit(),
            _ => c == p,
        })
}

/// True for a non-empty string of ASCII digits.
pub fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// The system fields every row carries.
pub const SYSTEM_FIELDS: [&str; 7] = [
    "$id",
    "$sequence",
    "$createdAt",
    "$updatedAt",
    "$permissions",
    "$databaseId",
    "$tableId",
];

/// The keys of a row, sorted.
pub fn keys(row: &Row) -> Vec<String> {
    let mut k: Vec<String> = row.keys().cloned().collect();
    k.sort();
    k
}

/// `SYSTEM_FIELDS` plus `extra`, sorted.
pub fn system_plus(extra: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = SYSTEM_FIELDS
        .iter()
        .chain(extra.iter())
        .map(|s| s.to_string())
        .collect();
    k.sort();
    k
}

/// `$sequence` as a number, for comparing two rows' insertion order.
pub fn seq(row: &Row) -> u128 {
    assert!(
        is_digits(row.sequence()),
        "bad $sequence {:?}",
        row.get("$sequence")
    );
    row.sequence().parse().expect("sequence")
}

/// Sorted copy of a vector of ids.
pub fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Owned strings from string literals.
pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
