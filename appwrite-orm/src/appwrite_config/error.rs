//! Why a config file could not be read, exported or written.

use std::fmt;
use std::path::PathBuf;

use super::format::FormatVersion;

/// A config file could not be read, exported or written. Nothing is written when one is
/// returned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The text is not JSON.
    #[error("not JSON: line {line}, column {column}: {message}")]
    Json {
        /// Line of the fault, from 1.
        line: usize,
        /// Column of the fault, from 1.
        column: usize,
        /// What the JSON reader found.
        message: String,
    },
    /// The file is of a format version this library does not read.
    #[error(
        "{at}: this file is in the {found} format; appwrite-orm reads {}",
        FormatVersion::list(.supported)
    )]
    UnsupportedVersion {
        /// The version found.
        found: FormatVersion,
        /// Where it shows (`collections[0]`).
        at: String,
        /// The versions this library reads.
        supported: Vec<FormatVersion>,
    },
    /// Tables, columns or indexes are malformed; every problem found is listed.
    #[error("{}", Problem::join(.0))]
    Invalid(Vec<Problem>),
    /// The file keeps a database resource in another file (`includes`), which [`parse`]
    /// cannot open.
    ///
    /// [`parse`]: super::parse
    #[error(
        "includes.{resource}: {resource} are kept in {file:?}; read the file with \
         `appwrite_config::read_file`, which follows includes"
    )]
    Included {
        /// The resource (`tables`, `tablesDB`, ...).
        resource: String,
        /// The file named.
        file: String,
    },
    /// A schema cannot be written in the CLI's format.
    #[error("table {table:?}: {what}: {reason}")]
    Unexportable {
        /// The table id.
        table: String,
        /// The column or index (`index "by_name"`).
        what: String,
        /// Why the CLI's format cannot hold it.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        reason: String,
    },
}

impl ConfigError {
    /// One problem at `at`.
    pub(crate) fn at(at: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError::Invalid(vec![Problem::new(at, message)])
    }
}

impl From<serde_json::Error> for ConfigError {
    fn from(e: serde_json::Error) -> Self {
        ConfigError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }
    }
}

/// One malformed part of a file: where (`tables[2].columns[5] (users.age)`) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The path in the file, with the table id and column or index key when known.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    /// A problem at `at`.
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            at: at.into(),
            message: message.into(),
        }
    }

    fn join(problems: &[Problem]) -> String {
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

impl From<ConfigError> for crate::Error {
    /// The command line reports config errors as a configuration error of the file.
    fn from(e: ConfigError) -> Self {
        crate::Error::Config {
            what: "appwrite.config.json".to_owned(),
            reason: e.to_string(),
        }
    }
}
