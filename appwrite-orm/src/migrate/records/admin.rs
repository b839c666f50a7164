//! The administrative operations on the history, each under the migration lock: adopting a
//! database whose schema already exists at a version (baseline), accepting the checksums of
//! edited migrations (repair), forgetting a version; and removing a lock left behind.

use crate::migrate::Migrator;
use crate::migrate::error::MigrateError;
use crate::migrate::planning::plan::{VersionInfo, schema_at};
use crate::migrate::planning::prepare::Prepared;
use crate::migrate::records::history::{History, HistoryEntry, VersionStatus, now};
use crate::migrate::records::locked::LockedHistory;
use crate::schema::schema_fingerprint;
use crate::{Database, Result};

/// Records every version of the binary up to `version` as applied and moves the head there;
/// the versions recorded.
pub(crate) async fn baseline(migrator: &Migrator, db: &Database, version: u32) -> Result<Vec<u32>> {
    let prepared = migrator.prepare()?;
    if version > prepared.target {
        return Err(MigrateError::Step(format!(
            "cannot baseline at version {version}: this binary knows versions up to {}",
            prepared.target
        ))
        .into());
    }
    let locked = LockedHistory::open(db, migrator.options()).await?;
    let host = format!("{} (baseline)", migrator.options().host);
    let result = record_baseline(locked.history(), &prepared, version, &host).await;
    locked.release_with(result).await
}

async fn record_baseline(
    history: &History,
    prepared: &Prepared,
    version: u32,
    host: &str,
) -> Result<Vec<u32>> {
    let snapshot = history.read_all().await?;
    let mut recorded = Vec::new();
    for info in prepared.versions.iter().filter(|v| v.version <= version) {
        if snapshot.versions.contains_key(&info.version) {
            continue;
        }
        history
            .write_entry(&baseline_entry(info, prepared, host))
            .await?;
        recorded.push(info.version);
    }
    // No fingerprint: the next run checks the live schema against the declared one once (and
    // creates what is missing) before trusting the head row.
    history.write_head(version, "").await?;
    tracing::warn!(
        version,
        ?recorded,
        "database adopted at a version (baseline)"
    );
    Ok(recorded)
}

/// The history row of a version adopted without running.
fn baseline_entry(info: &VersionInfo, prepared: &Prepared, host: &str) -> HistoryEntry {
    let stamp = now();
    HistoryEntry {
        version: info.version,
        name: info.name.clone(),
        checksum: info.checksum.clone().unwrap_or_default(),
        status: VersionStatus::Applied,
        started_at: stamp.clone(),
        finished_at: stamp,
        duration_ms: 0,
        rows_touched: 0,
        schema_fingerprint: schema_fingerprint(&schema_at(&prepared.tables, info.version)),
        checkpoint: String::new(),
        error: String::new(),
        host: host.to_owned(),
        // Adopted, not run: no lint finding was acknowledged.
        allowed: Vec::new(),
    }
}

/// Accepts the binary's checksums for the applied versions whose migration was edited; the
/// versions updated.
pub(crate) async fn repair(migrator: &Migrator, db: &Database) -> Result<Vec<u32>> {
    let prepared = migrator.prepare()?;
    let locked = LockedHistory::open(db, migrator.options()).await?;
    let result = accept_checksums(locked.history(), &prepared).await;
    locked.release_with(result).await
}

async fn accept_checksums(history: &History, prepared: &Prepared) -> Result<Vec<u32>> {
    let snapshot = history.read_all().await?;
    let mut repaired = Vec::new();
    for entry in snapshot.versions.values() {
        if entry.status != VersionStatus::Applied {
            continue;
        }
        if let Some(m) = prepared
            .migrations
            .iter()
            .find(|m| m.version == entry.version)
            && m.checksum != entry.checksum
        {
            tracing::warn!(
                version = entry.version,
                recorded = %entry.checksum,
                accepted = %m.checksum,
                "accepting a changed migration checksum"
            );
            let mut fixed = entry.clone();
            fixed.checksum = m.checksum.clone();
            history.write_entry(&fixed).await?;
            repaired.push(entry.version);
        }
    }
    // The head's fingerprint covers checksums: the next run re-checks everything.
    if !repaired.is_empty() {
        history.write_head(0, "").await?;
    }
    Ok(repaired)
}

/// Deletes the history row of `version`; whether there was one.
pub(crate) async fn forget(migrator: &Migrator, db: &Database, version: u32) -> Result<bool> {
    let locked = LockedHistory::open(db, migrator.options()).await?;
    let result = forget_version(locked.history(), version).await;
    locked.release_with(result).await
}

async fn forget_version(history: &History, version: u32) -> Result<bool> {
    let deleted = history.delete_entry(version).await?;
    if deleted {
        tracing::warn!(version, "migration history row deleted");
        // The head's fingerprint covers the history: the next run re-checks everything.
        history.write_head(0, "").await?;
    }
    Ok(deleted)
}

/// Removes the lock row whoever holds it; whether there was one.
pub(crate) async fn force_unlock(migrator: &Migrator, db: &Database) -> Result<bool> {
    History::of(db, &migrator.options().history_table)
        .force_unlock()
        .await
}
