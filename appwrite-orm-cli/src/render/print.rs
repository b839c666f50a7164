//! Tokens → text: formatted as `rustfmt` leaves it, with blank lines between items, and doc
//! comments wrapped.

use proc_macro2::TokenStream;

use super::GenerateError;

/// Prints `tokens` as a formatted file, with a blank line between items (after the file's
/// doc comment and `use` lines, which stay together).
pub(crate) fn format(what: &str, tokens: TokenStream) -> Result<String, GenerateError> {
    let file = parse(what, tokens)?;
    let (uses, rest): (Vec<syn::Item>, Vec<syn::Item>) = file
        .items
        .into_iter()
        .partition(|item| matches!(item, syn::Item::Use(_)));
    let mut chunks = vec![syn::File {
        shebang: None,
        attrs: file.attrs,
        items: uses,
    }];
    chunks.extend(rest.into_iter().map(|item| syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: vec![item],
    }));
    let printed: Vec<String> = chunks.iter().map(prettyplease::unparse).collect();
    Ok(printed.join("\n"))
}

/// Prints `tokens` as a formatted file, items one after the other.
pub(crate) fn format_compact(what: &str, tokens: TokenStream) -> Result<String, GenerateError> {
    Ok(prettyplease::unparse(&parse(what, tokens)?))
}

fn parse(what: &str, tokens: TokenStream) -> Result<syn::File, GenerateError> {
    syn::parse2(tokens).map_err(|e| GenerateError::Unparsable {
        what: what.to_owned(),
        error: e.to_string(),
    })
}

/// Doc comment lines of at most about 96 characters, as `#[doc]` strings (a leading space
/// each, as `///` comments have).
pub(crate) fn doc_lines(text: &str) -> Vec<String> {
    const WIDTH: usize = 96;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in unbreakable_words(text) {
        if !line.is_empty() && line.len() + 1 + word.len() > WIDTH {
            lines.push(std::mem::take(&mut line));
        }
        line.push(' ');
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The words of `text`, where a code span (`` `migrate baseline 1` ``) counts as one word, so
/// that wrapping never breaks it.
fn unbreakable_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut in_code = false;
    for word in text.split_whitespace() {
        match words.last_mut() {
            Some(last) if in_code => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_owned()),
        }
        if word.matches('`').count() % 2 == 1 {
            in_code = !in_code;
        }
    }
    words
}
