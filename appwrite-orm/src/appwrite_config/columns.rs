//! One column (or attribute) of a config file: its fields checked by type and by the CLI's own
//! rules, then read as Appwrite's column model is read.

use serde_json::{Map, Value};

use super::error::Problem;
use super::fields::{Fields, object};
use super::format::{COLUMN_FORMATS, COLUMN_TYPES};
use super::read::Flavour;
use crate::schema::ColumnSchema;

const RELATION_TYPES: [&str; 4] = ["oneToOne", "oneToMany", "manyToOne", "manyToMany"];
const ON_DELETE: [&str; 3] = ["restrict", "cascade", "setNull"];
const SIDES: [&str; 2] = ["parent", "child"];

/// The column at `at`, or `None` with its problems recorded.
pub(crate) fn read_column(
    entry: &Value,
    at: &str,
    flavour: &Flavour,
    problems: &mut Vec<Problem>,
) -> Option<ColumnSchema> {
    let obj = object(entry, at, flavour.column_keys, problems)?;
    let fields = Fields::new(obj, at);
    let before = problems.len();
    let key = fields.string("key", problems);
    let ty = fields.string("type", problems);
    if let Some(ty) = ty.as_deref().filter(|t| !COLUMN_TYPES.contains(t)) {
        fields.problem(problems, format!("unknown type {ty:?}"));
    }
    check_field_types(obj, &fields, ty.as_deref(), problems);
    if let (Some(key), Some(ty)) = (key.as_deref(), ty.as_deref()) {
        check_rules(obj, &fields, key, ty, flavour, problems);
    }
    if problems.len() > before {
        return None;
    }
    let previous_key = fields.opt_string("previousKey", problems);
    match ColumnSchema::from_model(entry) {
        Ok(mut column) => {
            column.renamed_from = previous_key.filter(|k| !k.is_empty());
            Some(column)
        }
        Err(e) => {
            fields.problem(problems, e.message);
            None
        }
    }
}

/// Each field present has the JSON type the CLI's schema gives it.
fn check_field_types(
    obj: &Map<String, Value>,
    fields: &Fields<'_>,
    ty: Option<&str>,
    problems: &mut Vec<Problem>,
) {
    for name in ["required", "array", "twoWay", "encrypt"] {
        fields.opt_bool(name, problems);
    }
    for name in [
        "relatedTable",
        "relatedCollection",
        "twoWayKey",
        "previousKey",
    ] {
        fields.opt_string(name, problems);
    }
    fields.opt_strings("elements", problems);
    one_of(fields, "format", &COLUMN_FORMATS, problems);
    one_of(fields, "relationType", &RELATION_TYPES, problems);
    one_of(fields, "onDelete", &ON_DELETE, problems);
    one_of(fields, "side", &SIDES, problems);
    if let Some(size) = obj
        .get("size")
        .filter(|s| s.as_u64().and_then(|n| u32::try_from(n).ok()).is_none())
    {
        fields.problem(
            problems,
            format!("size must be a whole number of characters, not {size}"),
        );
    }
    let whole = matches!(ty, Some("integer" | "bigint"));
    for name in ["min", "max"] {
        match obj.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) if !whole || n.is_i64() => {}
            Some(other) => {
                let what = if whole { "a whole number" } else { "a number" };
                fields.problem(problems, format!("{name} must be {what}, not {other}"));
            }
        }
    }
}

/// The rules the CLI's schema adds to the field types (`config-validations.ts`), and what a
/// column must have to be read at all.
fn check_rules(
    obj: &Map<String, Value>,
    fields: &Fields<'_>,
    key: &str,
    ty: &str,
    flavour: &Flavour,
    problems: &mut Vec<Problem>,
) {
    let format = obj.get("format").and_then(Value::as_str).unwrap_or("");
    let is = |name: &str| obj.get(name).and_then(Value::as_bool) == Some(true);
    let mut problem = |message: String| fields.problem(problems, message);
    if is("required") && obj.get("default").is_some_and(|d| !d.is_null()) {
        problem("a required column takes no default (\"default\" must be null)".into());
    }
    if matches!(ty, "string" | "varchar") && format.is_empty() && !obj.contains_key("size") {
        problem(format!("size is missing ({ty} columns need one)"));
    }
    match format {
        "email" | "url" | "ip" | "enum" if ty != "string" => {
            problem(format!("format {format:?} is for string columns, not {ty}"));
        }
        "datetime" if ty != "datetime" => {
            problem(format!(
                "format \"datetime\" is for datetime columns, not {ty}"
            ));
        }
        "enum" if !obj.contains_key("elements") => {
            problem("elements are missing (an enum needs them)".into())
        }
        _ => {}
    }
    if ty == "relationship" {
        let related = obj.contains_key("relatedTable") || obj.contains_key(flavour.related);
        if !related {
            problem(format!(
                "{} is missing (a relationship needs it)",
                flavour.related
            ));
        }
        if !obj.contains_key("relationType") {
            problem("relationType is missing (a relationship needs it)".into());
        }
    }
    if obj.get("previousKey").and_then(Value::as_str) == Some(key) {
        problem("previousKey is the column's own key; it names the key before a rename".into());
    }
}

/// An optional string field that must be one of `allowed`.
fn one_of(fields: &Fields<'_>, name: &str, allowed: &[&str], problems: &mut Vec<Problem>) {
    let value = fields.opt_string(name, problems);
    if let Some(value) = value.filter(|v| !allowed.contains(&v.as_str())) {
        let allowed: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
        fields.problem(
            problems,
            format!("unknown {name} {value:?} (one of {})", allowed.join(", ")),
        );
    }
}
