//! A binary's declarations split by database: each database a binary migrates is an
//! independent stream of versions with its own history and lock. Pure.
//!
//! A table or migration that names no database belongs to the connection's. The connection's
//! database always has a part (a binary without declarations still keeps its history there,
//! as before databases could be named); another database has one when something names it.

use std::collections::BTreeMap;

use crate::migrate::registry::MigrationDef;
use crate::schema::TableSchema;

/// The tables and migrations of one database.
#[derive(Debug, Clone)]
pub(crate) struct DatabasePart {
    /// The database id.
    pub(crate) database: String,
    /// Its tables.
    pub(crate) tables: Vec<TableSchema>,
    /// Its migrations, in the order they were given.
    pub(crate) migrations: Vec<MigrationDef>,
}

impl DatabasePart {
    fn new(database: &str) -> Self {
        Self {
            database: database.to_owned(),
            tables: Vec::new(),
            migrations: Vec::new(),
        }
    }
}

/// `tables` and `migrations` by database, through a connection to `connection`: the
/// connection's database first, then the others sorted by id (the order a run takes them in).
pub(crate) fn split(
    tables: &[TableSchema],
    migrations: &[MigrationDef],
    connection: &str,
) -> Vec<DatabasePart> {
    let mut parts: BTreeMap<&str, DatabasePart> = BTreeMap::new();
    parts.insert(connection, DatabasePart::new(connection));
    for table in tables {
        let database = table.database_or(connection);
        // Within its part a table's database is implied: cleared, so that the part's
        // fingerprint is the same whether a table names its database or is in the connection's
        // (and a database reached as the connection's later keeps its head row valid).
        let table = TableSchema {
            database: None,
            ..table.clone()
        };
        parts
            .entry(database)
            .or_insert_with(|| DatabasePart::new(database))
            .tables
            .push(table);
    }
    for migration in migrations {
        let database = migration.database.as_deref().unwrap_or(connection);
        parts
            .entry(database)
            .or_insert_with(|| DatabasePart::new(database))
            .migrations
            .push(migration.clone());
    }
    let own = parts.remove(connection);
    own.into_iter().chain(parts.into_values()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(version: u32) -> MigrationDef {
        MigrationDef::new(version, format!("v{version}"), |_m| {
            Box::pin(async { Ok(()) })
        })
    }

    fn ids(parts: &[DatabasePart]) -> Vec<&str> {
        parts.iter().map(|p| p.database.as_str()).collect()
    }

    #[test]
    fn one_database_when_nothing_names_another() {
        let parts = split(&[TableSchema::new("users", "Users")], &[step(1)], "main");
        assert_eq!(ids(&parts), ["main"]);
        assert_eq!(parts[0].tables.len(), 1);
        assert_eq!(parts[0].migrations.len(), 1);
        assert_eq!(ids(&split(&[], &[], "main")), ["main"]);
    }

    #[test]
    fn the_connection_first_then_the_others_by_id() {
        let tables = [
            TableSchema::new("events", "Events").database("zeta"),
            TableSchema::new("users", "Users"),
            TableSchema::new("hits", "Hits").database("analytics"),
            TableSchema::new("notes", "Notes").database("main"),
        ];
        let migrations = [step(1), step(1).database("zeta"), step(2).database("logs")];
        let parts = split(&tables, &migrations, "main");
        assert_eq!(ids(&parts), ["main", "analytics", "logs", "zeta"]);
        let table_ids =
            |i: usize| -> Vec<&str> { parts[i].tables.iter().map(|t| t.id.as_str()).collect() };
        assert_eq!(table_ids(0), ["users", "notes"]);
        assert_eq!(table_ids(1), ["hits"]);
        assert!(table_ids(2).is_empty());
        assert_eq!(parts[2].migrations[0].version, 2);
        assert_eq!(table_ids(3), ["events"]);
        assert_eq!(parts[3].migrations.len(), 1);
    }

    #[test]
    fn a_parts_tables_have_the_fingerprint_of_plain_tables() {
        let plain = TableSchema::new("hits", "Hits");
        let named = plain.clone().database("analytics");
        let parts = split(std::slice::from_ref(&named), &[], "main");
        assert_eq!(parts[1].tables[0].database, None);
        assert_eq!(parts[1].tables[0].fingerprint(), plain.fingerprint());
        let own = split(&[plain.clone().database("main")], &[], "main");
        assert_eq!(own[0].tables[0].fingerprint(), plain.fingerprint());
    }
}
