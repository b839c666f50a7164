//! Indexes: lifecycle, uniqueness and the creation rules (§3.4, §4, §7).

use std::time::Duration;

use appwrite_orm::backend::{ColumnStatus, ListOptions};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, SortOrder};
use serde_json::json;

use super::support::*;
use super::{Env, FixtureOptions};

fn columns() -> Vec<ColumnSchema> {
    vec![
        ColumnSchema::varchar("name", 40),
        ColumnSchema::integer("age"),
        ColumnSchema::varchar("tags", 10).array(),
    ]
}

pub async fn create_list_get_and_delete_index(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, columns()).await;
    let idx = IndexSchema::new("by_name_age", IndexKind::Key, ["name", "age"])
        .orders([SortOrder::Asc, SortOrder::Desc]);
    let ready = add_index(b, T, idx.clone()).await;
    assert_eq!(ready.schema.key, "by_name_age");
    assert_eq!(ready.schema.kind, IndexKind::Key);
    assert_eq!(ready.schema.columns, strings(&["name", "age"]));
    assert_eq!(ready.schema.orders, [SortOrder::Asc, SortOrder::Desc]);
    let listed = b.list_indexes(DB, T).await.unwrap();
    assert_eq!(listed.total, 1);
    assert_eq!(listed.items[0].schema.key, "by_name_age");
    assert_eq!(
        b.get_table(DB, T)
            .await
            .unwrap()
            .index("by_name_age")
            .unwrap()
            .status,
        ColumnStatus::Available
    );
    b.delete_index(DB, T, "by_name_age").await.unwrap();
    wait_index_gone(b, T, "by_name_age").await;
    assert_err(
        b.get_index(DB, T, "by_name_age").await,
        404,
        ty::COLUMN_INDEX_NOT_FOUND,
    );
    // Once the index is gone, its column can be deleted.
    b.delete_column(DB, T, "age").await.unwrap();
}

pub async fn index_answers_processing_then_available(env: Env) {
    let fx = env
        .fixture_with(FixtureOptions::delayed(Duration::from_millis(1500)))
        .await;
    if !fx.column_timing_is_set() {
        return;
    }
    let b = fx.b();
    table_with(b, T, columns()).await;
    let created = b
        .create_index(DB, T, &IndexSchema::new("by_age", IndexKind::Key, ["age"]))
        .await
        .unwrap();
    // §3.4: creation answers `processing`.
    assert_eq!(created.status, ColumnStatus::Processing);
    assert_eq!(
        b.get_index(DB, T, "by_age").await.unwrap().status,
        ColumnStatus::Processing
    );
    assert_eq!(
        wait_index(b, T, "by_age").await.status,
        ColumnStatus::Available
    );
}

pub async fn unique_index_refuses_duplicate_value(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, columns()).await;
    add_index(
        b,
        T,
        IndexSchema::new("u_name", IndexKind::Unique, ["name"]),
    )
    .await;
    put(b, T, "r1", json!({"name": "ada"})).await;
    assert_err(
        b.create_row(DB, T, "r2", &doc(json!({"name": "ada"})), None)
            .await,
        409,
        ty::ROW_ALREADY_EXISTS,
    );
    assert_err(get_result(b, "r2").await, 404, ty::ROW_NOT_FOUND);
    put(b, T, "r3", json!({"name": "bob"})).await;
    // Nulls are not duplicates of each other.
    put(b, T, "n1", json!({"name": null})).await;
    put(b, T, "n2", json!({"name": null})).await;
    assert_eq!(count(b, T).await, 4);
}

async fn get_result(
    b: &dyn appwrite_orm::backend::Backend,
    id: &str,
) -> appwrite_orm::Result<appwrite_orm::backend::Row> {
    b.get_row(DB, T, id, &[]).await
}

pub async fn unique_index_checks_updates_too(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, columns()).await;
    add_index(
        b,
        T,
        IndexSchema::new("u_name", IndexKind::Unique, ["name"]),
    )
    .await;
    put(b, T, "r1", json!({"name": "ada"})).await;
    put(b, T, "r2", json!({"name": "bob"})).await;
    assert_err(
        b.update_row(DB, T, "r2", &doc(json!({"name": "ada"})), None)
            .await,
        409,
        ty::ROW_ALREADY_EXISTS,
    );
    assert_eq!(get(b, T, "r2").await["name"], json!("bob"));
}

