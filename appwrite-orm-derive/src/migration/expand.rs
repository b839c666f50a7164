//! The function as written, plus a wrapper that boxes its future and the `inventory`
//! registration, inside `const _: () = { ... };` so that no helper name leaks into the module.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ItemFn;
use syn::spanned::Spanned;

use super::check::MigrationModel;

pub(crate) fn expand(function: &ItemFn, model: &MigrationModel) -> TokenStream {
    let ident = &function.sig.ident;
    let run = format_ident!("__appwrite_orm_migration_{}", ident);
    let version = model.version;
    let name = &model.name;
    let checksum = &model.checksum;
    let allow = &model.allow;
    let function_name = ident.to_string();
    let migrate = quote!(::appwrite_orm::migrate);
    // Errors about the future (not `Send`, wrong output) point at the user's signature.
    let call = quote_spanned! {function.sig.span()=>
        ::std::boxed::Box::pin(#ident(m))
    };
    let run_fn = quote! {
        fn #run<'a, 'b>(m: &'a mut #migrate::Migration<'b>) -> #migrate::StepFuture<'a> {
            #call
        }
    };
    let (down_fn, down) = match &model.down {
        Some(path) => {
            let down_ident = format_ident!("__appwrite_orm_migration_down_{}", ident);
            let call = quote_spanned! {path.span()=>
                ::std::boxed::Box::pin(#path(m))
            };
            (
                quote! {
                    fn #down_ident<'a, 'b>(
                        m: &'a mut #migrate::Migration<'b>,
                    ) -> #migrate::StepFuture<'a> {
                        #call
                    }
                },
                quote!(::std::option::Option::Some(#down_ident)),
            )
        }
        None => (TokenStream::new(), quote!(::std::option::Option::None)),
    };
    let mut check_fns = Vec::new();
    let mut checks = Vec::new();
    for (i, path) in model.checks.iter().enumerate() {
        let check_ident = format_ident!("__appwrite_orm_migration_check_{}_{}", ident, i);
        let call = quote_spanned! {path.span()=>
            ::std::boxed::Box::pin(#path(m))
        };
        check_fns.push(quote! {
            fn #check_ident<'a, 'b>(
                m: &'a mut #migrate::Migration<'b>,
            ) -> #migrate::StepFuture<'a> {
                #call
            }
        });
        let check_name = path
            .segments
            .last()
            .map_or_else(String::new, |s| s.ident.to_string());
        checks.push(quote!((#check_name, #check_ident as #migrate::StepFn)));
    }
    let database = match &model.database {
        Some(id) => quote!(::std::option::Option::Some(#id)),
        None => quote!(::std::option::Option::None),
    };
    quote! {
        #function

        const _: () = {
            #run_fn
            #down_fn
            #(#check_fns)*

            ::appwrite_orm::inventory::submit! {
                #migrate::MigrationRegistration {
                    version: #version,
                    name: #name,
                    checksum: #checksum,
                    run: #run,
                    down: #down,
                    checks: &[#(#checks),*],
                    allow: &[#(#allow),*],
                    database: #database,
                    function: #function_name,
                    module: ::std::module_path!(),
                    file: ::std::file!(),
                    line: ::std::line!(),
                }
            }
        };
    }
}
