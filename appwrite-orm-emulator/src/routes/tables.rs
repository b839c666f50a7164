//! `…/tables` (legacy `…/collections`): create (with inline columns and indexes), get, list,
//! update, delete.

use appwrite_orm::api::listing;
use appwrite_orm::backend::{Table, TableUpdate};
use appwrite_orm::query::Query;
use appwrite_orm::schema::TableSchema;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::{P, json_response, no_content};
use crate::errors::{ApiResult, argument};
use crate::legacy::Family;
use crate::listing::ListRequest;
use crate::params::{MAX_ELEMENT_LEN, Params};
use crate::schema_body::{inline_column, inline_index};
use crate::state::AppState;

/// The table model in the family's terms.
pub(crate) fn table_json(family: Family, table: &Table) -> Value {
    family.model(table.to_json())
}

/// `POST …/tables`: 201 Table.
pub(crate) async fn create(
    State(state): State<AppState>,
    family: Family,
    P(db): P<String>,
    p: Params,
) -> ApiResult<Response> {
    let mut schema = TableSchema::new(p.required_str("tableId", 0)?, p.required_str("name", 0)?);
    schema.permissions = p
        .optional_strings("permissions", MAX_ELEMENT_LEN)?
        .unwrap_or_default();
    schema.row_security = p.bool_or("rowSecurity", false)?;
    let enabled = p.bool_or("enabled", true)?;
    let list = |name: &'static str| -> ApiResult<Vec<Value>> {
        match p.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(_) => Err(argument(
                p.name(name),
                format!("{} must be an array", p.name(name)),
            )),
        }
    };
    for (i, column) in list("columns")?.iter().enumerate() {
        schema
            .columns
            .push(inline_column(p.name("columns"), i, column)?);
    }
    for (i, index) in list("indexes")?.iter().enumerate() {
        schema
            .indexes
            .push(inline_index(p.name("indexes"), i, index)?);
    }
    let mut table = state.backend.create_table(&db, &schema).await?;
    if !enabled {
        let update = TableUpdate {
            name: None,
            permissions: None,
            row_security: table.row_security,
            enabled: false,
        };
        table = state.backend.update_table(&db, &table.id, &update).await?;
    }
    Ok(json_response(
        StatusCode::CREATED,
        &table_json(family, &table),
    ))
}

/// `GET …/tables/{t}`.
pub(crate) async fn get(
    State(state): State<AppState>,
    family: Family,
    P((db, table)): P<(String, String)>,
) -> ApiResult<Response> {
    let table = state.backend.get_table(&db, &table).await?;
    Ok(json_response(StatusCode::OK, &table_json(family, &table)))
}

/// `GET …/tables`: `queries` (filters on name, enabled, rowSecurity), `search`, `total`.
pub(crate) async fn list(
    State(state): State<AppState>,
    family: Family,
    P(db): P<String>,
    p: Params,
) -> ApiResult<Response> {
    let mut request = ListRequest::read(&p, true)?;
    request.queries = request.queries.into_iter().map(rename_security).collect();
    let all = state
        .backend
        .list_tables(&db, &[Query::limit(u64::MAX)])
        .await?;
    let items = all.items.iter().map(Table::to_json).collect();
    request.answer(family, "tables", items, listing::TABLES)
}

/// Legacy queries name `documentSecurity`; the list is filtered in TablesDB terms.
fn rename_security(query: Query) -> Query {
    let fix = |a: String| {
        if a == "documentSecurity" {
            "rowSecurity".to_owned()
        } else {
            a
        }
    };
    match query {
        Query::Equal { attribute, values } => Query::Equal {
            attribute: fix(attribute),
            values,
        },
        Query::NotEqual { attribute, value } => Query::NotEqual {
            attribute: fix(attribute),
            value,
        },
        Query::OrderAsc { attribute } => Query::OrderAsc {
            attribute: fix(attribute),
        },
        Query::OrderDesc { attribute } => Query::OrderDesc {
            attribute: fix(attribute),
        },
        Query::And(qs) => Query::And(qs.into_iter().map(rename_security).collect()),
        Query::Or(qs) => Query::Or(qs.into_iter().map(rename_security).collect()),
        other => other,
    }
}

/// `PUT …/tables/{t}`: `name` (kept if absent), `permissions` (kept if absent), `rowSecurity`
/// (reset to false), `enabled` (reset to true), `purge` (accepted, nothing is cached).
pub(crate) async fn update(
    State(state): State<AppState>,
    family: Family,
    P((db, table)): P<(String, String)>,
    p: Params,
) -> ApiResult<Response> {
    let update = TableUpdate {
        name: p.optional_str("name", 0)?,
        permissions: p.optional_strings("permissions", MAX_ELEMENT_LEN)?,
        row_security: p.bool_or("rowSecurity", false)?,
        enabled: p.bool_or("enabled", true)?,
    };
    p.bool_or("purge", false)?;
    let table = state.backend.update_table(&db, &table, &update).await?;
    Ok(json_response(StatusCode::OK, &table_json(family, &table)))
}

/// `DELETE …/tables/{t}`: 204.
pub(crate) async fn delete(
    State(state): State<AppState>,
    P((db, table)): P<(String, String)>,
) -> ApiResult<Response> {
    state.backend.delete_table(&db, &table).await?;
    Ok(no_content())
}
