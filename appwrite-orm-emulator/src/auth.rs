//! Project and key checks, as Appwrite's API init hook makes them.
//!
//! - `X-Appwrite-Project` must be the configured project, else 404 `project_not_found`.
//! - `X-Appwrite-Key` present: it must be the configured key, else 401 `user_unauthorized`.
//! - No key: the caller is a guest. Guests lack the `databases.*`, `tables.*` and
//!   `transactions.*` scopes (401 `general_unauthorized_scope`); on row routes the table's (and,
//!   with row security, the row's) permissions for the roles `any` and `guests` decide.

use appwrite_orm::backend::{Row, Table};
use axum::extract::{OriginalUri, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::{ApiResult, project_not_found, unauthorized_scope, user_unauthorized};
use crate::state::AppState;

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caller {
    /// A request with the server's API key: every check is bypassed.
    Key,
    /// A request without a key.
    Guest,
}

/// What a row request wants to do, for permission checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Read,
    Create,
    Update,
    Delete,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// Middleware: checks project and key, and stores the [`Caller`] in the request extensions.
pub(crate) async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let project_ok = headers
        .get("x-appwrite-project")
        .is_some_and(|v| v.as_bytes() == state.project.as_bytes());
    let key = headers.get("x-appwrite-key").map(|v| v.as_bytes().to_vec());
    if !project_ok {
        return project_not_found().into_response();
    }
    let caller = match key {
        Some(key) if constant_time_eq(&key, state.key.as_bytes()) => Caller::Key,
        Some(_) => return user_unauthorized().into_response(),
        None => Caller::Guest,
    };
    if caller == Caller::Guest
        && let Some(scope) = admin_scope(request.method(), &original_path(&request))
    {
        return unauthorized_scope(&scope).into_response();
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// The request path before nested routers stripped their prefix.
fn original_path(request: &Request) -> String {
    match request.extensions().get::<OriginalUri>() {
        Some(OriginalUri(uri)) => uri.path().to_owned(),
        None => request.uri().path().to_owned(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The scope a guest lacks for this route, or `None` for row routes (guests have
/// `rows.read`/`rows.write`).
fn admin_scope(method: &Method, path: &str) -> Option<String> {
    let mut segments = path.trim_start_matches('/').split('/').skip(2);
    let legacy = path.starts_with("/v1/databases");
    let first = segments.next();
    let second = segments.next();
    let _table = segments.next();
    let fourth = segments.next();
    let resource = match (first, second, fourth) {
        (Some("transactions"), _, _) => "transactions",
        (_, Some("tables" | "collections"), Some("rows" | "documents")) => return None,
        (_, Some("tables" | "collections"), _) if legacy => "collections",
        (_, Some("tables" | "collections"), _) => "tables",
        _ => "databases",
    };
    let access = if method == Method::GET {
        "read"
    } else {
        "write"
    };
    Some(format!("{resource}.{access}"))
}

/// The roles of a guest.
const GUEST_ROLES: &[&str] = &["any", "guests"];

fn grants(permissions: &[String], action: Action) -> bool {
    GUEST_ROLES.iter().any(|role| {
        let wanted = format!("{}(\"{role}\")", action.as_str());
        permissions.contains(&wanted)
    })
}

/// Whether the table's own permissions let a guest do `action` on its rows.
pub(crate) fn table_grants(table: &Table, action: Action) -> bool {
    grants(&table.permissions, action)
}

/// Whether a row's permissions let a guest do `action` (counts only with row security).
pub(crate) fn row_grants(table: &Table, row: &Row, action: Action) -> bool {
    table.row_security && grants(&row.permissions(), action)
}

/// A guest may not do this: 401 `user_unauthorized`.
pub(crate) fn deny<T>() -> ApiResult<T> {
    Err(user_unauthorized())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_by_route() {
        let get = Method::GET;
        let post = Method::POST;
        assert_eq!(
            admin_scope(&get, "/v1/tablesdb").as_deref(),
            Some("databases.read")
        );
        assert_eq!(
            admin_scope(&post, "/v1/tablesdb/db/tables").as_deref(),
            Some("tables.write")
        );
        assert_eq!(
            admin_scope(&get, "/v1/databases/db/collections/c/attributes").as_deref(),
            Some("collections.read")
        );
        assert_eq!(admin_scope(&get, "/v1/tablesdb/db/tables/t/rows"), None);
        assert_eq!(
            admin_scope(&post, "/v1/databases/db/collections/c/documents/d"),
            None
        );
        assert_eq!(
            admin_scope(&post, "/v1/tablesdb/transactions").as_deref(),
            Some("transactions.write")
        );
    }

    #[test]
    fn keys_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
