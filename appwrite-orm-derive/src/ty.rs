//! What a field's type looks like, read from its tokens.
//!
//! A derive sees tokens, not types: `String` here means "the last path segment is `String`".
//! That is enough for clear, early errors on the common cases (`size` on an `i64`), and the
//! checks fall back to a trait bound evaluated by the compiler when the type is not recognised
//! (a type alias, a `#[derive(ColumnEnum)]` enum), so an alias is never rejected by mistake.

use quote::ToTokens;
use syn::{GenericArgument, PathArguments, Type};

/// `T`, `Option<T>`, `Vec<T>` or `Option<Vec<T>>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Plain,
    Option,
    Vec,
    OptionVec,
}

impl Shape {
    pub(crate) fn is_option(self) -> bool {
        matches!(self, Shape::Option | Shape::OptionVec)
    }

    pub(crate) fn is_vec(self) -> bool {
        matches!(self, Shape::Vec | Shape::OptionVec)
    }
}

/// The scalar inside the shape, as far as the tokens tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    String,
    Bool,
    Int(IntTy),
    Float(FloatTy),
    DateTime,
    RowId,
    /// Not recognised: an enum, an alias, or a type with no column (the compiler decides).
    Other,
}

/// The integer types with a column; their range bounds `min`, `max` and `default`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntTy {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
}

impl IntTy {
    pub(crate) fn range(self) -> (i128, i128) {
        match self {
            IntTy::I8 => (i8::MIN.into(), i8::MAX.into()),
            IntTy::I16 => (i16::MIN.into(), i16::MAX.into()),
            IntTy::I32 => (i32::MIN.into(), i32::MAX.into()),
            IntTy::I64 => (i64::MIN.into(), i64::MAX.into()),
            IntTy::U8 => (0, u8::MAX.into()),
            IntTy::U16 => (0, u16::MAX.into()),
            IntTy::U32 => (0, u32::MAX.into()),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            IntTy::I8 => "i8",
            IntTy::I16 => "i16",
            IntTy::I32 => "i32",
            IntTy::I64 => "i64",
            IntTy::U8 => "u8",
            IntTy::U16 => "u16",
            IntTy::U32 => "u32",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FloatTy {
    F32,
    F64,
}

impl FloatTy {
    pub(crate) fn max(self) -> f64 {
        match self {
            FloatTy::F32 => f64::from(f32::MAX),
            FloatTy::F64 => f64::MAX,
        }
    }
}

/// A field type, analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TypeInfo {
    pub(crate) shape: Shape,
    pub(crate) scalar: Scalar,
}

impl TypeInfo {
    pub(crate) fn of(ty: &Type) -> Self {
        let (option, rest) = match generic_arg(ty, "Option") {
            Some(inner) => (true, inner),
            None => (false, ty),
        };
        let (vec, scalar_ty) = match generic_arg(rest, "Vec") {
            Some(inner) => (true, inner),
            None => (false, rest),
        };
        let shape = match (option, vec) {
            (false, false) => Shape::Plain,
            (true, false) => Shape::Option,
            (false, true) => Shape::Vec,
            (true, true) => Shape::OptionVec,
        };
        TypeInfo {
            shape,
            scalar: scalar_of(scalar_ty),
        }
    }

    /// True when the tokens cannot tell what the type is.
    pub(crate) fn is_unknown(self) -> bool {
        self.scalar == Scalar::Other
    }
}

/// The last segment of a plain path type, e.g. `String` for `std::string::String`.
fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        Type::Group(g) => last_segment(&g.elem),
        Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

/// `T` when `ty` is `Wrapper<T>`.
fn generic_arg<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let segment = last_segment(ty)?;
    if segment.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let first = types.next()?;
    types.next().is_none().then_some(first)
}

fn scalar_of(ty: &Type) -> Scalar {
    let Some(segment) = last_segment(ty) else {
        return Scalar::Other;
    };
    match segment.ident.to_string().as_str() {
        "String" => Scalar::String,
        "bool" => Scalar::Bool,
        "i8" => Scalar::Int(IntTy::I8),
        "i16" => Scalar::Int(IntTy::I16),
        "i32" => Scalar::Int(IntTy::I32),
        "i64" => Scalar::Int(IntTy::I64),
        "u8" => Scalar::Int(IntTy::U8),
        "u16" => Scalar::Int(IntTy::U16),
        "u32" => Scalar::Int(IntTy::U32),
        "f32" => Scalar::Float(FloatTy::F32),
        "f64" => Scalar::Float(FloatTy::F64),
        "DateTime" => Scalar::DateTime,
        // A typed reference is an id that may also hold the related row.
        "RowId" | "Ref" => Scalar::RowId,
        _ => Scalar::Other,
    }
}

/// `Option<String>` rather than the token stream's `Option < String >`.
pub(crate) fn type_string(ty: &Type) -> String {
    let raw = ty.to_token_stream().to_string();
    raw.replace(" < ", "<")
        .replace("< ", "<")
        .replace(" <", "<")
        .replace(" >", ">")
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" ,", ",")
        .replace("& ", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(src: &str) -> TypeInfo {
        TypeInfo::of(&syn::parse_str(src).unwrap())
    }

    #[test]
    fn shapes_and_scalars() {
        assert_eq!(
            info("Option<String>"),
            TypeInfo {
                shape: Shape::Option,
                scalar: Scalar::String
            }
        );
        assert_eq!(
            info("std::vec::Vec<u8>"),
            TypeInfo {
                shape: Shape::Vec,
                scalar: Scalar::Int(IntTy::U8)
            }
        );
        assert_eq!(
            info("Option<Vec<appwrite_orm::RowId>>"),
            TypeInfo {
                shape: Shape::OptionVec,
                scalar: Scalar::RowId
            }
        );
        assert_eq!(
            info("chrono::DateTime<chrono::Utc>"),
            TypeInfo {
                shape: Shape::Plain,
                scalar: Scalar::DateTime
            }
        );
        assert_eq!(info("Role").scalar, Scalar::Other);
        assert_eq!(info("u64").scalar, Scalar::Other);
        assert_eq!(info("Vec<Vec<String>>").scalar, Scalar::Other);
    }
}
