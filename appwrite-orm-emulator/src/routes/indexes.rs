//! `…/indexes`: create (202, `processing`). Get, list and delete are
//! [`parts`](super::parts)'.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::parts::part_json;
use super::{P, json_response};
use crate::errors::ApiResult;
use crate::legacy::Family;
use crate::params::Params;
use crate::schema_body;
use crate::state::AppState;

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
        &part_json(family, &index),
    ))
}
