//! The table of the `lint` scenario and the deploy it gates: version 1 has `email`, `n` and
//! `legacy`; version 2 adds a unique index on `email`, a required `slug` that its step fills,
//! and its step drops `legacy` (with a backup directory, so the drop is no error).

use appwrite_orm::Database;
use appwrite_orm::backend::{Document, Row};
use appwrite_orm::migrate::{MigrateOptions, MigrationDef, Migrator};
use appwrite_orm::prelude::*;
use appwrite_orm::rows::Rows;
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};
use serde_json::json;

use crate::BenchResult;
use crate::data::{batches_of, document, row_id};
use crate::harness::Server;

/// The table id.
pub const TABLE: &str = "accounts";

/// The column version 2 makes unique.
pub const EMAIL: &str = "email";

/// The column version 2 creates required and its step fills.
pub const SLUG: &str = "slug";

/// The column version 2's step drops.
pub const LEGACY: &str = "legacy";

/// Version 1: the columns the rows are written with.
pub fn schema_v1() -> TableSchema {
    TableSchema::new(TABLE, "Accounts")
        .column(ColumnSchema::varchar(EMAIL, 64))
        .column(ColumnSchema::integer("n"))
        .column(ColumnSchema::varchar(LEGACY, 64))
}

/// Version 2 as declared: `legacy` is gone (the step drops it), `slug` is new and required,
/// `email` gets a unique index.
pub fn schema_v2() -> TableSchema {
    TableSchema::new(TABLE, "Accounts")
        .column(ColumnSchema::varchar(EMAIL, 64))
        .column(ColumnSchema::integer("n"))
        .column(ColumnSchema::varchar(SLUG, 80).required().since(2))
        .index(IndexSchema::new("by_email", IndexKind::Unique, [EMAIL]).since(2))
}

/// Row `i` as version 1 has it: a unique email, its number, a legacy value.
pub fn account(i: u64) -> Document {
    document(json!({
        "$id": row_id(i),
        EMAIL: email(i),
        "n": i,
        LEGACY: format!("old value {i}"),
    }))
}

/// The email of row `i`: unique to it.
fn email(i: u64) -> String {
    format!("user{i}@example.com")
}

/// The slug the step writes into a row: from its own email, so every row gets its own.
fn slug_of(row: &Row) -> Option<Document> {
    let email = row.0.get(EMAIL)?.as_str()?;
    let local = email.split('@').next().unwrap_or(email);
    Some(document(json!({ SLUG: format!("{local}-slug") })))
}

/// Version 2's step, built by hand as `#[migration]` would: fill `slug` where it is null, then
/// drop `legacy` (its values are written to JSONL first).
pub fn step() -> MigrationDef {
    MigrationDef::new(2, "fill slug, drop legacy", |m| {
        Box::pin(async move {
            m.rows(TABLE)
                .backfill(vec![Query::is_null(SLUG)], slug_of)
                .await?;
            m.drop_column(TABLE, LEGACY).await?;
            Ok(())
        })
    })
}

/// The migrator of version 2 with `options`.
pub fn migrator_v2(options: MigrateOptions) -> Migrator {
    Migrator::new([&schema_v2()], [step()]).with_options(options)
}

/// Database `id` of `server`, reached directly (not measured), migrated to version 1 and
/// holding rows `0..rows`; with `duplicates`, two more rows whose emails repeat rows 0 and 1.
pub async fn copy_at_v1(
    server: &Server,
    id: &str,
    rows: u64,
    duplicates: bool,
) -> BenchResult<Database> {
    let db = server.direct(id).await?;
    Migrator::new([&schema_v1()], []).run(&db).await?;
    fill(&db.rows(TABLE), rows).await?;
    if duplicates {
        let repeats: Vec<Document> = (0..2)
            .map(|i| {
                let mut row = account(rows + i);
                row.insert(EMAIL.into(), json!(email(i)));
                row
            })
            .collect();
        db.rows(TABLE).insert_many(&repeats).await?;
    }
    Ok(db)
}

/// Writes rows `0..n` with the library's bulk insert.
async fn fill(rows: &Rows, n: u64) -> BenchResult<()> {
    for batch in batches_of(n, account) {
        rows.insert_many(&batch).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_gets_its_own_slug() {
        let a = slug_of(&Row(account(1))).unwrap();
        let b = slug_of(&Row(account(2))).unwrap();
        assert_eq!(a[SLUG], json!("user1-slug"));
        assert_ne!(a, b);
    }

    #[test]
    fn version_two_drops_legacy_and_adds_slug() {
        assert!(schema_v1().find_column(LEGACY).is_some());
        assert!(schema_v2().find_column(LEGACY).is_none());
        assert!(schema_v2().find_column(SLUG).unwrap().required);
    }
}
