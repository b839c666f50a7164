//! Single-row operations: create, get, update, upsert, delete, system fields, defaults and
//! `select` (§3.5, §5 ids, §6 select, §7).

use std::collections::BTreeSet;

use appwrite_orm::backend::{Backend, ListOptions, UNIQUE_ID};
use appwrite_orm::query::Query;
use appwrite_orm::schema::ColumnSchema;
use serde_json::{Value, json};

use super::Env;
use super::support::*;

fn people() -> Vec<ColumnSchema> {
    vec![
        ColumnSchema::varchar("name", 40),
        ColumnSchema::integer("age"),
        ColumnSchema::varchar("city", 40),
    ]
}

async fn people_table(b: &dyn Backend) {
    table_with(b, T, people()).await;
}

pub async fn create_row_with_given_id(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    let created = b
        .create_row(DB, T, "ada", &doc(json!({"name": "Ada", "age": 36})), None)
        .await
        .unwrap();
    assert_eq!(created.id(), "ada");
    assert_eq!(created["name"], json!("Ada"));
    assert_eq!(created["age"], json!(36));
    let got = get(b, T, "ada").await;
    assert_eq!(got, created);
}

pub async fn create_row_without_data_is_missing_data(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    // Appwrite checks for data before it looks at the table (§3.5): an empty object is no data.
    assert_err(
        b.create_row(DB, T, "r1", &doc(json!({})), None).await,
        400,
        ty::ROW_MISSING_DATA,
    );
    assert_err(
        b.create_row(DB, "nope", "r1", &doc(json!({})), None).await,
        400,
        ty::ROW_MISSING_DATA,
    );
    assert_err(b.create_rows(DB, T, &[]).await, 400, ty::ROW_MISSING_DATA);
    assert_eq!(count(b, T).await, 0);
}

pub async fn create_row_with_unique_id_generates_hex_id(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    let a = b
        .create_row(DB, T, UNIQUE_ID, &doc(json!({"name": "a"})), None)
        .await
        .unwrap();
    let c = b
        .create_row(DB, T, UNIQUE_ID, &doc(json!({"name": "c"})), None)
        .await
        .unwrap();
    // §5/§10: 20 hex characters.
    assert!(is_hex20(a.id()), "{}", a.id());
    assert!(is_hex20(c.id()), "{}", c.id());
    assert_ne!(a.id(), c.id());
    assert_eq!(get(b, T, a.id()).await["name"], json!("a"));
}

pub async fn system_fields_have_exact_shapes(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    let row = put(b, T, "r1", json!({"name": "Ada"})).await;
    // §3.5: user columns (unset optional ones as null) plus exactly the system fields.
    assert_eq!(keys(&row), system_plus(&["name", "age", "city"]));
    assert_eq!(row["age"], Value::Null);
    assert_eq!(row["$id"], json!("r1"));
    assert!(
        row["$sequence"].is_string(),
        "1.9 format: string {:?}",
        row["$sequence"]
    );
    assert!(is_digits(row.sequence()), "{}", row.sequence());
    assert!(is_timestamp(row.created_at()), "{}", row.created_at());
    assert!(is_timestamp(row.updated_at()), "{}", row.updated_at());
    assert_eq!(row["$databaseId"], json!(DB));
    assert_eq!(row["$tableId"], json!(T));
    assert_eq!(row["$permissions"], json!([]));
    assert!(row.get("$collectionId").is_none());
    // The same shape comes back from get and list.
    let got = get(b, T, "r1").await;
    assert_eq!(keys(&got), keys(&row));
    let listed = b
        .list_rows(DB, T, &[], &ListOptions::default())
        .await
        .unwrap();
    assert_eq!(listed.items[0], got);
}

pub async fn sequence_increases_with_each_insert(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    let mut last = 0u128;
    for i in 0..5 {
        let row = put(b, T, &format!("r{i}"), json!({"name": "x"})).await;
        let s = seq(&row);
        assert!(s > last, "sequence {s} after {last}");
        last = s;
    }
    // An update does not change it.
    let before = seq(&get(b, T, "r2").await);
    b.update_row(DB, T, "r2", &doc(json!({"age": 1})), None)
        .await
        .unwrap();
    assert_eq!(seq(&get(b, T, "r2").await), before);
}

