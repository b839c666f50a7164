//! The schema model: tables, columns and indexes as Appwrite 1.9 knows them. Pure data.
//!
//! A [`TableSchema`] describes what a table should look like. It is what `#[derive(Table)]`
//! generates, what the migration planner diffs against the live database, and what the
//! [`Backend`](crate::backend::Backend) creates. [`TableSchema::validate`] checks it against
//! Appwrite's rules before anything is sent; [`TableSchema::fingerprint`] gives a stable hash.

mod fingerprint;
mod spatial_index;
mod validate;
pub(crate) use validate::encrypted_size_message;
pub mod value;
mod wire;

pub use crate::api::ids::{check_id, check_key};
/// Appwrite's limits under their older path; see [`api::limits`](crate::api::limits).
pub use crate::api::limits;
pub use spatial_index::spatial_index_problem;
pub use validate::{SchemaRule, SchemaViolation, column_width, index_length};
pub use wire::model_type;

use serde_json::Value;

/// The version a schema element belongs to when none is given.
pub const DEFAULT_SINCE: u32 = 1;

/// A table (legacy: collection) as it should exist.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TableSchema {
    /// Table id (Appwrite's id rule).
    pub id: String,
    /// Display name, at most 128 characters.
    pub name: String,
    /// Table-level permissions, e.g. `read("any")`.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Whether row-level permissions apply as well.
    #[serde(default)]
    pub row_security: bool,
    /// The schema version that introduced the table.
    #[serde(default = "default_since")]
    pub since: u32,
    /// The user columns, in declaration order.
    #[serde(default)]
    pub columns: Vec<ColumnSchema>,
    /// The indexes, in declaration order.
    #[serde(default)]
    pub indexes: Vec<IndexSchema>,
    /// The database the table lives in; `None` is the database of the connection it is used
    /// through ([`Database::id`](crate::Database::id)). Set with [`TableSchema::database`];
    /// read with [`TableSchema::database_id`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}

fn default_since() -> u32 {
    DEFAULT_SINCE
}

impl TableSchema {
    /// A table with no columns, version 1.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            permissions: Vec::new(),
            row_security: false,
            since: DEFAULT_SINCE,
            columns: Vec::new(),
            indexes: Vec::new(),
            database: None,
        }
    }

    /// Puts the table in the database `id` (builder style), whatever the database of the
    /// connection it is used through: `db.table::<T>()`, migrations and the steps' typed
    /// handles address that database. Checked by [`validate`](Self::validate) with Appwrite's
    /// id rule.
    ///
    /// ```
    /// use appwrite_orm::schema::TableSchema;
    ///
    /// let events = TableSchema::new("events", "Events").database("analytics");
    /// assert_eq!(events.database_id(), Some("analytics"));
    /// assert_eq!(TableSchema::new("users", "Users").database_id(), None);
    /// ```
    pub fn database(mut self, id: impl Into<String>) -> Self {
        self.database = Some(id.into());
        self
    }

    /// The database the table declares, `None` for the connection's.
    pub fn database_id(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// The database the table lives in when used through a connection to `connection`.
    pub fn database_or<'a>(&'a self, connection: &'a str) -> &'a str {
        self.database.as_deref().unwrap_or(connection)
    }

    /// Adds a column (builder style).
    pub fn column(mut self, column: ColumnSchema) -> Self {
        self.columns.push(column);
        self
    }

    /// Adds an index (builder style).
    pub fn index(mut self, index: IndexSchema) -> Self {
        self.indexes.push(index);
        self
    }

    /// Sets the version that introduced the table (builder style).
    pub fn since(mut self, since: u32) -> Self {
        self.since = since;
        self
    }

    /// Looks a column up by key.
    pub fn find_column(&self, key: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.key == key)
    }

    /// Looks an index up by key.
    pub fn find_index(&self, key: &str) -> Option<&IndexSchema> {
        self.indexes.iter().find(|i| i.key == key)
    }

    /// Checks the table against every Appwrite rule and returns all violations at once.
    pub fn validate(&self) -> crate::Result<()> {
        let violations = validate::validate_table(self);
        if violations.is_empty() {
            Ok(())
        } else {
            Err(crate::Error::Schema(violations))
        }
    }

    /// A stable hex digest of the schema: equal schemas give equal fingerprints on every run and
    /// platform; the order in which columns and indexes are declared does not matter.
    pub fn fingerprint(&self) -> String {
        fingerprint::table_fingerprint(self)
    }
}

