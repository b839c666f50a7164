//! Building blocks of attribute parsing: spanned values, slots that catch a repeated key, and
//! readers for the literal forms the attributes take.
//!
//! The readers record a misuse (wrong literal type, repeated key, unknown key) in the
//! [`Ctxt`] and consume the tokens anyway, so that parsing goes on and every mistake of an
//! attribute is reported in one compilation. Only a syntax error stops an attribute.

use proc_macro2::Span;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::{Lit, LitStr, Token};

use crate::ctxt::Ctxt;

/// Where an error points: one token, or a range of tokens such as `-1` (a range needs two
/// spans on stable Rust, where spans cannot be joined).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Loc {
    pub(crate) start: Span,
    pub(crate) end: Span,
}

impl From<Span> for Loc {
    fn from(span: Span) -> Self {
        Loc {
            start: span,
            end: span,
        }
    }
}

/// `syn::Error::new_spanned` reports from its first token to its last: two tokens carrying
/// the two spans make it report the whole range.
impl ToTokens for Loc {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        let mut first = proc_macro2::Punct::new('*', proc_macro2::Spacing::Alone);
        first.set_span(self.start);
        let mut last = proc_macro2::Punct::new('*', proc_macro2::Spacing::Alone);
        last.set_span(self.end);
        tokens.extend([
            proc_macro2::TokenTree::Punct(first),
            proc_macro2::TokenTree::Punct(last),
        ]);
    }
}

/// A value with where it was written: the value's own tokens (for errors about the value)
/// and the key that introduced it (for errors about the attribute, e.g. "`size` applies
/// to String fields").
#[derive(Debug, Clone)]
pub(crate) struct Sp<T> {
    pub(crate) value: T,
    pub(crate) span: Loc,
    pub(crate) key: Span,
}

impl<T> Sp<T> {
    pub(crate) fn new(value: T, span: impl Into<Loc>) -> Self {
        let span = span.into();
        Sp {
            value,
            key: span.start,
            span,
        }
    }
}

/// One attribute key that may be given at most once.
pub(crate) struct Slot<T> {
    name: &'static str,
    value: Option<Sp<T>>,
}

impl<T> Slot<T> {
    pub(crate) fn new(name: &'static str) -> Self {
        Slot { name, value: None }
    }

    /// Stores the value, or reports a duplicate at `key_span` (the second occurrence). The
    /// value keeps its own span, so that later errors about it (range, type) point at it.
    pub(crate) fn set(&mut self, cx: &Ctxt, key_span: Span, mut value: Sp<T>) {
        if self.value.is_some() {
            cx.error_at(key_span, format!("duplicate attribute `{}`", self.name));
        } else {
            value.key = key_span;
            self.value = Some(value);
        }
    }

    /// [`set`](Self::set) for what a reader gave: `None` (the reader reported why) sets
    /// nothing.
    pub(crate) fn set_read(&mut self, cx: &Ctxt, key_span: Span, value: Option<Sp<T>>) {
        if let Some(value) = value {
            self.set(cx, key_span, value);
        }
    }

    pub(crate) fn get(self) -> Option<Sp<T>> {
        self.value
    }
}

impl Slot<()> {
    /// Reads the bare flag this slot is for (see [`flag`]) and stores it, spanned by its key.
    pub(crate) fn set_flag(
        &mut self,
        cx: &Ctxt,
        meta: &ParseNestedMeta<'_>,
        key_span: Span,
    ) -> syn::Result<()> {
        flag(cx, meta, self.name)?;
        self.set(cx, key_span, Sp::new((), key_span));
        Ok(())
    }
}

/// A numeric literal, possibly negated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            // Bounds are at most i64 wide and written by hand; the cast is exact for them.
            Number::Int(n) => n as f64,
            Number::Float(f) => f,
        }
    }
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Number::Int(n) => write!(f, "{n}"),
            Number::Float(x) => write!(f, "{x:?}"),
        }
    }
}

