//! Reading rows: Appwrite queries translated to SQL with Appwrite's semantics (MariaDB adapter).
//!
//! - `equal` with several values is `IN`; `notEqual` and the `not*` filters leave rows holding
//!   null out, as SQL comparisons do on MariaDB;
//! - `contains` is a substring match on strings and an any-element match on arrays;
//! - `search` needs an available fulltext index on exactly that column and matches words;
//! - `regex` matches string columns with the `regex` crate (see `pattern`); `elemMatch` is
//!   refused, as Appwrite refuses it on every schema-full table;
//! - explicit orders come first, then `$sequence` ascending as the tie-breaker; nulls sort first
//!   ascending and last descending (SQLite and MariaDB agree);
//! - cursors compare the whole order tuple; `cursorBefore` returns the page just before the
//!   cursor row, in the requested order;
//! - filters on spatial columns, and the spatial methods, are compiled by `spatial_filter`.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use serde_json::{Map, Value, json};

use super::catalog::{Session, TableMeta, quote};
use super::codec;
use super::errors;
use super::pattern;
use super::relations;
use super::spatial_filter;
use crate::api::{AppwriteError, types};
use crate::backend::Row;
use crate::query::{Query, QueryClass};
use crate::schema::{ColumnKind, ColumnSchema, limits, value::normalize_datetime};
use crate::{Error, Result};

/// A list request compiled against one table.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// `WHERE` condition (without the cursor), `1` when there is no filter.
    pub condition: String,
    /// Parameters of `condition`.
    pub params: Vec<SqlValue>,
    orders: Vec<(String, bool)>,
    random: bool,
    limit: Option<u64>,
    offset: u64,
    cursor: Option<(String, bool)>,
    select: Option<Vec<String>>,
}

/// Compiles queries for a table; any invalid query is `general_query_invalid`.
pub(super) fn plan(conn: &Session, meta: &TableMeta, queries: &[Query]) -> Result<Plan> {
    // Appwrite validates the `queries` parameter as a list of at most 100 strings of at most
    // 4,096 characters each, before parsing them.
    if queries.len() > limits::MAX_QUERIES
        || queries
            .iter()
            .any(|q| q.to_wire().chars().count() > limits::MAX_QUERY_LENGTH)
    {
        return errors::argument(
            "queries",
            "Value must a valid array no longer than 100 items and Value must be a valid string and at least 1 chars and no longer than 4096 chars",
        );
    }
    let mut plan = Plan::default();
    let mut conditions = Vec::new();
    for query in queries {
        match query.class() {
            QueryClass::Filter => conditions.push(filter(conn, meta, query, &mut plan.params)?),
            QueryClass::Select => {
                if let Query::Select { attributes } = query {
                    let attributes = check_select(meta, attributes)?;
                    relations::Selection::parse(Some(&attributes)).check(meta)?;
                    plan.select = Some(attributes);
                }
            }
            QueryClass::Order => match query {
                Query::OrderRandom => plan.random = true,
                Query::OrderAsc { attribute } => {
                    plan.orders.push((resolve(meta, attribute)?.sql, false))
                }
                Query::OrderDesc { attribute } => {
                    plan.orders.push((resolve(meta, attribute)?.sql, true))
                }
                _ => {}
            },
            QueryClass::Limit => {
                if let Query::Limit(n) = query {
                    if *n == 0 {
                        return Err(errors::query_invalid(
                            "Invalid limit: Value must be a valid range between 1 and 9,223,372,036,854,775,807",
                        ));
                    }
                    plan.limit = Some(*n);
                }
            }
            QueryClass::Offset => {
                if let Query::Offset(n) = query {
                    plan.offset = *n;
                }
            }
            QueryClass::Cursor => match query {
                Query::CursorAfter(id) => plan.cursor = Some((id.clone(), false)),
                Query::CursorBefore(id) => plan.cursor = Some((id.clone(), true)),
                _ => {}
            },
        }
    }
    if plan.random && plan.cursor.is_some() {
        return Err(errors::query_invalid(
            "Cursor pagination is not supported with random order",
        ));
    }
    plan.condition = if conditions.is_empty() {
        "1".to_owned()
    } else {
        conditions.join(" AND ")
    };
    Ok(plan)
}

impl Plan {
    /// The columns a `select` asked for, if any.
    pub fn selected(&self) -> Option<&[String]> {
        self.select.as_deref()
    }

