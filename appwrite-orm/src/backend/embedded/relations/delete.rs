//! What deleting a row does to its relationships (`onDelete`), as utopia-php/database's
//! `deleteRestrict`, `deleteSetNull` and `deleteCascade` do it.

use super::super::catalog::{Session, TableMeta};
use super::super::errors;
use super::super::select;
use super::super::write as rows;
use super::{Relation, links};
use crate::Result;
use crate::schema::{OnDelete, RelationSide, RelationType};

/// True when `restrict` refuses deleting a row on this side that has related rows: the parent
/// of a oneToOne, oneToMany or manyToMany, and the child (the "one") of a manyToOne.
fn restricts(relation: &Relation) -> bool {
    match relation.rel.side {
        RelationSide::Parent => relation.rel.relation_type != RelationType::ManyToOne,
        RelationSide::Child => relation.rel.relation_type == RelationType::ManyToOne,
    }
}

/// True when `cascade` deletes the related rows of a row deleted on this side: oneToOne on
/// either side, the parent of oneToMany and manyToMany, the child of manyToOne.
fn cascades(relation: &Relation) -> bool {
    match (relation.rel.relation_type, relation.rel.side) {
        (RelationType::OneToOne, _) => true,
        (RelationType::OneToMany | RelationType::ManyToMany, side) => side == RelationSide::Parent,
        (RelationType::ManyToOne, side) => side == RelationSide::Child,
    }
}

/// Applies the `onDelete` rules of every relationship of the row `row_id` of `meta`, then
/// removes its links. `walked` holds the relationships a cascade came through, so that it never
/// walks back along one of them.
pub(in crate::backend::embedded) fn before_delete(
    conn: &Session,
    meta: &TableMeta,
    row_id: &str,
    walked: &mut Vec<String>,
) -> Result<()> {
    let mut relations = Relation::all(conn, meta)?;
    relations.extend(Relation::inbound_one_way(conn, meta)?);
    for relation in &relations {
        if walked.contains(&relation.link) {
            continue;
        }
        let related = links::related_to(conn, relation, row_id)?;
        if related.is_empty() {
            continue;
        }
        match relation.rel.on_delete {
            OnDelete::Restrict if restricts(relation) => {
                // A stored id whose row is gone relates nothing (Appwrite finds no row).
                for id in &related {
                    if select::stamp(conn, &relation.related, id)?.is_some() {
                        return Err(errors::delete_restricted());
                    }
                }
            }
            OnDelete::Cascade if cascades(relation) => {
                walked.push(relation.link.clone());
                links::unlink_row(conn, relation, row_id)?;
                for id in &related {
                    if select::stamp(conn, &relation.related, id)?.is_some() {
                        rows::delete_walked(conn, &relation.related, id, walked)?;
                    }
                }
                walked.pop();
            }
            _ => {}
        }
    }
    super::write::delete_links_of(conn, &relations, row_id)
}