/// A fingerprint over several tables (order-independent).
pub fn schema_fingerprint<'a>(tables: impl IntoIterator<Item = &'a TableSchema>) -> String {
    fingerprint::tables_fingerprint(tables)
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ColumnSchema {
    /// Column key (Appwrite's key rule).
    pub key: String,
    /// The kind, with its kind-specific settings.
    pub kind: ColumnKind,
    /// A value must be present in every row.
    #[serde(default)]
    pub required: bool,
    /// The column holds a list of values.
    #[serde(default)]
    pub array: bool,
    /// The value used when a row gives none. Not allowed with `required` or `array`.
    #[serde(default)]
    pub default: Option<Value>,
    /// The schema version that introduced the column.
    #[serde(default = "default_since")]
    pub since: u32,
    /// The key this column had before it was renamed in the code (`#[column(renamed_from =
    /// "…")]`). Migration metadata like [`since`](Self::since): the migration plan renames a
    /// live column of this key in place, keeping its data, where the declared key is missing.
    /// It is never sent to Appwrite, and it is not part of the
    /// [fingerprint](TableSchema::fingerprint): once applied, a rename is no schema difference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// Appwrite stores the values encrypted at rest (`encrypt`); only on the text kinds
    /// (`string`, `varchar` of size 150 or more, `text`, `mediumtext`, `longtext`). Such a column
    /// cannot be queried, and Appwrite cannot switch the flag on an existing column.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub encrypt: bool,
}

impl ColumnSchema {
    /// An optional, non-array column of the given kind, version 1.
    pub fn new(key: impl Into<String>, kind: ColumnKind) -> Self {
        Self {
            key: key.into(),
            kind,
            required: false,
            array: false,
            default: None,
            since: DEFAULT_SINCE,
            renamed_from: None,
            encrypt: false,
        }
    }

    /// Marks the column required (builder style).
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Marks the column as an array (builder style).
    pub fn array(mut self) -> Self {
        self.array = true;
        self
    }

    /// Marks the column encrypted at rest (builder style); see [`encrypt`](Self::encrypt).
    pub fn encrypt(mut self) -> Self {
        self.encrypt = true;
        self
    }

    /// Sets the default (builder style).
    pub fn default_value(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self
    }

    /// Sets the version that introduced the column (builder style).
    pub fn since(mut self, since: u32) -> Self {
        self.since = since;
        self
    }

    /// Declares the key the column had before it was renamed (builder style); see
    /// [`renamed_from`](Self::renamed_from).
    pub fn renamed_from(mut self, key: impl Into<String>) -> Self {
        self.renamed_from = Some(key.into());
        self
    }

    /// Shorthand: `varchar(size)`.
    pub fn varchar(key: impl Into<String>, size: u32) -> Self {
        Self::new(key, ColumnKind::Varchar { size })
    }

    /// Shorthand: signed 64-bit integer without bounds.
    pub fn integer(key: impl Into<String>) -> Self {
        Self::new(
            key,
            ColumnKind::Integer {
                min: None,
                max: None,
            },
        )
    }

    /// Shorthand: float without bounds.
    pub fn float(key: impl Into<String>) -> Self {
        Self::new(
            key,
            ColumnKind::Float {
                min: None,
                max: None,
            },
        )
    }

    /// Shorthand: boolean.
    pub fn boolean(key: impl Into<String>) -> Self {
        Self::new(key, ColumnKind::Boolean)
    }

    /// Shorthand: datetime.
    pub fn datetime(key: impl Into<String>) -> Self {
        Self::new(key, ColumnKind::Datetime)
    }

    /// Shorthand: point.
    pub fn point(key: impl Into<String>) -> Self {
        Self::new(key, ColumnKind::Point)
    }

    /// Shorthand: line.
    pub fn line(key: impl Into<String>) -> Self {
        Self::new(key, ColumnKind::Line)
    }

    /// Shorthand: polygon.
    pub fn polygon(key: impl Into<String>) -> Self {
        Self::new(key, ColumnKind::Polygon)
    }

    /// Shorthand: enum with the given elements.
    pub fn enumeration<S: Into<String>>(
        key: impl Into<String>,
        elements: impl IntoIterator<Item = S>,
    ) -> Self {
        Self::new(
            key,
            ColumnKind::Enum {
                elements: elements.into_iter().map(Into::into).collect(),
            },
        )
    }

    /// True when the kind stores text (and may carry a fulltext index or `contains` substring query).
    pub fn is_string(&self) -> bool {
        self.kind.is_string()
    }
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ColumnKind {
    /// `varchar` (1.9+): up to `size` characters, at most 16,381.
    Varchar {
        /// Maximum characters.
        size: u32,
    },
    /// `text` (1.9+): up to 65,535 characters.
    Text,
    /// `mediumtext` (1.9+): up to 16,777,215 characters.
    MediumText,
    /// `longtext` (1.9+): up to 2,147,483,647 characters.
    LongText,
    /// Legacy `string` (servers before 1.9): up to `size` characters.
    String {
        /// Maximum characters.
        size: u32,
    },
    /// Signed integer, optionally bounded (bounds default to the i64 range).
    Integer {
        /// Smallest allowed value.
        min: Option<i64>,
        /// Largest allowed value.
        max: Option<i64>,
    },
    /// `bigint` (1.9.5+): signed 64-bit integer, optionally bounded.
    BigInt {
        /// Smallest allowed value.
        min: Option<i64>,
        /// Largest allowed value.
        max: Option<i64>,
    },
    /// Double-precision float, optionally bounded.
    Float {
        /// Smallest allowed value.
        min: Option<f64>,
        /// Largest allowed value.
        max: Option<f64>,
    },
    /// `true` / `false`.
    Boolean,
    /// Date and time, stored in UTC with millisecond precision.
    Datetime,
    /// A string that must be an email address (size 254).
    Email,
    /// A string that must be a URL (size 2000).
    Url,
    /// A string that must be an IPv4 or IPv6 address (size 39).
    Ip,
    /// One of a fixed list of strings (size 255).
    Enum {
        /// The allowed values, 1 to 100, each 1 to 255 characters.
        elements: Vec<String>,
    },
    /// A relationship to another table.
    Relationship(Relationship),
    /// `point` (1.8+): one position `[longitude, latitude]` (see [`crate::spatial::Point`]).
    /// Never an array, no size; its `default` is a coordinate array.
    Point,
    /// `line` (1.8+; stored type `linestring`): two or more positions
    /// (see [`crate::spatial::LineString`]).
    Line,
    /// `polygon` (1.8+): closed rings of positions (see [`crate::spatial::Polygon`]).
    Polygon,
    /// A column of a type this library does not model (a newer server's),
    /// kept as the server described it so that its table can still be read. Nothing creates
    /// or changes one: the planner leaves it alone and reports it, and a model cannot declare
    /// one.
    Opaque {
        /// The server's `type` (`point`, `line`, ...).
        type_name: String,
        /// The column model as the server answered it.
        model: Box<serde_json::Value>,
    },
}

impl ColumnKind {
    /// The path segment of Appwrite's create route (`…/columns/{type}`).
    pub fn route_type(&self) -> &'static str {
        match self {
            ColumnKind::Varchar { .. } => "varchar",
            ColumnKind::Text => "text",
            ColumnKind::MediumText => "mediumtext",
            ColumnKind::LongText => "longtext",
            ColumnKind::String { .. } => "string",
            ColumnKind::Integer { .. } => "integer",
            ColumnKind::BigInt { .. } => "bigint",
            ColumnKind::Float { .. } => "float",
            ColumnKind::Boolean => "boolean",
            ColumnKind::Datetime => "datetime",
            ColumnKind::Email => "email",
            ColumnKind::Url => "url",
            ColumnKind::Ip => "ip",
            ColumnKind::Enum { .. } => "enum",
            ColumnKind::Relationship(_) => "relationship",
            ColumnKind::Point => "point",
            ColumnKind::Line => "line",
            ColumnKind::Polygon => "polygon",
            // Never routed: nothing creates or changes an opaque column.
            ColumnKind::Opaque { .. } => "opaque",
        }
    }

    /// Maximum characters for text kinds, `None` for the others.
    pub fn max_chars(&self) -> Option<u32> {
        match self {
            ColumnKind::Varchar { size } | ColumnKind::String { size } => Some(*size),
            ColumnKind::Text => Some(limits::TEXT_SIZE),
            ColumnKind::MediumText => Some(limits::MEDIUMTEXT_SIZE),
            ColumnKind::LongText => Some(limits::LONGTEXT_SIZE),
            ColumnKind::Email => Some(limits::EMAIL_SIZE),
            ColumnKind::Url => Some(limits::URL_SIZE),
            ColumnKind::Ip => Some(limits::IP_SIZE),
            ColumnKind::Enum { .. } => Some(limits::ENUM_SIZE),
            _ => None,
        }
    }

    /// True for the kinds Appwrite can encrypt: `string`, `varchar`, `text`, `mediumtext` and
    /// `longtext` (not the formatted strings: email, url, ip, enum).
    pub fn can_encrypt(&self) -> bool {
        matches!(
            self,
            ColumnKind::String { .. }
                | ColumnKind::Varchar { .. }
                | ColumnKind::Text
                | ColumnKind::MediumText
                | ColumnKind::LongText
        )
    }

    /// True for every kind that stores text.
    pub fn is_string(&self) -> bool {
        self.max_chars().is_some()
    }

    /// The geometry a spatial kind holds; `None` for the others.
    pub fn spatial_type(&self) -> Option<crate::spatial::SpatialType> {
        use crate::spatial::SpatialType;
        match self {
            ColumnKind::Point => Some(SpatialType::Point),
            ColumnKind::Line => Some(SpatialType::LineString),
            ColumnKind::Polygon => Some(SpatialType::Polygon),
            _ => None,
        }
    }

    /// True for point, line and polygon.
    pub fn is_spatial(&self) -> bool {
        self.spatial_type().is_some()
    }

    /// True for integer, bigint and float.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            ColumnKind::Integer { .. } | ColumnKind::BigInt { .. } | ColumnKind::Float { .. }
        )
    }
}

