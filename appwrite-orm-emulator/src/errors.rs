//! Appwrite's error answers: `{message, code, type, version}` with `content-type:
//! application/json`, error types renamed for legacy routes.

use appwrite_orm::error::{AppwriteError, types};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::legacy::Family;
use crate::routes::json_response;

/// The server version the emulator reports in errors and `/health/version`.
pub const VERSION: &str = "1.9.6";

/// Codes Appwrite passes through to the client; any other becomes a 500.
const PASSED_THROUGH: &[u16] = &[
    400, 401, 402, 403, 404, 405, 408, 409, 412, 416, 422, 429, 451, 501, 503,
];

/// An error answer in TablesDB terms. The response carries a copy in its extensions, so that
/// the legacy routes can re-render it with legacy names ([`render_legacy_errors`]).
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) error: AppwriteError,
}

/// Result of a handler.
pub(crate) type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error from its parts (TablesDB names; legacy names are applied when answering).
    pub(crate) fn new(code: u16, error_type: &str, message: impl Into<String>) -> Self {
        Self {
            error: AppwriteError::new(code, error_type, message),
        }
    }

    /// The answer in the given family's terms.
    pub(crate) fn render(&self, family: Family) -> Response {
        let code = if PASSED_THROUGH.contains(&self.error.code) {
            self.error.code
        } else {
            500
        };
        let body = json!({
            "message": family.message(&self.error.message),
            "code": code,
            "type": family.error_type(&self.error.error_type),
            "version": VERSION,
        });
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = json_response(status, &body);
        response.extensions_mut().insert(self.clone());
        response
    }
}

impl From<AppwriteError> for ApiError {
    fn from(error: AppwriteError) -> Self {
        Self { error }
    }
}

impl From<appwrite_orm::Error> for ApiError {
    fn from(error: appwrite_orm::Error) -> Self {
        from_orm(error).into()
    }
}

/// Maps the crate's error to what Appwrite would answer.
pub(crate) fn from_orm(error: appwrite_orm::Error) -> AppwriteError {
    use appwrite_orm::Error;
    match error {
        Error::Appwrite(e) => e,
        Error::QueryParse(e) => {
            AppwriteError::new(400, types::GENERAL_QUERY_INVALID, e.to_string())
        }
        Error::Schema(_) | Error::InvalidId { .. } | Error::Json(_) => {
            AppwriteError::new(400, types::GENERAL_ARGUMENT_INVALID, error.to_string())
        }
        other => {
            tracing::error!(error = %other, "engine failure");
            AppwriteError::new(500, "general_server_error", other.to_string())
        }
    }
}

/// `Invalid \`param\` param: description` (400 `general_argument_invalid`).
pub(crate) fn argument(param: &str, description: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        400,
        types::GENERAL_ARGUMENT_INVALID,
        format!("Invalid `{param}` param: {description}"),
    )
}

/// `Param "param" is not optional.` (400 `general_argument_invalid`).
pub(crate) fn not_optional(param: &str) -> ApiError {
    ApiError::new(
        400,
        types::GENERAL_ARGUMENT_INVALID,
        format!("Param \"{param}\" is not optional."),
    )
}

/// 400 `general_bad_request`.
pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(400, types::GENERAL_BAD_REQUEST, message)
}

/// 404 `general_route_not_found`.
pub(crate) fn route_not_found() -> ApiError {
    ApiError::new(
        404,
        "general_route_not_found",
        "The requested route was not found. Please refer to the API docs and try again.",
    )
}

/// 404 `project_not_found`.
pub(crate) fn project_not_found() -> ApiError {
    ApiError::new(
        404,
        "project_not_found",
        "Project with the requested ID could not be found. Please check the value of the X-Appwrite-Project header to ensure the correct project ID is being used.",
    )
}

/// 401 `general_unauthorized_scope` for a guest lacking `scope`.
pub(crate) fn unauthorized_scope(scope: &str) -> ApiError {
    ApiError::new(
        401,
        "general_unauthorized_scope",
        format!("User (role: guests) missing scopes ([\"{scope}\"])"),
    )
}

/// 401 `user_unauthorized`.
pub(crate) fn user_unauthorized() -> ApiError {
    ApiError::new(
        401,
        "user_unauthorized",
        "The current user is not authorized to perform the requested action.",
    )
}

/// 501 `general_not_implemented`: something Appwrite has that the emulator does not.
pub(crate) fn not_supported(what: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        501,
        "general_not_implemented",
        format!("{what} is not supported by the appwrite-orm emulator."),
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.render(Family::TablesDb)
    }
}

/// Middleware of the legacy routes: error answers get legacy error types and wording.
pub(crate) async fn render_legacy_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    match response.extensions().get::<ApiError>() {
        Some(error) => error.render(Family::Legacy),
        None => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, header};

    #[test]
    fn unknown_codes_become_500() {
        let response = ApiError::new(410, "transaction_expired", "gone").into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let response = not_optional("key").into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            HeaderValue::from_static("application/json")
        );
    }

    #[test]
    fn engine_errors_keep_their_type() {
        let e: ApiError =
            appwrite_orm::Error::Appwrite(appwrite_orm::api::error::row_not_found()).into();
        assert_eq!(e.error.error_type, "row_not_found");
        let e: ApiError = appwrite_orm::Error::Storage("disk full".into()).into();
        assert_eq!(e.error.code, 500);
    }
}