    /// What the `select` asks of relationships.
    pub fn selection(&self) -> relations::Selection {
        relations::Selection::parse(self.selected())
    }
}

/// Runs a compiled plan and returns one page of rows.
pub(super) fn fetch(conn: &Connection, meta: &TableMeta, plan: &Plan) -> Result<Vec<Row>> {
    let (sql, params, before) = list_sql(conn, meta, plan)?;
    let mut rows = read_rows(conn, meta, &sql, &params, plan.select.as_deref())?;
    if before {
        rows.reverse();
    }
    Ok(rows)
}

/// SQLite's query plan for a compiled list, one line per step.
pub(super) fn explain(conn: &Connection, meta: &TableMeta, plan: &Plan) -> Result<Vec<String>> {
    let (sql, params, _) = list_sql(conn, meta, plan)?;
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let lines = stmt.query_map(params_from_iter(params.iter()), |r| r.get::<_, String>(3))?;
    Ok(lines.collect::<rusqlite::Result<_>>()?)
}

/// The SQL of one page: statement, parameters, and whether the page must be reversed
/// (`cursorBefore` walks backwards).
fn list_sql(
    conn: &Connection,
    meta: &TableMeta,
    plan: &Plan,
) -> Result<(String, Vec<SqlValue>, bool)> {
    let mut params = plan.params.clone();
    let mut condition = plan.condition.clone();
    let before = matches!(plan.cursor, Some((_, true)));
    let mut orders = plan.orders.clone();
    let tie_broken = orders.iter().any(|(sql, _)| sql == "_seq" || sql == "_uid");
    if !tie_broken {
        orders.push(("_seq".to_owned(), false));
    }
    if let Some((cursor_id, before)) = &plan.cursor {
        condition = format!(
            "({condition}) AND {}",
            cursor_condition(conn, meta, &orders, cursor_id, *before, &mut params)?
        );
    }
    let order_sql = if plan.random {
        "random()".to_owned()
    } else {
        orders
            .iter()
            .map(|(sql, desc)| {
                let desc = *desc != before;
                format!("{sql} {}", if desc { "DESC" } else { "ASC" })
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let limit = plan.limit.unwrap_or(limits::DEFAULT_LIMIT);
    let sql = format!(
        "SELECT {} FROM {} WHERE {condition} ORDER BY {order_sql} LIMIT {} OFFSET {}",
        select_list(meta),
        meta.sql_table(),
        i64::try_from(limit).unwrap_or(i64::MAX),
        i64::try_from(plan.offset).unwrap_or(i64::MAX),
    );
    Ok((sql, params, before))
}

/// Counts the matches of the plan's filters, up to Appwrite's cap of 5,000.
pub(super) fn count(conn: &Connection, meta: &TableMeta, plan: &Plan) -> Result<u64> {
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM {} WHERE {} LIMIT {})",
        meta.sql_table(),
        plan.condition,
        limits::MAX_COUNT
    );
    let n: i64 = conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(plan.params.iter()), |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// `SELECT {columns}` of the rows matching the plan's filters and paging, in insertion order.
fn matching_sql(columns: &str, meta: &TableMeta, plan: &Plan) -> String {
    format!(
        "SELECT {columns} FROM {} WHERE {} ORDER BY _seq LIMIT {} OFFSET {}",
        meta.sql_table(),
        plan.condition,
        i64::try_from(plan.limit.unwrap_or(u64::MAX >> 1)).unwrap_or(i64::MAX),
        i64::try_from(plan.offset).unwrap_or(i64::MAX),
    )
}

/// The `_seq` of every row matching the plan's filters and paging (for bulk writes).
pub(super) fn matching_seqs(conn: &Connection, meta: &TableMeta, plan: &Plan) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(&matching_sql("_seq", meta, plan))?;
    let seqs = stmt.query_map(params_from_iter(plan.params.iter()), |r| r.get(0))?;
    Ok(seqs.collect::<rusqlite::Result<_>>()?)
}

/// `$id` and `$updatedAt` of every row [`matching_seqs`] finds: what a transaction's commit
/// checks before a bulk write, without decoding whole rows.
pub(super) fn matching_stamps(
    conn: &Connection,
    meta: &TableMeta,
    plan: &Plan,
) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(&matching_sql("_uid, _updatedAt", meta, plan))?;
    let stamps = stmt.query_map(params_from_iter(plan.params.iter()), |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(stamps.collect::<rusqlite::Result<_>>()?)
}

/// `$updatedAt` of one row, `None` when it does not exist.
pub(super) fn stamp(conn: &Connection, meta: &TableMeta, id: &str) -> Result<Option<String>> {
    let sql = format!(
        "SELECT _updatedAt FROM {} WHERE _uid = ?1",
        meta.sql_table()
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// Reads one row by id, `None` when it does not exist.
pub(super) fn get_by_id(
    conn: &Connection,
    meta: &TableMeta,
    id: &str,
    select: Option<&[String]>,
) -> Result<Option<Row>> {
    let sql = format!(
        "SELECT {} FROM {} WHERE _uid = ?1",
        select_list(meta),
        meta.sql_table()
    );
    Ok(
        read_rows(conn, meta, &sql, &[SqlValue::Text(id.to_owned())], select)?
            .into_iter()
            .next(),
    )
}

/// Reads the rows with these ids (those that exist), each with the `select`ed columns.
pub(super) fn get_by_ids(
    conn: &Connection,
    meta: &TableMeta,
    ids: &[&str],
    select: Option<&[String]>,
) -> Result<Vec<Row>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!(
            "SELECT {} FROM {} WHERE _uid IN ({marks}) ORDER BY _seq",
            select_list(meta),
            meta.sql_table()
        );
        let params: Vec<SqlValue> = chunk
            .iter()
            .map(|id| SqlValue::Text((*id).to_owned()))
            .collect();
        out.extend(read_rows(conn, meta, &sql, &params, select)?);
    }
    Ok(out)
}

/// Reads rows by `_seq`, in `_seq` order.
pub(super) fn get_by_seqs(conn: &Connection, meta: &TableMeta, seqs: &[i64]) -> Result<Vec<Row>> {
    let mut out = Vec::with_capacity(seqs.len());
    for chunk in seqs.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!(
            "SELECT {} FROM {} WHERE _seq IN ({marks}) ORDER BY _seq",
            select_list(meta),
            meta.sql_table()
        );
        let params: Vec<SqlValue> = chunk.iter().map(|s| SqlValue::Integer(*s)).collect();
        out.extend(read_rows(conn, meta, &sql, &params, None)?);
    }
    Ok(out)
}

