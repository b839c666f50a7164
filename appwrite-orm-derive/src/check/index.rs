//! `#[index(...)]`: key, columns resolved from field names, kind against column types,
//! orders, versions, and unique keys.

use std::collections::HashMap;

use appwrite_orm_contract::ids::check_key;
use syn::ext::IdentExt;

use super::{ruled_literal, version};
use crate::ctxt::Ctxt;
use crate::model::{FieldModel, FieldRole, IndexKind, IndexModel, SystemField};
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
    let key = match &attrs.key {
        Some(lit) => ruled_literal(cx, lit, "index key", check_key),
        None => {
            cx.error_at(
                attrs.span,
                "this index needs a key: `#[index(key = \"...\", ...)]`",
            );
            String::new()
        }
    };
    if attrs.columns.is_empty() {
        cx.error_at(
            attrs.span,
            "this index names no columns: add `columns(field, ...)`",
        );
    }
    let fulltext = attrs.kind.value == IndexKind::Fulltext;
    let mut columns = Vec::with_capacity(attrs.columns.len());
    // The latest version among the indexed columns: the index cannot exist before them.
    let mut newest: Option<(u32, &syn::Ident)> = None;
    for ident in &attrs.columns {
        let name = ident.unraw().to_string();
        let Some(field) = fields.iter().find(|f| f.ident.unraw() == name) else {
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
            continue;
        };
        let column_key = match &field.role {
            FieldRole::System(system @ (SystemField::Sequence | SystemField::Permissions)) => {
                cx.error_spanned_by(
                    ident,
                    format!(
                        "`{name}` holds `{}`, which cannot be indexed; system columns that can: \
                         $id, $createdAt, $updatedAt",
                        system.key()
                    ),
                );
                continue;
            }
            FieldRole::System(system) => {
                if fulltext && *system != SystemField::Id {
                    cx.error_spanned_by(
                        ident,
                        format!("a fulltext index needs text columns, but `{name}` is a date"),
                    );
                }
                system.key().to_owned()
            }
            FieldRole::Column(column) => {
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
                if newest.is_none_or(|(since, _)| column.since > since) {
                    newest = Some((column.since, ident));
                }
                column.key.clone()
            }
        };
        if columns.contains(&column_key) {
            cx.error_spanned_by(ident, format!("`{name}` appears twice in this index"));
        }
        columns.push(column_key);
    }
    let orders = match &attrs.orders {
        Some(orders) => {
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
        None => Vec::new(),
    };
    let since = match &attrs.since {
        Some(s) => {
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
        None => newest.map_or(table_since, |(s, _)| s.max(table_since)),
    };
    IndexModel {
        key,
        kind: attrs.kind.value,
        columns,
        orders,
        since,
    }
}

/// `1 order`, `2 orders`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