/// The literal of `default = …`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DefaultLit {
    Str(String),
    Number(Number),
    Bool(bool),
}

impl DefaultLit {
    /// "a string literal", for messages.
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            DefaultLit::Str(_) => "a string literal",
            DefaultLit::Number(Number::Int(_)) => "an integer literal",
            DefaultLit::Number(Number::Float(_)) => "a float literal",
            DefaultLit::Bool(_) => "a boolean literal",
        }
    }
}

/// Reads `= <literal>`, with an optional leading `-` for numbers.
fn signed_lit(meta: &ParseNestedMeta<'_>) -> syn::Result<(bool, Lit, Loc)> {
    let input = meta.value()?;
    let minus = if input.peek(Token![-]) {
        Some(input.parse::<Token![-]>()?.span)
    } else {
        None
    };
    let lit: Lit = input.parse()?;
    let loc = Loc {
        start: minus.unwrap_or_else(|| lit.span()),
        end: lit.span(),
    };
    Ok((minus.is_some(), lit, loc))
}

/// Reports a literal that is not the `expected` kind for key `what`, with an `example` value.
fn wrong_literal(cx: &Ctxt, span: Loc, what: &str, expected: &str, example: &str) {
    cx.error_at(
        span,
        format!("expected {expected} for `{what}`, e.g. `{what} = {example}`"),
    );
}

/// Reads a number literal; records an error and returns `None` when it is not one.
fn number_of(cx: &Ctxt, negative: bool, lit: &Lit, span: Loc, what: &str) -> Option<Number> {
    let number = match lit {
        Lit::Int(int) => match int.base10_parse::<i128>() {
            Ok(n) => Number::Int(if negative { -n } else { n }),
            Err(e) => {
                cx.syn_error(e);
                return None;
            }
        },
        Lit::Float(float) => match float.base10_parse::<f64>() {
            Ok(f) => Number::Float(if negative { -f } else { f }),
            Err(e) => {
                cx.syn_error(e);
                return None;
            }
        },
        _ => {
            wrong_literal(cx, span, what, "a number", "0");
            return None;
        }
    };
    Some(number)
}

/// `key = "text"`, spanned by the literal (errors about the text point at it).
pub(crate) fn string(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    what: &str,
) -> syn::Result<Option<Sp<LitStr>>> {
    let (negative, lit, span) = signed_lit(meta)?;
    match lit {
        Lit::Str(s) if !negative => Ok(Some(Sp::new(s, span))),
        _ => {
            wrong_literal(cx, span, what, "a string literal", "\"…\"");
            Ok(None)
        }
    }
}

/// `key = 123` (a non-negative integer that fits in u64).
pub(crate) fn unsigned(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    what: &str,
) -> syn::Result<Option<Sp<u64>>> {
    let (negative, lit, span) = signed_lit(meta)?;
    let Lit::Int(int) = &lit else {
        wrong_literal(cx, span, what, "an integer literal", "1");
        return Ok(None);
    };
    if negative {
        cx.error_at(span, format!("`{what}` cannot be negative"));
        return Ok(None);
    }
    match int.base10_parse::<u64>() {
        Ok(n) => Ok(Some(Sp::new(n, span))),
        Err(e) => {
            cx.syn_error(e);
            Ok(None)
        }
    }
}

/// `key = -12` or `key = 0.5`.
pub(crate) fn number(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    what: &str,
) -> syn::Result<Option<Sp<Number>>> {
    let (negative, lit, span) = signed_lit(meta)?;
    Ok(number_of(cx, negative, &lit, span, what).map(|n| Sp::new(n, span)))
}

