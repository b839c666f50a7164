//! `#[table(...)]` on the struct → [`TableAttrs`].

use proc_macro2::Span;
use syn::LitStr;

use crate::attr::{self, Slot, Sp};
use crate::ctxt::Ctxt;

const KEYS: &[&str] = &["id", "name", "since", "row_security", "permissions"];

/// What `#[table(...)]` says, unchecked.
#[derive(Default)]
pub(crate) struct TableAttrs {
    pub(crate) id: Option<LitStr>,
    pub(crate) name: Option<LitStr>,
    pub(crate) since: Option<Sp<u64>>,
    pub(crate) row_security: bool,
    pub(crate) permissions: Vec<LitStr>,
}

pub(crate) fn parse(cx: &Ctxt, attrs: &[syn::Attribute]) -> TableAttrs {
    let mut id = Slot::new("id");
    let mut name = Slot::new("name");
    let mut since = Slot::new("since");
    let mut row_security = Slot::new("row_security");
    let mut permissions = Slot::new("permissions");
    for attr in attrs.iter().filter(|a| a.path().is_ident("table")) {
        let result = attr.parse_nested_meta(|meta| {
            let Some(ident) = meta.path.get_ident() else {
                return attr::unknown_key(cx, &meta, "table", KEYS);
            };
            let span = ident.span();
            match ident.to_string().as_str() {
                "id" => {
                    if let Some(s) = attr::string(cx, &meta, "id")? {
                        id.set(cx, span, spanned(s));
                    }
                }
                "name" => {
                    if let Some(s) = attr::string(cx, &meta, "name")? {
                        name.set(cx, span, spanned(s));
                    }
                }
                "since" => {
                    if let Some(n) = attr::unsigned(cx, &meta, "since")? {
                        since.set(cx, span, n);
                    }
                }
                "row_security" => {
                    attr::flag(cx, &meta, "row_security")?;
                    row_security.set(cx, span, Sp::new((), span));
                }
                "permissions" => {
                    let list = attr::string_list(&meta)?;
                    permissions.set(cx, span, Sp::new(list, span));
                }
                _ => return attr::unknown_key(cx, &meta, "table", KEYS),
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    TableAttrs {
        id: id.get().map(|s| s.value),
        name: name.get().map(|s| s.value),
        since: since.get(),
        row_security: row_security.get().is_some(),
        permissions: permissions.get().map(|s| s.value).unwrap_or_default(),
    }
}

fn spanned(s: LitStr) -> Sp<LitStr> {
    let span: Span = s.span();
    Sp::new(s, span)
}
