//! Transactions: staging, commit, rollback, reads inside, limits (§3.6).

use appwrite_orm::backend::{Backend, ListOptions, Operation, OperationAction, TransactionStatus};
use appwrite_orm::query::Query;
use appwrite_orm::schema::ColumnSchema;
use serde_json::{Value, json};

use super::Env;
use super::support::*;

async fn table(b: &dyn Backend) {
    table_with(
        b,
        T,
        vec![
            ColumnSchema::varchar("name", 40).required(),
            ColumnSchema::integer("n"),
        ],
    )
    .await;
}

fn op(action: OperationAction, row_id: Option<&str>, data: Option<Value>) -> Operation {
    Operation {
        action,
        database_id: DB.to_owned(),
        table_id: T.to_owned(),
        row_id: row_id.map(str::to_owned),
        data,
    }
}

fn create(id: &str, data: Value) -> Operation {
    op(OperationAction::Create, Some(id), Some(data))
}

fn update(id: &str, data: Value) -> Operation {
    op(OperationAction::Update, Some(id), Some(data))
}

fn delete(id: &str) -> Operation {
    op(OperationAction::Delete, Some(id), None)
}

fn in_tx(id: &str) -> ListOptions {
    ListOptions {
        total: true,
        transaction_id: Some(id.to_owned()),
    }
}

pub async fn create_transaction_is_pending_with_no_operations(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    let tx = b.create_transaction(None).await.unwrap();
    assert_eq!(tx.status, TransactionStatus::Pending);
    assert_eq!(tx.operations, 0);
    assert!(!tx.id.is_empty());
    assert!(is_timestamp(&tx.created_at), "{}", tx.created_at);
    assert!(is_timestamp(&tx.expires_at), "{}", tx.expires_at);
    // Default ttl 300 s: expiry after creation (same format, so text order is time order).
    assert!(tx.expires_at > tx.created_at);
    assert_eq!(b.get_transaction(&tx.id).await.unwrap(), tx);
    let short = b.create_transaction(Some(60)).await.unwrap();
    assert!(
        short.expires_at < tx.expires_at,
        "ttl 60 expires before ttl 300"
    );
}

pub async fn get_missing_transaction_is_not_found(env: Env) {
    let fx = env.fixture().await;
    assert_err(
        fx.b().get_transaction("nope").await,
        404,
        ty::TRANSACTION_NOT_FOUND,
    );
    assert_err(
        fx.b().commit_transaction("nope").await,
        404,
        ty::TRANSACTION_NOT_FOUND,
    );
}

pub async fn ttl_out_of_range_is_rejected(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    // §3.6: ttl 60…3600, a param range: `general_argument_invalid`.
    assert_err(
        b.create_transaction(Some(59)).await,
        400,
        ty::GENERAL_ARGUMENT_INVALID,
    );
    assert_err(
        b.create_transaction(Some(3601)).await,
        400,
        ty::GENERAL_ARGUMENT_INVALID,
    );
    b.create_transaction(Some(3600)).await.unwrap();
}

pub async fn staged_operations_are_counted(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    let tx = b.create_transaction(None).await.unwrap();
    let after = b
        .stage_operations(
            &tx.id,
            &[
                create("a", json!({"name": "a"})),
                create("b", json!({"name": "b"})),
            ],
        )
        .await
        .unwrap();
    assert_eq!(after.operations, 2);
    assert_eq!(after.status, TransactionStatus::Pending);
    let after = b.stage_operations(&tx.id, &[delete("a")]).await.unwrap();
    assert_eq!(after.operations, 3);
    assert_eq!(b.get_transaction(&tx.id).await.unwrap().operations, 3);
}

pub async fn staged_rows_are_invisible_until_commit(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    put(b, T, "keep", json!({"name": "keep", "n": 1})).await;
    let tx = b.create_transaction(None).await.unwrap();
    b.stage_operations(
        &tx.id,
        &[
            create("new", json!({"name": "new"})),
            update("keep", json!({"n": 2})),
        ],
    )
    .await
    .unwrap();
    assert_err(b.get_row(DB, T, "new", &[]).await, 404, ty::ROW_NOT_FOUND);
    assert_eq!(get(b, T, "keep").await["n"], json!(1));
    assert_eq!(list_ids(b, T, &[]).await, ["keep"]);
    let done = b.commit_transaction(&tx.id).await.unwrap();
    assert_eq!(done.status, TransactionStatus::Committed);
    assert_eq!(list_ids(b, T, &[]).await, ["keep", "new"]);
    assert_eq!(get(b, T, "keep").await["n"], json!(2));
}

