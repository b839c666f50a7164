//! Columns and indexes, the two parts of a table's schema: read, listed and deleted alike, by
//! one handler each over [`TablePart`]. Creating and updating them differ and stay in
//! [`columns`](super::columns) and [`indexes`](super::indexes).

use std::future::Future;
use std::pin::Pin;

use appwrite_orm::api::listing::{self, ListSpec};
use appwrite_orm::backend::{Backend, Column, Index, List};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::{P, json_response, no_content};
use crate::errors::ApiResult;
use crate::legacy::Family;
use crate::listing::ListRequest;
use crate::params::Params;
use crate::state::AppState;

/// What the backend's calls answer.
type Answer<'a, T> = Pin<Box<dyn Future<Output = appwrite_orm::Result<T>> + Send + 'a>>;

/// A column or an index, as its routes see it.
pub(crate) trait TablePart: Sized + Send + Sync + 'static {
    /// The list key of `GET …/{parts}` (TablesDB name).
    const LIST_KEY: &'static str;
    /// What the list's queries may name.
    const SPEC: ListSpec;
    /// All of a table's parts, in creation order.
    fn list<'a>(backend: &'a dyn Backend, db: &'a str, table: &'a str) -> Answer<'a, List<Self>>;
    /// One part by key.
    fn get<'a>(
        backend: &'a dyn Backend,
        db: &'a str,
        table: &'a str,
        key: &'a str,
    ) -> Answer<'a, Self>;
    /// Deletes one part by key.
    fn delete<'a>(
        backend: &'a dyn Backend,
        db: &'a str,
        table: &'a str,
        key: &'a str,
    ) -> Answer<'a, ()>;
    /// The model, in TablesDB terms.
    fn model(&self) -> Value;
}

/// Implements [`TablePart`] by the backend's calls for the part.
macro_rules! table_part {
    ($part:ty, $key:literal, $spec:expr, $list:ident, $get:ident, $delete:ident) => {
        impl TablePart for $part {
            const LIST_KEY: &'static str = $key;
            const SPEC: ListSpec = $spec;
            fn list<'a>(
                backend: &'a dyn Backend,
                db: &'a str,
                table: &'a str,
            ) -> Answer<'a, List<Self>> {
                backend.$list(db, table)
            }
            fn get<'a>(
                backend: &'a dyn Backend,
                db: &'a str,
                table: &'a str,
                key: &'a str,
            ) -> Answer<'a, Self> {
                backend.$get(db, table, key)
            }
            fn delete<'a>(
                backend: &'a dyn Backend,
                db: &'a str,
                table: &'a str,
                key: &'a str,
            ) -> Answer<'a, ()> {
                backend.$delete(db, table, key)
            }
            fn model(&self) -> Value {
                self.to_json()
            }
        }
    };
}

table_part!(
    Column,
    "columns",
    listing::COLUMNS,
    list_columns,
    get_column,
    delete_column
);
table_part!(
    Index,
    "indexes",
    listing::INDEXES,
    list_indexes,
    get_index,
    delete_index
);

/// A column or index model in the family's terms.
pub(crate) fn part_json<T: TablePart>(family: Family, part: &T) -> Value {
    family.model(part.model())
}

/// `GET …/columns` and `GET …/indexes`: `queries` on the list's attributes; `total`.
pub(crate) async fn list<T: TablePart>(
    State(state): State<AppState>,
    family: Family,
    P((db, table)): P<(String, String)>,
    p: Params,
) -> ApiResult<Response> {
    let request = ListRequest::read(&p, false)?;
    let parts = T::list(state.backend.as_ref(), &db, &table).await?;
    let items = parts.items.iter().map(T::model).collect();
    request.answer(family, T::LIST_KEY, items, T::SPEC)
}

/// `GET …/columns/{key}` and `GET …/indexes/{key}`.
pub(crate) async fn get<T: TablePart>(
    State(state): State<AppState>,
    family: Family,
    P((db, table, key)): P<(String, String, String)>,
) -> ApiResult<Response> {
    let part = T::get(state.backend.as_ref(), &db, &table, &key).await?;
    Ok(json_response(StatusCode::OK, &part_json(family, &part)))
}

/// `DELETE …/columns/{key}` and `DELETE …/indexes/{key}`: 204; the part goes through
/// `deleting`.
pub(crate) async fn delete<T: TablePart>(
    State(state): State<AppState>,
    P((db, table, key)): P<(String, String, String)>,
) -> ApiResult<Response> {
    T::delete(state.backend.as_ref(), &db, &table, &key).await?;
    Ok(no_content())
}
