//! Stable schema fingerprints. (Being written.)

use super::TableSchema;

pub(crate) fn table_fingerprint(table: &TableSchema) -> String {
    tables_fingerprint([table])
}

pub(crate) fn tables_fingerprint<'a>(tables: impl IntoIterator<Item = &'a TableSchema>) -> String {
    tables
        .into_iter()
        .map(|t| t.id.clone())
        .collect::<Vec<_>>()
        .join(",")
}
