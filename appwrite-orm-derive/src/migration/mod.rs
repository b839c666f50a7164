//! `#[migration(version = N, name = "...", down = other_fn, check = check_fn, allow = "code")]`
//! on an `async fn(m: &mut Migration<'_>) -> appwrite_orm::Result<()>`: parse the arguments,
//! check the function's shape and the allowed lint codes, and expand into the function unchanged
//! plus its registration through `inventory`, with a checksum of the function's tokens computed
//! here, at compile time.
//!
//! Like the derives, every mistake is collected and reported at its token; on errors the
//! function is still emitted as written, so that its other uses do not fail too.

mod allowed;
mod check;
mod checksum;
mod expand;
mod parse;

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::ctxt::Ctxt;

/// The whole attribute: arguments and item in, item and registration out.
pub(crate) fn migration(args: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let parsed_args = parse::parse_args(&cx, args);
    let function: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            cx.error_at(
                proc_macro2::Span::call_site(),
                "#[migration] applies to an `async fn(m: &mut Migration<'_>) -> appwrite_orm::Result<()>`",
            );
            return finish(cx, item);
        }
    };
    let model = check::check(&cx, parsed_args, &function);
    let expanded = match model {
        Some(model) if !cx.has_errors() => expand::expand(&function, &model),
        _ => function.to_token_stream(),
    };
    finish(cx, expanded)
}

fn finish(cx: Ctxt, expanded: TokenStream) -> TokenStream {
    match cx.check() {
        Ok(()) => expanded,
        Err(errors) => {
            let errors = errors.into_compile_error();
            quote::quote!(#errors #expanded)
        }
    }
}
