//! The typed column constants: `User::EMAIL: Col<User, String>`, one per field, plus `ID`,
//! `CREATED_AT`, `UPDATED_AT` and `SEQUENCE` on the system columns when no field took those
//! names, so that every model can filter and order on them.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;

use crate::model::{FieldRole, TableModel};

pub(super) fn column_consts(model: &TableModel<'_>) -> TokenStream {
    let ident = model.ident;
    let mut taken = Vec::new();
    let mut consts = Vec::new();
    for field in &model.fields {
        let name = &field.const_ident;
        // Two fields with one constant name were reported; the first one keeps it.
        if taken.contains(&name.to_string()) {
            continue;
        }
        taken.push(name.to_string());
        let ty = field.ty;
        let key = field.key();
        let vis = &field.vis;
        let doc = match &field.role {
            FieldRole::Column(_) => format!(
                "Column `{key}` (field `{}: {}`), for filters, orders and patches.",
                field.ident.unraw(),
                crate::ty::type_string(ty)
            ),
            FieldRole::System(_) => format!(
                "System column `{key}` (field `{}`), for filters and orders.",
                field.ident.unraw()
            ),
        };
        consts.push(quote! {
            #[doc = #doc]
            #vis const #name: ::appwrite_orm::model::Col<#ident, #ty> =
                ::appwrite_orm::model::Col::new(#key);
        });
    }
    let vis = model.vis;
    let system = [
        (
            "ID",
            "$id",
            quote!(::appwrite_orm::model::RowId),
            "the row id",
        ),
        (
            "CREATED_AT",
            "$createdAt",
            quote!(::appwrite_orm::model::DateTime),
            "when the row was created",
        ),
        (
            "UPDATED_AT",
            "$updatedAt",
            quote!(::appwrite_orm::model::DateTime),
            "when the row was last updated",
        ),
        (
            "SEQUENCE",
            "$sequence",
            quote!(i64),
            "the row's insertion number",
        ),
    ];
    for (name, key, ty, what) in system {
        if taken.iter().any(|t| t == name) {
            continue;
        }
        let name = format_ident!("{name}");
        let doc = format!("System column `{key}`: {what}, for filters and orders.");
        consts.push(quote! {
            #[doc = #doc]
            #vis const #name: ::appwrite_orm::model::Col<#ident, #ty> =
                ::appwrite_orm::model::Col::new(#key);
        });
    }
    quote! {
        #[automatically_derived]
        impl #ident {
            #(#consts)*
        }
    }
}