pub async fn commit_applies_create_update_and_delete(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    put(b, T, "old", json!({"name": "old"})).await;
    put(b, T, "edit", json!({"name": "edit", "n": 1})).await;
    let tx = b.create_transaction(None).await.unwrap();
    b.stage_operations(
        &tx.id,
        &[
            create("c1", json!({"name": "c1", "n": 10})),
            update("edit", json!({"n": 5})),
            delete("old"),
            // Later operations see earlier ones: update the row created above.
            update("c1", json!({"n": 11})),
        ],
    )
    .await
    .unwrap();
    b.commit_transaction(&tx.id).await.unwrap();
    assert_err(b.get_row(DB, T, "old", &[]).await, 404, ty::ROW_NOT_FOUND);
    assert_eq!(get(b, T, "edit").await["n"], json!(5));
    assert_eq!(get(b, T, "edit").await["name"], json!("edit"));
    assert_eq!(get(b, T, "c1").await["n"], json!(11));
    assert_eq!(
        b.get_transaction(&tx.id).await.unwrap().status,
        TransactionStatus::Committed
    );
}

pub async fn rollback_applies_nothing(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    put(b, T, "old", json!({"name": "old"})).await;
    let tx = b.create_transaction(None).await.unwrap();
    b.stage_operations(
        &tx.id,
        &[create("c1", json!({"name": "c1"})), delete("old")],
    )
    .await
    .unwrap();
    let rolled = b.rollback_transaction(&tx.id).await.unwrap();
    // §3.6: roll back → status `failed`.
    assert_eq!(rolled.status, TransactionStatus::Failed);
    assert_eq!(list_ids(b, T, &[]).await, ["old"]);
    // And it cannot be committed afterwards.
    assert_err(
        b.commit_transaction(&tx.id).await,
        400,
        ty::TRANSACTION_NOT_READY,
    );
    assert_eq!(list_ids(b, T, &[]).await, ["old"]);
}

pub async fn failing_operation_fails_commit_and_applies_nothing(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    put(b, T, "edit", json!({"name": "edit", "n": 1})).await;
    let tx = b.create_transaction(None).await.unwrap();
    b.stage_operations(
        &tx.id,
        &[
            create("first", json!({"name": "first"})),
            update("edit", json!({"n": 2})),
            create("clash", json!({"name": "staged"})),
        ],
    )
    .await
    .unwrap();
    // The staged create of "clash" can only fail at commit: the row appears after staging.
    put(b, T, "clash", json!({"name": "outside"})).await;
    // The reference names no error type for a failed commit; any error will do, but nothing
    // may be applied.
    let result = b.commit_transaction(&tx.id).await;
    assert!(result.is_err(), "commit should fail: {result:?}");
    assert_err(b.get_row(DB, T, "first", &[]).await, 404, ty::ROW_NOT_FOUND);
    assert_eq!(get(b, T, "edit").await["n"], json!(1));
    assert_eq!(get(b, T, "clash").await["name"], json!("outside"));
    assert_ne!(
        b.get_transaction(&tx.id).await.unwrap().status,
        TransactionStatus::Committed
    );
}

pub async fn reads_inside_transaction_see_staged_rows(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    put(b, T, "a", json!({"name": "a", "n": 1})).await;
    put(b, T, "gone", json!({"name": "gone", "n": 1})).await;
    let tx = b.create_transaction(None).await.unwrap();
    b.stage_operations(
        &tx.id,
        &[
            create("b", json!({"name": "b", "n": 1})),
            update("a", json!({"n": 7})),
            delete("gone"),
        ],
    )
    .await
    .unwrap();
    // §3.6: reads with `transactionId` see staged changes.
    let inside = b.list_rows(DB, T, &[], &in_tx(&tx.id)).await.unwrap();
    assert_eq!(sorted(ids(&inside)), strings(&["a", "b"]));
    assert_eq!(inside.total, 2);
    let a = inside.items.iter().find(|r| r.id() == "a").unwrap();
    assert_eq!(a["n"], json!(7));
    let filtered = b
        .list_rows(DB, T, &[Query::equal("n", [1])], &in_tx(&tx.id))
        .await
        .unwrap();
    assert_eq!(ids(&filtered), ["b"]);
    // Outside the transaction nothing changed.
    let outside = list_ids(b, T, &[]).await;
    assert_eq!(outside, ["a", "gone"]);
}

