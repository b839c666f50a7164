//! Appwrite's schema rules, checked before anything is sent.
//!
//! [`validate_table`] reports every broken rule at once, so a user fixes a schema in one pass
//! instead of one server round trip per mistake. The rules and numbers are those of
//! `appwrite-api.md` §5 (MariaDB adapter, self-hosted defaults).

use std::collections::HashSet;
use std::fmt;

use super::value::{check_value, format_thousands, integer_bits};
use super::{
    ColumnKind, ColumnSchema, IndexKind, IndexSchema, TableSchema, check_id, check_key, limits,
    spatial_index_problem,
};

/// The system columns an index may name besides the user columns.
const SYSTEM_INDEX_COLUMNS: [&str; 3] = ["$id", "$createdAt", "$updatedAt"];

/// Index length Appwrite counts for an array column, whatever length is given.
const ARRAY_INDEX_LENGTH: u64 = 255;

/// Which rule a schema element broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SchemaRule {
    /// Ids and keys: 1-36 chars of `[A-Za-z0-9._-]`, not starting with `_`, `.` or `-`.
    IdFormat,
    /// The table name must be 1 to 128 characters.
    NameLength,
    /// Two columns, or two indexes, share a key (compared case-insensitively).
    DuplicateKey,
    /// A required column cannot have a default.
    DefaultOnRequired,
    /// An array column cannot have a default.
    DefaultOnArray,
    /// The default does not satisfy the column (size, range, format).
    DefaultInvalid,
    /// A varchar or string size is outside its allowed range.
    SizeRange,
    /// A numeric column's `min` is greater than its `max`, or a float bound is not finite.
    MinMax,
    /// An enum has 0 or more than 100 elements, an empty or too long element, or duplicates.
    EnumElements,
    /// More than 1,010 user columns.
    TooManyColumns,
    /// The row would be 65,535 bytes wide or more.
    RowTooWide,
    /// More than 58 indexes.
    TooManyIndexes,
    /// The index's column lengths add up to more than 768.
    IndexLength,
    /// The index names no columns, an unknown column, a column twice, or orders/lengths whose
    /// count does not match its columns.
    IndexColumns,
    /// A fulltext index on a column that does not hold text.
    FulltextNotString,
    /// An index on an array column (not supported by Appwrite 1.9.6).
    IndexOnArray,
    /// An index on a relationship column.
    IndexOnRelationship,
    /// A `since` of 0: versions start at 1.
    SinceZero,
    /// A column or index introduced before its table.
    SinceBeforeTable,
    /// A relationship's related table id or twin key is invalid.
    Relationship,
    /// More than 100 permissions on the table.
    PermissionCount,
    /// A column's `renamed_from` breaks the key rule, is the column's own key or another
    /// column's, or is declared by two columns (compared case-insensitively).
    RenamedFrom,
    /// A column of a type this library does not model ([`ColumnKind::Opaque`]): read from a
    /// server, never declared.
    OpaqueColumn,
    /// A spatial column declared as an array, a spatial index that does not cover exactly one
    /// required spatial column, or another index over a spatial column.
    Spatial,
    /// `encrypt` on a kind Appwrite cannot encrypt, or on a varchar or string under the
    /// minimum size of an encrypted column.
    Encrypt,
}

impl SchemaRule {
    /// A short name of the rule, e.g. `size range`.
    pub fn name(self) -> &'static str {
        match self {
            SchemaRule::IdFormat => "id format",
            SchemaRule::NameLength => "name length",
            SchemaRule::DuplicateKey => "duplicate key",
            SchemaRule::DefaultOnRequired => "default on required column",
            SchemaRule::DefaultOnArray => "default on array column",
            SchemaRule::DefaultInvalid => "invalid default",
            SchemaRule::SizeRange => "size range",
            SchemaRule::MinMax => "min/max",
            SchemaRule::EnumElements => "enum elements",
            SchemaRule::TooManyColumns => "too many columns",
            SchemaRule::RowTooWide => "row too wide",
            SchemaRule::TooManyIndexes => "too many indexes",
            SchemaRule::IndexLength => "index length",
            SchemaRule::IndexColumns => "index columns",
            SchemaRule::FulltextNotString => "fulltext on non-string column",
            SchemaRule::IndexOnArray => "index on array column",
            SchemaRule::IndexOnRelationship => "index on relationship column",
            SchemaRule::SinceZero => "since zero",
            SchemaRule::SinceBeforeTable => "since before table",
            SchemaRule::Relationship => "relationship",
            SchemaRule::PermissionCount => "permission count",
            SchemaRule::RenamedFrom => "renamed from",
            SchemaRule::OpaqueColumn => "opaque column",
            SchemaRule::Spatial => "spatial",
            SchemaRule::Encrypt => "encrypt",
        }
    }
}

impl fmt::Display for SchemaRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One broken rule, naming the table and the column or index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolation {
    /// The table id.
    pub table: String,
    /// The column key, when the violation is about a column.
    pub column: Option<String>,
    /// The index key, when the violation is about an index.
    pub index: Option<String>,
    /// The rule.
    pub rule: SchemaRule,
    /// What is wrong, in words.
    pub message: String,
}

