//! One column → one field: its type, its `#[column(...)]` keys, and notes on what the derive
//! cannot declare. Relationship columns are in [`super::relation`].

use appwrite_orm::api::Column;
use appwrite_orm::schema::{ColumnKind, ColumnSchema, limits};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::names::TableNames;
use super::{Field, Rendered};

/// The field of a scalar column (not a relationship), or why it is left out.
pub(crate) fn scalar_field(column: &Column, names: &TableNames) -> Rendered {
    let schema = &column.schema;
    let Some((scalar, mut attrs, import)) = kind(schema, names) else {
        return Rendered::Omitted(omitted_kind(schema));
    };
    let mut notes = Vec::new();
    notes.extend(encrypt_attr(schema, &mut attrs));
    if schema.array && schema.kind.is_spatial() {
        return Rendered::Omitted(format!(
            "column `{}` is a {} array, which Appwrite does not define and the derive cannot \
             declare",
            schema.key,
            schema.kind.route_type()
        ));
    }
    let ty = if schema.array {
        if schema.default.is_some() {
            notes.push(format!(
                "Appwrite reports the default {} on this array column; array columns cannot \
                 declare one, so it is left out.",
                compact(schema.default.as_ref())
            ));
        }
        if schema.required {
            attrs.push(quote!(required));
        }
        quote!(Vec<#scalar>)
    } else if let Some(default) = &schema.default {
        match default_literal(&schema.kind, default) {
            Some(lit) => {
                attrs.push(quote!(default = #lit));
                // A non-Option field with a default reads a missing value as the default.
                scalar
            }
            None => {
                notes.push(format!(
                    "Its default {} cannot be written as a `default = ...` literal of this \
                     field's type, so it is left out (declare it by hand if it matters).",
                    compact(Some(default))
                ));
                optional(schema.required, scalar)
            }
        }
    } else {
        optional(schema.required, scalar)
    };
    notes.extend(status_note(column));
    Rendered::Field(Field::new(schema, names, attrs, ty, notes, import))
}

/// `encrypt` for an encrypted column, or a note where the derive cannot declare it: a varchar
/// or string shrunk under the encrypted minimum after its creation (Appwrite's update routes
/// allow that; the derive refuses it).
fn encrypt_attr(schema: &ColumnSchema, attrs: &mut Vec<TokenStream>) -> Option<String> {
    // Appwrite reports the flag on the text kinds only.
    if !schema.encrypt || !schema.kind.can_encrypt() {
        return None;
    }
    match schema.kind {
        ColumnKind::Varchar { size } | ColumnKind::String { size }
            if size < limits::MIN_ENCRYPTED_SIZE =>
        {
            Some(format!(
                "Appwrite reports this column encrypted at size {size}, under the {} an \
                 encrypted column is created with, so `encrypt` is left out (declare it by \
                 hand with a larger size if it matters).",
                limits::MIN_ENCRYPTED_SIZE
            ))
        }
        _ => {
            attrs.push(quote!(encrypt));
            None
        }
    }
}

fn optional(required: bool, scalar: TokenStream) -> TokenStream {
    if required {
        scalar
    } else {
        quote!(Option<#scalar>)
    }
}

/// The scalar type, the `#[column(...)]` keys that give the kind, and the import it needs.
fn kind(
    schema: &ColumnSchema,
    names: &TableNames,
) -> Option<(TokenStream, Vec<TokenStream>, Option<&'static str>)> {
    let string = quote!(String);
    let text = |flag: TokenStream| Some((quote!(String), vec![flag], None));
    Some(match &schema.kind {
        ColumnKind::Varchar { size } => {
            let size = Literal::u32_unsuffixed(*size);
            (string, vec![quote!(size = #size)], None)
        }
        ColumnKind::String { size } => {
            let size = Literal::u32_unsuffixed(*size);
            (string, vec![quote!(string), quote!(size = #size)], None)
        }
        ColumnKind::Text => return text(quote!(text)),
        ColumnKind::MediumText => return text(quote!(mediumtext)),
        ColumnKind::LongText => return text(quote!(longtext)),
        ColumnKind::Email => return text(quote!(email)),
        ColumnKind::Url => return text(quote!(url)),
        ColumnKind::Ip => return text(quote!(ip)),
        ColumnKind::Integer { min, max } => (quote!(i64), int_bounds(*min, *max), None),
        ColumnKind::BigInt { min, max } => {
            let mut attrs = vec![quote!(bigint)];
            attrs.extend(int_bounds(*min, *max));
            (quote!(i64), attrs, None)
        }
        ColumnKind::Float { min, max } => (quote!(f64), float_bounds(*min, *max), None),
        ColumnKind::Boolean => (quote!(bool), Vec::new(), None),
        ColumnKind::Datetime => (quote!(DateTime), Vec::new(), Some("DateTime")),
        ColumnKind::Enum { .. } => {
            let enum_names = names.enums.get(&schema.key)?;
            let ident = format_ident!("{}", enum_names.type_name);
            (quote!(#ident), Vec::new(), None)
        }
        ColumnKind::Point => (quote!(Point), Vec::new(), Some("Point")),
        ColumnKind::Line => (quote!(LineString), Vec::new(), Some("LineString")),
        ColumnKind::Polygon => (quote!(Polygon), Vec::new(), Some("Polygon")),
        ColumnKind::Relationship(_) | ColumnKind::Opaque { .. } => return None,
    })
}

fn omitted_kind(schema: &ColumnSchema) -> String {
    match &schema.kind {
        ColumnKind::Opaque { type_name, .. } => format!(
            "column `{}` has the type `{type_name}`, which this library does not model; \
             migrations leave it alone and report it as undeclared",
            schema.key
        ),
        other => format!(
            "column `{}` ({}) has no field",
            schema.key,
            other.route_type()
        ),
    }
}

fn int_bounds(min: Option<i64>, max: Option<i64>) -> Vec<TokenStream> {
    let lit = |v: i64| Literal::i64_unsuffixed(v);
    let mut out = Vec::new();
    if let Some(min) = min.map(lit) {
        out.push(quote!(min = #min));
    }
    if let Some(max) = max.map(lit) {
        out.push(quote!(max = #max));
    }
    out
}

fn float_bounds(min: Option<f64>, max: Option<f64>) -> Vec<TokenStream> {
    let mut out = Vec::new();
    if let Some(min) = min.and_then(float_literal) {
        out.push(quote!(min = #min));
    }
    if let Some(max) = max.and_then(float_literal) {
        out.push(quote!(max = #max));
    }
    out
}

/// A float literal that reads back as exactly `value` (`None` for non-finite values, which
/// JSON cannot carry anyway).
fn float_literal(value: f64) -> Option<Literal> {
    value.is_finite().then(|| Literal::f64_unsuffixed(value))
}

/// The `default = ...` literal of a default, when the derive can take it for this kind.
fn default_literal(kind: &ColumnKind, default: &Value) -> Option<TokenStream> {
    match (kind, default) {
        (kind, Value::String(s)) if kind.is_string() || *kind == ColumnKind::Datetime => {
            Some(quote!(#s))
        }
        (ColumnKind::Integer { .. } | ColumnKind::BigInt { .. }, Value::Number(n)) => {
            let lit = Literal::i64_unsuffixed(n.as_i64()?);
            Some(quote!(#lit))
        }
        (ColumnKind::Float { .. }, Value::Number(n)) => {
            let lit = float_literal(n.as_f64()?)?;
            Some(quote!(#lit))
        }
        (ColumnKind::Boolean, Value::Bool(b)) => Some(quote!(#b)),
        _ => None,
    }
}

/// A note when the column was not `available` at the time of the pull.
pub(crate) fn status_note(column: &Column) -> Option<String> {
    use appwrite_orm::api::ColumnStatus;
    (column.status != ColumnStatus::Available).then(|| {
        let error = if column.error.is_empty() {
            String::new()
        } else {
            format!(" ({})", column.error)
        };
        format!(
            "The column was `{}` when it was pulled{error}.",
            column.status.as_str()
        )
    })
}

/// A JSON value on one line, for notes.
pub(crate) fn compact(value: Option<&Value>) -> String {
    value.map_or_else(|| "null".to_owned(), |v| format!("`{v}`"))
}
