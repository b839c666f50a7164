//! A `#[derive(ColumnEnum)]` enum → [`ParsedEnum`].
//!
//! Names come from `#[column_enum(...)]` or, so that an enum already set up for serde needs
//! nothing more, from serde's `rename` / `rename_all` (serialize side). `column_enum` wins
//! when both are given. Other serde keys are serde's business and are left alone.

use syn::{Data, DeriveInput, Fields, Ident, LitStr, Token};

use crate::attr::{self, Sp};
use crate::case::RenameRule;
use crate::ctxt::Ctxt;

pub(crate) struct ParsedEnum<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) rename_all: Option<RenameRule>,
    pub(crate) variants: Vec<ParsedVariant<'a>>,
}

pub(crate) struct ParsedVariant<'a> {
    pub(crate) ident: &'a Ident,
    /// The explicit name and the span of its literal.
    pub(crate) rename: Option<Sp<String>>,
}

/// Where a name was given: our own attribute is strict about unknown keys, serde's is not.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    ColumnEnum,
    Serde,
}

pub(crate) fn parse_enum<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Option<ParsedEnum<'a>> {
    const NEEDS: &str = "`#[derive(ColumnEnum)]` needs an enum whose variants have no fields";
    let data = match &input.data {
        Data::Enum(data) => data,
        Data::Struct(data) => {
            cx.error_at(
                data.struct_token.span,
                format!("{NEEDS}, not a struct (for a table, use `#[derive(Table)]`)"),
            );
            return None;
        }
        Data::Union(data) => {
            cx.error_at(data.union_token.span, format!("{NEEDS}, not a union"));
            return None;
        }
    };
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        cx.error_spanned_by(
            &input.generics,
            "`#[derive(ColumnEnum)]` does not support generic enums",
        );
    }
    let mut rename_all = None;
    for source in [Source::Serde, Source::ColumnEnum] {
        if let Some(rule) = container_rule(cx, &input.attrs, source) {
            rename_all = Some(rule);
        }
    }
    let mut variants = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            cx.error_spanned_by(
                &variant.fields,
                format!(
                    "{NEEDS}: variant `{}` carries data, which an enum column cannot store",
                    variant.ident
                ),
            );
        }
        let mut rename = None;
        for source in [Source::Serde, Source::ColumnEnum] {
            if let Some(name) = variant_rename(cx, &variant.attrs, source) {
                rename = Some(name);
            }
        }
        variants.push(ParsedVariant {
            ident: &variant.ident,
            rename,
        });
    }
    Some(ParsedEnum {
        ident: &input.ident,
        rename_all,
        variants,
    })
}

fn attr_name(source: Source) -> &'static str {
    match source {
        Source::ColumnEnum => "column_enum",
        Source::Serde => "serde",
    }
}

/// `rename_all = "…"` on the enum.
fn container_rule(cx: &Ctxt, attrs: &[syn::Attribute], source: Source) -> Option<RenameRule> {
    let mut rule = None;
    for_each_name(
        cx,
        attrs,
        source,
        "rename_all",
        |lit| match RenameRule::from_str(&lit.value()) {
            Some(r) => rule = Some(r),
            None => cx.error_spanned_by(
                &lit,
                format!(
                    "unknown `rename_all` rule {:?}; expected one of: {}",
                    lit.value(),
                    RenameRule::NAMES.join(", ")
                ),
            ),
        },
    );
    rule
}

/// `rename = "…"` on a variant.
fn variant_rename(cx: &Ctxt, attrs: &[syn::Attribute], source: Source) -> Option<Sp<String>> {
    let mut rename = None;
    for_each_name(cx, attrs, source, "rename", |lit| {
        rename = Some(Sp::new(lit.value(), lit.span()));
    });
    rename
}

/// Hands `on_name` each name that `key` gives in the `source` attributes among `attrs`, in
/// order. Other keys are unknown in our own attribute and serde's business in serde's; so is
/// a malformed serde attribute, which serde's own derive reports.
fn for_each_name(
    cx: &Ctxt,
    attrs: &[syn::Attribute],
    source: Source,
    key: &'static str,
    mut on_name: impl FnMut(LitStr),
) {
    let name = attr_name(source);
    for a in attrs.iter().filter(|a| a.path().is_ident(name)) {
        let result = a.parse_nested_meta(|meta| {
            if meta.path.is_ident(key) {
                if let Some(lit) = serialize_name(&meta)? {
                    on_name(lit);
                }
                Ok(())
            } else if source == Source::ColumnEnum {
                attr::unknown_key(cx, &meta, name, &[key])
            } else {
                attr::skip_value(&meta)
            }
        });
        if let Err(e) = result
            && source == Source::ColumnEnum
        {
            cx.syn_error(e);
        }
    }
}

/// `key = "x"`, or serde's `key(serialize = "x", deserialize = "y")` (the stored value is the
/// serialized one).
fn serialize_name(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<Option<LitStr>> {
    if meta.input.peek(Token![=]) {
        return Ok(Some(meta.value()?.parse()?));
    }
    let mut name = None;
    meta.parse_nested_meta(|inner| {
        let value: LitStr = inner.value()?.parse()?;
        if inner.path.is_ident("serialize") {
            name = Some(value);
        }
        Ok(())
    })?;
    Ok(name)
}
