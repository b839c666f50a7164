//! Transactions as Appwrite has them: operations are staged in memory and applied together on
//! commit, inside one SQLite transaction, so that either all of them take effect or none.
//! Reads "within" a transaction apply the staged operations in a savepoint, read, and roll back.
//!
//! # Commit conflicts
//!
//! A commit fails when a row it writes was changed by someone else in the meantime. What
//! Appwrite 1.9.6 does, as read from its sources (appwrite/appwrite at tag 1.9.6, and
//! utopia-php/database 6.0.0, the version its `composer.lock` pins):
//!
//! - The reference time is per operation: when the operation was staged (the `$createdAt` of
//!   its entry in the `transactionLogs` collection). Neither the transaction's creation nor the
//!   commit counts. The commit route
//!   (`src/Appwrite/Platform/Modules/Databases/Http/Databases/Transactions/Update.php`, which
//!   the TablesDB route extends) hands that time to the database library with
//!   `withRequestTimestamp`, or compares against it itself for bulk actions.
//! - A row conflicts when its stored `$updatedAt` is strictly later than that time
//!   (`src/Database/Database.php`: `updateDocument`, `upsertDocumentsWithIncrease`,
//!   `deleteDocument`, `deleteDocuments`). Both times are kept to the millisecond, so a change
//!   within the millisecond of the staging does not conflict.
//! - Checked: update, upsert of an existing row, delete, and every row that bulkUpdate,
//!   bulkUpsert (existing rows) or bulkDelete touches. Not checked: create and bulkCreate, and
//!   increment/decrement (they run with the time set, but `increaseDocumentAttribute` and
//!   `decreaseDocumentAttribute` compare nothing).
//! - Rows written by an earlier operation of the same commit are not checked (the route keeps
//!   them in its `$state`): a transaction never conflicts with itself.
//! - All operations run in one database transaction, so a conflict leaves none applied. The
//!   transaction's status becomes `failed` and the commit answers 409 `transaction_conflict`,
//!   whose message is the description in `app/config/errors.php`. The route answers a row
//!   that already exists (the library's duplicate error: a taken id or unique index) the same.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use serde_json::Value;

use super::catalog::{Session, TableMeta};
use super::{clock, ddl, errors, in_transaction, select, write};
use crate::api::types;
use crate::backend::{Document, Operation, OperationAction, Row, Transaction, TransactionStatus};
use crate::query::Query;
use crate::schema::limits;
use crate::{Error, Result};

const DEFAULT_TTL: u32 = 300;

/// `write::create_row`, `update_row` or `upsert_row`.
type WholeRowWrite = fn(&Session, &TableMeta, write::RowInput) -> Result<Row>;

/// One single-row write, owned so it can move to the blocking pool or sit in a transaction.
pub(super) struct RowWrite {
    database: String,
    table: String,
    row_id: String,
    data: Document,
    permissions: Option<Vec<String>>,
}

impl RowWrite {
    pub(super) fn new(
        database: &str,
        table: &str,
        row_id: &str,
        data: &Document,
        permissions: Option<&[String]>,
    ) -> Self {
        Self {
            database: database.to_owned(),
            table: table.to_owned(),
            row_id: row_id.to_owned(),
            data: data.clone(),
            permissions: permissions.map(<[String]>::to_vec),
        }
    }

    pub(super) fn create(&self, c: &Session) -> Result<Row> {
        // Appwrite checks the id and the presence of data before it looks for the table.
        errors::check_custom_id("rowId", &self.row_id)?;
        write::require_data(&self.data)?;
        self.whole_row(c, write::create_row)
    }

    pub(super) fn update(&self, c: &Session) -> Result<Row> {
        self.whole_row(c, write::update_row)
    }

    pub(super) fn upsert(&self, c: &Session) -> Result<Row> {
        self.whole_row(c, write::upsert_row)
    }

