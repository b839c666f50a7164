//! Paging of the meta lists (databases, tables, columns, indexes, transactions): the filters
//! and orders Appwrite allows on each list's attributes, `limit`, `offset` and cursors, over
//! items in their JSON models. Row lists are not paged here: their queries go to the engine.
//!
//! Appwrite keeps these resources as documents of its own database, so their lists follow the
//! rules of any document list (utopia-php/database `find`): every `orderAsc`/`orderDesc` counts,
//! the first one is the primary key and each later one breaks the ties of those before it;
//! what is still tied keeps creation order (the appended `$sequence` tie-breaker).

use std::cmp::Ordering;

use serde_json::Value;

use super::error::{AppwriteError, types};
use super::models::List;
use crate::query::Query;
use crate::schema::limits;

/// What a list allows.
#[derive(Debug, Clone, Copy)]
pub struct ListSpec {
    /// The key naming an item in cursors (`$id` or `key`).
    pub id_key: &'static str,
    /// Attributes that filters and orders may name.
    pub attributes: &'static [&'static str],
}

/// `GET /tablesdb`.
pub const DATABASES: ListSpec = ListSpec {
    id_key: "$id",
    attributes: &["name", "$id", "$createdAt", "$updatedAt"],
};
/// `GET …/tables`.
pub const TABLES: ListSpec = ListSpec {
    id_key: "$id",
    attributes: &[
        "name",
        "enabled",
        "rowSecurity",
        "$id",
        "$createdAt",
        "$updatedAt",
    ],
};
/// `GET …/columns`.
pub const COLUMNS: ListSpec = ListSpec {
    id_key: "key",
    attributes: &[
        "key", "type", "size", "required", "array", "status", "error",
    ],
};
/// `GET …/indexes`.
pub const INDEXES: ListSpec = ListSpec {
    id_key: "key",
    attributes: &["key", "type", "status", "error", "attributes", "columns"],
};
/// `GET /tablesdb/transactions`.
pub const TRANSACTIONS: ListSpec = ListSpec {
    id_key: "$id",
    attributes: &["status", "expiresAt", "$id", "$createdAt", "$updatedAt"],
};

/// Applies `queries` to JSON `items` (in creation order): the page, and the total of matches
/// (0 when not `count`ed, capped at Appwrite's 5,000).
pub fn page(
    items: Vec<Value>,
    queries: &[Query],
    spec: ListSpec,
    count: bool,
) -> Result<List<Value>, AppwriteError> {
    page_by(items, |item| item.clone(), queries, spec, count)
}

/// [`page`] over any items, each seen through its JSON model `json`.
pub fn page_by<T>(
    items: Vec<T>,
    json: impl Fn(&T) -> Value,
    queries: &[Query],
    spec: ListSpec,
    count: bool,
) -> Result<List<T>, AppwriteError> {
    let plan = Plan::read(queries, spec)?;
    let mut matching: Vec<(T, Value)> = items
        .into_iter()
        .map(|item| {
            let model = json(&item);
            (item, model)
        })
        .filter(|(_, model)| plan.filters.iter().all(|f| matches(f, model) == Some(true)))
        .collect();
    let total = if count {
        (matching.len() as u64).min(limits::MAX_COUNT)
    } else {
        0
    };
    // A stable sort: items tied on every order keep creation order.
    matching.sort_by(|(_, a), (_, b)| plan.compare(a, b));
    let window = plan.window(&matching, spec)?;
    let items = matching
        .into_iter()
        .skip(window.start)
        .take(window.len())
        .map(|(item, _)| item)
        .collect();
    Ok(List { total, items })
}

