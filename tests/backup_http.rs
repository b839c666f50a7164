//! Backup and restore through the HTTP backend, against the emulator: 1,000 rows of every
//! column kind into a second database, compared row by row.

mod backup_support;

use std::sync::Arc;
use std::time::Duration;

use appwrite_orm::Database;
use appwrite_orm::backend::Backend;
use appwrite_orm::backend::http::{ApiKey, HttpBackend, HttpConfig};
use appwrite_orm::backup::{self, RestoreOptions};
use appwrite_orm_emulator::{EmulatorConfig, spawn};
use backup_support::{TABLE, compare, fill};

#[tokio::test]
async fn a_backup_round_trips_through_http() {
    let emulator = spawn(EmulatorConfig {
        column_delay: Duration::from_millis(20),
        ..EmulatorConfig::default()
    })
    .await
    .expect("start the emulator");
    let mut config = HttpConfig::new(
        emulator.endpoint(),
        emulator.project(),
        ApiKey::new(emulator.key()),
    );
    config.timeout = Duration::from_secs(30);
    let backend: Arc<dyn Backend> = Arc::new(HttpBackend::new(config).unwrap());
    let source = Database::ready(Arc::clone(&backend), "source")
        .await
        .unwrap();
    fill(&source, 1_000).await;
    let dir = tempfile::tempdir().unwrap();
    let taken = backup::backup(&source, dir.path(), None).await.unwrap();
    assert_eq!(taken.rows, 1_000);

    let copy = Database::ready(Arc::clone(&backend), "copy").await.unwrap();
    let restored = backup::restore(&copy, dir.path()).await.unwrap();
    assert_eq!(restored.rows, 1_000);
    assert_eq!(compare(&source, &copy, TABLE).await, 1_000);

    // Replacing: rows changed since the backup come back as they were.
    copy.rows(TABLE).delete("row000010").await.unwrap();
    let options = RestoreOptions::default().replace(true);
    backup::restore_with(&copy, dir.path(), &options)
        .await
        .unwrap();
    assert_eq!(compare(&source, &copy, TABLE).await, 1_000);
}
