//! The schema a dry run simulates: the recorded schema writes, kept so that later reads of
//! tables show them. Pure: the recorder hands in what it recorded and the live tables it read.
//!
//! A table read shows the live table with the changes recorded since: columns and indexes
//! created (`available`, as the server shows them once the wait for them is over) or changed,
//! settings updated, and deletions left out. A table created by the simulation is shown as
//! created, with what was recorded on it since; a deleted one is not found.
//!
//! Row reads need to know which columns exist only here: the [`Held`] value of each, what every
//! existing row holds there (null, or what a recorded bulk update set in every row); see
//! [`overlay`](super::overlay).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::overlay::{Held, Simulated};
use crate::api::models::{Column, Document, Index, Table, TableUpdate};

/// A table by database id and table id.
type TableKey = (String, String);

/// What the simulation did to the tables; see the [module](self) docs.
#[derive(Debug, Default)]
pub(crate) struct SimulatedSchema {
    tables: BTreeMap<TableKey, Changes>,
    deleted_tables: BTreeSet<TableKey>,
}

/// The recorded changes of one table.
#[derive(Debug, Default)]
struct Changes {
    /// The table as the simulation created it; `None` for a live table.
    created: Option<Table>,
    update: Option<TableUpdate>,
    /// Columns created or changed, in order.
    columns: Vec<Column>,
    /// Indexes created, in order.
    indexes: Vec<Index>,
    deleted_columns: BTreeSet<String>,
    deleted_indexes: BTreeSet<String>,
    /// Columns absent from the live table, with what every existing row holds there.
    held: Held,
    /// Live columns renamed: by new key, the live key.
    renamed: BTreeMap<String, String>,
}

/// How the simulation sees a table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seen {
    /// Its deletion was recorded.
    Deleted,
    /// The simulation created it: this is the table, nothing is to be read.
    Created(Table),
    /// It is read from the database, then [`SimulatedSchema::present`]ed.
    Live,
}

/// How the simulation answers the row reads of a table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rows {
    /// Only the simulation created the table: it has no rows.
    None,
    /// The live rows, with what the simulation changed in their columns.
    Live(Simulated),
}

fn key(database: &str, table: &str) -> TableKey {
    (database.to_owned(), table.to_owned())
}

/// Replaces the item whose key `key_of` gives with `item`, or appends it.
fn upsert<T>(items: &mut Vec<T>, item: T, key_of: impl Fn(&T) -> &str) {
    let key = key_of(&item).to_owned();
    match items.iter_mut().find(|i| key_of(i) == key) {
        Some(slot) => *slot = item,
        None => items.push(item),
    }
}

impl SimulatedSchema {
    /// How a read of `table` is answered.
    pub(crate) fn seen(&self, database: &str, table: &str) -> Seen {
        let key = key(database, table);
        if self.deleted_tables.contains(&key) {
            return Seen::Deleted;
        }
        match self.tables.get(&key).and_then(|c| c.created.clone()) {
            Some(created) => Seen::Created(self.present(database, created)),
            None => Seen::Live,
        }
    }

    /// `table` (live or created by the simulation) with the changes recorded on it.
    pub(crate) fn present(&self, database: &str, mut table: Table) -> Table {
        let Some(changes) = self.tables.get(&key(database, &table.id)) else {
            return table;
        };
        if let Some(update) = &changes.update {
            if let Some(name) = &update.name {
                table.name = name.clone();
            }
            if let Some(permissions) = &update.permissions {
                table.permissions = permissions.clone();
            }
            table.row_security = update.row_security;
            table.enabled = update.enabled;
        }
        for column in &changes.columns {
            upsert(&mut table.columns, column.clone(), |c| &c.schema.key);
        }
        for index in &changes.indexes {
            upsert(&mut table.indexes, index.clone(), |i| &i.schema.key);
        }
        table
            .columns
            .retain(|c| !changes.deleted_columns.contains(&c.schema.key));
        table
            .indexes
            .retain(|i| !changes.deleted_indexes.contains(&i.schema.key));
        table
    }

    /// The tables the simulation created in `database`, as a read shows them.
    pub(crate) fn created_tables(&self, database: &str) -> Vec<Table> {
        self.tables
            .iter()
            .filter(|((db, _), _)| db == database)
            .filter_map(|(_, changes)| changes.created.clone())
            .map(|table| self.present(database, table))
            .collect()
    }

    /// How the row reads of `table` are answered.
    pub(crate) fn rows(&self, database: &str, table: &str) -> Rows {
        match self.tables.get(&key(database, table)) {
            Some(changes) if changes.created.is_some() => Rows::None,
            Some(changes) => Rows::Live(Simulated {
                held: changes.held.clone(),
                renamed: changes.renamed.clone(),
            }),
            None => Rows::Live(Simulated::default()),
        }
    }

