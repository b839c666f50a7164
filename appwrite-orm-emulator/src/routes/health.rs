//! `GET /v1/health/version`: no project or key needed.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::json_response;
use crate::errors::VERSION;

/// `{"version": "1.9.6"}`.
pub(crate) async fn version() -> Response {
    json_response(StatusCode::OK, &json!({ "version": VERSION }))
}