/// The queries of one list request, sorted by what they do.
struct Plan<'q> {
    filters: Vec<&'q Query>,
    /// Attribute and direction (`true` ascending), primary first.
    orders: Vec<(&'q str, bool)>,
    limit: usize,
    offset: usize,
    /// Cursor id, and whether the page comes after it.
    cursor: Option<(&'q str, bool)>,
}

impl<'q> Plan<'q> {
    fn read(queries: &'q [Query], spec: ListSpec) -> Result<Self, AppwriteError> {
        let mut plan = Plan {
            filters: Vec::new(),
            orders: Vec::new(),
            limit: to_usize(limits::DEFAULT_LIMIT),
            offset: 0,
            cursor: None,
        };
        for q in queries {
            match q {
                Query::Limit(n) => plan.limit = to_usize(*n),
                Query::Offset(n) => plan.offset = to_usize(*n),
                Query::CursorAfter(id) => plan.cursor = Some((id, true)),
                Query::CursorBefore(id) => plan.cursor = Some((id, false)),
                Query::OrderAsc { attribute } => plan.orders.push((check(attribute, spec)?, true)),
                Query::OrderDesc { attribute } => {
                    plan.orders.push((check(attribute, spec)?, false));
                }
                Query::Select { .. } => {}
                Query::OrderRandom => {
                    return Err(invalid("orderRandom is not allowed on this list"));
                }
                filter => {
                    check_filter(filter, spec)?;
                    plan.filters.push(filter);
                }
            }
        }
        Ok(plan)
    }

    /// Every order in turn; the first that tells the items apart decides.
    fn compare(&self, a: &Value, b: &Value) -> Ordering {
        self.orders
            .iter()
            .map(|(attribute, asc)| {
                let ord = compare(a.get(*attribute), b.get(*attribute));
                if *asc { ord } else { ord.reverse() }
            })
            .find(|ord| *ord != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    }

    /// The positions of the page in the sorted matches. Before a cursor, `offset` counts back
    /// from it and the page is the `limit` items just before that point.
    fn window<T>(
        &self,
        sorted: &[(T, Value)],
        spec: ListSpec,
    ) -> Result<std::ops::Range<usize>, AppwriteError> {
        let Some((id, after)) = self.cursor else {
            let start = self.offset.min(sorted.len());
            return Ok(start..start.saturating_add(self.limit).min(sorted.len()));
        };
        let Some(pos) = sorted
            .iter()
            .position(|(_, model)| model.get(spec.id_key).and_then(Value::as_str) == Some(id))
        else {
            return Err(AppwriteError::new(
                400,
                types::GENERAL_CURSOR_NOT_FOUND,
                format!("Cursor '{id}' not found."),
            ));
        };
        if after {
            let start = pos.saturating_add(1).saturating_add(self.offset);
            let start = start.min(sorted.len());
            Ok(start..start.saturating_add(self.limit).min(sorted.len()))
        } else {
            let end = pos.saturating_sub(self.offset);
            Ok(end.saturating_sub(self.limit)..end)
        }
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn invalid(message: impl std::fmt::Display) -> AppwriteError {
    AppwriteError::new(
        400,
        types::GENERAL_QUERY_INVALID,
        format!("Invalid query: {message}"),
    )
}

fn check(attribute: &str, spec: ListSpec) -> Result<&str, AppwriteError> {
    if spec.attributes.contains(&attribute) {
        Ok(attribute)
    } else {
        Err(invalid(format!(
            "Attribute not found in schema: {attribute}"
        )))
    }
}

fn check_filter(query: &Query, spec: ListSpec) -> Result<(), AppwriteError> {
    match query {
        Query::And(qs) | Query::Or(qs) => qs.iter().try_for_each(|q| check_filter(q, spec)),
        // The filters a meta list takes are those `matches` can evaluate.
        _ if matches(query, &Value::Null).is_some() => {
            check(query.attribute().unwrap_or_default(), spec).map(drop)
        }
        other => Err(invalid(format!(
            "Query method {} is not supported on this list",
            other.method()
        ))),
    }
}

/// Whether `item` passes filter `query`; `None` for a method meta lists do not take.
pub(crate) fn matches(query: &Query, item: &Value) -> Option<bool> {
    let field = |a: &str| item.get(a).filter(|v| !v.is_null());
    let cmp = |a: &str, v: &Value| field(a).map(|f| compare(Some(f), Some(v)));
    let text = |a: &str| field(a).and_then(Value::as_str);
    let each =
        |qs: &[Query]| -> Option<Vec<bool>> { qs.iter().map(|q| matches(q, item)).collect() };
    Some(match query {
        Query::And(qs) => each(qs)?.into_iter().all(|m| m),
        Query::Or(qs) => each(qs)?.into_iter().any(|m| m),
        Query::Equal { attribute, values } => values
            .iter()
            .any(|v| cmp(attribute, v) == Some(Ordering::Equal)),
        Query::NotEqual { attribute, value } => {
            cmp(attribute, value).is_some_and(|o| o != Ordering::Equal)
        }
        Query::LessThan { attribute, value } => cmp(attribute, value) == Some(Ordering::Less),
        Query::LessThanEqual { attribute, value } => {
            cmp(attribute, value).is_some_and(|o| o != Ordering::Greater)
        }
        Query::GreaterThan { attribute, value } => cmp(attribute, value) == Some(Ordering::Greater),
        Query::GreaterThanEqual { attribute, value } => {
            cmp(attribute, value).is_some_and(|o| o != Ordering::Less)
        }
        Query::Between {
            attribute,
            start,
            end,
        } => {
            cmp(attribute, start).is_some_and(|o| o != Ordering::Less)
                && cmp(attribute, end).is_some_and(|o| o != Ordering::Greater)
        }
        Query::StartsWith { attribute, value } => text(attribute)
            .zip(value.as_str())
            .is_some_and(|(f, v)| f.starts_with(v)),
        Query::EndsWith { attribute, value } => text(attribute)
            .zip(value.as_str())
            .is_some_and(|(f, v)| f.ends_with(v)),
        Query::Contains { attribute, values } => match field(attribute) {
            Some(Value::Array(items)) => values.iter().any(|v| items.contains(v)),
            Some(Value::String(s)) => values
                .iter()
                .filter_map(Value::as_str)
                .any(|v| s.contains(v)),
            _ => false,
        },
        Query::IsNull { attribute } => field(attribute).is_none(),
        Query::IsNotNull { attribute } => field(attribute).is_some(),
        _ => return None,
    })
}

/// Orders JSON values: null first, then booleans, numbers, strings.
fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn rank(v: Option<&Value>) -> u8 {
        match v {
            None | Some(Value::Null) => 0,
            Some(Value::Bool(_)) => 1,
            Some(Value::Number(_)) => 2,
            Some(Value::String(_)) => 3,
            Some(_) => 4,
        }
    }
    match (a, b) {
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(Value::Number(x)), Some(Value::Number(y))) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => {
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                x.partial_cmp(&y).unwrap_or(Ordering::Equal)
            }
        },
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn items() -> Vec<Value> {
        (1..=5)
            .map(|i| json!({"$id": format!("d{i}"), "name": format!("n{}", 6 - i)}))
            .collect()
    }

    /// The ids of the page `queries` select from [`items`].
    fn ids(queries: &[Query]) -> Vec<String> {
        page(items(), queries, DATABASES, true)
            .unwrap()
            .items
            .iter()
            .map(|v| v["$id"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn limit_offset_cursor() {
        let list = page(
            items(),
            &[Query::limit(2), Query::offset(1)],
            DATABASES,
            true,
        )
        .unwrap();
        assert_eq!(list.total, 5);
        assert_eq!(ids(&[Query::limit(2), Query::offset(1)]), ["d2", "d3"]);
        assert_eq!(
            ids(&[Query::cursor_after("d2"), Query::limit(2)]),
            ["d3", "d4"]
        );
        assert_eq!(
            ids(&[Query::cursor_before("d4"), Query::limit(2)]),
            ["d2", "d3"]
        );
        assert!(page(items(), &[Query::cursor_after("nope")], DATABASES, true).is_err());
    }

    #[test]
    fn filters_and_orders() {
        let queries = [Query::equal("name", ["n1", "n2"]), Query::order_asc("name")];
        let list = page(items(), &queries, DATABASES, false).unwrap();
        assert_eq!(list.total, 0);
        assert_eq!(ids(&queries), ["d5", "d4"]);
        assert!(page(items(), &[Query::equal("secret", ["x"])], DATABASES, true).is_err());
        assert!(page(items(), &[Query::search("name", "x")], DATABASES, true).is_err());
    }

    #[test]
    fn later_orders_break_the_ties_of_earlier_ones() {
        let tied: Vec<Value> = [("a", "x"), ("b", "y"), ("c", "x"), ("d", "y")]
            .iter()
            .map(|(id, name)| json!({"$id": id, "name": name}))
            .collect();
        let queries = [Query::order_asc("name"), Query::order_desc("$id")];
        let list = page(tied, &queries, DATABASES, true).unwrap();
        let ids: Vec<&str> = list
            .items
            .iter()
            .map(|v| v["$id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["c", "a", "d", "b"]);
    }
}
