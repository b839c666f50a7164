//! # appwrite-orm
//!
//! Typed models, queries and versioned migrations for [Appwrite](https://appwrite.io) databases,
//! with an embedded SQLite backend that behaves like Appwrite, so that local development and
//! `cargo test` need no server.
//!
//! The layers, from pure to I/O (the first three do no I/O and know nothing of storage):
//! - [`api`]: Appwrite's contract, written once: the resource models, every operation as data
//!   ([`Request`](api::Request) and [`Response`](api::Response)), Appwrite's errors, and the
//!   wire forms the engine, the HTTP backend and the emulator share;
//! - [`schema`]: tables, columns and indexes as Appwrite knows them, validated against its rules;
//! - [`query`]: every Appwrite query method as an AST, to and from Appwrite's JSON wire form;
//! - [`backend`]: the [`Backend`](backend::Backend) trait (one method to implement,
//!   [`call`](backend::Backend::call); the typed methods funnel into it), its
//!   [embedded](backend::embedded) implementation on SQLite, the HTTP client, and the wrappers
//!   that count or record calls;
//! - [`model`], [`Database`], [`TableHandle`] and [`rows`]: typed access to tables and rows;
//! - [`migrate`] and [`backup`]: versioned migrations, `#[migration]` and `db.migrate()` at boot;
//!   backups and restores;
//! - [`appwrite_config`]: the Appwrite CLI's `appwrite.config.json`, read and written.
//!
//! Adding an operation of Appwrite's API touches a [`Request`](api::Request) variant, a typed
//! method of the `Backend` trait, the engine, the HTTP backend and the emulator's route, and no
//! wrapper.
#![warn(missing_docs)]

pub mod api;
pub mod appwrite_config;
pub mod backend;
pub mod backup;
#[cfg(feature = "cli")]
pub mod cli;
mod database;
pub mod error;
pub mod migrate;
pub mod model;
pub mod query;
mod ready;
pub mod rows;
pub mod schema;
pub mod spatial;
mod table;

/// The attribute that registers a versioned migration step; see [`migrate`]. Its
/// `allow = "code"` acknowledges lint findings of the version ([`migrate::lint`]), checked at
/// compile time against [`migrate::lint::codes::ALLOWABLE`].
pub use appwrite_orm_derive::migration;
/// The derives: `#[derive(Table)]` (next to the trait [`model::Table`] it implements, as
/// serde's derives sit next to their traits) and `#[derive(ColumnEnum)]`.
pub use appwrite_orm_derive::{ColumnEnum, Table};
#[cfg(feature = "http")]
pub use backend::http::{HttpBackend, HttpConfig};
pub use database::{DEFAULT_DATABASE_ID, Database};
pub use error::{AppwriteError, Error, Result};
pub use table::{TableHandle, TableQuery};

#[doc(hidden)]
pub use inventory;

/// Everything a typical user needs: `use appwrite_orm::prelude::*;`.
pub mod prelude {
    pub use crate::backend::Backend;
    pub use crate::migrate::{Migration, MigrationReport};
    pub use crate::model::{
        ArrayColumn, Col, ColumnType, DateTime, Filter, Order, Patch, Ref, RowId, SpatialColumn,
        Table, TextColumn,
    };
    pub use crate::query::Query;
    pub use crate::{Database, Result, TableHandle};
    pub use appwrite_orm_derive::{ColumnEnum, Table, migration};
}

/// The README's code blocks, compiled as doctests so that they stay true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
