//! Filters on spatial columns: the spatial-only methods and `equal`, `notEqual`, `contains`,
//! `notContains` on a point, line or polygon column, with utopia-php/database's checks
//! (`Validator/Query/Filter.php`, `Adapter/MariaDB.php::handleSpatialQueries`).
//!
//! A filter compiles to a call of the `aw_spatial` SQL function, which this module registers
//! on the connection: geometries are stored as JSON coordinate arrays and the function answers
//! with [`Predicate::holds`]. Evaluating inside SQL, rather than filtering rows in Rust after
//! the query, keeps `limit`, `offset`, cursors, counts and bulk writes exact with no second
//! code path, and keeps `select.rs` a pure query-to-SQL compiler. There is no R-tree: every
//! spatial filter reads the rows it is applied to.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, Error as SqlError};
use serde_json::Value;

use super::errors;
use crate::Result;
use crate::query::{Query, capitalise};
use crate::schema::ColumnSchema;
use crate::spatial::{Geometry, Predicate, Relation, SpatialType};

/// Registers `aw_spatial(stored, code, operand, distance, meters)` on the connection.
pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "aw_spatial",
        5,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let stored: Option<String> = ctx.get(0)?;
            let code: String = ctx.get(1)?;
            let operand: String = ctx.get(2)?;
            let distance: f64 = ctx.get(3)?;
            let meters: bool = ctx.get(4)?;
            let predicate = Predicate::from_code(&code, distance, meters).ok_or_else(|| {
                SqlError::UserFunctionError(format!("unknown test {code}").into())
            })?;
            Ok(stored.is_some_and(|s| matches(&s, &predicate, &operand)))
        },
    )
}

/// Whether a stored geometry (JSON text) passes; a row holding null passes no test, negated
/// ones included, as SQL's `NOT ST_…(NULL, …)` is null on MariaDB.
fn matches(stored: &str, predicate: &Predicate, operand: &str) -> bool {
    let parse = |text: &str| {
        serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| Geometry::from_json(&v).ok())
    };
    match (parse(stored), parse(operand)) {
        (Some(stored), Some(operand)) => predicate.holds(&stored, &operand),
        _ => false,
    }
}

/// The SQL condition of a filter on column `sql` when the filter concerns spatial data: a
/// spatial method (refused on any other column) or any filter on a spatial column. `None` for
/// everything else, which the caller compiles.
pub(super) fn condition(
    sql: &str,
    column: &ColumnSchema,
    query: &Query,
    params: &mut Vec<SqlValue>,
) -> Result<Option<String>> {
    let Some(ty) = column.kind.spatial_type() else {
        if let Query::Spatial(filter) = query {
            return Err(errors::query_invalid(format!(
                "Spatial query \"{}\" cannot be applied on non-spatial attribute: {}",
                filter.method.as_str(),
                column.key
            )));
        }
        return Ok(None);
    };
    check_values_are_arrays(query)?;
    let (predicate, geometry) = predicate_of(query)?;
    let operand = Geometry::from_json(geometry).map_err(errors::query_invalid)?;
    if let Predicate::Distance { meters: true, .. } = predicate {
        check_meters(ty, &operand)?;
    }
    let (distance, meters) = match predicate {
        Predicate::Distance {
            distance, meters, ..
        } => (distance, meters),
        Predicate::Relation { .. } => (0.0, false),
    };
    params.extend([
        SqlValue::Text(predicate.code().to_owned()),
        SqlValue::Text(operand.to_json().to_string()),
        SqlValue::Real(distance),
        SqlValue::Integer(i64::from(meters)),
    ]);
    Ok(Some(format!("aw_spatial({sql}, ?, ?, ?, ?)")))
}

/// Every value of a filter on a spatial column must be a coordinate array (the `Filter`
/// validator's first check).
fn check_values_are_arrays(query: &Query) -> Result<()> {
    let values: Vec<&Value> = match query {
        Query::Equal { values, .. }
        | Query::Contains { values, .. }
        | Query::ContainsAny { values, .. }
        | Query::ContainsAll { values, .. }
        | Query::NotContains { values, .. } => values.iter().collect(),
        Query::NotEqual { value, .. }
        | Query::LessThan { value, .. }
        | Query::LessThanEqual { value, .. }
        | Query::GreaterThan { value, .. }
        | Query::GreaterThanEqual { value, .. }
        | Query::StartsWith { value, .. }
        | Query::NotStartsWith { value, .. }
        | Query::EndsWith { value, .. }
        | Query::NotEndsWith { value, .. }
        | Query::Search { value, .. }
        | Query::NotSearch { value, .. } => vec![value],
        Query::Between { start, end, .. } | Query::NotBetween { start, end, .. } => {
            vec![start, end]
        }
        Query::Spatial(filter) if filter.distance.is_none() => vec![&filter.geometry],
        _ => Vec::new(),
    };
    if values.iter().all(|v| v.is_array()) {
        Ok(())
    } else {
        Err(errors::query_invalid("Spatial data must be an array"))
    }
}

/// The test a filter makes and the geometry it tests against (the first value: the adapter
/// reads no other).
fn predicate_of(query: &Query) -> Result<(Predicate, &Value)> {
    let relation = |relation, negated| Predicate::Relation { relation, negated };
    let (predicate, values) = match query {
        Query::Spatial(filter) => {
            let predicate = filter.predicate().ok_or_else(|| {
                errors::query_invalid("Distance query requires [[geometry, distance]] parameters")
            })?;
            return Ok((predicate, &filter.geometry));
        }
        Query::NotEqual { value, .. } => return Ok((relation(Relation::Equals, true), value)),
        Query::Equal { values, .. } => (relation(Relation::Equals, false), values),
        Query::Contains { values, .. } => (relation(Relation::Contains, false), values),
        Query::NotContains { values, .. } => (relation(Relation::Contains, true), values),
        other => {
            // Appwrite answers these with a server error; this engine says what is wrong.
            return Err(errors::query_invalid(format!(
                "Unknown spatial query method: {}",
                other.method()
            )));
        }
    };
    let value = values.first().ok_or_else(|| {
        errors::query_invalid(format!(
            "{} queries require at least one value.",
            capitalise(query.method())
        ))
    })?;
    Ok((predicate, value))
}

/// `ST_DISTANCE_SPHERE` measures between points only.
fn check_meters(column: SpatialType, operand: &Geometry) -> Result<()> {
    let operand_type = operand.spatial_type();
    if column == SpatialType::Point && operand_type == SpatialType::Point {
        return Ok(());
    }
    Err(errors::query_invalid(format!(
        "Distance in meters is not supported between {} and {}",
        column.name(),
        operand_type.name()
    )))
}
