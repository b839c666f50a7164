//! One `tracing` event per request: method, path (never the query string or headers, which
//! may carry data or the key), status and duration; and the count of requests received.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Middleware, outermost: counts each request as it arrives, before latency and fault
/// injection, so that a request answered with an injected fault (or a dropped connection)
/// counts like any other: a client's retries are requests the server had to take.
pub(crate) async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    state.count_request();
    next.run(request).await
}

/// Middleware: logs each request when its answer is ready.
pub(crate) async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}
