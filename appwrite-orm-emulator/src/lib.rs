//! # appwrite-orm-emulator
//!
//! An HTTP server that speaks Appwrite 1.9.6's Databases REST API on top of the appwrite-orm
//! embedded engine (SQLite), so that the official SDKs, `curl` and appwrite-orm's own HTTP
//! backend can be tested without an Appwrite server.
//!
//! - Routes: `/v1/tablesdb/...` (TablesDB) and `/v1/databases/...` (the legacy collections,
//!   attributes and documents, with legacy names in requests, answers and error types), both
//!   over one engine, plus `GET /v1/health/version`.
//! - Appwrite's status codes, JSON models and error bodies; project and key checks.
//! - Test knobs: latency per request, injected faults (429 with `Retry-After`, 503, dropped
//!   connections), column delay (new columns stay `processing` for a while).
//!
//! ```no_run
//! # async fn demo() -> Result<(), appwrite_orm_emulator::EmulatorError> {
//! use appwrite_orm_emulator::{EmulatorConfig, spawn};
//!
//! let emulator = spawn(EmulatorConfig::default()).await?;
//! println!("Appwrite at {} (project {})", emulator.endpoint(), emulator.project());
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod auth;
mod config;
mod errors;
mod faults;
mod legacy;
mod listing;
mod logging;
mod params;
mod routes;
mod row_rules;
mod schema_body;
mod server;
mod state;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use appwrite_orm::backend::Backend;
use appwrite_orm::backend::embedded::{EmbeddedBackend, EmbeddedOptions, Storage};
use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::EmulatorConfig;
pub use errors::VERSION;

use crate::faults::Faults;
use crate::legacy::Family;
use crate::state::AppState;

/// Why the emulator could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The configuration is not usable.
    Config(String),
    /// The embedded engine could not open its storage.
    Engine(appwrite_orm::Error),
    /// Binding the listening socket failed.
    Io(std::io::Error),
}

impl fmt::Display for EmulatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmulatorError::Config(m) => write!(f, "invalid emulator configuration: {m}"),
            EmulatorError::Engine(e) => write!(f, "could not open the embedded engine: {e}"),
            EmulatorError::Io(e) => write!(f, "could not listen: {e}"),
        }
    }
}

impl std::error::Error for EmulatorError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EmulatorError::Config(_) => None,
            EmulatorError::Engine(e) => Some(e),
            EmulatorError::Io(e) => Some(e),
        }
    }
}

/// The embedded engine the configuration asks for (file or memory, column delay).
pub fn engine(config: &EmulatorConfig) -> Result<EmbeddedBackend, EmulatorError> {
    let storage = match &config.data {
        Some(path) => Storage::File(path.clone()),
        None => Storage::Memory,
    };
    let options = EmbeddedOptions {
        column_delay: config.column_delay,
    };
    EmbeddedBackend::with_options(storage, options).map_err(EmulatorError::Engine)
}

/// The emulator's routes over `backend`, with the project/key checks, latency and faults of
/// `config`. Serve it with [`spawn`] (or [`spawn_with_backend`]): a plain `axum::serve` works
/// too, but cannot drop connections, so the dropped-connection fault then answers 500.
pub fn router(backend: Arc<dyn Backend>, config: &EmulatorConfig) -> Router {
    build(backend, config).0
}

/// The router and the state its handlers share (the running server reads its request count
/// there).
fn build(backend: Arc<dyn Backend>, config: &EmulatorConfig) -> (Router, AppState) {
    let faults = Faults::new(
        config.latency,
        config.fault_rate,
        config.faults_after_write,
        config.seed,
    );
    let state = AppState::new(backend, &config.project, &config.key, faults);
    let api = Router::new()
        .nest("/v1/tablesdb", routes::family_routes(Family::TablesDb))
        .nest(
            "/v1/databases",
            routes::family_routes(Family::Legacy).layer(from_fn(errors::render_legacy_errors)),
        )
        .route_layer(from_fn_with_state(state.clone(), auth::authenticate));
    let router = Router::new()
        .route("/v1/health/version", get(routes::version))
        .merge(api)
        .fallback(route_not_found)
        .method_not_allowed_fallback(route_not_found)
        .layer(from_fn(logging::log))
        .layer(from_fn_with_state(state.clone(), faults::inject))
        .layer(from_fn_with_state(state.clone(), logging::count))
        .with_state(state.clone());
    (router, state)
}

async fn route_not_found() -> axum::response::Response {
    errors::route_not_found().into_response()
}

/// A running emulator. Dropping it stops the server (as [`shutdown`](Self::shutdown) does,
/// without waiting).
pub struct RunningEmulator {
    addr: SocketAddr,
    project: String,
    key: String,
    backend: Arc<dyn Backend>,
    state: AppState,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("endpoint", &self.endpoint())
            .field("project", &self.project)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl RunningEmulator {
    /// The base URL clients use, e.g. `http://127.0.0.1:41234/v1`.
    pub fn endpoint(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The project id to send in `X-Appwrite-Project`.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// The API key to send in `X-Appwrite-Key`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The engine behind the server (to seed or inspect data directly).
    pub fn backend(&self) -> Arc<dyn Backend> {
        Arc::clone(&self.backend)
    }

    /// Every HTTP request the server has received since it started, whatever its answer:
    /// requests answered with an injected fault or a dropped connection, unknown routes and
    /// refused keys count too, so a client's retries show. Counted as each request arrives,
    /// before the configured latency; cheap enough to read around any piece of work:
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), appwrite_orm_emulator::EmulatorError> {
    /// let emulator = appwrite_orm_emulator::spawn(Default::default()).await?;
    /// let before = emulator.requests();
    /// // ... talk to emulator.endpoint() ...
    /// println!("{} requests", emulator.requests() - before);
    /// # Ok(()) }
    /// ```
    pub fn requests(&self) -> u64 {
        self.state.requests()
    }

    /// Stops accepting, closes open connections and waits for the server task to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Starts an emulator on the embedded engine the configuration describes: binds
/// `host:port` (port 0 picks a free one) and serves in a background task of the current Tokio
/// runtime.
pub async fn spawn(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
    config.validate().map_err(EmulatorError::Config)?;
    let backend = engine(&config)?;
    spawn_with_backend(config, Arc::new(backend)).await
}

/// Starts an emulator serving any [`Backend`] (a wrapped engine, a counter, ...).
/// `config.data` and `config.column_delay` are ignored: the backend brings its own storage.
pub async fn spawn_with_backend(
    config: EmulatorConfig,
    backend: Arc<dyn Backend>,
) -> Result<RunningEmulator, EmulatorError> {
    config.validate().map_err(EmulatorError::Config)?;
    let listener = TcpListener::bind((config.host.as_str(), config.port))
        .await
        .map_err(EmulatorError::Io)?;
    let addr = listener.local_addr().map_err(EmulatorError::Io)?;
    let (router, state) = build(Arc::clone(&backend), &config);
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(server::serve(listener, router, stopped));
    tracing::info!(endpoint = %format!("http://{addr}/v1"), project = %config.project, "emulator listening");
    Ok(RunningEmulator {
        addr,
        project: config.project,
        key: config.key,
        backend,
        state,
        stop,
        task: Some(task),
    })
}
