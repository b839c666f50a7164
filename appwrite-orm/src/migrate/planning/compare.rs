//! How a declared column, index or table compares with the live one: the same, changeable in
//! place (and how), or not changeable at all. Pure.
//!
//! The comparison reads "the same" the way a server stores things: a bound left out is stored
//! as the type's extreme, a pre-1.9 server stores `varchar` as `string`, a pre-1.9.5 server
//! `bigint` as `integer`, `write(...)` permissions as create, update and delete.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::schema::{ColumnKind, ColumnSchema, IndexSchema, RelationSide, SortOrder, limits};

/// What it takes to turn the live column into the declared one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ColumnDiff {
    /// Nothing.
    Same,
    /// `PATCH …/columns/{type}/{key}` with `desired` (before the steps) and/or making the
    /// column required after the steps.
    InPlace {
        /// What to send, when something changes before the steps.
        desired: Option<ColumnSchema>,
        /// The changes, in words.
        changes: Vec<String>,
        /// The column becomes required (checked and done after the steps).
        make_required: bool,
    },
    /// Appwrite cannot do it in place (type, array flag, encryption, relationship side).
    Incompatible(String),
}

/// Compares a declared column with the live one of the same key.
pub(crate) fn compare_column(declared: &ColumnSchema, live: &ColumnSchema) -> ColumnDiff {
    let mut changes = Vec::new();
    if declared.encrypt != live.encrypt {
        return ColumnDiff::Incompatible(format!(
            "is {} in the database but declared {}",
            encryption(live),
            encryption(declared)
        ));
    }
    if declared.array != live.array {
        return ColumnDiff::Incompatible(format!(
            "is {} in the database but declared {}",
            describe_column(live),
            describe_column(declared)
        ));
    }
    if let Err(()) = compare_kind(&declared.kind, &live.kind, &mut changes) {
        return ColumnDiff::Incompatible(format!(
            "is {} in the database but declared {}",
            describe_column(live),
            describe_column(declared)
        ));
    }
    let declared_default = declared.default.as_ref().filter(|v| !v.is_null());
    let live_default = live.default.as_ref().filter(|v| !v.is_null());
    let default_changed = match (declared_default, live_default) {
        (None, None) => false,
        (Some(a), Some(b)) => !values_equivalent(a, b),
        _ => true,
    };
    if default_changed {
        changes.push(format!(
            "default {} → {}",
            show_value(live_default),
            show_value(declared_default)
        ));
    }
    let make_required = declared.required && !live.required;
    if live.required && !declared.required {
        changes.push("no longer required".to_owned());
    }
    if changes.is_empty() && !make_required {
        return ColumnDiff::Same;
    }
    let desired = (!changes.is_empty()).then(|| {
        let mut desired = declared.clone();
        desired.key = live.key.clone();
        // Until the steps have filled it, the column stays as optional as it is now.
        desired.required = live.required && declared.required;
        if desired.required {
            desired.default = None;
        }
        desired.kind = clear_bounds(&declared.kind, &live.kind);
        desired
    });
    ColumnDiff::InPlace {
        desired,
        changes,
        make_required,
    }
}

