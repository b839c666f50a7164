//! What the typed-layer tests share: a database on each backend (the embedded engine, and the
//! HTTP backend talking to an emulator started for the case), and the macro that runs every
//! case once per backend.

use std::sync::Arc;

use appwrite_orm::Database;
use appwrite_orm::backend::Backend;
use appwrite_orm::backend::embedded::EmbeddedBackend;
use appwrite_orm::backend::http::{ApiKey, HttpBackend, HttpConfig};
use appwrite_orm_emulator::{EmulatorConfig, RunningEmulator, spawn};

/// A database on one backend, with whatever must stay alive for it.
pub struct Env {
    pub db: Database,
    _emulator: Option<RunningEmulator>,
}

/// The database `id` on a fresh in-memory engine.
pub async fn embedded(id: &str) -> Env {
    let engine: Arc<dyn Backend> = Arc::new(EmbeddedBackend::in_memory().unwrap());
    Env {
        db: Database::ready(engine, id).await.unwrap(),
        _emulator: None,
    }
}

/// The database `id` over HTTP on a fresh emulator.
pub async fn http(id: &str) -> Env {
    let emulator = spawn(EmulatorConfig::default()).await.unwrap();
    let config = HttpConfig::new(
        emulator.endpoint(),
        emulator.project(),
        ApiKey::new(emulator.key()),
    );
    let backend: Arc<dyn Backend> = Arc::new(HttpBackend::new(config).unwrap());
    Env {
        db: Database::ready(backend, id).await.unwrap(),
        _emulator: Some(emulator),
    }
}

/// Runs each case against both backends, as two tests, on the database `$db`.
#[macro_export]
macro_rules! on_both_backends {
    ($db:literal: $($case:ident),* $(,)?) => {
        mod on_embedded {
            $(#[tokio::test] async fn $case() {
                super::$case($crate::typed_support::embedded($db).await).await
            })*
        }
        mod over_http {
            $(#[tokio::test] async fn $case() {
                super::$case($crate::typed_support::http($db).await).await
            })*
        }
    };
}
