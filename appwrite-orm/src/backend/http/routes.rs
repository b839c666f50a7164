//! Paths and parameter names of the two database APIs: TablesDB (`/v1/tablesdb`, Appwrite 1.8+)
//! and the legacy Databases API (`/v1/databases/{db}/collections/…`, older servers).
//!
//! Every id and key has passed Appwrite's id rule before it gets here, so no segment can hold a
//! `/` or be `..`; segments are percent-encoded anyway, so that a future caller that forgets the
//! check still cannot reach another route.

use super::version::{ServerVersion, TABLES_DB};
use crate::api::legacy;
use crate::query::Query;

/// Which of Appwrite's database APIs a server gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    /// `/v1/tablesdb/…`: tables, columns, rows.
    TablesDb,
    /// `/v1/databases/…`: collections, attributes, documents.
    Legacy,
}

/// Parameter and response names that differ between the two APIs.
pub(crate) struct Names {
    /// Body parameter with the table id on create.
    pub table_id: &'static str,
    /// Body parameter with the row id on create.
    pub row_id: &'static str,
    /// Body parameter and table model field for row security.
    pub row_security: &'static str,
    /// Body parameter of bulk row writes, and list key of rows.
    pub rows: &'static str,
    /// List key of tables.
    pub tables: &'static str,
    /// List key of columns; index parameter with the column list.
    pub columns: &'static str,
}

/// The names of one API, from the contract's renaming table.
const fn names(legacy: bool) -> Names {
    Names {
        table_id: legacy::TABLE_ID.pick(legacy),
        row_id: legacy::ROW_ID.pick(legacy),
        row_security: legacy::ROW_SECURITY.pick(legacy),
        rows: legacy::ROWS.pick(legacy),
        tables: legacy::TABLES.pick(legacy),
        columns: legacy::COLUMNS.pick(legacy),
    }
}

const TABLES_DB_NAMES: Names = names(false);

const LEGACY_NAMES: Names = names(true);

impl Api {
    /// TablesDB from 1.8 on, legacy before.
    pub fn for_version(version: ServerVersion) -> Self {
        if version >= TABLES_DB {
            Api::TablesDb
        } else {
            Api::Legacy
        }
    }

    /// The parameter and field names of this API.
    pub fn names(self) -> &'static Names {
        match self {
            Api::TablesDb => &TABLES_DB_NAMES,
            Api::Legacy => &LEGACY_NAMES,
        }
    }

    /// `/tablesdb` or `/databases`.
    pub fn databases(self) -> String {
        match self {
            Api::TablesDb => "/tablesdb".to_owned(),
            Api::Legacy => "/databases".to_owned(),
        }
    }

    /// One database.
    pub fn database(self, db: &str) -> String {
        format!("{}/{}", self.databases(), seg(db))
    }

    /// The tables (collections) of a database.
    pub fn tables(self, db: &str) -> String {
        format!("{}/{}", self.database(db), self.names().tables)
    }

    /// One table.
    pub fn table(self, db: &str, table: &str) -> String {
        format!("{}/{}", self.tables(db), seg(table))
    }

    /// The columns (attributes) of a table.
    pub fn columns(self, db: &str, table: &str) -> String {
        format!("{}/{}", self.table(db, table), self.names().columns)
    }

    /// Create route of a column type: `…/columns/{type}`.
    pub fn column_create(self, db: &str, table: &str, route_type: &str) -> String {
        format!("{}/{}", self.columns(db, table), seg(route_type))
    }

    /// Update route of a column type: `…/columns/{type}/{key}`.
    pub fn column_update(self, db: &str, table: &str, route_type: &str, key: &str) -> String {
        format!(
            "{}/{}/{}",
            self.columns(db, table),
            seg(route_type),
            seg(key)
        )
    }

    /// Update route of a relationship column: `…/columns/{key}/relationship` (served by both
    /// APIs in every version that has relationships).
    pub fn relationship_update(self, db: &str, table: &str, key: &str) -> String {
        format!("{}/{}/relationship", self.columns(db, table), seg(key))
    }

    /// One column.
    pub fn column(self, db: &str, table: &str, key: &str) -> String {
        format!("{}/{}", self.columns(db, table), seg(key))
    }

    /// The indexes of a table.
    pub fn indexes(self, db: &str, table: &str) -> String {
        format!("{}/indexes", self.table(db, table))
    }

    /// One index.
    pub fn index(self, db: &str, table: &str, key: &str) -> String {
        format!("{}/{}", self.indexes(db, table), seg(key))
    }

    /// The rows (documents) of a table.
    pub fn rows(self, db: &str, table: &str) -> String {
        format!("{}/{}", self.table(db, table), self.names().rows)
    }

    /// One row.
    pub fn row(self, db: &str, table: &str, row: &str) -> String {
        format!("{}/{}", self.rows(db, table), seg(row))
    }

    /// `…/rows/{id}/{column}/increment` or `…/decrement`.
    pub fn row_column_op(self, db: &str, table: &str, row: &str, column: &str, op: &str) -> String {
        format!("{}/{}/{}", self.row(db, table, row), seg(column), seg(op))
    }

    /// The transactions.
    pub fn transactions(self) -> String {
        format!("{}/transactions", self.databases())
    }

    /// One transaction.
    pub fn transaction(self, id: &str) -> String {
        format!("{}/{}", self.transactions(), seg(id))
    }

    /// The staging route of a transaction.
    pub fn operations(self, id: &str) -> String {
        format!("{}/operations", self.transaction(id))
    }
}