/// The settings of a relationship column.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Relationship {
    /// The table on the other side.
    pub related_table: String,
    /// Cardinality.
    pub relation_type: RelationType,
    /// Whether the other table gets a twin column.
    #[serde(default)]
    pub two_way: bool,
    /// Key of the twin column on the other table (defaults to this table's id).
    #[serde(default)]
    pub two_way_key: Option<String>,
    /// What deleting a row on either side does (both sides share it).
    #[serde(default)]
    pub on_delete: OnDelete,
    /// Which side of the relationship this column is: the column that was created
    /// (`Parent`), or the twin Appwrite adds to the related table of a two-way relationship
    /// (`Child`, created and deleted with its parent; never declared on its own).
    #[serde(default, skip_serializing_if = "RelationSide::is_parent")]
    pub side: RelationSide,
}

impl Relationship {
    /// A parent-side relationship to `related_table`, one-way, `onDelete` restrict.
    pub fn new(related_table: impl Into<String>, relation_type: RelationType) -> Self {
        Self {
            related_table: related_table.into(),
            relation_type,
            two_way: false,
            two_way_key: None,
            on_delete: OnDelete::Restrict,
            side: RelationSide::Parent,
        }
    }

    /// True when a row on this side relates to many rows (a list value): the parent side of
    /// oneToMany, the child side of manyToOne, both sides of manyToMany.
    pub fn is_to_many(&self) -> bool {
        match self.relation_type {
            RelationType::OneToOne => false,
            RelationType::ManyToMany => true,
            RelationType::OneToMany => self.side == RelationSide::Parent,
            RelationType::ManyToOne => self.side == RelationSide::Child,
        }
    }
}