/// Compares kinds; in-place changes are pushed to `changes`, `Err` means another type.
fn compare_kind(
    declared: &ColumnKind,
    live: &ColumnKind,
    changes: &mut Vec<String>,
) -> Result<(), ()> {
    use ColumnKind as K;
    match (declared, live) {
        (
            K::Varchar { size: a } | K::String { size: a },
            K::Varchar { size: b } | K::String { size: b },
        ) => {
            if a != b {
                let narrowing = if a < b {
                    " (fails if stored values are longer)"
                } else {
                    ""
                };
                changes.push(format!("size {b} → {a}{narrowing}"));
            }
            Ok(())
        }
        (K::Text, K::Text) | (K::MediumText, K::MediumText) | (K::LongText, K::LongText) => Ok(()),
        // A server before 1.9 stores the text kinds as `string` of their capacity.
        (K::Text | K::MediumText | K::LongText, K::String { size }) => {
            if legacy_text_size(declared) == Some(*size) {
                Ok(())
            } else {
                Err(())
            }
        }
        (
            K::Integer { min: a, max: b } | K::BigInt { min: a, max: b },
            K::Integer { min: c, max: d } | K::BigInt { min: c, max: d },
        ) => {
            if int_bound(*a, i64::MIN) != int_bound(*c, i64::MIN) {
                changes.push(format!("min {} → {}", show_int(*c), show_int(*a)));
            }
            if int_bound(*b, i64::MAX) != int_bound(*d, i64::MAX) {
                changes.push(format!("max {} → {}", show_int(*d), show_int(*b)));
            }
            Ok(())
        }
        (K::Float { min: a, max: b }, K::Float { min: c, max: d }) => {
            if float_bound(*a, -f64::MAX) != float_bound(*c, -f64::MAX) {
                changes.push(format!("min {} → {}", show_float(*c), show_float(*a)));
            }
            if float_bound(*b, f64::MAX) != float_bound(*d, f64::MAX) {
                changes.push(format!("max {} → {}", show_float(*d), show_float(*b)));
            }
            Ok(())
        }
        (K::Enum { elements: a }, K::Enum { elements: b }) => {
            if a != b {
                changes.push(format!("elements [{}] → [{}]", b.join(", "), a.join(", ")));
            }
            Ok(())
        }
        (K::Relationship(a), K::Relationship(b)) => {
            let same_side = a.related_table == b.related_table
                && a.side == b.side
                && a.relation_type == b.relation_type
                && a.two_way == b.two_way
                // Appwrite names the twin after the table when no key is given.
                && (a.two_way_key.is_none() || a.two_way_key == b.two_way_key);
            if !same_side {
                return Err(());
            }
            // A twin's `onDelete` is its parent's: the parent's declaration governs both sides.
            if a.on_delete != b.on_delete && a.side == RelationSide::Parent {
                changes.push(format!(
                    "on delete {} → {}",
                    b.on_delete.as_str(),
                    a.on_delete.as_str()
                ));
            }
            Ok(())
        }
        (K::Boolean, K::Boolean)
        | (K::Datetime, K::Datetime)
        | (K::Email, K::Email)
        | (K::Url, K::Url)
        | (K::Ip, K::Ip)
        | (K::Point, K::Point)
        | (K::Line, K::Line)
        | (K::Polygon, K::Polygon) => Ok(()),
        _ => Err(()),
    }
}

fn legacy_text_size(kind: &ColumnKind) -> Option<u32> {
    match kind {
        ColumnKind::Text => Some(limits::TEXT_SIZE),
        ColumnKind::MediumText => Some(limits::MEDIUMTEXT_SIZE),
        ColumnKind::LongText => Some(limits::MAX_STRING_SIZE),
        _ => None,
    }
}

/// A bound equal to the type's extreme is no bound: that is what Appwrite stores for "none".
fn int_bound(bound: Option<i64>, extreme: i64) -> Option<i64> {
    bound.filter(|b| *b != extreme)
}

fn float_bound(bound: Option<f64>, extreme: f64) -> Option<u64> {
    bound.filter(|b| *b != extreme).map(f64::to_bits)
}

/// The declared kind to send in a PATCH: a bound the declaration drops is sent as the type's
/// extreme, because Appwrite keeps a stored bound when the request leaves it out.
fn clear_bounds(declared: &ColumnKind, live: &ColumnKind) -> ColumnKind {
    use ColumnKind as K;
    match (declared, integer_bounds(live), live) {
        (K::Integer { min, max }, Some((lmin, lmax)), _) => K::Integer {
            min: or_extreme(*min, lmin, i64::MIN),
            max: or_extreme(*max, lmax, i64::MAX),
        },
        (K::BigInt { min, max }, Some((lmin, lmax)), _) => K::BigInt {
            min: or_extreme(*min, lmin, i64::MIN),
            max: or_extreme(*max, lmax, i64::MAX),
        },
        (
            K::Float { min, max },
            _,
            K::Float {
                min: lmin,
                max: lmax,
            },
        ) => K::Float {
            min: or_extreme(*min, *lmin, -f64::MAX),
            max: or_extreme(*max, *lmax, f64::MAX),
        },
        _ => declared.clone(),
    }
}

