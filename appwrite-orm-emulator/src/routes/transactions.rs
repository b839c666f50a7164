//! `/tablesdb/transactions` and `/databases/transactions`: create, get, list, stage
//! operations, commit or roll back, delete.
//!
//! The trait can neither list nor delete transactions: the emulator remembers the ids it
//! created, and a delete rolls back a pending transaction and hides it from then on.

use appwrite_orm::api::{error, legacy, listing};
use appwrite_orm::backend::{Operation, Transaction, TransactionStatus};
use appwrite_orm::error::types;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::{P, json_response, no_content};
use crate::errors::{ApiError, ApiResult, argument, bad_request};
use crate::legacy::Family;
use crate::listing::ListRequest;
use crate::params::Params;
use crate::state::AppState;

fn transaction_json(tx: &Transaction) -> Value {
    serde_json::to_value(tx).unwrap_or(Value::Null)
}

async fn load(state: &AppState, id: &str) -> ApiResult<Transaction> {
    if state.transactions().deleted.contains(id) {
        return Err(error::transaction_not_found().into());
    }
    Ok(state.backend.get_transaction(id).await?)
}

/// `POST /transactions`: `ttl` o (60-3600 s); 201.
pub(crate) async fn create(State(state): State<AppState>, p: Params) -> ApiResult<Response> {
    let ttl = p
        .optional_range("ttl", 60, 3600)?
        .map(|t| u32::try_from(t).unwrap_or(300));
    let tx = state.backend.create_transaction(ttl).await?;
    state.transactions().created.push(tx.id.clone());
    Ok(json_response(StatusCode::CREATED, &transaction_json(&tx)))
}

/// `GET /transactions`: `queries`, `total`.
pub(crate) async fn list(
    State(state): State<AppState>,
    family: Family,
    p: Params,
) -> ApiResult<Response> {
    let request = ListRequest::read(&p, false)?;
    let ids: Vec<String> = {
        let log = state.transactions();
        log.created
            .iter()
            .filter(|id| !log.deleted.contains(*id))
            .cloned()
            .collect()
    };
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        if let Ok(tx) = state.backend.get_transaction(&id).await {
            items.push(transaction_json(&tx));
        }
    }
    request.answer(family, "transactions", items, listing::TRANSACTIONS)
}

/// `GET /transactions/{id}`.
pub(crate) async fn get(State(state): State<AppState>, P(id): P<String>) -> ApiResult<Response> {
    let tx = load(&state, &id).await?;
    Ok(json_response(StatusCode::OK, &transaction_json(&tx)))
}

/// `PATCH /transactions/{id}`: `commit: true` or `rollback: true`; 200.
pub(crate) async fn update(
    State(state): State<AppState>,
    P(id): P<String>,
    p: Params,
) -> ApiResult<Response> {
    let commit = p.bool_or("commit", false)?;
    let rollback = p.bool_or("rollback", false)?;
    load(&state, &id).await?;
    let tx = match (commit, rollback) {
        (true, false) => state.backend.commit_transaction(&id).await?,
        (false, true) => state.backend.rollback_transaction(&id).await?,
        (true, true) => return Err(bad_request("Cannot commit and rollback at the same time.")),
        (false, false) => return Err(bad_request("Either commit or rollback must be true.")),
    };
    Ok(json_response(StatusCode::OK, &transaction_json(&tx)))
}

/// `DELETE /transactions/{id}`: 204; a pending transaction is rolled back first.
pub(crate) async fn delete(State(state): State<AppState>, P(id): P<String>) -> ApiResult<Response> {
    let tx = load(&state, &id).await?;
    if tx.status == TransactionStatus::Pending {
        // An expired transaction cannot be rolled back; it is deleted all the same.
        let _ = state.backend.rollback_transaction(&id).await;
    }
    state.transactions().deleted.insert(id);
    Ok(no_content())
}

/// `POST /transactions/{id}/operations`: `operations` R (objects with `action`, `databaseId`,
/// `tableId`/`collectionId`, `rowId`/`documentId`, `data`); 201.
pub(crate) async fn stage(
    State(state): State<AppState>,
    family: Family,
    P(id): P<String>,
    p: Params,
) -> ApiResult<Response> {
    let Some(raw) = p.get("operations") else {
        return Err(crate::errors::not_optional("operations"));
    };
    let Some(items) = raw.as_array() else {
        return Err(argument("operations", "Value must a valid array"));
    };
    let operations = items
        .iter()
        .enumerate()
        .map(|(i, item)| operation(family, i, item))
        .collect::<ApiResult<Vec<_>>>()?;
    load(&state, &id).await?;
    let tx = state.backend.stage_operations(&id, &operations).await?;
    Ok(json_response(StatusCode::CREATED, &transaction_json(&tx)))
}

fn operation(family: Family, index: usize, item: &Value) -> ApiResult<Operation> {
    let Value::Object(obj) = item else {
        return Err(argument(
            "operations",
            format!("Operation at index {index} must be an object"),
        ));
    };
    let mut obj = obj.clone();
    for renamed in [legacy::TABLE_ID, legacy::ROW_ID] {
        if (family.is_legacy() || !obj.contains_key(renamed.tables_db))
            && let Some(v) = obj.remove(renamed.legacy)
        {
            obj.insert(renamed.tables_db.to_owned(), v);
        }
    }
    serde_json::from_value(Value::Object(obj)).map_err(|e| {
        ApiError::new(
            400,
            types::TRANSACTION_INVALID,
            format!("Invalid operation at index {index}: {e}"),
        )
    })
}
