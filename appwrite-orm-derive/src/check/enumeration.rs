//! `#[derive(ColumnEnum)]`: the element each variant is stored as, and Appwrite's limits on
//! enum columns (1 to 100 elements of 1 to 255 characters, no duplicates).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use appwrite_orm_contract::limits::{MAX_ENUM_ELEMENT_LEN, MAX_ENUM_ELEMENTS};
use proc_macro2::Span;

use crate::ctxt::Ctxt;
use crate::model::EnumModel;
use crate::parse::enumeration::ParsedEnum;

pub(crate) fn check_enum<'a>(cx: &Ctxt, parsed: ParsedEnum<'a>) -> EnumModel<'a> {
    if parsed.variants.is_empty() {
        cx.error_spanned_by(
            parsed.ident,
            "an enum column needs at least one element: this enum has no variants",
        );
    }
    if parsed.variants.len() > MAX_ENUM_ELEMENTS {
        cx.error_at(
            parsed.variants[MAX_ENUM_ELEMENTS].ident.span(),
            format!(
                "an enum column has at most {MAX_ENUM_ELEMENTS} elements, this enum has {}",
                parsed.variants.len()
            ),
        );
    }
    let mut seen: HashMap<String, &syn::Ident> = HashMap::new();
    let mut variants = Vec::with_capacity(parsed.variants.len());
    for variant in parsed.variants {
        let (element, span): (String, Span) = match variant.rename {
            Some(rename) => (rename.value, rename.key),
            None => {
                let name = variant.ident.to_string();
                let element = match parsed.rename_all {
                    Some(rule) => rule.apply_to_variant(&name),
                    None => name,
                };
                (element, variant.ident.span())
            }
        };
        let len = element.chars().count();
        if !(1..=MAX_ENUM_ELEMENT_LEN).contains(&len) {
            cx.error_at(
                span,
                format!(
                    "enum element {element:?} must be 1 to {MAX_ENUM_ELEMENT_LEN} characters, got {len}"
                ),
            );
        }
        match seen.entry(element.clone()) {
            Entry::Occupied(first) => cx.error_at(
                span,
                format!(
                    "duplicate enum element {element:?}: variant `{}` is already stored as it",
                    first.get()
                ),
            ),
            Entry::Vacant(slot) => {
                slot.insert(variant.ident);
            }
        }
        variants.push((variant.ident, element));
    }
    EnumModel {
        ident: parsed.ident,
        variants,
    }
}
