//! `/tablesdb` and `/databases`: create, get, list, update, delete databases.
//!
//! The trait has no database update and no database type, so a rename, `enabled` and the
//! `legacy` type are kept in the emulator's [overlay](crate::state::DatabaseOverlay).

use appwrite_orm::api::listing;
use appwrite_orm::backend::Database;
use appwrite_orm::query::Query;
use appwrite_orm::schema::limits;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{P, json_response, no_content, now};
use crate::errors::ApiResult;
use crate::legacy::Family;
use crate::listing::ListRequest;
use crate::params::Params;
use crate::state::AppState;

/// The database model with the overlay applied.
fn database_json(state: &AppState, db: &Database) -> Value {
    let overlay = state.databases().get(&db.id).cloned().unwrap_or_default();
    json!({
        "$id": db.id,
        "name": overlay.name.unwrap_or_else(|| db.name.clone()),
        "$createdAt": db.created_at,
        "$updatedAt": overlay.updated_at.unwrap_or_else(|| db.updated_at.clone()),
        "enabled": overlay.enabled.unwrap_or(db.enabled),
        "type": if overlay.legacy { "legacy" } else { db.database_type.as_str() },
    })
}

/// `POST /tablesdb`: 201 Database.
pub(crate) async fn create(
    State(state): State<AppState>,
    family: Family,
    p: Params,
) -> ApiResult<Response> {
    let id = p.required_str("databaseId", 0)?;
    let name = p.required_str("name", 0)?;
    let enabled = p.bool_or("enabled", true)?;
    let db = state.backend.create_database(&id, &name).await?;
    if family.is_legacy() || !enabled {
        let mut overlays = state.databases();
        let overlay = overlays.entry(db.id.clone()).or_default();
        overlay.legacy = family.is_legacy();
        overlay.enabled = Some(enabled);
    }
    Ok(json_response(
        StatusCode::CREATED,
        &database_json(&state, &db),
    ))
}

/// `GET /tablesdb/{db}`.
pub(crate) async fn get(State(state): State<AppState>, P(id): P<String>) -> ApiResult<Response> {
    let db = state.backend.get_database(&id).await?;
    Ok(json_response(StatusCode::OK, &database_json(&state, &db)))
}

/// `GET /tablesdb`: `queries` (filters on `name`), `search`, `total`.
pub(crate) async fn list(
    State(state): State<AppState>,
    family: Family,
    p: Params,
) -> ApiResult<Response> {
    let request = ListRequest::read(&p, true)?;
    let all = state
        .backend
        .list_databases(&[Query::limit(u64::MAX)])
        .await?;
    let items = all
        .items
        .iter()
        .map(|db| database_json(&state, db))
        .collect();
    request.answer(family, "databases", items, listing::DATABASES)
}

/// `PUT /tablesdb/{db}`: `name` o, `enabled` o (reset to true when left out).
pub(crate) async fn update(
    State(state): State<AppState>,
    P(id): P<String>,
    p: Params,
) -> ApiResult<Response> {
    let name = p.optional_str("name", 0)?;
    let enabled = p.bool_or("enabled", true)?;
    if let Some(name) = &name {
        let n = name.chars().count();
        if n == 0 || n > limits::MAX_NAME_LEN {
            return Err(crate::errors::argument(
                p.name("name"),
                "Value must be a valid string and at least 1 chars and no longer than 128 chars",
            ));
        }
    }
    let db = state.backend.get_database(&id).await?;
    {
        let mut overlays = state.databases();
        let overlay = overlays.entry(db.id.clone()).or_default();
        if name.is_some() {
            overlay.name = name;
        }
        overlay.enabled = Some(enabled);
        overlay.updated_at = Some(now());
    }
    Ok(json_response(StatusCode::OK, &database_json(&state, &db)))
}

/// `DELETE /tablesdb/{db}`: 204.
pub(crate) async fn delete(State(state): State<AppState>, P(id): P<String>) -> ApiResult<Response> {
    state.backend.delete_database(&id).await?;
    state.databases().remove(&id);
    Ok(no_content())
}