pub async fn permissions_round_trip_and_default_to_empty(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    let perms = strings(&["read(\"any\")", "update(\"user:u1\")"]);
    let row = b
        .create_row(DB, T, "r1", &doc(json!({"name": "a"})), Some(&perms))
        .await
        .unwrap();
    assert_eq!(
        row.permissions().into_iter().collect::<BTreeSet<_>>(),
        perms.iter().cloned().collect::<BTreeSet<_>>()
    );
    assert_eq!(
        get(b, T, "r1")
            .await
            .permissions()
            .into_iter()
            .collect::<BTreeSet<_>>(),
        perms.iter().cloned().collect::<BTreeSet<_>>()
    );
    // §3.5: with an API key (and so for a server-side backend) omitted permissions are `[]`.
    let plain = put(b, T, "r2", json!({"name": "b"})).await;
    assert!(plain.permissions().is_empty());
}

pub async fn write_permission_expands_to_update_and_delete(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    let perms = strings(&["write(\"user:u1\")"]);
    let row = b
        .create_row(DB, T, "r1", &doc(json!({"name": "a"})), Some(&perms))
        .await
        .unwrap();
    // §3.5: `write(...)` is expanded to update+delete on rows.
    let got: BTreeSet<String> = get(b, T, "r1").await.permissions().into_iter().collect();
    let want: BTreeSet<String> = strings(&["update(\"user:u1\")", "delete(\"user:u1\")"])
        .into_iter()
        .collect();
    assert_eq!(got, want);
    assert_eq!(row.permissions().into_iter().collect::<BTreeSet<_>>(), want);
}

pub async fn get_missing_row_is_not_found(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    assert_err(b.get_row(DB, T, "nope", &[]).await, 404, ty::ROW_NOT_FOUND);
}

pub async fn duplicate_row_id_is_conflict(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    put(b, T, "r1", json!({"name": "first"})).await;
    assert_err(
        b.create_row(DB, T, "r1", &doc(json!({"name": "second"})), None)
            .await,
        409,
        ty::ROW_ALREADY_EXISTS,
    );
    assert_eq!(get(b, T, "r1").await["name"], json!("first"));
    assert_eq!(count(b, T).await, 1);
}

pub async fn invalid_row_ids_are_rejected(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    let long = "r".repeat(37);
    for bad in [
        "../x",
        "a/b",
        "_lead",
        "-lead",
        ".lead",
        "sp ace",
        "ü",
        long.as_str(),
    ] {
        assert_err(
            b.create_row(DB, T, bad, &doc(json!({"name": "x"})), None)
                .await,
            400,
            ty::GENERAL_ARGUMENT_INVALID,
        );
        assert_err(
            b.get_row(DB, T, bad, &[]).await,
            400,
            ty::GENERAL_ARGUMENT_INVALID,
        );
    }
    assert_eq!(count(b, T).await, 0);
    let ok = "r".repeat(36);
    assert_eq!(put(b, T, &ok, json!({"name": "ok"})).await.id(), ok);
    put(b, T, "a.B-c_9", json!({"name": "ok"})).await;
}

pub async fn update_row_is_partial(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    put(
        b,
        T,
        "r1",
        json!({"name": "Ada", "age": 36, "city": "London"}),
    )
    .await;
    let updated = b
        .update_row(DB, T, "r1", &doc(json!({"age": 37})), None)
        .await
        .unwrap();
    assert_eq!(updated["age"], json!(37));
    assert_eq!(updated["name"], json!("Ada"));
    let got = get(b, T, "r1").await;
    assert_eq!(
        got.data(),
        doc(json!({"name": "Ada", "age": 37, "city": "London"}))
    );
    // Setting a column to null clears it (no default here).
    b.update_row(DB, T, "r1", &doc(json!({"city": null})), None)
        .await
        .unwrap();
    assert_eq!(get(b, T, "r1").await["city"], Value::Null);
}

pub async fn update_row_keeps_permissions_when_none(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    let perms = strings(&["read(\"any\")"]);
    b.create_row(DB, T, "r1", &doc(json!({"name": "a"})), Some(&perms))
        .await
        .unwrap();
    b.update_row(DB, T, "r1", &doc(json!({"age": 1})), None)
        .await
        .unwrap();
    assert_eq!(get(b, T, "r1").await.permissions(), perms);
    // Permissions alone are a valid update payload; `[]` clears them.
    b.update_row(DB, T, "r1", &doc(json!({})), Some(&[]))
        .await
        .unwrap();
    assert!(get(b, T, "r1").await.permissions().is_empty());
}