/// `table "users", column "name": varchar size 0 is outside 1..=16381`.
impl fmt::Display for SchemaViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "table {:?}", self.table)?;
        if let Some(column) = &self.column {
            write!(f, ", column {column:?}")?;
        }
        if let Some(index) = &self.index {
            write!(f, ", index {index:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Bytes a column takes in a row (Appwrite's MariaDB width rules).
pub fn column_width(column: &ColumnSchema) -> u64 {
    if column.array {
        return 20;
    }
    match &column.kind {
        ColumnKind::Varchar { size } | ColumnKind::String { size } => string_width(*size),
        // Opaque columns are counted like the text family, which MariaDB keeps out of the row.
        ColumnKind::Text
        | ColumnKind::MediumText
        | ColumnKind::LongText
        | ColumnKind::Opaque { .. } => 20,
        ColumnKind::Email | ColumnKind::Url | ColumnKind::Ip | ColumnKind::Enum { .. } => {
            string_width(column.kind.max_chars().unwrap_or(0))
        }
        ColumnKind::Integer { max, .. } => {
            if integer_bits(*max) == 32 {
                4
            } else {
                8
            }
        }
        ColumnKind::BigInt { .. } | ColumnKind::Float { .. } => 8,
        ColumnKind::Boolean => 1,
        ColumnKind::Datetime => 7,
        // MariaDB's POINT is 25 bytes; lines and polygons live off the row (utopia-php/database
        // `Adapter/SQL.php::getAttributeWidth`).
        ColumnKind::Point => 25,
        ColumnKind::Line | ColumnKind::Polygon => 20,
        ColumnKind::Relationship(_) => 1021,
    }
}

/// utf8mb4 takes up to 4 bytes a character, plus 1 or 2 length bytes; beyond 16,381 characters
/// the value moves off-row and only a 20-byte pointer stays.
fn string_width(size: u32) -> u64 {
    let size = u64::from(size);
    if size <= 255 {
        4 * size + 1
    } else if size <= u64::from(limits::MAX_VARCHAR_SIZE) {
        4 * size + 2
    } else {
        20
    }
}

/// The length an index counts against the 768 limit.
///
/// String columns count their size, or the prefix length given for them; floats count 2, other
/// columns 1, arrays 255; `$id` counts 36 and the timestamps 1. Fulltext indexes count 0 (MariaDB
/// ignores their lengths). Unknown columns count 0 (they are reported by [`SchemaRule::IndexColumns`]).
pub fn index_length(index: &IndexSchema, table: &TableSchema) -> u64 {
    if index.kind == IndexKind::Fulltext {
        return 0;
    }
    index
        .columns
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let given = index.lengths.get(i).copied().flatten();
            index_column_length(key, given, table)
        })
        .fold(0, u64::saturating_add)
}

fn index_column_length(key: &str, given: Option<u32>, table: &TableSchema) -> u64 {
    match key {
        "$id" => return u64::try_from(limits::MAX_KEY_LEN).unwrap_or(u64::MAX),
        "$createdAt" | "$updatedAt" => return 1,
        _ => {}
    }
    let Some(column) = table.find_column(key) else {
        return 0;
    };
    if column.array {
        return ARRAY_INDEX_LENGTH;
    }
    match (&column.kind, column.kind.max_chars()) {
        (_, Some(size)) => u64::from(given.unwrap_or(size)),
        (ColumnKind::Float { .. }, None) => 2,
        _ => 1,
    }
}

/// Every violation of `table`, in a stable order: table, columns, indexes.
pub(crate) fn validate_table(table: &TableSchema) -> Vec<SchemaViolation> {
    let mut report = Report::new(&table.id);
    check_table(table, &mut report);
    for column in &table.columns {
        check_column(table, column, &mut report);
    }
    check_duplicate_keys(table, &mut report);
    check_renames(table, &mut report);
    for index in &table.indexes {
        check_index(table, index, &mut report);
    }
    report.violations
}

/// Collects violations for one table.
struct Report {
    table: String,
    violations: Vec<SchemaViolation>,
}

impl Report {
    fn new(table: &str) -> Self {
        Self {
            table: table.to_owned(),
            violations: Vec::new(),
        }
    }

    fn push(
        &mut self,
        column: Option<&str>,
        index: Option<&str>,
        rule: SchemaRule,
        message: String,
    ) {
        self.violations.push(SchemaViolation {
            table: self.table.clone(),
            column: column.map(str::to_owned),
            index: index.map(str::to_owned),
            rule,
            message,
        });
    }

    fn table(&mut self, rule: SchemaRule, message: String) {
        self.push(None, None, rule, message);
    }

    fn column(&mut self, key: &str, rule: SchemaRule, message: String) {
        self.push(Some(key), None, rule, message);
    }

    fn index(&mut self, key: &str, rule: SchemaRule, message: String) {
        self.push(None, Some(key), rule, message);
    }
}

fn check_table(table: &TableSchema, report: &mut Report) {
    if let Err(reason) = check_id(&table.id) {
        report.table(SchemaRule::IdFormat, format!("table id {reason}"));
    }
    if let Some(database) = &table.database
        && let Err(reason) = check_id(database)
    {
        report.table(
            SchemaRule::IdFormat,
            format!("database id {database:?} {reason}"),
        );
    }
    let name_len = table.name.chars().count();
    if !(1..=limits::MAX_NAME_LEN).contains(&name_len) {
        report.table(
            SchemaRule::NameLength,
            format!(
                "name must be 1 to {} characters, got {name_len}",
                limits::MAX_NAME_LEN
            ),
        );
    }
    if table.since == 0 {
        report.table(
            SchemaRule::SinceZero,
            "since must be at least 1, got 0".into(),
        );
    }
    if table.permissions.len() > limits::MAX_PERMISSIONS {
        report.table(
            SchemaRule::PermissionCount,
            format!(
                "{} permissions exceed the limit of {}",
                table.permissions.len(),
                limits::MAX_PERMISSIONS
            ),
        );
    }
    if table.columns.len() > limits::MAX_COLUMNS {
        report.table(
            SchemaRule::TooManyColumns,
            format!(
                "{} columns exceed the limit of {}",
                table.columns.len(),
                limits::MAX_COLUMNS
            ),
        );
    }
    check_row_width(table, report);
    if table.indexes.len() > limits::MAX_INDEXES {
        report.table(
            SchemaRule::TooManyIndexes,
            format!(
                "{} indexes exceed the limit of {}",
                table.indexes.len(),
                limits::MAX_INDEXES
            ),
        );
    }
}

fn check_row_width(table: &TableSchema, report: &mut Report) {
    let columns: u64 = table
        .columns
        .iter()
        .map(column_width)
        .fold(0, u64::saturating_add);
    let width = limits::BASE_ROW_WIDTH.saturating_add(columns);
    if width >= limits::MAX_ROW_WIDTH {
        report.table(
            SchemaRule::RowTooWide,
            format!(
                "row width {} bytes ({} base + {} for columns) must be below {}",
                thousands(width),
                thousands(limits::BASE_ROW_WIDTH),
                thousands(columns),
                thousands(limits::MAX_ROW_WIDTH)
            ),
        );
    }
}

fn thousands(n: u64) -> String {
    format_thousands(i128::from(n))
}

