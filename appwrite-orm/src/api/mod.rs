//! Appwrite's contract, written once: what the TablesDB API takes and answers.
//!
//! This is the bottom layer of the crate. It knows nothing of storage, HTTP or migrations;
//! everything above it (the [embedded engine](crate::backend::embedded), the
//! [HTTP backend](crate::backend), the emulator crate, the migration runner) speaks through it:
//! - [`models`]: the resources (database, table, column, index, row, transaction) as Appwrite's
//!   JSON models;
//! - [`error`]: Appwrite's error shape and type identifiers;
//! - [`listing`]: paging of the meta lists (databases, tables, columns, indexes, transactions)
//!   by their queries;
//! - [`legacy`]: the legacy Databases API's names (collection, document, attribute) beside
//!   TablesDB's, and the renaming between them;
//! - [`schema_json`]: column and index schemas in Appwrite's JSON forms, both directions.

pub mod error;
pub mod legacy;
pub mod listing;
pub mod models;
pub mod schema_json;

pub use error::{AppwriteError, types};
pub use models::{
    Column, ColumnStatus, Database, Document, Index, List, ListOptions, Operation, OperationAction,
    Row, Table, TableUpdate, Transaction, TransactionStatus,
};