    /// A table created: `table` is how the server answers its creation.
    pub(crate) fn create_table(&mut self, database: &str, table: Table) {
        let key = key(database, &table.id);
        self.deleted_tables.remove(&key);
        self.tables.insert(
            key,
            Changes {
                created: Some(table),
                ..Changes::default()
            },
        );
    }

    /// A table's settings changed.
    pub(crate) fn update_table(&mut self, database: &str, table: &str, update: &TableUpdate) {
        self.changes(database, table).update = Some(update.clone());
    }

    /// A column created; `in_live_table` when the live table has one under its key (its rows
    /// then hold their own values).
    pub(crate) fn create_column(
        &mut self,
        database: &str,
        table: &str,
        column: Column,
        in_live_table: bool,
    ) {
        let changes = self.changes(database, table);
        let key = column.schema.key.clone();
        // Deleted then created again: the live values are gone with the deleted column.
        let fresh = !in_live_table || changes.deleted_columns.remove(&key);
        if fresh && changes.created.is_none() {
            changes.held.insert(key, Value::Null);
        }
        upsert(&mut changes.columns, column, |c| &c.schema.key);
    }

    /// Column `key` changed into `column`; a new key renames it.
    pub(crate) fn update_column(&mut self, database: &str, table: &str, key: &str, column: Column) {
        let changes = self.changes(database, table);
        let new_key = column.schema.key.clone();
        if new_key != key {
            changes.columns.retain(|c| c.schema.key != key);
            changes.deleted_columns.insert(key.to_owned());
            changes.deleted_columns.remove(&new_key);
            let live = changes
                .renamed
                .remove(key)
                .unwrap_or_else(|| key.to_owned());
            // A column only the simulation has keeps what its rows hold under the new key; a
            // live one is read under its live key.
            if let Some(value) = changes.held.remove(key) {
                changes.held.insert(new_key, value);
            } else if changes.created.is_none() && live != new_key {
                changes.renamed.insert(new_key, live);
            }
        }
        upsert(&mut changes.columns, column, |c| &c.schema.key);
    }

    /// An index created.
    pub(crate) fn create_index(&mut self, database: &str, table: &str, index: Index) {
        let changes = self.changes(database, table);
        changes.deleted_indexes.remove(&index.schema.key);
        upsert(&mut changes.indexes, index, |i| &i.schema.key);
    }

    /// A table deleted.
    pub(crate) fn delete_table(&mut self, database: &str, table: &str) {
        let key = key(database, table);
        self.tables.remove(&key);
        self.deleted_tables.insert(key);
    }

    /// A column deleted.
    pub(crate) fn delete_column(&mut self, database: &str, table: &str, key: &str) {
        let changes = self.changes(database, table);
        changes.columns.retain(|c| c.schema.key != key);
        changes.held.remove(key);
        changes.renamed.remove(key);
        changes.deleted_columns.insert(key.to_owned());
    }

    /// An index deleted.
    pub(crate) fn delete_index(&mut self, database: &str, table: &str, key: &str) {
        let changes = self.changes(database, table);
        changes.indexes.retain(|i| i.schema.key != key);
        changes.deleted_indexes.insert(key.to_owned());
    }

    /// A bulk update set `data` in every existing row of `table`: the columns only the
    /// simulation has hold its values from now on.
    pub(crate) fn set_in_every_row(&mut self, database: &str, table: &str, data: &Document) {
        if let Some(changes) = self.tables.get_mut(&key(database, table)) {
            for (column, value) in data {
                if let Some(held) = changes.held.get_mut(column) {
                    *held = value.clone();
                }
            }
        }
    }

