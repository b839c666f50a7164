//! Storage that outlives the backend value: drop it, open the same storage, see the same state.
//! Only for fixtures that can reopen (`conformance_persistence_suite!`).

use appwrite_orm::backend::{ColumnStatus, UNIQUE_ID};
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};
use serde_json::json;

use super::support::*;
use super::{Env, Fixture, FixtureOptions};

async fn on_disk(env: &Env) -> Fixture {
    let fx = env
        .fixture_with(FixtureOptions {
            persistent: true,
            ..FixtureOptions::default()
        })
        .await;
    assert!(
        fx.can_reopen(),
        "a persistent fixture must be able to reopen"
    );
    fx
}

fn schema() -> TableSchema {
    TableSchema::new(T, "Items")
        .column(ColumnSchema::varchar("name", 40).required())
        .column(ColumnSchema::integer("n").default_value(7))
        .column(ColumnSchema::datetime("at"))
        .index(IndexSchema::new("u_name", IndexKind::Unique, ["name"]))
}

pub async fn file_storage_keeps_data_across_reopen(env: Env) {
    let fx = on_disk(&env).await;
    table_schema(fx.b(), schema()).await;
    let before = [
        put(
            fx.b(),
            T,
            "r1",
            json!({"name": "a", "at": "2020-01-02 03:04:05+00:00"}),
        )
        .await,
        put(fx.b(), T, "r2", json!({"name": "b", "n": 1})).await,
    ];
    fx.b().delete_row(DB, T, "r2").await.unwrap();
    let fx = fx.reopen();
    let b = fx.b();
    assert_eq!(get(b, T, "r1").await, before[0]);
    assert_err(b.get_row(DB, T, "r2", &[]).await, 404, ty::ROW_NOT_FOUND);
    assert_eq!(list_ids(b, T, &[]).await, ["r1"]);
    assert_eq!(b.get_database(DB).await.unwrap().name, "Test database");
}

pub async fn file_storage_keeps_schema_across_reopen(env: Env) {
    let fx = on_disk(&env).await;
    table_schema(fx.b(), schema()).await;
    add_column(fx.b(), T, ColumnSchema::boolean("flag").default_value(true)).await;
    let before = fx.b().get_table(DB, T).await.unwrap();
    let fx = fx.reopen();
    let b = fx.b();
    let after = b.get_table(DB, T).await.unwrap();
    assert_eq!(after, before);
    assert!(
        after
            .columns
            .iter()
            .all(|c| c.status == ColumnStatus::Available)
    );
    // The reopened schema is enforced: defaults apply, unknown keys are refused.
    let row = put(b, T, "r1", json!({"name": "x"})).await;
    assert_eq!(row["n"], json!(7));
    assert_eq!(row["flag"], json!(true));
    assert_err(
        b.create_row(DB, T, "r2", &doc(json!({"name": "y", "ghost": 1})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
    );
}

pub async fn file_storage_continues_sequence_after_reopen(env: Env) {
    let fx = on_disk(&env).await;
    table_schema(fx.b(), schema()).await;
    let mut last = 0;
    for i in 0..3 {
        last = seq(&put(fx.b(), T, UNIQUE_ID, json!({"name": format!("n{i}")})).await);
    }
    let fx = fx.reopen();
    let next = put(fx.b(), T, "after", json!({"name": "after"})).await;
    assert!(
        seq(&next) > last,
        "sequence restarted: {} after {last}",
        seq(&next)
    );
    // Insertion order survives: the new row sorts last by default.
    assert_eq!(list_ids(fx.b(), T, &[]).await.last().unwrap(), "after");
}

pub async fn file_storage_keeps_indexes_enforced_after_reopen(env: Env) {
    let fx = on_disk(&env).await;
    table_schema(fx.b(), schema()).await;
    put(fx.b(), T, "r1", json!({"name": "taken"})).await;
    let fx = fx.reopen();
    let b = fx.b();
    assert_eq!(b.list_indexes(DB, T).await.unwrap().total, 1);
    assert_err(
        b.create_row(DB, T, "r2", &doc(json!({"name": "taken"})), None)
            .await,
        409,
        ty::ROW_ALREADY_EXISTS,
    );
}

pub async fn memory_storage_is_fresh_after_reopen(env: Env) {
    let fx = env.fixture().await;
    // Fixtures running this suite reopen non-persistent storage too (as a fresh one).
    assert!(
        fx.can_reopen(),
        "the persistence suite needs reopen on every fixture"
    );
    table_schema(fx.b(), schema()).await;
    put(fx.b(), T, "r1", json!({"name": "a"})).await;
    let fx = fx.reopen();
    assert_err(fx.b().get_database(DB).await, 404, ty::DATABASE_NOT_FOUND);
    assert_eq!(fx.b().list_databases(&[]).await.unwrap().total, 0);
}
