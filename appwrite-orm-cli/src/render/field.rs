//! A field of a generated struct: its name, `#[column(...)]` keys, type and doc comment.

use appwrite_orm::schema::ColumnSchema;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::doc_lines;
use super::names::TableNames;

/// A field of a generated struct.
pub(crate) struct Field {
    /// The column key.
    pub(crate) key: String,
    /// The field name.
    pub(crate) name: Ident,
    /// The keys of `#[column(...)]`, `rename` first when the name is not the key.
    pub(crate) attrs: Vec<TokenStream>,
    /// The field type.
    pub(crate) ty: TokenStream,
    /// The doc comment: what the column is, then what the derive cannot declare about it.
    pub(crate) notes: Vec<String>,
    /// The `appwrite_orm::model` name the type needs.
    pub(crate) import: Option<&'static str>,
}

impl Field {
    pub(crate) fn new(
        schema: &ColumnSchema,
        names: &TableNames,
        mut attrs: Vec<TokenStream>,
        ty: TokenStream,
        notes: Vec<String>,
        import: Option<&'static str>,
    ) -> Self {
        let name = names
            .fields
            .get(&schema.key)
            .expect("every column was named")
            .clone();
        if name != schema.key {
            let key = &schema.key;
            attrs.insert(0, quote!(rename = #key));
        }
        // Every public item documented: the pulled file compiles under `missing_docs`.
        let mut docs = vec![describe(schema)];
        docs.extend(notes);
        Field {
            key: schema.key.clone(),
            name: format_ident!("{name}"),
            attrs,
            ty,
            notes: docs,
            import,
        }
    }

    pub(crate) fn tokens(&self) -> TokenStream {
        let Field {
            name,
            attrs,
            ty,
            notes,
            ..
        } = self;
        let doc = notes.iter().flat_map(|n| doc_lines(n));
        let column = (!attrs.is_empty()).then(|| quote!(#[column(#(#attrs),*)]));
        quote! {
            #(#[doc = #doc])*
            #column
            pub #name: #ty,
        }
    }
}

/// One line on what a column is: "`fullName`: varchar(128), required." (", encrypted" for an
/// encrypted one).
fn describe(schema: &ColumnSchema) -> String {
    use appwrite_orm::schema::ColumnKind;
    let kind = match &schema.kind {
        ColumnKind::Varchar { size } | ColumnKind::String { size } => {
            format!("{}({size})", schema.kind.route_type())
        }
        ColumnKind::Relationship(rel) => format!(
            "relationship {} to `{}`{}",
            rel.relation_type.as_str(),
            rel.related_table,
            if rel.side.is_parent() { "" } else { " (twin)" }
        ),
        ColumnKind::Opaque { type_name, .. } => type_name.clone(),
        other => other.route_type().to_owned(),
    };
    let array = if schema.array { " array" } else { "" };
    let required = if schema.required { ", required" } else { "" };
    let encrypted = if schema.encrypt { ", encrypted" } else { "" };
    format!("`{}`: {kind}{array}{required}{encrypted}.", schema.key)
}