fn check_column(table: &TableSchema, column: &ColumnSchema, report: &mut Report) {
    let key = column.key.as_str();
    check_key_and_since(table, "column", key, column.since, report, Report::column);
    check_kind(column, report);
    check_default(column, report);
    check_encrypt(column, report);
}

/// `encrypt` only on the text kinds, and on varchar and string only from Appwrite's minimum
/// size (its message).
fn check_encrypt(column: &ColumnSchema, report: &mut Report) {
    if !column.encrypt {
        return;
    }
    let key = column.key.as_str();
    if !column.kind.can_encrypt() {
        report.column(
            key,
            SchemaRule::Encrypt,
            format!(
                "columns of type {:?} cannot be encrypted (only string, varchar, text, \
                 mediumtext and longtext)",
                column.kind.route_type()
            ),
        );
        return;
    }
    if let ColumnKind::Varchar { size } | ColumnKind::String { size } = column.kind
        && size < limits::MIN_ENCRYPTED_SIZE
    {
        report.column(key, SchemaRule::Encrypt, encrypted_size_message());
    }
}

/// Appwrite's message for an encrypted varchar or string under the minimum size.
pub(crate) fn encrypted_size_message() -> String {
    format!(
        "Size too small. Encrypted strings require a minimum size of {} characters.",
        limits::MIN_ENCRYPTED_SIZE
    )
}

/// The kind-specific settings: sizes, bounds, enum elements, relationship ids.
fn check_kind(column: &ColumnSchema, report: &mut Report) {
    let key = column.key.as_str();
    match &column.kind {
        ColumnKind::Varchar { size } => {
            check_size(key, "varchar", *size, limits::MAX_VARCHAR_SIZE, report);
        }
        ColumnKind::String { size } => {
            check_size(key, "string", *size, limits::MAX_STRING_SIZE, report);
        }
        ColumnKind::Integer { min, max } | ColumnKind::BigInt { min, max } => {
            if let (Some(min), Some(max)) = (min, max)
                && min > max
            {
                report.column(
                    key,
                    SchemaRule::MinMax,
                    format!("min {min} is greater than max {max}"),
                );
            }
        }
        ColumnKind::Float { min, max } => check_float_bounds(key, *min, *max, report),
        ColumnKind::Enum { elements } => check_enum(key, elements, report),
        ColumnKind::Opaque { type_name, .. } => report.column(
            key,
            SchemaRule::OpaqueColumn,
            format!("columns of type {type_name:?} cannot be declared or changed by this library"),
        ),
        ColumnKind::Point | ColumnKind::Line | ColumnKind::Polygon if column.array => report
            .column(
                key,
                SchemaRule::Spatial,
                "spatial columns cannot be arrays".into(),
            ),
        ColumnKind::Relationship(rel) => {
            if let Err(reason) = check_id(&rel.related_table) {
                report.column(
                    key,
                    SchemaRule::Relationship,
                    format!("related table id {:?} {reason}", rel.related_table),
                );
            }
            if let Some(twin) = &rel.two_way_key
                && let Err(reason) = check_key(twin)
            {
                report.column(
                    key,
                    SchemaRule::Relationship,
                    format!("two-way key {twin:?} {reason}"),
                );
            }
        }
        _ => {}
    }
}

fn check_size(key: &str, kind: &str, size: u32, max: u32, report: &mut Report) {
    if !(1..=max).contains(&size) {
        report.column(
            key,
            SchemaRule::SizeRange,
            format!("{kind} size {size} is outside 1..={max}"),
        );
    }
}

fn check_float_bounds(key: &str, min: Option<f64>, max: Option<f64>, report: &mut Report) {
    // JSON cannot carry NaN or infinities, so such a bound could never reach the server.
    if min.is_some_and(|m| !m.is_finite()) || max.is_some_and(|m| !m.is_finite()) {
        report.column(
            key,
            SchemaRule::MinMax,
            "float bounds must be finite numbers".into(),
        );
    } else if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        report.column(
            key,
            SchemaRule::MinMax,
            format!("min {min} is greater than max {max}"),
        );
    }
}

fn check_enum(key: &str, elements: &[String], report: &mut Report) {
    if !(1..=limits::MAX_ENUM_ELEMENTS).contains(&elements.len()) {
        report.column(
            key,
            SchemaRule::EnumElements,
            format!(
                "enum must have 1 to {} elements, got {}",
                limits::MAX_ENUM_ELEMENTS,
                elements.len()
            ),
        );
    }
    for element in elements {
        let len = element.chars().count();
        if !(1..=limits::MAX_ENUM_ELEMENT_LEN).contains(&len) {
            report.column(
                key,
                SchemaRule::EnumElements,
                format!(
                    "enum element {element:?} must be 1 to {} characters, got {len}",
                    limits::MAX_ENUM_ELEMENT_LEN
                ),
            );
        }
    }
    for duplicate in duplicates(elements.iter().map(String::as_str), |s| s.to_owned()) {
        report.column(
            key,
            SchemaRule::EnumElements,
            format!("enum element {duplicate:?} appears more than once"),
        );
    }
}

/// At most one default violation per column: the default is only checked against the column
/// when a default is allowed at all.
fn check_default(column: &ColumnSchema, report: &mut Report) {
    let Some(default) = column.default.as_ref().filter(|d| !d.is_null()) else {
        return;
    };
    let key = column.key.as_str();
    if column.required {
        report.column(
            key,
            SchemaRule::DefaultOnRequired,
            "cannot set a default value for a required column".into(),
        );
    } else if column.array {
        report.column(
            key,
            SchemaRule::DefaultOnArray,
            "cannot set a default value for an array column".into(),
        );
    } else if matches!(column.kind, ColumnKind::Relationship(_)) {
        report.column(
            key,
            SchemaRule::DefaultInvalid,
            "a relationship column cannot have a default value".into(),
        );
    } else if let Err(reason) = check_value(column, default) {
        report.column(
            key,
            SchemaRule::DefaultInvalid,
            format!("default {default} is invalid: {reason}"),
        );
    }
}

