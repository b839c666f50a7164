//! The checked model the expansion works from.
//!
//! Built by [`crate::check`] from the parsed attributes. When the item has errors the model is
//! still built, with best-effort values, so that the dummy expansion can offer the same
//! constants and methods and uses of the type elsewhere do not cascade into more errors.

use proc_macro2::Span;
use syn::{Ident, LitStr, Type, Visibility};

use crate::attr::Number;
use crate::ty::TypeInfo;

/// A `#[derive(Table)]` struct.
pub(crate) struct TableModel<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) vis: &'a Visibility,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) since: u32,
    pub(crate) row_security: bool,
    pub(crate) permissions: Vec<String>,
    /// The database the table lives in; `None` for the connection's.
    pub(crate) database: Option<String>,
    pub(crate) fields: Vec<FieldModel<'a>>,
    pub(crate) indexes: Vec<IndexModel>,
}

impl TableModel<'_> {
    /// `UserPatch` for `User`.
    pub(crate) fn patch_ident(&self) -> Ident {
        Ident::new(&format!("{}Patch", self.ident), self.ident.span())
    }

    pub(crate) fn columns(&self) -> impl Iterator<Item = (&FieldModel<'_>, &ColumnModel)> {
        self.fields.iter().filter_map(|f| match &f.role {
            FieldRole::Column(c) => Some((f, c)),
            FieldRole::System(_) => None,
        })
    }

    pub(crate) fn system_field(&self, which: SystemField) -> Option<&FieldModel<'_>> {
        self.fields
            .iter()
            .find(|f| matches!(f.role, FieldRole::System(s) if s == which))
    }
}

/// One named field.
pub(crate) struct FieldModel<'a> {
    pub(crate) ident: &'a Ident,
    /// The field's visibility, which its constant and patch method share.
    pub(crate) vis: &'a Visibility,
    pub(crate) ty: &'a Type,
    pub(crate) info: TypeInfo,
    /// The name of its typed column constant, e.g. `VIEW_COUNT`.
    pub(crate) const_ident: Ident,
    pub(crate) role: FieldRole,
    /// Trait bounds the compiler checks because the tokens could not tell.
    pub(crate) assertions: Vec<Assertion>,
}

impl FieldModel<'_> {
    /// The key the row holds it under: the column key or the `$` key of a system field.
    pub(crate) fn key(&self) -> &str {
        match &self.role {
            FieldRole::Column(c) => &c.key,
            FieldRole::System(s) => s.key(),
        }
    }
}

pub(crate) enum FieldRole {
    Column(ColumnModel),
    System(SystemField),
}

/// Fields that hold an Appwrite system value instead of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SystemField {
    Id,
    CreatedAt,
    UpdatedAt,
    Sequence,
    Permissions,
}

impl SystemField {
    pub(crate) const ALL: [SystemField; 5] = [
        SystemField::Id,
        SystemField::CreatedAt,
        SystemField::UpdatedAt,
        SystemField::Sequence,
        SystemField::Permissions,
    ];

    /// The attribute that marks it, e.g. `created_at`.
    pub(crate) fn marker(self) -> &'static str {
        match self {
            SystemField::Id => "id",
            SystemField::CreatedAt => "created_at",
            SystemField::UpdatedAt => "updated_at",
            SystemField::Sequence => "sequence",
            SystemField::Permissions => "permissions",
        }
    }

    pub(crate) fn key(self) -> &'static str {
        match self {
            SystemField::Id => "$id",
            SystemField::CreatedAt => "$createdAt",
            SystemField::UpdatedAt => "$updatedAt",
            SystemField::Sequence => "$sequence",
            SystemField::Permissions => "$permissions",
        }
    }

    /// The types it may have, for messages.
    pub(crate) fn expected_types(self) -> &'static str {
        match self {
            SystemField::Id => "RowId",
            SystemField::CreatedAt | SystemField::UpdatedAt => "DateTime or Option<DateTime>",
            SystemField::Sequence => "i64 or String",
            SystemField::Permissions => "Vec<String>",
        }
    }
}

