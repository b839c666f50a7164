//! The numbers and literals of a column: `min`/`max` against the Rust type's range and each
//! other, and `default` against the field's type, range, bounds and size.

use appwrite_orm_contract::DEFAULT_STRING_SIZE;
use syn::ext::IdentExt;

use super::column::FieldCx;
use crate::attr::{DefaultLit, Loc, Number, Sp};
use crate::ctxt::Ctxt;
use crate::model::{DefaultValue, KindOverride, Requirement};
use crate::parse::column::ColumnAttrs;
use crate::ty::{Scalar, type_string};

/// `min` and `max`: a number field, a literal of the field's kind, within the Rust type's
/// range, and `min <= max`.
pub(super) fn check_bounds(
    fcx: &mut FieldCx<'_, '_>,
    attrs: &ColumnAttrs,
) -> (Option<Number>, Option<Number>) {
    let min = attrs.min.as_ref().and_then(|n| check_bound(fcx, "min", n));
    let max = attrs.max.as_ref().and_then(|n| check_bound(fcx, "max", n));
    if let (Some(lo), Some(hi), Some(at)) = (min, max, attrs.min.as_ref())
        && lo.as_f64() > hi.as_f64()
    {
        fcx.cx
            .error_at(at.span, format!("min {lo} is greater than max {hi}"));
    }
    (min, max)
}

fn check_bound(fcx: &mut FieldCx<'_, '_>, what: &str, n: &Sp<Number>) -> Option<Number> {
    let cx = fcx.cx;
    if let Number::Float(f) = n.value
        && !f.is_finite()
    {
        // JSON has no infinities: such a bound could never reach the server.
        cx.error_at(n.span, format!("{what} must be a finite number"));
        return None;
    }
    if fcx.info.is_unknown() {
        let requirement = match n.value {
            Number::Int(_) => Requirement::Number,
            Number::Float(_) => Requirement::Float,
        };
        fcx.require(requirement, what, n.key);
        if let Number::Int(v) = n.value
            && i64::try_from(v).is_err()
        {
            cx.error_at(n.span, format!("{what} {v} is outside the range of i64"));
            return None;
        }
        return Some(n.value);
    }
    if !fcx.require(Requirement::Number, what, n.key) {
        return None;
    }
    fits(cx, fcx.info.scalar, what, n).then_some(n.value)
}

/// True when the number is a valid value of the scalar; reports why not.
fn fits(cx: &Ctxt, scalar: Scalar, what: &str, n: &Sp<Number>) -> bool {
    match (scalar, n.value) {
        (Scalar::Int(int), Number::Int(v)) => {
            let (lo, hi) = int.range();
            let ok = (lo..=hi).contains(&v);
            if !ok {
                cx.error_at(
                    n.span,
                    format!(
                        "{what} {v} is outside the range of {} ({lo}..={hi})",
                        int.name()
                    ),
                );
            }
            ok
        }
        (Scalar::Int(int), Number::Float(_)) => {
            cx.error_at(
                n.span,
                format!("{what} of an {} field must be an integer", int.name()),
            );
            false
        }
        (Scalar::Float(float), value) => {
            let v = value.as_f64();
            let ok = v.is_finite() && v.abs() <= float.max();
            if !ok {
                cx.error_at(
                    n.span,
                    format!("{what} {value} is outside the range of the float type"),
                );
            }
            ok
        }
        _ => true,
    }
}

/// `default = <literal>`: not on an array, and a literal of the field's type and range.
pub(super) fn check_default(
    fcx: &mut FieldCx<'_, '_>,
    default: &Sp<DefaultLit>,
    kind: KindOverride,
    min: Option<Number>,
    max: Option<Number>,
) -> Option<DefaultValue> {
    let cx = fcx.cx;
    let info = fcx.info;
    if info.shape.is_vec() {
        cx.error_at(
            default.span,
            "an array column cannot have a default (Appwrite does not support it); \
             a missing array reads as empty",
        );
        return None;
    }
    let mismatch = |expected: &str| {
        cx.error_at(
            default.span,
            format!(
                "the default of `{}` ({}) must be {expected}, found {}",
                fcx.ident.unraw(),
                type_string(fcx.ty),
                default.value.describe()
            ),
        );
        None
    };
    let value = match (info.scalar, &default.value) {
        (Scalar::Other, DefaultLit::Str(s)) => DefaultValue::Str(s.clone()),
        (Scalar::Other, DefaultLit::Bool(b)) => DefaultValue::Bool(*b),
        (Scalar::Other, DefaultLit::Number(Number::Int(n))) => match i64::try_from(*n) {
            Ok(n) => DefaultValue::Int(n),
            Err(_) => return mismatch("a number that fits in i64"),
        },
        (Scalar::Other, DefaultLit::Number(Number::Float(f))) if f.is_finite() => {
            DefaultValue::Float(*f)
        }
        (Scalar::Other, DefaultLit::Number(Number::Float(_))) => {
            return mismatch("a finite number");
        }
        (Scalar::String, DefaultLit::Str(s)) => {
            check_default_length(cx, default.span, s, kind);
            DefaultValue::Str(s.clone())
        }
        (Scalar::DateTime | Scalar::RowId, DefaultLit::Str(s)) => DefaultValue::Str(s.clone()),
        (Scalar::String | Scalar::DateTime | Scalar::RowId, _) => {
            return mismatch("a string literal");
        }
        (Scalar::Bool, DefaultLit::Bool(b)) => DefaultValue::Bool(*b),
        (Scalar::Bool, _) => return mismatch("`true` or `false`"),
        (Scalar::Int(_), DefaultLit::Number(n @ Number::Int(v))) => {
            let number = Sp::new(*n, default.span);
            if !fits(cx, info.scalar, "default", &number) || !within_bounds(cx, &number, min, max) {
                return None;
            }
            // `fits` checked the range of a type at most i64 wide.
            DefaultValue::Int(*v as i64)
        }
        (Scalar::Int(_), _) => return mismatch("an integer literal"),
        (Scalar::Float(_), DefaultLit::Number(n)) => {
            let number = Sp::new(*n, default.span);
            if !fits(cx, info.scalar, "default", &number) || !within_bounds(cx, &number, min, max) {
                return None;
            }
            DefaultValue::Float(n.as_f64())
        }
        (Scalar::Float(_), _) => return mismatch("a number literal"),
    };
    Some(value)
}

fn within_bounds(cx: &Ctxt, n: &Sp<Number>, min: Option<Number>, max: Option<Number>) -> bool {
    let v = n.value.as_f64();
    if let Some(min) = min
        && v < min.as_f64()
    {
        cx.error_at(n.span, format!("default {} is below min {min}", n.value));
        return false;
    }
    if let Some(max) = max
        && v > max.as_f64()
    {
        cx.error_at(n.span, format!("default {} is above max {max}", n.value));
        return false;
    }
    true
}

fn check_default_length(cx: &Ctxt, span: Loc, s: &str, kind: KindOverride) {
    let size = match kind {
        KindOverride::None => DEFAULT_STRING_SIZE,
        KindOverride::Varchar(size) | KindOverride::String(size) => size,
        _ => return,
    };
    let len = s.chars().count();
    if len > size as usize {
        cx.error_at(
            span,
            format!("default is {len} characters long, more than the column's size {size}"),
        );
    }
}