pub async fn commit_twice_is_not_ready(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    let tx = b.create_transaction(None).await.unwrap();
    b.stage_operations(&tx.id, &[create("a", json!({"name": "a"}))])
        .await
        .unwrap();
    b.commit_transaction(&tx.id).await.unwrap();
    // §3.6: not pending → 400 `transaction_not_ready`.
    assert_err(
        b.commit_transaction(&tx.id).await,
        400,
        ty::TRANSACTION_NOT_READY,
    );
    assert_err(
        b.rollback_transaction(&tx.id).await,
        400,
        ty::TRANSACTION_NOT_READY,
    );
    assert_eq!(count(b, T).await, 1);
}

pub async fn staging_after_commit_is_not_ready(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    let tx = b.create_transaction(None).await.unwrap();
    b.commit_transaction(&tx.id).await.unwrap();
    assert_err(
        b.stage_operations(&tx.id, &[create("a", json!({"name": "a"}))])
            .await,
        400,
        ty::TRANSACTION_NOT_READY,
    );
    assert_eq!(count(b, T).await, 0);
}

pub async fn more_than_100_operations_is_limit_exceeded(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    let tx = b.create_transaction(None).await.unwrap();
    let ops: Vec<Operation> = (0..100)
        .map(|i| create(&format!("r{i}"), json!({"name": "x"})))
        .collect();
    b.stage_operations(&tx.id, &ops).await.unwrap();
    // §3.6: max 100 operations per transaction.
    assert_err(
        b.stage_operations(&tx.id, &[create("r100", json!({"name": "x"}))])
            .await,
        400,
        ty::TRANSACTION_LIMIT_EXCEEDED,
    );
    assert_eq!(b.get_transaction(&tx.id).await.unwrap().operations, 100);
    b.commit_transaction(&tx.id).await.unwrap();
    assert_eq!(count(b, T).await, 100);
}

pub async fn bulk_operations_commit_together(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    let tx = b.create_transaction(None).await.unwrap();
    // §3.6 shapes: bulkCreate data = list of rows; bulkUpdate/bulkDelete data.queries (query
    // strings in wire form), bulkUpdate data.data.
    let ops = [
        op(
            OperationAction::BulkCreate,
            None,
            Some(json!([
                {"$id": "a", "name": "a", "n": 1},
                {"$id": "b", "name": "b", "n": 2},
                {"$id": "c", "name": "c", "n": 3},
            ])),
        ),
        op(
            OperationAction::BulkUpdate,
            None,
            Some(json!({
                "queries": [Query::greater_than("n", 1).to_wire()],
                "data": {"name": "big"},
            })),
        ),
        op(
            OperationAction::BulkDelete,
            None,
            Some(json!({"queries": [Query::equal("n", [3]).to_wire()]})),
        ),
        op(
            OperationAction::Increment,
            Some("a"),
            Some(json!({"column": "n", "value": 10})),
        ),
    ];
    b.stage_operations(&tx.id, &ops).await.unwrap();
    assert_eq!(count(b, T).await, 0);
    b.commit_transaction(&tx.id).await.unwrap();
    assert_eq!(list_ids(b, T, &[]).await, ["a", "b"]);
    assert_eq!(get(b, T, "a").await["n"], json!(11));
    assert_eq!(get(b, T, "a").await["name"], json!("a"));
    assert_eq!(get(b, T, "b").await["name"], json!("big"));
}

// --- commit conflicts ------------------------------------------------------------------------
//
// Appwrite 1.9.6 checks each staged write against the time it was staged: a row whose
// `$updatedAt` is later fails the whole commit with 409 `transaction_conflict`, and the
// transaction becomes `failed`. Time stamps have millisecond precision, so the cases wait a few
// milliseconds wherever two events must not share one.

const CONFLICT_MESSAGE: &str =
    "The transaction has a conflict. Please resolve the conflict and try again.";

/// Waits until the clock has surely moved past the current millisecond.
async fn tick() {
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
}

/// Changes row `id` outside any transaction.
async fn touch(b: &dyn Backend, id: &str, n: i64) {
    b.update_row(DB, T, id, &doc(json!({ "n": n })), None)
        .await
        .expect("update_row");
}