    /// Runs one of the writes that take the whole row (create, update, upsert) on its table.
    fn whole_row(&self, c: &Session, write: WholeRowWrite) -> Result<Row> {
        let meta = ddl::load(c, &self.database, &self.table)?;
        let row = write::RowInput {
            id: &self.row_id,
            data: &self.data,
            permissions: self.permissions.as_deref(),
        };
        write(c, &meta, row)
    }

    pub(super) fn delete(&self, c: &Session) -> Result<()> {
        let meta = ddl::load(c, &self.database, &self.table)?;
        write::delete_row(c, &meta, &self.row_id)
    }

    pub(super) fn add(&self, c: &Session, step: &write::Step) -> Result<Row> {
        let meta = ddl::load(c, &self.database, &self.table)?;
        write::add_to_column(c, &meta, &self.row_id, step)
    }
}

/// One staged operation and when it was staged: the time its rows are checked against.
#[derive(Clone)]
struct Staged {
    operation: Operation,
    at_ms: i64,
}

struct State {
    transaction: Transaction,
    operations: Vec<Staged>,
    expires_ms: i64,
}

/// The engine's open and finished transactions.
#[derive(Default)]
pub(super) struct Transactions {
    states: Mutex<HashMap<String, State>>,
}

impl Transactions {
    fn with<T>(&self, id: &str, f: impl FnOnce(&mut State) -> Result<T>) -> Result<T> {
        errors::check_id("transactionId", id)?;
        let mut states = self.states.lock().unwrap_or_else(|p| p.into_inner());
        let state = states
            .get_mut(id)
            .ok_or_else(errors::transaction_not_found)?;
        f(state)
    }

    pub(super) fn create(&self, ttl: Option<u32>) -> Result<Transaction> {
        let ttl = ttl.unwrap_or(DEFAULT_TTL);
        if !(60..=3600).contains(&ttl) {
            return errors::argument("ttl", "Value must be a valid range between 60 and 3,600");
        }
        let now_ms = clock::now_ms();
        let expires_ms = now_ms + i64::from(ttl) * 1000;
        let transaction = Transaction {
            id: clock::unique_id(),
            created_at: clock::format_ms(now_ms),
            updated_at: clock::format_ms(now_ms),
            status: TransactionStatus::Pending,
            operations: 0,
            expires_at: clock::format_ms(expires_ms),
        };
        let mut states = self.states.lock().unwrap_or_else(|p| p.into_inner());
        states.insert(
            transaction.id.clone(),
            State {
                transaction: transaction.clone(),
                operations: Vec::new(),
                expires_ms,
            },
        );
        Ok(transaction)
    }

    pub(super) fn get(&self, id: &str) -> Result<Transaction> {
        self.with(id, |s| Ok(s.transaction.clone()))
    }

    pub(super) fn stage(&self, id: &str, operations: Vec<Operation>) -> Result<Transaction> {
        for op in &operations {
            check_operation(op)?;
        }
        self.with(id, |s| {
            ensure_pending(s)?;
            if s.operations.len() + operations.len() > limits::MAX_BATCH {
                return errors::err(
                    400,
                    types::TRANSACTION_LIMIT_EXCEEDED,
                    "The maximum number of operations in a transaction has been reached.",
                );
            }
            let at_ms = clock::now_ms();
            s.operations.extend(
                operations
                    .into_iter()
                    .map(|operation| Staged { operation, at_ms }),
            );
            s.transaction.operations = s.operations.len() as u64;
            s.transaction.updated_at = clock::format_ms(at_ms);
            Ok(s.transaction.clone())
        })
    }

    pub(super) fn commit(&self, conn: &Session, id: &str) -> Result<Transaction> {
        self.with(id, |s| {
            ensure_pending(s)?;
            s.transaction.updated_at = clock::now();
            let mut guard = Guard::committing();
            match in_transaction(conn, |c| apply_all(c, &s.operations, &mut guard)) {
                Ok(()) => {
                    s.transaction.status = TransactionStatus::Committed;
                    Ok(s.transaction.clone())
                }
                Err(e) => {
                    s.transaction.status = TransactionStatus::Failed;
                    Err(duplicate_as_conflict(e))
                }
            }
        })
    }

