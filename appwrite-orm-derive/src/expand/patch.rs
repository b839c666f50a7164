//! The patch builder: `User::patch().phone(None).is_verified(true)` builds a
//! `Patch<User>`, one method per column field, each as visible as its field.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::TableModel;

/// The patch struct (a named item in the user's module) and its impls (for the `const` block).
pub(super) fn patch(model: &TableModel<'_>) -> (TokenStream, TokenStream) {
    let ident = model.ident;
    let vis = model.vis;
    let patch = model.patch_ident();
    let struct_doc = format!(
        "Changes to rows of [`{ident}`], one method per column: built by [`{ident}::patch`], \
         taken by updates as a `Patch<{ident}>`."
    );
    let patch_struct = quote! {
        #[doc = #struct_doc]
        #[must_use]
        #vis struct #patch(::appwrite_orm::model::Patch<#ident>);
    };
    let methods = model.columns().map(|(field, column)| {
        let name = field.ident;
        let ty = field.ty;
        let key = &column.key;
        let fvis = field.vis;
        let doc =
            format!("Sets column `{key}` (an `Option` column takes `None`, which writes null).");
        quote! {
            #[doc = #doc]
            #fvis fn #name(self, value: impl ::appwrite_orm::model::IntoScalar<#ty>) -> Self {
                #patch(self.0.set(::appwrite_orm::model::Col::<#ident, #ty>::new(#key), value))
            }
        }
    });
    let patch_fn_doc =
        format!("An empty patch of [`{ident}`] rows: chain one call per column to set.");
    let patch_name = patch.to_string();
    let impls = quote! {
        #[automatically_derived]
        impl #ident {
            #[doc = #patch_fn_doc]
            #vis fn patch() -> #patch {
                #patch(::appwrite_orm::model::Patch::new())
            }
        }

        #[automatically_derived]
        impl #patch {
            #(#methods)*
        }

        #[automatically_derived]
        impl ::std::convert::From<#patch> for ::appwrite_orm::model::Patch<#ident> {
            fn from(patch: #patch) -> Self {
                patch.0
            }
        }

        #[automatically_derived]
        impl ::std::default::Default for #patch {
            fn default() -> Self {
                #patch(::appwrite_orm::model::Patch::new())
            }
        }

        #[automatically_derived]
        impl ::std::clone::Clone for #patch {
            fn clone(&self) -> Self {
                #patch(::std::clone::Clone::clone(&self.0))
            }
        }

        #[automatically_derived]
        impl ::std::cmp::PartialEq for #patch {
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }

        #[automatically_derived]
        impl ::std::fmt::Debug for #patch {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple(#patch_name).field(self.0.document()).finish()
            }
        }
    };
    (patch_struct, impls)
}
