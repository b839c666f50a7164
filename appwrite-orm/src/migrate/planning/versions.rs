//! One line per version for `status`: every version the binary or the database knows, with
//! where it stands.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::migrate::planning::plan::VersionInfo;
use crate::migrate::records::history::{HistoryEntry, VersionStatus};

/// Where one version stands, comparing the binary with the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    /// Applied with the checksum this binary has.
    Applied,
    /// Known to the binary, not applied yet.
    Pending,
    /// The last attempt failed; the next run resumes it.
    Failed,
    /// Started and not finished: running now, or its run crashed.
    Running,
    /// Applied, but the binary's migration has another checksum (edited after it ran).
    ChecksumChanged,
    /// Recorded in the database, unknown to this binary.
    Missing,
}

impl VersionState {
    /// The state as a word (`applied`, `checksum_changed`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            VersionState::Applied => "applied",
            VersionState::Pending => "pending",
            VersionState::Failed => "failed",
            VersionState::Running => "running",
            VersionState::ChecksumChanged => "checksum_changed",
            VersionState::Missing => "missing",
        }
    }
}

/// One version in [`MigrationStatus::versions`](crate::migrate::MigrationStatus::versions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionLine {
    /// The version.
    pub version: u32,
    /// The binary's name for it, or the recorded one.
    pub name: String,
    /// Where it stands.
    pub state: VersionState,
    /// When its last attempt finished (empty when it never ran).
    pub applied_at: String,
    /// How long its last attempt took, in milliseconds.
    pub duration_ms: Option<u64>,
    /// Rows its last attempt wrote.
    pub rows_touched: Option<u64>,
    /// The recorded error of a failed attempt.
    pub error: String,
    /// The lint codes the version allowed when it ran, as its history row records them.
    pub allowed: Vec<String>,
}

/// Every version of `known` (the binary) and `history` (the database), ascending.
pub(crate) fn lines(
    known: &[VersionInfo],
    history: &BTreeMap<u32, HistoryEntry>,
) -> Vec<VersionLine> {
    let all: BTreeSet<u32> = known
        .iter()
        .map(|v| v.version)
        .chain(history.keys().copied())
        .collect();
    all.into_iter()
        .map(|version| {
            let info = known.iter().find(|v| v.version == version);
            let entry = history.get(&version);
            let state = match (info, entry) {
                (_, None) => VersionState::Pending,
                (None, Some(_)) => VersionState::Missing,
                (Some(info), Some(e)) => match e.status {
                    VersionStatus::Failed => VersionState::Failed,
                    VersionStatus::Running => VersionState::Running,
                    VersionStatus::Applied => {
                        if info.checksum.as_deref().unwrap_or("") == e.checksum {
                            VersionState::Applied
                        } else {
                            VersionState::ChecksumChanged
                        }
                    }
                },
            };
            VersionLine {
                version,
                name: info
                    .map(|i| i.name.clone())
                    .or_else(|| entry.map(|e| e.name.clone()))
                    .unwrap_or_default(),
                state,
                applied_at: entry.map(|e| e.finished_at.clone()).unwrap_or_default(),
                duration_ms: entry.map(|e| e.duration_ms),
                rows_touched: entry.map(|e| e.rows_touched),
                error: entry.map(|e| e.error.clone()).unwrap_or_default(),
                allowed: entry.map(|e| e.allowed.clone()).unwrap_or_default(),
            }
        })
        .collect()
}
