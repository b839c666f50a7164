//! The table the data scenarios share, its rows, the per-row transform of `backfill`, and the
//! checks that the data came out right.

use appwrite_orm::Database;
use appwrite_orm::backend::{Document, Row};
use appwrite_orm::migrate::{MigrateOptions, MigrationDef, Migrator};
use appwrite_orm::prelude::*;
use appwrite_orm::rows::Rows;
use appwrite_orm::schema::TableSchema;
use futures_util::TryStreamExt;
use serde_json::{Value, json};

use crate::BenchResult;
use crate::harness::Server;
use crate::scenarios::Check;

/// One row of the benchmark table. Version 1 has `name` and `n`; version 2 adds the columns the
/// `backfill` scenario fills from them.
#[derive(Table, Debug, Clone)]
#[table(id = "items", name = "Items")]
pub struct Item {
    /// `$id`: `r` and seven digits, the same in every database of a run.
    #[column(id)]
    pub id: RowId,
    /// Mixed-case text, different in every row.
    #[column(size = 64)]
    pub name: String,
    /// The row's number.
    pub n: i64,
    /// `name` in upper case, filled by the `backfill` scenario.
    #[column(size = 64, since = 2)]
    pub name_upper: Option<String>,
    /// `n * 2`, filled by the `backfill` scenario.
    #[column(since = 2)]
    pub n2: Option<i64>,
}

/// The table id.
pub const TABLE: &str = "items";

/// Rows generated and inserted together while filling a table: bounded memory, whatever the
/// table's size.
const FILL_BATCH: u64 = 10_000;

/// Words that make the names differ in case from row to row.
const WORDS: [&str; 8] = [
    "alpha", "Bravo", "charlie", "Delta", "echo", "Foxtrot", "golf", "Hotel",
];

/// The table as declared, with every version's columns.
pub fn schema() -> TableSchema {
    Item::schema().clone()
}

/// The table as it stands at `version`: the columns and indexes introduced up to it.
pub fn schema_at(version: u32) -> TableSchema {
    let mut schema = schema();
    schema.columns.retain(|c| c.since <= version);
    schema.indexes.retain(|i| i.since <= version);
    schema
}

/// The id of row `i`.
pub fn row_id(i: u64) -> String {
    format!("r{i:07}")
}

/// Row `i` as version 1 has it: id, name and number.
pub fn item(i: u64) -> Document {
    let word = WORDS[(i % WORDS.len() as u64) as usize];
    document(json!({
        "$id": row_id(i),
        "name": format!("{word} item {i}"),
        "n": i,
    }))
}

/// Rows `0..n`, generated batch by batch.
pub fn batches(n: u64) -> impl Iterator<Item = Vec<Document>> {
    batches_of(n, item)
}

/// Rows `0..n` made by `row`, generated batch by batch (bounded memory, whatever `n`).
pub fn batches_of(n: u64, row: fn(u64) -> Document) -> impl Iterator<Item = Vec<Document>> {
    (0..n)
        .step_by(FILL_BATCH as usize)
        .map(move |start| (start..(start + FILL_BATCH).min(n)).map(row).collect())
}

/// A database of `server` reached directly (through the engine, so not measured) that holds the
/// benchmark table at version 1, empty.
pub async fn database_at_v1(server: &Server, id: &str) -> BenchResult<Database> {
    let db = server.direct(id).await?;
    db.backend().create_table(id, &schema_at(1)).await?;
    Ok(db)
}

/// Writes rows `0..n` into `rows` with the library's bulk insert (100 rows a request).
pub async fn fill(rows: &Rows, n: u64) -> BenchResult<()> {
    for batch in batches(n) {
        rows.insert_many(&batch).await?;
    }
    Ok(())
}

/// The `backfill` transform: `name_upper` and `n2` from the row's own values, so every row
/// gets a different change and no single bulk update can do the work. `None` (no change) for a
/// row that lacks its values; the checks then count it as not transformed.
pub fn transform(row: &Row) -> Option<Document> {
    let name = row.0.get("name")?.as_str()?;
    let n = row.0.get("n")?.as_i64()?;
    Some(document(json!({
        "name_upper": name.to_uppercase(),
        "n2": n * 2,
    })))
}

/// Version 2's step: the library's resumable backfill of every row whose `name_upper` is still
/// null, with [`transform`].
pub fn backfill_step() -> MigrationDef {
    MigrationDef::new(2, "fill name_upper and n2", |m| {
        Box::pin(async move {
            m.rows(TABLE)
                .backfill(vec![Query::is_null("name_upper")], transform)
                .await?;
            Ok(())
        })
    })
}

/// The migrations of the benchmark table: its schema (version 1, and version 2's columns) and
/// version 2's [`backfill_step`].
pub fn migrator(options: MigrateOptions) -> Migrator {
    Migrator::new([&schema()], [backfill_step()]).with_options(options)
}

/// Whether `row` carries exactly what [`transform`] computes from it.
fn is_transformed(row: &Row) -> bool {
    let (Some(name), Some(n)) = (
        row.0.get("name").and_then(Value::as_str),
        row.0.get("n").and_then(Value::as_i64),
    ) else {
        return false;
    };
    row.0.get("name_upper").and_then(Value::as_str) == Some(name.to_uppercase().as_str())
        && row.0.get("n2").and_then(Value::as_i64) == Some(n * 2)
}

/// The checks of a backfilled table of `n` rows: every row carries the transform's values,
/// and none still reads `null` (counted by the server's own `isNull`, not by this reader).
pub async fn check_transformed(label: &str, rows: &Rows, n: u64) -> BenchResult<Vec<Check>> {
    let correct = rows
        .query()
        .stream()
        .try_fold(0u64, |count, row| async move {
            Ok(count + u64::from(is_transformed(&row)))
        })
        .await?;
    let still_null = rows
        .query()
        .with(Query::is_null("name_upper"))
        .count()
        .await?;
    Ok(vec![
        Check::new(format!("{label}: rows transformed correctly"), n, correct),
        Check::new(format!("{label}: rows still null"), 0, still_null),
    ])
}

/// The check that `rows` holds `n` rows.
pub async fn check_count(label: &str, rows: &Rows, n: u64) -> BenchResult<Check> {
    let count = rows.query().count().await?;
    Ok(Check::new(format!("{label}: rows in the table"), n, count))
}

/// A row document from a `json!` object literal (an empty one for anything else).
pub(crate) fn document(value: Value) -> Document {
    match value {
        Value::Object(map) => map,
        _ => Document::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transform_differs_per_row_and_is_recognised() {
        let a = Row(item(1));
        let b = Row(item(2));
        assert_ne!(transform(&a), transform(&b));
        let mut done = a.clone();
        done.0.extend(transform(&a).unwrap());
        assert!(is_transformed(&done));
        assert!(!is_transformed(&a));
    }

    #[test]
    fn batches_cover_every_row_once() {
        let ids: Vec<String> = batches(25_001)
            .flatten()
            .map(|d| d["$id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids.len(), 25_001);
        assert_eq!(ids[25_000], row_id(25_000));
    }

    #[test]
    fn version_one_lacks_the_backfilled_columns() {
        let v1 = schema_at(1);
        assert!(v1.find_column("name").is_some());
        assert!(v1.find_column("name_upper").is_none());
        assert!(schema().find_column("n2").is_some());
    }
}