/// `default = "text" | 12 | -1.5 | true`.
pub(crate) fn default_lit(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
) -> syn::Result<Option<Sp<DefaultLit>>> {
    let (negative, lit, span) = signed_lit(meta)?;
    let value = match &lit {
        Lit::Str(s) if !negative => DefaultLit::Str(s.value()),
        Lit::Bool(b) if !negative => DefaultLit::Bool(b.value),
        Lit::Int(_) | Lit::Float(_) => match number_of(cx, negative, &lit, span, "default") {
            Some(n) => DefaultLit::Number(n),
            None => return Ok(None),
        },
        _ => {
            cx.error_at(
                span,
                "expected a string, number or boolean literal for `default`",
            );
            return Ok(None);
        }
    };
    Ok(Some(Sp::new(value, span)))
}

/// A bare flag such as `unique`: a value after it is a mistake.
pub(crate) fn flag(cx: &Ctxt, meta: &ParseNestedMeta<'_>, what: &str) -> syn::Result<()> {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        let span = meta.input.span();
        skip_value(meta)?;
        cx.error_at(
            span,
            format!("`{what}` takes no value: write `{what}` alone"),
        );
    }
    Ok(())
}

/// The identifiers of `key(a, b, c)`.
pub(crate) fn ident_list(meta: &ParseNestedMeta<'_>) -> syn::Result<Vec<syn::Ident>> {
    let mut idents = Vec::new();
    meta.parse_nested_meta(|inner| match inner.path.get_ident() {
        Some(ident) if inner.input.is_empty() || inner.input.peek(Token![,]) => {
            idents.push(ident.clone());
            Ok(())
        }
        _ => Err(inner.error("expected a plain name")),
    })?;
    Ok(idents)
}

/// The string literals of `key("a", "b")`.
pub(crate) fn string_list(meta: &ParseNestedMeta<'_>) -> syn::Result<Vec<LitStr>> {
    let content;
    syn::parenthesized!(content in meta.input);
    let list = content.parse_terminated(|input| input.parse::<LitStr>(), Token![,])?;
    Ok(list.into_iter().collect())
}

/// Consumes whatever follows a key (`= expr` or `(…)`), for keys that are reported and
/// otherwise ignored.
pub(crate) fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
    }
    Ok(())
}

/// The handler `parse_nested_meta` calls for each key of `#[attribute(...)]`: a key that is
/// not a plain name, or not one of `known`, is reported as unknown (with the known ones and a
/// suggestion); a known key goes to `on_key` with its name and the span of that name.
pub(crate) fn known_keys<'a>(
    cx: &'a Ctxt,
    attribute: &'a str,
    known: &'static [&'static str],
    mut on_key: impl FnMut(&ParseNestedMeta<'_>, &'static str, Span) -> syn::Result<()> + 'a,
) -> impl FnMut(ParseNestedMeta<'_>) -> syn::Result<()> + 'a {
    move |meta| {
        let key = meta.path.get_ident().and_then(|ident| {
            let name = ident.to_string();
            let key = known.iter().copied().find(|k| *k == name)?;
            Some((key, ident.span()))
        });
        match key {
            Some((key, span)) => on_key(&meta, key, span),
            None => unknown_key(cx, &meta, attribute, known),
        }
    }
}

/// Reports an unknown key with the list of known ones and, when one is close, a suggestion.
pub(crate) fn unknown_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    attribute: &str,
    expected: &[&str],
) -> syn::Result<()> {
    let path = meta.path.clone();
    let name = path
        .get_ident()
        .map_or_else(|| quote::quote!(#path).to_string(), ToString::to_string);
    skip_value(meta)?;
    let mut message = format!("unknown attribute `{name}` in `#[{attribute}(...)]`");
    if let Some(close) = closest(&name, expected) {
        message.push_str(&format!("; did you mean `{close}`?"));
    }
    message.push_str(&format!("\nexpected one of: {}", expected.join(", ")));
    cx.error_spanned_by(path, message);
    Ok(())
}

/// The known name at the smallest edit distance, when it is close enough to be a typo.
pub(crate) fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(name, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(closest("sise", &["size", "since", "text"]), Some("size"));
        assert_eq!(closest("uniqe", &["unique", "fulltext"]), Some("unique"));
        assert_eq!(closest("zzzzzz", &["size", "since"]), None);
    }
}
