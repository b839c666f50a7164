//! `#[column(...)]` on a field → [`ColumnAttrs`].

use proc_macro2::Span;
use syn::LitStr;

use crate::attr::{self, DefaultLit, Number, Slot, Sp};
use crate::ctxt::Ctxt;
use crate::model::{OnDelete, RelationKind, SystemField};

/// Every key `#[column(...)]` accepts.
const KEYS: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "sequence",
    "permissions",
    "rename",
    "renamed_from",
    "size",
    "text",
    "mediumtext",
    "longtext",
    "string",
    "email",
    "url",
    "ip",
    "bigint",
    "min",
    "max",
    "default",
    "required",
    "since",
    "relation",
    "encrypt",
];

const RELATION_KEYS: &[&str] = &[
    "table",
    "kind",
    "on_delete",
    "two_way",
    "two_way_key",
    "twin",
];

/// The kinds a text field may be given instead of varchar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextKind {
    Text,
    MediumText,
    LongText,
    String,
    Email,
    Url,
    Ip,
}

impl TextKind {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "text" => TextKind::Text,
            "mediumtext" => TextKind::MediumText,
            "longtext" => TextKind::LongText,
            "string" => TextKind::String,
            "email" => TextKind::Email,
            "url" => TextKind::Url,
            "ip" => TextKind::Ip,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            TextKind::Text => "text",
            TextKind::MediumText => "mediumtext",
            TextKind::LongText => "longtext",
            TextKind::String => "string",
            TextKind::Email => "email",
            TextKind::Url => "url",
            TextKind::Ip => "ip",
        }
    }

    /// True when `size` applies to this kind (varchar-like kinds with a chosen size).
    pub(crate) fn takes_size(self) -> bool {
        self == TextKind::String
    }
}

/// `relation(...)`.
pub(crate) struct RelationAttrs {
    pub(crate) span: Span,
    pub(crate) table: Option<LitStr>,
    pub(crate) kind: Option<Sp<RelationKind>>,
    pub(crate) on_delete: Option<Sp<OnDelete>>,
    pub(crate) two_way: Option<Span>,
    pub(crate) two_way_key: Option<LitStr>,
    /// `twin`: this field is the twin (child side) of a two-way relationship declared on
    /// `table`.
    pub(crate) twin: Option<Span>,
}

/// Everything the `#[column(...)]` attributes of one field say, with spans, unchecked.
#[derive(Default)]
pub(crate) struct ColumnAttrs {
    pub(crate) system: Option<Sp<SystemField>>,
    pub(crate) rename: Option<LitStr>,
    pub(crate) renamed_from: Option<LitStr>,
    pub(crate) size: Option<Sp<u64>>,
    pub(crate) text_kind: Option<Sp<TextKind>>,
    pub(crate) bigint: Option<Span>,
    pub(crate) min: Option<Sp<Number>>,
    pub(crate) max: Option<Sp<Number>>,
    pub(crate) default: Option<Sp<DefaultLit>>,
    pub(crate) required: Option<Span>,
    /// `encrypt`: Appwrite stores the values encrypted at rest.
    pub(crate) encrypt: Option<Span>,
    pub(crate) since: Option<Sp<u64>>,
    pub(crate) relation: Option<RelationAttrs>,
    /// Every key given other than a system marker, for "a system field takes no other
    /// attribute".
    pub(crate) column_keys: Vec<Sp<&'static str>>,
}

/// Slots for the keys that carry one value each.
struct Slots {
    rename: Slot<LitStr>,
    renamed_from: Slot<LitStr>,
    size: Slot<u64>,
    bigint: Slot<()>,
    min: Slot<Number>,
    max: Slot<Number>,
    default: Slot<DefaultLit>,
    required: Slot<()>,
    encrypt: Slot<()>,
    since: Slot<u64>,
}

