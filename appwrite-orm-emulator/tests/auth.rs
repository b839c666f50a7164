//! Project and key checks, as Appwrite answers them.

mod common;

use common::Api;
use serde_json::json;

#[tokio::test]
async fn wrong_project_is_not_found() {
    let api = Api::start().await;
    let other = api.as_caller("other", Some("secret"));
    other
        .get("/tablesdb")
        .await
        .expect_error(404, "project_not_found");
    api.as_caller("other", None)
        .get("/tablesdb/db/tables/t/rows")
        .await
        .expect_error(404, "project_not_found");
    // No project header at all.
    let answer = reqwest::get(api.url("/tablesdb")).await.unwrap();
    assert_eq!(answer.status(), 404);
}

#[tokio::test]
async fn wrong_key_is_unauthorized() {
    let api = Api::start().await;
    let wrong = api.as_caller("test", Some("not-the-key"));
    wrong
        .get("/tablesdb")
        .await
        .expect_error(401, "user_unauthorized");
    wrong
        .get("/tablesdb/db/tables/t/rows")
        .await
        .expect_error(401, "user_unauthorized");
}

#[tokio::test]
async fn missing_key_lacks_scope_on_schema_routes() {
    let api = Api::start().await;
    api.books().await;
    let guest = api.as_caller("test", None);
    for path in [
        "/tablesdb",
        "/tablesdb/db",
        "/tablesdb/db/tables",
        "/tablesdb/db/tables/t",
        "/tablesdb/db/tables/t/columns",
        "/tablesdb/db/tables/t/indexes",
        "/databases/db/collections/t/attributes",
        "/tablesdb/transactions",
    ] {
        let body = guest
            .get(path)
            .await
            .expect_error(401, "general_unauthorized_scope");
        assert!(
            body["message"].as_str().unwrap().contains("missing scopes"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn guests_on_rows_follow_table_permissions() {
    let api = Api::start().await;
    api.books().await; // table `t` grants read("any")
    api.post(
        "/tablesdb/db/tables/t/rows",
        json!({"rowId": "r1", "data": {"title": "Open", "year": 1}}),
    )
    .await
    .expect(201);
    let guest = api.as_caller("test", None);
    let list = guest.get("/tablesdb/db/tables/t/rows").await.expect(200);
    assert_eq!(list["total"], 1);
    guest.get("/tablesdb/db/tables/t/rows/r1").await.expect(200);
    guest
        .send(
            reqwest::Method::POST,
            "/tablesdb/db/tables/t/rows",
            Some(&json!({"rowId": "r2", "data": {"title": "No"}})),
        )
        .await
        .expect_error(401, "user_unauthorized");
    guest
        .send(
            reqwest::Method::POST,
            "/tablesdb/db/tables/t/rows",
            Some(&json!({"rows": [{"title": "No"}]})),
        )
        .await
        .expect_error(401, "general_unauthorized_scope");

    api.post(
        "/tablesdb/db/tables",
        json!({"tableId": "closed", "name": "Closed"}),
    )
    .await
    .expect(201);
    guest
        .get("/tablesdb/db/tables/closed/rows")
        .await
        .expect_error(401, "user_unauthorized");
}
