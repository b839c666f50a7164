//! `#[table(...)]` on the struct → [`TableAttrs`].

use syn::LitStr;

use crate::attr::{self, Slot, Sp};
use crate::ctxt::Ctxt;

const KEYS: &[&str] = &[
    "id",
    "name",
    "since",
    "row_security",
    "permissions",
    "database",
];

/// What `#[table(...)]` says, unchecked.
#[derive(Default)]
pub(crate) struct TableAttrs {
    pub(crate) id: Option<LitStr>,
    pub(crate) name: Option<LitStr>,
    pub(crate) since: Option<Sp<u64>>,
    pub(crate) row_security: bool,
    pub(crate) permissions: Vec<LitStr>,
    /// `database = "..."`: the database the table lives in.
    pub(crate) database: Option<LitStr>,
}

pub(crate) fn parse(cx: &Ctxt, attrs: &[syn::Attribute]) -> TableAttrs {
    let mut id = Slot::new("id");
    let mut name = Slot::new("name");
    let mut since = Slot::new("since");
    let mut row_security = Slot::new("row_security");
    let mut permissions = Slot::new("permissions");
    let mut database = Slot::new("database");
    for attr in attrs.iter().filter(|a| a.path().is_ident("table")) {
        let result =
            attr.parse_nested_meta(attr::known_keys(cx, "table", KEYS, |meta, key, span| {
                match key {
                    "id" => id.set_read(cx, span, attr::string(cx, meta, key)?),
                    "name" => name.set_read(cx, span, attr::string(cx, meta, key)?),
                    "since" => since.set_read(cx, span, attr::unsigned(cx, meta, key)?),
                    "row_security" => row_security.set_flag(cx, meta, span)?,
                    "database" => database.set_read(cx, span, attr::string(cx, meta, key)?),
                    "permissions" => {
                        let list = attr::string_list(meta)?;
                        permissions.set(cx, span, Sp::new(list, span));
                    }
                    _ => unreachable!("`KEYS` lists only the keys above"),
                }
                Ok(())
            }));
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
        database: database.get().map(|s| s.value),
    }
}