/// `GET /health/version`: unauthenticated, answers `{"version": "1.9.6"}`.
pub(crate) const HEALTH_VERSION: &str = "/health/version";

/// One path segment, percent-encoded.
fn seg(value: &str) -> String {
    encode_component(value)
}

/// Percent-encodes everything except RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`),
/// like JavaScript's `encodeURIComponent` (which the official SDKs use) but also encoding
/// `!'()*`, which the server decodes the same way.
pub(crate) fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Query-string parameters, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// `queries[0]=<json>&queries[1]=<json>…`: indexed brackets, as the official SDKs flatten
    /// arrays (a repeated bare `queries=` is not read as a list by the server).
    pub fn queries(mut self, queries: &[Query]) -> Self {
        for (i, q) in queries.iter().enumerate() {
            self.0.push((format!("queries[{i}]"), q.to_wire()));
        }
        self
    }

    /// One parameter.
    pub fn push(mut self, key: &str, value: impl Into<String>) -> Self {
        self.0.push((key.to_owned(), value.into()));
        self
    }

    /// The encoded query string without the leading `?` (empty when there are no parameters).
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// True when there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_both_apis() {
        let t = Api::TablesDb;
        let l = Api::Legacy;
        assert_eq!(t.row("db", "t", "r"), "/tablesdb/db/tables/t/rows/r");
        assert_eq!(
            l.row("db", "t", "r"),
            "/databases/db/collections/t/documents/r"
        );
        assert_eq!(
            t.column_update("db", "t", "varchar", "k"),
            "/tablesdb/db/tables/t/columns/varchar/k"
        );
        assert_eq!(
            l.column_create("db", "t", "string"),
            "/databases/db/collections/t/attributes/string"
        );
        assert_eq!(
            t.row_column_op("db", "t", "r", "n", "increment"),
            "/tablesdb/db/tables/t/rows/r/n/increment"
        );
        assert_eq!(t.operations("x"), "/tablesdb/transactions/x/operations");
        assert_eq!(
            l.index("db", "t", "i"),
            "/databases/db/collections/t/indexes/i"
        );
    }

    #[test]
    fn segments_cannot_escape() {
        assert_eq!(seg("../x"), "..%2Fx");
        assert_eq!(seg("a/b?c#d"), "a%2Fb%3Fc%23d");
        assert_eq!(seg("ü"), "%C3%BC");
    }

    #[test]
    fn query_string_uses_indexed_brackets() {
        let p = Params::new()
            .queries(&[Query::limit(10), Query::offset(5)])
            .push("total", "false");
        let s = p.encode();
        assert!(
            s.starts_with("queries%5B0%5D=%7B%22method%22%3A%22limit%22"),
            "{s}"
        );
        assert!(s.contains("&queries%5B1%5D="), "{s}");
        assert!(s.ends_with("&total=false"), "{s}");
    }
}
