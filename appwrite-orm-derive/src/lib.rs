//! Procedural macros for [`appwrite-orm`](https://docs.rs/appwrite-orm):
//! `#[derive(Table)]`, `#[derive(ColumnEnum)]` and `#[migration]`.
//!
//! Use them through `appwrite_orm` (`use appwrite_orm::prelude::*;`), which re-exports both and
//! holds the traits and types the generated code names. The examples below are not compiled
//! here (this crate cannot depend on the runtime); the same examples are compiled as doctests
//! in `appwrite_orm::model`.
//!
//! Each derive works in three passes: the attributes are parsed into spanned values
//! (`parse`), checked against each other and against Appwrite's rules into a model (`check`),
//! and expanded (`expand`). Every error is collected, so one compilation reports all of them,
//! each at the token that causes it; a failed derive still emits a dummy impl so that the
//! rest of the crate does not drown its errors in follow-up ones.

mod attr;
mod case;
mod check;
mod ctxt;
mod expand;
mod migration;
mod model;
mod parse;
mod ty;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

use crate::ctxt::Ctxt;
use crate::parse::Unusable;

/// Derives `appwrite_orm::model::Table` for a struct with named fields: its table schema, row
/// conversions, typed column constants, a patch builder, and its registration.
///
/// ```ignore
/// use appwrite_orm::prelude::*;
///
/// #[derive(Table, Debug, Clone)]
/// #[table(id = "users", name = "Users")]
/// #[index(key = "by_email", unique, columns(email))]
/// pub struct User {
///     #[column(id)] pub id: RowId,
///     #[column(size = 128)] pub name: String,
///     #[column(email)] pub email: String,
///     #[column(size = 20, since = 2)] pub phone: Option<String>,
///     #[column(default = false, since = 2)] pub is_verified: bool,
///     #[column(min = 0)] pub view_count: i64,
///     pub tags: Vec<String>,
///     #[column(created_at)] pub created_at: DateTime,
/// }
///
/// let filter = User::EMAIL.ends_with("@example.com").and(User::VIEW_COUNT.gt(10));
/// let patch = User::patch().phone(None).is_verified(true);
/// ```
///
/// # What it generates
///
/// - `impl Table for User`: `schema()` (built once), `row_id()` / `set_row_id()` (the
///   `#[column(id)]` field; `None` while it is empty), `to_document()` (every column field,
///   plus `$permissions` when a permissions field is non-empty) and `from_row()` (every field;
///   errors name the table and the column; a non-`Option` field with a `default` reads a
///   missing value as the default).
/// - A typed constant per field, named after it in `SCREAMING_SNAKE_CASE` and as visible as
///   the field: `User::NAME: Col<User, String>`, `User::PHONE: Col<User, Option<String>>`.
///   System fields map to their `$` keys (`User::ID` on `$id`). `ID`, `CREATED_AT`,
///   `UPDATED_AT` and `SEQUENCE` are generated for the system columns when no field took the
///   name, so every model can filter and order on them.
/// - `User::patch() -> UserPatch`, a builder with one method per column field (as visible as
///   the field) taking the field's type or what converts into it (`&str` for `String`, `None`
///   or a bare value for an `Option`), and `impl From<UserPatch> for Patch<User>`. `UserPatch`
///   is the one item the derive adds to the struct's module.
/// - Registration in `appwrite_orm::model::registered_tables()`.
///
/// # Struct attributes
///
/// `#[table(...)]`, at most once per key:
///
/// | key | value | default |
/// |---|---|---|
/// | `id = "users"` | the table id (Appwrite's id rule: 1-36 chars of `A-Za-z0-9._-`, not starting with `_ . -`) | the struct name in snake_case |
/// | `name = "Users"` | the display name, 1-128 chars | the struct name |
/// | `since = 2` | the schema version that introduced the table, at least 1 | 1 |
/// | `row_security` | row-level permissions apply too | off |
/// | `permissions("read(\"any\")", …)` | table permissions, `action("role")` | none |
/// | `database = "analytics"` | the database the table lives in (Appwrite's id rule): `db.table::<T>()` and migrations address it whatever the connection's database | the connection's database |
///
/// `#[index(...)]`, repeatable:
///
/// ```ignore
/// #[index(key = "by_email", unique, columns(email))]
/// #[index(key = "recent", columns(role, created_at), orders(asc, desc), since = 2)]
/// #[index(key = "bio_search", fulltext, columns(bio))]
/// #[index(key = "near", spatial, columns(location))]
/// #[index(key = "by_name_prefix", columns(name, role), lengths(16, none))]
/// ```
///
/// | key | value |
/// |---|---|
/// | `key = "…"` | the index key (required; unique among the indexes) |
/// | `unique` / `fulltext` / `spatial` | the kind (a plain key index when none); a spatial index covers one required `Point`, `LineString` or `Polygon` field, checked when the schema is validated |
/// | `columns(a, b)` | **field** names, resolved to their column keys (renames are followed); `id`, `created_at` and `updated_at` fields index `$id`, `$createdAt`, `$updatedAt` |
/// | `orders(asc, desc)` | one order per column, or none for all ascending |
/// | `lengths(16, none)` | one prefix length per column (`none`: the whole column), or none; checked against the columns' sizes when the schema is validated |
/// | `since = N` | the version that introduced it; default: the latest `since` of its columns |
///
/// Indexes on array or relationship columns, fulltext indexes on non-text columns, unknown
/// fields and a column named twice are compile errors.
///
/// # Field attributes
///
/// A field's type gives its column: `String` → varchar(255), `i8`..`i64` and `u8`..`u32` →
/// integer bounded by the type, `f32`/`f64` → float, `bool` → boolean, `DateTime` →
/// datetime, `RowId` → varchar(36), a `#[derive(ColumnEnum)]` enum → enum; `Option<T>` makes
/// it optional, `Vec<T>` an (optional) array. `#[column(...)]` refines it:
///
/// ```ignore
/// #[column(size = 128)] name: String,                 // varchar(128)
/// #[column(text)] body: String,                       // also `mediumtext`, `longtext`
/// #[column(string, size = 64)] legacy: Option<String>,// legacy `string` kind (servers < 1.9)
/// #[column(email)] email: String,                     // also `url`, `ip`
/// #[column(bigint)] big: i64,                         // bigint
/// #[column(min = 0, max = 5)] stars: u8,              // bounds within the Rust type's range
/// #[column(default = false)] verified: bool,          // optional column with a default
/// #[column(required)] tags: Vec<String>,              // force required
/// #[column(since = 2)] phone: Option<String>,         // added in version 2
/// #[column(rename = "display_name")] label: String,   // column key
/// #[column(renamed_from = "fullName")] name: String,  // was the column `fullName`
/// #[column(relation(table = "authors", kind = many_to_one, on_delete = cascade,
///                   two_way, two_way_key = "posts"))]
/// author: RowId,
/// ```
///
/// | key | applies to | meaning |
/// |---|---|---|
/// | `rename = "key"` | columns | the column key (default: the field name as written) |
/// | `renamed_from = "old_key"` | columns | the key the column had before it was renamed (see below); not its own key, not another field's, one field per old key |
/// | `size = N` | text fields | varchar of `N` characters (1..=16381), or the size of `string` |
/// | `text`, `mediumtext`, `longtext` | text fields | the long text kinds |
/// | `string` | text fields | the legacy `string` kind, `size` defaults to 255 |
/// | `email`, `url`, `ip` | text fields | the formatted string kinds |
/// | `bigint` | `i64` fields | the `bigint` kind |
/// | `min = N`, `max = N` | number fields | bounds; must fit the Rust type and `min <= max` |
/// | `default = <literal>` | non-array columns | string for text, enum and date fields, integer for integers, number for floats, `true`/`false` for `bool`; the column becomes optional (Appwrite forbids defaults on required columns) |
/// | `required` | non-`Option` columns | force required (e.g. a `Vec`); not with `default` |
/// | `encrypt` | text fields (varchar, `string`, `text`, `mediumtext`, `longtext`) | Appwrite stores the values encrypted at rest; a varchar or `string` needs `size` of at least 150 (the default 255 is enough); the column cannot be queried, and the flag cannot be changed once the column exists |
/// | `since = N` | columns | the version that added the column; at least the table's (the default) |
/// | `relation(...)` | `Option<Ref<T>>`, `Vec<Ref<T>>` (or `RowId`, `Option<RowId>`, `Vec<RowId>` for ids only) | a relationship column: `table = "id"` (required), `kind = many_to_one` (default on a single id) `\| one_to_one \| one_to_many \| many_to_many` (required on a `Vec`), `on_delete = restrict` (default) `\| cascade \| set_null`, `two_way`, `two_way_key = "key"` (implies `two_way`), `twin` (this field is the other side of a two-way relationship declared on `table`, whose key `two_way_key` names; Appwrite creates it with that relationship; a `Vec` on the twin of `many_to_one`, a single one on the twin of `one_to_many`) |
///
/// **Renaming a column.** Give the field (or its `rename`) the new key and add
/// `renamed_from = "old_key"`: where the live table still has `old_key` and not the new key,
/// the next migration renames it in place (Appwrite keeps every row's value and rewrites the
/// indexes that use it) instead of creating an empty column and reporting the old one as an
/// extra; where it has neither (a fresh database), the column is created. It is migration
/// metadata (`ColumnSchema::renamed_from`), never sent to Appwrite and not part of the schema
/// fingerprint; it may be removed once every database has been migrated. `since` is not
/// needed: without it the column keeps the version of its old key and the rename goes with
/// the next run. With `since = N` the rename runs in version N, before its step (which sees
/// the new key), and counts as one of its in-place changes (backed up first with
/// `backup_before_destructive`); reverting below N with `down --drop-schema` then drops the
/// column as an addition of N (after its backup).
///
/// System fields hold Appwrite's `$` values instead of a column; they take no other
/// attribute and are not part of the schema:
///
/// | marker | type | reads |
/// |---|---|---|
/// | `#[column(id)]` | `RowId` | `$id`; `row_id()` / `set_row_id()` use it (at most one) |
/// | `#[column(created_at)]` | `DateTime` or `Option<DateTime>` | `$createdAt` |
/// | `#[column(updated_at)]` | `DateTime` or `Option<DateTime>` | `$updatedAt` |
/// | `#[column(sequence)]` | `i64` or `String` | `$sequence` |
/// | `#[column(permissions)]` | `Vec<String>` | `$permissions`; written when non-empty |
///
/// # Errors
///
/// Every mistake is a compile error at the offending token, all reported at once: unknown
/// or repeated keys (with a suggestion), wrong literal types, keys and ids that break
/// Appwrite's rule, duplicate column or index keys (case-insensitive, after renames), a
/// `renamed_from` that is the column's own key or another field's or that two fields share,
/// `since = 0` or below the table's, attributes on fields they do not fit (`size` on an
/// integer, `min` on a string, a bound outside the type's range, `required` with `default`,
/// `default` on a `Vec`, `encrypt` on a non-text field or under size 150), two `#[column(id)]` fields, and items other than a non-generic
/// struct with named fields. A field type without a column (e.g. `u64`) is reported by the
/// compiler with the supported types.
///
/// # Known issue
///
/// Clippy releases before the fix of rust-clippy#13238 read every attribute as a tree of unique
/// paths, so `orders(desc, desc)`, or two `#[index]`es that share a flag such as `unique`,
/// trigger a false `clippy::duplicated_attributes` warning. Allow that lint on the struct (or
/// the crate) until the toolchain has the fix.
#[proc_macro_derive(Table, attributes(table, column, index))]
pub fn derive_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let cx = Ctxt::new();
    let expanded = match parse::parse_struct(&cx, &input) {
        Ok(parsed) => {
            let model = check::check_struct(&cx, parsed);
            if cx.has_errors() {
                expand::dummy_table(&input.ident, Some(&model))
            } else {
                expand::table(&model)
            }
        }
        Err(Unusable::Shape) => expand::dummy_table(&input.ident, None),
        Err(Unusable::Generic) => proc_macro2::TokenStream::new(),
    };
    finish(cx, expanded)
}