pub async fn update_missing_row_is_not_found(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    assert_err(
        b.update_row(DB, T, "nope", &doc(json!({"age": 1})), None)
            .await,
        404,
        ty::ROW_NOT_FOUND,
    );
    assert_eq!(count(b, T).await, 0);
}

pub async fn update_row_without_data_or_permissions_is_missing_payload(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    put(b, T, "r1", json!({"name": "a"})).await;
    // §3.5: PATCH with neither data nor permissions → 400 `row_missing_payload`.
    assert_err(
        b.update_row(DB, T, "r1", &doc(json!({})), None).await,
        400,
        ty::ROW_MISSING_PAYLOAD,
    );
}

pub async fn update_row_with_unknown_attribute_is_invalid_structure(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    put(b, T, "r1", json!({"name": "a"})).await;
    assert_err_msg(
        b.update_row(DB, T, "r1", &doc(json!({"name": "b", "nope": 1})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
        "Invalid document structure: Unknown attribute: \"nope\"",
    );
    assert_eq!(get(b, T, "r1").await["name"], json!("a"));
    assert_err(
        b.update_row(DB, T, "r1", &doc(json!({"age": "old"})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
    );
}

pub async fn upsert_row_inserts_when_missing(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    let row = b
        .upsert_row(DB, T, "r1", &doc(json!({"name": "new", "age": 1})), None)
        .await
        .unwrap();
    assert_eq!(row.id(), "r1");
    assert_eq!(row["name"], json!("new"));
    assert!(is_digits(row.sequence()));
    assert_eq!(
        get(b, T, "r1").await.data(),
        doc(json!({"name": "new", "age": 1, "city": null}))
    );
}

pub async fn upsert_row_merges_when_present(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    let first = put(
        b,
        T,
        "r1",
        json!({"name": "Ada", "age": 36, "city": "London"}),
    )
    .await;
    let row = b
        .upsert_row(DB, T, "r1", &doc(json!({"age": 40})), None)
        .await
        .unwrap();
    // §3.5: optional columns not sent keep the old value.
    assert_eq!(row["name"], json!("Ada"));
    assert_eq!(row["age"], json!(40));
    assert_eq!(
        get(b, T, "r1").await.data(),
        doc(json!({"name": "Ada", "age": 40, "city": "London"}))
    );
    // Still the same row.
    assert_eq!(row.sequence(), first.sequence());
    assert_eq!(row.created_at(), first.created_at());
    assert_eq!(count(b, T).await, 1);
}

pub async fn delete_row_removes_it(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    put(b, T, "r1", json!({"name": "a"})).await;
    put(b, T, "r2", json!({"name": "b"})).await;
    b.delete_row(DB, T, "r1").await.unwrap();
    assert_err(b.get_row(DB, T, "r1", &[]).await, 404, ty::ROW_NOT_FOUND);
    assert_eq!(list_ids(b, T, &[]).await, ["r2"]);
    // The id can be used again.
    put(b, T, "r1", json!({"name": "again"})).await;
}

pub async fn delete_missing_row_is_not_found(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    assert_err(b.delete_row(DB, T, "nope").await, 404, ty::ROW_NOT_FOUND);
}

pub async fn default_applied_on_create(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(
        b,
        T,
        vec![
            ColumnSchema::varchar("name", 20),
            ColumnSchema::varchar("role", 20).default_value("member"),
            ColumnSchema::integer("level").default_value(3),
            ColumnSchema::boolean("active").default_value(true),
        ],
    )
    .await;
    let row = put(b, T, "r1", json!({"name": "a"})).await;
    assert_eq!(row["role"], json!("member"));
    assert_eq!(row["level"], json!(3));
    assert_eq!(row["active"], json!(true));
    assert_eq!(get(b, T, "r1").await["role"], json!("member"));
    // Stored, not only shown: a filter sees it.
    assert_eq!(list_ids(b, T, &[Query::equal("level", [3])]).await, ["r1"]);
    // A given value wins over the default.
    assert_eq!(
        put(b, T, "r2", json!({"level": 9})).await["level"],
        json!(9)
    );
}

pub async fn explicit_null_on_column_with_default_stores_default(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(
        b,
        T,
        vec![ColumnSchema::varchar("role", 20).default_value("member")],
    )
    .await;
    // §3.5 Defaults: an explicit null on an optional column with a default is stored as the
    // default on create, single-row update and upsert.
    put(b, T, "r1", json!({"role": null})).await;
    assert_eq!(get(b, T, "r1").await["role"], json!("member"));
    b.update_row(DB, T, "r1", &doc(json!({"role": "admin"})), None)
        .await
        .unwrap();
    b.update_row(DB, T, "r1", &doc(json!({"role": null})), None)
        .await
        .unwrap();
    assert_eq!(get(b, T, "r1").await["role"], json!("member"));
    b.upsert_row(DB, T, "r1", &doc(json!({"role": null})), None)
        .await
        .unwrap();
    assert_eq!(get(b, T, "r1").await["role"], json!("member"));
}

pub async fn optional_column_without_value_reads_null(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    // Appwrite refuses a create without any data (§3.5), so one column is sent as null.
    let row = put(b, T, "r1", json!({"name": null})).await;
    assert_eq!(
        row.data(),
        doc(json!({"name": null, "age": null, "city": null}))
    );
    assert_eq!(list_ids(b, T, &[Query::is_null("name")]).await, ["r1"]);
}

pub async fn single_row_update_writes_default_of_unmentioned_column(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    put(b, T, "r1", json!({"name": "a"})).await;
    put(b, T, "r2", json!({"name": "b"})).await;
    add_column(
        b,
        T,
        ColumnSchema::varchar("tier", 10).default_value("free"),
    )
    .await;
    assert_eq!(get(b, T, "r1").await["tier"], Value::Null);
    // §3.5 Defaults: the next single-row update writes the default even if it does not mention
    // the column.
    b.update_row(DB, T, "r1", &doc(json!({"age": 5})), None)
        .await
        .unwrap();
    assert_eq!(get(b, T, "r1").await["tier"], json!("free"));
    assert_eq!(get(b, T, "r2").await["tier"], Value::Null);
    assert_eq!(
        list_ids(b, T, &[Query::equal("tier", ["free"])]).await,
        ["r1"]
    );
}

pub async fn get_row_select_returns_selected_columns_and_system_fields(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    put(
        b,
        T,
        "r1",
        json!({"name": "Ada", "age": 36, "city": "London"}),
    )
    .await;
    let row = b
        .get_row(DB, T, "r1", &[Query::select(["name", "age"])])
        .await
        .unwrap();
    // §6: the result always also contains the system fields.
    assert_eq!(keys(&row), system_plus(&["name", "age"]));
    assert_eq!(row["name"], json!("Ada"));
    assert_eq!(row["$databaseId"], json!(DB));
    let all = b
        .get_row(DB, T, "r1", &[Query::select(["*"])])
        .await
        .unwrap();
    assert_eq!(keys(&all), system_plus(&["name", "age", "city"]));
}

pub async fn list_select_returns_selected_columns_and_system_fields(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    put(b, T, "r1", json!({"name": "Ada", "age": 36})).await;
    put(b, T, "r2", json!({"name": "Bob", "city": "Paris"})).await;
    let list = b
        .list_rows(DB, T, &[Query::select(["city"])], &ListOptions::default())
        .await
        .unwrap();
    assert_eq!(ids(&list), ["r1", "r2"]);
    for row in &list.items {
        assert_eq!(keys(row), system_plus(&["city"]));
    }
    assert_eq!(list.items[1]["city"], json!("Paris"));
}

pub async fn unknown_select_is_invalid_query(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    put(b, T, "r1", json!({"name": "Ada"})).await;
    // §6: unknown key → 400 "Cannot select attributes: x"; query errors are `general_query_invalid`.
    assert_err(
        b.list_rows(DB, T, &[Query::select(["ghost"])], &ListOptions::default())
            .await,
        400,
        ty::GENERAL_QUERY_INVALID,
    );
    assert_err(
        b.get_row(DB, T, "r1", &[Query::select(["name", "ghost"])])
            .await,
        400,
        ty::GENERAL_QUERY_INVALID,
    );
}

pub async fn incoming_system_fields_are_ignored(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    people_table(b).await;
    let row = put(
        b,
        T,
        "r1",
        json!({
            "name": "a",
            "$sequence": "999999",
            "$databaseId": "elsewhere",
            "$tableId": "other",
        }),
    )
    .await;
    // §3.5: incoming `$sequence`, `$databaseId`, `$tableId` are stripped.
    assert_eq!(row["$databaseId"], json!(DB));
    assert_eq!(row["$tableId"], json!(T));
    assert_ne!(row.sequence(), "999999");
    let next = put(b, T, "r2", json!({"name": "b"})).await;
    assert!(seq(&next) > seq(&row));
    assert!(
        seq(&next) < 999_999,
        "a stripped $sequence must not move the counter"
    );
}