/// Parses every `#[column(...)]` attribute of a field.
pub(crate) fn parse(cx: &Ctxt, attrs: &[syn::Attribute]) -> ColumnAttrs {
    let mut out = ColumnAttrs::default();
    let mut slots = Slots {
        rename: Slot::new("rename"),
        renamed_from: Slot::new("renamed_from"),
        size: Slot::new("size"),
        bigint: Slot::new("bigint"),
        min: Slot::new("min"),
        max: Slot::new("max"),
        default: Slot::new("default"),
        required: Slot::new("required"),
        encrypt: Slot::new("encrypt"),
        since: Slot::new("since"),
    };
    for attr in attrs.iter().filter(|a| a.path().is_ident("column")) {
        let result =
            attr.parse_nested_meta(attr::known_keys(cx, "column", KEYS, |meta, key, span| {
                parse_key(cx, meta, key, span, &mut out, &mut slots)
            }));
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    out.rename = slots.rename.get().map(|s| s.value);
    out.renamed_from = slots.renamed_from.get().map(|s| s.value);
    out.size = slots.size.get();
    out.bigint = slots.bigint.get().map(|s| s.key);
    out.min = slots.min.get();
    out.max = slots.max.get();
    out.default = slots.default.get();
    out.required = slots.required.get().map(|s| s.key);
    out.encrypt = slots.encrypt.get().map(|s| s.key);
    out.since = slots.since.get();
    out
}

fn parse_key(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta<'_>,
    key: &'static str,
    span: Span,
    out: &mut ColumnAttrs,
    slots: &mut Slots,
) -> syn::Result<()> {
    if let Some(system) = SystemField::ALL.iter().find(|s| s.marker() == key) {
        attr::flag(cx, meta, key)?;
        let why = "a field holds one system value";
        choose_one(
            cx,
            &mut out.system,
            *system,
            key,
            span,
            SystemField::marker,
            why,
        );
        return Ok(());
    }
    out.column_keys.push(Sp::new(key, span));
    if let Some(kind) = TextKind::from_name(key) {
        attr::flag(cx, meta, key)?;
        let why = "a column has one kind";
        choose_one(cx, &mut out.text_kind, kind, key, span, TextKind::name, why);
        return Ok(());
    }
    match key {
        "rename" => slots
            .rename
            .set_read(cx, span, attr::string(cx, meta, key)?),
        "renamed_from" => {
            if let Some(s) = attr::string(cx, meta, key)? {
                // "Does not apply to this field" errors then underline the old key as well.
                if let Some(given) = out.column_keys.last_mut() {
                    given.span.end = s.span.end;
                }
                slots.renamed_from.set(cx, span, s);
            }
        }
        "size" => slots
            .size
            .set_read(cx, span, attr::unsigned(cx, meta, key)?),
        "bigint" => slots.bigint.set_flag(cx, meta, span)?,
        "required" => slots.required.set_flag(cx, meta, span)?,
        "encrypt" => slots.encrypt.set_flag(cx, meta, span)?,
        "min" => slots.min.set_read(cx, span, attr::number(cx, meta, key)?),
        "max" => slots.max.set_read(cx, span, attr::number(cx, meta, key)?),
        "default" => slots
            .default
            .set_read(cx, span, attr::default_lit(cx, meta)?),
        "since" => slots
            .since
            .set_read(cx, span, attr::unsigned(cx, meta, key)?),
        "relation" => {
            let relation = parse_relation(cx, meta, span)?;
            if out.relation.is_some() {
                cx.error_at(span, "duplicate attribute `relation`");
            } else {
                out.relation = Some(relation);
            }
        }
        _ => unreachable!("`KEYS` lists only the keys above"),
    }
    Ok(())
}

/// Records the flag `key` (meaning `value`) as the one choice of a group of flags that exclude
/// each other, such as the system markers: given twice it is a duplicate; after another of
/// the group (named by `key_of`) it cannot be combined with it, for the reason `why`.
fn choose_one<T: Copy + PartialEq>(
    cx: &Ctxt,
    chosen: &mut Option<Sp<T>>,
    value: T,
    key: &str,
    span: Span,
    key_of: fn(T) -> &'static str,
    why: &str,
) {
    match chosen {
        Some(first) if first.value == value => {
            cx.error_at(span, format!("duplicate attribute `{key}`"));
        }
        Some(first) => cx.error_at(
            span,
            format!(
                "`{}` and `{key}` cannot be combined: {why}",
                key_of(first.value)
            ),
        ),
        None => *chosen = Some(Sp::new(value, span)),
    }
}

fn parse_relation(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta<'_>,
    span: Span,
) -> syn::Result<RelationAttrs> {
    let mut table = Slot::new("table");
    let mut kind = Slot::new("kind");
    let mut on_delete = Slot::new("on_delete");
    let mut two_way = Slot::new("two_way");
    let mut two_way_key = Slot::new("two_way_key");
    let mut twin = Slot::new("twin");
    meta.parse_nested_meta(attr::known_keys(
        cx,
        "relation",
        RELATION_KEYS,
        |inner, key, key_span| {
            match key {
                "table" => table.set_read(cx, key_span, attr::string(cx, inner, key)?),
                "two_way_key" => two_way_key.set_read(cx, key_span, attr::string(cx, inner, key)?),
                "two_way" => two_way.set_flag(cx, inner, key_span)?,
                "twin" => twin.set_flag(cx, inner, key_span)?,
                "kind" => {
                    let (names, from_name) = (RelationKind::NAMES, RelationKind::from_name);
                    if let Some(k) = named(cx, inner, "relation kind", names, from_name)? {
                        kind.set(cx, key_span, k);
                    }
                }
                "on_delete" => {
                    let (names, from_name) = (OnDelete::NAMES, OnDelete::from_name);
                    if let Some(k) = named(cx, inner, "`on_delete` action", names, from_name)? {
                        on_delete.set(cx, key_span, k);
                    }
                }
                _ => unreachable!("`RELATION_KEYS` lists only the keys above"),
            }
            Ok(())
        },
    ))?;
    Ok(RelationAttrs {
        span,
        table: table.get().map(|s| s.value),
        kind: kind.get(),
        on_delete: on_delete.get(),
        two_way: two_way.get().map(|s| s.key),
        two_way_key: two_way_key.get().map(|s| s.value),
        twin: twin.get().map(|s| s.key),
    })
}

/// `key = name` or `key = "name"`, one of `names` (read by `from_name`); another name is
/// reported at it as an unknown `what`, with the names it may be.
fn named<T>(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta<'_>,
    what: &str,
    names: &[&str],
    from_name: fn(&str) -> Option<T>,
) -> syn::Result<Option<Sp<T>>> {
    let input = meta.value()?;
    let (name, span) = if input.peek(syn::LitStr) {
        let s: LitStr = input.parse()?;
        (s.value(), s.span())
    } else {
        let ident: syn::Ident = input.parse()?;
        (ident.to_string(), ident.span())
    };
    match from_name(&name) {
        Some(value) => Ok(Some(Sp::new(value, span))),
        None => {
            cx.error_at(
                span,
                format!(
                    "unknown {what} `{name}`; expected one of: {}",
                    names.join(", ")
                ),
            );
            Ok(None)
        }
    }
}
