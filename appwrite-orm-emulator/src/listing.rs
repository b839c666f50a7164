//! Paging of the meta lists (databases, tables, columns, indexes, transactions) in the
//! emulator: filters and orders on the attributes Appwrite allows for each list, `limit`,
//! `offset` and cursors. Row lists are not paged here: their queries go to the engine.

use std::cmp::Ordering;

use appwrite_orm::error::types;
use appwrite_orm::query::Query;
use appwrite_orm::schema::limits;
use serde_json::Value;

use crate::errors::{ApiError, ApiResult};

/// What a list allows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListSpec {
    /// The key naming an item in cursors (`$id` or `key`).
    pub(crate) id_key: &'static str,
    /// Attributes that filters and orders may name.
    pub(crate) attributes: &'static [&'static str],
}

/// `GET /tablesdb`: filters on `name`.
pub(crate) const DATABASES: ListSpec = ListSpec {
    id_key: "$id",
    attributes: &["name", "$id", "$createdAt", "$updatedAt"],
};
/// `GET …/tables`.
pub(crate) const TABLES: ListSpec = ListSpec {
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
pub(crate) const COLUMNS: ListSpec = ListSpec {
    id_key: "key",
    attributes: &[
        "key", "type", "size", "required", "array", "status", "error",
    ],
};
/// `GET …/indexes`.
pub(crate) const INDEXES: ListSpec = ListSpec {
    id_key: "key",
    attributes: &["key", "type", "status", "error", "attributes", "columns"],
};
/// `GET /tablesdb/transactions`.
pub(crate) const TRANSACTIONS: ListSpec = ListSpec {
    id_key: "$id",
    attributes: &["status", "expiresAt", "$id", "$createdAt", "$updatedAt"],
};

fn invalid(message: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        400,
        types::GENERAL_QUERY_INVALID,
        format!("Invalid query: {message}"),
    )
}

