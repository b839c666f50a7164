//! Typed relationship fields: [`Ref<T>`], a related row's id that may also hold the row, and
//! the selections that load relationships.
//!
//! A relationship field is `Option<Ref<Author>>` on a to-one side (manyToOne, oneToOne) and
//! `Vec<Ref<Book>>` on a to-many side (oneToMany, manyToMany). `RowId` and `Vec<RowId>` work
//! too, as ids only. Typed reads always select the related ids (`author.$id`), so that a field
//! is never read empty because Appwrite left an unselected relationship out;
//! [`TableQuery::with`](crate::TableQuery::with) loads the related rows themselves
//! (`author.*`), and [`Ref::row`] gives them typed.

use std::fmt;

use serde_json::Value;

use super::types::{ColumnType, Filterable, type_error};
use super::{RowId, Table};
use crate::backend::Row;
use crate::schema::{ColumnKind, ColumnSchema, TableSchema, limits};

/// A related row: its id, and the row itself when it was loaded.
pub struct Ref<T> {
    id: RowId,
    row: Option<Box<T>>,
}

impl<T> Ref<T> {
    /// A reference to the row with this id (nothing loaded).
    pub fn new(id: RowId) -> Self {
        Self { id, row: None }
    }

    /// The related row's id.
    pub fn id(&self) -> &RowId {
        &self.id
    }

    /// The related row, when the read loaded it (`with(...)`).
    pub fn row(&self) -> Option<&T> {
        self.row.as_deref()
    }

    /// The related row, when the read loaded it.
    pub fn into_row(self) -> Option<T> {
        self.row.map(|row| *row)
    }
}

impl<T> From<RowId> for Ref<T> {
    fn from(id: RowId) -> Self {
        Self::new(id)
    }
}

impl<T: Clone> Clone for Ref<T> {
    fn clone(&self) -> Self {
        Self {
            id: self.id.clone(),
            row: self.row.clone(),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ref")
            .field("id", &self.id)
            .field("row", &self.row)
            .finish()
    }
}

/// Two references are equal when they name the same row, loaded or not.
impl<T> PartialEq for Ref<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<T: Table> ColumnType for Ref<T> {
    fn column(key: &str) -> ColumnSchema {
        // `#[column(relation(...))]` gives the kind; an id column is what a bare field means.
        ColumnSchema::varchar(key, limits::MAX_KEY_LEN as u32).required()
    }

    /// A reference is written as its id: the row it may hold is not written back.
    fn to_value(&self) -> Value {
        Value::String(self.id.as_str().to_owned())
    }

    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::String(id) => Ok(Self::new(RowId::from_server(id.as_str()))),
            Value::Object(obj) => {
                let id = obj
                    .get("$id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| "a related row without `$id`".to_owned())?;
                let row = Row(obj.clone());
                // A row loaded with only its id (the selection of typed reads) holds no row.
                let loaded = obj.keys().any(|k| !k.starts_with('$'));
                let row = if loaded {
                    Some(Box::new(T::from_row(&row).map_err(|e| e.to_string())?))
                } else {
                    None
                };
                Ok(Self {
                    id: RowId::from_server(id),
                    row,
                })
            }
            v => Err(type_error("a related row or its id", v)),
        }
    }
}

impl<T: Table> Filterable for Ref<T> {
    type Scalar = RowId;
}

/// A relationship field type, naming the model on the other side: `Ref<T>`, `Option<Ref<T>>`
/// and `Vec<Ref<T>>`. [`TableQuery::with`](crate::TableQuery::with) takes columns of these
/// types only.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a relationship field: `with` loads `Option<Ref<T>>` or `Vec<Ref<T>>` fields"
)]
pub trait Related {
    /// The model of the related table.
    type Model: Table;
}

impl<T: Table> Related for Ref<T> {
    type Model = T;
}
impl<T: Table> Related for Option<Ref<T>> {
    type Model = T;
}
impl<T: Table> Related for Vec<Ref<T>> {
    type Model = T;
}

/// The `select` values that bring back every relationship of `schema` as ids, under `prefix`
/// (`""` or `"author."`): `"{prefix}{key}.$id"` for each relationship column.
pub(crate) fn relation_ids(schema: &TableSchema, prefix: &str) -> Vec<String> {
    schema
        .columns
        .iter()
        .filter(|c| matches!(c.kind, ColumnKind::Relationship(_)))
        .map(|c| format!("{prefix}{}.$id", c.key))
        .collect()
}

/// True when the model has relationship columns.
pub(crate) fn has_relations(schema: &TableSchema) -> bool {
    schema
        .columns
        .iter()
        .any(|c| matches!(c.kind, ColumnKind::Relationship(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{RelationType, Relationship};

    #[test]
    fn relation_ids_select_each_relationship_under_the_prefix() {
        let mut schema = TableSchema::new("posts", "Posts");
        schema.columns = vec![
            ColumnSchema::varchar("title", 10),
            ColumnSchema::new(
                "author",
                ColumnKind::Relationship(Relationship::new("authors", RelationType::ManyToOne)),
            ),
        ];
        assert_eq!(relation_ids(&schema, ""), ["author.$id"]);
        assert_eq!(relation_ids(&schema, "post."), ["post.author.$id"]);
        assert!(has_relations(&schema));
    }
}
