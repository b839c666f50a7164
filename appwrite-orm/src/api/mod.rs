//! Appwrite's contract, written once: what the TablesDB API takes and answers.
//!
//! This is the bottom layer of the crate. It knows nothing of storage, HTTP or migrations;
//! everything above it (the [embedded engine](crate::backend::embedded), the
//! [HTTP backend](crate::backend), the emulator crate, the migration runner) speaks through it:
//! - [`models`]: the resources (database, table, column, index, row, transaction) as Appwrite's
//!   JSON models;
//! - [`error`]: Appwrite's error shape and type identifiers;
//! - [`request`]: every operation as data, a [`Request`] and the [`Response`] it answers.

pub mod error;
pub mod models;
pub mod request;

pub use error::{AppwriteError, types};
pub use models::{
    Column, ColumnStatus, Database, Document, Index, List, ListOptions, Live, Operation,
    OperationAction, Row, Table, TableUpdate, Transaction, TransactionStatus,
};
pub use request::{Request, Response};