/// Applies `queries` to `items` (in creation order): the total of matches (0 when not
/// `count`ed, capped at 5,000) and the page.
pub(crate) fn page(
    items: Vec<Value>,
    queries: &[Query],
    spec: ListSpec,
    count: bool,
) -> ApiResult<(u64, Vec<Value>)> {
    let mut filters = Vec::new();
    let mut orders: Vec<(&str, bool)> = Vec::new();
    let mut limit = limits::DEFAULT_LIMIT;
    let mut offset = 0u64;
    let mut cursor: Option<(&str, bool)> = None;
    for q in queries {
        match q {
            Query::Limit(n) => limit = *n,
            Query::Offset(n) => offset = *n,
            Query::CursorAfter(id) => cursor = Some((id, true)),
            Query::CursorBefore(id) => cursor = Some((id, false)),
            Query::OrderAsc { attribute } => orders.push((check(attribute, spec)?, true)),
            Query::OrderDesc { attribute } => orders.push((check(attribute, spec)?, false)),
            Query::Select { .. } => {}
            Query::OrderRandom => return Err(invalid("orderRandom is not allowed on this list")),
            filter => {
                check_filter(filter, spec)?;
                filters.push(filter);
            }
        }
    }
    let mut matching: Vec<Value> = items
        .into_iter()
        .filter(|item| filters.iter().all(|f| matches(f, item)))
        .collect();
    let total = if count {
        (matching.len() as u64).min(limits::MAX_COUNT)
    } else {
        0
    };
    if !orders.is_empty() {
        matching.sort_by(|a, b| {
            for (attribute, asc) in &orders {
                let ord = compare(a.get(*attribute), b.get(*attribute));
                let ord = if *asc { ord } else { ord.reverse() };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        });
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    let page = match cursor {
        None => matching.into_iter().skip(offset).take(limit).collect(),
        Some((id, after)) => {
            let Some(pos) = matching
                .iter()
                .position(|item| item.get(spec.id_key).and_then(Value::as_str) == Some(id))
            else {
                return Err(ApiError::new(
                    400,
                    types::GENERAL_CURSOR_NOT_FOUND,
                    format!("Cursor '{id}' not found."),
                ));
            };
            if after {
                matching
                    .into_iter()
                    .skip(pos + 1)
                    .skip(offset)
                    .take(limit)
                    .collect()
            } else {
                let end = pos.saturating_sub(offset);
                let start = end.saturating_sub(limit);
                matching.into_iter().skip(start).take(end - start).collect()
            }
        }
    };
    Ok((total, page))
}

fn check(attribute: &str, spec: ListSpec) -> ApiResult<&str> {
    if spec.attributes.contains(&attribute) {
        Ok(attribute)
    } else {
        Err(invalid(format!(
            "Attribute not found in schema: {attribute}"
        )))
    }
}

fn check_filter(query: &Query, spec: ListSpec) -> ApiResult<()> {
    match query {
        Query::And(qs) | Query::Or(qs) => qs.iter().try_for_each(|q| check_filter(q, spec)),
        Query::Equal { attribute, .. }
        | Query::NotEqual { attribute, .. }
        | Query::LessThan { attribute, .. }
        | Query::LessThanEqual { attribute, .. }
        | Query::GreaterThan { attribute, .. }
        | Query::GreaterThanEqual { attribute, .. }
        | Query::Between { attribute, .. }
        | Query::StartsWith { attribute, .. }
        | Query::EndsWith { attribute, .. }
        | Query::Contains { attribute, .. }
        | Query::IsNull { attribute }
        | Query::IsNotNull { attribute } => check(attribute, spec).map(drop),
        other => Err(invalid(format!(
            "Query method {} is not supported on this list",
            other.method()
        ))),
    }
}

fn matches(query: &Query, item: &Value) -> bool {
    let field = |a: &str| item.get(a).filter(|v| !v.is_null());
    let cmp = |a: &str, v: &Value| field(a).map(|f| compare(Some(f), Some(v)));
    match query {
        Query::And(qs) => qs.iter().all(|q| matches(q, item)),
        Query::Or(qs) => qs.iter().any(|q| matches(q, item)),
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
        Query::StartsWith { attribute, value } => text(field(attribute))
            .zip(value.as_str())
            .is_some_and(|(f, v)| f.starts_with(v)),
        Query::EndsWith { attribute, value } => text(field(attribute))
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
        _ => true,
    }
}

fn text(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
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

    fn ids(page: &[Value]) -> Vec<&str> {
        page.iter().map(|v| v["$id"].as_str().unwrap()).collect()
    }

    #[test]
    fn limit_offset_cursor() {
        let (total, p) = page(
            items(),
            &[Query::limit(2), Query::offset(1)],
            DATABASES,
            true,
        )
        .unwrap();
        assert_eq!(total, 5);
        assert_eq!(ids(&p), ["d2", "d3"]);
        let (_, p) = page(
            items(),
            &[Query::cursor_after("d2"), Query::limit(2)],
            DATABASES,
            true,
        )
        .unwrap();
        assert_eq!(ids(&p), ["d3", "d4"]);
        let (_, p) = page(
            items(),
            &[Query::cursor_before("d4"), Query::limit(2)],
            DATABASES,
            true,
        )
        .unwrap();
        assert_eq!(ids(&p), ["d2", "d3"]);
        assert!(page(items(), &[Query::cursor_after("nope")], DATABASES, true).is_err());
    }

    #[test]
    fn filters_and_orders() {
        let (total, p) = page(
            items(),
            &[Query::equal("name", ["n1", "n2"]), Query::order_asc("name")],
            DATABASES,
            false,
        )
        .unwrap();
        assert_eq!(total, 0);
        assert_eq!(ids(&p), ["d5", "d4"]);
        assert!(page(items(), &[Query::equal("secret", ["x"])], DATABASES, true).is_err());
        assert!(page(items(), &[Query::search("name", "x")], DATABASES, true).is_err());
    }
}
