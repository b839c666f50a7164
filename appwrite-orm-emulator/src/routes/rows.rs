//! `…/rows` (legacy `…/documents`): create one or many, get, list, update, upsert, delete,
//! bulk upsert/update/delete, increment and decrement, each optionally staged in a
//! transaction (`transactionId`).
//!
//! Queries are parsed from their wire form and passed to the engine as they are.

use appwrite_orm::api::error;
use appwrite_orm::backend::{
    Document, List, ListOptions, Operation, OperationAction, Row, Table, UNIQUE_ID,
};
use appwrite_orm::error::types;
use appwrite_orm::query::{Query, QueryClass};
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{P, json_response, list_body, no_content, now};
use crate::auth::{Action, Caller, deny, row_grants, table_grants};
use crate::errors::{ApiError, ApiResult, bad_request, route_not_found, unauthorized_scope};
use crate::legacy::Family;
use crate::params::{MAX_ELEMENT_LEN, Params};
use crate::row_rules::{check_not_newer, reject_operators, request_timestamp, select_only};
use crate::state::AppState;

type TablePath = P<(String, String)>;
type RowPath = P<(String, String, String)>;

/// How far a caller may go on a table's rows.
enum Access {
    /// API key, or a guest the table itself grants the action.
    Full,
    /// A guest on a table with row security and no table-level grant: each row decides.
    RowLevel(Table),
}

async fn access(
    state: &AppState,
    caller: Option<Extension<Caller>>,
    db: &str,
    table: &str,
    action: Action,
) -> ApiResult<Access> {
    if matches!(caller, Some(Extension(Caller::Key))) {
        return Ok(Access::Full);
    }
    let t = state.backend.get_table(db, table).await?;
    if table_grants(&t, action) {
        Ok(Access::Full)
    } else if t.row_security && action != Action::Create {
        Ok(Access::RowLevel(t))
    } else {
        deny()
    }
}

/// Guests may not use bulk routes (API keys only).
fn key_only(caller: Option<Extension<Caller>>) -> ApiResult<()> {
    if matches!(caller, Some(Extension(Caller::Key))) {
        Ok(())
    } else {
        Err(unauthorized_scope("rows.write"))
    }
}

/// A guest with row-level access must hold `action` on the existing row.
async fn check_row(
    state: &AppState,
    access: &Access,
    db: &str,
    table: &str,
    row_id: &str,
    action: Action,
) -> ApiResult<()> {
    let Access::RowLevel(t) = access else {
        return Ok(());
    };
    let row = state.backend.get_row(db, table, row_id, &[]).await?;
    if row_grants(t, &row, action) {
        Ok(())
    } else {
        deny()
    }
}

/// Whether the caller may change an existing row (`action` update or delete): the table's or
/// the row's grant for a guest, then the `X-Appwrite-Timestamp` check.
async fn may_change(
    state: &AppState,
    caller: Option<Extension<Caller>>,
    headers: &HeaderMap,
    (db, table, row_id): (&str, &str, &str),
    action: Action,
) -> ApiResult<()> {
    let access = access(state, caller, db, table, action).await?;
    check_row(state, &access, db, table, row_id, action).await?;
    check_timestamp(state, headers, db, table, row_id).await
}

