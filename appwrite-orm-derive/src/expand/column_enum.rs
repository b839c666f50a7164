//! `#[derive(ColumnEnum)]`: an enum column whose elements are the variants' names.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::EnumModel;

pub(super) fn column_enum(model: &EnumModel<'_>) -> TokenStream {
    let ident = model.ident;
    let variants: Vec<_> = model.variants.iter().map(|(v, _)| *v).collect();
    let elements: Vec<_> = model.variants.iter().map(|(_, e)| e.as_str()).collect();
    let allowed = elements
        .iter()
        .map(|e| format!("{e:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let value = quote!(::appwrite_orm::model::__private::Value);
    quote! {
        const _: () = {
            #[automatically_derived]
            impl ::appwrite_orm::model::ColumnType for #ident {
                fn column(key: &str) -> ::appwrite_orm::schema::ColumnSchema {
                    ::appwrite_orm::schema::ColumnSchema::enumeration(key, [#(#elements),*]).required()
                }

                fn to_value(&self) -> #value {
                    let element = match self {
                        #(Self::#variants => #elements,)*
                    };
                    #value::String(::std::string::String::from(element))
                }

                fn from_value(value: &#value) -> ::std::result::Result<Self, ::std::string::String> {
                    match value {
                        #value::String(text) => match text.as_str() {
                            #(#elements => ::std::result::Result::Ok(Self::#variants),)*
                            other => ::std::result::Result::Err(::std::format!(
                                "{:?} is not one of {}",
                                other,
                                #allowed,
                            )),
                        },
                        other => ::std::result::Result::Err(
                            ::appwrite_orm::model::__private::type_error("an enum element string", other),
                        ),
                    }
                }
            }

            #[automatically_derived]
            impl ::appwrite_orm::model::Filterable for #ident {
                type Scalar = Self;
            }
        };
    }
}
