//! [`Migrator::baseline`]: adopt a database whose schema already exists (made by hand, by
//! another tool, or restored from a dump) at a version, without running anything.

use std::sync::Arc;

use crate::migrate::Migrator;
use crate::migrate::error::MigrateError;
use crate::migrate::planning::plan;
use crate::migrate::records::history::{History, HistoryEntry, VersionStatus, now};
use crate::migrate::records::lock::Lock;
use crate::schema::schema_fingerprint;
use crate::{Database, Result};

impl Migrator {
    /// Records every version of this binary up to `version` as applied, with its checksum,
    /// without running schema operations or steps, and moves the head row to `version` (the
    /// host column of those rows says `(baseline)`).
    /// Versions the history already has are kept as they are. Returns the versions recorded.
    ///
    /// For a database that already has the schema of `version`: the next
    /// [`run`](Migrator::run) applies only what is above it (and creates whatever of the
    /// declared schema up to `version` is still missing). Refuses a version above the
    /// binary's target.
    pub async fn baseline(&self, db: &Database, version: u32) -> Result<Vec<u32>> {
        let prepared = self.prepare()?;
        if version > prepared.target {
            return Err(MigrateError::Step(format!(
                "cannot baseline at version {version}: this binary knows versions up to {}",
                prepared.target
            ))
            .into());
        }
        let history = History::new(
            Arc::clone(db.backend()),
            db.id(),
            &self.options.history_table,
        );
        history.ensure().await?;
        let lock = Lock::acquire(&history, &self.options).await?;
        let result = async {
            let snapshot = history.read_all().await?;
            let mut recorded = Vec::new();
            for info in prepared.versions.iter().filter(|v| v.version <= version) {
                if snapshot.versions.contains_key(&info.version) {
                    continue;
                }
                let stamp = now();
                history
                    .write_entry(&HistoryEntry {
                        version: info.version,
                        name: info.name.clone(),
                        checksum: info.checksum.clone().unwrap_or_default(),
                        status: VersionStatus::Applied,
                        started_at: stamp.clone(),
                        finished_at: stamp,
                        duration_ms: 0,
                        rows_touched: 0,
                        schema_fingerprint: schema_fingerprint(&plan::schema_at(
                            &prepared.tables,
                            info.version,
                        )),
                        checkpoint: String::new(),
                        error: String::new(),
                        host: format!("{} (baseline)", self.options.host),
                    })
                    .await?;
                recorded.push(info.version);
            }
            // No fingerprint: the next run checks the live schema against the declared one
            // once (and creates what is missing) before trusting the head row.
            history.write_head(version, "").await?;
            tracing::warn!(
                version,
                ?recorded,
                "database adopted at a version (baseline)"
            );
            Ok(recorded)
        }
        .await;
        lock.release().await?;
        result
    }
}
