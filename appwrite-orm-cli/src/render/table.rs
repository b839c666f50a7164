//! One table → its enums and its `#[derive(Table)]` struct.

use std::collections::{BTreeMap, BTreeSet};

use appwrite_orm::api::Table;
use appwrite_orm::schema::ColumnKind;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::column::scalar_field;
use super::enumeration::enum_item;
use super::index::index_attr;
use super::names::{Names, TableNames, sorted_columns};
use super::relation::relation_field;
use super::{Field, Rendered};

/// What one table renders to.
pub(crate) struct TableItems {
    /// The items: the enums of its enum columns, then the struct.
    pub(crate) tokens: TokenStream,
    /// The `appwrite_orm::model` names the items use.
    pub(crate) imports: BTreeSet<&'static str>,
    /// The struct names of other tables the fields refer to.
    pub(crate) related: BTreeSet<String>,
    /// True when the items include an enum.
    pub(crate) has_enums: bool,
}

/// The items of `table`, named as `all` says.
/// `database`: the database id to name in `#[table(database = ...)]`, if any.
pub(crate) fn table_items(table: &Table, all: &Names, database: Option<&str>) -> TableItems {
    let names = all
        .table(&table.id)
        .expect("every table of the set was named");
    let mut notes = table_notes(table);
    let mut fields = Vec::new();
    let mut enums = Vec::new();
    let mut related = BTreeSet::new();
    for column in sorted_columns(table) {
        let rendered = match &column.schema.kind {
            ColumnKind::Relationship(rel) => {
                if rel.related_table != table.id
                    && let Some(other) = all.table(&rel.related_table)
                {
                    related.insert(other.struct_name.clone());
                }
                relation_field(&table.id, column, names, all)
            }
            _ => scalar_field(column, names),
        };
        match rendered {
            Rendered::Field(field) => {
                if let Some(enum_names) = names.enums.get(&column.schema.key) {
                    enums.push(enum_item(&table.id, &column.schema.key, enum_names));
                }
                fields.push(field);
            }
            Rendered::Omitted(why) => notes.push(format!("Not declared: {why}.")),
        }
    }
    let field_of = index_fields(&fields);
    let mut indexes = Vec::new();
    let mut sorted: Vec<_> = table.indexes.iter().collect();
    sorted.sort_by(|a, b| a.schema.key.cmp(&b.schema.key));
    for index in sorted {
        match index_attr(table, index, &field_of) {
            Ok(attr) => indexes.push(attr),
            Err(why) => notes.push(format!(
                "Not declared: {why}. Migrations report it as undeclared and leave it alone."
            )),
        }
    }
    let mut imports: BTreeSet<&'static str> = ["DateTime", "RowId"].into();
    imports.extend(fields.iter().filter_map(|f| f.import));
    let has_enums = !enums.is_empty();
    let item = struct_item(table, names, database, &fields, &indexes, &notes);
    TableItems {
        tokens: quote!(#(#enums)* #item),
        imports,
        related,
        has_enums,
    }
}

/// Notes on the table's own settings that the derive cannot declare.
fn table_notes(table: &Table) -> Vec<String> {
    let mut notes = Vec::new();
    if !table.enabled {
        notes.push(
            "The table is disabled in Appwrite; the derive has no setting for that, and a \
             disabled table refuses reads and writes."
                .to_owned(),
        );
    }
    notes
}

/// The field name of each column key an index may name, system keys included.
fn index_fields(fields: &[Field]) -> BTreeMap<String, String> {
    let mut map: BTreeMap<String, String> = [
        ("$id", "id"),
        ("$createdAt", "created_at"),
        ("$updatedAt", "updated_at"),
    ]
    .into_iter()
    .map(|(k, f)| (k.to_owned(), f.to_owned()))
    .collect();
    for field in fields {
        map.insert(field.key.clone(), field.name.to_string());
    }
    map
}

fn struct_item(
    table: &Table,
    names: &TableNames,
    database: Option<&str>,
    fields: &[Field],
    indexes: &[TokenStream],
    notes: &[String],
) -> TokenStream {
    let ident = format_ident!("{}", names.struct_name);
    let id = &table.id;
    let name = &table.name;
    let mut table_keys = vec![quote!(id = #id), quote!(name = #name)];
    if let Some(database) = database {
        table_keys.push(quote!(database = #database));
    }
    if table.row_security {
        table_keys.push(quote!(row_security));
    }
    if !table.permissions.is_empty() {
        let mut permissions = table.permissions.clone();
        // Appwrite keeps them as a set; sorted, the output is stable.
        permissions.sort();
        table_keys.push(quote!(permissions(#(#permissions),*)));
    }
    let mut doc = vec![format!(" The table `{id}`.")];
    if !notes.is_empty() {
        doc.push(String::new());
        for note in notes {
            doc.extend(super::doc_lines(note));
        }
    }
    let fields = fields.iter().map(Field::tokens);
    quote! {
        #(#[doc = #doc])*
        #[derive(Table, Debug, Clone)]
        #[table(#(#table_keys),*)]
        #(#indexes)*
        pub struct #ident {
            /// `$id`.
            #[column(id)]
            pub id: RowId,
            /// `$createdAt`.
            #[column(created_at)]
            pub created_at: DateTime,
            /// `$updatedAt`.
            #[column(updated_at)]
            pub updated_at: DateTime,
            #(#fields)*
        }
    }
}
