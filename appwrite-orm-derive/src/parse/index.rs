//! `#[index(...)]` on the struct → [`IndexAttrs`], one per attribute.

use proc_macro2::Span;
use syn::{Ident, LitStr};

use crate::attr::{self, Slot, Sp};
use crate::ctxt::Ctxt;
use crate::model::{IndexKind, SortOrder};

const KEYS: &[&str] = &[
    "key", "unique", "fulltext", "spatial", "columns", "orders", "lengths", "since",
];

/// One `#[index(...)]`, unchecked.
pub(crate) struct IndexAttrs {
    /// The whole attribute, for errors about what is missing.
    pub(crate) span: Span,
    pub(crate) key: Option<LitStr>,
    pub(crate) kind: Sp<IndexKind>,
    pub(crate) columns: Vec<Ident>,
    pub(crate) orders: Option<Sp<Vec<SortOrder>>>,
    /// `lengths(32, none)`: a prefix length per column, `None` for the whole column.
    pub(crate) lengths: Option<Sp<Vec<Option<u64>>>>,
    pub(crate) since: Option<Sp<u64>>,
}

pub(crate) fn parse(cx: &Ctxt, attrs: &[syn::Attribute]) -> Vec<IndexAttrs> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("index"))
        .filter_map(|a| parse_one(cx, a))
        .collect()
}

fn parse_one(cx: &Ctxt, attr: &syn::Attribute) -> Option<IndexAttrs> {
    let span = attr_span(attr);
    let mut key = Slot::new("key");
    let mut kind: Option<Sp<IndexKind>> = None;
    let mut columns = Slot::new("columns");
    let mut orders = Slot::new("orders");
    let mut lengths = Slot::new("lengths");
    let mut since = Slot::new("since");
    let result = attr.parse_nested_meta(attr::known_keys(
        cx,
        "index",
        KEYS,
        |meta, name, key_span| {
            match name {
                "key" => key.set_read(cx, key_span, attr::string(cx, meta, name)?),
                "unique" | "fulltext" | "spatial" => {
                    attr::flag(cx, meta, name)?;
                    let this = match name {
                        "unique" => IndexKind::Unique,
                        "fulltext" => IndexKind::Fulltext,
                        _ => IndexKind::Spatial,
                    };
                    match &kind {
                        Some(first) if first.value == this => {
                            cx.error_at(key_span, format!("duplicate attribute `{name}`"));
                        }
                        Some(first) => cx.error_at(
                            key_span,
                            format!(
                                "`{}` and `{name}` cannot be combined: an index has one kind",
                                first.value.flag()
                            ),
                        ),
                        None => kind = Some(Sp::new(this, key_span)),
                    }
                }
                "columns" => {
                    let list = attr::ident_list(meta)?;
                    columns.set(cx, key_span, Sp::new(list, key_span));
                }
                "orders" => {
                    let mut list = Vec::new();
                    for ident in attr::ident_list(meta)? {
                        match ident.to_string().as_str() {
                            "asc" => list.push(SortOrder::Asc),
                            "desc" => list.push(SortOrder::Desc),
                            other => cx.error_spanned_by(
                                &ident,
                                format!("unknown order `{other}`; expected `asc` or `desc`"),
                            ),
                        }
                    }
                    orders.set(cx, key_span, Sp::new(list, key_span));
                }
                "lengths" => {
                    let list = length_list(meta)?;
                    lengths.set(cx, key_span, Sp::new(list, key_span));
                }
                "since" => since.set_read(cx, key_span, attr::unsigned(cx, meta, name)?),
                _ => unreachable!("`KEYS` lists only the keys above"),
            }
            Ok(())
        },
    ));
    if let Err(e) = result {
        cx.syn_error(e);
        return None;
    }
    Some(IndexAttrs {
        span,
        key: key.get().map(|s| s.value),
        kind: kind.unwrap_or(Sp::new(IndexKind::Key, span)),
        columns: columns.get().map(|s| s.value).unwrap_or_default(),
        orders: orders.get(),
        lengths: lengths.get(),
        since: since.get(),
    })
}

/// `lengths(32, none, 8)`: an integer prefix length, or `none` for the whole column.
fn length_list(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<Vec<Option<u64>>> {
    let content;
    syn::parenthesized!(content in meta.input);
    let list = content.parse_terminated(
        |input| {
            if input.peek(syn::LitInt) {
                let lit: syn::LitInt = input.parse()?;
                lit.base10_parse::<u64>().map(Some)
            } else {
                let ident: Ident = input.parse()?;
                if ident == "none" {
                    Ok(None)
                } else {
                    Err(syn::Error::new(
                        ident.span(),
                        "expected a prefix length (an integer) or `none` for the whole column",
                    ))
                }
            }
        },
        syn::Token![,],
    )?;
    Ok(list.into_iter().collect())
}

/// The span of `index` in `#[index(...)]`, where "missing key" errors read best.
fn attr_span(attr: &syn::Attribute) -> Span {
    attr.path()
        .segments
        .last()
        .map_or_else(Span::call_site, |s| s.ident.span())
}
