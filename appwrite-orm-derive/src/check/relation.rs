//! `relation(...)`: the field type, the related table, the kind against the field's shape,
//! and the twin key.

use appwrite_orm_contract::ids::{check_id, check_key};
use syn::ext::IdentExt;

use super::column::FieldCx;
use super::ruled_literal;
use crate::model::{OnDelete, RelationKind, RelationModel, Requirement};
use crate::parse::column::{ColumnAttrs, RelationAttrs};

/// The keys of `#[column(...)]` a relationship column takes; every other one describes a
/// scalar column (its kind, size, bounds, default, requirement) and makes no sense here.
const ON_RELATION: &[&str] = &["rename", "renamed_from", "since", "relation"];

pub(super) fn check_relation(
    fcx: &mut FieldCx<'_, '_>,
    rel: &RelationAttrs,
    attrs: &ColumnAttrs,
) -> RelationModel {
    let cx = fcx.cx;
    fcx.require(Requirement::Relation, "relation", rel.span);
    for key in attrs
        .column_keys
        .iter()
        .filter(|k| !ON_RELATION.contains(&k.value))
    {
        cx.error_at(
            key.span,
            format!("`{}` does not apply to a relationship column", key.value),
        );
    }
    let table = match &rel.table {
        Some(lit) => ruled_literal(cx, lit, "related table id", check_id),
        None => {
            cx.error_at(
                rel.span,
                "`relation(...)` needs `table = \"...\"`: the id of the related table",
            );
            String::new()
        }
    };
    let many_field = fcx.info.shape.is_vec();
    let twin = rel.twin.is_some();
    let kind = match &rel.kind {
        Some(kind) => {
            if !fcx.info.is_unknown() && kind.value.many(twin) != many_field {
                let (holds, fits) = match (many_field, twin) {
                    (true, false) => ("a Vec of related rows", "one_to_many or many_to_many"),
                    (false, false) => ("one related row", "many_to_one or one_to_one"),
                    (true, true) => (
                        "a Vec of related rows",
                        "the twin of many_to_one or many_to_many",
                    ),
                    (false, true) => ("one related row", "the twin of one_to_many or one_to_one"),
                };
                cx.error_at(
                    kind.span,
                    format!(
                        "this relation kind does not match the field: `{}` holds {holds}, \
                         which fits {fits}",
                        fcx.ident.unraw()
                    ),
                );
            }
            kind.value
        }
        None if many_field => {
            cx.error_at(
                rel.span,
                "a relation on a Vec<RowId> field needs `kind = one_to_many` or \
                 `kind = many_to_many`",
            );
            RelationKind::ManyToMany
        }
        None => RelationKind::ManyToOne,
    };
    let two_way_key = rel
        .two_way_key
        .as_ref()
        .map(|lit| ruled_literal(cx, lit, "two-way key", check_key));
    if let Some(span) = rel.twin
        && two_way_key.is_none()
    {
        cx.error_at(
            span,
            "a `twin` needs `two_way_key = \"...\"`: the key of the relationship column it \
             mirrors on the related table",
        );
    }
    RelationModel {
        table,
        kind,
        on_delete: rel
            .on_delete
            .as_ref()
            .map_or(OnDelete::Restrict, |o| o.value),
        // A twin key only makes sense with a twin column: giving one asks for it.
        two_way: rel.two_way.is_some() || two_way_key.is_some(),
        two_way_key,
        twin,
    }
}
