//! Semantic checks: parsed attributes → the checked [`TableModel`].
//!
//! Every rule that can be decided from the tokens is checked here and reported at the token
//! that breaks it: keys and ids (Appwrite's rule), versions, duplicates, attribute
//! combinations, literal types and ranges. Rules that need the compiler (is this alias a
//! `String`?) become [`Assertion`](crate::model::Assertion)s that the expansion turns into
//! trait bounds. Errors go to the [`Ctxt`]; the model is built anyway.

mod column;
pub(crate) mod enumeration;
mod index;
mod relation;
mod rename;
mod value;

use std::collections::HashMap;

use appwrite_orm_contract::ids::check_id;
use appwrite_orm_contract::limits::{MAX_NAME_LEN, MAX_PERMISSIONS};
use syn::LitStr;

use crate::attr::Loc;

use crate::case::snake_case;
use crate::ctxt::Ctxt;
use crate::model::{FieldRole, TableModel};
use crate::parse::ParsedStruct;

/// The actions a permission string may start with.
const PERMISSION_ACTIONS: &[&str] = &["read", "create", "update", "delete", "write"];

pub(crate) fn check_struct<'a>(cx: &Ctxt, parsed: ParsedStruct<'a>) -> TableModel<'a> {
    let attrs = parsed.table;
    let id = match &attrs.id {
        Some(lit) => ruled_literal(cx, lit, "table id", check_id),
        None => {
            let id = snake_case(&parsed.ident.to_string());
            if let Err(reason) = check_id(&id) {
                cx.error_spanned_by(
                    parsed.ident,
                    format!(
                        "the table id {id:?} taken from the struct name {reason}; \
                         choose one with `#[table(id = \"...\")]`"
                    ),
                );
            }
            id
        }
    };
    let name = match &attrs.name {
        Some(lit) => {
            let name = lit.value();
            let len = name.chars().count();
            if !(1..=MAX_NAME_LEN).contains(&len) {
                cx.error_spanned_by(
                    lit,
                    format!("table name must be 1 to {MAX_NAME_LEN} characters, got {len}"),
                );
            }
            name
        }
        None => parsed.ident.to_string(),
    };
    let since = attrs
        .since
        .as_ref()
        .map_or(1, |s| version(cx, s.value, s.span, None));
    let permissions = check_permissions(cx, &attrs.permissions);
    let database = attrs
        .database
        .as_ref()
        .map(|lit| ruled_literal(cx, lit, "database id", check_id));

    let mut fields = Vec::with_capacity(parsed.fields.len());
    let mut key_spans = Vec::with_capacity(parsed.fields.len());
    for field in parsed.fields {
        let (model, key_span) = column::check_field(cx, since, field);
        fields.push(model);
        key_spans.push(key_span);
    }
    check_unique_fields(cx, &fields, &key_spans);
    rename::check_renames(cx, &fields);
    let indexes = index::check_indexes(cx, since, &fields, parsed.indexes);
    TableModel {
        ident: parsed.ident,
        vis: parsed.vis,
        id,
        name,
        since,
        row_security: attrs.row_security,
        permissions,
        database,
        fields,
        indexes,
    }
}

/// The value of a literal that Appwrite's id or key rule applies to (`rule`: `check_id` or
/// `check_key`); a value that breaks it is reported at the literal as `{what} "value" reason`.
fn ruled_literal(
    cx: &Ctxt,
    lit: &LitStr,
    what: &str,
    rule: fn(&str) -> Result<(), String>,
) -> String {
    let value = lit.value();
    if let Err(reason) = rule(&value) {
        cx.error_spanned_by(lit, format!("{what} {value:?} {reason}"));
    }
    value
}

/// A `since` value: at least 1, at least `floor` (the table's), and within u32.
pub(crate) fn version(cx: &Ctxt, value: u64, span: Loc, floor: Option<(u32, &str)>) -> u32 {
    let Ok(v) = u32::try_from(value) else {
        cx.error_at(
            span,
            format!("since {value} is too large (at most {})", u32::MAX),
        );
        return floor.map_or(1, |(f, _)| f);
    };
    if v == 0 {
        cx.error_at(span, "`since = 0` is not a version: versions start at 1");
        return floor.map_or(1, |(f, _)| f);
    }
    if let Some((floor, what)) = floor
        && v < floor
    {
        cx.error_at(
            span,
            format!(
                "{what} since {v} is lower than the table's since {floor}: \
                 nothing in a table can be older than the table"
            ),
        );
    }
    v
}

/// `read("any")`, `update("user:123")`, …: an action and one quoted role.
fn check_permissions(cx: &Ctxt, permissions: &[syn::LitStr]) -> Vec<String> {
    if permissions.len() > MAX_PERMISSIONS {
        cx.error_spanned_by(
            &permissions[MAX_PERMISSIONS],
            format!(
                "{} permissions exceed Appwrite's limit of {MAX_PERMISSIONS}",
                permissions.len()
            ),
        );
    }
    permissions
        .iter()
        .map(|lit| {
            let value = lit.value();
            let well_formed = value.split_once('(').is_some_and(|(action, rest)| {
                PERMISSION_ACTIONS.contains(&action)
                    && rest.len() > 4
                    && rest.starts_with('"')
                    && rest.ends_with("\")")
                    && !rest[1..rest.len() - 2].contains('"')
            });
            if !well_formed {
                cx.error_spanned_by(
                    lit,
                    format!(
                        "permission {value:?} is not of the form action(\"role\"), \
                         e.g. read(\"any\"); actions: {}",
                        PERMISSION_ACTIONS.join(", ")
                    ),
                );
            }
            value
        })
        .collect()
}

/// Column keys (case-insensitive, as Appwrite compares them), system markers and constant
/// names must each be unique.
fn check_unique_fields(cx: &Ctxt, fields: &[crate::model::FieldModel<'_>], key_spans: &[Loc]) {
    let mut keys = HashMap::new();
    let mut systems = HashMap::new();
    let mut consts = HashMap::new();
    for (field, span) in fields.iter().zip(key_spans) {
        match &field.role {
            FieldRole::Column(column) => {
                if let Some(first) = first_of(&mut keys, column.key.to_lowercase(), field.ident) {
                    cx.error_at(
                        *span,
                        format!(
                            "duplicate column key {:?}: field `{first}` already uses it \
                             (keys are compared case-insensitively)",
                            column.key
                        ),
                    );
                }
            }
            FieldRole::System(system) => {
                if let Some(first) = first_of(&mut systems, *system, field.ident) {
                    cx.error_at(
                        *span,
                        format!(
                            "`#[column({})]` is already on field `{first}`: a model has at most one",
                            system.marker()
                        ),
                    );
                }
            }
        }
        if let Some(first) = first_of(&mut consts, field.const_ident.to_string(), field.ident) {
            cx.error_spanned_by(
                field.ident,
                format!(
                    "fields `{first}` and `{}` would both get the column constant `{}`",
                    field.ident, field.const_ident
                ),
            );
        }
    }
}

/// Records `ident` under `key` unless the key is taken; returns the field that took it first.
fn first_of<'a, K: std::hash::Hash + Eq>(
    seen: &mut HashMap<K, &'a syn::Ident>,
    key: K,
    ident: &'a syn::Ident,
) -> Option<&'a syn::Ident> {
    match seen.entry(key) {
        std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(ident);
            None
        }
    }
}
