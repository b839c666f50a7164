//! Typed models: what `#[derive(Table)]` implements, and the pieces it is built from.
//!
//! A model is a struct whose fields are columns. Its [`Table`] implementation carries the
//! table's schema, converts between the struct and Appwrite rows, and offers typed column
//! handles ([`Col`]) from which [`Filter`]s and [`Order`]s are built. Partial updates go through
//! a [`Patch`]. Every model registers its schema through `inventory`, so the runtime can find all
//! tables without a list ([`registered_tables`]).
//!
//! # Deriving a model
//!
//! `#[derive(Table)]` (see its documentation for the full reference) reads three attributes:
//! `#[table(...)]` and `#[index(...)]` on the struct, `#[column(...)]` on fields. Every one of
//! their keys appears below.
//!
//! ```
//! use appwrite_orm::prelude::*;
//! use appwrite_orm::schema::{ColumnKind, IndexKind, OnDelete, RelationType, SortOrder};
//!
//! /// Stored as "admin", "member", "guest-user".
//! #[derive(ColumnEnum, Debug, Clone, Copy, PartialEq)]
//! #[column_enum(rename_all = "snake_case")]
//! pub enum Role {
//!     Admin,
//!     Member,
//!     #[column_enum(rename = "guest-user")]
//!     Guest,
//! }
//!
//! #[derive(Table, Debug, Clone)]
//! #[table(
//!     id = "accounts",                   // default: the struct name in snake_case
//!     name = "Accounts",                 // default: the struct name
//!     since = 1,                         // the version that introduced the table
//!     row_security,                      // row-level permissions apply too
//!     permissions("read(\"any\")", "create(\"users\")"),
//!     database = "crm",                  // default: the database of the connection
//! )]
//! #[index(key = "by_email", unique, columns(email))]
//! #[index(key = "bio_search", fulltext, columns(bio))]
//! #[index(key = "recent", columns(role, created_at), orders(asc, desc), since = 2)]
//! #[index(key = "by_name_prefix", columns(name, role), lengths(16, none))]
//! pub struct Account {
//!     #[column(id)]
//!     pub id: RowId, // `$id`
//!     #[column(created_at)]
//!     pub created_at: DateTime, // `$createdAt`
//!     #[column(updated_at)]
//!     pub updated_at: Option<DateTime>, // `$updatedAt`
//!     #[column(sequence)]
//!     pub sequence: i64, // `$sequence`
//!     #[column(permissions)]
//!     pub permissions: Vec<String>, // `$permissions`
//!
//!     #[column(size = 128, rename = "display_name")]
//!     pub name: String, // varchar(128) under the key "display_name"
//!     #[column(email)]
//!     pub email: String, // also `url`, `ip`
//!     #[column(url)]
//!     pub homepage: Option<String>,
//!     #[column(ip)]
//!     pub last_ip: Option<String>,
//!     #[column(text)]
//!     pub bio: String, // also `mediumtext`, `longtext`
//!     #[column(mediumtext)]
//!     pub notes: Option<String>,
//!     #[column(longtext, encrypt)]
//!     pub archive: Option<String>, // encrypted at rest (text kinds; varchar from size 150)
//!     #[column(string, size = 64)]
//!     pub legacy_code: Option<String>, // the legacy `string` kind
//!     pub role: Role,
//!     #[column(bigint, min = 0)]
//!     pub balance: i64,
//!     #[column(min = 0, max = 5, default = 3)]
//!     pub stars: u8,
//!     #[column(default = false, since = 2)]
//!     pub is_verified: bool,
//!     #[column(size = 64, renamed_from = "nickname")]
//!     pub handle: Option<String>, // was the column "nickname": migrations rename it in place
//!     #[column(required)]
//!     pub tags: Vec<String>,
//!     #[column(relation(
//!         table = "teams",
//!         kind = many_to_one,
//!         on_delete = set_null,
//!         two_way,
//!         two_way_key = "members"
//!     ))]
//!     pub team: Option<RowId>,
//! }
//!
//! let schema = Account::schema();
//! assert_eq!((schema.id.as_str(), schema.name.as_str()), ("accounts", "Accounts"));
//! assert!(schema.row_security);
//! assert_eq!(schema.permissions, ["read(\"any\")", "create(\"users\")"]);
//! assert_eq!(schema.database_id(), Some("crm")); // `db.table::<Account>()` reads `crm`
//! schema.validate().unwrap();
//!
//! // System fields are not columns; the first column is `name`, stored as "display_name".
//! let name = &schema.columns[0];
//! assert_eq!(name.key, "display_name");
//! assert_eq!(name.kind, ColumnKind::Varchar { size: 128 });
//! assert!(name.required);
//!
//! let stars = schema.find_column("stars").unwrap();
//! assert_eq!(stars.kind, ColumnKind::Integer { min: Some(0), max: Some(5) });
//! assert!(!stars.required, "a column with a default is optional in Appwrite's terms");
//! assert_eq!(stars.default, Some(3.into()));
//!
//! let verified = schema.find_column("is_verified").unwrap();
//! assert_eq!((verified.since, verified.default.clone()), (2, Some(false.into())));
//!
//! assert!(schema.find_column("archive").unwrap().encrypt);
//!
//! let handle = schema.find_column("handle").unwrap();
//! assert_eq!(handle.renamed_from.as_deref(), Some("nickname"));
//!
//! let ColumnKind::Relationship(team) = &schema.find_column("team").unwrap().kind else {
//!     panic!("team is a relationship");
//! };
//! assert_eq!(team.related_table, "teams");
//! assert_eq!(team.relation_type, RelationType::ManyToOne);
//! assert_eq!(team.on_delete, OnDelete::SetNull);
//! assert_eq!(team.two_way_key.as_deref(), Some("members"));
//!
//! let recent = schema.find_index("recent").unwrap();
//! assert_eq!(recent.kind, IndexKind::Key);
//! assert_eq!(recent.columns, ["role", "$createdAt"]);
//! assert_eq!(recent.orders, [SortOrder::Asc, SortOrder::Desc]);
//! assert_eq!(schema.find_index("by_email").unwrap().kind, IndexKind::Unique);
//! let prefix = schema.find_index("by_name_prefix").unwrap();
//! assert_eq!(prefix.lengths, [Some(16), None]); // the first 16 characters of display_name
//!
//! // Typed columns: only queries that fit the value type compile.
//! let filter = Account::EMAIL
//!     .ends_with("@example.com")
//!     .and(Account::STARS.ge(4))
//!     .and(Account::TEAM.is_null())
//!     .and(Account::ROLE.eq(Role::Admin))
//!     .and(Account::TAGS.contains_any(["rust", "go"]));
//! let newest_first = Account::CREATED_AT.desc();
//! let by_id = Account::ID.eq("abc");
//! # let _ = (filter, newest_first, by_id);
//!
//! // Patches: one method per column.
//! let patch: Patch<Account> = Account::patch()
//!     .name("Ada")
//!     .team(None)
//!     .is_verified(true)
//!     .into();
//! assert_eq!(patch.document()["display_name"], "Ada");
//! assert!(patch.document()["team"].is_null());
//! ```
//!
//! Mistakes are compile errors at the offending token, for example:
//!
//! ```compile_fail
//! use appwrite_orm::prelude::*;
//!
//! #[derive(Table)]
//! struct User {
//!     #[column(size = 10)] // `size` applies to String fields, but `age` is `i64`
//!     age: i64,
//! }
//! ```
//!
//! ```compile_fail
//! use appwrite_orm::prelude::*;
//!
//! #[derive(Table)]
//! struct User {
//!     is_verified: bool,
//! }
//!
//! // `bool` columns have no order
//! let _ = User::IS_VERIFIED.gt(true);
//! ```

