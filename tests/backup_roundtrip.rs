//! 50,000 rows through backup and restore on the embedded engine: every row compared, memory
//! measured. Run alone (it is the only test of this binary) so that the RSS numbers are its
//! own; `--nocapture` prints them.

mod backup_support;

use std::time::Instant;

use appwrite_orm::Database;
use appwrite_orm::backup;
use backup_support::{RssSampler, TABLE, compare, fill};

const ROWS: u64 = 50_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_thousand_rows_round_trip_in_constant_memory() {
    let work = tempfile::tempdir().unwrap();
    let source = Database::embedded(work.path().join("source.db"))
        .await
        .unwrap();
    fill(&source, ROWS).await;
    let dir = work.path().join("backup");

    let sampler = RssSampler::start();
    let started = Instant::now();
    let taken = backup::backup(&source, &dir, None).await.unwrap();
    let backup_time = started.elapsed();
    let (backup_base, backup_growth) = sampler.stop();
    assert_eq!(taken.rows, ROWS);
    let jsonl = std::fs::metadata(dir.join(format!("{TABLE}.jsonl")))
        .unwrap()
        .len();
    assert_eq!(taken.bytes, jsonl);

    // Again, warm: the first run also pays for the blocking pool's threads and SQLite's page
    // cache (2 MiB); what remains is the steady state.
    let sampler = RssSampler::start();
    backup::backup(&source, &work.path().join("again"), None)
        .await
        .unwrap();
    let (_, warm_growth) = sampler.stop();

    let target = Database::embedded(work.path().join("target.db"))
        .await
        .unwrap();
    let sampler = RssSampler::start();
    let started = Instant::now();
    let restored = backup::restore(&target, &dir).await.unwrap();
    let restore_time = started.elapsed();
    let (restore_base, restore_growth) = sampler.stop();
    assert_eq!(restored.rows, ROWS);

    let compared = compare(&source, &target, TABLE).await;
    assert_eq!(compared, ROWS);
    let live = target
        .backend()
        .get_table(target.id(), TABLE)
        .await
        .unwrap();
    assert_eq!(live.permissions, vec!["read(\"any\")".to_owned()]);
    assert!(live.row_security);
    assert_eq!(live.indexes.len(), 2);

    let kib = jsonl / 1024;
    eprintln!(
        "backup of {ROWS} rows: {backup_time:?}, RSS {backup_base} KiB + peak {backup_growth} KiB \
         (second backup: + {warm_growth} KiB); \
         restore: {restore_time:?}, RSS {restore_base} KiB + peak {restore_growth} KiB; \
         JSONL {kib} KiB"
    );
    // Constant memory: neither direction holds the table (the JSONL is the table's size); the
    // bound leaves room for one-off costs (threads, caches) that do not grow with the rows.
    assert!(
        backup_growth < kib / 2,
        "backup grew RSS by {backup_growth} KiB for {kib} KiB of rows"
    );
    assert!(
        restore_growth < kib / 2,
        "restore grew RSS by {restore_growth} KiB for {kib} KiB of rows"
    );
}