/// The bounds of a live integer column, whatever its width.
fn integer_bounds(live: &ColumnKind) -> Option<(Option<i64>, Option<i64>)> {
    match live {
        ColumnKind::Integer { min, max } | ColumnKind::BigInt { min, max } => Some((*min, *max)),
        _ => None,
    }
}

/// The declared bound, or the type's `extreme` where the declaration drops a bound the live
/// column has.
fn or_extreme<T>(declared: Option<T>, live: Option<T>, extreme: T) -> Option<T> {
    declared.or(live.map(|_| extreme))
}

/// Two JSON values that a server may store differently but mean the same: numbers by value,
/// datetimes by instant, arrays (coordinates) element by element.
pub(crate) fn values_equivalent(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        // Coordinate arrays: `[1, 2]` declared is the `[1.0, 2.0]` a server answers.
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| values_equivalent(a, b))
        }
        (Value::String(x), Value::String(y)) => {
            x == y
                || matches!(
                    (
                        chrono::DateTime::parse_from_rfc3339(x),
                        chrono::DateTime::parse_from_rfc3339(y)
                    ),
                    (Ok(p), Ok(q)) if p == q
                )
        }
        _ => a == b,
    }
}

/// True when the live index is the declared one.
pub(crate) fn same_index(declared: &IndexSchema, live: &IndexSchema) -> bool {
    let orders = |i: &IndexSchema| -> Vec<SortOrder> {
        if i.orders.is_empty() {
            vec![SortOrder::Asc; i.columns.len()]
        } else {
            i.orders.clone()
        }
    };
    let lengths = |i: &IndexSchema| -> Vec<Option<u32>> {
        if i.lengths.iter().all(Option::is_none) {
            Vec::new()
        } else {
            i.lengths.clone()
        }
    };
    declared.kind == live.kind
        && declared.columns == live.columns
        && orders(declared) == orders(live)
        && lengths(declared) == lengths(live)
}

/// True when two table permission lists grant the same (`write` is create, update and delete).
pub(crate) fn same_permissions(a: &[String], b: &[String]) -> bool {
    expand_permissions(a) == expand_permissions(b)
}

fn expand_permissions(list: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for p in list {
        match p.strip_prefix("write(") {
            Some(role) => {
                for action in ["create", "update", "delete"] {
                    out.insert(format!("{action}({role}"));
                }
            }
            None => {
                out.insert(p.clone());
            }
        }
    }
    out
}

/// A column's type in words: `varchar(255)`, `integer[]`, `enum(a, b)`.
/// `encrypted` or `not encrypted`: the one difference Appwrite reports on an encryption change.
fn encryption(column: &ColumnSchema) -> &'static str {
    if column.encrypt {
        "encrypted"
    } else {
        "not encrypted"
    }
}

pub(crate) fn describe_column(column: &ColumnSchema) -> String {
    let base = match &column.kind {
        ColumnKind::Varchar { size } => format!("varchar({size})"),
        ColumnKind::String { size } => format!("string({size})"),
        ColumnKind::Enum { elements } => format!("enum({})", elements.join(", ")),
        ColumnKind::Relationship(rel) => {
            let mut text = format!(
                "relationship {} to {:?}",
                rel.relation_type.as_str(),
                rel.related_table
            );
            if rel.two_way {
                text.push_str(&format!(
                    " (two-way, twin {:?})",
                    rel.two_way_key.as_deref().unwrap_or_default()
                ));
            }
            if rel.side == RelationSide::Child {
                text.push_str(" (twin side)");
            }
            text
        }
        other => other.route_type().to_owned(),
    };
    if column.array {
        format!("{base}[]")
    } else {
        base
    }
}

/// An index in words: `unique (email)`, `key (role ASC, $createdAt DESC)`.
pub(crate) fn describe_index(index: &IndexSchema) -> String {
    let columns: Vec<String> = index
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| match index.orders.get(i) {
            Some(SortOrder::Desc) => format!("{c} DESC"),
            _ => c.clone(),
        })
        .collect();
    format!("{} ({})", index.kind.as_str(), columns.join(", "))
}

fn show_value(value: Option<&Value>) -> String {
    value.map_or_else(|| "none".to_owned(), Value::to_string)
}

