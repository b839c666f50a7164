//! What a backup keeps of relationship columns, and how a restore splits a table around them.
//!
//! Pure: no I/O. A backup stores the links of every parent-side relationship column as related
//! row ids (a string, or `null`, on a to-one side; a list on a to-many side). Twins (the
//! `side: child` column of a two-way relationship) are not stored: their parent holds the same
//! links, and a twin is created with its parent, never on its own.

use serde_json::Value;

use crate::api::Document;
use crate::query::Query;
use crate::schema::{ColumnKind, ColumnSchema, RelationSide, Relationship, TableSchema};

/// The relationship settings of a column, `None` for other kinds.
pub(crate) fn relationship_of(column: &ColumnSchema) -> Option<&Relationship> {
    match &column.kind {
        ColumnKind::Relationship(rel) => Some(rel),
        _ => None,
    }
}

/// The parent-side relationship columns of a table: those a backup stores links for and a
/// restore creates (their twins come with them).
pub(crate) fn parent_relations(schema: &TableSchema) -> Vec<&ColumnSchema> {
    schema
        .columns
        .iter()
        .filter(|c| relationship_of(c).is_some_and(|rel| rel.side == RelationSide::Parent))
        .collect()
}

/// The table without any relationship column: what a restore creates first, so that its rows
/// can be written in bulk (Appwrite refuses bulk writes on tables with relationship columns).
pub(crate) fn without_relationships(schema: &TableSchema) -> TableSchema {
    TableSchema {
        columns: schema
            .columns
            .iter()
            .filter(|c| relationship_of(c).is_none())
            .cloned()
            .collect(),
        ..schema.clone()
    }
}

/// The read that brings every parent-side relationship's related ids besides the row's own
/// columns (`["*", "key.$id", …]`); `None` for a table without any (a plain read suffices).
/// Reads without a select leave to-many sides out.
pub(crate) fn link_select(schema: &TableSchema) -> Option<Query> {
    let parents = parent_relations(schema);
    if parents.is_empty() {
        return None;
    }
    let attributes =
        std::iter::once("*".to_owned()).chain(parents.iter().map(|c| format!("{}.$id", c.key)));
    Some(Query::select(attributes))
}

/// A relationship value as related ids: a row object stands for its `$id`, a list for the ids
/// of its items; `null` and ids stay as they are.
fn as_ids(value: &Value) -> Value {
    match value {
        Value::Object(row) => row.get("$id").cloned().unwrap_or(Value::Null),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(as_ids)
                .filter(|id| !id.is_null())
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Turns a row read with [`link_select`] into what the backup stores: each parent-side
/// relationship as ids, every twin left out.
pub(crate) fn store_links(schema: &TableSchema, row: &mut Document) {
    for column in &schema.columns {
        let Some(rel) = relationship_of(column) else {
            continue;
        };
        if rel.side == RelationSide::Child {
            row.remove(&column.key);
        } else if let Some(value) = row.get_mut(&column.key) {
            *value = as_ids(value);
        }
    }
}

/// Takes every relationship value out of a backed-up row (`keys`: the table's relationship
/// columns, twins included, as old backups may hold their to-one ids), so that the row can be
/// written before the columns exist. Returns the values of the columns in `restored` that link
/// to something: an id on a to-one side, a non-empty list on a to-many side.
pub(crate) fn take_links(row: &mut Document, keys: &[String], restored: &[String]) -> Document {
    let mut links = Document::new();
    for key in keys {
        let Some(value) = row.remove(key) else {
            continue;
        };
        let ids = as_ids(&value);
        let links_something = match &ids {
            Value::Null => false,
            Value::Array(items) => !items.is_empty(),
            _ => true,
        };
        if links_something && restored.contains(key) {
            links.insert(key.clone(), ids);
        }
    }
    links
}

/// The keys of every relationship column of a table, twins included.
pub(crate) fn relationship_keys(schema: &TableSchema) -> Vec<String> {
    schema
        .columns
        .iter()
        .filter(|c| relationship_of(c).is_some())
        .map(|c| c.key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::RelationType;
    use serde_json::json;

    fn relation(key: &str, related: &str, side: RelationSide, kind: RelationType) -> ColumnSchema {
        let mut rel = Relationship::new(related, kind);
        rel.side = side;
        ColumnSchema::new(key, ColumnKind::Relationship(rel))
    }

    fn books() -> TableSchema {
        TableSchema::new("books", "Books")
            .column(ColumnSchema::varchar("title", 10))
            .column(relation(
                "author",
                "authors",
                RelationSide::Parent,
                RelationType::ManyToOne,
            ))
            .column(relation(
                "tags",
                "tags",
                RelationSide::Parent,
                RelationType::ManyToMany,
            ))
            .column(relation(
                "shelf",
                "shelves",
                RelationSide::Child,
                RelationType::OneToMany,
            ))
    }

    fn doc(value: Value) -> Document {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_backup_reads_parent_sides_and_stores_their_ids() {
        let schema = books();
        assert_eq!(
            link_select(&schema),
            Some(Query::select(["*", "author.$id", "tags.$id"]))
        );
        let plain = TableSchema::new("t", "T").column(ColumnSchema::integer("n"));
        assert_eq!(link_select(&plain), None);
        let mut row = doc(json!({
            "$id": "b1",
            "title": "x",
            "author": {"$id": "a1"},
            "tags": [{"$id": "t1"}, {"$id": "t2"}],
            "shelf": "s1",
        }));
        store_links(&schema, &mut row);
        assert_eq!(
            Value::Object(row),
            json!({"$id": "b1", "title": "x", "author": "a1", "tags": ["t1", "t2"]})
        );
    }

    #[test]
    fn a_restore_creates_tables_without_relationships_and_links_later() {
        let schema = books();
        let bare = without_relationships(&schema);
        assert_eq!(bare.columns.len(), 1);
        assert_eq!(bare.id, "books");
        assert_eq!(
            parent_relations(&schema)
                .iter()
                .map(|c| c.key.as_str())
                .collect::<Vec<_>>(),
            ["author", "tags"]
        );
        let keys = relationship_keys(&schema);
        let restored = ["author".to_owned(), "tags".to_owned()];
        // An old backup's row: a twin's to-one id, a to-many side missing.
        let mut old = doc(json!({"$id": "b1", "title": "x", "author": "a1", "shelf": "s1"}));
        let links = take_links(&mut old, &keys, &restored);
        assert_eq!(Value::Object(old), json!({"$id": "b1", "title": "x"}));
        assert_eq!(Value::Object(links), json!({"author": "a1"}));
        // Nothing linked: nothing to write.
        let mut unlinked = doc(json!({"$id": "b2", "author": null, "tags": []}));
        assert!(take_links(&mut unlinked, &keys, &restored).is_empty());
        assert_eq!(Value::Object(unlinked), json!({"$id": "b2"}));
        // A column that was not restored (its related table is missing) links nothing.
        let mut row = doc(json!({"$id": "b3", "author": "a1", "tags": ["t1"]}));
        let links = take_links(&mut row, &keys, &restored[1..]);
        assert_eq!(Value::Object(links), json!({"tags": ["t1"]}));
    }
}