/// The SELECT list: system columns, then every available user column.
fn select_list(meta: &TableMeta) -> &str {
    &meta.select_list
}

fn read_rows(
    conn: &Connection,
    meta: &TableMeta,
    sql: &str,
    params: &[SqlValue],
    select: Option<&[String]>,
) -> Result<Vec<Row>> {
    let columns: Vec<&ColumnSchema> = meta.available_columns().collect();
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            values.push(r.get_ref(5 + i)?);
        }
        let permissions: String = r.get(4)?;
        let system = SystemValues {
            seq: r.get(0)?,
            id: r.get(1)?,
            created_at: r.get(2)?,
            updated_at: r.get(3)?,
            permissions: serde_json::from_str(&permissions).unwrap_or_else(|_| json!([])),
        };
        out.push(assemble(meta, &columns, &values, system, select));
    }
    Ok(out)
}

/// The stored system fields of a row.
pub(super) struct SystemValues {
    pub seq: i64,
    pub id: String,
    pub created_at: String,
    pub updated_at: String,
    /// `$permissions`: a JSON array.
    pub permissions: Value,
}

/// Builds a row as Appwrite returns it: the user columns (only the selected ones, when a
/// `select` was given), then the system fields.
pub(super) fn assemble(
    meta: &TableMeta,
    columns: &[&ColumnSchema],
    values: &[rusqlite::types::ValueRef<'_>],
    system: SystemValues,
    select: Option<&[String]>,
) -> Row {
    let wanted = |key: &str| select.is_none_or(|keys| keys.iter().any(|k| k == "*" || k == key));
    let mut doc = Map::new();
    for (column, value) in columns.iter().zip(values) {
        if wanted(&column.key) {
            doc.insert(column.key.clone(), codec::decode(column, *value));
        }
    }
    doc.insert("$id".into(), Value::String(system.id));
    doc.insert("$sequence".into(), Value::String(system.seq.to_string()));
    doc.insert("$createdAt".into(), Value::String(system.created_at));
    doc.insert("$updatedAt".into(), Value::String(system.updated_at));
    doc.insert("$permissions".into(), system.permissions);
    doc.insert("$databaseId".into(), json!(meta.table.database_id));
    doc.insert("$tableId".into(), json!(meta.table.id));
    Row(doc)
}

fn check_select(meta: &TableMeta, attributes: &[String]) -> Result<Vec<String>> {
    let unknown: Vec<&str> = attributes
        .iter()
        .map(String::as_str)
        .filter(|a| {
            *a != "*" && !is_system(a) && meta.available_column(a).is_none() && !a.contains('.')
        })
        .collect();
    if unknown.is_empty() {
        Ok(attributes.to_vec())
    } else {
        Err(errors::query_invalid(format!(
            "Cannot select attributes: {}",
            unknown.join(", ")
        )))
    }
}

fn is_system(attribute: &str) -> bool {
    matches!(
        attribute,
        "$id" | "$sequence" | "$createdAt" | "$updatedAt" | "$permissions"
    )
}

/// What a query attribute names: its SQL expression and the column it behaves like.
struct Target {
    sql: String,
    column: ColumnSchema,
}

fn resolve(meta: &TableMeta, attribute: &str) -> Result<Target> {
    let system = |sql: &str, kind: ColumnKind| Target {
        sql: sql.to_owned(),
        column: ColumnSchema::new(attribute, kind).required(),
    };
    Ok(match attribute {
        "$id" => system("_uid", ColumnKind::Varchar { size: 36 }),
        "$sequence" => system(
            "_seq",
            ColumnKind::Integer {
                min: None,
                max: None,
            },
        ),
        "$createdAt" => system("_createdAt", ColumnKind::Datetime),
        "$updatedAt" => system("_updatedAt", ColumnKind::Datetime),
        _ => match meta.available_column(attribute) {
            Some(column) => Target {
                sql: quote(&column.key),
                column: column.clone(),
            },
            None => {
                return Err(errors::query_invalid(format!(
                    "Attribute not found in schema: {attribute}"
                )));
            }
        },
    })
}

/// Checks a filter value against the column's kind and returns it as stored.
fn query_value(target: &Target, value: &Value) -> Result<SqlValue> {
    let kind = &target.column.kind;
    let converted = match (kind, value) {
        (ColumnKind::Datetime, Value::String(s)) => normalize_datetime(s).map(Value::String),
        (ColumnKind::Integer { .. } | ColumnKind::BigInt { .. }, Value::Number(n)) => {
            n.as_i64().map(|_| value.clone())
        }
        (ColumnKind::Integer { .. } | ColumnKind::BigInt { .. }, Value::String(s))
            if target.column.key == "$sequence" || matches!(kind, ColumnKind::BigInt { .. }) =>
        {
            s.parse::<i64>().ok().map(|i| json!(i))
        }
        (ColumnKind::Float { .. }, Value::Number(_)) => Some(value.clone()),
        (ColumnKind::Boolean, Value::Bool(_)) => Some(value.clone()),
        (ColumnKind::Relationship(_), Value::String(_)) => Some(value.clone()),
        (k, Value::String(_)) if k.is_string() => Some(value.clone()),
        _ => None,
    };
    match converted {
        Some(v) => Ok(codec::encode_scalar(kind, &v)),
        None => Err(errors::query_invalid(format!(
            "Query value is invalid for attribute \"{}\"",
            target.column.key
        ))),
    }
}

fn push_values(target: &Target, values: &[Value], params: &mut Vec<SqlValue>) -> Result<String> {
    if values.len() > limits::MAX_QUERY_VALUES {
        return Err(errors::query_invalid(format!(
            "Query on attribute has greater than {} values: {}",
            limits::MAX_QUERY_VALUES,
            target.column.key
        )));
    }
    let mut marks = Vec::with_capacity(values.len());
    for v in values {
        params.push(query_value(target, v)?);
        marks.push("?");
    }
    Ok(marks.join(","))
}

fn push_one(target: &Target, value: &Value, params: &mut Vec<SqlValue>) -> Result<&'static str> {
    params.push(query_value(target, value)?);
    Ok("?")
}

