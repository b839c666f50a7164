//! `…/columns` (legacy `…/attributes`): create by type (202, `processing`), update by type
//! (with `newKey`), update relationship. Get, list and delete are [`parts`](super::parts)'.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::parts::part_json;
use super::{P, json_response};
use crate::errors::{ApiResult, route_not_found};
use crate::legacy::Family;
use crate::params::Params;
use crate::schema_body::{self, COLUMN_TYPES};
use crate::state::AppState;

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
        &part_json(family, &column),
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
    Ok(json_response(StatusCode::OK, &part_json(family, &column)))
}