/// With `X-Appwrite-Timestamp`: 409 when the stored row changed after it. A missing row
/// passes (the write then creates it or answers 404 itself).
async fn check_timestamp(
    state: &AppState,
    headers: &HeaderMap,
    db: &str,
    table: &str,
    row_id: &str,
) -> ApiResult<()> {
    let Some(timestamp) = request_timestamp(headers)? else {
        return Ok(());
    };
    match state.backend.get_row(db, table, row_id, &[]).await {
        Ok(row) => check_not_newer(&row, Some(timestamp)),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn row_json(family: Family, row: Row) -> Value {
    family.model(row.into_value())
}

/// A one-row answer in the family's terms.
fn row_answer(status: StatusCode, family: Family, row: Row) -> Response {
    json_response(status, &row_json(family, row))
}

/// A list answer `{total, rows}` in the family's terms.
fn rows_answer(status: StatusCode, family: Family, list: List<Row>) -> Response {
    let items = list
        .items
        .into_iter()
        .map(|r| row_json(family, r))
        .collect();
    json_response(status, &list_body(family, "rows", list.total, items))
}

/// Stages bulk `action` over `data` in transaction `tx`. The answer has no rows (they are
/// written on commit) and the `total` given with its status.
async fn stage_bulk(
    state: &AppState,
    family: Family,
    tx: &str,
    action: OperationAction,
    (db, table): (&str, &str),
    data: Value,
    (status, total): (StatusCode, u64),
) -> ApiResult<Response> {
    stage(state, tx, action, db, table, None, Some(data)).await?;
    let empty = List {
        total,
        items: Vec::new(),
    };
    Ok(rows_answer(status, family, empty))
}

/// Stages a bulk create or upsert (`action`) of `rows` in `tx`: 201 with their count.
async fn stage_rows(
    state: &AppState,
    family: Family,
    tx: &str,
    action: OperationAction,
    target: (&str, &str),
    rows: Vec<Document>,
) -> ApiResult<Response> {
    let answer = (StatusCode::CREATED, rows.len() as u64);
    let data = Value::Array(rows.into_iter().map(Value::Object).collect());
    stage_bulk(state, family, tx, action, target, data, answer).await
}

/// Stages a bulk update or delete (`action`, carrying `staged`) of the rows matching
/// `queries` in `tx`: 200 with how many match there now.
async fn stage_matching(
    state: &AppState,
    family: Family,
    tx: &str,
    action: OperationAction,
    (db, table): (&str, &str),
    queries: &[Query],
    staged: Value,
) -> ApiResult<Response> {
    let answer = (
        StatusCode::OK,
        count_within(state, db, table, queries, tx).await,
    );
    stage_bulk(state, family, tx, action, (db, table), staged, answer).await
}

/// A 20-hex-character id as Appwrite makes them (13 from the clock, 7 random).
fn unique_id() -> String {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or_default();
    let (secs, usec) = (micros / 1_000_000, micros % 1_000_000);
    let random: u32 = rand::random::<u32>() & 0x0fff_ffff;
    format!("{secs:08x}{usec:05x}{random:07x}")
}

/// Row `id` as transaction `tx` sees it, with the `Select` queries among `queries` applied;
/// `None` when the transaction holds no such row.
async fn find_within(
    state: &AppState,
    (db, table, id): (&str, &str, &str),
    tx: &str,
    queries: &[Query],
) -> ApiResult<Option<Row>> {
    let mut within = vec![Query::equal("$id", [id]), Query::limit(1)];
    within.extend(
        queries
            .iter()
            .filter(|q| q.class() == QueryClass::Select)
            .cloned(),
    );
    let options = ListOptions {
        total: false,
        transaction_id: Some(tx.to_owned()),
    };
    let list = state
        .backend
        .list_rows(db, table, &within, &options)
        .await?;
    Ok(list.items.into_iter().next())
}

/// What a staged single-row write answers: the row as the transaction will leave it, or a
/// stand-in built from the request when it cannot be read there yet.
async fn staged_row(state: &AppState, tx: &str, w: &SingleWrite<'_>) -> Row {
    if let Ok(Some(row)) = find_within(state, (w.db, w.table, w.row_id), tx, &[]).await {
        return row;
    }
    let mut row = w.data.clone();
    let now = now();
    row.insert("$id".into(), json!(w.row_id));
    row.insert("$sequence".into(), json!("0"));
    row.insert("$createdAt".into(), json!(now));
    row.insert("$updatedAt".into(), json!(now));
    row.insert(
        "$permissions".into(),
        json!(w.permissions.unwrap_or_default()),
    );
    row.insert("$databaseId".into(), json!(w.db));
    row.insert("$tableId".into(), json!(w.table));
    Row(row)
}

async fn stage(
    state: &AppState,
    tx: &str,
    action: OperationAction,
    db: &str,
    table: &str,
    row_id: Option<&str>,
    data: Option<Value>,
) -> ApiResult<()> {
    let operation = Operation {
        action,
        database_id: db.to_owned(),
        table_id: table.to_owned(),
        row_id: row_id.map(str::to_owned),
        data,
    };
    state.backend.stage_operations(tx, &[operation]).await?;
    Ok(())
}

/// One single-row write of a request: where it goes and what it carries.
struct SingleWrite<'a> {
    db: &'a str,
    table: &'a str,
    row_id: &'a str,
    data: &'a Document,
    permissions: Option<&'a [String]>,
}

impl<'a> SingleWrite<'a> {
    fn new(
        db: &'a str,
        table: &'a str,
        row_id: &'a str,
        data: &'a Document,
        permissions: Option<&'a [String]>,
    ) -> Self {
        Self {
            db,
            table,
            row_id,
            data,
            permissions,
        }
    }
}

/// Stages single-row `action` carrying `data` in `tx` and answers, with `status`, the row as
/// the transaction will leave it.
async fn stage_single(
    state: &AppState,
    family: Family,
    tx: &str,
    action: OperationAction,
    w: &SingleWrite<'_>,
    data: Value,
    status: StatusCode,
) -> ApiResult<Response> {
    stage(state, tx, action, w.db, w.table, Some(w.row_id), Some(data)).await?;
    let row = staged_row(state, tx, w).await;
    Ok(row_answer(status, family, row))
}

/// Applies `action` (create, update or upsert) now, or stages it in transaction `tx`, and
/// answers the row: with `status`, or `staged_status` when staged.
async fn write_row(
    state: &AppState,
    family: Family,
    tx: Option<String>,
    action: OperationAction,
    w: SingleWrite<'_>,
    (status, staged_status): (StatusCode, StatusCode),
) -> ApiResult<Response> {
    if let Some(tx) = tx {
        let staged = with_permissions(w.data.clone(), w.permissions);
        return stage_single(state, family, &tx, action, &w, staged, staged_status).await;
    }
    let (
        b,
        SingleWrite {
            db,
            table,
            row_id,
            data,
            permissions,
        },
    ) = (&state.backend, w);
    let row = match action {
        OperationAction::Create => b.create_row(db, table, row_id, data, permissions).await?,
        OperationAction::Update => b.update_row(db, table, row_id, data, permissions).await?,
        _ => b.upsert_row(db, table, row_id, data, permissions).await?,
    };
    Ok(row_answer(status, family, row))
}

/// Row data with `$permissions` folded in, as staged operations carry it.
fn with_permissions(mut data: Document, permissions: Option<&[String]>) -> Value {
    if let Some(p) = permissions {
        data.insert("$permissions".into(), json!(p));
    }
    Value::Object(data)
}

fn missing_data() -> ApiError {
    ApiError::new(
        400,
        types::ROW_MISSING_DATA,
        "The row data is missing. Try again with row data populated",
    )
}

/// `POST …/rows`: one row (`rowId`, `data`, `permissions`) or many (`rows`): 201.
pub(crate) async fn create(
    State(state): State<AppState>,
    family: Family,
    caller: Option<Extension<Caller>>,
    P((db, table)): TablePath,
    p: Params,
) -> ApiResult<Response> {
    let row_id = p.optional_str("rowId", 0)?;
    let data = p.optional_object("data")?.unwrap_or_default();
    let rows = p.optional_objects("rows")?.filter(|r| !r.is_empty());
    let permissions = p.optional_strings("permissions", MAX_ELEMENT_LEN)?;
    let tx = p.optional_str("transactionId", 0)?;
    reject_operators(&data)?;
    if let Some(rows) = rows {
        rows.iter().try_for_each(reject_operators)?;
        if !data.is_empty() {
            return Err(bad_request(format!(
                "You cannot use \"data\" and \"{}\" at the same time.",
                p.name("rows")
            )));
        }
        if row_id.is_some() || permissions.is_some() {
            return Err(bad_request(format!(
                "\"{}\" and \"permissions\" cannot be used with \"{}\": give each row its own $id and $permissions.",
                p.name("rowId"),
                p.name("rows")
            )));
        }
        key_only(caller)?;
        if let Some(tx) = tx {
            let action = OperationAction::BulkCreate;
            return stage_rows(&state, family, &tx, action, (&db, &table), rows).await;
        }
        let list = state.backend.create_rows(&db, &table, &rows).await?;
        return Ok(rows_answer(StatusCode::CREATED, family, list));
    }
    let Some(row_id) = row_id.filter(|_| !data.is_empty()) else {
        return Err(missing_data());
    };
    access(&state, caller, &db, &table, Action::Create).await?;
    // A staged create needs its id now; a direct one lets the engine make it.
    let row_id = if tx.is_some() && row_id == UNIQUE_ID {
        unique_id()
    } else {
        row_id
    };
    let write = SingleWrite::new(&db, &table, &row_id, &data, permissions.as_deref());
    let statuses = (StatusCode::CREATED, StatusCode::CREATED);
    write_row(&state, family, tx, OperationAction::Create, write, statuses).await
}

/// `GET …/rows/{id}`: `queries` (select only), `transactionId`.
pub(crate) async fn get(
    State(state): State<AppState>,
    family: Family,
    caller: Option<Extension<Caller>>,
    P((db, table, row_id)): RowPath,
    p: Params,
) -> ApiResult<Response> {
    let queries = p.queries()?;
    select_only(&queries)?;
    let tx = p.optional_str("transactionId", 0)?;
    let access = access(&state, caller, &db, &table, Action::Read).await?;
    let row = match tx {
        None => {
            state
                .backend
                .get_row(&db, &table, &row_id, &queries)
                .await?
        }
        Some(tx) => find_within(&state, (&db, &table, &row_id), &tx, &queries)
            .await?
            .ok_or_else(error::row_not_found)?,
    };
    if let Access::RowLevel(t) = &access
        && !row_grants(t, &row, Action::Read)
    {
        return Err(error::row_not_found().into());
    }
    Ok(row_answer(StatusCode::OK, family, row))
}

/// `GET …/rows`: `queries`, `total`, `transactionId`, `ttl`.
pub(crate) async fn list(
    State(state): State<AppState>,
    family: Family,
    caller: Option<Extension<Caller>>,
    P((db, table)): TablePath,
    p: Params,
) -> ApiResult<Response> {
    let queries = p.queries()?;
    let options = ListOptions {
        total: p.total()?,
        transaction_id: p.optional_str("transactionId", 0)?,
    };
    p.optional_range("ttl", 0, 86_400)?;
    let access = access(&state, caller, &db, &table, Action::Read).await?;
    let mut list = state
        .backend
        .list_rows(&db, &table, &queries, &options)
        .await?;
    if let Access::RowLevel(t) = &access {
        // Approximation: the page is filtered after the fact, so it may hold fewer rows than
        // `limit` and `total` counts rows the guest cannot read.
        list.items.retain(|row| row_grants(t, row, Action::Read));
    }
    Ok(rows_answer(StatusCode::OK, family, list))
}

/// `PATCH …/rows/{id}`: `data` (partial) and/or `permissions`; 200.
pub(crate) async fn update(
    State(state): State<AppState>,
    family: Family,
    caller: Option<Extension<Caller>>,
    headers: HeaderMap,
    P((db, table, row_id)): RowPath,
    p: Params,
) -> ApiResult<Response> {
    let data = p.optional_object("data")?.unwrap_or_default();
    let permissions = p.optional_strings("permissions", MAX_ELEMENT_LEN)?;
    let tx = p.optional_str("transactionId", 0)?;
    if data.is_empty() && permissions.is_none() {
        return Err(ApiError::new(
            400,
            types::ROW_MISSING_PAYLOAD,
            "The row data and permissions are missing. You must provide either row data or permissions to be updated.",
        ));
    }
    reject_operators(&data)?;
    let target = (db.as_str(), table.as_str(), row_id.as_str());
    may_change(&state, caller, &headers, target, Action::Update).await?;
    let write = SingleWrite::new(&db, &table, &row_id, &data, permissions.as_deref());
    let statuses = (StatusCode::OK, StatusCode::OK);
    write_row(&state, family, tx, OperationAction::Update, write, statuses).await
}

/// `PUT …/rows/{id}`: insert or merge; 200 (201 when staged in a transaction).
pub(crate) async fn upsert(
    State(state): State<AppState>,
    family: Family,
    caller: Option<Extension<Caller>>,
    headers: HeaderMap,
    P((db, table, row_id)): RowPath,
    p: Params,
) -> ApiResult<Response> {
    let data = p.optional_object("data")?.unwrap_or_default();
    let permissions = p.optional_strings("permissions", MAX_ELEMENT_LEN)?;
    let tx = p.optional_str("transactionId", 0)?;
    reject_operators(&data)?;
    if !matches!(caller, Some(Extension(Caller::Key))) {
        // A guest needs `update` on an existing row and `create` on the table for a new one.
        let exists = state
            .backend
            .get_row(&db, &table, &row_id, &[])
            .await
            .is_ok();
        let action = if exists {
            Action::Update
        } else {
            Action::Create
        };
        let access = access(&state, caller, &db, &table, action).await?;
        check_row(&state, &access, &db, &table, &row_id, action).await?;
    }
    check_timestamp(&state, &headers, &db, &table, &row_id).await?;
    let write = SingleWrite::new(&db, &table, &row_id, &data, permissions.as_deref());
    let statuses = (StatusCode::OK, StatusCode::CREATED);
    write_row(&state, family, tx, OperationAction::Upsert, write, statuses).await
}

/// `DELETE …/rows/{id}`: 204.
pub(crate) async fn delete(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    headers: HeaderMap,
    P((db, table, row_id)): RowPath,
    p: Params,
) -> ApiResult<Response> {
    let tx = p.optional_str("transactionId", 0)?;
    let target = (db.as_str(), table.as_str(), row_id.as_str());
    may_change(&state, caller, &headers, target, Action::Delete).await?;
    match tx {
        Some(tx) => {
            stage(
                &state,
                &tx,
                OperationAction::Delete,
                &db,
                &table,
                Some(&row_id),
                None,
            )
            .await?
        }
        None => state.backend.delete_row(&db, &table, &row_id).await?,
    }
    Ok(no_content())
}

/// `PUT …/rows`: bulk upsert of `rows`; 200 `{total, rows}`.
pub(crate) async fn upsert_many(
    State(state): State<AppState>,
    family: Family,
    caller: Option<Extension<Caller>>,
    P((db, table)): TablePath,
    p: Params,
) -> ApiResult<Response> {
    let rows = p
        .optional_objects("rows")?
        .ok_or_else(|| crate::errors::not_optional(p.name("rows")))?;
    let tx = p.optional_str("transactionId", 0)?;
    key_only(caller)?;
    rows.iter().try_for_each(reject_operators)?;
    if let Some(tx) = tx {
        let action = OperationAction::BulkUpsert;
        return stage_rows(&state, family, &tx, action, (&db, &table), rows).await;
    }
    let list = state.backend.upsert_rows(&db, &table, &rows).await?;
    Ok(rows_answer(StatusCode::OK, family, list))
}

/// How many rows match `queries` inside a transaction (0 when that cannot be read).
async fn count_within(state: &AppState, db: &str, table: &str, queries: &[Query], tx: &str) -> u64 {
    let filters: Vec<Query> = queries
        .iter()
        .filter(|q| q.class() == QueryClass::Filter)
        .cloned()
        .chain([Query::limit(1)])
        .collect();
    let options = ListOptions {
        total: true,
        transaction_id: Some(tx.to_owned()),
    };
    state
        .backend
        .list_rows(db, table, &filters, &options)
        .await
        .map(|l| l.total)
        .unwrap_or(0)
}

/// The raw `queries` strings, for a staged bulk operation.
fn raw_queries(p: &Params) -> Value {
    p.get("queries").cloned().unwrap_or_else(|| json!([]))
}

/// `PATCH …/rows`: sets `data` on every row matching `queries`; 200 `{total, rows}`.
pub(crate) async fn update_many(
    State(state): State<AppState>,
    family: Family,
    caller: Option<Extension<Caller>>,
    P((db, table)): TablePath,
    p: Params,
) -> ApiResult<Response> {
    let data = p.optional_object("data")?.unwrap_or_default();
    let queries = p.queries()?;
    let tx = p.optional_str("transactionId", 0)?;
    key_only(caller)?;
    reject_operators(&data)?;
    if let Some(tx) = tx {
        let staged = json!({"data": data, "queries": raw_queries(&p)});
        let action = OperationAction::BulkUpdate;
        let target = (db.as_str(), table.as_str());
        return stage_matching(&state, family, &tx, action, target, &queries, staged).await;
    }
    let list = state
        .backend
        .update_rows(&db, &table, &data, &queries)
        .await?;
    Ok(rows_answer(StatusCode::OK, family, list))
}

/// `DELETE …/rows`: deletes every row matching `queries` (JSON body); 200 `{total, rows}`.
pub(crate) async fn delete_many(
    State(state): State<AppState>,
    family: Family,
    caller: Option<Extension<Caller>>,
    P((db, table)): TablePath,
    p: Params,
) -> ApiResult<Response> {
    let queries = p.queries()?;
    let tx = p.optional_str("transactionId", 0)?;
    key_only(caller)?;
    if let Some(tx) = tx {
        let staged = json!({"queries": raw_queries(&p)});
        let action = OperationAction::BulkDelete;
        let target = (db.as_str(), table.as_str());
        return stage_matching(&state, family, &tx, action, target, &queries, staged).await;
    }
    let list = state.backend.delete_rows(&db, &table, &queries).await?;
    Ok(rows_answer(StatusCode::OK, family, list))
}

/// `PATCH …/rows/{id}/{column}/increment|decrement`: `value` (default 1) and `max`/`min`.
pub(crate) async fn add(
    State(state): State<AppState>,
    family: Family,
    caller: Option<Extension<Caller>>,
    headers: HeaderMap,
    P((db, table, row_id, column, op)): P<(String, String, String, String, String)>,
    p: Params,
) -> ApiResult<Response> {
    let increment = match op.as_str() {
        "increment" => true,
        "decrement" => false,
        _ => return Err(route_not_found()),
    };
    let bound_name = if increment { "max" } else { "min" };
    let value = p.optional_number("value")?.unwrap_or_else(|| 1.into());
    let bound = p.optional_number(bound_name)?;
    let tx = p.optional_str("transactionId", 0)?;
    let target = (db.as_str(), table.as_str(), row_id.as_str());
    may_change(&state, caller, &headers, target, Action::Update).await?;
    if let Some(tx) = tx {
        let mut data = serde_json::Map::new();
        data.insert("column".into(), json!(column));
        data.insert("value".into(), Value::Number(value));
        if let Some(bound) = bound {
            data.insert(bound_name.into(), Value::Number(bound));
        }
        let action = if increment {
            OperationAction::Increment
        } else {
            OperationAction::Decrement
        };
        let no_data = Document::new();
        let write = SingleWrite::new(&db, &table, &row_id, &no_data, None);
        let data = Value::Object(data);
        return stage_single(&state, family, &tx, action, &write, data, StatusCode::OK).await;
    }
    let row = if increment {
        state
            .backend
            .increment_row_column(&db, &table, &row_id, &column, value, bound)
            .await?
    } else {
        state
            .backend
            .decrement_row_column(&db, &table, &row_id, &column, value, bound)
            .await?
    };
    Ok(row_answer(StatusCode::OK, family, row))
}