fn upsert(id: &str, data: Value) -> Operation {
    op(OperationAction::Upsert, Some(id), Some(data))
}

fn matching(action: OperationAction, name: &str, data: Option<Value>) -> Operation {
    let mut d = json!({ "queries": [Query::equal("name", [name]).to_wire()] });
    if let Some(data) = data {
        d["data"] = data;
    }
    op(action, None, Some(d))
}

/// Commits `tx` expecting a conflict, and checks that the transaction is `failed` for good.
async fn assert_conflict(b: &dyn Backend, tx: &str) {
    assert_err_msg(
        b.commit_transaction(tx).await,
        409,
        ty::TRANSACTION_CONFLICT,
        CONFLICT_MESSAGE,
    );
    assert_eq!(
        b.get_transaction(tx).await.unwrap().status,
        TransactionStatus::Failed
    );
    assert_err(
        b.commit_transaction(tx).await,
        400,
        ty::TRANSACTION_NOT_READY,
    );
}

pub async fn row_changed_after_staging_fails_commit(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    put(b, T, "edit", json!({"name": "edit", "n": 1})).await;
    put(b, T, "other", json!({"name": "other", "n": 1})).await;
    let tx = b.create_transaction(None).await.unwrap();
    b.stage_operations(
        &tx.id,
        &[
            update("other", json!({"n": 2})),
            create("new", json!({"name": "new"})),
            update("edit", json!({"n": 2})),
        ],
    )
    .await
    .unwrap();
    tick().await;
    touch(b, "edit", 5).await;
    assert_conflict(b, &tx.id).await;
    // All or nothing: the operations before the conflicting one are undone too.
    assert_eq!(get(b, T, "other").await["n"], json!(1));
    assert_err(b.get_row(DB, T, "new", &[]).await, 404, ty::ROW_NOT_FOUND);
    assert_eq!(get(b, T, "edit").await["n"], json!(5));
}

pub async fn commit_without_outside_changes_succeeds(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    put(b, T, "edit", json!({"name": "edit", "n": 1})).await;
    put(b, T, "gone", json!({"name": "gone", "n": 1})).await;
    put(b, T, "merge", json!({"name": "merge", "n": 1})).await;
    let tx = b.create_transaction(None).await.unwrap();
    b.stage_operations(
        &tx.id,
        &[
            update("edit", json!({"n": 2})),
            delete("gone"),
            upsert("merge", json!({"n": 3})),
        ],
    )
    .await
    .unwrap();
    // Time passing is no conflict; only a change to a row is.
    tick().await;
    let done = b.commit_transaction(&tx.id).await.unwrap();
    assert_eq!(done.status, TransactionStatus::Committed);
    assert_eq!(get(b, T, "edit").await["n"], json!(2));
    assert_eq!(get(b, T, "merge").await["n"], json!(3));
    assert_eq!(list_ids(b, T, &[]).await, ["edit", "merge"]);
}

pub async fn rows_changed_before_staging_do_not_conflict(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    put(b, T, "early", json!({"name": "early", "n": 1})).await;
    put(b, T, "late", json!({"name": "late", "n": 1})).await;
    touch(b, "early", 2).await;
    tick().await;
    let tx = b.create_transaction(None).await.unwrap();
    tick().await;
    // Appwrite compares with the time each operation was staged, not with the transaction's
    // creation: a change between the two is no conflict.
    touch(b, "late", 2).await;
    tick().await;
    b.stage_operations(
        &tx.id,
        &[
            update("early", json!({"n": 10})),
            update("late", json!({"n": 20})),
        ],
    )
    .await
    .unwrap();
    let done = b.commit_transaction(&tx.id).await.unwrap();
    assert_eq!(done.status, TransactionStatus::Committed);
    assert_eq!(get(b, T, "early").await["n"], json!(10));
    assert_eq!(get(b, T, "late").await["n"], json!(20));
}

pub async fn delete_of_row_changed_after_staging_conflicts(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    put(b, T, "gone", json!({"name": "gone", "n": 1})).await;
    let tx = b.create_transaction(None).await.unwrap();
    b.stage_operations(
        &tx.id,
        &[create("new", json!({"name": "new"})), delete("gone")],
    )
    .await
    .unwrap();
    tick().await;
    touch(b, "gone", 2).await;
    assert_conflict(b, &tx.id).await;
    assert_eq!(get(b, T, "gone").await["n"], json!(2));
    assert_err(b.get_row(DB, T, "new", &[]).await, 404, ty::ROW_NOT_FOUND);
}

