//! The meta lists' requests (databases, tables, columns, indexes, transactions): their
//! parameters, read in Appwrite's order, and their answers, paged by the contract's
//! [`listing`]. Row lists are not paged here: their queries go to the engine.

use appwrite_orm::api::listing::{self, ListSpec};
use appwrite_orm::query::Query;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use crate::errors::ApiResult;
use crate::legacy::Family;
use crate::params::Params;
use crate::routes::{json_response, list_body};

/// The parameters of a meta list: `queries`, `search` (on the lists that have it), `total`.
pub(crate) struct ListRequest {
    /// The parsed `queries`, in TablesDB terms once the handler has renamed what it must.
    pub(crate) queries: Vec<Query>,
    search: Option<String>,
    count: bool,
}

impl ListRequest {
    /// Reads the parameters (`search` only when `searchable`), before anything is looked up,
    /// so a bad parameter is answered first as Appwrite does.
    pub(crate) fn read(p: &Params, searchable: bool) -> ApiResult<Self> {
        let queries = p.queries()?;
        let search = if searchable {
            p.optional_str("search", 256)?
        } else {
            None
        };
        let count = p.total()?;
        Ok(Self {
            queries,
            search,
            count,
        })
    }

    /// The answer `{total, <key>: [...]}`: `items` (TablesDB models in creation order) that
    /// match `search`, paged by the queries, in the family's terms.
    pub(crate) fn answer(
        self,
        family: Family,
        key: &'static str,
        items: Vec<Value>,
        spec: ListSpec,
    ) -> ApiResult<Response> {
        let search = self.search.as_deref();
        let items = items
            .into_iter()
            .filter(|item| matches_search(item, search))
            .collect();
        let list = listing::page(items, &self.queries, spec, self.count)?;
        let items = list.items.into_iter().map(|i| family.model(i)).collect();
        Ok(json_response(
            StatusCode::OK,
            &list_body(family, key, list.total, items),
        ))
    }
}

/// Whether `search` words appear in the item's id or name (case-insensitive).
fn matches_search(item: &Value, search: Option<&str>) -> bool {
    let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) else {
        return true;
    };
    let haystack = format!(
        "{} {}",
        item["$id"].as_str().unwrap_or_default(),
        item["name"].as_str().unwrap_or_default()
    )
    .to_lowercase();
    search
        .split_whitespace()
        .any(|word| haystack.contains(&word.to_lowercase()))
}