/// Derives `appwrite_orm::model::ColumnType` (and `Filterable`) for an enum whose variants
/// have no fields: a field of that type is an enum column whose elements are the variants.
///
/// ```ignore
/// use appwrite_orm::prelude::*;
///
/// #[derive(ColumnEnum, Debug, Clone, Copy, PartialEq)]
/// #[column_enum(rename_all = "snake_case")]
/// pub enum Role {
///     Admin,                          // "admin"
///     Member,                         // "member"
///     #[column_enum(rename = "guest-user")]
///     Guest,                          // "guest-user"
/// }
/// ```
///
/// | attribute | on | meaning |
/// |---|---|---|
/// | `#[column_enum(rename_all = "…")]` | the enum | `lowercase`, `UPPERCASE`, `PascalCase`, `camelCase`, `snake_case`, `SCREAMING_SNAKE_CASE`, `kebab-case`, `SCREAMING-KEBAB-CASE` (serde's rules) |
/// | `#[column_enum(rename = "…")]` | a variant | the element it is stored as |
///
/// Without these, an element is the variant name as written. serde's `#[serde(rename_all)]`
/// and `#[serde(rename)]` are read as well (the `serialize` name when the two differ), so an
/// enum already set up for serde stores the same strings; `column_enum` wins over `serde`.
///
/// Errors: a struct or union, variants with fields, generics, no variants, more than 100
/// variants, an element longer than 255 characters, and two variants stored as the same
/// element.
#[proc_macro_derive(ColumnEnum, attributes(column_enum, serde))]
pub fn derive_column_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let cx = Ctxt::new();
    let generic = !input.generics.params.is_empty();
    let expanded = match parse::enumeration::parse_enum(&cx, &input) {
        Some(parsed) => {
            let model = check::enumeration::check_enum(&cx, parsed);
            if cx.has_errors() {
                dummy_enum(&input, generic)
            } else {
                expand::column_enum(&model)
            }
        }
        None => dummy_enum(&input, generic),
    };
    finish(cx, expanded)
}

