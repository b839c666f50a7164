//! Attributes → unchecked, spanned values. One module per attribute.
//!
//! Nothing here decides whether a combination makes sense (that is [`crate::check`]); it only
//! reads what was written, reporting unknown keys, wrong literal types and repeated keys.

pub(crate) mod column;
pub(crate) mod enumeration;
pub(crate) mod index;
pub(crate) mod table;

use syn::{Data, DeriveInput, Fields, Ident, Type, Visibility};

use crate::ctxt::Ctxt;
use column::ColumnAttrs;
use index::IndexAttrs;
use table::TableAttrs;

/// A `#[derive(Table)]` struct as written.
pub(crate) struct ParsedStruct<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) vis: &'a Visibility,
    pub(crate) table: TableAttrs,
    pub(crate) indexes: Vec<IndexAttrs>,
    pub(crate) fields: Vec<ParsedField<'a>>,
}

pub(crate) struct ParsedField<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) vis: &'a Visibility,
    pub(crate) ty: &'a Type,
    pub(crate) attrs: ColumnAttrs,
}

/// What a `#[derive(Table)]` input is, when it is not a usable struct.
pub(crate) enum Unusable {
    /// Not a struct with named fields; a dummy `Table` impl keeps other code compiling.
    Shape,
    /// Generic: no impl can be written without knowing how the user meant the parameters.
    Generic,
}

/// Reads the struct, its table and index attributes and every field's column attributes.
pub(crate) fn parse_struct<'a>(
    cx: &Ctxt,
    input: &'a DeriveInput,
) -> Result<ParsedStruct<'a>, Unusable> {
    const NEEDS: &str = "`#[derive(Table)]` needs a struct with named fields";
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => &named.named,
            Fields::Unnamed(unnamed) => {
                cx.error_spanned_by(
                    unnamed,
                    format!("{NEEDS}: a tuple struct's fields have no names to use as column keys"),
                );
                return Err(Unusable::Shape);
            }
            Fields::Unit => {
                cx.error_spanned_by(
                    &input.ident,
                    format!("{NEEDS}: a unit struct has no columns"),
                );
                return Err(Unusable::Shape);
            }
        },
        Data::Enum(data) => {
            cx.error_at(
                data.enum_token.span,
                format!(
                    "{NEEDS}, not an enum (for an enum stored in a column, use `#[derive(ColumnEnum)]`)"
                ),
            );
            return Err(Unusable::Shape);
        }
        Data::Union(data) => {
            cx.error_at(data.union_token.span, format!("{NEEDS}, not a union"));
            return Err(Unusable::Shape);
        }
    };
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        cx.error_spanned_by(
            &input.generics,
            "`#[derive(Table)]` does not support generic structs: a table has one fixed schema, \
             so every field needs a concrete type",
        );
        return Err(Unusable::Generic);
    }
    misplaced(cx, &input.attrs, "column", "on a field");
    // Struct attributes first, so that errors come out roughly in source order.
    let table = table::parse(cx, &input.attrs);
    let indexes = index::parse(cx, &input.attrs);
    let parsed_fields = fields
        .iter()
        .filter_map(|field| {
            misplaced(cx, &field.attrs, "table", "on the struct");
            misplaced(cx, &field.attrs, "index", "on the struct");
            let ident = field.ident.as_ref()?;
            Some(ParsedField {
                ident,
                vis: &field.vis,
                ty: &field.ty,
                attrs: column::parse(cx, &field.attrs),
            })
        })
        .collect();
    Ok(ParsedStruct {
        ident: &input.ident,
        vis: &input.vis,
        table,
        indexes,
        fields: parsed_fields,
    })
}

/// A helper attribute in the wrong place would be silently ignored; say where it belongs.
fn misplaced(cx: &Ctxt, attrs: &[syn::Attribute], name: &str, belongs: &str) {
    for attr in attrs.iter().filter(|a| a.path().is_ident(name)) {
        cx.error_spanned_by(attr, format!("`#[{name}(...)]` belongs {belongs}"));
    }
}
