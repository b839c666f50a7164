//! The routes of both families, and the helpers that shape their answers.

mod columns;
mod databases;
mod health;
mod indexes;
mod parts;
mod rows;
mod tables;
mod transactions;

use appwrite_orm::api::legacy;
use appwrite_orm::backend::{Column, Index};
use axum::Router;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::errors::{ApiError, bad_request};
use crate::legacy::Family;
use crate::state::AppState;

pub(crate) use health::version;

/// The routes of one family under its prefix (`/v1/tablesdb` or `/v1/databases`).
pub(crate) fn family_routes(family: Family) -> Router<AppState> {
    let tables = family.name(legacy::TABLES);
    let columns = family.name(legacy::COLUMNS);
    let rows = family.name(legacy::ROWS);
    let table = format!("/{{db}}/{tables}/{{table}}");
    Router::new()
        .route("/", get(databases::list).post(databases::create))
        .route(
            "/transactions",
            get(transactions::list).post(transactions::create),
        )
        .route(
            "/transactions/{tx}",
            get(transactions::get)
                .patch(transactions::update)
                .delete(transactions::delete),
        )
        .route("/transactions/{tx}/operations", post(transactions::stage))
        .route(
            "/{db}",
            get(databases::get)
                .put(databases::update)
                .delete(databases::delete),
        )
        .route(
            &format!("/{{db}}/{tables}"),
            get(tables::list).post(tables::create),
        )
        .route(
            &table,
            get(tables::get).put(tables::update).delete(tables::delete),
        )
        .route(&format!("{table}/{columns}"), get(parts::list::<Column>))
        .route(
            &format!("{table}/{columns}/{{a}}"),
            get(parts::get::<Column>)
                .post(columns::create)
                .delete(parts::delete::<Column>),
        )
        .route(
            &format!("{table}/{columns}/{{a}}/{{b}}"),
            patch(columns::update),
        )
        .route(
            &format!("{table}/indexes"),
            get(parts::list::<Index>).post(indexes::create),
        )
        .route(
            &format!("{table}/indexes/{{key}}"),
            get(parts::get::<Index>).delete(parts::delete::<Index>),
        )
        .route(
            &format!("{table}/{rows}"),
            get(rows::list)
                .post(rows::create)
                .put(rows::upsert_many)
                .patch(rows::update_many)
                .delete(rows::delete_many),
        )
        .route(
            &format!("{table}/{rows}/{{row}}"),
            get(rows::get)
                .put(rows::upsert)
                .patch(rows::update)
                .delete(rows::delete),
        )
        .route(
            &format!("{table}/{rows}/{{row}}/{{column}}/{{op}}"),
            patch(rows::add),
        )
}

/// Path parameters, with Appwrite's 400 instead of axum's plain-text rejection.
pub(crate) struct P<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for P<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(t)| P(t))
            .map_err(|e| bad_request(format!("Invalid path parameters: {}", e.body_text())))
    }
}

/// A JSON answer.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// 204 with `Content-Type: text/html`, as Swoole sends it (the Python SDK needs the header).
pub(crate) fn no_content() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// A list answer `{total, <key>: [...]}` with the family's list key.
pub(crate) fn list_body(family: Family, key: &'static str, total: u64, items: Vec<Value>) -> Value {
    let mut body = serde_json::Map::new();
    body.insert("total".into(), json!(total));
    body.insert(family.list_key(key).into(), Value::Array(items));
    Value::Object(body)
}

/// Now, as Appwrite formats times (`2026-01-02T03:04:05.678+00:00`).
pub(crate) fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3f+00:00")
        .to_string()
}