#[doc(hidden)]
pub mod __private;
mod column;
mod patch;
mod relation;
mod spatial;
mod types;
mod validate;

pub use column::{ArrayColumn, Col, Filter, Order, TextColumn};
pub use patch::Patch;
pub use relation::{Ref, Related};
pub(crate) use relation::{has_relations, relation_ids};
pub use spatial::{Geometry, LineString, Point, Polygon, SpatialColumn, SpatialValue};
pub use types::{
    ArrayOf, ColumnType, DateTime, Filterable, IntoScalar, Nullable, Ordered, RowId, Textual,
};
pub use validate::{ValidationErrors, ValueRule, Violation, validate_document, validate_patch};

use crate::Result;
use crate::api::{Document, Row};
use crate::schema::TableSchema;

/// A struct stored as rows of an Appwrite table. Implemented by `#[derive(Table)]`.
pub trait Table: Sized + Send + Sync + 'static {
    /// The table's schema: id, name, columns in declaration order, indexes, versions.
    fn schema() -> &'static TableSchema;

    /// The row id this value carries, when the struct has an id field and it is set.
    fn row_id(&self) -> Option<&RowId>;

    /// Stores the id a create gave the row (does nothing for structs without an id field).
    fn set_row_id(&mut self, id: RowId);

    /// The user columns as a row document (system fields left out).
    fn to_document(&self) -> Document;

    /// Reads a value from a row as Appwrite returns it.
    fn from_row(row: &Row) -> Result<Self>;

    /// Checks the value with the rules the server applies (size, range, enum elements,
    /// formats, required) and reports every violation at once.
    fn validate(&self) -> Result<()> {
        validate_document(Self::schema(), &self.to_document())
    }
}

/// One model's entry in the registry that `#[derive(Table)]` fills through `inventory`.
#[derive(Debug)]
pub struct TableRegistration {
    /// The model's schema.
    pub schema: fn() -> &'static TableSchema,
    /// The Rust type's name, for messages.
    pub type_name: &'static str,
}

inventory::collect!(TableRegistration);

/// Every table schema registered by a `#[derive(Table)]` in this binary, sorted by table id.
pub fn registered_tables() -> Vec<&'static TableSchema> {
    let mut tables: Vec<&'static TableSchema> = inventory::iter::<TableRegistration>
        .into_iter()
        .map(|r| (r.schema)())
        .collect();
    tables.sort_by(|a, b| a.id.cmp(&b.id));
    tables
}

/// Reads one column of a row for `from_row`, naming table and column when it does not fit.
pub fn read_column<V: ColumnType>(row: &Row, table: &str, key: &str) -> Result<V> {
    let value = row.get(key).unwrap_or(&serde_json::Value::Null);
    V::from_value(value).map_err(|message| crate::Error::Decode {
        table: table.to_owned(),
        column: key.to_owned(),
        message,
    })
}
