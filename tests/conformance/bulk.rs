//! Bulk row operations and increment/decrement (§3.5, §5 bulk limits).

use appwrite_orm::backend::{Backend, Document};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnKind, ColumnSchema};
use serde_json::{Number, Value, json};

use super::Env;
use super::support::*;

async fn counters(b: &dyn Backend) {
    table_with(
        b,
        T,
        vec![
            ColumnSchema::varchar("name", 40).required(),
            ColumnSchema::integer("n"),
            ColumnSchema::float("f"),
            ColumnSchema::varchar("group", 10),
        ],
    )
    .await;
}

fn numbered(count: usize) -> Vec<Document> {
    (0..count)
        .map(|i| doc(json!({"$id": format!("r{i:03}"), "name": format!("n{i}"), "n": i})))
        .collect()
}

pub async fn create_rows_creates_one_hundred(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    let created = b.create_rows(DB, T, &numbered(100)).await.unwrap();
    assert_eq!(created.total, 100);
    assert_eq!(created.items.len(), 100);
    assert_eq!(count(b, T).await, 100);
    // Rows keep the order they were given in (insertion order = `$sequence` order).
    let want: Vec<String> = (0..100).map(|i| format!("r{i:03}")).collect();
    assert_eq!(all_ids(b, T, &[]).await, want);
    assert_eq!(get(b, T, "r042").await["n"], json!(42));
}

pub async fn create_rows_refuses_more_than_one_hundred(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    // §5 Bulk: `rows` arrays ≤100; a param rule, so `general_argument_invalid` (§7 framework
    // errors; the reference names no other type for it).
    assert_err(
        b.create_rows(DB, T, &numbered(101)).await,
        400,
        ty::GENERAL_ARGUMENT_INVALID,
    );
    assert_eq!(count(b, T).await, 0);
}

pub async fn create_rows_is_atomic_on_invalid_row(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    let mut rows = numbered(10);
    rows[6] = doc(json!({"$id": "bad", "n": 1})); // required `name` missing
    assert_err(
        b.create_rows(DB, T, &rows).await,
        400,
        ty::ROW_INVALID_STRUCTURE,
    );
    assert_eq!(count(b, T).await, 0, "bulk create is all or nothing");
}

pub async fn create_rows_is_atomic_on_duplicate_id(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    put(b, T, "r005", json!({"name": "existing"})).await;
    assert_err(
        b.create_rows(DB, T, &numbered(10)).await,
        409,
        ty::ROW_ALREADY_EXISTS,
    );
    assert_eq!(all_ids(b, T, &[]).await, ["r005"]);
    assert_eq!(get(b, T, "r005").await["name"], json!("existing"));
}

pub async fn create_rows_honours_ids_and_permissions(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    let rows = docs(json!([
        {"$id": "r1", "name": "a"},
        {"name": "b", "$permissions": ["read(\"any\")"]},
    ]));
    let created = b.create_rows(DB, T, &rows).await.unwrap();
    assert_eq!(created.items[0].id(), "r1");
    // Rows without `$id` get a generated one.
    let generated = created.items[1].id().to_owned();
    assert!(is_hex20(&generated), "{generated}");
    assert_eq!(
        get(b, T, &generated).await.permissions(),
        strings(&["read(\"any\")"])
    );
    assert!(get(b, T, "r1").await.permissions().is_empty());
    assert!(seq(&created.items[1]) > seq(&created.items[0]));
}

pub async fn upsert_rows_inserts_and_merges(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    put(b, T, "a", json!({"name": "alpha", "n": 1, "group": "g1"})).await;
    let rows = docs(json!([
        {"$id": "a", "name": "alpha", "n": 2},
        {"$id": "b", "name": "beta", "n": 3},
    ]));
    let result = b.upsert_rows(DB, T, &rows).await.unwrap();
    assert_eq!(result.total, 2);
    let a = get(b, T, "a").await;
    assert_eq!(a["n"], json!(2));
    // §3.5: upsert merges, so a column not sent keeps its value.
    assert_eq!(a["group"], json!("g1"));
    assert_eq!(get(b, T, "b").await["n"], json!(3));
    assert_eq!(count(b, T).await, 2);
}

pub async fn update_rows_by_filter_reports_total_changed(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    b.create_rows(DB, T, &numbered(20)).await.unwrap();
    let result = b
        .update_rows(
            DB,
            T,
            &doc(json!({"group": "big"})),
            &[Query::greater_than_equal("n", 12)],
        )
        .await
        .unwrap();
    assert_eq!(result.total, 8);
    let want: Vec<String> = (12..20).map(|i| format!("r{i:03}")).collect();
    assert_eq!(all_ids(b, T, &[Query::equal("group", ["big"])]).await, want);
    assert_eq!(get(b, T, "r011").await["group"], Value::Null);
    assert_eq!(
        get(b, T, "r012").await["name"],
        json!("n12"),
        "other columns kept"
    );
}

