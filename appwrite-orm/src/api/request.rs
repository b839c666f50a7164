//! Every operation of the TablesDB API as data: a [`Request`] names the operation and borrows
//! its arguments, a [`Response`] holds what it answers.
//!
//! Callers use the typed methods of [`Backend`](crate::backend::Backend) (`get_row`,
//! `create_column`, ...); each builds a `Request` and sends it to
//! [`Backend::call`](crate::backend::Backend::call), the one method an implementation writes.
//! The engine and the HTTP backend answer every request there, and wrappers (a request counter,
//! the dry-run recorder) see every call in one place.

use serde_json::Number;

use super::models::{
    Column, Database, Document, Index, List, ListOptions, Operation, Row, Table, TableUpdate,
    Transaction,
};
use crate::query::Query;
use crate::schema::{ColumnSchema, IndexSchema, TableSchema};

/// One call of the TablesDB API with its arguments, borrowed from the caller.
///
/// Each variant is one method of [`Backend`](crate::backend::Backend), with the same
/// arguments under the same names; [`name`](Request::name) is that method's name.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
#[allow(missing_docs)] // the fields are the arguments of the Backend method the variant names
pub enum Request<'a> {
    /// `POST /tablesdb`.
    CreateDatabase { id: &'a str, name: &'a str },
    /// `GET /tablesdb/{db}`.
    GetDatabase { id: &'a str },
    /// `GET /tablesdb`.
    ListDatabases { queries: &'a [Query] },
    /// `DELETE /tablesdb/{db}`.
    DeleteDatabase { id: &'a str },
    /// `POST /tablesdb/{db}/tables`.
    CreateTable {
        database: &'a str,
        table: &'a TableSchema,
    },
    /// `GET /tablesdb/{db}/tables/{t}`.
    GetTable { database: &'a str, table: &'a str },
    /// `GET /tablesdb/{db}/tables`.
    ListTables {
        database: &'a str,
        queries: &'a [Query],
    },
    /// `PUT /tablesdb/{db}/tables/{t}`.
    UpdateTable {
        database: &'a str,
        table: &'a str,
        update: &'a TableUpdate,
    },
    /// `DELETE /tablesdb/{db}/tables/{t}`.
    DeleteTable { database: &'a str, table: &'a str },
    /// `POST …/columns/{type}`.
    CreateColumn {
        database: &'a str,
        table: &'a str,
        column: &'a ColumnSchema,
    },
    /// `GET …/columns/{key}`.
    GetColumn {
        database: &'a str,
        table: &'a str,
        key: &'a str,
    },
    /// `GET …/columns`.
    ListColumns { database: &'a str, table: &'a str },
    /// `PATCH …/columns/{type}/{key}`.
    UpdateColumn {
        database: &'a str,
        table: &'a str,
        key: &'a str,
        column: &'a ColumnSchema,
    },
    /// `DELETE …/columns/{key}`.
    DeleteColumn {
        database: &'a str,
        table: &'a str,
        key: &'a str,
    },
    /// `POST …/indexes`.
    CreateIndex {
        database: &'a str,
        table: &'a str,
        index: &'a IndexSchema,
    },
    /// `GET …/indexes/{key}`.
    GetIndex {
        database: &'a str,
        table: &'a str,
        key: &'a str,
    },
    /// `GET …/indexes`.
    ListIndexes { database: &'a str, table: &'a str },
    /// `DELETE …/indexes/{key}`.
    DeleteIndex {
        database: &'a str,
        table: &'a str,
        key: &'a str,
    },
    /// `POST …/rows` (one row).
    CreateRow {
        database: &'a str,
        table: &'a str,
        row_id: &'a str,
        data: &'a Document,
        permissions: Option<&'a [String]>,
    },
    /// `GET …/rows/{id}`.
    GetRow {
        database: &'a str,
        table: &'a str,
        row_id: &'a str,
        queries: &'a [Query],
    },
    /// `GET …/rows`.
    ListRows {
        database: &'a str,
        table: &'a str,
        queries: &'a [Query],
        options: &'a ListOptions,
    },
    /// `PATCH …/rows/{id}`.
    UpdateRow {
        database: &'a str,
        table: &'a str,
        row_id: &'a str,
        data: &'a Document,
        permissions: Option<&'a [String]>,
    },
    /// `PUT …/rows/{id}`.
    UpsertRow {
        database: &'a str,
        table: &'a str,
        row_id: &'a str,
        data: &'a Document,
        permissions: Option<&'a [String]>,
    },
    /// `DELETE …/rows/{id}`.
    DeleteRow {
        database: &'a str,
        table: &'a str,
        row_id: &'a str,
    },
    /// `POST …/rows` with `rows`.
    CreateRows {
        database: &'a str,
        table: &'a str,
        rows: &'a [Document],
    },
    /// `PUT …/rows`.
    UpsertRows {
        database: &'a str,
        table: &'a str,
        rows: &'a [Document],
    },
    /// `PATCH …/rows`.
    UpdateRows {
        database: &'a str,
        table: &'a str,
        data: &'a Document,
        queries: &'a [Query],
    },
    /// `DELETE …/rows`.
    DeleteRows {
        database: &'a str,
        table: &'a str,
        queries: &'a [Query],
    },
    /// `PATCH …/rows/{id}/{column}/increment`.
    IncrementRowColumn {
        database: &'a str,
        table: &'a str,
        row_id: &'a str,
        column: &'a str,
        value: &'a Number,
        max: Option<&'a Number>,
    },
    /// `PATCH …/rows/{id}/{column}/decrement`.
    DecrementRowColumn {
        database: &'a str,
        table: &'a str,
        row_id: &'a str,
        column: &'a str,
        value: &'a Number,
        min: Option<&'a Number>,
    },
    /// `POST /tablesdb/transactions`.
    CreateTransaction { ttl: Option<u32> },
    /// `GET /tablesdb/transactions/{id}`.
    GetTransaction { id: &'a str },
    /// `POST /tablesdb/transactions/{id}/operations`.
    StageOperations {
        id: &'a str,
        operations: &'a [Operation],
    },
    /// `PATCH /tablesdb/transactions/{id}` with `commit`.
    CommitTransaction { id: &'a str },
    /// `PATCH /tablesdb/transactions/{id}` with `rollback`.
    RollbackTransaction { id: &'a str },
}

impl Request<'_> {
    /// The name of the [`Backend`](crate::backend::Backend) method this request is
    /// (`get_row`, `update_rows`, ...).
    pub fn name(&self) -> &'static str {
        use Request as R;
        match self {
            R::CreateDatabase { .. } => "create_database",
            R::GetDatabase { .. } => "get_database",
            R::ListDatabases { .. } => "list_databases",
            R::DeleteDatabase { .. } => "delete_database",
            R::CreateTable { .. } => "create_table",
            R::GetTable { .. } => "get_table",
            R::ListTables { .. } => "list_tables",
            R::UpdateTable { .. } => "update_table",
            R::DeleteTable { .. } => "delete_table",
            R::CreateColumn { .. } => "create_column",
            R::GetColumn { .. } => "get_column",
            R::ListColumns { .. } => "list_columns",
            R::UpdateColumn { .. } => "update_column",
            R::DeleteColumn { .. } => "delete_column",
            R::CreateIndex { .. } => "create_index",
            R::GetIndex { .. } => "get_index",
            R::ListIndexes { .. } => "list_indexes",
            R::DeleteIndex { .. } => "delete_index",
            R::CreateRow { .. } => "create_row",
            R::GetRow { .. } => "get_row",
            R::ListRows { .. } => "list_rows",
            R::UpdateRow { .. } => "update_row",
            R::UpsertRow { .. } => "upsert_row",
            R::DeleteRow { .. } => "delete_row",
            R::CreateRows { .. } => "create_rows",
            R::UpsertRows { .. } => "upsert_rows",
            R::UpdateRows { .. } => "update_rows",
            R::DeleteRows { .. } => "delete_rows",
            R::IncrementRowColumn { .. } => "increment_row_column",
            R::DecrementRowColumn { .. } => "decrement_row_column",
            R::CreateTransaction { .. } => "create_transaction",
            R::GetTransaction { .. } => "get_transaction",
            R::StageOperations { .. } => "stage_operations",
            R::CommitTransaction { .. } => "commit_transaction",
            R::RollbackTransaction { .. } => "rollback_transaction",
        }
    }

    /// Which resource the request works on.
    pub fn group(&self) -> Group {
        use Request as R;
        match self {
            R::CreateDatabase { .. }
            | R::GetDatabase { .. }
            | R::ListDatabases { .. }
            | R::DeleteDatabase { .. } => Group::Databases,
            R::CreateTable { .. }
            | R::GetTable { .. }
            | R::ListTables { .. }
            | R::UpdateTable { .. }
            | R::DeleteTable { .. } => Group::Tables,
            R::CreateColumn { .. }
            | R::GetColumn { .. }
            | R::ListColumns { .. }
            | R::UpdateColumn { .. }
            | R::DeleteColumn { .. } => Group::Columns,
            R::CreateIndex { .. }
            | R::GetIndex { .. }
            | R::ListIndexes { .. }
            | R::DeleteIndex { .. } => Group::Indexes,
            R::CreateRow { .. }
            | R::GetRow { .. }
            | R::ListRows { .. }
            | R::UpdateRow { .. }
            | R::UpsertRow { .. }
            | R::DeleteRow { .. }
            | R::IncrementRowColumn { .. }
            | R::DecrementRowColumn { .. } => Group::Rows,
            R::CreateRows { .. }
            | R::UpsertRows { .. }
            | R::UpdateRows { .. }
            | R::DeleteRows { .. } => Group::BulkRows,
            R::CreateTransaction { .. }
            | R::GetTransaction { .. }
            | R::StageOperations { .. }
            | R::CommitTransaction { .. }
            | R::RollbackTransaction { .. } => Group::Transactions,
        }
    }

    /// True for the operations that only read (`get_*`, `list_*`).
    pub fn is_read(&self) -> bool {
        let name = self.name();
        name.starts_with("get_") || name.starts_with("list_")
    }

    /// The database and table of an operation on one existing table (its settings, columns,
    /// indexes and rows).
    pub fn table_path(&self) -> Option<(&str, &str)> {
        use Request as R;
        match *self {
            R::GetTable { database, table }
            | R::UpdateTable {
                database, table, ..
            }
            | R::DeleteTable { database, table }
            | R::CreateColumn {
                database, table, ..
            }
            | R::GetColumn {
                database, table, ..
            }
            | R::ListColumns { database, table }
            | R::UpdateColumn {
                database, table, ..
            }
            | R::DeleteColumn {
                database, table, ..
            }
            | R::CreateIndex {
                database, table, ..
            }
            | R::GetIndex {
                database, table, ..
            }
            | R::ListIndexes { database, table }
            | R::DeleteIndex {
                database, table, ..
            }
            | R::CreateRow {
                database, table, ..
            }
            | R::GetRow {
                database, table, ..
            }
            | R::ListRows {
                database, table, ..
            }
            | R::UpdateRow {
                database, table, ..
            }
            | R::UpsertRow {
                database, table, ..
            }
            | R::DeleteRow {
                database, table, ..
            }
            | R::CreateRows {
                database, table, ..
            }
            | R::UpsertRows {
                database, table, ..
            }
            | R::UpdateRows {
                database, table, ..
            }
            | R::DeleteRows {
                database, table, ..
            }
            | R::IncrementRowColumn {
                database, table, ..
            }
            | R::DecrementRowColumn {
                database, table, ..
            } => Some((database, table)),
            _ => None,
        }
    }

    /// The table the request is about: the one it creates, or the one it works on.
    pub fn table(&self) -> Option<&str> {
        match self {
            Request::CreateTable { table, .. } => Some(&table.id),
            _ => self.table_path().map(|(_, table)| table),
        }
    }
}

/// The resource a [`Request`] works on, for code that handles each kind in its own place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Databases.
    Databases,
    /// Tables (their creation with inline columns and indexes included).
    Tables,
    /// Columns of one table.
    Columns,
    /// Indexes of one table.
    Indexes,
    /// One row at a time, and lists of rows.
    Rows,
    /// The bulk row operations (several rows in one request).
    BulkRows,
    /// Transactions.
    Transactions,
}

/// What a [`Request`] answers: one variant per model the TablesDB API returns.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // each variant holds the model it names
pub enum Response {
    /// An operation that answers nothing (the deletes of one resource).
    Done,
    Database(Database),
    Databases(List<Database>),
    Table(Table),
    Tables(List<Table>),
    Column(Column),
    Columns(List<Column>),
    Index(Index),
    Indexes(List<Index>),
    Row(Row),
    Rows(List<Row>),
    Transaction(Transaction),
}

impl Response {
    /// The variant's name, for an error that says what came back.
    pub fn kind(&self) -> &'static str {
        match self {
            Response::Done => "nothing",
            Response::Database(_) => "a database",
            Response::Databases(_) => "a list of databases",
            Response::Table(_) => "a table",
            Response::Tables(_) => "a list of tables",
            Response::Column(_) => "a column",
            Response::Columns(_) => "a list of columns",
            Response::Index(_) => "an index",
            Response::Indexes(_) => "a list of indexes",
            Response::Row(_) => "a row",
            Response::Rows(_) => "a list of rows",
            Response::Transaction(_) => "a transaction",
        }
    }
}

/// A model one [`Response`] variant holds; lets the typed methods take their answer back out.
pub trait FromResponse: Sized {
    /// The model, or what the response holds instead ([`Response::kind`]).
    fn from_response(response: Response) -> Result<Self, &'static str>;
}

macro_rules! from_response {
    ($($variant:ident => $ty:ty),* $(,)?) => {$(
        impl FromResponse for $ty {
            fn from_response(response: Response) -> Result<Self, &'static str> {
                match response {
                    Response::$variant(value) => Ok(value),
                    other => Err(other.kind()),
                }
            }
        }
    )*};
}

from_response! {
    Database => Database,
    Databases => List<Database>,
    Table => Table,
    Tables => List<Table>,
    Column => Column,
    Columns => List<Column>,
    Index => Index,
    Indexes => List<Index>,
    Row => Row,
    Rows => List<Row>,
    Transaction => Transaction,
}

impl FromResponse for () {
    fn from_response(response: Response) -> Result<Self, &'static str> {
        match response {
            Response::Done => Ok(()),
            other => Err(other.kind()),
        }
    }
}