pub async fn fulltext_index_on_non_string_is_invalid(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, columns()).await;
    assert_err(
        b.create_index(DB, T, &IndexSchema::new("ft", IndexKind::Fulltext, ["age"]))
            .await,
        400,
        ty::COLUMN_INDEX_INVALID,
    );
    assert_eq!(b.list_indexes(DB, T).await.unwrap().total, 0);
    // On a string column it is fine and makes `search` usable.
    add_index(b, T, IndexSchema::new("ft", IndexKind::Fulltext, ["name"])).await;
    put(b, T, "r1", json!({"name": "quiet harbour"})).await;
    let found = b
        .list_rows(
            DB,
            T,
            &[Query::search("name", "harbour")],
            &ListOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(ids(&found), ["r1"]);
}

pub async fn index_on_array_column_is_invalid(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, columns()).await;
    // §3.4/§5: array columns cannot be indexed (1.9.6); a validator rule, so
    // `column_index_invalid` ("rule failure → 400 column_index_invalid").
    assert_err(
        b.create_index(
            DB,
            T,
            &IndexSchema::new("by_tags", IndexKind::Key, ["tags"]),
        )
        .await,
        400,
        ty::COLUMN_INDEX_INVALID,
    );
    assert_eq!(b.list_indexes(DB, T).await.unwrap().total, 0);
}

pub async fn index_on_unknown_column_is_column_unknown(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, columns()).await;
    // §3.4: "columns must exist and be available (400 column_not_available / column_unknown)":
    // a column that does not exist at all is `column_unknown`.
    assert_err(
        b.create_index(DB, T, &IndexSchema::new("i", IndexKind::Key, ["ghost"]))
            .await,
        400,
        ty::COLUMN_UNKNOWN,
    );
    assert_eq!(b.list_indexes(DB, T).await.unwrap().total, 0);
}

pub async fn index_on_processing_column_is_not_available(env: Env) {
    let fx = env
        .fixture_with(FixtureOptions::delayed(Duration::from_millis(1500)))
        .await;
    if !fx.column_timing_is_set() {
        return;
    }
    let b = fx.b();
    table_with(b, T, columns()).await;
    b.create_column(DB, T, &ColumnSchema::integer("score"))
        .await
        .unwrap();
    // §4: indexing a column that is not available yet gives `column_not_available`.
    assert_err(
        b.create_index(DB, T, &IndexSchema::new("i", IndexKind::Key, ["score"]))
            .await,
        400,
        ty::COLUMN_NOT_AVAILABLE,
    );
    wait_column(b, T, "score").await;
    add_index(b, T, IndexSchema::new("i", IndexKind::Key, ["score"])).await;
}

pub async fn duplicate_index_key_is_conflict(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, columns()).await;
    add_index(b, T, IndexSchema::new("i", IndexKind::Key, ["age"])).await;
    assert_err(
        b.create_index(DB, T, &IndexSchema::new("i", IndexKind::Key, ["name"]))
            .await,
        409,
        ty::COLUMN_INDEX_ALREADY_EXISTS,
    );
    let listed = b.list_indexes(DB, T).await.unwrap();
    assert_eq!(listed.total, 1);
    assert_eq!(listed.items[0].schema.columns, strings(&["age"]));
}

pub async fn get_missing_index_is_not_found(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, columns()).await;
    assert_err(
        b.get_index(DB, T, "nope").await,
        404,
        ty::COLUMN_INDEX_NOT_FOUND,
    );
    assert_err(
        b.delete_index(DB, T, "nope").await,
        404,
        ty::COLUMN_INDEX_NOT_FOUND,
    );
}

pub async fn index_may_cover_system_columns(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, columns()).await;
    // §3.4: index column lists may include `$id`, `$createdAt`, `$updatedAt`.
    let ready = add_index(
        b,
        T,
        IndexSchema::new("by_created", IndexKind::Key, ["$createdAt", "age"]),
    )
    .await;
    assert_eq!(ready.schema.columns, strings(&["$createdAt", "age"]));
}
