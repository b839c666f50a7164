//! One field: system marker or column, its key, its kind, and whether its attributes fit its
//! type. Bounds and defaults are in [`super::value`], relationships in [`super::relation`].

use appwrite_orm_contract::DEFAULT_STRING_SIZE;
use appwrite_orm_contract::ids::check_key;
use appwrite_orm_contract::limits::{MAX_STRING_SIZE, MAX_VARCHAR_SIZE, MIN_ENCRYPTED_SIZE};
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{Ident, Type};

use super::relation::check_relation;
use super::rename::check_renamed_from;
use super::value::{check_bounds, check_default};
use super::version;
use crate::attr::{Loc, Sp};
use crate::case::screaming_snake_case;
use crate::ctxt::Ctxt;
use crate::model::{
    Assertion, ColumnModel, FieldModel, FieldRole, KindOverride, Requirement, SystemField,
};
use crate::parse::ParsedField;
use crate::parse::column::{ColumnAttrs, TextKind};
use crate::ty::{IntTy, Scalar, Shape, TypeInfo, type_string};

/// What a check looks at: the field, its analysed type, and the bounds left to the compiler.
pub(super) struct FieldCx<'c, 'a> {
    pub(super) cx: &'c Ctxt,
    pub(super) ident: &'a Ident,
    pub(super) ty: &'a Type,
    pub(super) info: TypeInfo,
    assertions: Vec<Assertion>,
}

impl FieldCx<'_, '_> {
    /// True when the field's type meets `requirement` (or may: then the compiler checks it).
    pub(super) fn require(&mut self, requirement: Requirement, what: &str, span: Span) -> bool {
        if self.info.is_unknown() {
            self.assertions.push(Assertion { requirement, span });
            return true;
        }
        let info = self.info;
        let (ok, expected) = match requirement {
            Requirement::Text => (
                info.scalar == Scalar::String,
                "String fields (or Option/Vec of String)",
            ),
            Requirement::Float => (matches!(info.scalar, Scalar::Float(_)), "float fields"),
            Requirement::Number => (
                matches!(info.scalar, Scalar::Int(_) | Scalar::Float(_)),
                "number fields (i8..i64, u8..u32, f32, f64, or Option/Vec of those)",
            ),
            Requirement::BigInt => (info.scalar == Scalar::Int(IntTy::I64), "i64 fields"),
            Requirement::Relation => (
                info.scalar == Scalar::RowId && info.shape != Shape::OptionVec,
                "fields of type Option<Ref<T>>, Vec<Ref<T>>, RowId, Option<RowId> or Vec<RowId>",
            ),
            Requirement::System(system) => (system_type_ok(system, info), system.expected_types()),
        };
        if !ok {
            let field = self.ident.unraw();
            let ty = type_string(self.ty);
            let message = match requirement {
                Requirement::System(_) => {
                    format!("`#[{what}]` needs a field of type {expected}, but `{field}` is `{ty}`")
                }
                _ => format!("`{what}` applies to {expected}, but `{field}` is `{ty}`"),
            };
            self.cx.error_at(span, message);
        }
        ok
    }
}

/// Checks one field; returns its model and the span that names its key (for duplicate-key
/// errors).
pub(super) fn check_field<'a>(
    cx: &Ctxt,
    table_since: u32,
    field: ParsedField<'a>,
) -> (FieldModel<'a>, Loc) {
    let name = field.ident.unraw().to_string();
    let const_ident = Ident::new(&screaming_snake_case(&name), field.ident.span());
    let mut fcx = FieldCx {
        cx,
        ident: field.ident,
        ty: field.ty,
        info: TypeInfo::of(field.ty),
        assertions: Vec::new(),
    };
    let attrs = field.attrs;
    let (role, key_span) = match &attrs.system {
        Some(system) => {
            check_system(&mut fcx, system, &attrs);
            (FieldRole::System(system.value), Loc::from(system.key))
        }
        None => {
            let (column, span) = check_column(&mut fcx, table_since, &name, attrs);
            (FieldRole::Column(column), Loc::from(span))
        }
    };
    let model = FieldModel {
        ident: field.ident,
        vis: field.vis,
        ty: field.ty,
        info: fcx.info,
        const_ident,
        role,
        assertions: fcx.assertions,
    };
    (model, key_span)
}

fn system_type_ok(system: SystemField, info: TypeInfo) -> bool {
    match system {
        SystemField::Id => info.scalar == Scalar::RowId && info.shape == Shape::Plain,
        SystemField::CreatedAt | SystemField::UpdatedAt => {
            info.scalar == Scalar::DateTime && matches!(info.shape, Shape::Plain | Shape::Option)
        }
        SystemField::Sequence => {
            matches!(info.scalar, Scalar::Int(IntTy::I64) | Scalar::String)
                && info.shape == Shape::Plain
        }
        SystemField::Permissions => info.scalar == Scalar::String && info.shape == Shape::Vec,
    }
}

fn check_system(fcx: &mut FieldCx<'_, '_>, system: &Sp<SystemField>, attrs: &ColumnAttrs) {
    let marker = system.value.marker();
    for key in &attrs.column_keys {
        fcx.cx.error_at(
            key.span,
            format!(
                "`{}` does not apply to a `#[column({marker})]` field: it holds the system value `{}`, not a column",
                key.value,
                system.value.key()
            ),
        );
    }
    fcx.require(
        Requirement::System(system.value),
        &format!("column({marker})"),
        system.key,
    );
}

