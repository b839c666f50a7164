//! Stable schema fingerprints.
//!
//! A fingerprint is the SHA-256 of a canonical byte encoding defined here, field by field, so it
//! does not move when a derive, a `Debug` impl or serde's output changes. The encoding:
//!
//! - every string and list is prefixed with its length as a big-endian `u64`, so no two different
//!   schemas can produce the same bytes by shifting a boundary;
//! - every optional value and every enum variant starts with a tag byte;
//! - integers are big-endian; floats are their IEEE-754 bits (one bit pattern for every NaN);
//! - JSON defaults are encoded structurally with object keys sorted, and numbers by their
//!   shortest decimal text (what serde_json prints, identical on every platform);
//! - columns and indexes are sorted by key, tables by id, and permissions as strings, so
//!   declaration order does not matter; the order of index columns, orders and lengths and of
//!   enum elements does, because it changes the schema.
//!
//! The version string at the start changes whenever the encoding does.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{ColumnKind, ColumnSchema, IndexSchema, RelationSide, TableSchema};

/// Prefix of every encoding; bump the version when the encoding changes.
const DOMAIN: &[u8] = b"appwrite-orm schema fingerprint v1\0";

pub(crate) fn table_fingerprint(table: &TableSchema) -> String {
    tables_fingerprint([table])
}

pub(crate) fn tables_fingerprint<'a>(tables: impl IntoIterator<Item = &'a TableSchema>) -> String {
    let mut encoded: Vec<(&str, Vec<u8>)> = tables
        .into_iter()
        .map(|t| (t.id.as_str(), encode_table(t)))
        .collect();
    encoded.sort();
    let mut out = Encoder::default();
    out.raw(DOMAIN);
    out.len(encoded.len());
    for (_, bytes) in &encoded {
        out.bytes(bytes);
    }
    hex(&Sha256::digest(&out.buf))
}

fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    digest
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0x0f)]])
        .map(char::from)
        .collect()
}

fn encode_table(table: &TableSchema) -> Vec<u8> {
    let mut out = Encoder::default();
    out.str(&table.id);
    out.str(&table.name);
    let mut permissions: Vec<&str> = table.permissions.iter().map(String::as_str).collect();
    permissions.sort_unstable();
    out.len(permissions.len());
    for p in permissions {
        out.str(p);
    }
    out.bool(table.row_security);
    out.u64(u64::from(table.since));
    out.sorted(
        table
            .columns
            .iter()
            .map(|c| (c.key.as_str(), encode_column(c))),
    );
    out.sorted(
        table
            .indexes
            .iter()
            .map(|i| (i.key.as_str(), encode_index(i))),
    );
    // Appended only when declared, so that the fingerprints of tables in the connection's
    // database (and the checksums recorded from them) stay what they were before tables could
    // name a database.
    if let Some(database) = &table.database {
        out.tag(1);
        out.str(database);
    }
    out.buf
}

fn encode_column(column: &ColumnSchema) -> Vec<u8> {
    let mut out = Encoder::default();
    out.str(&column.key);
    encode_kind(&mut out, &column.kind);
    out.bool(column.required);
    out.bool(column.array);
    // A null default is no default (validation and Appwrite's model read it so).
    match column.default.as_ref().filter(|v| !v.is_null()) {
        None => out.tag(0),
        Some(value) => {
            out.tag(1);
            out.json(value);
        }
    }
    out.u64(u64::from(column.since));
    // Appended only when set, so that the fingerprints of columns without it (and the checksums
    // recorded from them) stay what they were before columns could be encrypted.
    if column.encrypt {
        out.tag(1);
    }
    out.buf
}

fn encode_kind(out: &mut Encoder, kind: &ColumnKind) {
    // The route type names the variant; it is Appwrite's own and will not be renamed.
    out.str(kind.route_type());
    match kind {
        ColumnKind::Varchar { size } | ColumnKind::String { size } => out.u64(u64::from(*size)),
        ColumnKind::Integer { min, max } | ColumnKind::BigInt { min, max } => {
            out.opt_i64(*min);
            out.opt_i64(*max);
        }
        ColumnKind::Float { min, max } => {
            out.opt_f64(*min);
            out.opt_f64(*max);
        }
        ColumnKind::Enum { elements } => {
            out.len(elements.len());
            for e in elements {
                out.str(e);
            }
        }
        ColumnKind::Relationship(rel) => {
            out.str(&rel.related_table);
            out.str(rel.relation_type.as_str());
            out.bool(rel.two_way);
            out.opt_str(rel.two_way_key.as_deref());
            out.str(rel.on_delete.as_str());
            // Only twins add their side, so that fingerprints recorded before sides existed
            // stay the same.
            if rel.side == RelationSide::Child {
                out.str(rel.side.as_str());
            }
        }
        ColumnKind::Opaque { type_name, model } => {
            out.str(type_name);
            out.str(&model.to_string());
        }
        ColumnKind::Text
        | ColumnKind::MediumText
        | ColumnKind::LongText
        | ColumnKind::Boolean
        | ColumnKind::Datetime
        | ColumnKind::Email
        | ColumnKind::Url
        | ColumnKind::Ip
        | ColumnKind::Point
        | ColumnKind::Line
        | ColumnKind::Polygon => {}
    }
}