/// `since` must be at least 1 and not lower than the table's.
/// The rules a column and an index each follow on their own: Appwrite's key rule, and a
/// version no older than the table's. `push` files a violation under the column or the index
/// (`what`).
fn check_key_and_since(
    table: &TableSchema,
    what: &str,
    key: &str,
    since: u32,
    report: &mut Report,
    push: fn(&mut Report, &str, SchemaRule, String),
) {
    if let Err(reason) = check_key(key) {
        push(
            report,
            key,
            SchemaRule::IdFormat,
            format!("{what} key {reason}"),
        );
    }
    check_since(table.since, since, report, |r, rule, msg| {
        push(r, key, rule, msg)
    });
}

fn check_since(
    table_since: u32,
    since: u32,
    report: &mut Report,
    push: impl Fn(&mut Report, SchemaRule, String),
) {
    if since == 0 {
        push(
            report,
            SchemaRule::SinceZero,
            "since must be at least 1, got 0".into(),
        );
    } else if since < table_since {
        push(
            report,
            SchemaRule::SinceBeforeTable,
            format!("since {since} is lower than the table's since {table_since}"),
        );
    }
}

fn check_duplicate_keys(table: &TableSchema, report: &mut Report) {
    let lower = |s: &str| s.to_lowercase();
    for key in duplicates(table.columns.iter().map(|c| c.key.as_str()), lower) {
        report.column(
            key,
            SchemaRule::DuplicateKey,
            "another column has the same key (keys are compared case-insensitively)".into(),
        );
    }
    for key in duplicates(table.indexes.iter().map(|i| i.key.as_str()), lower) {
        report.index(
            key,
            SchemaRule::DuplicateKey,
            "another index has the same key (keys are compared case-insensitively)".into(),
        );
    }
}

/// Every `renamed_from` must be a valid key that names no declared column of the table (the
/// plan would rename a column onto a key in use) and that no other column claims (one live
/// column cannot become two). Keys compare without case, as Appwrite compares them.
fn check_renames(table: &TableSchema, report: &mut Report) {
    let lower = |s: &str| s.to_lowercase();
    for column in &table.columns {
        let Some(from) = column.renamed_from.as_deref() else {
            continue;
        };
        let key = column.key.as_str();
        if let Err(reason) = check_key(from) {
            report.column(
                key,
                SchemaRule::RenamedFrom,
                format!("renamed_from {from:?} {reason}"),
            );
        } else if from == key {
            report.column(
                key,
                SchemaRule::RenamedFrom,
                format!(
                    "renamed_from {from:?} is the column's own key: a rename needs another key"
                ),
            );
        } else if lower(from) == lower(key) {
            report.column(
                key,
                SchemaRule::RenamedFrom,
                format!(
                    "renamed_from {from:?} differs from the column key {key:?} only by case, and \
                     Appwrite compares keys without case: a rename must change more than case"
                ),
            );
        } else if let Some(other) = table.columns.iter().find(|c| lower(&c.key) == lower(from)) {
            report.column(
                key,
                SchemaRule::RenamedFrom,
                format!(
                    "renamed_from {from:?} is the key of the declared column {:?}; a column \
                     cannot be renamed onto a key in use",
                    other.key
                ),
            );
        }
    }
    let renamed = table
        .columns
        .iter()
        .filter_map(|c| c.renamed_from.as_deref().map(|from| (c.key.as_str(), from)));
    let mut seen = HashSet::new();
    for (key, from) in renamed {
        if !seen.insert(lower(from)) {
            report.column(
                key,
                SchemaRule::RenamedFrom,
                format!(
                    "renamed_from {from:?} is declared by another column too (keys are \
                     compared case-insensitively); one old column can only get one new key"
                ),
            );
        }
    }
}

/// The items whose normalised form was already seen, each reported once per repeat.
fn duplicates<'a>(
    items: impl IntoIterator<Item = &'a str>,
    normalise: impl Fn(&str) -> String,
) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|item| !seen.insert(normalise(item)))
        .collect()
}

fn check_index(table: &TableSchema, index: &IndexSchema, report: &mut Report) {
    let key = index.key.as_str();
    check_key_and_since(table, "index", key, index.since, report, Report::index);
    check_index_shape(index, report);
    if let Some(problem) = spatial_index_problem(index, |k| table.find_column(k)) {
        report.index(key, SchemaRule::Spatial, problem);
    }
    for column in &index.columns {
        check_index_column(table, index, column, report);
    }
    let length = index_length(index, table);
    if length > limits::MAX_INDEX_LENGTH {
        report.index(
            key,
            SchemaRule::IndexLength,
            format!(
                "index length {length} exceeds the limit of {}",
                limits::MAX_INDEX_LENGTH
            ),
        );
    }
}

/// Column list, duplicates within it, and the counts of orders and lengths.
fn check_index_shape(index: &IndexSchema, report: &mut Report) {
    let key = index.key.as_str();
    if index.columns.is_empty() {
        report.index(
            key,
            SchemaRule::IndexColumns,
            "index names no columns".into(),
        );
    }
    let lower = |s: &str| s.to_lowercase();
    for column in duplicates(index.columns.iter().map(String::as_str), lower) {
        report.index(
            key,
            SchemaRule::IndexColumns,
            format!("column {column:?} appears more than once"),
        );
    }
    let counts = [
        ("orders", index.orders.len()),
        ("lengths", index.lengths.len()),
    ];
    for (what, count) in counts {
        if count != 0 && count != index.columns.len() {
            report.index(
                key,
                SchemaRule::IndexColumns,
                format!("{count} {what} given for {} columns", index.columns.len()),
            );
        }
    }
}

