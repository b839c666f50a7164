//! The column renames a run plans with: those given at run time
//! ([`MigrateOptions::rename_column`](crate::migrate::MigrateOptions::rename_column)) and those
//! declared next to the field (`#[column(renamed_from = "…")]`, [`ColumnSchema::renamed_from`]),
//! each once. Pure.
//!
//! The list is an input of the plan, so it is also part of the binary's fingerprint: a boot
//! whose renames changed plans again instead of taking the one-request path.
//!
//! [`ColumnSchema::renamed_from`]: crate::schema::ColumnSchema::renamed_from

use crate::migrate::planning::plan::ColumnRename;
use crate::schema::TableSchema;

/// The options' renames, then the declared ones, without repeats: a rename declared both
/// ways is planned once.
pub(crate) fn effective(options: &[ColumnRename], tables: &[TableSchema]) -> Vec<ColumnRename> {
    let mut out: Vec<ColumnRename> = Vec::with_capacity(options.len());
    for rename in options.iter().cloned().chain(declared(tables)) {
        if !out.contains(&rename) {
            out.push(rename);
        }
    }
    out
}

/// `ColumnRename { table, from: renamed_from, to: key }` for every column that declares one.
fn declared(tables: &[TableSchema]) -> impl Iterator<Item = ColumnRename> + '_ {
    tables.iter().flat_map(|table| {
        table.columns.iter().filter_map(|column| {
            column.renamed_from.as_ref().map(|from| ColumnRename {
                table: table.id.clone(),
                from: from.clone(),
                to: column.key.clone(),
            })
        })
    })
}

/// The renames as fingerprint input: one JSON object per line, sorted, so that the order in
/// which they are declared does not matter. Empty without renames, which keeps the
/// fingerprint of a binary without renames what it was before renames were part of it.
pub(crate) fn fingerprint_text(renames: &[ColumnRename]) -> String {
    let mut lines: Vec<String> = renames
        .iter()
        .map(|r| serde_json::to_string(r).unwrap_or_default())
        .collect();
    lines.sort();
    lines.dedup();
    lines.into_iter().map(|l| format!("rename {l}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ColumnSchema;

    fn rename(table: &str, from: &str, to: &str) -> ColumnRename {
        ColumnRename {
            table: table.into(),
            from: from.into(),
            to: to.into(),
        }
    }

    fn users() -> TableSchema {
        TableSchema::new("users", "Users")
            .column(ColumnSchema::varchar("name", 128).renamed_from("fullName"))
            .column(ColumnSchema::varchar("email", 128))
    }

    #[test]
    fn declared_renames_join_the_options() {
        let options = [rename("posts", "text", "body")];
        assert_eq!(
            effective(&options, &[users()]),
            [
                rename("posts", "text", "body"),
                rename("users", "fullName", "name")
            ]
        );
        assert!(effective(&[], &[TableSchema::new("t", "T")]).is_empty());
    }

    #[test]
    fn a_rename_declared_both_ways_is_kept_once() {
        let options = [rename("users", "fullName", "name")];
        assert_eq!(
            effective(&options, &[users()]),
            [rename("users", "fullName", "name")]
        );
    }

    #[test]
    fn the_fingerprint_text_ignores_order_and_repeats() {
        let a = rename("users", "fullName", "name");
        let b = rename("posts", "text", "body");
        assert_eq!(
            fingerprint_text(&[a.clone(), b.clone()]),
            fingerprint_text(&[b.clone(), a.clone(), b.clone()])
        );
        assert_ne!(
            fingerprint_text(std::slice::from_ref(&a)),
            fingerprint_text(&[b])
        );
        assert_eq!(fingerprint_text(&[]), "");
        assert_eq!(
            fingerprint_text(&[a]),
            "rename {\"table\":\"users\",\"from\":\"fullName\",\"to\":\"name\"}\n"
        );
    }
}