pub async fn upsert_and_bulk_writes_over_changed_rows_conflict(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    let staged = [
        ("upsert", upsert("upsert", json!({"n": 9}))),
        (
            "bulk-upsert",
            op(
                OperationAction::BulkUpsert,
                None,
                Some(json!([{"$id": "bulk-upsert", "name": "bulk-upsert", "n": 9}])),
            ),
        ),
        (
            "bulk-update",
            matching(
                OperationAction::BulkUpdate,
                "bulk-update",
                Some(json!({"n": 9})),
            ),
        ),
        (
            "bulk-delete",
            matching(OperationAction::BulkDelete, "bulk-delete", None),
        ),
    ];
    for (id, operation) in staged {
        put(b, T, id, json!({"name": id, "n": 1})).await;
        let tx = b.create_transaction(None).await.unwrap();
        b.stage_operations(&tx.id, &[operation]).await.unwrap();
        tick().await;
        touch(b, id, 2).await;
        assert_conflict(b, &tx.id).await;
        assert_eq!(get(b, T, id).await["n"], json!(2), "{id}");
    }
}

pub async fn increment_over_changed_row_does_not_conflict(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    put(b, T, "counter", json!({"name": "counter", "n": 1})).await;
    let tx = b.create_transaction(None).await.unwrap();
    b.stage_operations(
        &tx.id,
        &[op(
            OperationAction::Increment,
            Some("counter"),
            Some(json!({"column": "n", "value": 10})),
        )],
    )
    .await
    .unwrap();
    tick().await;
    touch(b, "counter", 5).await;
    // Appwrite 1.9.6 runs increments with the staging time too, but its database library
    // compares nothing there: the increment lands on the outside change.
    let done = b.commit_transaction(&tx.id).await.unwrap();
    assert_eq!(done.status, TransactionStatus::Committed);
    assert_eq!(get(b, T, "counter").await["n"], json!(15));
}

pub async fn rows_the_transaction_wrote_do_not_conflict_with_it(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    put(b, T, "edit", json!({"name": "edit", "n": 1})).await;
    put(b, T, "bump", json!({"name": "bump", "n": 1})).await;
    let tx = b.create_transaction(None).await.unwrap();
    b.stage_operations(
        &tx.id,
        &[
            create("c1", json!({"name": "c1", "n": 1})),
            update("edit", json!({"n": 2})),
            op(
                OperationAction::Increment,
                Some("bump"),
                Some(json!({"column": "n"})),
            ),
        ],
    )
    .await
    .unwrap();
    tick().await;
    // Each of these meets a row that an earlier operation of the same commit wrote, after these
    // were staged (the commit writes with its own time).
    b.stage_operations(
        &tx.id,
        &[
            update("c1", json!({"n": 3})),
            update("edit", json!({"n": 4})),
            upsert("edit", json!({"name": "edited"})),
            update("bump", json!({"name": "bumped"})),
            matching(OperationAction::BulkUpdate, "c1", Some(json!({"n": 5}))),
            delete("edit"),
        ],
    )
    .await
    .unwrap();
    tick().await;
    let done = b.commit_transaction(&tx.id).await.unwrap();
    assert_eq!(done.status, TransactionStatus::Committed);
    assert_eq!(get(b, T, "c1").await["n"], json!(5));
    assert_eq!(get(b, T, "bump").await["n"], json!(2));
    assert_eq!(get(b, T, "bump").await["name"], json!("bumped"));
    assert_err(b.get_row(DB, T, "edit", &[]).await, 404, ty::ROW_NOT_FOUND);
}

pub async fn row_existing_at_commit_is_a_conflict(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table(b).await;
    let tx = b.create_transaction(None).await.unwrap();
    b.stage_operations(
        &tx.id,
        &[
            create("first", json!({"name": "first"})),
            create("clash", json!({"name": "staged"})),
        ],
    )
    .await
    .unwrap();
    put(b, T, "clash", json!({"name": "outside"})).await;
    // Appwrite maps a duplicate at commit to the same answer as a changed row.
    assert_conflict(b, &tx.id).await;
    assert_eq!(list_ids(b, T, &[]).await, ["clash"]);
    assert_eq!(get(b, T, "clash").await["name"], json!("outside"));
}
