//! The last two phases of a restore: the relationship columns, created once every restored
//! table holds its rows, and then the rows' links, one request per row that has any.
//!
//! Appwrite refuses bulk writes on a table with relationship columns, so the rows go first
//! (in bulk) and the columns after them. Only parent sides are created: a two-way
//! relationship's twin comes with its parent and is never created on its own.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use super::error::BackupError;
use super::error::not_ready;
use super::jsonl::JsonlReader;
use super::relations;
use crate::api::Document;
use crate::ready;
use crate::schema::{TableSchema, limits};
use crate::{Database, Result};

/// The relationship columns a restore created, per table, and those it left out.
#[derive(Debug, Default)]
pub(super) struct CreatedColumns {
    keys: BTreeMap<String, Vec<String>>,
    /// `table.key → related`, for each column whose related table exists neither in the
    /// backup nor in the database.
    pub skipped: Vec<String>,
}

impl CreatedColumns {
    /// The relationship columns created on `table`.
    pub fn keys_of(&self, table: &str) -> &[String] {
        self.keys.get(table).map_or(&[], Vec::as_slice)
    }
}

/// Creates the parent-side relationship columns of `tables` whose related table is restored
/// too or exists in the database already (a column whose related table is missing is left
/// out, with its links, and reported), then waits until they and their twins are available.
pub(super) async fn create_columns(
    db: &Database,
    tables: &[&TableSchema],
    timeout: Duration,
) -> Result<CreatedColumns> {
    let restored: HashSet<&str> = tables.iter().map(|t| t.id.as_str()).collect();
    let mut created = CreatedColumns::default();
    // Per table, the columns to wait for: the parents and, on their related tables, the twins.
    let mut pending: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for schema in tables {
        for column in relations::parent_relations(schema) {
            let Some(rel) = relations::relationship_of(column) else {
                continue;
            };
            if !restored.contains(rel.related_table.as_str())
                && !table_exists(db, &rel.related_table).await?
            {
                tracing::warn!(table = %schema.id, column = %column.key, related = %rel.related_table,
                    "the related table does not exist: the relationship is not restored");
                created.skipped.push(format!(
                    "{}.{} → {}",
                    schema.id, column.key, rel.related_table
                ));
                continue;
            }
            db.backend()
                .create_column(db.id(), &schema.id, column)
                .await?;
            let mine = pending.entry(schema.id.clone()).or_default();
            mine.push(column.key.clone());
            if rel.two_way {
                let twin = rel.two_way_key.clone().unwrap_or_else(|| schema.id.clone());
                pending
                    .entry(rel.related_table.clone())
                    .or_default()
                    .push(twin);
            }
            created
                .keys
                .entry(schema.id.clone())
                .or_default()
                .push(column.key.clone());
        }
    }
    for (table, keys) in &pending {
        let live = db.backend().get_table(db.id(), table).await?;
        ready::wait(db, live, Some(keys), timeout, not_ready).await?;
    }
    Ok(created)
}

async fn table_exists(db: &Database, table: &str) -> Result<bool> {
    match db.backend().get_table(db.id(), table).await {
        Ok(_) => Ok(true),
        Err(e) if e.is_not_found() => Ok(false),
        Err(e) => Err(e),
    }
}

/// Sets the links of the rows of one JSONL file on the columns `restored`: one update per row
/// that links anything, with the row's `$updatedAt` so that it reads as backed up;
/// `in_flight` at once. Returns how many rows were updated.
pub(super) async fn set_links(
    db: &Database,
    schema: &TableSchema,
    path: &Path,
    restored: &[String],
    in_flight: usize,
) -> Result<u64> {
    let keys = relations::relationship_keys(schema);
    let mut reader = JsonlReader::open(path.to_owned()).await?;
    let mut linked = 0u64;
    loop {
        let batch = reader.next_batch(limits::MAX_BATCH).await?;
        if batch.is_empty() {
            return Ok(linked);
        }
        let updates: Vec<(String, Document)> = batch
            .into_iter()
            .filter_map(|row| link_update(row, &keys, restored))
            .collect();
        let mut sent = futures_util::stream::iter(updates)
            .map(|(id, data)| {
                let backend = Arc::clone(db.backend());
                let (database, table) = (db.id().to_owned(), schema.id.clone());
                async move {
                    let answer = backend
                        .update_row(&database, &table, &id, &data, None)
                        .await;
                    (id, answer)
                }
            })
            .buffer_unordered(in_flight.max(1));
        while let Some((id, answer)) = sent.next().await {
            if let Err(e) = answer {
                return Err(BackupError::LinkFailed {
                    table: schema.id.clone(),
                    row: id,
                    linked,
                    source: Box::new(e),
                }
                .into());
            }
            linked += 1;
        }
    }
}

/// The update that sets a backed-up row's links: its id and the data to send (the links and
/// the row's `$updatedAt`); `None` when it links nothing.
fn link_update(
    mut row: Document,
    keys: &[String],
    restored: &[String],
) -> Option<(String, Document)> {
    let mut data = relations::take_links(&mut row, keys, restored);
    if data.is_empty() {
        return None;
    }
    let id = row.get("$id")?.as_str()?.to_owned();
    if let Some(updated) = row.remove("$updatedAt") {
        data.insert("$updatedAt".to_owned(), updated);
    }
    Some((id, data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn a_row_is_linked_with_its_own_update_time() {
        let keys = ["author".to_owned(), "tags".to_owned()];
        let row = json!({"$id": "b1", "title": "x", "author": "a1", "tags": [],
            "$updatedAt": "2021-01-01T00:00:00.000+00:00"});
        let (id, data) =
            link_update(row.as_object().cloned().unwrap(), &keys, &keys).expect("links");
        assert_eq!(id, "b1");
        assert_eq!(
            Value::Object(data),
            json!({"author": "a1", "$updatedAt": "2021-01-01T00:00:00.000+00:00"})
        );
        let unlinked = json!({"$id": "b2", "author": null, "tags": []});
        assert!(link_update(unlinked.as_object().cloned().unwrap(), &keys, &keys).is_none());
    }
}
