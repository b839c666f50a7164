//! The I/O around the generator: opening the database without creating anything, reading its
//! tables, and writing the models so that nothing is written on error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use appwrite_orm::api::Table;
use appwrite_orm::backend::Backend;
use appwrite_orm::backend::embedded::EmbeddedBackend;
use appwrite_orm::{DEFAULT_DATABASE_ID, Database, HttpBackend, HttpConfig};

use crate::render::{self, Declare, GenerateError, ModuleFile};

/// Why a pull failed. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    /// The connection or a read failed.
    #[error(transparent)]
    Orm(#[from] appwrite_orm::Error),
    /// The generator failed.
    #[error(transparent)]
    Generate(#[from] GenerateError),
    /// `--embedded` names no file (a pull never creates a database).
    #[error("no embedded database at {}: a pull reads an existing database", .0.display())]
    NoSuchFile(PathBuf),
    /// The database does not exist.
    #[error("the database {0:?} does not exist (set APPWRITE_DATABASE_ID or --database)")]
    DatabaseNotFound(String),
    /// The database has no table to generate a model of.
    #[error("the database {0:?} has no tables (other than the migration history)")]
    NoTables(String),
    /// `--out` is neither a `.rs` file nor a directory.
    #[error(
        "--out {}: expected a .rs file, or a directory (an existing one, or a path ending in /)",
        .0.display()
    )]
    BadOut(PathBuf),
    /// The `appwrite.config.json` given to `import` cannot be read or is of another format.
    #[error(transparent)]
    Config(#[from] appwrite_orm::appwrite_config::ConfigError),
    /// The config file has several databases (or none) and `--database` names none of them.
    #[error("{file}: {problem}; the file has: {}", if .known.is_empty() { "no database".to_owned() } else { .known.join(", ") })]
    ChooseDatabase {
        /// The config file.
        file: String,
        /// What is wrong with the choice.
        problem: String,
        /// The databases the file has.
        known: Vec<String>,
    },
    /// Writing failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// Where the models go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// One file.
    File(PathBuf),
    /// A directory: `mod.rs` and one file per table.
    Directory(PathBuf),
}

impl Output {
    /// A directory when `path` ends with a separator or is an existing directory, a file when
    /// it ends in `.rs`.
    pub fn from_path(path: &Path) -> Result<Self, PullError> {
        let text = path.as_os_str().to_string_lossy();
        if text.ends_with(std::path::MAIN_SEPARATOR) || text.ends_with('/') || path.is_dir() {
            Ok(Output::Directory(path.to_owned()))
        } else if path.extension().is_some_and(|e| e == "rs") {
            Ok(Output::File(path.to_owned()))
        } else {
            Err(PullError::BadOut(path.to_owned()))
        }
    }
}

/// What a pull did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullSummary {
    /// The database id.
    pub database: String,
    /// Tables written, by id.
    pub tables: Vec<String>,
    /// Columns over every table.
    pub columns: usize,
    /// Indexes over every table.
    pub indexes: usize,
    /// The files written.
    pub files: Vec<PathBuf>,
    /// `.rs` files of the output directory that this pull did not write (tables that are gone).
    pub stale: Vec<PathBuf>,
}

/// The database to pull from: the embedded file (which must exist) or the server of the
/// `APPWRITE_*` variables. Unlike the migration command line, it creates nothing: a missing
/// database is an error.
pub async fn open(embedded: Option<&Path>, database: Option<&str>) -> Result<Database, PullError> {
    let (backend, id): (Arc<dyn Backend>, String) = match embedded {
        Some(path) => {
            if !path.is_file() {
                return Err(PullError::NoSuchFile(path.to_owned()));
            }
            let id = database.unwrap_or(DEFAULT_DATABASE_ID).to_owned();
            (Arc::new(EmbeddedBackend::open(path)?), id)
        }
        None => {
            let config = HttpConfig::from_env()?;
            let id = database
                .map(str::to_owned)
                .or_else(|| config.database_id.clone())
                .unwrap_or_else(|| DEFAULT_DATABASE_ID.to_owned());
            (Arc::new(HttpBackend::new(config)?), id)
        }
    };
    match backend.get_database(&id).await {
        Ok(_) => Ok(Database::new(backend, id)),
        Err(e) if e.error_type() == Some(appwrite_orm::api::types::DATABASE_NOT_FOUND) => {
            Err(PullError::DatabaseNotFound(id))
        }
        Err(e) => Err(e.into()),
    }
}

/// The tables of `db` that are models: every one but the migration history.
pub async fn model_tables(db: &Database, history_table: &str) -> Result<Vec<Table>, PullError> {
    let mut tables = db.live_tables().await?;
    tables.retain(|t| t.id != history_table);
    if tables.is_empty() {
        return Err(PullError::NoTables(db.id().to_owned()));
    }
    Ok(tables)
}

/// What a pull or an import writes beyond the tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Models {
    /// The migration history table, which is not a model.
    pub history_table: String,
    /// What the models state ([`Declare`]).
    pub declare: Declare,
}