/// One column of an index: it must exist and be indexable by this kind of index.
fn check_index_column(
    table: &TableSchema,
    index: &IndexSchema,
    column_key: &str,
    report: &mut Report,
) {
    let key = index.key.as_str();
    let fulltext = index.kind == IndexKind::Fulltext;
    if SYSTEM_INDEX_COLUMNS.contains(&column_key) {
        if fulltext && column_key != "$id" {
            report.index(
                key,
                SchemaRule::FulltextNotString,
                format!("fulltext index on {column_key:?}, which does not hold text"),
            );
        }
        return;
    }
    let Some(column) = table.find_column(column_key) else {
        report.index(
            key,
            SchemaRule::IndexColumns,
            format!("column {column_key:?} does not exist"),
        );
        return;
    };
    if fulltext && !column.is_string() {
        report.index(
            key,
            SchemaRule::FulltextNotString,
            format!(
                "fulltext index on {column_key:?}, a {} column",
                column.kind.route_type()
            ),
        );
    }
    if column.array {
        report.index(
            key,
            SchemaRule::IndexOnArray,
            format!("column {column_key:?} is an array and cannot be indexed"),
        );
    }
    if matches!(column.kind, ColumnKind::Relationship(_)) {
        report.index(
            key,
            SchemaRule::IndexOnRelationship,
            format!("column {column_key:?} is a relationship and cannot be indexed"),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::schema::{OnDelete, RelationType, Relationship, SortOrder};

    /// A valid table to break one rule at a time.
    fn base() -> TableSchema {
        TableSchema::new("users", "Users")
            .column(ColumnSchema::varchar("name", 128).required())
            .column(ColumnSchema::new(
                "age",
                ColumnKind::Integer {
                    min: Some(0),
                    max: Some(150),
                },
            ))
            .index(IndexSchema::new("by_name", IndexKind::Key, ["name"]))
    }

    fn rules(table: &TableSchema) -> Vec<SchemaRule> {
        validate_table(table).into_iter().map(|v| v.rule).collect()
    }

    fn assert_only(table: &TableSchema, rule: SchemaRule) {
        let violations = validate_table(table);
        assert!(
            !violations.is_empty() && violations.iter().all(|v| v.rule == rule),
            "expected only {rule:?}, got {violations:#?}"
        );
    }

    fn assert_valid(table: &TableSchema) {
        assert_eq!(validate_table(table), Vec::new());
    }

    fn relationship(related: &str, two_way_key: Option<&str>) -> ColumnSchema {
        ColumnSchema::new(
            "author",
            ColumnKind::Relationship(Relationship {
                related_table: related.into(),
                relation_type: RelationType::ManyToOne,
                two_way: two_way_key.is_some(),
                two_way_key: two_way_key.map(Into::into),
                on_delete: OnDelete::SetNull,
                side: Default::default(),
            }),
        )
    }

    #[test]
    fn the_base_table_is_valid() {
        assert_valid(&base());
        assert!(base().validate().is_ok());
    }

    #[test]
    fn rule_id_format() {
        let mut t = base();
        t.id = "_users".into();
        assert_only(&t, SchemaRule::IdFormat);
        assert_only(
            &base().column(ColumnSchema::boolean("$x")),
            SchemaRule::IdFormat,
        );
        let mut t = base();
        t.indexes[0].key = "by name".into();
        assert_only(&t, SchemaRule::IdFormat);
        assert_valid(&base().column(ColumnSchema::boolean("x.y-z_1")));
        assert_only(&base().database("_analytics"), SchemaRule::IdFormat);
        assert_valid(&base().database("analytics"));
    }

    #[test]
    fn rule_name_length() {
        let mut t = base();
        t.name = String::new();
        assert_only(&t, SchemaRule::NameLength);
        t.name = "n".repeat(129);
        assert_only(&t, SchemaRule::NameLength);
        t.name = "é".repeat(128);
        assert_valid(&t);
    }

    #[test]
    fn rule_duplicate_key() {
        let t = base().column(ColumnSchema::boolean("NAME"));
        assert_only(&t, SchemaRule::DuplicateKey);
        assert_eq!(validate_table(&t)[0].column.as_deref(), Some("NAME"));
        let t = base().index(IndexSchema::new("By_Name", IndexKind::Key, ["age"]));
        assert_only(&t, SchemaRule::DuplicateKey);
        // A column and an index may share a key.
        assert_valid(&base().index(IndexSchema::new("age", IndexKind::Key, ["age"])));
    }

    #[test]
    fn rule_default_on_required() {
        let t = base().column(
            ColumnSchema::varchar("nick", 10)
                .required()
                .default_value("x"),
        );
        assert_only(&t, SchemaRule::DefaultOnRequired);
        assert_valid(&base().column(ColumnSchema::varchar("nick", 10).default_value("x")));
        // A null default is no default.
        let mut c = ColumnSchema::varchar("nick", 10).required();
        c.default = Some(serde_json::Value::Null);
        assert_valid(&base().column(c));
    }

    #[test]
    fn rule_default_on_array() {
        let t = base().column(
            ColumnSchema::varchar("tags", 10)
                .array()
                .default_value(json!(["a"])),
        );
        assert_only(&t, SchemaRule::DefaultOnArray);
        assert_valid(&base().column(ColumnSchema::varchar("tags", 10).array()));
    }

    #[test]
    fn rule_default_invalid() {
        let t = base().column(ColumnSchema::varchar("nick", 2).default_value("abc"));
        assert_only(&t, SchemaRule::DefaultInvalid);
        let v = &validate_table(&t)[0];
        assert_eq!(
            v.to_string(),
            "table \"users\", column \"nick\": default \"abc\" is invalid: Attribute \"nick\" \
             has invalid type. Value must be a valid string and no longer than 2 chars"
        );
        let bounded = ColumnSchema::new(
            "n",
            ColumnKind::Integer {
                min: Some(1),
                max: Some(5),
            },
        );
        assert_only(
            &base().column(bounded.clone().default_value(9)),
            SchemaRule::DefaultInvalid,
        );
        assert_valid(&base().column(bounded.default_value(5)));
        assert_only(
            &base().column(ColumnSchema::enumeration("e", ["a"]).default_value("b")),
            SchemaRule::DefaultInvalid,
        );
        assert_only(
            &base().column(relationship("posts", None).default_value("x")),
            SchemaRule::DefaultInvalid,
        );
    }

    #[test]
    fn rule_spatial() {
        let t = base().column(ColumnSchema::point("at").array());
        assert_only(&t, SchemaRule::Spatial);
        let placed = base()
            .column(ColumnSchema::point("at").required())
            .column(ColumnSchema::polygon("area"));
        assert_valid(
            &placed
                .clone()
                .index(IndexSchema::new("near", IndexKind::Spatial, ["at"])),
        );
        let optional = placed
            .clone()
            .index(IndexSchema::new("zone", IndexKind::Spatial, ["area"]));
        assert_only(&optional, SchemaRule::Spatial);
        assert!(
            validate_table(&optional)[0]
                .message
                .starts_with("Spatial indexes do not allow null values.")
        );
        let keyed = placed.index(IndexSchema::new("k", IndexKind::Key, ["at"]));
        assert_only(&keyed, SchemaRule::Spatial);
        assert_only(
            &base().column(ColumnSchema::line("route").default_value(json!([[0, 0]]))),
            SchemaRule::DefaultInvalid,
        );
        assert_valid(
            &base().column(ColumnSchema::line("route").default_value(json!([[0, 0], [1, 1]]))),
        );
    }

    #[test]
    fn rule_size_range() {
        let t = base().column(ColumnSchema::varchar("v", 0));
        assert_only(&t, SchemaRule::SizeRange);
        assert_eq!(
            validate_table(&t)[0].to_string(),
            "table \"users\", column \"v\": varchar size 0 is outside 1..=16381"
        );
        assert_only(
            &base().column(ColumnSchema::varchar("v", 16_382)),
            SchemaRule::SizeRange,
        );
        // The largest varchar is a valid size, though alone it already makes the row too wide.
        let largest = rules(&base().column(ColumnSchema::varchar("v", 16_381)));
        assert_eq!(largest, vec![SchemaRule::RowTooWide]);
        let legacy = |size| ColumnSchema::new("s", ColumnKind::String { size });
        assert_only(&base().column(legacy(0)), SchemaRule::SizeRange);
        assert_only(&base().column(legacy(1_073_741_825)), SchemaRule::SizeRange);
        assert_valid(&base().column(legacy(1_073_741_824)));
    }

    #[test]
    fn rule_min_max() {
        let int = |min, max| ColumnSchema::new("n", ColumnKind::Integer { min, max });
        assert_only(&base().column(int(Some(5), Some(4))), SchemaRule::MinMax);
        assert_valid(&base().column(int(Some(5), Some(5))));
        let big = ColumnSchema::new(
            "b",
            ColumnKind::BigInt {
                min: Some(1),
                max: Some(0),
            },
        );
        assert_only(&base().column(big), SchemaRule::MinMax);
        let float = |min, max| ColumnSchema::new("f", ColumnKind::Float { min, max });
        assert_only(
            &base().column(float(Some(1.5), Some(1.0))),
            SchemaRule::MinMax,
        );
        assert_only(
            &base().column(float(Some(f64::NAN), None)),
            SchemaRule::MinMax,
        );
        assert_only(
            &base().column(float(None, Some(f64::INFINITY))),
            SchemaRule::MinMax,
        );
        assert_valid(&base().column(float(Some(-1.0), Some(1.0))));
    }

    #[test]
    fn rule_enum_elements() {
        let empty: [&str; 0] = [];
        assert_only(
            &base().column(ColumnSchema::enumeration("e", empty)),
            SchemaRule::EnumElements,
        );
        let many: Vec<String> = (0..101).map(|i| format!("v{i}")).collect();
        assert_only(
            &base().column(ColumnSchema::enumeration("e", many)),
            SchemaRule::EnumElements,
        );
        let hundred: Vec<String> = (0..100).map(|i| format!("v{i}")).collect();
        assert_valid(&base().column(ColumnSchema::enumeration("e", hundred)));
        assert_only(
            &base().column(ColumnSchema::enumeration("e", ["a", ""])),
            SchemaRule::EnumElements,
        );
        assert_only(
            &base().column(ColumnSchema::enumeration("e", ["a".repeat(256)])),
            SchemaRule::EnumElements,
        );
        assert_valid(&base().column(ColumnSchema::enumeration("e", ["a".repeat(255)])));
        assert_only(
            &base().column(ColumnSchema::enumeration("e", ["a", "b", "a"])),
            SchemaRule::EnumElements,
        );
        // Enum values are compared exactly.
        assert_valid(&base().column(ColumnSchema::enumeration("e", ["a", "A"])));
    }

    #[test]
    fn rule_too_many_columns() {
        let mut t = TableSchema::new("t", "T");
        t.columns = (0..1010)
            .map(|i| ColumnSchema::boolean(format!("c{i}")))
            .collect();
        assert_valid(&t);
        t.columns.push(ColumnSchema::boolean("one_more"));
        assert_only(&t, SchemaRule::TooManyColumns);
    }

    #[test]
    fn rule_row_too_wide() {
        // 1,067 + 16 × 4,066 = 66,123: too wide. 15 of them: 62,057: fine.
        let wide = |n: usize| {
            let mut t = TableSchema::new("t", "T");
            t.columns = (0..n)
                .map(|i| ColumnSchema::varchar(format!("c{i}"), 1016))
                .collect();
            t
        };
        assert_valid(&wide(15));
        let t = wide(16);
        assert_only(&t, SchemaRule::RowTooWide);
        assert_eq!(
            validate_table(&t)[0].message,
            "row width 66,123 bytes (1,067 base + 65,056 for columns) must be below 65,535"
        );
    }

    #[test]
    fn rule_too_many_indexes() {
        let mut t = base();
        t.indexes = (0..58)
            .map(|i| IndexSchema::new(format!("i{i}"), IndexKind::Key, ["age"]))
            .collect();
        assert_valid(&t);
        t.indexes
            .push(IndexSchema::new("i58", IndexKind::Key, ["age"]));
        assert_only(&t, SchemaRule::TooManyIndexes);
    }

    #[test]
    fn rule_index_length() {
        let t = base()
            .column(ColumnSchema::varchar("bio", 700))
            .index(IndexSchema::new("by_bio", IndexKind::Key, ["bio", "name"]));
        // 700 + 128 = 828.
        assert_only(&t, SchemaRule::IndexLength);
        let mut prefixed = t.clone();
        prefixed.indexes[1].lengths = vec![Some(600), None];
        assert_valid(&prefixed);
        // Fulltext indexes ignore lengths.
        let ft = base()
            .column(ColumnSchema::new("body", ColumnKind::Text))
            .index(IndexSchema::new("ft", IndexKind::Fulltext, ["body"]));
        assert_valid(&ft);
        let text_key = base()
            .column(ColumnSchema::new("body", ColumnKind::Text))
            .index(IndexSchema::new("k", IndexKind::Key, ["body"]));
        assert_only(&text_key, SchemaRule::IndexLength);
    }

    #[test]
    fn index_length_counts() {
        let t = base()
            .column(ColumnSchema::float("score"))
            .column(ColumnSchema::boolean("ok"))
            .column(ColumnSchema::varchar("tags", 10).array());
        let len =
            |cols: &[&str]| index_length(&IndexSchema::new("i", IndexKind::Key, cols.to_vec()), &t);
        assert_eq!(len(&["name"]), 128);
        assert_eq!(len(&["score"]), 2);
        assert_eq!(len(&["ok", "age"]), 2);
        assert_eq!(len(&["tags"]), 255);
        assert_eq!(len(&["$id", "$createdAt", "$updatedAt"]), 38);
        assert_eq!(len(&["missing"]), 0);
        let mut idx = IndexSchema::new("i", IndexKind::Key, ["name", "tags"]);
        idx.lengths = vec![Some(10), Some(5)];
        assert_eq!(index_length(&idx, &t), 10 + 255);
        let ft = IndexSchema::new("f", IndexKind::Fulltext, ["name"]);
        assert_eq!(index_length(&ft, &t), 0);
    }

    #[test]
    fn rule_index_columns() {
        let empty: [&str; 0] = [];
        assert_only(
            &base().index(IndexSchema::new("i", IndexKind::Key, empty)),
            SchemaRule::IndexColumns,
        );
        assert_only(
            &base().index(IndexSchema::new("i", IndexKind::Key, ["nope"])),
            SchemaRule::IndexColumns,
        );
        assert_only(
            &base().index(IndexSchema::new("i", IndexKind::Key, ["age", "AGE"])),
            SchemaRule::IndexColumns,
        );
        let orders =
            IndexSchema::new("i", IndexKind::Key, ["age", "name"]).orders([SortOrder::Desc]);
        assert_only(&base().index(orders), SchemaRule::IndexColumns);
        let mut lengths = IndexSchema::new("i", IndexKind::Key, ["name"]);
        lengths.lengths = vec![Some(1), Some(2)];
        assert_only(&base().index(lengths), SchemaRule::IndexColumns);
        let good = IndexSchema::new(
            "i",
            IndexKind::Unique,
            ["$id", "$createdAt", "$updatedAt", "age"],
        )
        .orders([
            SortOrder::Asc,
            SortOrder::Desc,
            SortOrder::Asc,
            SortOrder::Desc,
        ]);
        assert_valid(&base().index(good));
    }

    #[test]
    fn rule_fulltext_not_string() {
        assert_only(
            &base().index(IndexSchema::new("f", IndexKind::Fulltext, ["age"])),
            SchemaRule::FulltextNotString,
        );
        assert_only(
            &base().index(IndexSchema::new("f", IndexKind::Fulltext, ["$createdAt"])),
            SchemaRule::FulltextNotString,
        );
        assert_valid(&base().index(IndexSchema::new("f", IndexKind::Fulltext, ["name"])));
        let email = base().column(ColumnSchema::new("mail", ColumnKind::Email));
        assert_valid(&email.index(IndexSchema::new("f", IndexKind::Fulltext, ["mail"])));
    }

    #[test]
    fn rule_index_on_array() {
        let t = base()
            .column(ColumnSchema::boolean("flags").array())
            .index(IndexSchema::new("i", IndexKind::Key, ["flags"]));
        assert_only(&t, SchemaRule::IndexOnArray);
    }

    #[test]
    fn rule_index_on_relationship() {
        let t = base()
            .column(relationship("authors", None))
            .index(IndexSchema::new("i", IndexKind::Key, ["author"]));
        assert_only(&t, SchemaRule::IndexOnRelationship);
        assert_valid(&base().column(relationship("authors", None)));
    }

    #[test]
    fn rule_since_zero() {
        assert_only(&base().since(0), SchemaRule::SinceZero);
        assert_only(
            &base().column(ColumnSchema::boolean("b").since(0)),
            SchemaRule::SinceZero,
        );
        let mut t = base();
        t.indexes[0].since = 0;
        assert_only(&t, SchemaRule::SinceZero);
    }

    #[test]
    fn rule_since_before_table() {
        let mut t = base().since(3);
        t.columns.iter_mut().for_each(|c| c.since = 3);
        t.indexes.iter_mut().for_each(|i| i.since = 4);
        assert_valid(&t);
        let t2 = t.clone().column(ColumnSchema::boolean("b").since(2));
        assert_only(&t2, SchemaRule::SinceBeforeTable);
        let mut t3 = t;
        t3.indexes[0].since = 1;
        assert_only(&t3, SchemaRule::SinceBeforeTable);
    }

    #[test]
    fn rule_relationship() {
        assert_only(
            &base().column(relationship("bad/table", None)),
            SchemaRule::Relationship,
        );
        assert_only(
            &base().column(relationship("posts", Some("$twin"))),
            SchemaRule::Relationship,
        );
        assert_valid(&base().column(relationship("posts", Some("writer"))));
    }

    #[test]
    fn rule_renamed_from() {
        let renamed = |from: &str| ColumnSchema::varchar("title", 10).renamed_from(from);
        assert_valid(&base().column(renamed("heading")));
        for bad in ["_old", "has space", "$id", ""] {
            assert_only(&base().column(renamed(bad)), SchemaRule::RenamedFrom);
        }
        assert_only(
            &base().column(renamed(&"a".repeat(37))),
            SchemaRule::RenamedFrom,
        );
        // Its own key, in any case.
        assert_only(&base().column(renamed("title")), SchemaRule::RenamedFrom);
        assert_only(&base().column(renamed("Title")), SchemaRule::RenamedFrom);
        assert_eq!(
            validate_table(&base().column(renamed("Title")))[0].message,
            "renamed_from \"Title\" differs from the column key \"title\" only by case, and \
             Appwrite compares keys without case: a rename must change more than case"
        );
        // Another declared column's key, in any case.
        assert_only(&base().column(renamed("AGE")), SchemaRule::RenamedFrom);
        // Two columns renamed from one key.
        let twice = base()
            .column(renamed("heading"))
            .column(ColumnSchema::varchar("subtitle", 10).renamed_from("HEADING"));
        let violations = validate_table(&twice);
        assert_eq!(violations.len(), 1, "{violations:#?}");
        assert_eq!(violations[0].rule, SchemaRule::RenamedFrom);
        assert_eq!(violations[0].column.as_deref(), Some("subtitle"));
        assert_eq!(
            violations[0].to_string(),
            "table \"users\", column \"subtitle\": renamed_from \"HEADING\" is declared by \
             another column too (keys are compared case-insensitively); one old column can only \
             get one new key"
        );
    }

    #[test]
    fn renamed_from_violations_name_table_and_column() {
        let t = base().column(ColumnSchema::varchar("title", 10).renamed_from("name"));
        let Err(crate::Error::Schema(violations)) = t.validate() else {
            panic!("a rename onto a declared key was accepted");
        };
        assert_eq!(
            violations[0].to_string(),
            "table \"users\", column \"title\": renamed_from \"name\" is the key of the \
             declared column \"name\"; a column cannot be renamed onto a key in use"
        );
        let bad = base().column(ColumnSchema::varchar("title", 10).renamed_from("bad key"));
        assert_eq!(
            validate_table(&bad)[0].message,
            "renamed_from \"bad key\" contains ' ' which is not one of A-Z a-z 0-9 . _ -"
        );
    }

    #[test]
    fn rule_permission_count() {
        let mut t = base();
        t.permissions = (0..100).map(|i| format!("read(\"user:{i}\")")).collect();
        assert_valid(&t);
        t.permissions.push("read(\"any\")".into());
        assert_only(&t, SchemaRule::PermissionCount);
    }

    #[test]
    fn rule_encrypt() {
        let mut t = base();
        t.columns
            .push(ColumnSchema::varchar("secret", 150).encrypt());
        t.columns
            .push(ColumnSchema::new("notes", ColumnKind::LongText).encrypt());
        assert_valid(&t);
        t.columns.push(ColumnSchema::varchar("pin", 149).encrypt());
        assert_only(&t, SchemaRule::Encrypt);
        let message = &validate_table(&t)[0].message;
        assert_eq!(
            message,
            "Size too small. Encrypted strings require a minimum size of 150 characters."
        );
        let mut t = base();
        t.columns.push(ColumnSchema::integer("count").encrypt());
        t.columns
            .push(ColumnSchema::new("mail", ColumnKind::Email).encrypt());
        assert_eq!(rules(&t), [SchemaRule::Encrypt, SchemaRule::Encrypt]);
    }

    #[test]
    fn column_widths() {
        let w = |c: ColumnSchema| column_width(&c);
        assert_eq!(w(ColumnSchema::varchar("v", 255)), 1021);
        assert_eq!(w(ColumnSchema::varchar("v", 256)), 1026);
        assert_eq!(w(ColumnSchema::varchar("v", 16_381)), 65_526);
        assert_eq!(
            w(ColumnSchema::new("s", ColumnKind::String { size: 16_382 })),
            20
        );
        assert_eq!(w(ColumnSchema::new("t", ColumnKind::Text)), 20);
        assert_eq!(w(ColumnSchema::new("t", ColumnKind::MediumText)), 20);
        assert_eq!(w(ColumnSchema::new("t", ColumnKind::LongText)), 20);
        assert_eq!(w(ColumnSchema::point("p")), 25);
        assert_eq!(w(ColumnSchema::line("l")), 20);
        assert_eq!(w(ColumnSchema::polygon("g")), 20);
        assert_eq!(w(ColumnSchema::new("e", ColumnKind::Email)), 4 * 254 + 1);
        assert_eq!(w(ColumnSchema::new("u", ColumnKind::Url)), 4 * 2000 + 2);
        assert_eq!(w(ColumnSchema::new("i", ColumnKind::Ip)), 4 * 39 + 1);
        assert_eq!(w(ColumnSchema::enumeration("e", ["a"])), 4 * 255 + 1);
        assert_eq!(w(ColumnSchema::integer("n")), 8);
        let small = ColumnKind::Integer {
            min: Some(0),
            max: Some(100),
        };
        assert_eq!(w(ColumnSchema::new("n", small)), 4);
        let big = ColumnKind::Integer {
            min: Some(0),
            max: Some(i64::from(i32::MAX) + 1),
        };
        assert_eq!(w(ColumnSchema::new("n", big)), 8);
        assert_eq!(
            w(ColumnSchema::new(
                "b",
                ColumnKind::BigInt {
                    min: None,
                    max: None
                }
            )),
            8
        );
        assert_eq!(w(ColumnSchema::float("f")), 8);
        assert_eq!(w(ColumnSchema::boolean("b")), 1);
        assert_eq!(w(ColumnSchema::datetime("d")), 7);
        assert_eq!(w(relationship("posts", None)), 1021);
        assert_eq!(w(ColumnSchema::varchar("v", 10).array()), 20);
    }

    #[test]
    fn every_violation_is_reported() {
        let mut t = TableSchema::new("bad id", "").since(2);
        t.columns = vec![
            ColumnSchema::varchar("v", 0),
            ColumnSchema::varchar("V", 10).required().default_value("x"),
            ColumnSchema::boolean("b").since(1),
        ];
        t.indexes = vec![IndexSchema::new("i", IndexKind::Fulltext, ["b", "missing"])];
        let found = rules(&t);
        for rule in [
            SchemaRule::IdFormat,
            SchemaRule::NameLength,
            SchemaRule::SizeRange,
            SchemaRule::DefaultOnRequired,
            SchemaRule::SinceBeforeTable,
            SchemaRule::DuplicateKey,
            SchemaRule::FulltextNotString,
            SchemaRule::IndexColumns,
        ] {
            assert!(found.contains(&rule), "{rule:?} missing from {found:?}");
        }
        let Err(crate::Error::Schema(all)) = t.validate() else {
            panic!("validate() accepted an invalid table");
        };
        assert_eq!(all.len(), found.len());
    }

    #[test]
    fn violation_display_names_the_element() {
        let v = |column: Option<&str>, index: Option<&str>| SchemaViolation {
            table: "users".into(),
            column: column.map(Into::into),
            index: index.map(Into::into),
            rule: SchemaRule::SizeRange,
            message: "boom".into(),
        };
        assert_eq!(v(None, None).to_string(), "table \"users\": boom");
        assert_eq!(
            v(Some("c"), None).to_string(),
            "table \"users\", column \"c\": boom"
        );
        assert_eq!(
            v(None, Some("i")).to_string(),
            "table \"users\", index \"i\": boom"
        );
        assert_eq!(SchemaRule::SizeRange.to_string(), "size range");
    }
}