/// The side of a relationship a column stands for (Appwrite's `side`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RelationSide {
    /// The column that was created.
    #[default]
    Parent,
    /// The twin column on the related table.
    Child,
}

impl RelationSide {
    /// Appwrite's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationSide::Parent => "parent",
            RelationSide::Child => "child",
        }
    }

    /// True for the parent side (serde skips the default).
    pub fn is_parent(&self) -> bool {
        *self == RelationSide::Parent
    }

    /// The other side.
    pub fn other(self) -> Self {
        match self {
            RelationSide::Parent => RelationSide::Child,
            RelationSide::Child => RelationSide::Parent,
        }
    }
}

/// Relationship cardinality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RelationType {
    /// One row on each side.
    OneToOne,
    /// One parent, many children.
    OneToMany,
    /// Many children, one parent.
    ManyToOne,
    /// Many on both sides.
    ManyToMany,
}

impl RelationType {
    /// Appwrite's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationType::OneToOne => "oneToOne",
            RelationType::OneToMany => "oneToMany",
            RelationType::ManyToOne => "manyToOne",
            RelationType::ManyToMany => "manyToMany",
        }
    }
}

/// What deleting the parent of a relationship does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OnDelete {
    /// Refuse the delete while children exist (Appwrite's default).
    #[default]
    Restrict,
    /// Delete the children too.
    Cascade,
    /// Set the children's reference to null.
    SetNull,
}

