//! `…/indexes`: create (202, `processing`), get, list, delete.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::{P, index_json, json_response, list_body, no_content};
use crate::errors::ApiResult;
use crate::legacy::Family;
use crate::listing;
use crate::params::Params;
use crate::schema_body;
use crate::state::AppState;

/// `GET …/indexes`: `queries` on key, type, status, error, columns; `total`.
pub(crate) async fn list(
    State(state): State<AppState>,
    family: Family,
    P((db, table)): P<(String, String)>,
    p: Params,
) -> ApiResult<Response> {
    let queries = p.queries()?;
    let count = p.total()?;
    let indexes = state.backend.list_indexes(&db, &table).await?;
    let items: Vec<Value> = indexes.items.iter().map(|i| i.to_json()).collect();
    let (total, page) = listing::page(items, &queries, listing::INDEXES, count)?;
    let page = page.into_iter().map(|i| family.model(i)).collect();
    Ok(json_response(
        StatusCode::OK,
        &list_body(family, "indexes", total, page),
    ))
}

/// `GET …/indexes/{key}`.
pub(crate) async fn get(
    State(state): State<AppState>,
    family: Family,
    P((db, table, key)): P<(String, String, String)>,
) -> ApiResult<Response> {
    let index = state.backend.get_index(&db, &table, &key).await?;
    Ok(json_response(StatusCode::OK, &index_json(family, &index)))
}

/// `POST …/indexes`: 202 with the index `processing`.
pub(crate) async fn create(
    State(state): State<AppState>,
    family: Family,
    P((db, table)): P<(String, String)>,
    p: Params,
) -> ApiResult<Response> {
    let schema = schema_body::create_index(&p)?;
    let index = state.backend.create_index(&db, &table, &schema).await?;
    Ok(json_response(
        StatusCode::ACCEPTED,
        &index_json(family, &index),
    ))
}

/// `DELETE …/indexes/{key}`: 204.
pub(crate) async fn delete(
    State(state): State<AppState>,
    P((db, table, key)): P<(String, String, String)>,
) -> ApiResult<Response> {
    state.backend.delete_index(&db, &table, &key).await?;
    Ok(no_content())
}
