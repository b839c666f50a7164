//! One enum column → one `#[derive(ColumnEnum)]` enum, each variant keeping its element.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::names::EnumNames;

/// The enum of column `key` of table `table_id`.
pub(crate) fn enum_item(table_id: &str, key: &str, names: &EnumNames) -> TokenStream {
    let ident = format_ident!("{}", names.type_name);
    let doc = format!(" The elements of column `{key}` of table `{table_id}`.");
    let variants = names.variants.iter().map(|(element, variant)| {
        let ident = format_ident!("{variant}");
        let doc = format!(" `{element}`.");
        // A variant is stored under its name unless renamed: keep the element exactly.
        if element == variant {
            quote!(#[doc = #doc] #ident)
        } else {
            quote!(#[doc = #doc] #[column_enum(rename = #element)] #ident)
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(ColumnEnum, Debug, Clone, Copy, PartialEq, Eq)]
        pub enum #ident {
            #(#variants),*
        }
    }
}