impl OnDelete {
    /// Appwrite's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            OnDelete::Restrict => "restrict",
            OnDelete::Cascade => "cascade",
            OnDelete::SetNull => "setNull",
        }
    }
}

/// An index of a table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IndexSchema {
    /// Index key (Appwrite's key rule).
    pub key: String,
    /// Key, unique, fulltext or spatial.
    pub kind: IndexKind,
    /// The indexed columns, in order; may include `$id`, `$createdAt`, `$updatedAt`.
    pub columns: Vec<String>,
    /// One order per column, or empty for all ascending.
    #[serde(default)]
    pub orders: Vec<SortOrder>,
    /// Optional prefix lengths, one per column (`None`: the whole column).
    #[serde(default)]
    pub lengths: Vec<Option<u32>>,
    /// The schema version that introduced the index.
    #[serde(default = "default_since")]
    pub since: u32,
}

impl IndexSchema {
    /// An index over the given columns, ascending, version 1.
    pub fn new<S: Into<String>>(
        key: impl Into<String>,
        kind: IndexKind,
        columns: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            key: key.into(),
            kind,
            columns: columns.into_iter().map(Into::into).collect(),
            orders: Vec::new(),
            lengths: Vec::new(),
            since: DEFAULT_SINCE,
        }
    }

    /// Sets the orders (builder style).
    pub fn orders(mut self, orders: impl IntoIterator<Item = SortOrder>) -> Self {
        self.orders = orders.into_iter().collect();
        self
    }

    /// Sets the version that introduced the index (builder style).
    pub fn since(mut self, since: u32) -> Self {
        self.since = since;
        self
    }
}

/// Index type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndexKind {
    /// Plain index.
    Key,
    /// Unique index: a second row with the same values is refused with `row_already_exists`.
    Unique,
    /// Fulltext index: required by `search` on its single column.
    Fulltext,
    /// Spatial index (Appwrite 1.8+): exactly one point, line or polygon column, which must be
    /// required (MariaDB's spatial indexes take no nulls).
    Spatial,
}

impl IndexKind {
    /// Appwrite's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            IndexKind::Key => "key",
            IndexKind::Unique => "unique",
            IndexKind::Fulltext => "fulltext",
            IndexKind::Spatial => "spatial",
        }
    }
}

/// Sort direction of an index column.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum SortOrder {
    /// Ascending.
    #[default]
    Asc,
    /// Descending.
    Desc,
}

impl SortOrder {
    /// `ASC` or `DESC`.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
        }
    }
}