/// A LIKE pattern parameter: the value with `%`, `_` and `\` escaped, wrapped as asked.
fn push_like(
    target: &Target,
    value: &Value,
    prefix: &str,
    suffix: &str,
    params: &mut Vec<SqlValue>,
) -> Result<String> {
    let Value::String(s) = value else {
        return Err(errors::query_invalid(format!(
            "Query value is invalid for attribute \"{}\"",
            target.column.key
        )));
    };
    let escaped = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    params.push(SqlValue::Text(format!("{prefix}{escaped}{suffix}")));
    Ok(format!("{} LIKE ? ESCAPE '\\'", target.sql))
}

fn array_only_methods(method: &str) -> bool {
    matches!(
        method,
        "contains"
            | "containsAny"
            | "containsAll"
            | "notContains"
            | "isNull"
            | "isNotNull"
            | "exists"
            | "notExists"
    )
}

/// The SQL condition of one filter on `meta` (also used through relationships, on the related
/// table).
pub(super) fn filter_sql(
    conn: &Session,
    meta: &TableMeta,
    query: &Query,
    params: &mut Vec<SqlValue>,
) -> Result<String> {
    filter(conn, meta, query, params)
}

fn filter(
    conn: &Session,
    meta: &TableMeta,
    query: &Query,
    params: &mut Vec<SqlValue>,
) -> Result<String> {
    if let Some(attribute) = query.attribute() {
        if let Some(sql) = relations::relation_filter(conn, meta, attribute, query, params)? {
            return Ok(sql);
        }
        let target = resolve(meta, attribute)?;
        if target.column.encrypt {
            // Utopia's filter validator: stored values are ciphertext on Appwrite.
            return Err(errors::query_invalid(format!(
                "Cannot query encrypted attribute: {attribute}"
            )));
        }
        if let Some(sql) = spatial_filter::condition(&target.sql, &target.column, query, params)? {
            return Ok(sql);
        }
        if target.column.array && !array_only_methods(query.method()) {
            return Err(errors::query_invalid(format!(
                "Cannot query {} on attribute \"{attribute}\" because it is an array.",
                query.method()
            )));
        }
        return single_column_filter(meta, &target, query, params);
    }
    match query {
        Query::And(queries) | Query::Or(queries) => {
            if queries.len() < 2 {
                return Err(errors::query_invalid(format!(
                    "{} queries require at least two queries",
                    query.method()
                )));
            }
            let joiner = if matches!(query, Query::And(_)) {
                " AND "
            } else {
                " OR "
            };
            let mut parts = Vec::with_capacity(queries.len());
            for q in queries {
                if q.class() != QueryClass::Filter {
                    return Err(errors::query_invalid(format!(
                        "{} queries can only contain filter queries",
                        query.method()
                    )));
                }
                parts.push(filter(conn, meta, q, params)?);
            }
            Ok(format!("({})", parts.join(joiner)))
        }
        // Appwrite checks the query's own `attribute` member, which `exists` leaves empty (its
        // columns travel in `values`), and no column of a schema-full table has an empty key.
        Query::Exists { .. } | Query::NotExists { .. } => {
            Err(errors::query_invalid("Attribute not found in schema: "))
        }
        Query::ElemMatch { queries, .. } => refuse_elem_match(conn, meta, queries),
        _ => Err(errors::query_invalid(format!(
            "Query method not valid: {}",
            query.method()
        ))),
    }
}

