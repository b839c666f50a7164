//! What a failed derive still emits besides its errors (clap_derive's dummies): an impl of
//! the trait whose bodies never run, and for `Table` the constants and patch builder of every
//! field that could be read. Code that uses the type then keeps compiling, so the user sees
//! the derive's errors instead of dozens of "no associated item `EMAIL`" ones.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

use crate::model::TableModel;

/// The dummy `Table` impl, plus constants and patch builder when the fields are known.
pub(crate) fn dummy_table(ident: &Ident, model: Option<&TableModel<'_>>) -> TokenStream {
    let (patch_struct, rest) = match model {
        Some(model) => {
            let columns = super::columns::column_consts(model);
            let (patch_struct, patch_impls) = super::patch::patch(model);
            (patch_struct, quote!(#columns #patch_impls))
        }
        None => (TokenStream::new(), TokenStream::new()),
    };
    quote! {
        #patch_struct
        const _: () = {
            impl ::appwrite_orm::model::Table for #ident {
                fn schema() -> &'static ::appwrite_orm::schema::TableSchema {
                    ::std::unreachable!()
                }
                fn row_id(&self) -> ::std::option::Option<&::appwrite_orm::model::RowId> {
                    ::std::unreachable!()
                }
                fn set_row_id(&mut self, _id: ::appwrite_orm::model::RowId) {
                    ::std::unreachable!()
                }
                fn to_document(&self) -> ::appwrite_orm::backend::Document {
                    ::std::unreachable!()
                }
                fn from_row(_row: &::appwrite_orm::backend::Row) -> ::appwrite_orm::Result<Self> {
                    ::std::unreachable!()
                }
            }
            #rest
        };
    }
}

/// The dummy `ColumnType` and `Filterable` impls of a failed `#[derive(ColumnEnum)]`.
pub(crate) fn dummy_column_enum(ident: &Ident) -> TokenStream {
    quote! {
        const _: () = {
            impl ::appwrite_orm::model::ColumnType for #ident {
                fn column(_key: &str) -> ::appwrite_orm::schema::ColumnSchema {
                    ::std::unreachable!()
                }
                fn to_value(&self) -> ::appwrite_orm::model::__private::Value {
                    ::std::unreachable!()
                }
                fn from_value(
                    _value: &::appwrite_orm::model::__private::Value,
                ) -> ::std::result::Result<Self, ::std::string::String> {
                    ::std::unreachable!()
                }
            }
            impl ::appwrite_orm::model::Filterable for #ident {
                type Scalar = Self;
            }
        };
    }
}
