//! Appwrite's contract, written once: what the TablesDB API takes and answers.
//!
//! This is the bottom layer of the crate. It knows nothing of storage, HTTP or migrations;
//! everything above it (the [embedded engine](crate::backend::embedded), the
//! [HTTP backend](crate::backend), the emulator crate, the migration runner) speaks through it:
//! - [`models`]: the resources (database, table, column, index, row, transaction) as Appwrite's
//!   JSON models;
//! - [`error`]: Appwrite's error shape and type identifiers;
//! - [`request`]: every operation as data, a [`Request`] and the [`Response`] it answers;
//! - [`schema_json`]: column and index schemas in Appwrite's JSON forms, both directions;
//! - [`listing`]: paging of the meta lists (databases, tables, columns, indexes, transactions)
//!   by their queries;
//! - [`legacy`]: the legacy Databases API's names (collection, document, attribute) beside
//!   TablesDB's, and the renaming between them;
//! - [`ids`]: the id and key rule, and the words a server refuses a broken id with;
//! - [`limits`]: Appwrite's limits (key length, sizes, batch and query bounds).
//!
//! [`ids`] and [`limits`] live in the dependency-free `appwrite-orm-contract` crate, so that
//! `#[derive(Table)]` checks a table at compile time by the very same rules.

pub mod error;
pub mod legacy;
pub mod listing;
pub mod models;
pub mod request;
pub mod schema_json;

#[doc(inline)]
pub use appwrite_orm_contract::{ids, limits};

pub use error::{AppwriteError, types};
pub use models::{
    Column, ColumnStatus, Database, Document, Index, List, ListOptions, Live, Operation,
    OperationAction, Row, Table, TableUpdate, Transaction, TransactionStatus,
};
pub use request::{Request, Response};
