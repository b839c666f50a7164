//! Counting with queries on the live rows, within a request budget: the I/O of lint.

use serde_json::Value;

use crate::api::{ListOptions, Row};
use crate::migrate::lint::LINT_EXAMPLES;
use crate::migrate::lint::checks::{Evidence, Probe, violates};
use crate::query::Query;
use crate::schema::ColumnSchema;
use crate::schema::limits::MAX_COUNT;
use crate::{Database, Result};

/// True for Appwrite's refusal of a query on an encrypted column (utopia-php/database's
/// `Validator/Query/Filter.php`), which no filter of a probe can avoid.
fn refuses_encrypted(error: &crate::Error) -> bool {
    matches!(error, crate::Error::Appwrite(e)
        if e.error_type == crate::api::types::GENERAL_QUERY_INVALID
            && e.message.contains("Cannot query encrypted attribute"))
}

/// Rows read per request by the scans.
pub(super) const PAGE: u64 = 100;

/// Counts rows for probes, each request taken from a budget shared by all of them.
pub(super) struct Prober<'d> {
    db: &'d Database,
    left: u64,
    spent: u64,
}

impl<'d> Prober<'d> {
    pub(super) fn new(db: &'d Database, budget: u64) -> Self {
        Self {
            db,
            left: budget,
            spent: 0,
        }
    }

    /// Requests spent so far.
    pub(super) fn spent(&self) -> u64 {
        self.spent
    }

    /// Takes one request from the budget; false when it is spent.
    pub(super) fn take(&mut self) -> bool {
        if self.left == 0 {
            return false;
        }
        self.left -= 1;
        self.spent += 1;
        true
    }

    /// One page of `table`'s rows (`total` asks the server to count the matches too); the
    /// caller has taken the request from the budget.
    pub(super) async fn list(
        &self,
        table: &str,
        queries: &[Query],
        total: bool,
    ) -> Result<(u64, Vec<Row>)> {
        let options = ListOptions {
            total,
            transaction_id: None,
        };
        let list = self
            .db
            .backend()
            .list_rows(self.db.id(), table, queries, &options)
            .await?;
        Ok((list.total, list.items))
    }

    /// What `probe` finds in `table`.
    pub(super) async fn run(&mut self, table: &str, probe: &Probe) -> Result<Evidence> {
        let found = match probe {
            Probe::Count(filters) => self.count(table, filters).await,
            Probe::Scan(column) => self.scan(table, column).await,
            Probe::Duplicates(columns) => self.duplicates(table, columns).await,
            Probe::Unfilled(lacking, fills) => self.unfilled(table, lacking, fills).await,
        };
        match found {
            Err(e) if refuses_encrypted(&e) => Ok(Evidence {
                encrypted: true,
                ..Evidence::default()
            }),
            other => other,
        }
    }

    /// One request: the total of the matches (capped by the server) and the first ids.
    pub(super) async fn count(&mut self, table: &str, filters: &[Query]) -> Result<Evidence> {
        if !self.take() {
            return Ok(Evidence::default());
        }
        let mut queries = filters.to_vec();
        queries.push(Query::limit(LINT_EXAMPLES as u64));
        let (total, rows) = self.list(table, &queries, true).await?;
        Ok(Evidence {
            rows: Some(total),
            // The server counts up to MAX_COUNT.
            at_least: total >= MAX_COUNT,
            examples: rows.iter().map(|r| r.id().to_owned()).collect(),
            values: Vec::new(),
            encrypted: false,
            fill: None,
        })
    }

    /// Reads `table`'s values of `column` page by page and counts those the new column refuses.
    async fn scan(&mut self, table: &str, column: &ColumnSchema) -> Result<Evidence> {
        let key = column.key.as_str();
        let mut evidence = Evidence::default();
        let mut cursor: Option<String> = None;
        loop {
            if !self.take() {
                evidence.at_least = true;
                return Ok(evidence);
            }
            let mut queries = vec![
                Query::is_not_null(key),
                Query::select([key]),
                Query::limit(PAGE),
            ];
            queries.extend(cursor.take().map(Query::cursor_after));
            let (_, rows) = self.list(table, &queries, false).await?;
            let count = evidence.rows.get_or_insert(0);
            for row in &rows {
                let value = row.0.get(key).unwrap_or(&Value::Null);
                if violates(column, value) {
                    *count += 1;
                    keep(&mut evidence.examples, row.id().to_owned());
                    keep(&mut evidence.values, value.clone());
                }
            }
            if (rows.len() as u64) < PAGE {
                return Ok(evidence);
            }
            cursor = rows.last().map(|r| r.id().to_owned());
        }
    }

    /// Reads `table` ordered by `columns` page by page; rows whose values equal their
    /// neighbour's are duplicates. Rows with a null among them are left out: a unique index
    /// accepts several nulls.
    async fn duplicates(&mut self, table: &str, columns: &[String]) -> Result<Evidence> {
        let mut evidence = Evidence::default();
        let mut group = Group::default();
        let mut cursor: Option<String> = None;
        loop {
            if !self.take() {
                evidence.at_least = true;
                group.close(&mut evidence);
                return Ok(evidence);
            }
            let mut queries: Vec<Query> = columns.iter().map(Query::is_not_null).collect();
            queries.extend(columns.iter().map(Query::order_asc));
            queries.push(Query::select(columns.iter().map(String::as_str)));
            queries.push(Query::limit(PAGE));
            queries.extend(cursor.take().map(Query::cursor_after));
            let (_, rows) = self.list(table, &queries, false).await?;
            evidence.rows.get_or_insert(0);
            for row in &rows {
                let values: Vec<Value> = columns
                    .iter()
                    .map(|c| row.0.get(c).cloned().unwrap_or(Value::Null))
                    .collect();
                if group.values != values {
                    group.close(&mut evidence);
                    group.values = values;
                }
                group.ids.push(row.id().to_owned());
            }
            if (rows.len() as u64) < PAGE {
                group.close(&mut evidence);
                return Ok(evidence);
            }
            cursor = rows.last().map(|r| r.id().to_owned());
        }
    }
}

/// Rows with the same values, read one after the other.
#[derive(Default)]
struct Group {
    values: Vec<Value>,
    ids: Vec<String>,
}

impl Group {
    /// Counts the group into `evidence` when more than one row shares its values; empties it.
    fn close(&mut self, evidence: &mut Evidence) {
        let ids = std::mem::take(&mut self.ids);
        if ids.len() < 2 {
            return;
        }
        *evidence.rows.get_or_insert(0) += ids.len() as u64;
        let value = match self.values.as_slice() {
            [one] => one.clone(),
            many => Value::Array(many.to_vec()),
        };
        keep(&mut evidence.values, value);
        for id in ids {
            keep(&mut evidence.examples, id);
        }
    }
}

/// Pushes `item` while fewer than [`LINT_EXAMPLES`] are kept.
pub(super) fn keep<T>(list: &mut Vec<T>, item: T) {
    if list.len() < LINT_EXAMPLES {
        list.push(item);
    }
}
