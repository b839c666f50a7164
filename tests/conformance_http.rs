//! The conformance suite again, through the HTTP backend: by default against the emulator
//! (Appwrite's REST API served over the embedded engine), so that the HTTP mapping of every
//! operation is checked against the same expectations as the engine itself.
//!
//! To run it against a real Appwrite server instead, point these variables at a **throwaway
//! project** (every database in it is deleted before each case) and run the cases one at a
//! time:
//!
//! ```sh
//! APPWRITE_TEST_ENDPOINT=https://appwrite.example.com/v1 \
//! APPWRITE_TEST_PROJECT=orm-conformance APPWRITE_TEST_KEY=... \
//!     cargo test --test conformance_http -- --test-threads=1
//! ```

#[macro_use]
mod conformance;
mod real_server;

use std::sync::Arc;

use appwrite_orm::backend::Backend;
use appwrite_orm_emulator::{EmulatorConfig, spawn};
use conformance::{Fixture, FixtureFuture, FixtureOptions};

async fn wipe(backend: &Arc<dyn Backend>) {
    loop {
        let databases = backend.list_databases(&[]).await.expect("list databases");
        if databases.items.is_empty() {
            break;
        }
        for db in databases.items {
            backend
                .delete_database(&db.id)
                .await
                .expect("delete database");
        }
    }
}

fn http(options: FixtureOptions) -> FixtureFuture {
    Box::pin(async move {
        if let Some(server) = real_server::from_env() {
            let backend = server.client();
            wipe(&backend).await;
            return Fixture::new(backend).on_real_server();
        }
        let emulator = spawn(EmulatorConfig {
            column_delay: options.column_delay,
            ..EmulatorConfig::default()
        })
        .await
        .expect("start the emulator");
        let backend = real_server::client(&emulator.endpoint(), emulator.project(), emulator.key());
        Fixture::new(backend).keep(emulator)
    })
}

conformance_suite!(http);