fn dummy_enum(input: &DeriveInput, generic: bool) -> proc_macro2::TokenStream {
    if generic {
        proc_macro2::TokenStream::new()
    } else {
        expand::dummy_column_enum(&input.ident)
    }
}

/// Registers an `async fn(m: &mut Migration<'_>) -> appwrite_orm::Result<()>` as the step of a
/// schema version; `db.migrate()` runs it once, in version order, after the version's schema
/// changes (see `appwrite_orm::migrate`).
///
/// ```ignore
/// use appwrite_orm::prelude::*;
///
/// #[migration(version = 2, name = "backfill user defaults", down = undo_defaults)]
/// async fn backfill_defaults(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
///     m.table::<User>()
///         .backfill(User::PREFERENCES.is_null(), |_| User::patch().preferences("{}"))
///         .await?;
///     Ok(())
/// }
///
/// async fn undo_defaults(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
///     m.drop_column("users", "preferences").await?;
///     Ok(())
/// }
/// ```
///
/// | key | value |
/// |---|---|
/// | `version = N` | required; at least 1, unique among the binary's migrations of its database |
/// | `name = "..."` | shown in reports and the history; default: the function name with spaces |
/// | `down = path` | an `async fn` of the same shape, run by `Migrator::revert` |
/// | `check = path` | a validation check of the same shape, run after the step; may repeat |
/// | `allow = "code"`, `allow("a", "b")` | lint codes whose findings on this version are expected; may repeat |
/// | `database = "analytics"` | the database it belongs to (Appwrite's id rule): versioned, locked and recorded in that database's history; default: the connection's database |
///
/// The registration carries a SHA-256 checksum of the function's tokens (signature and body;
/// comments, doc comments and layout do not count), computed at compile time: the history
/// refuses to go on when an applied migration's code changed (`Migrator::repair` accepts a
/// harmless edit). The function stays an ordinary function of the module.
///
/// `allow` acknowledges what `Migrator::lint` (`migrate lint`) will find in this version, for
/// example a step that fills a column made required, or a drop whose values are backed up:
///
/// ```ignore
/// #[migration(version = 4, name = "retire the text price", allow = "destructive")]
/// async fn retire_text_price(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
///     m.drop_column("products", "price").await?;   // backed up to JSONL first
///     Ok(())
/// }
/// ```
///
/// Lint still reports those findings, marked acknowledged ("allowed by v4"), but counts them
/// neither as errors nor as warnings; the version's history row records the codes when it is
/// applied. The codes are `appwrite_orm::migrate::lint::codes::ALLOWABLE`:
/// `unique-duplicates`, `narrowing-violated`, `required-without-value`, `destructive`,
/// `step-reads-dropped-column`, `relationship-cascade`; history problems cannot be allowed.
/// `allow` is not part of the checksum: acknowledging a finding later is no edit.
///
/// Errors, at their token: a missing or zero `version`, an invalid `database` id, unknown or repeated keys, a check that
/// is the migration itself or named twice, an `allow` code that is not allowable (with the
/// codes and the closest one) or given twice, a function that is not `async`, is generic, or
/// does not take exactly one `&mut Migration<'_>`, or returns nothing.
#[proc_macro_attribute]
pub fn migration(args: TokenStream, item: TokenStream) -> TokenStream {
    migration::migration(args.into(), item.into()).into()
}

/// The expansion, preceded by every collected error.
fn finish(cx: Ctxt, expanded: proc_macro2::TokenStream) -> TokenStream {
    match cx.check() {
        Ok(()) => expanded.into(),
        Err(errors) => {
            let errors = errors.into_compile_error();
            quote::quote!(#errors #expanded).into()
        }
    }
}
