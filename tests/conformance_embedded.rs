//! The conformance suite over the embedded engine (SQLite in process).
//!
//! Every case gets its own backend: in memory, or in a file inside a fresh temporary directory
//! for the persistence cases.

#[macro_use]
mod conformance;

use std::sync::Arc;

use appwrite_orm::backend::Backend;
use appwrite_orm::backend::embedded::{EmbeddedBackend, EmbeddedOptions, Storage};
use conformance::{Fixture, FixtureFuture, FixtureOptions};

// `..Default::default()` keeps this compiling when the engine grows options.
#[allow(clippy::needless_update)]
fn open(storage: Storage, options: &FixtureOptions) -> appwrite_orm::Result<Arc<dyn Backend>> {
    let backend = EmbeddedBackend::with_options(
        storage,
        EmbeddedOptions {
            column_delay: options.column_delay,
            ..Default::default()
        },
    )?;
    Ok(Arc::new(backend))
}

fn embedded(options: FixtureOptions) -> FixtureFuture {
    Box::pin(async move {
        if options.persistent {
            let dir = tempfile::tempdir().expect("temporary directory");
            let path = dir.path().join("conformance.db");
            let backend = open(Storage::File(path.clone()), &options).expect("open file storage");
            let reopen_options = options.clone();
            Fixture::new(backend)
                .keep(dir)
                .with_reopen(Box::new(move || {
                    open(Storage::File(path.clone()), &reopen_options)
                }))
        } else {
            let backend = open(Storage::Memory, &options).expect("open memory storage");
            let reopen_options = options.clone();
            // Reopening memory storage gives a new, empty database.
            Fixture::new(backend)
                .with_reopen(Box::new(move || open(Storage::Memory, &reopen_options)))
        }
    })
}

conformance_suite!(embedded);
conformance_persistence_suite!(embedded);