    fn changes(&mut self, database: &str, table: &str) -> &mut Changes {
        self.tables.entry(key(database, table)).or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::Live;
    use crate::schema::{ColumnKind, ColumnSchema, IndexKind, IndexSchema};
    use serde_json::json;

    fn live() -> Table {
        let mut table = Table {
            id: "posts".into(),
            name: "Posts".into(),
            database_id: "app".into(),
            created_at: String::new(),
            updated_at: String::new(),
            permissions: Vec::new(),
            row_security: false,
            enabled: true,
            columns: Vec::new(),
            indexes: Vec::new(),
        };
        for key in ["title", "views"] {
            table.columns.push(column(ColumnSchema::varchar(key, 10)));
        }
        table
    }

    /// What row reads meet: `columns` held, nothing renamed.
    fn held<const N: usize>(columns: [(&str, Value); N]) -> Simulated {
        Simulated {
            held: columns
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            renamed: BTreeMap::new(),
        }
    }

    fn column(schema: ColumnSchema) -> Column {
        Live::available(schema, String::new())
    }

    fn keys(table: &Table) -> Vec<&str> {
        table
            .columns
            .iter()
            .map(|c| c.schema.key.as_str())
            .collect()
    }

    #[test]
    fn a_live_table_shows_what_was_created_changed_and_deleted() {
        let mut schema = SimulatedSchema::default();
        let slug = column(ColumnSchema::varchar("slug", 20));
        schema.create_column("app", "posts", slug, false);
        schema.update_column(
            "app",
            "posts",
            "title",
            column(ColumnSchema::varchar("title", 99)),
        );
        schema.delete_column("app", "posts", "views");
        let index = Live::available(
            IndexSchema::new("by_slug", IndexKind::Key, ["slug"]),
            String::new(),
        );
        schema.create_index("app", "posts", index);

        let seen = schema.present("app", live());
        assert_eq!(keys(&seen), ["title", "slug"]);
        assert_eq!(
            seen.column("title").unwrap().schema.kind,
            ColumnKind::Varchar { size: 99 }
        );
        assert!(seen.index("by_slug").is_some());
        assert_eq!(schema.seen("app", "posts"), Seen::Live);
        // The same table id in another database is untouched.
        assert_eq!(keys(&schema.present("other", live())), ["title", "views"]);
        assert_eq!(
            schema.rows("app", "posts"),
            Rows::Live(held([("slug", Value::Null)]))
        );
    }

    #[test]
    fn only_columns_absent_from_the_live_table_are_held() {
        let mut schema = SimulatedSchema::default();
        let title = column(ColumnSchema::varchar("title", 10));
        schema.create_column("app", "posts", title.clone(), true);
        assert_eq!(schema.rows("app", "posts"), Rows::Live(held([])));
        // Deleted, then created again: its live values are gone.
        schema.delete_column("app", "posts", "title");
        schema.create_column("app", "posts", title, true);
        assert_eq!(
            schema.rows("app", "posts"),
            Rows::Live(held([("title", Value::Null)]))
        );
    }

    #[test]
    fn a_bulk_update_of_every_row_sets_what_held_columns_hold() {
        let mut schema = SimulatedSchema::default();
        let status = column(ColumnSchema::varchar("status", 10));
        schema.create_column("app", "posts", status, false);
        let data = json!({"status": "draft", "title": "x"});
        schema.set_in_every_row("app", "posts", data.as_object().unwrap());
        assert_eq!(
            schema.rows("app", "posts"),
            Rows::Live(held([("status", json!("draft"))]))
        );
        // Renamed: the rows hold it under the new key.
        let renamed = column(ColumnSchema::varchar("state", 10));
        schema.update_column("app", "posts", "status", renamed);
        assert_eq!(
            schema.rows("app", "posts"),
            Rows::Live(held([("state", json!("draft"))]))
        );
        assert_eq!(
            keys(&schema.present("app", live())),
            ["title", "views", "state"]
        );
    }

    #[test]
    fn created_and_deleted_tables() {
        let mut schema = SimulatedSchema::default();
        let mut created = live();
        created.id = "drafts".into();
        schema.create_table("app", created);
        let extra = column(ColumnSchema::integer("words"));
        schema.create_column("app", "drafts", extra, false);
        let Seen::Created(seen) = schema.seen("app", "drafts") else {
            panic!("the created table is seen");
        };
        assert_eq!(keys(&seen), ["title", "views", "words"]);
        assert_eq!(schema.rows("app", "drafts"), Rows::None);
        assert_eq!(schema.created_tables("app").len(), 1);
        assert!(schema.created_tables("other").is_empty());

        schema.delete_table("app", "drafts");
        assert_eq!(schema.seen("app", "drafts"), Seen::Deleted);
        assert!(schema.created_tables("app").is_empty());
        schema.delete_table("app", "posts");
        assert_eq!(schema.seen("app", "posts"), Seen::Deleted);
    }

    #[test]
    fn a_renamed_live_column_is_read_under_its_live_key() {
        let mut schema = SimulatedSchema::default();
        let handle = column(ColumnSchema::varchar("handle", 10));
        schema.update_column("app", "posts", "title", handle);
        let renamed = column(ColumnSchema::varchar("name", 10));
        schema.update_column("app", "posts", "handle", renamed);
        assert_eq!(keys(&schema.present("app", live())), ["views", "name"]);
        let Rows::Live(simulated) = schema.rows("app", "posts") else {
            panic!("a live table");
        };
        let expected = BTreeMap::from([("name".to_owned(), "title".to_owned())]);
        assert_eq!(simulated.renamed, expected);
        schema.delete_column("app", "posts", "name");
        assert_eq!(schema.rows("app", "posts"), Rows::Live(held([])));
    }
}
