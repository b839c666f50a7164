//! Test knobs: latency added to every request, and injected faults (429 with `Retry-After`,
//! 503, or a connection closed without an answer).
//!
//! Non-idempotent requests (POST creates without a client-made id, increments and decrements,
//! transaction commits and staged operations) get their fault *before* the write is applied,
//! unless `faults_after_write` is set; idempotent ones get it before or after, at random. A
//! fault after the write runs the request and throws its answer away, as when a server
//! crashes or a proxy times out after the database committed.

use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use crate::errors::ApiError;
use crate::state::AppState;

/// Marker in a response's extensions: close the connection instead of answering.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropConnection;

/// The kinds of injected faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// 429 `general_rate_limit_exceeded` with `Retry-After: 1`.
    RateLimited,
    /// 503 with an Appwrite error body.
    Unavailable,
    /// The connection is closed without an answer.
    Dropped,
}

/// Latency and fault settings with their random generator.
pub(crate) struct Faults {
    latency: Duration,
    rate: f64,
    after_write: bool,
    rng: Mutex<StdRng>,
}

impl Faults {
    /// Faults with the given settings; `seed` makes the sequence reproducible.
    pub(crate) fn new(latency: Duration, rate: f64, after_write: bool, seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        Self {
            latency,
            rate,
            after_write,
            rng: Mutex::new(rng),
        }
    }

    /// Draws whether this request fails: the fault and whether it may strike after the write.
    fn draw(&self) -> Option<(Fault, bool)> {
        if self.rate <= 0.0 {
            return None;
        }
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        if rng.random::<f64>() >= self.rate {
            return None;
        }
        let fault = match rng.random_range(0..3u8) {
            0 => Fault::RateLimited,
            1 => Fault::Unavailable,
            _ => Fault::Dropped,
        };
        Some((fault, rng.random_bool(0.5)))
    }
}

/// Middleware: sleeps the configured latency, then maybe answers with a fault.
pub(crate) async fn inject(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let faults = &state.faults;
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let Some((fault, after_coin)) = faults.draw() else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::params::MAX_BODY).await else {
        return answer(fault);
    };
    let idempotent = is_idempotent(&parts.method, parts.uri.path(), &bytes);
    let after = after_coin && (idempotent || faults.after_write);
    tracing::info!(
        method = %parts.method,
        path = parts.uri.path(),
        ?fault,
        after_write = after,
        "injecting fault"
    );
    if after {
        let request = Request::from_parts(parts, Body::from(bytes));
        drop(next.run(request).await);
    }
    answer(fault)
}

fn answer(fault: Fault) -> Response {
    match fault {
        Fault::RateLimited => {
            let mut response = ApiError::new(
                429,
                "general_rate_limit_exceeded",
                "Rate limit for the current endpoint has been exceeded. Please try again after some time.",
            )
            .into_response();
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
            response
        }
        Fault::Unavailable => ApiError::new(
            503,
            "general_server_error",
            "The server is temporarily unavailable (injected fault).",
        )
        .into_response(),
        Fault::Dropped => {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
    }
}

/// Whether repeating the request cannot apply a write twice. POSTs are idempotent only when
/// they name the id of what they create (a retry then meets 409).
pub(crate) fn is_idempotent(method: &Method, path: &str, body: &[u8]) -> bool {
    let path = path.trim_end_matches('/');
    if *method == Method::PATCH {
        let counter = path.ends_with("/increment") || path.ends_with("/decrement");
        return !counter && !is_transaction_path(path);
    }
    if *method != Method::POST {
        return true;
    }
    if path.ends_with("/operations") || path.ends_with("/transactions") {
        return false;
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let client_id = |v: &Value| v.as_str().is_some_and(|s| s != "unique()");
    let named = [
        "databaseId",
        "tableId",
        "collectionId",
        "rowId",
        "documentId",
        "key",
    ]
    .iter()
    .any(|k| body.get(*k).is_some_and(client_id));
    let bulk = ["rows", "documents"].iter().any(|k| {
        body.get(*k).and_then(Value::as_array).is_some_and(|rows| {
            !rows.is_empty() && rows.iter().all(|r| r.get("$id").is_some_and(client_id))
        })
    });
    // A row create names its table in the path, so only the row id counts there.
    if path.ends_with("/rows") || path.ends_with("/documents") {
        return bulk
            || ["rowId", "documentId"]
                .iter()
                .any(|k| body.get(*k).is_some_and(client_id));
    }
    named
}

fn is_transaction_path(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(segments.as_slice(), ["v1", _, "transactions", _])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_classes() {
        let post = Method::POST;
        let rows = "/v1/tablesdb/db/tables/t/rows";
        assert!(!is_idempotent(
            &post,
            rows,
            br#"{"rowId":"unique()","data":{}}"#
        ));
        assert!(is_idempotent(&post, rows, br#"{"rowId":"r1","data":{}}"#));
        assert!(is_idempotent(
            &post,
            rows,
            br#"{"rows":[{"$id":"a"},{"$id":"b"}]}"#
        ));
        assert!(!is_idempotent(
            &post,
            rows,
            br#"{"rows":[{"$id":"a"},{"x":1}]}"#
        ));
        assert!(is_idempotent(
            &post,
            "/v1/tablesdb",
            br#"{"databaseId":"db","name":"x"}"#
        ));
        assert!(!is_idempotent(&post, "/v1/tablesdb/transactions", b"{}"));
        assert!(!is_idempotent(
            &post,
            "/v1/tablesdb/transactions/t1/operations",
            b"{}"
        ));
        assert!(!is_idempotent(
            &Method::PATCH,
            "/v1/tablesdb/db/tables/t/rows/r/n/increment",
            b""
        ));
        assert!(!is_idempotent(
            &Method::PATCH,
            "/v1/databases/transactions/t1",
            b""
        ));
        assert!(is_idempotent(
            &Method::PATCH,
            "/v1/tablesdb/db/tables/t/rows/r",
            b""
        ));
        assert!(is_idempotent(&Method::GET, rows, b""));
        assert!(!is_idempotent(&post, rows, b"not json"));
    }

    #[test]
    fn seeded_draws_repeat() {
        let a = Faults::new(Duration::ZERO, 0.5, false, Some(7));
        let b = Faults::new(Duration::ZERO, 0.5, false, Some(7));
        let xs: Vec<_> = (0..50).map(|_| a.draw()).collect();
        let ys: Vec<_> = (0..50).map(|_| b.draw()).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().any(Option::is_some) && xs.iter().any(Option::is_none));
        let none = Faults::new(Duration::ZERO, 0.0, false, Some(7));
        assert!((0..100).all(|_| none.draw().is_none()));
    }
}
