//! The attribute's arguments → [`MigrationArgs`], unchecked.

use proc_macro2::TokenStream;
use syn::LitStr;
use syn::parse::Parser;

use crate::attr::{self, Slot, Sp};
use crate::ctxt::Ctxt;

/// Every key `#[migration(...)]` accepts.
const KEYS: &[&str] = &["version", "name", "down", "check", "allow", "database"];

/// What the arguments say, with spans.
#[derive(Default)]
pub(crate) struct MigrationArgs {
    pub(crate) version: Option<Sp<u64>>,
    pub(crate) name: Option<LitStr>,
    pub(crate) down: Option<syn::Path>,
    /// `check = fn_name`, once per check, in order.
    pub(crate) checks: Vec<syn::Path>,
    /// The lint codes of `allow = "code"` and `allow("a", "b")`, in order, unchecked.
    pub(crate) allow: Vec<LitStr>,
    /// `database = "..."`: the database whose history records the migration.
    pub(crate) database: Option<LitStr>,
}

pub(crate) fn parse_args(cx: &Ctxt, args: TokenStream) -> MigrationArgs {
    let mut version = Slot::new("version");
    let mut name = Slot::new("name");
    let mut down = Slot::new("down");
    let mut checks = Vec::new();
    let mut allow = Vec::new();
    let mut database = Slot::new("database");
    let parser = syn::meta::parser(attr::known_keys(
        cx,
        "migration",
        KEYS,
        |meta, key, span| {
            match key {
                "version" => version.set_read(cx, span, attr::unsigned(cx, meta, key)?),
                "name" => name.set_read(cx, span, attr::string(cx, meta, key)?),
                "down" => {
                    let path: syn::Path = meta.value()?.parse()?;
                    let path_span = path.segments.last().map_or(span, |s| s.ident.span());
                    down.set(cx, span, Sp::new(path, path_span));
                }
                "check" => checks.push(meta.value()?.parse::<syn::Path>()?),
                "allow" => allow.extend(allowed_codes(cx, meta)?),
                "database" => database.set_read(cx, span, attr::string(cx, meta, key)?),
                _ => unreachable!("`KEYS` lists only the keys above"),
            }
            Ok(())
        },
    ));
    if let Err(e) = parser.parse2(args) {
        cx.syn_error(e);
    }
    MigrationArgs {
        version: version.get(),
        name: name.get().map(|s| s.value),
        down: down.get().map(|s| s.value),
        checks,
        allow,
        database: database.get().map(|s| s.value),
    }
}

/// `allow = "code"` or `allow("a", "b")`; like `check`, the key may repeat.
fn allowed_codes(cx: &Ctxt, meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<Vec<LitStr>> {
    if meta.input.peek(syn::token::Paren) {
        return attr::string_list(meta);
    }
    Ok(attr::string(cx, meta, "allow")?
        .map(|s| s.value)
        .into_iter()
        .collect())
}
