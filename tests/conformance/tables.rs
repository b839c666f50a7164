//! Tables: create (with inline columns and indexes), get, list, update, delete (§3.2).

use appwrite_orm::backend::{ColumnStatus, ListOptions, TableUpdate};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};
use serde_json::json;

use super::Env;
use super::support::*;

pub async fn create_table_then_get_returns_it(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    new_db(b).await;
    let mut schema = TableSchema::new("books", "Books").column(ColumnSchema::varchar("title", 50));
    schema.permissions = strings(&["read(\"any\")"]);
    schema.row_security = true;
    let created = b.create_table(DB, &schema).await.unwrap();
    assert_eq!(created.id, "books");
    assert_eq!(created.name, "Books");
    assert_eq!(created.database_id, DB);
    assert_eq!(created.permissions, strings(&["read(\"any\")"]));
    assert!(created.row_security);
    assert!(created.enabled);
    assert!(is_timestamp(&created.created_at), "{}", created.created_at);
    let got = b.get_table(DB, "books").await.unwrap();
    assert_eq!(got.id, "books");
    assert_eq!(got.name, "Books");
    assert_eq!(got.permissions, created.permissions);
    assert_eq!(got.columns.len(), 1);
    assert_eq!(got.columns[0].schema.key, "title");
    assert_eq!(got.created_at, created.created_at);
}

pub async fn duplicate_table_id_is_conflict(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![]).await;
    assert_err(
        b.create_table(DB, &TableSchema::new(T, "again")).await,
        409,
        ty::TABLE_ALREADY_EXISTS,
    );
    // The same table id in another database is a different table.
    b.create_database("db2", "Other").await.unwrap();
    b.create_table("db2", &TableSchema::new(T, "x"))
        .await
        .unwrap();
}

pub async fn get_missing_table_is_not_found(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    new_db(b).await;
    assert_err(b.get_table(DB, "nope").await, 404, ty::TABLE_NOT_FOUND);
    assert_err(b.delete_table(DB, "nope").await, 404, ty::TABLE_NOT_FOUND);
}

pub async fn list_tables_counts_all_and_filters_by_name(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    new_db(b).await;
    for (id, name) in [("a", "Apples"), ("b", "Bananas"), ("c", "Cherries")] {
        b.create_table(DB, &TableSchema::new(id, name))
            .await
            .unwrap();
    }
    let all = b.list_tables(DB, &[]).await.unwrap();
    assert_eq!(all.total, 3);
    let mut got: Vec<String> = all.items.iter().map(|t| t.id.clone()).collect();
    got.sort();
    assert_eq!(got, strings(&["a", "b", "c"]));
    let one = b
        .list_tables(DB, &[Query::equal("name", ["Bananas"])])
        .await
        .unwrap();
    assert_eq!(one.total, 1);
    assert_eq!(one.items[0].id, "b");
}

/// Several orders sort as Appwrite sorts any list: the first order is the primary key, each
/// later one breaks the ties of those before it.
pub async fn list_tables_sorts_by_every_order_in_turn(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    new_db(b).await;
    let tables = [
        ("a", "Apples", false),
        ("b", "Bananas", true),
        ("c", "Cherries", false),
        ("d", "Dates", true),
    ];
    for (id, name, row_security) in tables {
        let mut schema = TableSchema::new(id, name);
        schema.row_security = row_security;
        b.create_table(DB, &schema).await.unwrap();
    }
    let ids = |list: appwrite_orm::backend::List<appwrite_orm::backend::Table>| -> Vec<String> {
        list.items.into_iter().map(|t| t.id).collect()
    };
    let by_security_then_name = [Query::order_asc("rowSecurity"), Query::order_desc("name")];
    let list = b.list_tables(DB, &by_security_then_name).await.unwrap();
    assert_eq!(ids(list), strings(&["c", "a", "d", "b"]));
    let by_security_then_id = [Query::order_desc("rowSecurity"), Query::order_asc("$id")];
    let list = b.list_tables(DB, &by_security_then_id).await.unwrap();
    assert_eq!(ids(list), strings(&["b", "d", "a", "c"]));
}

