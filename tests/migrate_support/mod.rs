//! Fixtures of the migration tests: one database on the embedded engine or behind the
//! emulator's HTTP server, a request counter around it, and a directory for backups.
//!
//! With `APPWRITE_TEST_ENDPOINT`, `APPWRITE_TEST_PROJECT` and `APPWRITE_TEST_KEY` set, the
//! HTTP cases run against that server instead of the emulator: each case deletes and recreates
//! the database `app` of that project, so use a throwaway project and one test thread
//! (`cargo test --test migrate_runner http:: -- --test-threads=1`).

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use appwrite_orm::Database;
use appwrite_orm::backend::Backend;
use appwrite_orm::backend::counting::CountingBackend;
use appwrite_orm::backend::embedded::{EmbeddedBackend, EmbeddedOptions, Storage};
use appwrite_orm::backend::http::{ApiKey, HttpBackend, HttpConfig};
use appwrite_orm::migrate::MigrateOptions;
use appwrite_orm_emulator::{EmulatorConfig, RunningEmulator};

#[path = "../real_server/mod.rs"]
mod real_server;

/// Which backend a case runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Embedded,
    Http,
}

/// A database for one case.
pub struct Fixture {
    pub kind: Kind,
    /// Every request of the case goes through this counter.
    pub counter: Arc<CountingBackend>,
    /// The database, through the counter.
    pub db: Database,
    /// Backups land here.
    pub dir: tempfile::TempDir,
    engine: Arc<dyn Backend>,
    emulator: Option<RunningEmulator>,
}

/// How long new columns and indexes stay `processing`, so that every case polls.
pub const COLUMN_DELAY: Duration = Duration::from_millis(30);

impl Fixture {
    pub async fn new(kind: Kind) -> Fixture {
        Self::with_delay(kind, COLUMN_DELAY).await
    }

    pub async fn with_delay(kind: Kind, column_delay: Duration) -> Fixture {
        let engine =
            EmbeddedBackend::with_options(Storage::Memory, EmbeddedOptions { column_delay })
                .expect("embedded engine");
        let engine: Arc<dyn Backend> = Arc::new(engine);
        let (backend, emulator) = match kind {
            Kind::Embedded => (Arc::clone(&engine), None),
            Kind::Http if real_server::from_env().is_some() => (fresh_real_database().await, None),
            Kind::Http => {
                let emulator = appwrite_orm_emulator::spawn_with_backend(
                    EmulatorConfig::default(),
                    Arc::clone(&engine),
                )
                .await
                .expect("emulator");
                (client(&emulator), Some(emulator))
            }
        };
        let counter = Arc::new(CountingBackend::new(backend));
        let db = Database::ready(Arc::clone(&counter) as Arc<dyn Backend>, "app")
            .await
            .expect("database");
        counter.reset();
        Fixture {
            kind,
            counter,
            db,
            dir: tempfile::tempdir().expect("temporary directory"),
            engine,
            emulator,
        }
    }

    /// Another client of the same database (a second replica): over HTTP a second HTTP
    /// backend, on the embedded engine the same engine.
    pub fn replica(&self) -> Database {
        let backend = match (&self.emulator, self.kind, real_server::from_env()) {
            (Some(emulator), _, _) => client(emulator),
            (None, Kind::Http, Some(server)) => server.client(),
            (None, _, _) => Arc::clone(&self.engine),
        };
        Database::new(backend, "app")
    }

    /// True when the case runs against a real server (`APPWRITE_TEST_*`), where the
    /// emulator's knobs (column delay) do not apply.
    pub fn on_real_server(&self) -> bool {
        self.kind == Kind::Http && self.emulator.is_none()
    }

    /// Options for the tests: backups in the case's directory, short lock and polls.
    pub fn options(&self) -> MigrateOptions {
        let mut options = MigrateOptions::default()
            .backups_in(self.dir.path())
            .lock_ttl(Duration::from_secs(5));
        options.poll_start = Duration::from_millis(10);
        options.poll_max = Duration::from_millis(200);
        options.poll_timeout = Duration::from_secs(20);
        options.host = format!("test-{:?}", self.kind).to_lowercase();
        options
    }
}

/// A client of the real server whose database `app` was just deleted (what an earlier case
/// left is gone; `Database::ready` creates it again).
async fn fresh_real_database() -> Arc<dyn Backend> {
    let server = real_server::from_env().expect("a real server is configured");
    let backend = server.client();
    match backend.delete_database("app").await {
        Ok(()) => {}
        Err(e) if e.is_not_found() => {}
        Err(e) => panic!("could not delete the database `app` of the test project: {e}"),
    }
    backend
}

fn client(emulator: &RunningEmulator) -> Arc<dyn Backend> {
    let mut config = HttpConfig::new(
        emulator.endpoint(),
        emulator.project(),
        ApiKey::new(emulator.key()),
    );
    // Known version: no `GET /v1/health/version`, so every request is a Backend call.
    config.server_version = Some(appwrite_orm_emulator::VERSION.to_owned());
    config.timeout = Duration::from_secs(30);
    Arc::new(HttpBackend::new(config).expect("HTTP backend"))
}

/// Runs each case on both backends: `mod embedded { case() }` and `mod http { case() }`.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::$case(super::migrate_support::Kind::Embedded).await
                }
            )*
        }
        mod http {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::$case(super::migrate_support::Kind::Http).await
                }
            )*
        }
    };
}
