//! The `TableSchema` value: the table's settings, one column per column field (the type's
//! default column with the attributes applied on top), and the indexes.

use proc_macro2::{Literal, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::attr::Number;
use crate::model::{
    ColumnModel, DefaultValue, FieldModel, IndexKind, IndexModel, KindOverride, OnDelete,
    RelationKind, SortOrder, TableModel,
};
use crate::ty::Scalar;

/// An expression that builds the table's schema.
pub(super) fn schema_expr(model: &TableModel<'_>) -> TokenStream {
    let id = &model.id;
    let name = &model.name;
    let since = model.since;
    let row_security = model.row_security;
    let permissions = &model.permissions;
    let columns = model
        .columns()
        .map(|(field, column)| column_expr(field, column));
    let indexes = model.indexes.iter().map(index_expr);
    let database = model.database.as_ref().map(|id| {
        quote!(table.database = ::std::option::Option::Some(::std::string::String::from(#id));)
    });
    quote! {{
        let mut table = ::appwrite_orm::schema::TableSchema::new(#id, #name);
        table.since = #since;
        table.row_security = #row_security;
        table.permissions = ::std::vec![#(::std::string::String::from(#permissions)),*];
        table.columns = ::std::vec![#(#columns),*];
        table.indexes = ::std::vec![#(#indexes),*];
        #database
        table
    }}
}

fn column_expr(field: &FieldModel<'_>, column: &ColumnModel) -> TokenStream {
    let ty = field.ty;
    let key = &column.key;
    // Spanned at the type: a type without a column is reported there.
    let base = quote_spanned! {ty.span()=>
        <#ty as ::appwrite_orm::model::ColumnType>::column(#key)
    };
    let mut steps = Vec::new();
    let kind = quote!(::appwrite_orm::schema::ColumnKind);
    let private = quote!(::appwrite_orm::model::__private);
    match column.kind {
        KindOverride::None => {}
        KindOverride::Varchar(size) => {
            steps.push(quote!(column.kind = #kind::Varchar { size: #size };))
        }
        KindOverride::Text => steps.push(quote!(column.kind = #kind::Text;)),
        KindOverride::MediumText => steps.push(quote!(column.kind = #kind::MediumText;)),
        KindOverride::LongText => steps.push(quote!(column.kind = #kind::LongText;)),
        KindOverride::String(size) => {
            steps.push(quote!(column.kind = #kind::String { size: #size };))
        }
        KindOverride::Email => steps.push(quote!(column.kind = #kind::Email;)),
        KindOverride::Url => steps.push(quote!(column.kind = #kind::Url;)),
        KindOverride::Ip => steps.push(quote!(column.kind = #kind::Ip;)),
    }
    if column.bigint {
        steps.push(quote!(#private::bigint(&mut column);));
    }
    if column.min.is_some() || column.max.is_some() {
        steps.push(bounds(field, column));
    }
    if column.required {
        steps.push(quote!(column.required = true;));
    }
    if column.encrypt {
        steps.push(quote!(column.encrypt = true;));
    }
    if let Some(default) = &column.default {
        let value = default_value(default);
        // Appwrite forbids a default on a required column: the column becomes optional, and a
        // non-Option field reads a missing value as the default.
        steps.push(quote! {
            column.required = false;
            column.default = ::std::option::Option::Some(#value);
        });
    }
    if let Some(relation) = &column.relation {
        let table = &relation.table;
        let relation_type = match relation.kind {
            RelationKind::OneToOne => quote!(OneToOne),
            RelationKind::OneToMany => quote!(OneToMany),
            RelationKind::ManyToOne => quote!(ManyToOne),
            RelationKind::ManyToMany => quote!(ManyToMany),
        };
        let on_delete = match relation.on_delete {
            OnDelete::Restrict => quote!(Restrict),
            OnDelete::Cascade => quote!(Cascade),
            OnDelete::SetNull => quote!(SetNull),
        };
        let two_way = relation.two_way;
        let side = if relation.twin {
            quote!(Child)
        } else {
            quote!(Parent)
        };
        let two_way_key = match &relation.two_way_key {
            Some(k) => quote!(::std::option::Option::Some(::std::string::String::from(#k))),
            None => quote!(::std::option::Option::None),
        };
        // Appwrite's relationship columns have neither `required` nor `array`: the kind says
        // how many rows a side holds. Keeping both false matches what the server reports.
        steps.push(quote! {
            column.kind = #kind::Relationship(::appwrite_orm::schema::Relationship {
                related_table: ::std::string::String::from(#table),
                relation_type: ::appwrite_orm::schema::RelationType::#relation_type,
                two_way: #two_way,
                two_way_key: #two_way_key,
                on_delete: ::appwrite_orm::schema::OnDelete::#on_delete,
                side: ::appwrite_orm::schema::RelationSide::#side,
            });
            column.required = false;
            column.array = false;
        });
    }
    if let Some(from) = &column.renamed_from {
        let from = from.value();
        steps.push(quote! {
            column.renamed_from = ::std::option::Option::Some(::std::string::String::from(#from));
        });
    }
    let since = column.since;
    quote! {{
        let mut column = #base;
        #(#steps)*
        column.since = #since;
        column
    }}
}

/// `min`/`max`: float bounds for a float field or a fractional literal, integer bounds
/// otherwise.
fn bounds(field: &FieldModel<'_>, column: &ColumnModel) -> TokenStream {
    let float = matches!(field.info.scalar, Scalar::Float(_))
        || matches!(column.min, Some(Number::Float(_)))
        || matches!(column.max, Some(Number::Float(_)));
    let bound = |n: Option<Number>| match n {
        None => quote!(::std::option::Option::None),
        Some(n) if float => {
            let lit = Literal::f64_suffixed(finite(n.as_f64()));
            quote!(::std::option::Option::Some(#lit))
        }
        Some(Number::Int(v)) => {
            // Checked against the field's range (at most i64) before expansion.
            let lit = Literal::i64_suffixed(v as i64);
            quote!(::std::option::Option::Some(#lit))
        }
        Some(Number::Float(f)) => {
            let lit = Literal::f64_suffixed(finite(f));
            quote!(::std::option::Option::Some(#lit))
        }
    };
    let (min, max) = (bound(column.min), bound(column.max));
    if float {
        quote!(::appwrite_orm::model::__private::float_bounds(&mut column, #min, #max);)
    } else {
        quote!(::appwrite_orm::model::__private::int_bounds(&mut column, #min, #max);)
    }
}

/// `Literal::f64_suffixed` refuses non-finite values; the checks reported them already.
fn finite(f: f64) -> f64 {
    if f.is_finite() { f } else { 0.0 }
}

/// The JSON value of a default.
pub(super) fn default_value(default: &DefaultValue) -> TokenStream {
    let value = quote!(::appwrite_orm::model::__private::Value);
    match default {
        DefaultValue::Str(s) => quote!(#value::from(#s)),
        DefaultValue::Int(n) => {
            let lit = Literal::i64_suffixed(*n);
            quote!(#value::from(#lit))
        }
        DefaultValue::Float(f) => {
            let lit = Literal::f64_suffixed(finite(*f));
            quote!(#value::from(#lit))
        }
        DefaultValue::Bool(b) => quote!(#value::Bool(#b)),
    }
}

fn index_expr(index: &IndexModel) -> TokenStream {
    let key = &index.key;
    let kind = match index.kind {
        IndexKind::Key => quote!(Key),
        IndexKind::Unique => quote!(Unique),
        IndexKind::Fulltext => quote!(Fulltext),
        IndexKind::Spatial => quote!(Spatial),
    };
    let columns = &index.columns;
    let orders = (!index.orders.is_empty()).then(|| {
        let orders = index.orders.iter().map(|o| match o {
            SortOrder::Asc => quote!(::appwrite_orm::schema::SortOrder::Asc),
            SortOrder::Desc => quote!(::appwrite_orm::schema::SortOrder::Desc),
        });
        quote!(.orders([#(#orders),*]))
    });
    let since = index.since;
    let lengths = index.lengths.iter().map(|l| match l {
        Some(n) => quote!(::std::option::Option::Some(#n)),
        None => quote!(::std::option::Option::None),
    });
    quote! {{
        let mut index = ::appwrite_orm::schema::IndexSchema::new(
            #key,
            ::appwrite_orm::schema::IndexKind::#kind,
            [#(#columns),*],
        )
        #orders
        .since(#since);
        index.lengths = ::std::vec![#(#lengths),*];
        index
    }}
}
