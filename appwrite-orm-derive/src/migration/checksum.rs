//! The checksum of a migration: SHA-256 of the function's tokens (signature and body), written
//! out here one token at a time rather than through `TokenStream::to_string`, whose spacing
//! belongs to the compiler and may change between releases; a toolchain update must not make
//! every applied migration look edited. Comments are not tokens; doc comments are, and are left
//! out, so documenting a migration does not change it.
//!
//! The attribute's arguments are not part of the function and stay out too. For `allow` this is
//! deliberate: acknowledging a lint finding of an applied migration later must not make it look
//! edited; what was allowed when a version ran is recorded in its history row instead.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;
use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of the function's normalised tokens.
pub(crate) fn checksum(function: &syn::ItemFn) -> String {
    let mut function = function.clone();
    function.attrs.retain(|a| !a.path().is_ident("doc"));
    let mut text = String::new();
    write_tokens(function.to_token_stream(), &mut text);
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write_tokens(tokens: TokenStream, out: &mut String) {
    for tree in tokens {
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                out.push(' ');
                write_tokens(group.stream(), out);
                out.push_str(close);
                out.push(' ');
            }
            TokenTree::Ident(ident) => {
                out.push_str(&ident.to_string());
                out.push(' ');
            }
            TokenTree::Punct(punct) => {
                out.push(punct.as_char());
                // `&&` and `& &` differ; a joint punct is glued to the next one.
                if punct.spacing() == Spacing::Alone {
                    out.push(' ');
                }
            }
            TokenTree::Literal(literal) => {
                out.push_str(&literal.to_string());
                out.push(' ');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(source: &str) -> String {
        checksum(&syn::parse_str(source).unwrap())
    }

    #[test]
    fn layout_comments_and_docs_do_not_count() {
        let a = sum("async fn m(m: &mut Migration<'_>) -> Result<()> { let x = 1 && 2; Ok(()) }");
        let b = sum(
            "/// Documented.\nasync fn m(m:&mut Migration<'_>)->Result<()>{\n    // comment\n    let x=1&&2;\n    Ok(())\n}",
        );
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn code_changes_count() {
        let a = sum("async fn m(m: &mut Migration<'_>) -> Result<()> { Ok(()) }");
        let b = sum("async fn m(m: &mut Migration<'_>) -> Result<()> { m.x(); Ok(()) }");
        let c = sum("async fn n(m: &mut Migration<'_>) -> Result<()> { Ok(()) }");
        let d = sum("async fn m(m: &mut Migration<'_>) -> Result<()> { let x = 1 & &2; Ok(()) }");
        let e = sum("async fn m(m: &mut Migration<'_>) -> Result<()> { let x = 1 && 2; Ok(()) }");
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_ne!(d, e);
    }
}
