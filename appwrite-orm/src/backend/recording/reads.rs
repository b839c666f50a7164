//! The recorder's reads: tables and rows as the simulated schema shows them (see the
//! [recorder](super)'s docs). I/O goes to the wrapped backend; what the simulation changes is
//! decided by [`SimulatedSchema`](super::schema::SimulatedSchema) and [`overlay`](super::overlay).

use super::RecordingBackend;
use super::overlay::{self, Rewritten, Undecidable};
use super::schema::{Rows, Seen};
use crate::api::error::{self, types};
use crate::api::{AppwriteError, Request, Response, listing};
use crate::backend::{List, ListOptions, Row, Table, misrouted};
use crate::query::{Query, QueryClass};
use crate::schema::limits;
use crate::{Error, Result};

impl RecordingBackend {
    /// Answers a read of tables, columns or indexes from the tables as seen.
    pub(super) async fn schema_read(&self, request: Request<'_>) -> Result<Response> {
        use Request as R;
        Ok(match request {
            R::GetTable { database, table } => {
                Response::Table(self.table_as_seen(database, table).await?)
            }
            R::ListTables { database, queries } => {
                Response::Tables(self.tables_as_seen(database, queries).await?)
            }
            R::GetColumn {
                database,
                table,
                key,
            } => {
                let seen = self.table_as_seen(database, table).await?;
                let column = seen.column(key).cloned();
                Response::Column(column.ok_or_else(error::column_not_found)?)
            }
            R::ListColumns { database, table } => {
                let columns = self.table_as_seen(database, table).await?.columns;
                Response::Columns(whole_list(columns))
            }
            R::GetIndex {
                database,
                table,
                key,
            } => {
                let seen = self.table_as_seen(database, table).await?;
                let index = seen.index(key).cloned();
                Response::Index(index.ok_or_else(error::index_not_found)?)
            }
            R::ListIndexes { database, table } => {
                let indexes = self.table_as_seen(database, table).await?.indexes;
                Response::Indexes(whole_list(indexes))
            }
            other => return Err(misrouted(other)),
        })
    }

    /// `table` as the simulation sees it: created by it, deleted (not found), or the live table
    /// with the recorded changes.
    pub(super) async fn table_as_seen(&self, database: &str, table: &str) -> Result<Table> {
        let seen = super::lock(&self.schema).seen(database, table);
        match seen {
            Seen::Deleted => Err(error::table_not_found().into()),
            Seen::Created(created) => Ok(created),
            Seen::Live => {
                let live = self.inner.get_table(database, table).await?;
                Ok(super::lock(&self.schema).present(database, live))
            }
        }
    }

    /// A page of the tables of `database` as the simulation sees them: the live page with the
    /// recorded changes and without the deleted tables; the page that ends the live list (one
    /// shorter than its limit) also lists the tables the simulation created that its filters
    /// match. A page after a created table lists the created tables after it.
    async fn tables_as_seen(&self, database: &str, queries: &[Query]) -> Result<List<Table>> {
        let created = self.created_tables(database, queries)?;
        let after_created = queries.iter().find_map(|q| match q {
            Query::CursorAfter(id) => created.iter().position(|t| &t.id == id),
            _ => None,
        });
        if let Some(position) = after_created {
            return Ok(List {
                total: created.len() as u64,
                items: created.into_iter().skip(position + 1).collect(),
            });
        }
        let live = match self.inner.list_tables(database, queries).await {
            Ok(live) => live,
            // A database only the simulation created has only the tables it created.
            Err(e) if e.error_type() == Some(types::DATABASE_NOT_FOUND) && !created.is_empty() => {
                List {
                    total: 0,
                    items: Vec::new(),
                }
            }
            Err(e) => return Err(e),
        };
        let limit = queries
            .iter()
            .find_map(|q| match q {
                Query::Limit(n) => Some(*n),
                _ => None,
            })
            .unwrap_or(limits::DEFAULT_LIMIT);
        let last_page = (live.items.len() as u64) < limit;
        let schema = super::lock(&self.schema);
        let mut items: Vec<Table> = live
            .items
            .into_iter()
            .filter(|t| schema.seen(database, &t.id) == Seen::Live)
            .map(|t| schema.present(database, t))
            .collect();
        let total = live.total + created.len() as u64;
        if last_page {
            items.extend(created);
        }
        Ok(List { total, items })
    }

