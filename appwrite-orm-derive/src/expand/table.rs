//! `impl Table`: the schema, row ids, conversions to and from rows, and the registration.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::schema::{default_value, schema_expr};
use crate::model::{FieldModel, FieldRole, SystemField, TableModel};

pub(super) fn table_impl(model: &TableModel<'_>) -> TokenStream {
    let ident = model.ident;
    let schema = schema_expr(model);
    let (row_id, set_row_id) = row_id(model);
    let to_document = to_document(model);
    let from_row = from_row(model);
    let type_name = ident.to_string();
    quote! {
        #[automatically_derived]
        impl ::appwrite_orm::model::Table for #ident {
            fn schema() -> &'static ::appwrite_orm::schema::TableSchema {
                static SCHEMA: ::std::sync::LazyLock<::appwrite_orm::schema::TableSchema> =
                    ::std::sync::LazyLock::new(|| #schema);
                &SCHEMA
            }

            fn row_id(&self) -> ::std::option::Option<&::appwrite_orm::model::RowId> {
                #row_id
            }

            fn set_row_id(&mut self, id: ::appwrite_orm::model::RowId) {
                #set_row_id
            }

            fn to_document(&self) -> ::appwrite_orm::backend::Document {
                #to_document
            }

            fn from_row(
                row: &::appwrite_orm::backend::Row,
            ) -> ::appwrite_orm::Result<Self> {
                #from_row
            }
        }

        ::appwrite_orm::inventory::submit! {
            ::appwrite_orm::model::TableRegistration {
                schema: <#ident as ::appwrite_orm::model::Table>::schema,
                type_name: #type_name,
            }
        }
    }
}

fn row_id(model: &TableModel<'_>) -> (TokenStream, TokenStream) {
    match model.system_field(SystemField::Id) {
        Some(field) => {
            let ident = field.ident;
            (
                quote! {
                    if self.#ident.is_empty() {
                        ::std::option::Option::None
                    } else {
                        ::std::option::Option::Some(&self.#ident)
                    }
                },
                quote!(self.#ident = id;),
            )
        }
        None => (
            quote!(::std::option::Option::None),
            // Nothing holds the id; the parameter is used so that it raises no warning.
            quote!(let _ = id;),
        ),
    }
}

fn to_document(model: &TableModel<'_>) -> TokenStream {
    let inserts = model.columns().map(|(field, column)| {
        let ident = field.ident;
        let ty = field.ty;
        let key = &column.key;
        let value = quote_spanned! {ty.span()=>
            <#ty as ::appwrite_orm::model::ColumnType>::to_value(&self.#ident)
        };
        quote!(document.insert(::std::string::String::from(#key), #value);)
    });
    let permissions = model.system_field(SystemField::Permissions).map(|field| {
        let ident = field.ident;
        let ty = field.ty;
        quote! {
            if !self.#ident.is_empty() {
                document.insert(
                    ::std::string::String::from("$permissions"),
                    <#ty as ::appwrite_orm::model::ColumnType>::to_value(&self.#ident),
                );
            }
        }
    });
    quote! {
        let mut document = ::appwrite_orm::backend::Document::new();
        #(#inserts)*
        #permissions
        document
    }
}

fn from_row(model: &TableModel<'_>) -> TokenStream {
    let table = &model.id;
    let fields = model.fields.iter().map(|field| {
        let ident = field.ident;
        let read = read_field(field, table);
        quote!(#ident: #read?)
    });
    let silence = model.fields.is_empty().then(|| quote!(let _ = row;));
    quote! {
        #silence
        ::std::result::Result::Ok(Self { #(#fields),* })
    }
}

/// The expression that reads one field from `row`. Every use of the field type goes through
/// `<T as ColumnType>` spanned at the type, so that a type without a column is reported once,
/// there.
fn read_field(field: &FieldModel<'_>, table: &str) -> TokenStream {
    let ty = field.ty;
    let decode = quote_spanned! {ty.span()=>
        <#ty as ::appwrite_orm::model::ColumnType>::from_value
    };
    let private = quote!(::appwrite_orm::model::__private);
    match &field.role {
        FieldRole::System(SystemField::Sequence) => {
            quote!(#private::read_sequence(row, #table, #decode))
        }
        FieldRole::System(system) => {
            let key = system.key();
            quote!(#private::read(row, #table, #key, #decode))
        }
        FieldRole::Column(column) => {
            let key = &column.key;
            match (&column.relation, &column.default) {
                (Some(_), _) => quote!(#private::read_relation(row, #table, #key, #decode)),
                // An Option field reads null as None even with a default: null is a value it
                // can hold.
                (None, Some(default)) if !field.info.shape.is_option() => {
                    let value = default_value(default);
                    quote!(#private::read_or(row, #table, #key, #decode, || #value))
                }
                _ => quote!(#private::read(row, #table, #key, #decode)),
            }
        }
    }
}
