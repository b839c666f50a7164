//! Databases: create, get, list, delete (§3.1, §5 ids and names, §7 error types).

use appwrite_orm::backend::UNIQUE_ID;
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, TableSchema};

use super::Env;
use super::support::*;

pub async fn create_database_then_get_returns_it(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    let created = b.create_database("shop", "Shop").await.unwrap();
    assert_eq!(created.id, "shop");
    assert_eq!(created.name, "Shop");
    assert!(created.enabled);
    // §3.1: `type` is `tablesdb` when created through /tablesdb.
    assert_eq!(created.database_type, "tablesdb");
    assert!(is_timestamp(&created.created_at), "{}", created.created_at);
    assert!(is_timestamp(&created.updated_at), "{}", created.updated_at);
    let got = b.get_database("shop").await.unwrap();
    assert_eq!(got, created);
}

pub async fn create_database_with_unique_id_generates_hex_id(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    let a = b.create_database(UNIQUE_ID, "A").await.unwrap();
    let c = b.create_database(UNIQUE_ID, "C").await.unwrap();
    assert!(is_hex20(&a.id), "{}", a.id);
    assert!(is_hex20(&c.id), "{}", c.id);
    assert_ne!(a.id, c.id);
    assert_eq!(b.get_database(&a.id).await.unwrap().name, "A");
}

pub async fn duplicate_database_id_is_conflict(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    b.create_database("shop", "Shop").await.unwrap();
    assert_err(
        b.create_database("shop", "Other").await,
        409,
        ty::DATABASE_ALREADY_EXISTS,
    );
    assert_eq!(b.get_database("shop").await.unwrap().name, "Shop");
}

pub async fn get_missing_database_is_not_found(env: Env) {
    let fx = env.fixture().await;
    assert_err(
        fx.b().get_database("nope").await,
        404,
        ty::DATABASE_NOT_FOUND,
    );
}

pub async fn delete_database_removes_it_and_its_tables(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![ColumnSchema::varchar("name", 10)]).await;
    put(b, T, "r1", serde_json::json!({"name": "x"})).await;
    b.delete_database(DB).await.unwrap();
    assert_err(b.get_database(DB).await, 404, ty::DATABASE_NOT_FOUND);
    assert_err(b.get_table(DB, T).await, 404, ty::DATABASE_NOT_FOUND);
    // A database created again under the same id starts empty (§3.1: tables go with it).
    b.create_database(DB, "again").await.unwrap();
    assert_eq!(b.list_tables(DB, &[]).await.unwrap().total, 0);
    assert_err(b.get_table(DB, T).await, 404, ty::TABLE_NOT_FOUND);
}

pub async fn delete_missing_database_is_not_found(env: Env) {
    let fx = env.fixture().await;
    assert_err(
        fx.b().delete_database("nope").await,
        404,
        ty::DATABASE_NOT_FOUND,
    );
}

pub async fn list_databases_counts_all(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    for i in 0..3 {
        b.create_database(&format!("d{i}"), &format!("D{i}"))
            .await
            .unwrap();
    }
    let list = b.list_databases(&[]).await.unwrap();
    assert_eq!(list.total, 3);
    let mut got: Vec<String> = list.items.iter().map(|d| d.id.clone()).collect();
    got.sort();
    assert_eq!(got, strings(&["d0", "d1", "d2"]));
    // `limit` shortens the page, not the total.
    let page = b.list_databases(&[Query::limit(2)]).await.unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.total, 3);
}

pub async fn list_databases_filters_by_name(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    b.create_database("a", "Alpha").await.unwrap();
    b.create_database("b", "Beta").await.unwrap();
    // §3.1: list queries may filter on `name`.
    let list = b
        .list_databases(&[Query::equal("name", ["Beta"])])
        .await
        .unwrap();
    assert_eq!(list.total, 1);
    assert_eq!(list.items[0].id, "b");
}

pub async fn invalid_database_ids_are_rejected(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    let long = "a".repeat(37);
    for bad in ["../x", "a/b", "_lead", ".dot", "-dash", "", long.as_str()] {
        assert_err(
            b.create_database(bad, "x").await,
            400,
            ty::GENERAL_ARGUMENT_INVALID,
        );
    }
    assert_eq!(b.list_databases(&[]).await.unwrap().total, 0);
    // 36 characters of the allowed set are fine.
    let ok = format!("A.b-c_{}", "9".repeat(30));
    assert_eq!(b.create_database(&ok, "ok").await.unwrap().id, ok);
}

pub async fn database_name_longer_than_128_is_rejected(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    // §3.1/§5: name ≤128 characters; a param rule, hence `general_argument_invalid` (§7).
    assert_err(
        b.create_database("d", &"n".repeat(129)).await,
        400,
        ty::GENERAL_ARGUMENT_INVALID,
    );
    assert_eq!(
        b.create_database("d", &"n".repeat(128)).await.unwrap().name,
        "n".repeat(128)
    );
}

pub async fn table_calls_on_missing_database_are_not_found(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    assert_err(
        b.create_table("nope", &TableSchema::new("t", "t")).await,
        404,
        ty::DATABASE_NOT_FOUND,
    );
    assert_err(
        b.list_tables("nope", &[]).await,
        404,
        ty::DATABASE_NOT_FOUND,
    );
    assert_err(
        b.get_row("nope", "t", "r", &[]).await,
        404,
        ty::DATABASE_NOT_FOUND,
    );
}