    /// The tables the simulation created in `database` that the filters of `queries` match.
    fn created_tables(&self, database: &str, queries: &[Query]) -> Result<Vec<Table>> {
        let created = super::lock(&self.schema).created_tables(database);
        if created.is_empty() {
            return Ok(created);
        }
        let mut filters: Vec<Query> = queries
            .iter()
            .filter(|q| q.class() == QueryClass::Filter)
            .cloned()
            .collect();
        filters.push(Query::limit(created.len() as u64));
        let matching = listing::page_by(created, Table::to_json, &filters, listing::TABLES, false)?;
        Ok(matching.items)
    }

    /// `get_row` as the simulation answers it; see [`overlay`].
    pub(super) async fn read_row(
        &self,
        database: &str,
        table: &str,
        row_id: &str,
        queries: &[Query],
    ) -> Result<Row> {
        let rows = super::lock(&self.schema).rows(database, table);
        let simulated = match rows {
            Rows::None => return Err(error::row_not_found().into()),
            Rows::Live(simulated) if simulated.is_empty() => {
                return self.inner.get_row(database, table, row_id, queries).await;
            }
            Rows::Live(simulated) => simulated,
        };
        match overlay::rewrite(queries, &simulated).map_err(refused)? {
            Rewritten::NoMatch => Err(error::row_not_found().into()),
            Rewritten::Send {
                queries,
                completion,
            } => {
                let mut row = self
                    .inner
                    .get_row(database, table, row_id, &queries)
                    .await?;
                overlay::complete(&mut row, &completion);
                Ok(row)
            }
        }
    }

    /// `list_rows` as the simulation answers it; see [`overlay`].
    pub(super) async fn read_rows(
        &self,
        database: &str,
        table: &str,
        queries: &[Query],
        options: &ListOptions,
    ) -> Result<List<Row>> {
        let rows = super::lock(&self.schema).rows(database, table);
        let simulated = match rows {
            Rows::None => return Ok(no_rows()),
            Rows::Live(simulated) if simulated.is_empty() => {
                return self
                    .inner
                    .list_rows(database, table, queries, options)
                    .await;
            }
            Rows::Live(simulated) => simulated,
        };
        match overlay::rewrite(queries, &simulated).map_err(refused)? {
            Rewritten::NoMatch => Ok(no_rows()),
            Rewritten::Send {
                queries,
                completion,
            } => {
                let mut list = self
                    .inner
                    .list_rows(database, table, &queries, options)
                    .await?;
                for row in &mut list.items {
                    overlay::complete(row, &completion);
                }
                Ok(list)
            }
        }
    }

    /// True when `queries` match every existing row of `table` once what names the columns
    /// only the simulation created is decided: no filter, limit or cursor is left.
    pub(super) fn matches_every_row(&self, database: &str, table: &str, queries: &[Query]) -> bool {
        let Rows::Live(simulated) = super::lock(&self.schema).rows(database, table) else {
            return false;
        };
        matches!(
            overlay::rewrite(queries, &simulated),
            Ok(Rewritten::Send { queries, .. }) if queries.is_empty()
        )
    }
}

fn no_rows() -> List<Row> {
    List {
        total: 0,
        items: Vec::new(),
    }
}

/// Every item in one page.
fn whole_list<T>(items: Vec<T>) -> List<T> {
    List {
        total: items.len() as u64,
        items,
    }
}

/// A query the simulation cannot decide, refused as the server refuses a query it cannot run.
fn refused(undecidable: Undecidable) -> Error {
    AppwriteError::new(
        400,
        types::GENERAL_QUERY_INVALID,
        format!("Invalid query: {}", undecidable.0),
    )
    .into()
}