    pub(super) fn rollback(&self, id: &str) -> Result<Transaction> {
        self.with(id, |s| {
            ensure_pending(s)?;
            s.operations.clear();
            s.transaction.status = TransactionStatus::Failed;
            s.transaction.updated_at = clock::now();
            Ok(s.transaction.clone())
        })
    }

    /// Runs `read` with the transaction's staged operations applied, then undoes them.
    pub(super) fn read_within<T>(
        &self,
        conn: &Session,
        id: &str,
        read: impl FnOnce(&Session) -> Result<T>,
    ) -> Result<T> {
        let operations = self.with(id, |s| {
            ensure_pending(s)?;
            Ok(s.operations.clone())
        })?;
        conn.execute_batch("SAVEPOINT aw_read")?;
        let result = apply_all(conn, &operations, &mut Guard::reading()).and_then(|()| read(conn));
        conn.execute_batch("ROLLBACK TO aw_read; RELEASE aw_read")?;
        result
    }
}

/// At commit, Appwrite answers a row that already exists as a conflict, not as
/// `row_already_exists` (see the module docs).
fn duplicate_as_conflict(e: Error) -> Error {
    match &e {
        Error::Appwrite(a) if a.error_type == types::ROW_ALREADY_EXISTS => {
            errors::transaction_conflict()
        }
        _ => e,
    }
}

fn ensure_pending(s: &State) -> Result<()> {
    if s.transaction.status != TransactionStatus::Pending {
        return errors::err(
            400,
            types::TRANSACTION_NOT_READY,
            "The transaction is not ready: it was already committed or rolled back.",
        );
    }
    if clock::now_ms() > s.expires_ms {
        return errors::err(
            500,
            types::TRANSACTION_EXPIRED,
            "The transaction has expired.",
        );
    }
    Ok(())
}

fn invalid<T>(message: impl Into<String>) -> Result<T> {
    errors::err(400, types::TRANSACTION_INVALID, message)
}

fn check_operation(op: &Operation) -> Result<()> {
    errors::check_id("databaseId", &op.database_id)?;
    errors::check_id("tableId", &op.table_id)?;
    let single = matches!(
        op.action,
        OperationAction::Create
            | OperationAction::Update
            | OperationAction::Upsert
            | OperationAction::Delete
            | OperationAction::Increment
            | OperationAction::Decrement
    );
    if single && op.row_id.is_none() {
        return invalid(format!("Operation {:?} needs a rowId", op.action));
    }
    Ok(())
}

fn data_object(op: &Operation) -> Result<Document> {
    match &op.data {
        None => Ok(Document::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => invalid("Operation data must be an object"),
    }
}

fn data_rows(op: &Operation) -> Result<Vec<Document>> {
    match &op.data {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::Object(m) => Ok(m.clone()),
                _ => invalid("Each row of a bulk operation must be an object"),
            })
            .collect(),
        _ => invalid("Bulk create and upsert operations need a list of rows as data"),
    }
}

fn data_queries(data: &Document) -> Result<Vec<Query>> {
    let Some(items) = data.get("queries") else {
        return Ok(Vec::new());
    };
    let Some(items) = items.as_array() else {
        return invalid("data.queries must be a list");
    };
    items
        .iter()
        .map(|q| match q {
            Value::String(s) => Query::parse(s).map_err(Error::from),
            other => Query::from_json(other).map_err(Error::from),
        })
        .map(|r| {
            r.map_err(|e| {
                errors::query_invalid(e.to_string().trim_start_matches("Invalid query: "))
            })
        })
        .collect()
}

/// A row, by database, table and id.
type RowKey = (String, String, String);

/// What a commit checks before each write (see the module docs): that the row did not change
/// after the operation was staged, unless an earlier operation of this commit wrote it.
struct Guard {
    /// False while a read applies the staged operations: reads never conflict.
    checking: bool,
    /// Rows written so far by this commit (or read).
    written: HashSet<RowKey>,
}

