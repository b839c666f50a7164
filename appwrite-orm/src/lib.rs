//! # appwrite-orm
//!
//! Typed models, queries and versioned migrations for [Appwrite](https://appwrite.io) databases,
//! with an embedded SQLite backend that behaves like Appwrite, so that local development and
//! `cargo test` need no server.
//!
//! The layers, from pure to I/O:
//! - [`schema`]: tables, columns and indexes as Appwrite knows them, validated against its rules;
//! - [`query`]: every Appwrite query method as an AST, to and from Appwrite's JSON wire form;
//! - [`backend`]: the [`Backend`](backend::Backend) trait, Appwrite's operations on JSON rows,
//!   and its [embedded](backend::embedded) implementation on SQLite.
#![warn(missing_docs)]

pub mod backend;
pub mod error;
pub mod query;
pub mod schema;

pub use error::{AppwriteError, Error, Result};
