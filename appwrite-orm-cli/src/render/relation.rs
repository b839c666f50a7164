//! A relationship column → an `Option<Ref<T>>` or `Vec<Ref<T>>` field with `relation(...)`,
//! parent side or twin.

use appwrite_orm::api::Column;
use appwrite_orm::schema::{ColumnKind, OnDelete, RelationSide, RelationType, Relationship};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::column::status_note;
use super::names::{Names, TableNames};
use super::{Field, Rendered};

/// The field of relationship column `column` of table `table_id`.
pub(crate) fn relation_field(
    table_id: &str,
    column: &Column,
    names: &TableNames,
    all: &Names,
) -> Rendered {
    let schema = &column.schema;
    let ColumnKind::Relationship(rel) = &schema.kind else {
        return Rendered::Omitted(format!("column `{}` is not a relationship", schema.key));
    };
    let mut notes = Vec::new();
    let (target, import) = match all.table(&rel.related_table) {
        Some(related) => {
            let ident = format_ident!("{}", related.struct_name);
            (quote!(Ref<#ident>), "Ref")
        }
        None => {
            notes.push(format!(
                "The related table `{}` was not part of the pull, so the field holds related \
                 ids (`RowId`) instead of `Ref<T>`.",
                rel.related_table
            ));
            (quote!(RowId), "RowId")
        }
    };
    let ty = if rel.is_to_many() {
        quote!(Vec<#target>)
    } else {
        quote!(Option<#target>)
    };
    let (relation, note) = relation_attr(table_id, rel);
    notes.extend(note);
    notes.extend(status_note(column));
    let attrs = vec![quote!(relation(#(#relation),*))];
    Rendered::Field(Field::new(schema, names, attrs, ty, notes, Some(import)))
}

/// The keys inside `relation(...)`, and a note when the live relationship says more than the
/// derive can declare.
fn relation_attr(table_id: &str, rel: &Relationship) -> (Vec<TokenStream>, Option<String>) {
    let table = &rel.related_table;
    let kind = format_ident!("{}", kind_name(rel.relation_type));
    let mut keys = vec![quote!(table = #table), quote!(kind = #kind)];
    if rel.on_delete != OnDelete::Restrict {
        let on_delete = format_ident!("{}", on_delete_name(rel.on_delete));
        keys.push(quote!(on_delete = #on_delete));
    }
    let mut note = None;
    match (rel.side, rel.two_way, &rel.two_way_key) {
        (RelationSide::Child, _, key) => {
            keys.push(quote!(twin));
            let key = key.clone().unwrap_or_default();
            keys.push(quote!(two_way_key = #key));
        }
        (RelationSide::Parent, true, Some(key)) => keys.push(quote!(two_way_key = #key)),
        (RelationSide::Parent, true, None) => keys.push(quote!(two_way)),
        (RelationSide::Parent, false, Some(key)) if key != table_id => {
            note = Some(format!(
                "Appwrite records the twin key `{key}` on this one-way relationship; the derive \
                 declares a twin key only on a two-way one, so it is left out (it names no \
                 column)."
            ));
        }
        (RelationSide::Parent, false, _) => {}
    }
    (keys, note)
}

fn kind_name(kind: RelationType) -> &'static str {
    match kind {
        RelationType::OneToOne => "one_to_one",
        RelationType::OneToMany => "one_to_many",
        RelationType::ManyToOne => "many_to_one",
        RelationType::ManyToMany => "many_to_many",
    }
}

fn on_delete_name(on_delete: OnDelete) -> &'static str {
    match on_delete {
        OnDelete::Restrict => "restrict",
        OnDelete::Cascade => "cascade",
        OnDelete::SetNull => "set_null",
    }
}