fn check_column(
    fcx: &mut FieldCx<'_, '_>,
    table_since: u32,
    name: &str,
    attrs: ColumnAttrs,
) -> (ColumnModel, Span) {
    let cx = fcx.cx;
    let (key, key_span) = match &attrs.rename {
        Some(lit) => (lit.value(), lit.span()),
        None => (name.to_owned(), fcx.ident.span()),
    };
    if let Err(reason) = check_key(&key) {
        let hint = if attrs.rename.is_none() {
            "; choose another key with `#[column(rename = \"...\")]`"
        } else {
            ""
        };
        cx.error_at(key_span, format!("column key {key:?} {reason}{hint}"));
    }
    let renamed_from = attrs
        .renamed_from
        .as_ref()
        .and_then(|lit| check_renamed_from(cx, &key, lit));
    let relation = attrs
        .relation
        .as_ref()
        .map(|r| check_relation(fcx, r, &attrs));
    let kind = check_kind(fcx, &attrs);
    let bigint = attrs
        .bigint
        .is_some_and(|span| fcx.require(Requirement::BigInt, "bigint", span));
    let (min, max) = check_bounds(fcx, &attrs);
    let required = check_required(fcx, &attrs);
    let encrypt = check_encrypt(fcx, &attrs, kind);
    let default = attrs
        .default
        .as_ref()
        .and_then(|d| check_default(fcx, d, kind, min, max));
    let since = attrs.since.as_ref().map_or(table_since, |s| {
        version(cx, s.value, s.span, Some((table_since, "column")))
    });
    let column = ColumnModel {
        key,
        kind,
        bigint,
        min,
        max,
        default,
        required,
        encrypt,
        since,
        renamed_from,
        relation,
    };
    (column, key_span)
}

/// `size`, `text`, `mediumtext`, `longtext`, `string`, `email`, `url`, `ip`.
fn check_kind(fcx: &mut FieldCx<'_, '_>, attrs: &ColumnAttrs) -> KindOverride {
    let cx = fcx.cx;
    let size = attrs.size.as_ref();
    let Some(text_kind) = &attrs.text_kind else {
        let Some(size) = size else {
            return KindOverride::None;
        };
        if !fcx.require(Requirement::Text, "size", size.key) {
            return KindOverride::None;
        }
        return KindOverride::Varchar(checked_size(cx, size, "varchar", MAX_VARCHAR_SIZE));
    };
    if !fcx.require(Requirement::Text, text_kind.value.name(), text_kind.key) {
        return KindOverride::None;
    }
    if let Some(size) = size
        && !text_kind.value.takes_size()
    {
        cx.error_at(
            size.span,
            format!(
                "`size` does not apply to `{}` columns: their size is fixed",
                text_kind.value.name()
            ),
        );
    }
    match text_kind.value {
        TextKind::Text => KindOverride::Text,
        TextKind::MediumText => KindOverride::MediumText,
        TextKind::LongText => KindOverride::LongText,
        TextKind::Email => KindOverride::Email,
        TextKind::Url => KindOverride::Url,
        TextKind::Ip => KindOverride::Ip,
        TextKind::String => KindOverride::String(match size {
            Some(size) => checked_size(cx, size, "string", MAX_STRING_SIZE),
            None => DEFAULT_STRING_SIZE,
        }),
    }
}

fn checked_size(cx: &Ctxt, size: &Sp<u64>, kind: &str, max: u32) -> u32 {
    if !(1..=u64::from(max)).contains(&size.value) {
        cx.error_at(
            size.span,
            format!("{kind} size {} is outside 1..={max}", size.value),
        );
        return DEFAULT_STRING_SIZE;
    }
    // In range, and every maximum fits in u32.
    size.value as u32
}

/// `encrypt`: only on String fields of a kind Appwrite encrypts, and on varchar and string only
/// from the minimum size of an encrypted column.
fn check_encrypt(fcx: &mut FieldCx<'_, '_>, attrs: &ColumnAttrs, kind: KindOverride) -> bool {
    let Some(span) = attrs.encrypt else {
        return false;
    };
    if !fcx.require(Requirement::Text, "encrypt", span) {
        return false;
    }
    let size = match kind {
        KindOverride::Email | KindOverride::Url | KindOverride::Ip => {
            let name = attrs.text_kind.as_ref().map_or("", |k| k.value.name());
            fcx.cx.error_at(
                span,
                format!(
                    "`encrypt` does not apply to `{name}` columns: Appwrite encrypts only \
                     varchar, string, text, mediumtext and longtext columns"
                ),
            );
            return false;
        }
        KindOverride::Varchar(size) | KindOverride::String(size) => size,
        // A String field without a size attribute is a varchar of the default size.
        KindOverride::None => DEFAULT_STRING_SIZE,
        KindOverride::Text | KindOverride::MediumText | KindOverride::LongText => return true,
    };
    if size < MIN_ENCRYPTED_SIZE {
        fcx.cx.error_at(
            span,
            format!(
                "`encrypt` needs a size of at least {MIN_ENCRYPTED_SIZE}, but the size is \
                 {size} (Appwrite: \"Size too small. Encrypted strings require a minimum size \
                 of {MIN_ENCRYPTED_SIZE} characters.\")"
            ),
        );
        return false;
    }
    true
}

/// `required`: not on an `Option`, not with a default.
fn check_required(fcx: &mut FieldCx<'_, '_>, attrs: &ColumnAttrs) -> bool {
    let Some(span) = attrs.required else {
        return false;
    };
    if !fcx.info.is_unknown() && fcx.info.shape.is_option() {
        fcx.cx.error_at(
            span,
            "`required` on an Option field: an Option column may be null; \
             remove `required` or the Option",
        );
        return false;
    }
    if attrs.default.is_some() {
        fcx.cx.error_at(
            span,
            "`required` and `default` cannot be combined: Appwrite forbids a default on a \
             required column (a non-Option field with a default already reads a missing value \
             as the default)",
        );
        return false;
    }
    true
}
