//! One index → one `#[index(...)]` (kind, columns, orders, prefix lengths), or a note on why
//! the derive cannot declare it.

use std::collections::BTreeMap;

use appwrite_orm::api::{Index, Table};
use appwrite_orm::schema::{ColumnKind, IndexKind, SortOrder};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// The `#[index(...)]` attribute of `index`, given the field of each column key (`$id`,
/// `$createdAt` and `$updatedAt` included); `Err` says why the derive cannot declare it.
pub(crate) fn index_attr(
    table: &Table,
    index: &Index,
    fields: &BTreeMap<String, String>,
) -> Result<TokenStream, String> {
    let schema = &index.schema;
    let key = &schema.key;
    let mut columns = Vec::new();
    for column_key in &schema.columns {
        let field = fields.get(column_key).ok_or_else(|| {
            format!("index `{key}` covers `{column_key}`, which has no field in this struct")
        })?;
        if let Some(column) = table.column(column_key) {
            if column.schema.array {
                return Err(format!(
                    "index `{key}` covers the array column `{column_key}`; the derive refuses \
                     indexes on arrays (MariaDB cannot index them)"
                ));
            }
            if matches!(column.schema.kind, ColumnKind::Relationship(_)) {
                return Err(format!(
                    "index `{key}` covers the relationship column `{column_key}`, which the \
                     derive cannot index"
                ));
            }
        }
        columns.push(format_ident!("{field}"));
    }
    let mut keys = vec![quote!(key = #key)];
    match schema.kind {
        IndexKind::Key => {}
        IndexKind::Unique => keys.push(quote!(unique)),
        IndexKind::Fulltext => keys.push(quote!(fulltext)),
        IndexKind::Spatial => keys.push(quote!(spatial)),
    }
    keys.push(quote!(columns(#(#columns),*)));
    if !schema.orders.is_empty() {
        let orders = schema.orders.iter().map(|o| match o {
            SortOrder::Asc => quote!(asc),
            SortOrder::Desc => quote!(desc),
        });
        keys.push(quote!(orders(#(#orders),*)));
    }
    if !schema.lengths.is_empty() {
        let lengths = schema.lengths.iter().map(|l| match l {
            Some(n) => {
                let n = Literal::u32_unsuffixed(*n);
                quote!(#n)
            }
            None => quote!(none),
        });
        keys.push(quote!(lengths(#(#lengths),*)));
    }
    Ok(quote!(#[index(#(#keys),*)]))
}