impl Guard {
    fn committing() -> Self {
        Self {
            checking: true,
            written: HashSet::new(),
        }
    }

    fn reading() -> Self {
        Self {
            checking: false,
            written: HashSet::new(),
        }
    }

    fn key(op: &Operation, row_id: &str) -> RowKey {
        (
            op.database_id.clone(),
            op.table_id.clone(),
            row_id.to_owned(),
        )
    }

    /// Fails when the row, last changed at `updated_at`, changed after `at_ms`. Appwrite
    /// compares strictly, so a change in the very millisecond of the staging passes.
    fn check(&self, op: &Operation, row_id: &str, updated_at: &str, at_ms: i64) -> Result<()> {
        if !self.checking || self.written.contains(&Self::key(op, row_id)) {
            return Ok(());
        }
        match clock::parse_ms(updated_at) {
            Some(changed_ms) if changed_ms > at_ms => Err(errors::transaction_conflict()),
            _ => Ok(()),
        }
    }

    /// [`check`](Self::check) for one row by id; a missing row passes (the write itself then
    /// answers not found, or creates it).
    fn check_row(&self, conn: &Session, staged: &Staged, row_id: &str) -> Result<()> {
        if !self.checking {
            return Ok(());
        }
        let op = &staged.operation;
        let meta = ddl::load(conn, &op.database_id, &op.table_id)?;
        match select::stamp(conn, &meta, row_id)? {
            Some(updated_at) => self.check(op, row_id, &updated_at, staged.at_ms),
            None => Ok(()),
        }
    }

    fn wrote(&mut self, op: &Operation, row_id: &str) {
        self.written.insert(Self::key(op, row_id));
    }

    fn deleted(&mut self, op: &Operation, row_id: &str) {
        self.written.remove(&Self::key(op, row_id));
    }
}

fn apply_all(conn: &Session, operations: &[Staged], guard: &mut Guard) -> Result<()> {
    for staged in operations {
        apply(conn, staged, guard)?;
    }
    Ok(())
}

fn apply(conn: &Session, staged: &Staged, guard: &mut Guard) -> Result<()> {
    let op = &staged.operation;
    let row_id = op.row_id.as_deref().unwrap_or_default();
    let data = || data_object(op);
    let single = |d: &Document| RowWrite::new(&op.database_id, &op.table_id, row_id, d, None);
    match op.action {
        OperationAction::Create => {
            // The answer carries the id `unique()` became.
            let row = single(&data()?).create(conn)?;
            guard.wrote(op, row.id());
        }
        OperationAction::Update => {
            guard.check_row(conn, staged, row_id)?;
            single(&data()?).update(conn)?;
            guard.wrote(op, row_id);
        }
        OperationAction::Upsert => {
            guard.check_row(conn, staged, row_id)?;
            single(&data()?).upsert(conn)?;
            guard.wrote(op, row_id);
        }
        OperationAction::Delete => {
            guard.check_row(conn, staged, row_id)?;
            single(&Document::new()).delete(conn)?;
            guard.deleted(op, row_id);
        }
        OperationAction::Increment | OperationAction::Decrement => {
            apply_add(conn, op, &data()?)?;
            guard.wrote(op, row_id);
        }
        OperationAction::BulkCreate => {
            let meta = ddl::load(conn, &op.database_id, &op.table_id)?;
            for row in write::create_rows(conn, &meta, &data_rows(op)?)?.items {
                guard.wrote(op, row.id());
            }
        }
        OperationAction::BulkUpsert => {
            let meta = ddl::load(conn, &op.database_id, &op.table_id)?;
            let rows = data_rows(op)?;
            for id in rows
                .iter()
                .filter_map(|r| r.get("$id").and_then(Value::as_str))
            {
                guard.check_row(conn, staged, id)?;
            }
            for row in write::upsert_rows(conn, &meta, &rows)?.items {
                guard.wrote(op, row.id());
            }
        }
        OperationAction::BulkUpdate => {
            let d = data()?;
            let meta = ddl::load(conn, &op.database_id, &op.table_id)?;
            let plan = select::plan(conn, &meta, &data_queries(&d)?)?;
            let touched = check_matching(conn, &meta, &plan, staged, guard)?;
            let changes = d
                .get("data")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            write::update_rows(conn, &meta, &changes, plan)?;
            for id in &touched {
                guard.wrote(op, id);
            }
        }
        OperationAction::BulkDelete => {
            let d = data()?;
            let meta = ddl::load(conn, &op.database_id, &op.table_id)?;
            let plan = select::plan(conn, &meta, &data_queries(&d)?)?;
            let touched = check_matching(conn, &meta, &plan, staged, guard)?;
            write::delete_rows(conn, &meta, plan)?;
            for id in &touched {
                guard.deleted(op, id);
            }
        }
    }
    Ok(())
}

