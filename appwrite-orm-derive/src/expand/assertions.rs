//! Trait bounds for the checks the tokens could not decide: `size` on a type alias, `min` on
//! an unrecognised type, … Each is a `const` that compiles only when the field type has the
//! marker trait, spanned at the attribute, whose `on_unimplemented` message says what the
//! attribute needs.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote_spanned};

use super::respan;
use crate::model::{Requirement, SystemField, TableModel};

pub(super) fn assertions(model: &TableModel<'_>) -> TokenStream {
    model
        .fields
        .iter()
        .flat_map(|field| {
            field.assertions.iter().map(move |assertion| {
                let check = match assertion.requirement {
                    Requirement::Text => "require_text",
                    Requirement::Number => "require_number",
                    Requirement::Float => "require_float",
                    Requirement::BigInt => "require_bigint",
                    Requirement::Relation => "require_relation",
                    Requirement::System(SystemField::Id) => "require_id",
                    Requirement::System(SystemField::CreatedAt | SystemField::UpdatedAt) => {
                        "require_timestamp"
                    }
                    Requirement::System(SystemField::Sequence) => "require_sequence",
                    Requirement::System(SystemField::Permissions) => "require_permissions",
                };
                let check = syn::Ident::new(check, assertion.span);
                let ty = respan(field.ty.to_token_stream(), assertion.span);
                quote_spanned! {assertion.span=>
                    const _: () = ::appwrite_orm::model::__private::#check::<#ty>();
                }
            })
        })
        .collect()
}
