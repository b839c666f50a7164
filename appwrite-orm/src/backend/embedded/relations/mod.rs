//! Relationship columns, as Appwrite 1.9.6 (utopia-php/database 6.0) has them.
//!
//! What Appwrite does, read from its source (`Databases/.../Attributes/Relationship/Create.php`,
//! `Attributes/Action.php`, `Documents/{Get,XList,Create,Update,Delete}.php`; utopia-php/database
//! `Database.php`: `createDocumentRelationships`, `relateDocuments*`,
//! `updateDocumentRelationships`, `deleteRestrict`/`deleteSetNull`/`deleteCascade`,
//! `populateDocumentsRelationships`), and how this engine keeps it:
//!
//! - **Columns.** Creating a relationship column (`key` defaults to the related table's id,
//!   `twoWayKey` to this table's id) with `twoWay` also creates its twin on the related table:
//!   same type, `side: child`, `relatedTable` this table, `twoWayKey` the parent's key. Both
//!   share `onDelete`; `PATCH …/relationship` changes it (and `newKey`) on both; deleting
//!   either side deletes the pair, and deleting a table deletes its relationships.
//! - **Values.** A row stores nothing for a relationship in its own SQL table: every link is a
//!   pair (parent row, child row) in one link store (`aw_links`), keyed by the parent column.
//!   Appwrite stores the to-one sides in a column and the many-to-many pairs in a junction
//!   table; the pairs are the same information, read the same way from both sides.
//! - **Writes.** A value is a related row id, a row object (updated when a row with its `$id`
//!   exists, created otherwise, inheriting the writer's permissions when it has none), or a list
//!   of those on a to-many side. A to-one value replaces the link, a list replaces the set. A
//!   related row can have only one partner on a to-one side: on oneToOne a second partner is a
//!   409 `row_already_exists`; on the one side of oneToMany/manyToOne the row moves to its new
//!   parent. Nested writes stop at depth 3, where Appwrite drops deeper relationship keys.
//! - **Reads.** Without a `select` naming a relationship (`author.*`, `author.name`), to-one
//!   sides answer the related row's id (Appwrite reads its stored column) and to-many sides are
//!   left out. A nested select loads the related rows with the columns it names, level by level
//!   (`author.books.*`). A write answers with every relationship loaded, level by level, as
//!   Appwrite's writes populate with no selection (its reads without a select skip
//!   relationships instead). Either way related rows come without the twin pointing back at
//!   the rows they were loaded for, and loading stops two levels down: a relationship of rows
//!   at the third level is left out (`populateDocumentsRelationships` removes it there).
//!   Filters `equal`/`notEqual`/`isNull`/`isNotNull` apply to the related ids; a dotted
//!   attribute (`author.name`) filters through the relationship.
//! - **Deletes** (`onDelete`, per side, as `Database::deleteDocumentRelationships`):
//!   `restrict` refuses (403 `row_delete_restricted`) deleting the parent of a oneToOne,
//!   oneToMany or manyToMany, or the child of a manyToOne, while it has related rows; `setNull`
//!   unlinks; `cascade` deletes the related rows where the deleted row is the "one" (oneToOne
//!   either side, oneToMany parent, manyToOne child, manyToMany parent), through chains, never
//!   walking back along the relationship it came from.

mod delete;
mod links;
mod read;
mod schema;
mod write;

pub(super) use delete::before_delete;
pub(super) use links::init;
pub(super) use read::{Selection, populate, relation_filter};
pub(super) use schema::{
    create_relationship, delete_relationships_of, drop_relationship, update_relationship,
};
pub(super) use write::{Mode, apply_values, take_relation_values};

use std::sync::Arc;

use super::catalog::{self, Session, TableMeta};
use crate::Result;
use crate::schema::{ColumnSchema, RelationSide, RelationType, Relationship};

/// How deep nested writes and reads go (Appwrite's `Database::RELATION_MAX_DEPTH`).
pub(super) const MAX_DEPTH: usize = 3;

