//! Live tables → Rust source: `#[derive(Table)]` structs and `#[derive(ColumnEnum)]` enums.
//!
//! Pure: the input is the tables as the server describes them ([`appwrite_orm::api::Table`]),
//! the output is source text. Items are built as tokens and printed by `prettyplease`, so the
//! output is formatted as `rustfmt` would and is the same bytes for the same tables, whatever
//! order they are listed in: tables are sorted by id, columns and indexes by key, permissions
//! as text. Each struct declares its table as it is: id, name, row security, permissions, one
//! field per column (with its kind, size, bounds, default, requiredness, array, enum elements,
//! spatial kind, relationship and twin), one `#[index]` per index (with orders and prefix
//! lengths), and the system fields `id`, `created_at` and `updated_at`. What the derive cannot declare (an opaque column, an
//! index on an array, a default of the wrong type, …) is said in the item's doc comment, with
//! why.

mod column;
mod enumeration;
mod field;
mod index;
mod names;
mod print;
mod relation;
mod table;

use std::collections::{BTreeMap, BTreeSet};

use appwrite_orm::api::Table;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

pub(crate) use field::Field;
use names::{Names, TableNames};
pub(crate) use print::doc_lines;
use print::{format, format_compact};
use table::{TableItems, table_items};

/// Why source could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// Two tables of the input have the same id.
    #[error("the table {0:?} is listed twice")]
    DuplicateTable(String),
    /// The generated tokens did not parse as a Rust file (a bug of the generator).
    #[error("the generated code of {what} does not parse: {error}")]
    Unparsable {
        /// Which output.
        what: String,
        /// The parser's message.
        error: String,
    },
}

/// One file of directory output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleFile {
    /// The file name inside the directory (`mod.rs`, `users.rs`, …).
    pub file_name: String,
    /// Its source.
    pub source: String,
}

/// The models of `tables` (of the database `database_id`) as one Rust file, to be added as a
/// module (`mod models;`).
///
/// ```
/// use appwrite_orm::api::Table;
///
/// let users = Table::from_json(&serde_json::json!({
///     "$id": "users", "name": "Users",
///     "columns": [{"key": "fullName", "type": "varchar", "size": 128, "required": true}],
/// }))
/// .unwrap();
/// let code = appwrite_orm_cli::generate(&[users], "default").unwrap();
/// assert!(code.contains("#[column(rename = \"fullName\", size = 128)]\n    pub full_name: String,"));
/// ```
pub fn generate(tables: &[Table], database_id: &str) -> Result<String, GenerateError> {
    generate_with(tables, database_id, Declare::default())
}

/// What the generated models state beyond the tables themselves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Declare {
    /// Name the database on every model (`#[table(database = "...")]`), for a binary whose
    /// connection is to another database (several databases in one binary). Without it, the
    /// models belong to whatever database the binary connects to.
    pub database: bool,
}

/// [`generate`], stating what `declare` asks for.
pub fn generate_with(
    tables: &[Table],
    database_id: &str,
    declare: Declare,
) -> Result<String, GenerateError> {
    let database = declare.database.then_some(database_id);
    let tables = sorted(tables)?;
    let names = Names::of(&tables);
    let items: Vec<TableItems> = tables
        .iter()
        .map(|t| table_items(t, &names, database))
        .collect();
    let header = header(database_id, tables.len());
    let imports = imports(
        items.iter().flat_map(|i| i.imports.iter().copied()),
        items.iter().any(|i| i.has_enums),
    );
    let bodies = items.iter().map(|i| &i.tokens);
    format(
        "the models file",
        quote! {
            #header
            #imports
            #(#bodies)*
        },
    )
}

/// The models of `tables` as a directory: `mod.rs`, which declares one module per table and
/// re-exports its types, and one file per table.
pub fn generate_modules(
    tables: &[Table],
    database_id: &str,
) -> Result<Vec<ModuleFile>, GenerateError> {
    generate_modules_with(tables, database_id, Declare::default())
}

