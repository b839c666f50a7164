//! Code generation, one module per concern. Everything generated names the runtime through
//! `::appwrite_orm::…` and lives in `const _: () = { … };` blocks, so that no helper name
//! leaks into the user's module; only the patch type is a named item there.

mod assertions;
mod column_enum;
mod columns;
mod dummy;
mod patch;
mod schema;
mod table;

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::model::{EnumModel, TableModel};

pub(crate) use dummy::{dummy_column_enum, dummy_table};

/// Everything `#[derive(Table)]` generates for a checked model.
pub(crate) fn table(model: &TableModel<'_>) -> TokenStream {
    let table_impl = table::table_impl(model);
    let columns = columns::column_consts(model);
    let (patch_struct, patch_impls) = patch::patch(model);
    let assertions = assertions::assertions(model);
    quote! {
        #patch_struct
        const _: () = {
            #table_impl
            #columns
            #patch_impls
            #assertions
        };
    }
}

/// Everything `#[derive(ColumnEnum)]` generates.
pub(crate) fn column_enum(model: &EnumModel<'_>) -> TokenStream {
    column_enum::column_enum(model)
}

/// The tokens of `tokens`, all moved to `span`: an error about generated code then points at
/// the attribute that asked for it instead of somewhere in the field's type.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}