pub async fn update_table_changes_settings_and_keeps_columns(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![ColumnSchema::varchar("name", 10)]).await;
    put(b, T, "r1", json!({"name": "kept"})).await;
    let updated = b
        .update_table(
            DB,
            T,
            &TableUpdate {
                name: Some("Renamed".into()),
                permissions: Some(strings(&["read(\"any\")", "create(\"users\")"])),
                row_security: true,
                enabled: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name, "Renamed");
    assert!(updated.row_security);
    assert_eq!(
        updated.permissions,
        strings(&["read(\"any\")", "create(\"users\")"])
    );
    let got = b.get_table(DB, T).await.unwrap();
    assert_eq!(got.name, "Renamed");
    assert_eq!(got.columns.len(), 1);
    assert_eq!(got.columns[0].schema.key, "name");
    assert_eq!(get(b, T, "r1").await["name"], json!("kept"));
    // `name: None` / `permissions: None` keep the current values (§3.2).
    let again = b
        .update_table(
            DB,
            T,
            &TableUpdate {
                name: None,
                permissions: None,
                row_security: false,
                enabled: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(again.name, "Renamed");
    assert_eq!(again.permissions.len(), 2);
    assert!(!again.row_security);
}

pub async fn update_missing_table_is_not_found(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    new_db(b).await;
    let update = TableUpdate {
        name: Some("x".into()),
        permissions: None,
        row_security: false,
        enabled: true,
    };
    assert_err(
        b.update_table(DB, "nope", &update).await,
        404,
        ty::TABLE_NOT_FOUND,
    );
}

pub async fn delete_table_removes_its_rows(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![ColumnSchema::varchar("name", 10)]).await;
    put(b, T, "r1", json!({"name": "x"})).await;
    b.delete_table(DB, T).await.unwrap();
    assert_err(b.get_table(DB, T).await, 404, ty::TABLE_NOT_FOUND);
    assert_err(b.get_row(DB, T, "r1", &[]).await, 404, ty::TABLE_NOT_FOUND);
    // A new table with the same id starts empty, with only its own columns.
    b.create_table(
        DB,
        &TableSchema::new(T, "again").column(ColumnSchema::integer("n")),
    )
    .await
    .unwrap();
    assert_eq!(count(b, T).await, 0);
    let cols = b.list_columns(DB, T).await.unwrap();
    assert_eq!(cols.total, 1);
    assert_eq!(cols.items[0].schema.key, "n");
}

pub async fn inline_columns_and_indexes_are_available_at_once(env: Env) {
    let fx = env
        .fixture_with(super::FixtureOptions::delayed(
            std::time::Duration::from_secs(5),
        ))
        .await;
    let b = fx.b();
    new_db(b).await;
    let schema = TableSchema::new(T, "T")
        .column(ColumnSchema::varchar("name", 40).required())
        .column(ColumnSchema::integer("age"))
        .index(IndexSchema::new("by_age", IndexKind::Key, ["age"]))
        .index(IndexSchema::new("by_name", IndexKind::Unique, ["name"]));
    let created = b.create_table(DB, &schema).await.unwrap();
    // §3.2/§4: inline columns and indexes are created synchronously, `available`, even when
    // asynchronous creation is slow.
    assert_eq!(created.columns.len(), 2);
    assert_eq!(created.indexes.len(), 2);
    for c in &created.columns {
        assert_eq!(c.status, ColumnStatus::Available, "{}", c.schema.key);
    }
    for i in &created.indexes {
        assert_eq!(i.status, ColumnStatus::Available, "{}", i.schema.key);
    }
    // Creation order is kept.
    let keys: Vec<&str> = created
        .columns
        .iter()
        .map(|c| c.schema.key.as_str())
        .collect();
    assert_eq!(keys, ["name", "age"]);
    // Usable right away: write, query, and the unique index is enforced.
    put(b, T, "r1", json!({"name": "ada", "age": 36})).await;
    let found = b
        .list_rows(DB, T, &[Query::equal("age", [36])], &ListOptions::default())
        .await
        .unwrap();
    assert_eq!(ids(&found), ["r1"]);
    assert_err(
        b.create_row(DB, T, "r2", &doc(json!({"name": "ada"})), None)
            .await,
        409,
        ty::ROW_ALREADY_EXISTS,
    );
}

pub async fn invalid_table_id_is_rejected(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    new_db(b).await;
    let long = "t".repeat(37);
    for bad in ["a/b", "_x", long.as_str()] {
        assert_err(
            b.create_table(DB, &TableSchema::new(bad, "x")).await,
            400,
            ty::GENERAL_ARGUMENT_INVALID,
        );
    }
    assert_eq!(b.list_tables(DB, &[]).await.unwrap().total, 0);
}

pub async fn row_calls_on_missing_table_are_not_found(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    new_db(b).await;
    assert_err(
        b.create_row(DB, "nope", "r1", &doc(json!({"n": 1})), None)
            .await,
        404,
        ty::TABLE_NOT_FOUND,
    );
    assert_err(
        b.list_rows(DB, "nope", &[], &ListOptions::default()).await,
        404,
        ty::TABLE_NOT_FOUND,
    );
    assert_err(
        b.create_column(DB, "nope", &ColumnSchema::integer("n"))
            .await,
        404,
        ty::TABLE_NOT_FOUND,
    );
}
