//! Every Rust name of one generated set, chosen once before anything is rendered: struct,
//! module, field, enum and variant names, each unique in its scope.
//!
//! Tables are named in the order of their ids and columns in the order of their keys, so that
//! the same database always gives the same names (a clash is broken in favour of the id or key
//! that sorts first).

use std::collections::BTreeMap;

use appwrite_orm::api::Table;
use appwrite_orm::schema::ColumnKind;

use crate::naming::{self, Namer};

/// Names the generated code imports or that Rust's prelude holds: no table type may take them.
const RESERVED_TYPES: &[&str] = &[
    "ColumnEnum",
    "DateTime",
    "LineString",
    "Point",
    "Polygon",
    "Ref",
    "RowId",
    "Table",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Send",
    "Sync",
    "Sized",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "Into",
    "Iterator",
    "IntoIterator",
    "ToString",
    "ToOwned",
];

/// The system fields every generated struct has (`$id`, `$createdAt`, `$updatedAt`).
pub(crate) const SYSTEM_FIELDS: &[&str] = &["id", "created_at", "updated_at"];

/// The names of every table of a set, by table id.
#[derive(Debug, Default)]
pub(crate) struct Names {
    tables: BTreeMap<String, TableNames>,
}

/// The names of one table.
#[derive(Debug)]
pub(crate) struct TableNames {
    /// The struct.
    pub(crate) struct_name: String,
    /// Its module, in directory output.
    pub(crate) module: String,
    /// Field name by column key.
    pub(crate) fields: BTreeMap<String, String>,
    /// Enum type and variant names by column key, for enum columns.
    pub(crate) enums: BTreeMap<String, EnumNames>,
}

/// The names of one enum column's type.
#[derive(Debug)]
pub(crate) struct EnumNames {
    /// The enum type.
    pub(crate) type_name: String,
    /// Variant name per element, in the column's element order.
    pub(crate) variants: Vec<(String, String)>,
}

impl Names {
    /// Names for `tables`, which must be sorted by id.
    pub(crate) fn of(tables: &[&Table]) -> Self {
        let mut types = Namer::with_reserved(RESERVED_TYPES.iter().copied());
        let mut modules = Namer::with_reserved(["mod"]);
        let mut structs = Vec::new();
        for table in tables {
            let struct_name = types.unique(&naming::type_name(&table.id));
            // The derive adds `{Struct}Patch` next to the struct.
            types.reserve(format!("{struct_name}Patch"));
            let module = modules.unique(&naming::field_name(&table.id));
            structs.push((table, struct_name, module));
        }
        let mut names = Names::default();
        for (table, struct_name, module) in structs {
            let columns = sorted_columns(table);
            let mut fields = Namer::with_reserved(SYSTEM_FIELDS.iter().copied());
            let mut field_names = BTreeMap::new();
            let mut enums = BTreeMap::new();
            for column in columns {
                let key = &column.schema.key;
                let field = fields.unique(&naming::field_name(key));
                if let ColumnKind::Enum { elements } = &column.schema.kind {
                    let wanted = format!("{struct_name}{}", naming::camel_case(&field));
                    let type_name = types.unique(&wanted);
                    enums.insert(key.clone(), enum_names(type_name, elements));
                }
                field_names.insert(key.clone(), field);
            }
            names.tables.insert(
                table.id.clone(),
                TableNames {
                    struct_name,
                    module,
                    fields: field_names,
                    enums,
                },
            );
        }
        names
    }

    /// The names of table `id`, when it is in the set.
    pub(crate) fn table(&self, id: &str) -> Option<&TableNames> {
        self.tables.get(id)
    }
}

fn enum_names(type_name: String, elements: &[String]) -> EnumNames {
    let mut variants = Namer::default();
    let variants = elements
        .iter()
        .map(|e| (e.clone(), variants.unique(&naming::variant_name(e))))
        .collect();
    EnumNames {
        type_name,
        variants,
    }
}

/// The columns of `table` by key.
pub(crate) fn sorted_columns(table: &Table) -> Vec<&appwrite_orm::api::Column> {
    let mut columns: Vec<_> = table.columns.iter().collect();
    columns.sort_by(|a, b| a.schema.key.cmp(&b.schema.key));
    columns
}