/// `elemMatch`: Appwrite checks the sub-queries against the table first, then refuses the method
/// on every schema-full table (utopia-php/database `Validator/Query/Filter.php`). Only the filter
/// sub-queries are checked here; any other kind in an `elemMatch` is refused all the same.
fn refuse_elem_match(conn: &Session, meta: &TableMeta, queries: &[Query]) -> Result<String> {
    let mut unused = Vec::new();
    for q in queries.iter().filter(|q| q.class() == QueryClass::Filter) {
        filter(conn, meta, q, &mut unused)?;
    }
    Err(errors::query_invalid(
        "elemMatch is not supported by the database",
    ))
}

fn single_column_filter(
    meta: &TableMeta,
    t: &Target,
    query: &Query,
    params: &mut Vec<SqlValue>,
) -> Result<String> {
    let col = &t.sql;
    Ok(match query {
        Query::Equal { values, .. } => format!("{col} IN ({})", push_values(t, values, params)?),
        Query::NotEqual { value, .. } => format!("{col} != {}", push_one(t, value, params)?),
        Query::LessThan { value, .. } => format!("{col} < {}", push_one(t, value, params)?),
        Query::LessThanEqual { value, .. } => format!("{col} <= {}", push_one(t, value, params)?),
        Query::GreaterThan { value, .. } => format!("{col} > {}", push_one(t, value, params)?),
        Query::GreaterThanEqual { value, .. } => {
            format!("{col} >= {}", push_one(t, value, params)?)
        }
        Query::Between { start, end, .. } => {
            push_one(t, start, params)?;
            push_one(t, end, params)?;
            format!("{col} BETWEEN ? AND ?")
        }
        Query::NotBetween { start, end, .. } => {
            push_one(t, start, params)?;
            push_one(t, end, params)?;
            format!("{col} NOT BETWEEN ? AND ?")
        }
        Query::StartsWith { value, .. } => {
            string_only(t, query).and_then(|_| push_like(t, value, "", "%", params))?
        }
        Query::NotStartsWith { value, .. } => format!(
            "NOT ({})",
            string_only(t, query).and_then(|_| push_like(t, value, "", "%", params))?
        ),
        Query::EndsWith { value, .. } => {
            string_only(t, query).and_then(|_| push_like(t, value, "%", "", params))?
        }
        Query::NotEndsWith { value, .. } => format!(
            "NOT ({})",
            string_only(t, query).and_then(|_| push_like(t, value, "%", "", params))?
        ),
        Query::Contains { values, .. } | Query::ContainsAny { values, .. } => {
            contains(t, query, values, false, params)?
        }
        Query::ContainsAll { values, .. } => contains(t, query, values, true, params)?,
        Query::NotContains { values, .. } => format!(
            "({col} IS NOT NULL AND NOT {})",
            contains(t, query, values, false, params)?
        ),
        Query::Search { value, .. } | Query::NotSearch { value, .. } => {
            if !meta.has_fulltext_on(&t.column.key) {
                return Err(Error::Appwrite(AppwriteError::new(
                    400,
                    types::GENERAL_QUERY_INVALID,
                    format!(
                        "Searching by attribute \"{}\" requires a fulltext index.",
                        t.column.key
                    ),
                )));
            }
            let Value::String(words) = value else {
                return Err(errors::query_invalid(format!(
                    "Query value is invalid for attribute \"{}\"",
                    t.column.key
                )));
            };
            params.push(SqlValue::Text(words.clone()));
            if matches!(query, Query::Search { .. }) {
                format!("aw_search({col}, ?)")
            } else {
                format!("({col} IS NOT NULL AND NOT aw_search({col}, ?))")
            }
        }
        Query::Regex { pattern, .. } => regex_condition(t, query, pattern, params)?,
        Query::IsNull { .. } => format!("{col} IS NULL"),
        Query::IsNotNull { .. } => format!("{col} IS NOT NULL"),
        _ => {
            return Err(errors::query_invalid(format!(
                "Query method not valid: {}",
                query.method()
            )));
        }
    })
}

