//! Typed reads of the file's JSON objects, each fault recorded as a [`Problem`] at its place.

use serde_json::{Map, Value};

use super::error::Problem;

/// The entries of an optional list field, or a problem when it is not a list.
pub(crate) fn list<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    at: &str,
    problems: &mut Vec<Problem>,
) -> Vec<(usize, &'a Value)> {
    match obj.get(name) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().enumerate().collect(),
        Some(other) => {
            let at = if at == name {
                name.to_owned()
            } else {
                format!("{at}.{name}")
            };
            problems.push(Problem::new(at, format!("must be a list, not {other}")));
            Vec::new()
        }
    }
}

/// The entry as an object whose keys are all among `keys` (the CLI's schemas are strict: an
/// unknown key, often a misspelt one, makes `appwrite push` refuse the file).
pub(crate) fn object<'a>(
    entry: &'a Value,
    at: &str,
    keys: &[&str],
    problems: &mut Vec<Problem>,
) -> Option<&'a Map<String, Value>> {
    let Some(obj) = entry.as_object() else {
        problems.push(Problem::new(
            at,
            format!("must be a JSON object, not {entry}"),
        ));
        return None;
    };
    for key in obj.keys().filter(|k| !keys.contains(&k.as_str())) {
        problems.push(Problem::new(at, format!("unknown key {key:?}")));
    }
    Some(obj)
}

/// Typed reads of an object's fields, each fault recorded as a problem at `at`.
pub(crate) struct Fields<'a> {
    obj: &'a Map<String, Value>,
    at: &'a str,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(obj: &'a Map<String, Value>, at: &'a str) -> Self {
        Fields { obj, at }
    }

    pub(crate) fn problem(&self, problems: &mut Vec<Problem>, message: String) {
        problems.push(Problem::new(self.at, message));
    }

    /// A required non-empty string.
    pub(crate) fn string(&self, name: &str, problems: &mut Vec<Problem>) -> Option<String> {
        match self.obj.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            None => {
                self.problem(problems, format!("{name} is missing"));
                None
            }
            Some(other) => {
                self.problem(
                    problems,
                    format!("{name} must be a non-empty string, not {other}"),
                );
                None
            }
        }
    }

    /// An optional string.
    pub(crate) fn opt_string(&self, name: &str, problems: &mut Vec<Problem>) -> Option<String> {
        match self.obj.get(name)? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.problem(problems, format!("{name} must be a string, not {other}"));
                None
            }
        }
    }

    /// An optional boolean.
    pub(crate) fn opt_bool(&self, name: &str, problems: &mut Vec<Problem>) -> Option<bool> {
        match self.obj.get(name)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.problem(
                    problems,
                    format!("{name} must be true or false, not {other}"),
                );
                None
            }
        }
    }

    /// A required list of strings.
    pub(crate) fn strings(&self, name: &str, problems: &mut Vec<Problem>) -> Option<Vec<String>> {
        if !self.obj.contains_key(name) {
            self.problem(problems, format!("{name} is missing"));
            return None;
        }
        self.opt_strings(name, problems)
    }

    /// An optional list of strings.
    pub(crate) fn opt_strings(
        &self,
        name: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<Vec<String>> {
        let value = self.obj.get(name)?;
        let strings: Option<Vec<String>> = value.as_array().and_then(|items| {
            items
                .iter()
                .map(|s| s.as_str().map(str::to_owned))
                .collect()
        });
        if strings.is_none() {
            self.problem(
                problems,
                format!("{name} must be a list of strings, not {value}"),
            );
        }
        strings
    }
}
