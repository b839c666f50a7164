//! The arguments and the function's shape → [`MigrationModel`], or errors at the tokens.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, ReturnType, Type};

use super::parse::MigrationArgs;
use super::{allowed, checksum};
use crate::ctxt::Ctxt;
use appwrite_orm_contract::ids::check_id;

const SHAPE: &str = "async fn name(m: &mut Migration<'_>) -> appwrite_orm::Result<()>";

/// A checked migration.
pub(crate) struct MigrationModel {
    pub(crate) version: u32,
    pub(crate) name: String,
    pub(crate) down: Option<syn::Path>,
    /// Validation checks, run after the step: `async fn(m: &mut Migration<'_>) -> Result<()>`.
    pub(crate) checks: Vec<syn::Path>,
    /// The lint codes the migration acknowledges, each known and named once.
    pub(crate) allow: Vec<String>,
    pub(crate) checksum: String,
    /// The database it migrates; `None` for the connection's.
    pub(crate) database: Option<String>,
}

pub(crate) fn check(cx: &Ctxt, args: MigrationArgs, function: &ItemFn) -> Option<MigrationModel> {
    let version = match &args.version {
        None => {
            cx.error_at(
                Span::call_site(),
                "missing `version = N` in #[migration(...)]: every migration has a version, \
                 unique in the binary, e.g. #[migration(version = 2)]",
            );
            None
        }
        Some(v) if v.value == 0 => {
            cx.error_at(v.span, "migration versions start at 1");
            None
        }
        Some(v) => match u32::try_from(v.value) {
            Ok(n) => Some(n),
            Err(_) => {
                cx.error_at(
                    v.span,
                    format!("a migration version must fit in u32 (at most {})", u32::MAX),
                );
                None
            }
        },
    };
    check_signature(cx, function);
    let name = args
        .name
        .as_ref()
        .map(syn::LitStr::value)
        .unwrap_or_else(|| function.sig.ident.to_string().replace('_', " "));
    if let Some(lit) = &args.name
        && lit.value().trim().is_empty()
    {
        cx.error_spanned_by(lit, "a migration's name cannot be empty");
    }
    check_checks(cx, &args.checks, function);
    let allow = allowed::check(cx, &args.allow);
    let database = args.database.as_ref().map(|lit| {
        let id = lit.value();
        if let Err(reason) = check_id(&id) {
            cx.error_spanned_by(lit, format!("database id {id:?} {reason}"));
        }
        id
    });
    Some(MigrationModel {
        version: version?,
        name,
        down: args.down,
        checks: args.checks,
        allow,
        checksum: checksum::checksum(function),
        database,
    })
}

/// A check is another function, named once.
fn check_checks(cx: &Ctxt, checks: &[syn::Path], function: &ItemFn) {
    for (i, path) in checks.iter().enumerate() {
        if path.get_ident() == Some(&function.sig.ident) {
            cx.error_spanned_by(
                path,
                "a check runs after the migration to validate it; it cannot be the migration \
                 itself: name another `async fn(m: &mut Migration<'_>) -> appwrite_orm::Result<()>`",
            );
        } else if checks[..i].iter().any(|earlier| same_path(earlier, path)) {
            cx.error_spanned_by(path, "this check is named twice");
        }
    }
}

/// True when two paths name the same item as written (`a::b` and `a::b`). Compared by hand:
/// `PartialEq` on syn's types needs its `extra-traits` feature, which this crate does not enable.
fn same_path(a: &syn::Path, b: &syn::Path) -> bool {
    a.leading_colon.is_some() == b.leading_colon.is_some()
        && a.segments.len() == b.segments.len()
        && a.segments
            .iter()
            .zip(&b.segments)
            .all(|(x, y)| x.ident == y.ident)
}

fn check_signature(cx: &Ctxt, function: &ItemFn) {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        cx.error_at(
            sig.fn_token.span,
            format!("a migration must be an `async fn`: `{SHAPE}`"),
        );
    }
    if let Some(c) = &sig.constness {
        cx.error_at(c.span, "a migration cannot be a `const fn`");
    }
    if let Some(u) = &sig.unsafety {
        cx.error_at(u.span, "a migration cannot be an `unsafe fn`");
    }
    if let Some(abi) = &sig.abi {
        cx.error_spanned_by(abi, "a migration cannot have an `extern` ABI");
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        cx.error_spanned_by(
            &sig.generics,
            "a migration cannot be generic: the runner calls it with a `&mut Migration<'_>` only",
        );
    }
    let wrong = |cx: &Ctxt, span: Span| {
        cx.error_at(
            span,
            format!("a migration takes one argument, the step context: `{SHAPE}`"),
        );
    };
    match sig.inputs.len() {
        1 => match &sig.inputs[0] {
            FnArg::Receiver(r) => wrong(cx, r.span()),
            FnArg::Typed(arg) => {
                if !is_mut_migration(&arg.ty) {
                    cx.error_spanned_by(
                        &arg.ty,
                        format!(
                            "the step context is borrowed mutably, as `&mut Migration<'_>`: `{SHAPE}`"
                        ),
                    );
                }
            }
        },
        _ => wrong(cx, sig.paren_token.span.join()),
    }
    if let Some(v) = &sig.variadic {
        cx.error_spanned_by(v, "a migration takes no variadic arguments");
    }
    if let ReturnType::Default = sig.output {
        cx.error_at(
            sig.paren_token.span.close(),
            format!("a migration returns `appwrite_orm::Result<()>`: `{SHAPE}`"),
        );
    }
}

/// `&mut Migration<'_>` (any path ending in `Migration`).
fn is_mut_migration(ty: &Type) -> bool {
    let Type::Reference(r) = ty else {
        return false;
    };
    if r.mutability.is_none() {
        return false;
    }
    match &*r.elem {
        Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Migration"),
        _ => false,
    }
}
