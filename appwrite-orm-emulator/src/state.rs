//! What every handler shares: the engine, the accepted project and key, and the little state
//! the emulator keeps beside the engine where the [`Backend`] trait has no place for it.

use std::collections::{HashMap, HashSet};
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use appwrite_orm::backend::Backend;

use crate::faults::Faults;

/// Handler state: cheap to clone.
#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

/// The shared parts of [`AppState`].
pub(crate) struct Shared {
    /// The engine every route family serves.
    pub(crate) backend: Arc<dyn Backend>,
    /// The accepted `X-Appwrite-Project`.
    pub(crate) project: String,
    /// The accepted `X-Appwrite-Key`.
    pub(crate) key: String,
    /// Fault and latency injection.
    pub(crate) faults: Faults,
    /// Database settings the trait cannot store (see [`DatabaseOverlay`]).
    databases: Mutex<HashMap<String, DatabaseOverlay>>,
    /// Transactions created through this server (the trait cannot list or delete them).
    transactions: Mutex<TransactionLog>,
    /// Every HTTP request received, faulted ones included (see [`Shared::count_request`]).
    requests: AtomicU64,
}

/// What the emulator remembers about a database beyond the engine: the trait has no database
/// update and no database type, so a rename, the `enabled` flag and "created through the legacy
/// API" live here, in memory, for the life of the server.
#[derive(Debug, Clone, Default)]
pub(crate) struct DatabaseOverlay {
    /// Name set by `PUT /tablesdb/{db}`.
    pub(crate) name: Option<String>,
    /// `enabled` as last set.
    pub(crate) enabled: Option<bool>,
    /// Created through `/v1/databases`: answered with `type: legacy`.
    pub(crate) legacy: bool,
    /// `$updatedAt` of the last update through the overlay.
    pub(crate) updated_at: Option<String>,
}

/// Transactions in creation order, and those deleted.
#[derive(Debug, Default)]
pub(crate) struct TransactionLog {
    /// Ids in creation order.
    pub(crate) created: Vec<String>,
    /// Ids deleted through `DELETE /transactions/{id}`.
    pub(crate) deleted: HashSet<String>,
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// State over a backend.
    pub(crate) fn new(backend: Arc<dyn Backend>, project: &str, key: &str, faults: Faults) -> Self {
        Self(Arc::new(Shared {
            backend,
            project: project.to_owned(),
            key: key.to_owned(),
            faults,
            databases: Mutex::new(HashMap::new()),
            transactions: Mutex::new(TransactionLog::default()),
            requests: AtomicU64::new(0),
        }))
    }
}

impl Shared {
    /// The overlays of all databases.
    pub(crate) fn databases(&self) -> MutexGuard<'_, HashMap<String, DatabaseOverlay>> {
        self.databases.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The transaction log.
    pub(crate) fn transactions(&self) -> MutexGuard<'_, TransactionLog> {
        self.transactions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one received request. Relaxed: the count is a statistic read after the fact,
    /// it orders nothing else.
    pub(crate) fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests received since the server started.
    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
}
