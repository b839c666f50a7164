//! Builders shared by the tests of the migration modules.

use crate::api::{Column, ColumnStatus, Index, Table};
use crate::migrate::records::history::{HistoryEntry, VersionStatus};
use crate::schema::{ColumnSchema, IndexSchema, TableSchema};

/// A live table exactly as `schema` declares it, everything available (as of version 1).
pub(crate) fn live_table(schema: &TableSchema) -> Table {
    Table {
        id: schema.id.clone(),
        name: schema.name.clone(),
        database_id: "db".into(),
        created_at: String::new(),
        updated_at: String::new(),
        permissions: schema.permissions.clone(),
        row_security: schema.row_security,
        enabled: true,
        columns: schema
            .columns
            .iter()
            .map(|c| Column {
                schema: ColumnSchema {
                    since: 1,
                    ..c.clone()
                },
                status: ColumnStatus::Available,
                error: String::new(),
                created_at: String::new(),
                updated_at: String::new(),
            })
            .collect(),
        indexes: schema
            .indexes
            .iter()
            .map(|i| Index {
                schema: IndexSchema {
                    since: 1,
                    ..i.clone()
                },
                status: ColumnStatus::Available,
                error: String::new(),
                created_at: String::new(),
                updated_at: String::new(),
            })
            .collect(),
    }
}

/// A finished history row of `version`.
pub(crate) fn history_entry(
    version: u32,
    name: &str,
    checksum: &str,
    status: VersionStatus,
) -> HistoryEntry {
    HistoryEntry {
        version,
        name: name.to_owned(),
        checksum: checksum.to_owned(),
        status,
        started_at: String::new(),
        finished_at: "2026-01-01T00:00:00.000+00:00".into(),
        duration_ms: 0,
        rows_touched: 0,
        schema_fingerprint: String::new(),
        checkpoint: String::new(),
        error: String::new(),
        host: String::new(),
        allowed: Vec::new(),
    }
}
