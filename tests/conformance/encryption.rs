//! Encrypted columns (§3.3 `encrypt`, §3.5 queries): created on the text routes only, from
//! size 150 for varchar and string, reported as `"encrypt": true`, never queryable, and kept
//! as created by an update.

use appwrite_orm::backend::Backend;
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnKind, ColumnSchema};
use serde_json::json;

use super::Env;
use super::support::*;

const SIZE_MESSAGE: &str =
    "Size too small. Encrypted strings require a minimum size of 150 characters.";

async fn secret_table(b: &dyn Backend) {
    table_with(
        b,
        T,
        vec![
            ColumnSchema::varchar("name", 20),
            ColumnSchema::varchar("ssn", 150).encrypt(),
        ],
    )
    .await;
}

pub async fn encrypted_varchar_reads_back_with_encrypt_true(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    secret_table(b).await;
    let column = b.get_column(DB, T, "ssn").await.unwrap();
    assert!(column.schema.encrypt);
    assert_eq!(column.to_json()["encrypt"], json!(true));
    let plain = b.get_column(DB, T, "name").await.unwrap();
    assert_eq!(plain.to_json()["encrypt"], json!(false));
    // Values read back as written.
    put(b, T, "r1", json!({"name": "a", "ssn": "123-45-6789"})).await;
    assert_eq!(get(b, T, "r1").await["ssn"], json!("123-45-6789"));
    let text = add_column(b, T, ColumnSchema::new("notes", ColumnKind::Text).encrypt()).await;
    assert!(text.schema.encrypt);
}

pub async fn encrypted_varchar_under_150_is_refused(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![]).await;
    assert_err_msg(
        b.create_column(DB, T, &ColumnSchema::varchar("ssn", 100).encrypt())
            .await,
        400,
        ty::GENERAL_BAD_REQUEST,
        SIZE_MESSAGE,
    );
    assert_err(b.get_column(DB, T, "ssn").await, 404, ty::COLUMN_NOT_FOUND);
}

pub async fn queries_on_an_encrypted_column_are_refused(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    secret_table(b).await;
    put(b, T, "r1", json!({"name": "a", "ssn": "123-45-6789"})).await;
    for query in [
        Query::equal("ssn", ["123-45-6789"]),
        Query::is_not_null("ssn"),
    ] {
        assert_err_msg(
            b.list_rows(DB, T, &[query], &Default::default()).await,
            400,
            ty::GENERAL_QUERY_INVALID,
            "Invalid query: Cannot query encrypted attribute: ssn",
        );
    }
    // The other columns still filter.
    assert_eq!(list_ids(b, T, &[Query::equal("name", ["a"])]).await, ["r1"]);
}

pub async fn an_update_keeps_the_encryption(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    secret_table(b).await;
    // The update routes take no `encrypt`: neither way changes it.
    let updated = b
        .update_column(DB, T, "ssn", &ColumnSchema::varchar("ssn", 200))
        .await
        .unwrap();
    assert!(updated.schema.encrypt);
    assert_eq!(updated.schema.kind, ColumnKind::Varchar { size: 200 });
    let updated = b
        .update_column(DB, T, "name", &ColumnSchema::varchar("name", 200).encrypt())
        .await
        .unwrap();
    assert!(!updated.schema.encrypt);
    assert!(!b.get_column(DB, T, "name").await.unwrap().schema.encrypt);
}