/// A relationship column seen from the table that has it: its settings, the related table, and
/// where its pairs live in the link store.
#[derive(Debug, Clone)]
pub(super) struct Relation {
    /// The column's settings.
    pub rel: Relationship,
    /// The related table.
    pub related: Arc<TableMeta>,
    /// The link store key of the pair: the parent table's seq and the parent column's key.
    pub link: String,
}

impl Relation {
    /// Resolves a relationship column of `meta`.
    pub fn of(conn: &Session, meta: &TableMeta, column: &ColumnSchema) -> Result<Self> {
        let crate::schema::ColumnKind::Relationship(rel) = &column.kind else {
            return Err(crate::Error::Internal(format!(
                "column {:?} is not a relationship",
                column.key
            )));
        };
        let related = catalog::load_table(conn, &meta.table.database_id, &rel.related_table)?;
        let link = match rel.side {
            RelationSide::Parent => link_key(meta.seq, &column.key),
            RelationSide::Child => {
                link_key(related.seq, rel.two_way_key.as_deref().unwrap_or_default())
            }
        };
        Ok(Self {
            rel: rel.clone(),
            related,
            link,
        })
    }

    /// Every available relationship column of `meta`, resolved.
    pub fn all(conn: &Session, meta: &TableMeta) -> Result<Vec<Self>> {
        meta.relations
            .iter()
            .map(|c| Self::of(conn, meta, c))
            .collect()
    }

    /// The one-way relationships of other tables (and of this one) that point at `meta`, seen
    /// from `meta`'s side. Appwrite keeps no column for them here, but their `onDelete` still
    /// applies when one of `meta`'s rows is deleted (utopia-php/database keeps both sides).
    pub fn inbound_one_way(conn: &Session, meta: &TableMeta) -> Result<Vec<Self>> {
        let mut out = Vec::new();
        // Table metadata comes from the session's cache: a delete reads no catalog row.
        for id in catalog::table_ids(conn, &meta.table.database_id)? {
            let other = catalog::load_table(conn, &meta.table.database_id, &id)?;
            for column in &other.relations {
                let crate::schema::ColumnKind::Relationship(rel) = &column.kind else {
                    continue;
                };
                if rel.side != RelationSide::Parent
                    || rel.two_way
                    || rel.related_table != meta.table.id
                {
                    continue;
                }
                let mut seen_from_here = rel.clone();
                seen_from_here.side = RelationSide::Child;
                seen_from_here.related_table = other.table.id.clone();
                seen_from_here.two_way_key = Some(column.key.clone());
                out.push(Self {
                    rel: seen_from_here,
                    related: Arc::clone(&other),
                    link: link_key(other.seq, &column.key),
                });
            }
        }
        Ok(out)
    }

    /// The link store column holding this side's row ids.
    fn this_end(&self) -> &'static str {
        match self.rel.side {
            RelationSide::Parent => "_parent",
            RelationSide::Child => "_child",
        }
    }

    /// The link store column holding the related rows' ids.
    fn other_end(&self) -> &'static str {
        match self.rel.side {
            RelationSide::Parent => "_child",
            RelationSide::Child => "_parent",
        }
    }

    /// True when a row on this side relates to many rows.
    pub fn to_many(&self) -> bool {
        self.rel.is_to_many()
    }

    /// The same relationship seen from a related row: its links read the other way.
    fn reversed(&self) -> Self {
        let mut reversed = self.clone();
        reversed.rel.side = self.rel.side.other();
        reversed
    }

    /// True when a related row relates to many rows of this table.
    fn other_side_to_many(&self) -> bool {
        self.reversed().to_many()
    }

    fn is_one_to_one(&self) -> bool {
        self.rel.relation_type == RelationType::OneToOne
    }
}

/// The link store key of a relationship: its parent column's table and key.
pub(super) fn link_key(parent_seq: i64, parent_key: &str) -> String {
    format!("{parent_seq}:{parent_key}")
}