pub async fn update_rows_without_filter_updates_all(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    b.create_rows(DB, T, &numbered(5)).await.unwrap();
    let result = b
        .update_rows(DB, T, &doc(json!({"group": "all"})), &[])
        .await
        .unwrap();
    assert_eq!(result.total, 5);
    assert_eq!(
        all_ids(b, T, &[Query::equal("group", ["all"])]).await.len(),
        5
    );
    // Values are still validated.
    assert_err(
        b.update_rows(DB, T, &doc(json!({"n": "x"})), &[]).await,
        400,
        ty::ROW_INVALID_STRUCTURE,
    );
}

pub async fn delete_rows_by_filter_reports_total_deleted(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    b.create_rows(DB, T, &numbered(10)).await.unwrap();
    let result = b
        .delete_rows(DB, T, &[Query::less_than("n", 4)])
        .await
        .unwrap();
    assert_eq!(result.total, 4);
    let want: Vec<String> = (4..10).map(|i| format!("r{i:03}")).collect();
    assert_eq!(all_ids(b, T, &[]).await, want);
    let rest = b.delete_rows(DB, T, &[]).await.unwrap();
    assert_eq!(rest.total, 6);
    assert_eq!(count(b, T).await, 0);
}

pub async fn increment_adds_value(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    put(b, T, "r1", json!({"name": "a", "n": 5})).await;
    let row = b
        .increment_row_column(DB, T, "r1", "n", Number::from(3), None)
        .await
        .unwrap();
    assert_eq!(row["n"], json!(8));
    let row = b
        .decrement_row_column(DB, T, "r1", "n", Number::from(10), None)
        .await
        .unwrap();
    assert_eq!(row["n"], json!(-2));
    assert_eq!(get(b, T, "r1").await["n"], json!(-2));
}

pub async fn increment_past_max_is_limit_exceeded_and_row_unchanged(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    put(b, T, "r1", json!({"name": "a", "n": 5})).await;
    // §3.5: `value + step > max` → 400 `column_limit_exceeded`, row unchanged, in the words
    // of Appwrite 1.9.6's `Increment.php` (its SDK namespace first).
    assert_err_msg(
        b.increment_row_column(DB, T, "r1", "n", Number::from(6), Some(Number::from(10)))
            .await,
        400,
        ty::COLUMN_LIMIT_EXCEEDED,
        "tablesDB \"n\" has reached the maximum value of 10",
    );
    assert_eq!(get(b, T, "r1").await["n"], json!(5));
    // Reaching the max exactly is allowed.
    let row = b
        .increment_row_column(DB, T, "r1", "n", Number::from(5), Some(Number::from(10)))
        .await
        .unwrap();
    assert_eq!(row["n"], json!(10));
}

pub async fn decrement_past_min_is_limit_exceeded_and_row_unchanged(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    put(b, T, "r1", json!({"name": "a", "n": 5})).await;
    assert_err_msg(
        b.decrement_row_column(DB, T, "r1", "n", Number::from(6), Some(Number::from(0)))
            .await,
        400,
        ty::COLUMN_LIMIT_EXCEEDED,
        "tablesDB \"n\" has reached the minimum value of 0",
    );
    assert_eq!(get(b, T, "r1").await["n"], json!(5));
    let row = b
        .decrement_row_column(DB, T, "r1", "n", Number::from(5), Some(Number::from(0)))
        .await
        .unwrap();
    assert_eq!(row["n"], json!(0));
}

pub async fn increment_non_numeric_column_is_type_invalid(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    put(b, T, "r1", json!({"name": "a", "n": 1})).await;
    // §3.5: the literal type `attribute_type_invalid`, also on TablesDB.
    assert_err(
        b.increment_row_column(DB, T, "r1", "name", Number::from(1), None)
            .await,
        400,
        ty::ATTRIBUTE_TYPE_INVALID,
    );
    assert_eq!(get(b, T, "r1").await["name"], json!("a"));
}

pub async fn increment_missing_row_is_not_found(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    counters(b).await;
    assert_err(
        b.increment_row_column(DB, T, "nope", "n", Number::from(1), None)
            .await,
        404,
        ty::ROW_NOT_FOUND,
    );
}

pub async fn increment_float_column_by_fraction(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(
        b,
        T,
        vec![ColumnSchema::new(
            "f",
            ColumnKind::Float {
                min: None,
                max: None,
            },
        )],
    )
    .await;
    put(b, T, "r1", json!({"f": 1.25})).await;
    let row = b
        .increment_row_column(
            DB,
            T,
            "r1",
            "f",
            Number::from_f64(0.5).unwrap(),
            Some(Number::from_f64(2.0).unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(row["f"].as_f64(), Some(1.75));
    assert_eq!(get(b, T, "r1").await["f"].as_f64(), Some(1.75));
}
