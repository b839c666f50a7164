//! The crate's one error type.
//!
//! Errors that Appwrite itself would answer (from a real server or from the embedded engine, which
//! reproduces them) are kept as [`AppwriteError`] with Appwrite's HTTP `code`, error `type` and
//! `message`, so that callers can match on the same identifiers whichever backend they run on.

use crate::query::QueryParseError;
use crate::schema::SchemaViolation;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in appwrite-orm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error answered by Appwrite (or reproduced by the embedded engine).
    #[error(transparent)]
    Appwrite(#[from] AppwriteError),
    /// A schema broke one or more of Appwrite's rules; every violation is listed.
    #[error("invalid schema: {}", join_violations(.0))]
    Schema(Vec<SchemaViolation>),
    /// A query string could not be parsed from Appwrite's wire form.
    #[error(transparent)]
    QueryParse(#[from] QueryParseError),
    /// An identifier broke Appwrite's id/key rule before anything was sent.
    #[error("invalid {what} {value:?}: {reason}")]
    InvalidId {
        /// What the identifier names (`"table id"`, `"column key"`, ...).
        what: &'static str,
        /// The offending value.
        value: String,
        /// Which part of the rule it broke.
        reason: String,
    },
    /// The embedded engine's storage failed (I/O, corruption, SQLite error).
    #[error("embedded storage error: {0}")]
    Storage(String),
    /// A value could not be converted to or from JSON.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// A value broke the rules of its table's columns (checked before sending); every
    /// violation is listed.
    #[error(transparent)]
    Validation(#[from] crate::model::ValidationErrors),
    /// A row could not be read into a model: a column held a value of another type.
    #[error("cannot read column {column:?} of table {table:?}: {message}")]
    Decode {
        /// The table id.
        table: String,
        /// The column key.
        column: String,
        /// What was found instead.
        message: String,
    },
    /// A write made of several requests stopped part way: `completed` of `total` items were
    /// written before `source` failed.
    #[error("{completed} of {total} rows were written before a request failed: {source}")]
    Partial {
        /// Items written before the failure.
        completed: usize,
        /// Items asked for.
        total: usize,
        /// The failure.
        source: Box<Error>,
    },
    /// An invariant inside the library did not hold; a bug report is welcome.
    #[error("internal error: {0}")]
    Internal(String),
    /// A setting (of the HTTP backend, an environment variable, ...) is missing or invalid.
    #[error("invalid configuration: {what}: {reason}")]
    Config {
        /// The setting or environment variable (`APPWRITE_ENDPOINT`, `endpoint`, ...).
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A request could not be sent or its answer could not be read (connection refused or
    /// reset, DNS, TLS, timeout), after the retries the configuration allows.
    #[error("{request} failed: {reason}")]
    Transport {
        /// Method and path of the request, e.g. `GET /v1/tablesdb/app`.
        request: String,
        /// What went wrong.
        reason: String,
        /// True when the request timed out.
        timeout: bool,
    },
    /// The server answered with something Appwrite does not send: an HTML page from a proxy,
    /// truncated or malformed JSON, or JSON of the wrong shape.
    #[error("unexpected response (HTTP {status}): {detail}")]
    UnexpectedResponse {
        /// The HTTP status of the answer.
        status: u16,
        /// The request, what was wrong and the start of the body.
        detail: String,
    },
    /// The server's version lacks what the call needs (e.g. transactions before Appwrite 1.8).
    #[error("{feature} needs Appwrite {needs} or newer; the server runs {server_version}")]
    Unsupported {
        /// What was asked for.
        feature: String,
        /// The oldest Appwrite version that has it.
        needs: String,
        /// The version the server reported (or the configured override).
        server_version: String,
    },
    /// A column or index did not become `available`: it `failed`, got `stuck`, or was still
    /// processing when the wait ended.
    #[error("{what} did not become available: {reason}")]
    NotReady {
        /// The column or index, e.g. `column "title" of table "books"`.
        what: String,
        /// Its status and the server's error text, or how long was waited.
        reason: String,
    },
    /// A migration run stopped: history mismatch, plan error, failed version, lock, ...
    #[error(transparent)]
    Migrate(Box<crate::migrate::MigrateError>),
    /// A backup or restore stopped: I/O, a corrupt file, a table in the way.
    #[error(transparent)]
    Backup(Box<crate::backup::BackupError>),
}

fn join_violations(violations: &[SchemaViolation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// The Appwrite error, when this is one.
    pub fn appwrite(&self) -> Option<&AppwriteError> {
        match self {
            Error::Appwrite(e) => Some(e),
            _ => None,
        }
    }

    /// Appwrite's error `type` (e.g. `row_not_found`), when this is an Appwrite error.
    pub fn error_type(&self) -> Option<&str> {
        self.appwrite().map(|e| e.error_type.as_str())
    }

    /// The HTTP status code Appwrite answered, when this is an Appwrite error.
    pub fn code(&self) -> Option<u16> {
        self.appwrite().map(|e| e.code)
    }

    /// True for any Appwrite `404`.
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(404)
    }

    /// True for any Appwrite `409` (duplicate id or key, held lock, conflict).
    pub fn is_conflict(&self) -> bool {
        self.code() == Some(409)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(e.to_string())
    }
}

pub use crate::api::error::{AppwriteError, types};
