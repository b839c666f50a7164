//! The file itself: reading it with the database resources it keeps in other files
//! (`includes`), and writing it atomically.

use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use super::error::ConfigError;
use super::format::DATABASE_RESOURCES;
use super::write::to_pretty_string;
use super::{AppwriteConfig, read};

/// Reads and parses the config file at `path`, with the database resources its `includes`
/// keep in other files (paths relative to the file's directory, inside it, ending in `.json`,
/// each holding a list; a missing one is an empty list, as the CLI reads it).
pub fn read_file(path: impl AsRef<Path>) -> Result<AppwriteConfig, ConfigError> {
    let path = path.as_ref();
    let mut root = read_document(path)?;
    if let Some(obj) = root.as_object_mut() {
        resolve_includes(path, obj)?;
    }
    read::read_root(&root)
}

/// Writes `document` to `path` as the CLI writes it ([`to_pretty_string`]): into a temporary
/// file next to it, renamed over it once complete, so that a failure leaves `path` as it was.
pub fn write_file(path: impl AsRef<Path>, document: &Value) -> Result<(), ConfigError> {
    let path = path.as_ref();
    let name = path.file_name().ok_or_else(|| ConfigError::Io {
        path: path.to_owned(),
        reason: "not a file name".to_owned(),
    })?;
    let tmp = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let io = |p: &Path, e: std::io::Error| ConfigError::Io {
        path: p.to_owned(),
        reason: e.to_string(),
    };
    std::fs::write(&tmp, to_pretty_string(document)).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        // Nothing half-written stays behind.
        let _ = std::fs::remove_file(&tmp);
        io(path, e)
    })
}

/// The JSON document in the file at `path`, as it is (for [`merge_into`](super::merge_into)).
pub fn read_document(path: impl AsRef<Path>) -> Result<Value, ConfigError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(serde_json::from_str(&text)?)
}

/// Moves each included database resource into `root`, and out of `includes`.
fn resolve_includes(config: &Path, root: &mut Map<String, Value>) -> Result<(), ConfigError> {
    let Some(includes) = root.get("includes").and_then(Value::as_object).cloned() else {
        return Ok(());
    };
    let dir = config.parent().unwrap_or(Path::new(""));
    for resource in DATABASE_RESOURCES {
        let Some(file) = includes.get(resource) else {
            continue;
        };
        let at = format!("includes.{resource}");
        if root.contains_key(resource) {
            return Err(ConfigError::at(at, "defined both inline and in includes"));
        }
        let included = included_path(dir, file).map_err(|reason| ConfigError::at(&at, reason))?;
        let list = if included.exists() {
            read_document(&included)?
        } else {
            Value::Array(Vec::new())
        };
        if !list.is_array() {
            return Err(ConfigError::at(
                at,
                format!("{} must hold a list", included.display()),
            ));
        }
        root.insert(resource.to_owned(), list);
        if let Some(Value::Object(includes)) = root.get_mut("includes") {
            includes.remove(resource);
        }
    }
    Ok(())
}

/// The file an include names, held to the CLI's rules: a relative path to a `.json` file
/// inside the config's directory.
fn included_path(dir: &Path, file: &Value) -> Result<PathBuf, String> {
    let file = file.as_str().map(str::trim).unwrap_or_default();
    let relative = Path::new(file);
    let inside = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if file.is_empty() || !inside || file.contains('#') || file.contains(':') {
        return Err(format!(
            "{file:?} must be a relative path inside the project"
        ));
    }
    if !file.to_ascii_lowercase().ends_with(".json") {
        return Err(format!("{file:?} must name a .json file"));
    }
    Ok(dir.join(relative))
}
