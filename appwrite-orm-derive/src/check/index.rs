//! `#[index(...)]`: key, columns resolved from field names, kind against column types,
//! orders, versions, and unique keys.

use std::collections::HashMap;

use appwrite_orm_contract::ids::check_key;
use syn::ext::IdentExt;

use super::{ruled_literal, version};
use crate::ctxt::Ctxt;
use crate::model::{
    ColumnModel, FieldModel, FieldRole, IndexKind, IndexModel, SortOrder, SystemField,
};
use crate::parse::index::IndexAttrs;
use crate::ty::Scalar;

pub(super) fn check_indexes(
    cx: &Ctxt,
    table_since: u32,
    fields: &[FieldModel<'_>],
    indexes: Vec<IndexAttrs>,
) -> Vec<IndexModel> {
    let mut seen: HashMap<String, String> = HashMap::new();
    indexes
        .into_iter()
        .map(|attrs| {
            let model = check_index(cx, table_since, fields, &attrs);
            if let Some(lit) = &attrs.key
                && let Some(first) = seen.insert(model.key.to_lowercase(), model.key.clone())
            {
                cx.error_spanned_by(
                    lit,
                    format!(
                        "duplicate index key {:?}: another index is already called {first:?} \
                         (keys are compared case-insensitively)",
                        model.key
                    ),
                );
            }
            model
        })
        .collect()
}

fn check_index(
    cx: &Ctxt,
    table_since: u32,
    fields: &[FieldModel<'_>],
    attrs: &IndexAttrs,
) -> IndexModel {
    // The steps run in this order so that errors are reported in the attribute's order.
    let key = index_key(cx, attrs);
    let IndexColumns { keys, newest } = resolve_columns(cx, fields, attrs);
    let orders = index_orders(cx, attrs);
    let lengths = index_lengths(cx, attrs);
    let since = index_since(cx, table_since, attrs, newest);
    IndexModel {
        key,
        kind: attrs.kind.value,
        columns: keys,
        orders,
        lengths,
        since,
    }
}

/// The checked `key = "..."`; empty (after an error) when it is missing.
fn index_key(cx: &Ctxt, attrs: &IndexAttrs) -> String {
    match &attrs.key {
        Some(lit) => ruled_literal(cx, lit, "index key", check_key),
        None => {
            cx.error_at(
                attrs.span,
                "this index needs a key: `#[index(key = \"...\", ...)]`",
            );
            String::new()
        }
    }
}

/// The columns of one index, resolved from the field names it lists.
struct IndexColumns<'i> {
    /// The column keys, in the attribute's order, without the fields that were rejected.
    keys: Vec<String>,
    /// The latest version among the indexed columns, with the field that has it: the index
    /// cannot exist before them.
    newest: Option<(u32, &'i syn::Ident)>,
}

fn resolve_columns<'i>(
    cx: &Ctxt,
    fields: &[FieldModel<'_>],
    attrs: &'i IndexAttrs,
) -> IndexColumns<'i> {
    if attrs.columns.is_empty() {
        cx.error_at(
            attrs.span,
            "this index names no columns: add `columns(field, ...)`",
        );
    }
    let fulltext = attrs.kind.value == IndexKind::Fulltext;
    let mut columns = IndexColumns {
        keys: Vec::with_capacity(attrs.columns.len()),
        newest: None,
    };
    for ident in &attrs.columns {
        let Some(field) = find_field(cx, fields, ident) else {
            continue;
        };
        let Some((column_key, since)) = indexed_column(cx, ident, field, fulltext) else {
            continue;
        };
        if let Some(since) = since
            && columns.newest.is_none_or(|(newest, _)| since > newest)
        {
            columns.newest = Some((since, ident));
        }
        if columns.keys.contains(&column_key) {
            cx.error_spanned_by(
                ident,
                format!("`{}` appears twice in this index", ident.unraw()),
            );
        }
        columns.keys.push(column_key);
    }
    columns
}

/// The field that `ident` names, or an error with the closest field name.
fn find_field<'f, 'a>(
    cx: &Ctxt,
    fields: &'f [FieldModel<'a>],
    ident: &syn::Ident,
) -> Option<&'f FieldModel<'a>> {
    let name = ident.unraw().to_string();
    let found = fields.iter().find(|f| f.ident.unraw() == name);
    if found.is_none() {
        let names: Vec<String> = fields.iter().map(|f| f.ident.unraw().to_string()).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let hint = crate::attr::closest(&name, &names)
            .map(|close| format!("; did you mean `{close}`?"))
            .unwrap_or_default();
        cx.error_spanned_by(
            ident,
            format!(
                "no field `{name}` in this struct{hint} (indexes name fields, not column keys)"
            ),
        );
    }
    found
}

