//! The Appwrite CLI's `appwrite.config.json`, both ways: the databases and tables of a file
//! that `appwrite pull` wrote (or a team keeps by hand), and declared or live schemas written
//! in a form `appwrite push` takes.
//!
//! Read from the CLI's own source, `appwrite/sdk-for-cli` at version 25.1.0 (`package.json`;
//! commit `57088491ef7ba2cc073f35741e177d9e2b4efe4e`): `lib/commands/config.ts` (the zod
//! schema of the file), `lib/config.ts` (the key orders and the writer),
//! `lib/commands/pull.ts` (`pullTables`) and `lib/commands/utils/attributes.ts` (what `push`
//! creates, updates and recreates). The Go rewrite published as 26.0.0-rc.1 (commit
//! `3b63845e51cf84db85b688f7c915d5976c479553`, `internal/config/resource.go`) writes the
//! same keys in the same orders.
//!
//! The format, as that source has it:
//! - the database part is `tablesDB` (entries `$id`, `name`, `enabled`) and `tables`, each
//!   table with `$id`, `$permissions`, `databaseId`, `name`, `enabled`, `rowSecurity` (true
//!   when left out), `columns` and `indexes`; the legacy Databases API's are `databases` and
//!   `collections` with `documentSecurity` and `attributes`;
//! - a column has `key`, `type` (`string`, `varchar`, `text`, `mediumtext`, `longtext`,
//!   `integer`, `bigint`, `double`, `boolean`, `datetime`, `relationship`, `point`,
//!   `linestring`, `polygon`), `required`, `array`, `size`, `default`, `min`, `max`, `format`
//!   (`email`, `url`, `ip`, `enum`, `datetime`), `elements`, and for relationships
//!   `relatedTable` (legacy `relatedCollection`), `relationType`, `twoWay`, `twoWayKey`,
//!   `onDelete` and `side`; `encrypt`; `previousKey` (a rename hint: `push` renames in place);
//! - an index has `key`, `type`, `status`, `columns` (legacy `attributes`) and `orders`;
//! - every object is strict (an unknown key makes the CLI refuse the file), a required column's
//!   `default` must be null, a `string` or `varchar` column without a format needs a `size`,
//!   keys are unique per table, and relationships stay within one database;
//! - `pull` writes each object's keys in its schema's order (`filterBySchema`), the top-level
//!   keys in `CONFIG_KEY_ORDER`, indented by four spaces; the values are the server's models;
//! - `push` validates the file with that schema, then compares it with the live project: a
//!   difference in `type`, `array`, `encrypt` or `format` deletes the column and creates it
//!   anew (`COMMON_RECREATE_KEYS`), its values lost, after one confirmation;
//! - `min` and `max` are read as 64-bit integers whatever the column's type (`int64Schema`),
//!   so the schema refuses the `±1.7976931348623157e308` Appwrite stores for an unbounded
//!   double. [`export`] leaves undeclared bounds out (`push` then sends none and the server
//!   applies the same extremes) and refuses a float bound beyond that range.
//!
//! The exports and the TablesDB and legacy fixtures of this module's tests pass version
//! 25.1.0's `ConfigSchema`.
//!
//! There is no version field. The generations differ by their keys ([`FormatVersion`]):
//! `tablesDB`/`tables` since appwrite-cli 9.1.0, `databases`/`collections` from 1.0.0 on
//! (still read and written for legacy databases), and before 1.0 collections with `$read`,
//! `$write` and `permission`. [`parse`] reads the first two (legacy collections become tables)
//! and refuses the third with [`ConfigError::UnsupportedVersion`].
//!
//! ```
//! use appwrite_orm::appwrite_config;
//! use appwrite_orm::schema::{ColumnSchema, TableSchema};
//!
//! let users = TableSchema::new("users", "Users").column(ColumnSchema::varchar("name", 128));
//! let exported = appwrite_config::export("app", "App", &[users.clone()])?;
//! let file = appwrite_config::document("my-project", &exported);
//! let config = appwrite_config::parse(&appwrite_config::to_pretty_string(&file))?;
//! assert_eq!(config.table_schemas("app")[0].fingerprint(), users.fingerprint());
//! # Ok::<(), appwrite_config::ConfigError>(())
//! ```
//!
//! [`parse`] checks the file's structure and the CLI's own rules; Appwrite's rules (id syntax,
//! defaults of the column's type, limits) are [`TableSchema::validate`]'s.

mod columns;
mod error;
mod fields;
mod file;
mod format;
mod read;
#[cfg(test)]
mod tests;
mod write;

pub use error::{ConfigError, Problem};
pub use file::{read_document, read_file, write_file};
pub use format::FormatVersion;
pub use write::{document, export, export_live, merge_into, to_pretty_string};

use crate::api;
use crate::schema::TableSchema;

/// Parses a config file's text: its databases and tables.
pub fn parse(json: &str) -> Result<AppwriteConfig, ConfigError> {
    let value: serde_json::Value = serde_json::from_str(json)?;
    parse_value(&value)
}

/// Parses a config file's JSON document (see [`parse`]).
pub fn parse_value(document: &serde_json::Value) -> Result<AppwriteConfig, ConfigError> {
    read::read_root(document)
}

/// The databases and tables of a config file.
#[derive(Debug, Clone, PartialEq)]
pub struct AppwriteConfig {
    databases: Vec<ConfigDatabase>,
    tables: Vec<api::Table>,
}

/// A database of a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigDatabase {
    /// Its id (`$id`).
    pub id: String,
    /// Its name (the id when the file names a database only through its tables).
    pub name: String,
    /// Whether it is enabled.
    pub enabled: bool,
    /// The generation it is listed under: `tablesDB` or the legacy `databases`.
    pub format: FormatVersion,
}

impl AppwriteConfig {
    /// The databases: those listed (`tablesDB`, then `databases`), then those named only by a
    /// table's `databaseId`.
    pub fn databases(&self) -> &[ConfigDatabase] {
        &self.databases
    }

    /// The tables of `database_id` in the file's order, shaped as a server answers them
    /// ([`Backend::list_tables`](crate::backend::Backend::list_tables)): every column and
    /// index `available`, no time stamps. Legacy collections come as tables.
    pub fn tables(&self, database_id: &str) -> Vec<api::Table> {
        self.tables
            .iter()
            .filter(|t| t.database_id == database_id)
            .cloned()
            .collect()
    }

    /// The tables of `database_id` as schemas (what [`api::Table::to_schema`] makes of each).
    pub fn table_schemas(&self, database_id: &str) -> Vec<TableSchema> {
        self.tables(database_id)
            .iter()
            .map(api::Table::to_schema)
            .collect()
    }
}