fn string_only(t: &Target, query: &Query) -> Result<()> {
    if t.column.kind.is_string() {
        Ok(())
    } else {
        Err(errors::query_invalid(format!(
            "Cannot query {} on attribute \"{}\" because it is not a string.",
            query.method(),
            t.column.key
        )))
    }
}

/// `regex`: the pattern's type is checked against the column as Appwrite checks any value; then
/// only string columns are matched (MariaDB would match the text form of a number or a date,
/// other databases refuse it), and a pattern the `regex` crate cannot compile is a 400 (on
/// Appwrite the database's error is a 500).
fn regex_condition(
    t: &Target,
    query: &Query,
    pattern: &Value,
    params: &mut Vec<SqlValue>,
) -> Result<String> {
    query_value(t, pattern)?;
    string_only(t, query)?;
    let Value::String(source) = pattern else {
        return Err(errors::query_invalid(format!(
            "Query value is invalid for attribute \"{}\"",
            t.column.key
        )));
    };
    pattern::compile(source).map_err(|reason| {
        errors::query_invalid(format!(
            "Invalid regular expression for attribute \"{}\": {reason}",
            t.column.key
        ))
    })?;
    params.push(SqlValue::Text(source.clone()));
    Ok(format!("{}({}, ?)", pattern::SQL_FUNCTION, t.sql))
}