fn encode_index(index: &IndexSchema) -> Vec<u8> {
    let mut out = Encoder::default();
    out.str(&index.key);
    out.str(index.kind.as_str());
    out.len(index.columns.len());
    for c in &index.columns {
        out.str(c);
    }
    out.len(index.orders.len());
    for o in &index.orders {
        out.str(o.as_str());
    }
    out.len(index.lengths.len());
    for l in &index.lengths {
        match l {
            None => out.tag(0),
            Some(n) => {
                out.tag(1);
                out.u64(u64::from(*n));
            }
        }
    }
    out.u64(u64::from(index.since));
    out.buf
}

/// Appends the canonical encoding of primitive values.
#[derive(Default)]
struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    fn tag(&mut self, tag: u8) {
        self.buf.push(tag);
    }

    fn u64(&mut self, n: u64) {
        self.raw(&n.to_be_bytes());
    }

    fn len(&mut self, n: usize) {
        // usize is at most 64 bits on every supported platform.
        self.u64(u64::try_from(n).unwrap_or(u64::MAX));
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.len(bytes.len());
        self.raw(bytes);
    }

    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    fn bool(&mut self, b: bool) {
        self.tag(u8::from(b));
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.tag(0),
            Some(s) => {
                self.tag(1);
                self.str(s);
            }
        }
    }

    fn opt_i64(&mut self, n: Option<i64>) {
        match n {
            None => self.tag(0),
            Some(n) => {
                self.tag(1);
                self.raw(&n.to_be_bytes());
            }
        }
    }

    fn opt_f64(&mut self, x: Option<f64>) {
        match x {
            None => self.tag(0),
            Some(x) => {
                self.tag(1);
                let bits = if x.is_nan() {
                    f64::NAN.to_bits()
                } else {
                    x.to_bits()
                };
                self.u64(bits);
            }
        }
    }

    /// Items sorted by key, ties broken by their encoding, each length-prefixed.
    fn sorted<'a>(&mut self, items: impl Iterator<Item = (&'a str, Vec<u8>)>) {
        let mut items: Vec<_> = items.collect();
        items.sort();
        self.len(items.len());
        for (_, bytes) in &items {
            self.bytes(bytes);
        }
    }

    fn json(&mut self, value: &Value) {
        match value {
            Value::Null => self.tag(0),
            Value::Bool(b) => {
                self.tag(1);
                self.bool(*b);
            }
            Value::Number(n) => {
                self.tag(2);
                self.str(&n.to_string());
            }
            Value::String(s) => {
                self.tag(3);
                self.str(s);
            }
            Value::Array(items) => {
                self.tag(4);
                self.len(items.len());
                for item in items {
                    self.json(item);
                }
            }
            Value::Object(map) => {
                self.tag(5);
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                self.len(entries.len());
                for (k, v) in entries {
                    self.str(k);
                    self.json(v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::schema::{
        IndexKind, OnDelete, RelationType, Relationship, SortOrder, schema_fingerprint,
    };

    fn sample() -> TableSchema {
        let mut t = TableSchema::new("users", "Users")
            .column(ColumnSchema::varchar("name", 128).required())
            .column(ColumnSchema::new(
                "age",
                ColumnKind::Integer {
                    min: Some(0),
                    max: Some(150),
                },
            ))
            .column(ColumnSchema::boolean("active").default_value(true))
            .index(IndexSchema::new("by_name", IndexKind::Unique, ["name"]))
            .index(IndexSchema::new(
                "by_age",
                IndexKind::Key,
                ["age", "$createdAt"],
            ));
        t.permissions = vec!["read(\"any\")".into()];
        t
    }

    fn other() -> TableSchema {
        TableSchema::new("posts", "Posts").column(ColumnSchema::new("body", ColumnKind::Text))
    }

    fn differs(change: impl FnOnce(&mut TableSchema)) {
        let mut t = sample();
        change(&mut t);
        assert_ne!(t.fingerprint(), sample().fingerprint(), "{t:?}");
    }

    #[test]
    fn a_database_changes_the_fingerprint_and_none_keeps_it() {
        differs(|t| t.database = Some("analytics".into()));
        let other_db = sample().database("logs").fingerprint();
        assert_ne!(sample().database("analytics").fingerprint(), other_db);
        let mut t = sample();
        t.database = None;
        assert_eq!(t.fingerprint(), sample().fingerprint());
    }

    #[test]
    fn encryption_changes_the_fingerprint_and_its_absence_keeps_it() {
        differs(|t| first_column(t).encrypt = true);
        let mut t = sample();
        first_column(&mut t).encrypt = false;
        assert_eq!(t.fingerprint(), sample().fingerprint());
    }

    fn first_column(t: &mut TableSchema) -> &mut ColumnSchema {
        &mut t.columns[0]
    }

    #[test]
    fn golden() {
        // Pinned: if this changes, the encoding changed; bump DOMAIN's version on purpose.
        assert_eq!(
            sample().fingerprint(),
            "9474e7ea3b1b6ac4995cfa7d669e50c2ac422be10272e964e1d12ecce9d6d8e7"
        );
    }

    #[test]
    fn lowercase_hex_of_64_chars() {
        let f = sample().fingerprint();
        assert_eq!(f.len(), 64);
        assert!(f.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
    }

    #[test]
    fn equal_schemas_give_equal_fingerprints() {
        assert_eq!(sample().fingerprint(), sample().clone().fingerprint());
        // A round trip through serde (what a history record does) keeps it.
        let json = serde_json::to_string(&sample()).unwrap_or_default();
        let back: TableSchema = serde_json::from_str(&json).unwrap_or_else(|_| other());
        assert_eq!(back.fingerprint(), sample().fingerprint());
    }

    #[test]
    fn declaration_order_does_not_matter() {
        let mut t = sample();
        t.columns.reverse();
        t.indexes.reverse();
        assert_eq!(t.fingerprint(), sample().fingerprint());
        assert_eq!(
            schema_fingerprint([&sample(), &other()]),
            schema_fingerprint([&other(), &sample()])
        );
        let mut reordered = sample();
        reordered.permissions = vec!["update(\"any\")".into(), "read(\"any\")".into()];
        let mut sorted = sample();
        sorted.permissions = vec!["read(\"any\")".into(), "update(\"any\")".into()];
        assert_eq!(reordered.fingerprint(), sorted.fingerprint());
    }

    #[test]
    fn default_objects_ignore_key_order() {
        let a = sample().column(
            ColumnSchema::new("meta", ColumnKind::Text).default_value(json!({"a": 1, "b": 2})),
        );
        let b = sample().column(
            ColumnSchema::new("meta", ColumnKind::Text).default_value(json!({"b": 2, "a": 1})),
        );
        assert_eq!(a.fingerprint(), b.fingerprint());
    }

    #[test]
    fn a_null_default_is_no_default() {
        let mut t = sample();
        t.columns[2].default = Some(Value::Null);
        let mut u = sample();
        u.columns[2].default = None;
        assert_eq!(t.fingerprint(), u.fingerprint());
    }

    #[test]
    fn a_declared_rename_is_no_schema_difference() {
        // Once applied, the live column is the declared one: the rename is migration metadata.
        let mut t = sample();
        first_column(&mut t).renamed_from = Some("full_name".into());
        assert_eq!(t.fingerprint(), sample().fingerprint());
        // Also through serde, which keeps it.
        let json = serde_json::to_string(&t).unwrap_or_default();
        assert!(json.contains("\"renamed_from\":\"full_name\""), "{json}");
        let back: TableSchema = serde_json::from_str(&json).unwrap_or_else(|_| other());
        assert_eq!(back, t);
        assert_eq!(back.fingerprint(), sample().fingerprint());
        // Left out of the JSON when there is none, so existing documents keep their shape.
        let plain = serde_json::to_string(&sample()).unwrap_or_default();
        assert!(!plain.contains("renamed_from"), "{plain}");
    }

    #[test]
    fn set_fingerprint_depends_on_every_table() {
        let one = schema_fingerprint([&sample()]);
        let two = schema_fingerprint([&sample(), &other()]);
        assert_ne!(one, two);
        assert_eq!(one, sample().fingerprint());
        assert_ne!(schema_fingerprint([]), one);
    }

    #[test]
    fn table_fields_change_it() {
        differs(|t| t.id = "people".into());
        differs(|t| t.name = "People".into());
        differs(|t| t.permissions.push("create(\"users\")".into()));
        differs(|t| t.permissions.clear());
        differs(|t| t.row_security = true);
        differs(|t| t.since = 2);
        differs(|t| {
            t.columns.pop();
        });
        differs(|t| {
            t.indexes.pop();
        });
    }

    #[test]
    fn column_fields_change_it() {
        differs(|t| first_column(t).key = "full_name".into());
        differs(|t| first_column(t).kind = ColumnKind::Varchar { size: 129 });
        differs(|t| first_column(t).kind = ColumnKind::String { size: 128 });
        differs(|t| first_column(t).kind = ColumnKind::Text);
        differs(|t| first_column(t).required = false);
        differs(|t| first_column(t).array = true);
        differs(|t| first_column(t).default = Some(json!("x")));
        differs(|t| first_column(t).since = 2);
        differs(|t| t.columns[2].default = Some(json!(false)));
        differs(|t| t.columns[2].default = None);
        differs(|t| t.columns[2].default = Some(Value::Null));
    }

    #[test]
    fn kind_settings_change_it() {
        let bounds = |min, max| {
            move |t: &mut TableSchema| t.columns[1].kind = ColumnKind::Integer { min, max }
        };
        differs(bounds(Some(1), Some(150)));
        differs(bounds(Some(0), Some(151)));
        differs(bounds(None, Some(150)));
        differs(bounds(Some(0), None));
        differs(|t| {
            t.columns[1].kind = ColumnKind::BigInt {
                min: Some(0),
                max: Some(150),
            }
        });
        differs(|t| {
            t.columns[1].kind = ColumnKind::Float {
                min: Some(0.0),
                max: Some(150.0),
            }
        });
        let float = |min: f64| {
            let mut t = sample();
            t.columns[1].kind = ColumnKind::Float {
                min: Some(min),
                max: None,
            };
            t.fingerprint()
        };
        assert_ne!(float(0.0), float(0.5));
        assert_eq!(float(f64::NAN), float(-f64::NAN));
        let enumeration = |elements: &[&str]| {
            sample()
                .column(ColumnSchema::enumeration("role", elements.to_vec()))
                .fingerprint()
        };
        assert_ne!(enumeration(&["a", "b"]), enumeration(&["a", "c"]));
        assert_ne!(enumeration(&["a", "b"]), enumeration(&["b", "a"]));
        assert_ne!(enumeration(&["ab"]), enumeration(&["a", "b"]));
    }

    #[test]
    fn relationship_settings_change_it() {
        let rel = |change: fn(&mut Relationship)| {
            let mut r = Relationship {
                related_table: "posts".into(),
                relation_type: RelationType::OneToMany,
                two_way: false,
                two_way_key: None,
                on_delete: OnDelete::Restrict,
                side: Default::default(),
            };
            change(&mut r);
            sample()
                .column(ColumnSchema::new("posts", ColumnKind::Relationship(r)))
                .fingerprint()
        };
        let base = rel(|_| {});
        assert_ne!(base, rel(|r| r.related_table = "articles".into()));
        assert_ne!(base, rel(|r| r.relation_type = RelationType::ManyToMany));
        assert_ne!(base, rel(|r| r.two_way = true));
        assert_ne!(base, rel(|r| r.two_way_key = Some("author".into())));
        assert_ne!(base, rel(|r| r.on_delete = OnDelete::Cascade));
    }

    #[test]
    fn index_fields_change_it() {
        differs(|t| t.indexes[0].key = "by_full_name".into());
        differs(|t| t.indexes[0].kind = IndexKind::Key);
        differs(|t| t.indexes[1].columns.reverse());
        differs(|t| t.indexes[1].columns.push("$id".into()));
        differs(|t| t.indexes[0].orders = vec![SortOrder::Asc]);
        differs(|t| t.indexes[0].orders = vec![SortOrder::Desc]);
        differs(|t| t.indexes[0].lengths = vec![None]);
        differs(|t| t.indexes[0].lengths = vec![Some(10)]);
        differs(|t| t.indexes[0].since = 2);
    }

    #[test]
    fn string_boundaries_cannot_collide() {
        let a = TableSchema::new("t", "T").column(ColumnSchema::enumeration("e", ["ab", "c"]));
        let b = TableSchema::new("t", "T").column(ColumnSchema::enumeration("e", ["a", "bc"]));
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