impl Default for Models {
    fn default() -> Self {
        Self {
            history_table: appwrite_orm::migrate::DEFAULT_HISTORY_TABLE.to_owned(),
            declare: Declare::default(),
        }
    }
}

/// Reads the tables of `db` and writes their models to `out`.
pub async fn pull(db: &Database, out: &Output, models: &Models) -> Result<PullSummary, PullError> {
    let tables = model_tables(db, &models.history_table).await?;
    write_models(&tables, db.id(), out, models.declare)
}

/// Reads the tables of one database of an `appwrite.config.json` (the Appwrite CLI's file;
/// see [`appwrite_orm::appwrite_config`]) and writes their models to `out`, as [`pull`] does
/// for a live database. `database` may be left out when the file has one database.
pub fn import(
    config: &Path,
    database: Option<&str>,
    out: &Output,
    models: &Models,
) -> Result<PullSummary, PullError> {
    let file = appwrite_orm::appwrite_config::read_file(config)?;
    let known: Vec<String> = file.databases().iter().map(|d| d.id.clone()).collect();
    let choose = |problem: String| PullError::ChooseDatabase {
        file: config.display().to_string(),
        problem,
        known: known.clone(),
    };
    let id = match (database, known.as_slice()) {
        (Some(id), _) if known.iter().any(|k| k == id) => id.to_owned(),
        (Some(id), _) => return Err(choose(format!("no database {id:?}"))),
        (None, [only]) => only.clone(),
        (None, _) => return Err(choose("name the database to import with --database".into())),
    };
    let mut tables = file.tables(&id);
    tables.retain(|t| t.id != models.history_table);
    if tables.is_empty() {
        return Err(PullError::NoTables(id));
    }
    write_models(&tables, &id, out, models.declare)
}

/// Writes the models of `tables` (of database `database`) to `out`.
fn write_models(
    tables: &[Table],
    database: &str,
    out: &Output,
    declare: Declare,
) -> Result<PullSummary, PullError> {
    let mut summary = PullSummary {
        database: database.to_owned(),
        tables: tables.iter().map(|t| t.id.clone()).collect(),
        columns: tables.iter().map(|t| t.columns.len()).sum(),
        indexes: tables.iter().map(|t| t.indexes.len()).sum(),
        files: Vec::new(),
        stale: Vec::new(),
    };
    summary.tables.sort();
    match out {
        Output::File(path) => {
            let source = render::generate_with(tables, database, declare)?;
            write_all(&[(path.clone(), source)])?;
            summary.files.push(path.clone());
        }
        Output::Directory(dir) => {
            let files = render::generate_modules_with(tables, database, declare)?;
            summary.stale = stale_files(dir, &files);
            let files: Vec<(PathBuf, String)> = files
                .into_iter()
                .map(|ModuleFile { file_name, source }| (dir.join(file_name), source))
                .collect();
            write_all(&files)?;
            summary.files = files.into_iter().map(|(p, _)| p).collect();
        }
    }
    Ok(summary)
}

/// Writes every file or none: each goes to a temporary file next to its destination first,
/// and only when all are written are they renamed into place (a rename within a directory
/// does not fail half-way; an error before it leaves every destination as it was).
fn write_all(files: &[(PathBuf, String)]) -> Result<(), PullError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| PullError::Io { path, source }
    };
    let mut staged = Vec::new();
    for (path, source) in files {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let mut temp = tempfile::NamedTempFile::new_in(&dir).map_err(io(path))?;
        temp.write_all(source.as_bytes()).map_err(io(path))?;
        temp.as_file().sync_all().map_err(io(path))?;
        staged.push((temp, path));
    }
    for (temp, path) in staged {
        temp.persist(path).map_err(|e| PullError::Io {
            path: path.clone(),
            source: e.error,
        })?;
    }
    Ok(())
}

/// The `.rs` files of `dir` that `files` does not include.
fn stale_files(dir: &Path, files: &[ModuleFile]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut stale: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            !files.iter().any(|f| f.file_name == name)
        })
        .collect();
    stale.sort();
    stale
}

/// What to do after a pull, for the person who ran it.
pub fn next_steps(summary: &PullSummary, out: &Output) -> String {
    let module = match out {
        Output::File(path) | Output::Directory(path) => path
            .file_stem()
            .map_or_else(|| "models".to_owned(), |s| s.to_string_lossy().into_owned()),
    };
    let count = summary.tables.len();
    let mut text = format!(
        "pulled {count} table{} ({} columns, {} indexes) of database {:?} into {}\n",
        if count == 1 { "" } else { "s" },
        summary.columns,
        summary.indexes,
        summary.database,
        match out {
            Output::File(p) | Output::Directory(p) => p.display().to_string(),
        }
    );
    for stale in &summary.stale {
        text += &format!(
            "note: {} was not written by this pull (a table that is gone?); it is not in mod.rs\n",
            stale.display()
        );
    }
    text += &format!(
        "next: add `mod {module};` to your crate, then record the adopted state with your \
         migration binary:\n  migrate baseline 1\n"
    );
    text
}