/// `contains` and friends: substring on strings, element membership on arrays.
fn contains(
    t: &Target,
    query: &Query,
    values: &[Value],
    all: bool,
    params: &mut Vec<SqlValue>,
) -> Result<String> {
    if values.is_empty() {
        return Err(errors::query_invalid(format!(
            "{} queries require at least one value.",
            query.method()
        )));
    }
    if values.len() > limits::MAX_QUERY_VALUES {
        return Err(errors::query_invalid(format!(
            "Query on attribute has greater than {} values: {}",
            limits::MAX_QUERY_VALUES,
            t.column.key
        )));
    }
    let col = &t.sql;
    if t.column.array {
        let marks = push_values(t, values, params)?;
        return Ok(if all {
            let distinct = values
                .iter()
                .map(Value::to_string)
                .collect::<std::collections::HashSet<_>>()
                .len();
            format!(
                "((SELECT COUNT(DISTINCT value) FROM json_each({col}) WHERE value IN ({marks})) = {distinct})"
            )
        } else {
            format!("EXISTS (SELECT 1 FROM json_each({col}) WHERE value IN ({marks}))")
        });
    }
    if !t.column.kind.is_string() {
        return Err(errors::query_invalid(format!(
            "Cannot query {} on attribute \"{}\" because it is not an array or string.",
            query.method(),
            t.column.key
        )));
    }
    let mut parts = Vec::with_capacity(values.len());
    for v in values {
        parts.push(push_like(t, v, "%", "%", params)?);
    }
    Ok(format!(
        "({})",
        parts.join(if all { " AND " } else { " OR " })
    ))
}

/// The condition selecting rows strictly after (or before) the cursor row in the given order.
fn cursor_condition(
    conn: &Connection,
    meta: &TableMeta,
    orders: &[(String, bool)],
    cursor_id: &str,
    before: bool,
    params: &mut Vec<SqlValue>,
) -> Result<String> {
    let exprs: Vec<&str> = orders.iter().map(|(sql, _)| sql.as_str()).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE _uid = ?1",
        exprs.join(", "),
        meta.sql_table()
    );
    let values: Vec<SqlValue> = conn
        .prepare_cached(&sql)?
        .query_row([cursor_id], |r| {
            (0..exprs.len())
                .map(|i| r.get::<_, SqlValue>(i))
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .optional()?
        .ok_or_else(|| {
            Error::Appwrite(AppwriteError::new(
                400,
                types::GENERAL_CURSOR_NOT_FOUND,
                format!("Row '{cursor_id}' for the 'cursor' value not found."),
            ))
        })?;
    if let Some(i) = values.iter().position(|v| matches!(v, SqlValue::Null)) {
        return Err(Error::Appwrite(AppwriteError::new(
            400,
            types::DATABASE_QUERY_ORDER_NULL,
            format!(
                "Order attribute '{}' is empty for the cursor row",
                orders[i].0.trim_matches('"')
            ),
        )));
    }
    let mut alternatives = Vec::with_capacity(orders.len());
    for (i, (expr, desc)) in orders.iter().enumerate() {
        let mut parts = Vec::with_capacity(i + 1);
        for (j, (prev, _)) in orders.iter().enumerate().take(i) {
            parts.push(format!("{prev} = ?"));
            params.push(values[j].clone());
        }
        let greater = *desc == before;
        parts.push(format!("{expr} {} ?", if greater { ">" } else { "<" }));
        params.push(values[i].clone());
        alternatives.push(format!("({})", parts.join(" AND ")));
    }
    Ok(format!("({})", alternatives.join(" OR ")))
}

/// Word matching as MariaDB's boolean-mode fulltext search does it: the words of the query are
/// OR-ed, the last one matches as a prefix; a query wholly in double quotes is a phrase.
pub(super) fn search_matches(text: &str, query: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let haystack = words(text);
    let trimmed = query.trim();
    if trimmed.len() >= 2 && trimmed.starts_with('"') && trimmed.ends_with('"') {
        let phrase = words(&trimmed[1..trimmed.len() - 1]);
        return !phrase.is_empty() && haystack.windows(phrase.len()).any(|w| w == phrase);
    }
    let needles = words(trimmed);
    let Some((last, rest)) = needles.split_last() else {
        return false;
    };
    haystack
        .iter()
        .any(|w| w.starts_with(last.as_str()) || rest.contains(w))
}

#[cfg(test)]
mod tests {
    use super::search_matches;

    #[test]
    fn search_matches_any_word_and_last_as_prefix() {
        assert!(search_matches("The quick brown fox", "slow fox"));
        assert!(search_matches("The quick brown fox", "qui"));
        assert!(!search_matches("The quick brown fox", "qui slow"));
        assert!(search_matches("The quick brown fox", "\"quick brown\""));
        assert!(!search_matches("The quick brown fox", "\"brown quick\""));
        assert!(!search_matches("anything", ""));
    }
}