/// [`generate_modules`], stating what `declare` asks for.
pub fn generate_modules_with(
    tables: &[Table],
    database_id: &str,
    declare: Declare,
) -> Result<Vec<ModuleFile>, GenerateError> {
    let database = declare.database.then_some(database_id);
    let tables = sorted(tables)?;
    let names = Names::of(&tables);
    let mut files = Vec::new();
    let mut modules = Vec::new();
    for table in &tables {
        let table_names = names.table(&table.id).expect("every table was named");
        let items = table_items(table, &names, database);
        let file_name = format!("{}.rs", table_names.module);
        let source = format(&file_name, module_tokens(table, &items))?;
        modules.push(module_decl(table, table_names));
        files.push(ModuleFile { file_name, source });
    }
    let header = header(database_id, tables.len());
    let source = format_compact(
        "mod.rs",
        quote! {
            #header
            #(#modules)*
        },
    )?;
    files.insert(
        0,
        ModuleFile {
            file_name: "mod.rs".to_owned(),
            source,
        },
    );
    Ok(files)
}

/// `mod users; pub use users::{Users, UsersRole};`
fn module_decl(table: &Table, names: &TableNames) -> TokenStream {
    let module = format_ident!("{}", names.module);
    let mut types: Vec<Ident> = vec![format_ident!("{}", names.struct_name)];
    types.extend(
        names
            .enums
            .values()
            .map(|e| format_ident!("{}", e.type_name)),
    );
    let doc = format!(" The table `{}`.", table.id);
    quote! {
        #[doc = #doc]
        mod #module;
        pub use #module::{#(#types),*};
    }
}

fn module_tokens(table: &Table, items: &TableItems) -> TokenStream {
    let doc = format!(" The table `{}`.", table.id);
    let imports = imports(items.imports.iter().copied(), items.has_enums);
    let related: Vec<Ident> = items.related.iter().map(|r| format_ident!("{r}")).collect();
    let related = (!related.is_empty()).then(|| quote!(use super::{#(#related),*};));
    let body = &items.tokens;
    // `super` sorts first.
    quote! {
        #![doc = #doc]
        #related
        #imports
        #body
    }
}

/// The tables sorted by id; the same id twice is an error.
fn sorted(tables: &[Table]) -> Result<Vec<&Table>, GenerateError> {
    let mut by_id = BTreeMap::new();
    for table in tables {
        if by_id.insert(table.id.as_str(), table).is_some() {
            return Err(GenerateError::DuplicateTable(table.id.clone()));
        }
    }
    Ok(by_id.into_values().collect())
}

fn header(database_id: &str, count: usize) -> TokenStream {
    let tables = if count == 1 { "table" } else { "tables" };
    let mut lines = doc_lines(&format!(
        "Models of the Appwrite database `{database_id}` ({count} {tables}), generated by \
         `appwrite-orm pull` from its live schema."
    ));
    lines.push(String::new());
    lines.extend(doc_lines(
        "Each struct declares its table as it is now, at version 1. Record that state once \
         with `migrate baseline 1`, then change the schema with `since = N` and `#[migration]`.",
    ));
    quote!(#(#![doc = #lines])*)
}

fn imports(model: impl IntoIterator<Item = &'static str>, enums: bool) -> TokenStream {
    let model: BTreeSet<&str> = model.into_iter().collect();
    let model = model.into_iter().map(|n| format_ident!("{n}"));
    let derives = if enums {
        quote!(
            use appwrite_orm::{ColumnEnum, Table};
        )
    } else {
        quote!(
            use appwrite_orm::Table;
        )
    };
    // In the order `rustfmt` sorts them (`Table` < `model` < `{`), so that formatting the
    // file changes nothing.
    let model = quote!(use appwrite_orm::model::{#(#model),*};);
    if enums {
        quote!(#model #derives)
    } else {
        quote!(#derives #model)
    }
}

/// A column rendered: its field, or why it has none (for the struct's doc comment).
pub(crate) enum Rendered {
    /// The field.
    Field(Field),
    /// Why the column has no field.
    Omitted(String),
}

#[cfg(test)]
mod tests;