/// The key of the column that `field` holds, and its version when it is a declared column;
/// `None` when it cannot be indexed at all. Reports what this index kind cannot use.
fn indexed_column(
    cx: &Ctxt,
    ident: &syn::Ident,
    field: &FieldModel<'_>,
    fulltext: bool,
) -> Option<(String, Option<u32>)> {
    let name = ident.unraw();
    match &field.role {
        FieldRole::System(system @ (SystemField::Sequence | SystemField::Permissions)) => {
            cx.error_spanned_by(
                ident,
                format!(
                    "`{name}` holds `{}`, which cannot be indexed; system columns that can: \
                     $id, $createdAt, $updatedAt",
                    system.key()
                ),
            );
            None
        }
        FieldRole::System(system) => {
            if fulltext && *system != SystemField::Id {
                cx.error_spanned_by(
                    ident,
                    format!("a fulltext index needs text columns, but `{name}` is a date"),
                );
            }
            Some((system.key().to_owned(), None))
        }
        FieldRole::Column(column) => {
            check_column_indexable(cx, ident, field, column, fulltext);
            Some((column.key.clone(), Some(column.since)))
        }
    }
}

/// Reports a declared column that an index cannot use (the first reason only).
fn check_column_indexable(
    cx: &Ctxt,
    ident: &syn::Ident,
    field: &FieldModel<'_>,
    column: &ColumnModel,
    fulltext: bool,
) {
    let name = ident.unraw();
    if column.relation.is_some() {
        cx.error_spanned_by(
            ident,
            format!("`{name}` is a relationship column, which cannot be indexed"),
        );
    } else if field.info.shape.is_vec() && !field.info.is_unknown() {
        cx.error_spanned_by(
            ident,
            format!(
                "`{name}` is an array column, which cannot be indexed \
                 (Appwrite 1.9 does not support indexes on arrays)"
            ),
        );
    } else if fulltext && !matches!(field.info.scalar, Scalar::String | Scalar::Other) {
        cx.error_spanned_by(
            ident,
            format!(
                "a fulltext index needs text columns, but `{name}` is `{}`",
                crate::ty::type_string(field.ty)
            ),
        );
    }
}

/// The `orders(...)`, one per column; empty (all ascending) when absent.
fn index_orders(cx: &Ctxt, attrs: &IndexAttrs) -> Vec<SortOrder> {
    let Some(orders) = &attrs.orders else {
        return Vec::new();
    };
    if orders.value.len() != attrs.columns.len() {
        cx.error_at(
            orders.span,
            format!(
                "{} for {}: give one order per column, or none for all ascending",
                plural(orders.value.len(), "order"),
                plural(attrs.columns.len(), "column"),
            ),
        );
    }
    orders.value.clone()
}

/// The `lengths(...)`, one per column, each at least 1 (`none`: the whole column); empty when
/// absent. Whether they fit the columns' sizes is checked with the schema, which knows them.
fn index_lengths(cx: &Ctxt, attrs: &IndexAttrs) -> Vec<Option<u32>> {
    let Some(lengths) = &attrs.lengths else {
        return Vec::new();
    };
    if lengths.value.len() != attrs.columns.len() {
        cx.error_at(
            lengths.span,
            format!(
                "{} for {}: give one length per column (`none` for a whole column), or none",
                plural(lengths.value.len(), "length"),
                plural(attrs.columns.len(), "column"),
            ),
        );
    }
    lengths
        .value
        .iter()
        .map(|length| match length {
            None => None,
            Some(n) => match u32::try_from(*n) {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    cx.error_at(
                        lengths.span,
                        format!("index length {n} is outside 1..={}", u32::MAX),
                    );
                    None
                }
            },
        })
        .collect()
}

/// The index's version: the declared one, checked against its table and columns, or the
/// newest of those.
fn index_since(
    cx: &Ctxt,
    table_since: u32,
    attrs: &IndexAttrs,
    newest: Option<(u32, &syn::Ident)>,
) -> u32 {
    let Some(s) = &attrs.since else {
        return newest.map_or(table_since, |(s, _)| s.max(table_since));
    };
    let since = version(cx, s.value, s.span, Some((table_since, "index")));
    if let Some((column_since, ident)) = newest
        && since < column_since
    {
        cx.error_at(
            s.span,
            format!(
                "index since {since} is lower than the since {column_since} of column \
                 `{}`: an index cannot exist before its columns",
                ident.unraw()
            ),
        );
    }
    since
}

/// `1 order`, `2 orders`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
