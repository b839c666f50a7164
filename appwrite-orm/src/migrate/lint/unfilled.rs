//! The rows that lack a value and stay empty after a version's step: counted with queries on
//! the live rows, within the prober's budget (the I/O behind [`Probe::Unfilled`]).
//!
//! One request counts the rows lacking a value. A step that writes nothing there leaves them
//! all. A bulk update's filters are counted over those rows (one request): matching them all,
//! it fills them all; matching some, their ids are read. When the step also fills rows one by
//! one, the ids of the rows lacking a value are read page by page and compared.
//!
//! [`Probe::Unfilled`]: super::checks::Probe::Unfilled

use std::collections::BTreeSet;

use crate::Result;
use crate::migrate::lint::checks::{Evidence, Fill};
use crate::migrate::lint::fills::StepFills;
use crate::migrate::lint::probe::{PAGE, Prober, keep};
use crate::query::Query;
use crate::schema::limits::MAX_COUNT;

/// Why the rows left empty are not all known, when the budget stopped the count.
const BUDGET_SPENT: &str = "the request budget ran out before the rows it fills were counted";

/// What one bulk write reaches among the rows lacking a value.
enum Reached {
    /// Every one of them.
    All,
    /// These.
    Ids(Vec<String>),
    /// Not known, and why (with the ids read before the budget ran out).
    Unknown(String, Vec<String>),
}

impl Prober<'_> {
    /// The rows of `table` matching `lacking` that the step (`fills`) leaves without a value:
    /// `rows` and `examples` are those rows, [`Evidence::fill`] says how many lacked one.
    pub(super) async fn unfilled(
        &mut self,
        table: &str,
        lacking: &[Query],
        fills: &StepFills,
    ) -> Result<Evidence> {
        let counted = self.count(table, lacking).await?;
        let mut fill = Fill {
            writes_column: fills.writes_column,
            unknown: fills.unknown.clone(),
            ..Fill::default()
        };
        let Some(lacking_now) = counted.rows else {
            fill.unknown.get_or_insert_with(|| BUDGET_SPENT.to_owned());
            return Ok(Evidence {
                fill: Some(fill),
                ..counted
            });
        };
        fill.lacking = lacking_now;
        fill.lacking_at_least = counted.at_least;
        if lacking_now == 0 || !fills.writes_column {
            return Ok(Evidence {
                fill: Some(fill),
                ..counted
            });
        }
        let mut filled: BTreeSet<String> = fills.ids.clone();
        for filters in &fills.bulk {
            match self.reached(table, lacking, filters, &counted).await? {
                Reached::All => {
                    fill.filled = lacking_now;
                    return Ok(Evidence {
                        rows: Some(0),
                        fill: Some(fill),
                        ..Evidence::default()
                    });
                }
                Reached::Ids(ids) => filled.extend(ids),
                Reached::Unknown(why, ids) => {
                    fill.unknown.get_or_insert(why);
                    filled.extend(ids);
                }
            }
        }
        if filled.is_empty() {
            // Nothing reaches these rows: all of them stay empty.
            return Ok(Evidence {
                fill: Some(fill),
                ..counted
            });
        }
        self.left_empty(table, lacking, &filled, fill).await
    }

    /// What the bulk write with `filters` reaches among the rows matching `lacking` (`counted`
    /// of them).
    async fn reached(
        &mut self,
        table: &str,
        lacking: &[Query],
        filters: &[Query],
        counted: &Evidence,
    ) -> Result<Reached> {
        let mut both = lacking.to_vec();
        both.extend(filters.iter().cloned());
        if !self.take() {
            return Ok(Reached::Unknown(BUDGET_SPENT.to_owned(), Vec::new()));
        }
        let mut queries = both.clone();
        queries.push(Query::limit(1));
        let total = match self.list(table, &queries, true).await {
            Ok((total, _)) => total,
            // A filter on a column the live table lacks (an earlier pending version creates or
            // renames it): the server refuses it, and what it reaches is not known here.
            Err(e) => {
                return Ok(Reached::Unknown(
                    format!(
                        "the filters of one of its bulk writes cannot be counted on the live rows ({e})"
                    ),
                    Vec::new(),
                ));
            }
        };
        if Some(total) == counted.rows && !counted.at_least && total < MAX_COUNT {
            return Ok(Reached::All);
        }
        if total == 0 {
            return Ok(Reached::Ids(Vec::new()));
        }
        let (ids, complete) = self.ids(table, &both).await?;
        Ok(if complete {
            Reached::Ids(ids)
        } else {
            Reached::Unknown(BUDGET_SPENT.to_owned(), ids)
        })
    }

    /// Reads the ids of the rows matching `lacking` and counts those not in `filled`.
    async fn left_empty(
        &mut self,
        table: &str,
        lacking: &[Query],
        filled: &BTreeSet<String>,
        mut fill: Fill,
    ) -> Result<Evidence> {
        let (ids, complete) = self.ids(table, lacking).await?;
        let mut examples = Vec::new();
        let mut empty = 0;
        for id in ids.iter().filter(|id| !filled.contains(*id)) {
            empty += 1;
            keep(&mut examples, id.clone());
        }
        if complete {
            // Every row was read: the count is exact, even past the server's counting cap.
            fill.lacking = ids.len() as u64;
            fill.lacking_at_least = false;
        } else {
            fill.unknown.get_or_insert_with(|| BUDGET_SPENT.to_owned());
        }
        fill.filled = ids.len() as u64 - empty;
        Ok(Evidence {
            rows: Some(empty),
            at_least: !complete,
            examples,
            fill: Some(fill),
            ..Evidence::default()
        })
    }

    /// The ids of the rows matching `filters`, page by page; false when the budget stopped the
    /// reading before the end.
    async fn ids(&mut self, table: &str, filters: &[Query]) -> Result<(Vec<String>, bool)> {
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            if !self.take() {
                return Ok((ids, false));
            }
            let mut queries = filters.to_vec();
            queries.push(Query::select(["$id"]));
            queries.push(Query::limit(PAGE));
            queries.extend(cursor.take().map(Query::cursor_after));
            let (_, rows) = self.list(table, &queries, false).await?;
            let full = rows.len() as u64 == PAGE;
            ids.extend(rows.iter().map(|r| r.id().to_owned()));
            if !full {
                return Ok((ids, true));
            }
            cursor = ids.last().cloned();
        }
    }
}
