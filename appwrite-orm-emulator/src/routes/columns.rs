//! `…/columns` (legacy `…/attributes`): create by type (202, `processing`), get, list,
//! update by type (with `newKey`), update relationship, delete.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::{P, column_json, json_response, list_body, no_content};
use crate::errors::{ApiResult, route_not_found};
use crate::legacy::Family;
use crate::listing;
use crate::params::Params;
use crate::schema_body::{self, COLUMN_TYPES};
use crate::state::AppState;

/// `GET …/columns`: `queries` on key, type, size, required, array, status, error; `total`.
pub(crate) async fn list(
    State(state): State<AppState>,
    family: Family,
    P((db, table)): P<(String, String)>,
    p: Params,
) -> ApiResult<Response> {
    let queries = p.queries()?;
    let count = p.total()?;
    let columns = state.backend.list_columns(&db, &table).await?;
    let items: Vec<Value> = columns.items.iter().map(|c| c.to_json()).collect();
    let (total, page) = listing::page(items, &queries, listing::COLUMNS, count)?;
    let page = page.into_iter().map(|c| family.model(c)).collect();
    Ok(json_response(
        StatusCode::OK,
        &list_body(family, "columns", total, page),
    ))
}

/// `GET …/columns/{key}`.
pub(crate) async fn get(
    State(state): State<AppState>,
    family: Family,
    P((db, table, key)): P<(String, String, String)>,
) -> ApiResult<Response> {
    let column = state.backend.get_column(&db, &table, &key).await?;
    Ok(json_response(StatusCode::OK, &column_json(family, &column)))
}

/// `POST …/columns/{type}`: 202 with the column `processing`.
pub(crate) async fn create(
    State(state): State<AppState>,
    family: Family,
    P((db, table, route_type)): P<(String, String, String)>,
    p: Params,
) -> ApiResult<Response> {
    let schema = schema_body::create_column(&route_type, &p)?;
    let column = state.backend.create_column(&db, &table, &schema).await?;
    Ok(json_response(
        StatusCode::ACCEPTED,
        &column_json(family, &column),
    ))
}

/// `PATCH …/columns/{type}/{key}`, `PATCH …/columns/{key}/relationship` and
/// `PATCH …/columns/relationship/{key}`: 200 with the column.
pub(crate) async fn update(
    State(state): State<AppState>,
    family: Family,
    P((db, table, a, b)): P<(String, String, String, String)>,
    p: Params,
) -> ApiResult<Response> {
    let (key, relationship) = if a != "relationship" && COLUMN_TYPES.contains(&a.as_str()) {
        (b.as_str(), false)
    } else if b == "relationship" {
        (a.as_str(), true)
    } else if a == "relationship" {
        (b.as_str(), true)
    } else {
        return Err(route_not_found());
    };
    let current = state.backend.get_column(&db, &table, key).await?;
    let desired = if relationship {
        schema_body::update_relationship(&p, &current.schema)?
    } else {
        schema_body::update_column(&a, &p, &current.schema)?
    };
    let column = state
        .backend
        .update_column(&db, &table, key, &desired)
        .await?;
    Ok(json_response(StatusCode::OK, &column_json(family, &column)))
}

/// `DELETE …/columns/{key}`: 204; the column goes through `deleting`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    P((db, table, key)): P<(String, String, String)>,
) -> ApiResult<Response> {
    state.backend.delete_column(&db, &table, &key).await?;
    Ok(no_content())
}