fn show_int(bound: Option<i64>) -> String {
    match int_bound(int_bound(bound, i64::MIN), i64::MAX) {
        Some(b) => b.to_string(),
        None => "none".to_owned(),
    }
}

fn show_float(bound: Option<f64>) -> String {
    match bound.filter(|b| b.is_finite() && b.abs() != f64::MAX) {
        Some(b) => b.to_string(),
        None => "none".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{IndexKind, OnDelete, RelationType, Relationship};
    use serde_json::json;

    #[test]
    fn identical_columns_are_the_same() {
        let c = ColumnSchema::varchar("name", 128).required();
        assert_eq!(compare_column(&c, &c), ColumnDiff::Same);
    }

    #[test]
    fn legacy_storage_forms_compare_equal() {
        let declared = ColumnSchema::varchar("name", 128);
        let live = ColumnSchema::new("name", ColumnKind::String { size: 128 });
        assert_eq!(compare_column(&declared, &live), ColumnDiff::Same);
        let text = ColumnSchema::new("body", ColumnKind::Text);
        let live = ColumnSchema::new("body", ColumnKind::String { size: 65_535 });
        assert_eq!(compare_column(&text, &live), ColumnDiff::Same);
        let big = ColumnSchema::new(
            "n",
            ColumnKind::BigInt {
                min: None,
                max: None,
            },
        );
        let live = ColumnSchema::new(
            "n",
            ColumnKind::Integer {
                min: Some(i64::MIN),
                max: None,
            },
        );
        assert_eq!(compare_column(&big, &live), ColumnDiff::Same);
    }

    #[test]
    fn size_bounds_elements_default_change_in_place() {
        let live = ColumnSchema::varchar("name", 100);
        let declared = ColumnSchema::varchar("name", 200).default_value("x");
        let ColumnDiff::InPlace {
            desired,
            changes,
            make_required,
        } = compare_column(&declared, &live)
        else {
            panic!("in place expected");
        };
        assert!(!make_required);
        assert_eq!(changes, ["size 100 → 200", "default none → \"x\""]);
        assert_eq!(desired.unwrap().kind, ColumnKind::Varchar { size: 200 });

        let live = ColumnSchema::new(
            "n",
            ColumnKind::Integer {
                min: Some(0),
                max: Some(10),
            },
        );
        let declared = ColumnSchema::new(
            "n",
            ColumnKind::Integer {
                min: None,
                max: Some(20),
            },
        );
        let ColumnDiff::InPlace {
            desired, changes, ..
        } = compare_column(&declared, &live)
        else {
            panic!("in place expected");
        };
        assert_eq!(changes, ["min 0 → none", "max 10 → 20"]);
        // A dropped bound is sent as the extreme: Appwrite keeps a bound left out.
        assert_eq!(
            desired.unwrap().kind,
            ColumnKind::Integer {
                min: Some(i64::MIN),
                max: Some(20)
            }
        );

        let live = ColumnSchema::enumeration("s", ["a", "b"]);
        let declared = ColumnSchema::enumeration("s", ["a", "b", "c"]);
        assert!(matches!(
            compare_column(&declared, &live),
            ColumnDiff::InPlace { .. }
        ));
    }

    #[test]
    fn shrinking_a_size_is_flagged() {
        let live = ColumnSchema::varchar("name", 200);
        let declared = ColumnSchema::varchar("name", 100);
        let ColumnDiff::InPlace { changes, .. } = compare_column(&declared, &live) else {
            panic!("in place expected");
        };
        assert_eq!(
            changes,
            ["size 200 → 100 (fails if stored values are longer)"]
        );
    }

    #[test]
    fn becoming_required_waits_for_the_steps() {
        let live = ColumnSchema::varchar("name", 100);
        let declared = ColumnSchema::varchar("name", 100).required();
        assert_eq!(
            compare_column(&declared, &live),
            ColumnDiff::InPlace {
                desired: None,
                changes: vec![],
                make_required: true
            }
        );
        // With another change, the PATCH before the steps keeps the column optional.
        let declared = ColumnSchema::varchar("name", 150).required();
        let ColumnDiff::InPlace {
            desired,
            make_required,
            ..
        } = compare_column(&declared, &live)
        else {
            panic!("in place expected");
        };
        assert!(make_required);
        assert!(!desired.unwrap().required);
        // Dropping `required` is in place.
        let ColumnDiff::InPlace { changes, .. } = compare_column(&live, &declared) else {
            panic!("in place expected");
        };
        assert!(changes.contains(&"no longer required".to_owned()));
    }

    #[test]
    fn type_and_array_changes_are_incompatible() {
        let live = ColumnSchema::varchar("price", 32);
        let declared = ColumnSchema::float("price");
        let ColumnDiff::Incompatible(why) = compare_column(&declared, &live) else {
            panic!("incompatible expected");
        };
        assert_eq!(why, "is varchar(32) in the database but declared float");
        let declared = ColumnSchema::varchar("price", 32).array();
        assert!(matches!(
            compare_column(&declared, &live),
            ColumnDiff::Incompatible(_)
        ));
        let declared = ColumnSchema::new("price", ColumnKind::Text);
        assert!(matches!(
            compare_column(&declared, &live),
            ColumnDiff::Incompatible(_)
        ));
    }

    #[test]
    fn an_encryption_change_is_incompatible() {
        let live = ColumnSchema::varchar("ssn", 200);
        let declared = ColumnSchema::varchar("ssn", 200).encrypt();
        let ColumnDiff::Incompatible(why) = compare_column(&declared, &live) else {
            panic!("incompatible expected");
        };
        assert_eq!(
            why,
            "is not encrypted in the database but declared encrypted"
        );
        let ColumnDiff::Incompatible(why) = compare_column(&live, &declared) else {
            panic!("incompatible expected");
        };
        assert_eq!(
            why,
            "is encrypted in the database but declared not encrypted"
        );
        assert_eq!(compare_column(&declared, &declared), ColumnDiff::Same);
    }

    #[test]
    fn relationships_change_on_delete_only() {
        let rel = |on_delete, related: &str| {
            ColumnSchema::new(
                "author",
                ColumnKind::Relationship(Relationship {
                    related_table: related.into(),
                    relation_type: RelationType::ManyToOne,
                    two_way: false,
                    two_way_key: None,
                    on_delete,
                    side: Default::default(),
                }),
            )
        };
        assert!(matches!(
            compare_column(
                &rel(OnDelete::Cascade, "authors"),
                &rel(OnDelete::Restrict, "authors")
            ),
            ColumnDiff::InPlace { .. }
        ));
        assert!(matches!(
            compare_column(
                &rel(OnDelete::Cascade, "people"),
                &rel(OnDelete::Cascade, "authors")
            ),
            ColumnDiff::Incompatible(_)
        ));
    }

    #[test]
    fn values_compare_by_meaning() {
        assert!(values_equivalent(&json!(1), &json!(1.0)));
        assert!(values_equivalent(
            &json!("2025-01-02T03:04:05Z"),
            &json!("2025-01-02T03:04:05.000+00:00")
        ));
        assert!(!values_equivalent(&json!("a"), &json!("b")));
        assert!(!values_equivalent(&json!(true), &json!("true")));
    }

    #[test]
    fn indexes_compare_with_default_orders() {
        let a = IndexSchema::new("by", IndexKind::Key, ["a", "b"]);
        let b = a.clone().orders([SortOrder::Asc, SortOrder::Asc]);
        assert!(same_index(&a, &b));
        let c = a.clone().orders([SortOrder::Asc, SortOrder::Desc]);
        assert!(!same_index(&a, &c));
        let d = IndexSchema::new("by", IndexKind::Unique, ["a", "b"]);
        assert!(!same_index(&a, &d));
        assert_eq!(describe_index(&c), "key (a, b DESC)");
    }

    #[test]
    fn write_permissions_expand() {
        let a = vec!["write(\"any\")".to_owned(), "read(\"any\")".to_owned()];
        let b: Vec<String> = ["read", "create", "update", "delete"]
            .iter()
            .map(|x| format!("{x}(\"any\")"))
            .collect();
        assert!(same_permissions(&a, &b));
        assert!(!same_permissions(&a, &b[..2]));
    }
}