/// A user column and the refinements its attributes make to the type's default column.
pub(crate) struct ColumnModel {
    pub(crate) key: String,
    pub(crate) kind: KindOverride,
    pub(crate) bigint: bool,
    pub(crate) min: Option<Number>,
    pub(crate) max: Option<Number>,
    pub(crate) default: Option<DefaultValue>,
    pub(crate) required: bool,
    /// Stored encrypted at rest (`encrypt`).
    pub(crate) encrypt: bool,
    pub(crate) since: u32,
    /// The key the column had before (`renamed_from`), with its literal for the table-wide
    /// checks.
    pub(crate) renamed_from: Option<LitStr>,
    pub(crate) relation: Option<RelationModel>,
}

/// The text kinds an attribute may choose instead of the type's own kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KindOverride {
    None,
    Varchar(u32),
    Text,
    MediumText,
    LongText,
    String(u32),
    Email,
    Url,
    Ip,
}

/// A default, as the JSON value to store.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DefaultValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

pub(crate) struct RelationModel {
    pub(crate) table: String,
    pub(crate) kind: RelationKind,
    pub(crate) on_delete: OnDelete,
    pub(crate) two_way: bool,
    pub(crate) two_way_key: Option<String>,
    /// The twin (child side) of a relationship declared on the related table.
    pub(crate) twin: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RelationKind {
    OneToOne,
    OneToMany,
    ManyToOne,
    ManyToMany,
}

impl RelationKind {
    pub(crate) const NAMES: &'static [&'static str] =
        &["one_to_one", "one_to_many", "many_to_one", "many_to_many"];

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "one_to_one" => RelationKind::OneToOne,
            "one_to_many" => RelationKind::OneToMany,
            "many_to_one" => RelationKind::ManyToOne,
            "many_to_many" => RelationKind::ManyToMany,
            _ => return None,
        })
    }

    /// True when this side holds several related rows: the parent side (`twin` false) or the
    /// twin (`twin` true) of a relationship of this kind.
    pub(crate) fn many(self, twin: bool) -> bool {
        match self {
            RelationKind::OneToOne => false,
            RelationKind::ManyToMany => true,
            RelationKind::OneToMany => !twin,
            RelationKind::ManyToOne => twin,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnDelete {
    Restrict,
    Cascade,
    SetNull,
}

impl OnDelete {
    pub(crate) const NAMES: &'static [&'static str] = &["restrict", "cascade", "set_null"];

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "restrict" => OnDelete::Restrict,
            "cascade" => OnDelete::Cascade,
            "set_null" => OnDelete::SetNull,
            _ => return None,
        })
    }
}

/// A bound the compiler must prove on the field type, reported at `span` (the attribute).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Assertion {
    pub(crate) requirement: Requirement,
    pub(crate) span: Span,
}

/// What an attribute needs of the field type; one marker trait each in the runtime's
/// `model::__private`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Requirement {
    Text,
    Float,
    Number,
    BigInt,
    Relation,
    System(SystemField),
}

/// An index.
pub(crate) struct IndexModel {
    pub(crate) key: String,
    pub(crate) kind: IndexKind,
    pub(crate) columns: Vec<String>,
    pub(crate) orders: Vec<SortOrder>,
    /// A prefix length per column (`None`: the whole column), or empty for none.
    pub(crate) lengths: Vec<Option<u32>>,
    pub(crate) since: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IndexKind {
    Key,
    Unique,
    Fulltext,
    /// Over one required point, line or polygon field; the field types are only known when
    /// the schema is validated at run time, which checks the spatial index rules.
    Spatial,
}

impl IndexKind {
    /// The `#[index(...)]` flag that selects the kind (`key` for the default).
    pub(crate) fn flag(self) -> &'static str {
        match self {
            IndexKind::Key => "key",
            IndexKind::Unique => "unique",
            IndexKind::Fulltext => "fulltext",
            IndexKind::Spatial => "spatial",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortOrder {
    Asc,
    Desc,
}

/// A `#[derive(ColumnEnum)]` enum.
pub(crate) struct EnumModel<'a> {
    pub(crate) ident: &'a Ident,
    /// Each variant with the element it is stored as.
    pub(crate) variants: Vec<(&'a Ident, String)>,
}