/// Checks every row a bulk update or delete is about to touch; answers their ids.
fn check_matching(
    conn: &Session,
    meta: &TableMeta,
    plan: &select::Plan,
    staged: &Staged,
    guard: &Guard,
) -> Result<Vec<String>> {
    let stamps = select::matching_stamps(conn, meta, plan)?;
    for (id, updated_at) in &stamps {
        guard.check(&staged.operation, id, updated_at, staged.at_ms)?;
    }
    Ok(stamps.into_iter().map(|(id, _)| id).collect())
}

/// An increment or decrement: `data` holds `column`, `value` (default 1) and the bound (`max`
/// or `min`).
fn apply_add(conn: &Session, op: &Operation, d: &Document) -> Result<()> {
    let row_id = op.row_id.as_deref().unwrap_or_default();
    let decrement = op.action == OperationAction::Decrement;
    let bound_key = if decrement { "min" } else { "max" };
    let step = write::Step {
        column: d
            .get("column")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        delta: d
            .get("value")
            .and_then(|v| v.as_number().cloned())
            .unwrap_or_else(|| 1.into()),
        bound: d.get(bound_key).and_then(|v| v.as_number().cloned()),
        decrement,
    };
    let no_data = Document::new();
    let write = RowWrite::new(&op.database_id, &op.table_id, row_id, &no_data, None);
    write.add(conn, &step).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update_of(row_id: &str) -> Operation {
        Operation {
            action: OperationAction::Update,
            database_id: "db".to_owned(),
            table_id: "t".to_owned(),
            row_id: Some(row_id.to_owned()),
            data: None,
        }
    }

    #[test]
    fn only_a_change_after_the_staging_millisecond_conflicts() {
        let op = update_of("r");
        let staged = clock::parse_ms("2026-01-01T00:00:00.005+00:00").unwrap();
        let guard = Guard::committing();
        let check = |stamp: &str| guard.check(&op, "r", stamp, staged);
        assert!(check("2026-01-01T00:00:00.004+00:00").is_ok());
        assert!(check("2026-01-01T00:00:00.005+00:00").is_ok());
        let err = check("2026-01-01T00:00:00.006+00:00").unwrap_err();
        assert!(
            matches!(&err, Error::Appwrite(e) if e.code == 409 && e.error_type == types::TRANSACTION_CONFLICT),
            "{err:?}"
        );
    }

    #[test]
    fn rows_written_earlier_and_reads_never_conflict() {
        let op = update_of("r");
        let later = "2026-01-01T00:00:01.000+00:00";
        let mut guard = Guard::committing();
        guard.wrote(&op, "r");
        assert!(guard.check(&op, "r", later, 0).is_ok());
        assert!(guard.check(&op, "other", later, 0).is_err());
        guard.deleted(&op, "r");
        assert!(guard.check(&op, "r", later, 0).is_err());
        assert!(Guard::reading().check(&op, "r", later, 0).is_ok());
    }
}
