//! Every route family answers with Appwrite 1.9's status codes and JSON shapes.

mod common;

use common::{Api, indexed_queries};
use reqwest::Method;
use serde_json::{Value, json};

fn assert_row_shape(row: &Value, table_key: &str) {
    for key in ["$id", "$createdAt", "$updatedAt", "$databaseId", table_key] {
        assert!(row[key].is_string(), "{key} in {row}");
    }
    assert!(row["$sequence"].is_string(), "$sequence is a string: {row}");
    assert!(row["$permissions"].is_array(), "{row}");
}

fn assert_column_shape(column: &Value) {
    for key in ["key", "type", "status", "error", "$createdAt", "$updatedAt"] {
        assert!(column[key].is_string(), "{key} in {column}");
    }
    assert!(
        column["required"].is_boolean() && column["array"].is_boolean(),
        "{column}"
    );
}

#[tokio::test]
async fn health_version_needs_no_credentials() {
    let api = Api::start().await;
    let answer = reqwest::get(api.url("/health/version")).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.json::<Value>().await.unwrap(),
        json!({"version": "1.9.6"})
    );
}

#[tokio::test]
async fn databases_create_get_list_update_delete() {
    let api = Api::start().await;
    let db = api
        .post("/tablesdb", json!({"databaseId": "db1", "name": "One"}))
        .await
        .expect(201);
    assert_eq!(db["$id"], "db1");
    assert_eq!(db["type"], "tablesdb");
    assert_eq!(db["enabled"], true);
    assert!(db["$createdAt"].is_string() && db["$updatedAt"].is_string());

    let legacy = api
        .post("/databases", json!({"databaseId": "db2", "name": "Two"}))
        .await
        .expect(201);
    assert_eq!(legacy["type"], "legacy");

    assert_eq!(api.get("/tablesdb/db1").await.expect(200)["name"], "One");
    let list = api.get("/tablesdb").await.expect(200);
    assert_eq!(list["total"], 2);
    assert_eq!(list["databases"].as_array().unwrap().len(), 2);
    let searched = api.get("/tablesdb?search=two").await.expect(200);
    assert_eq!(searched["total"], 1);
    assert_eq!(searched["databases"][0]["$id"], "db2");

    let renamed = api
        .put("/tablesdb/db1", json!({"name": "Uno", "enabled": false}))
        .await
        .expect(200);
    assert_eq!(renamed["name"], "Uno");
    assert_eq!(renamed["enabled"], false);
    assert_eq!(api.get("/tablesdb/db1").await.expect(200)["name"], "Uno");

    let deleted = api.delete("/tablesdb/db1", json!({})).await;
    assert_eq!(deleted.status, 204);
    assert!(
        deleted.headers.contains_key("content-type"),
        "204 has a content type"
    );
    api.get("/tablesdb/db1")
        .await
        .expect_error(404, "database_not_found");
    api.post("/tablesdb", json!({"databaseId": "db2", "name": "again"}))
        .await
        .expect_error(409, "database_already_exists");
    let missing = api
        .post("/tablesdb", json!({"databaseId": "db3"}))
        .await
        .expect_error(400, "general_argument_invalid");
    assert_eq!(missing["message"], "Param \"name\" is not optional.");
}

#[tokio::test]
async fn tables_with_inline_columns_and_indexes() {
    let api = Api::start().await;
    api.post("/tablesdb", json!({"databaseId": "db", "name": "DB"}))
        .await
        .expect(201);
    let table = api
        .post(
            "/tablesdb/db/tables",
            json!({
                "tableId": "people",
                "name": "People",
                "rowSecurity": true,
                "columns": [
                    {"key": "name", "type": "varchar", "size": 32, "required": true},
                    {"key": "mail", "type": "email"},
                    {"key": "score", "type": "double", "min": 0},
                ],
                "indexes": [{"key": "by_name", "type": "unique", "columns": ["name"], "orders": ["DESC"]}],
            }),
        )
        .await
        .expect(201);
    assert_eq!(table["$id"], "people");
    assert_eq!(table["databaseId"], "db");
    assert_eq!(table["rowSecurity"], true);
    assert!(table["bytesMax"].is_number() && table["bytesUsed"].is_number());
    let columns = table["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 3);
    columns.iter().for_each(assert_column_shape);
    assert_eq!(columns[1]["format"], "email");
    assert_eq!(columns[2]["type"], "double");
    assert_eq!(table["indexes"][0]["status"], "available");
    assert_eq!(table["indexes"][0]["orders"], json!(["DESC"]));

    let bad = api
        .post(
            "/tablesdb/db/tables",
            json!({"tableId": "x", "name": "X", "columns": [{"key": "f", "type": "float"}]}),
        )
        .await
        .expect_error(400, "general_argument_invalid");
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid `columns` param")
    );

    let list = api.get("/tablesdb/db/tables").await.expect(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["tables"][0]["$id"], "people");

    let updated = api
        .put("/tablesdb/db/tables/people", json!({"name": "Humans"}))
        .await
        .expect(200);
    assert_eq!(updated["name"], "Humans");
    assert_eq!(
        updated["rowSecurity"], false,
        "PUT resets rowSecurity when left out"
    );
    assert_eq!(updated["enabled"], true);

    let disabled = api
        .post(
            "/tablesdb/db/tables",
            json!({"tableId": "off", "name": "Off", "enabled": false}),
        )
        .await
        .expect(201);
    assert_eq!(disabled["enabled"], false);

    assert_eq!(
        api.delete("/tablesdb/db/tables/people", json!({}))
            .await
            .status,
        204
    );
    api.get("/tablesdb/db/tables/people")
        .await
        .expect_error(404, "table_not_found");
}

#[tokio::test]
async fn columns_of_every_type() {
    let api = Api::start().await;
    api.books().await;
    api.post(
        "/tablesdb/db/tables",
        json!({"tableId": "other", "name": "Other"}),
    )
    .await
    .expect(201);
    let cases = [
        (
            "string",
            json!({"key": "c_string", "size": 20, "required": false, "default": "x"}),
            "string",
        ),
        (
            "varchar",
            json!({"key": "c_varchar", "size": 20, "required": false}),
            "varchar",
        ),
        ("text", json!({"key": "c_text", "required": false}), "text"),
        (
            "mediumtext",
            json!({"key": "c_medium", "required": false}),
            "mediumtext",
        ),
        (
            "longtext",
            json!({"key": "c_long", "required": false}),
            "longtext",
        ),
        (
            "integer",
            json!({"key": "c_int", "required": false, "min": 1, "max": 9}),
            "integer",
        ),
        (
            "bigint",
            json!({"key": "c_big", "required": false}),
            "bigint",
        ),
        (
            "float",
            json!({"key": "c_float", "required": false, "default": 1.5}),
            "double",
        ),
        (
            "boolean",
            json!({"key": "c_bool", "required": false, "default": true}),
            "boolean",
        ),
        (
            "datetime",
            json!({"key": "c_dt", "required": false}),
            "datetime",
        ),
        (
            "email",
            json!({"key": "c_email", "required": false}),
            "string",
        ),
        ("ip", json!({"key": "c_ip", "required": false}), "string"),
        ("url", json!({"key": "c_url", "required": false}), "string"),
        (
            "enum",
            json!({"key": "c_enum", "required": false, "elements": ["a", "b"]}),
            "string",
        ),
        (
            "relationship",
            json!({"relatedTableId": "other", "type": "manyToOne", "key": "c_rel"}),
            "relationship",
        ),
    ];
    for (route_type, body, model_type) in cases {
        let column = api
            .post(&format!("/tablesdb/db/tables/t/columns/{route_type}"), body)
            .await
            .expect(202);
        assert_column_shape(&column);
        assert_eq!(column["type"], model_type, "{route_type}");
        assert_eq!(column["status"], "processing", "{route_type}");
    }
    let list = api.get("/tablesdb/db/tables/t/columns").await.expect(200);
    assert_eq!(list["total"], 18);
    list["columns"]
        .as_array()
        .unwrap()
        .iter()
        .for_each(assert_column_shape);
    let relation = api
        .get("/tablesdb/db/tables/t/columns/c_rel")
        .await
        .expect(200);
    assert_eq!(relation["relatedTable"], "other");
    let legacy = api
        .get("/databases/db/collections/t/attributes/c_rel")
        .await
        .expect(200);
    assert_eq!(legacy["relatedCollection"], "other");
    let enum_column = api
        .get("/tablesdb/db/tables/t/columns/c_enum")
        .await
        .expect(200);
    assert_eq!(enum_column["format"], "enum");
    assert_eq!(enum_column["elements"], json!(["a", "b"]));

    let filtered = api
        .get(&format!(
            "/tablesdb/db/tables/t/columns?{}",
            indexed_queries(&[
                json!({"method": "equal", "attribute": "type", "values": ["string"]})
            ])
        ))
        .await
        .expect(200);
    assert_eq!(filtered["total"], 5);

    for (route_type, model_type) in [
        ("point", "point"),
        ("line", "linestring"),
        ("polygon", "polygon"),
    ] {
        let spatial = api
            .post(
                &format!("/tablesdb/db/tables/t/columns/{route_type}"),
                json!({"key": format!("s_{route_type}"), "required": false}),
            )
            .await
            .expect(202);
        assert_column_shape(&spatial);
        assert_eq!(spatial["type"], model_type);
        assert_eq!(spatial["default"], json!(null));
        assert!(spatial.get("size").is_none(), "{spatial}");
    }
    api.post("/tablesdb/db/tables/t/columns/nonsense", json!({}))
        .await
        .expect_error(404, "general_route_not_found");
}

#[tokio::test]
async fn column_validation_messages() {
    let api = Api::start().await;
    api.books().await;
    let missing = api
        .post(
            "/tablesdb/db/tables/t/columns/varchar",
            json!({"size": 5, "required": true}),
        )
        .await
        .expect_error(400, "general_argument_invalid");
    assert_eq!(missing["message"], "Param \"key\" is not optional.");
    let wrong = api
        .post(
            "/tablesdb/db/tables/t/columns/varchar",
            json!({"key": "k", "size": "big", "required": true}),
        )
        .await
        .expect_error(400, "general_argument_invalid");
    assert_eq!(
        wrong["message"],
        "Invalid `size` param: Value must be a valid range between 1 and 16,381"
    );
    let huge = api
        .post(
            "/tablesdb/db/tables/t/columns/integer",
            json!({"key": "k", "required": false, "max": 1e300}),
        )
        .await
        .expect_error(400, "general_argument_invalid");
    assert!(
        huge["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid `max` param")
    );
    api.post(
        "/tablesdb/db/tables/t/columns/varchar",
        json!({"key": "title", "size": 5, "required": false}),
    )
    .await
    .expect_error(409, "column_already_exists");
    api.post(
        "/tablesdb/db/tables/t/columns/varchar",
        json!({"key": "k2", "size": 5, "required": true, "default": "x"}),
    )
    .await
    .expect_error(400, "column_default_unsupported");
}

#[tokio::test]
async fn column_update_and_delete() {
    let api = Api::start().await;
    api.books().await;
    let updated = api
        .patch(
            "/tablesdb/db/tables/t/columns/varchar/title",
            json!({"required": false, "default": "untitled", "size": 100, "newKey": "name"}),
        )
        .await
        .expect(200);
    assert_eq!(updated["key"], "name");
    assert_eq!(updated["size"], 100);
    assert_eq!(updated["default"], "untitled");
    let no_default = api
        .patch(
            "/tablesdb/db/tables/t/columns/integer/year",
            json!({"required": false}),
        )
        .await
        .expect_error(400, "general_argument_invalid");
    assert_eq!(no_default["message"], "Param \"default\" is not optional.");
    let bounded = api
        .patch(
            "/tablesdb/db/tables/t/columns/integer/year",
            json!({"required": false, "default": null, "min": 0}),
        )
        .await
        .expect(200);
    assert_eq!(bounded["min"], 0);
    let deleted = api
        .delete("/tablesdb/db/tables/t/columns/year", json!({}))
        .await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.headers.contains_key("content-type"));
    api.get("/tablesdb/db/tables/t/columns/nope")
        .await
        .expect_error(404, "column_not_found");
}

#[tokio::test]
async fn indexes_create_get_list_delete() {
    let api = Api::start().await;
    api.books().await;
    let index = api
        .post(
            "/tablesdb/db/tables/t/indexes",
            json!({"key": "by_year", "type": "key", "columns": ["year", "$createdAt"], "orders": ["desc", "ASC"]}),
        )
        .await
        .expect(202);
    assert_eq!(index["status"], "processing");
    assert_eq!(index["columns"], json!(["year", "$createdAt"]));
    assert_eq!(index["orders"], json!(["DESC", "ASC"]));
    let got = api
        .get("/tablesdb/db/tables/t/indexes/by_year")
        .await
        .expect(200);
    assert_eq!(got["key"], "by_year");
    let legacy = api
        .get("/databases/db/collections/t/indexes")
        .await
        .expect(200);
    assert_eq!(
        legacy["indexes"][0]["attributes"],
        json!(["year", "$createdAt"])
    );
    let legacy_create = api
        .post(
            "/databases/db/collections/t/indexes",
            json!({"key": "by_title", "type": "fulltext", "attributes": ["title"]}),
        )
        .await
        .expect(202);
    assert_eq!(legacy_create["attributes"], json!(["title"]));
    api.post(
        "/tablesdb/db/tables/t/indexes",
        json!({"key": "by_year", "type": "key", "columns": ["year"]}),
    )
    .await
    .expect_error(409, "column_index_already_exists");
    api.post(
        "/databases/db/collections/t/indexes",
        json!({"key": "by_year", "type": "key", "attributes": ["year"]}),
    )
    .await
    .expect_error(409, "index_already_exists");
    api.post(
        "/tablesdb/db/tables/t/indexes",
        json!({"key": "bad", "type": "primary", "columns": ["year"]}),
    )
    .await
    .expect_error(400, "general_argument_invalid");
    assert_eq!(
        api.delete("/tablesdb/db/tables/t/indexes/by_year", json!({}))
            .await
            .status,
        204
    );
    api.get("/tablesdb/db/tables/t/indexes/missing")
        .await
        .expect_error(404, "column_index_not_found");
}

#[tokio::test]
async fn rows_single_and_bulk() {
    let api = Api::start().await;
    api.books().await;
    let row = api
        .post(
            "/tablesdb/db/tables/t/rows",
            json!({"rowId": "unique()", "data": {"title": "Dune", "year": 1965}, "permissions": ["read(\"any\")"]}),
        )
        .await
        .expect(201);
    assert_row_shape(&row, "$tableId");
    assert_eq!(row["$id"].as_str().unwrap().len(), 20);
    assert_eq!(row["flag"], false, "default applied");
    assert_eq!(row["$permissions"], json!(["read(\"any\")"]));

    let from_string = api
        .post(
            "/tablesdb/db/tables/t/rows",
            json!({"rowId": "r2", "data": "{\"title\": \"Emma\", \"year\": 1815}"}),
        )
        .await
        .expect(201);
    assert_eq!(from_string["title"], "Emma");

    let bulk = api
        .post(
            "/tablesdb/db/tables/t/rows",
            json!({"rows": [{"$id": "b1", "title": "A", "year": 2001}, {"title": "B", "year": 2002}]}),
        )
        .await
        .expect(201);
    assert_eq!(bulk["total"], 2);
    bulk["rows"]
        .as_array()
        .unwrap()
        .iter()
        .for_each(|r| assert_row_shape(r, "$tableId"));

    api.post(
        "/tablesdb/db/tables/t/rows",
        json!({"data": {"title": "x"}, "rows": [{"title": "y"}]}),
    )
    .await
    .expect_error(400, "general_bad_request");
    api.post("/tablesdb/db/tables/t/rows", json!({"rowId": "x"}))
        .await
        .expect_error(400, "row_missing_data");
    api.post(
        "/tablesdb/db/tables/t/rows",
        json!({"rowId": "x", "data": {"title": 5}}),
    )
    .await
    .expect_error(400, "row_invalid_structure");
    api.post(
        "/tablesdb/db/tables/t/rows",
        json!({"rowId": "x", "data": 42}),
    )
    .await
    .expect_error(400, "general_argument_invalid");

    let selected = api
        .get(&format!(
            "/tablesdb/db/tables/t/rows/r2?{}",
            indexed_queries(&[json!({"method": "select", "values": ["title"]})])
        ))
        .await
        .expect(200);
    assert_eq!(selected["title"], "Emma");
    assert!(
        selected.get("year").is_none(),
        "select leaves other columns out"
    );
    assert_row_shape(&selected, "$tableId");

    let updated = api
        .patch(
            "/tablesdb/db/tables/t/rows/r2",
            json!({"data": {"year": 1816}}),
        )
        .await
        .expect(200);
    assert_eq!(updated["year"], 1816);
    api.patch("/tablesdb/db/tables/t/rows/r2", json!({}))
        .await
        .expect_error(400, "row_missing_payload");
    let upserted = api
        .put(
            "/tablesdb/db/tables/t/rows/r3",
            json!({"data": {"title": "New", "year": 1}}),
        )
        .await
        .expect(200);
    assert_eq!(upserted["$id"], "r3");
    let merged = api
        .put(
            "/tablesdb/db/tables/t/rows/r3",
            json!({"data": {"year": 2}}),
        )
        .await
        .expect(200);
    assert_eq!(merged["title"], "New");
    assert_eq!(merged["year"], 2);

    let inc = api
        .patch(
            "/tablesdb/db/tables/t/rows/r3/year/increment",
            json!({"value": 5}),
        )
        .await
        .expect(200);
    assert_eq!(inc["year"], 7);
    let dec = api
        .patch("/tablesdb/db/tables/t/rows/r3/year/decrement", json!({}))
        .await
        .expect(200);
    assert_eq!(dec["year"], 6);
    api.patch(
        "/tablesdb/db/tables/t/rows/r3/year/increment",
        json!({"value": 5, "max": 8}),
    )
    .await
    .expect_error(400, "column_limit_exceeded");
    api.patch("/tablesdb/db/tables/t/rows/r3/year/multiply", json!({}))
        .await
        .expect_error(404, "general_route_not_found");

    let upserted_many = api
        .put(
            "/tablesdb/db/tables/t/rows",
            json!({"rows": [{"$id": "r3", "year": 3}, {"$id": "r4", "title": "Four", "year": 4}]}),
        )
        .await
        .expect(200);
    assert_eq!(upserted_many["total"], 2);

    let bulk_updated = api
        .patch(
            "/tablesdb/db/tables/t/rows",
            json!({"data": {"flag": true}, "queries": [json!({"method": "greaterThan", "attribute": "year", "values": [2000]}).to_string()]}),
        )
        .await
        .expect(200);
    assert_eq!(bulk_updated["total"], 2);

    let deleted = api.delete("/tablesdb/db/tables/t/rows/r4", json!({})).await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.headers.contains_key("content-type"));
    let bulk_deleted = api
        .delete(
            "/tablesdb/db/tables/t/rows",
            json!({"queries": [json!({"method": "equal", "attribute": "flag", "values": [true]}).to_string()]}),
        )
        .await
        .expect(200);
    assert_eq!(bulk_deleted["total"], 2);
    let rest = api.get("/tablesdb/db/tables/t/rows").await.expect(200);
    assert_eq!(rest["total"], 3);
}

#[tokio::test]
async fn queries_in_every_wire_form() {
    let api = Api::start().await;
    api.books().await;
    for (id, title, year) in [
        ("a", "Alpha", 1990),
        ("b", "Beta & Co", 2000),
        ("c", "Gamma", 2010),
    ] {
        api.post(
            "/tablesdb/db/tables/t/rows",
            json!({"rowId": id, "data": {"title": title, "year": year}}),
        )
        .await
        .expect(201);
    }
    let indexed = api
        .get(&format!(
            "/tablesdb/db/tables/t/rows?{}",
            indexed_queries(&[
                json!({"method": "greaterThanEqual", "attribute": "year", "values": [2000]}),
                json!({"method": "orderDesc", "attribute": "year"}),
                json!({"method": "limit", "values": [1]}),
            ])
        ))
        .await
        .expect(200);
    assert_eq!(indexed["total"], 2);
    assert_eq!(indexed["rows"][0]["$id"], "c");

    let equal_amp = api
        .get(&format!(
            "/tablesdb/db/tables/t/rows?{}",
            indexed_queries(&[
                json!({"method": "equal", "attribute": "title", "values": ["Beta & Co"]})
            ])
        ))
        .await
        .expect(200);
    assert_eq!(equal_amp["total"], 1, "URL-encoded & inside the JSON");

    let appended = api
        .get(&format!(
            "/tablesdb/db/tables/t/rows?queries[]={}&queries[]={}",
            common::encode(r#"{"method":"or","values":[{"method":"equal","attribute":"$id","values":["a"]},{"method":"isNull","attribute":"year"}]}"#),
            common::encode(r#"{"method":"orderAsc","attribute":"title"}"#),
        ))
        .await
        .expect(200);
    assert_eq!(appended["total"], 1);
    assert_eq!(appended["rows"][0]["$id"], "a");

    let bare = api
        .get(&format!(
            "/tablesdb/db/tables/t/rows?queries={}",
            common::encode(r#"{"method":"limit","values":[1]}"#)
        ))
        .await
        .expect_error(400, "general_argument_invalid");
    assert!(
        bare["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid `queries` param")
    );
    api.get("/tablesdb/db/tables/t/rows?queries[0]=not-json")
        .await
        .expect_error(400, "general_query_invalid");
    api.get(&format!(
        "/tablesdb/db/tables/t/rows?{}",
        indexed_queries(&[json!({"method": "equal", "attribute": "nope", "values": [1]})])
    ))
    .await
    .expect_error(400, "general_query_invalid");

    let counted = api
        .get("/tablesdb/db/tables/t/rows?total=false")
        .await
        .expect(200);
    assert_eq!(
        counted["total"], 3,
        "total=false still counts, as PHP reads it"
    );
    let uncounted = api
        .get("/tablesdb/db/tables/t/rows?total=0")
        .await
        .expect(200);
    assert_eq!(uncounted["total"], 0);
    assert_eq!(uncounted["rows"].as_array().unwrap().len(), 3);
    api.get("/tablesdb/db/tables/t/rows?total=maybe")
        .await
        .expect_error(400, "general_argument_invalid");
    api.get("/tablesdb/db/tables/t/rows?queries%5B0%5D=%FF%FE")
        .await
        .expect_error(400, "general_bad_request");
    api.get("/tablesdb/db/tables/t/rows?ttl=99999999999999999999999")
        .await
        .expect_error(400, "general_argument_invalid");
}

#[tokio::test]
async fn both_families_see_the_same_data() {
    let api = Api::start().await;
    api.books().await;
    api.post(
        "/tablesdb/db/tables/t/rows",
        json!({"rowId": "r1", "data": {"title": "Shared", "year": 1}}),
    )
    .await
    .expect(201);
    let doc = api
        .get("/databases/db/collections/t/documents/r1")
        .await
        .expect(200);
    assert_eq!(doc["$collectionId"], "t");
    assert!(doc.get("$tableId").is_none());
    assert_row_shape(&doc, "$collectionId");
    let docs = api
        .get("/databases/db/collections/t/documents")
        .await
        .expect(200);
    assert_eq!(docs["total"], 1);
    assert_eq!(docs["documents"][0]["$id"], "r1");
    let collection = api.get("/databases/db/collections/t").await.expect(200);
    assert_eq!(collection["documentSecurity"], false);
    assert_eq!(collection["attributes"].as_array().unwrap().len(), 3);
    let collections = api.get("/databases/db/collections").await.expect(200);
    assert_eq!(collections["collections"][0]["$id"], "t");
    let attributes = api
        .get("/databases/db/collections/t/attributes")
        .await
        .expect(200);
    assert_eq!(attributes["total"], 3);

    let created = api
        .post(
            "/databases/db/collections/t/documents",
            json!({"documentId": "d2", "data": {"title": "Legacy", "year": 2}}),
        )
        .await
        .expect(201);
    assert_eq!(created["$collectionId"], "t");
    assert_eq!(
        api.get("/tablesdb/db/tables/t/rows/d2").await.expect(200)["title"],
        "Legacy"
    );
    let bulk = api
        .post(
            "/databases/db/collections/t/documents",
            json!({"documents": [{"$id": "d3", "title": "Bulk"}]}),
        )
        .await
        .expect(201);
    assert_eq!(bulk["documents"][0]["$collectionId"], "t");

    api.get("/databases/db/collections/t/documents/missing")
        .await
        .expect_error(404, "document_not_found");
    api.get("/databases/db/collections/missing")
        .await
        .expect_error(404, "collection_not_found");
    let missing = api
        .post(
            "/databases/db/collections/t/documents",
            json!({"data": {"title": "x"}}),
        )
        .await
        .expect_error(400, "document_missing_data");
    assert!(!missing["message"].as_str().unwrap().contains("row"));
    let param = api
        .post("/databases/db/collections", json!({"name": "No id"}))
        .await
        .expect_error(400, "general_argument_invalid");
    assert_eq!(param["message"], "Param \"collectionId\" is not optional.");
    let inc = api
        .patch(
            "/databases/db/collections/t/documents/d2/year/increment",
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(inc["year"], 3);
}

#[tokio::test]
async fn transactions_stage_commit_and_roll_back() {
    let api = Api::start().await;
    api.books().await;
    let tx = api
        .post("/tablesdb/transactions", json!({"ttl": 120}))
        .await
        .expect(201);
    assert_eq!(tx["status"], "pending");
    assert_eq!(tx["operations"], 0);
    assert!(tx["expiresAt"].is_string());
    let id = tx["$id"].as_str().unwrap().to_owned();

    let staged = api
        .post(
            "/tablesdb/db/tables/t/rows",
            json!({"rowId": "s1", "data": {"title": "Staged", "year": 1}, "transactionId": id}),
        )
        .await
        .expect(201);
    assert_eq!(staged["$id"], "s1");
    api.get("/tablesdb/db/tables/t/rows/s1")
        .await
        .expect_error(404, "row_not_found");
    let within = api
        .get(&format!("/tablesdb/db/tables/t/rows/s1?transactionId={id}"))
        .await
        .expect(200);
    assert_eq!(within["title"], "Staged");

    let with_ops = api
        .post(
            &format!("/tablesdb/transactions/{id}/operations"),
            json!({"operations": [
                {"action": "create", "databaseId": "db", "tableId": "t", "rowId": "s2", "data": {"title": "Op"}},
            ]}),
        )
        .await
        .expect(201);
    assert_eq!(with_ops["operations"], 2);
    let committed = api
        .patch(
            &format!("/tablesdb/transactions/{id}"),
            json!({"commit": true}),
        )
        .await
        .expect(200);
    assert_eq!(committed["status"], "committed");
    assert_eq!(
        api.get("/tablesdb/db/tables/t/rows").await.expect(200)["total"],
        2
    );

    let tx2 = api
        .post("/databases/transactions", json!({}))
        .await
        .expect(201);
    let id2 = tx2["$id"].as_str().unwrap().to_owned();
    api.post(
        &format!("/databases/transactions/{id2}/operations"),
        json!({"operations": [
            {"action": "delete", "databaseId": "db", "collectionId": "t", "documentId": "s1"},
        ]}),
    )
    .await
    .expect(201);
    api.patch(&format!("/tablesdb/transactions/{id2}"), json!({}))
        .await
        .expect_error(400, "general_bad_request");
    let rolled = api
        .patch(
            &format!("/tablesdb/transactions/{id2}"),
            json!({"rollback": true}),
        )
        .await
        .expect(200);
    assert_eq!(rolled["status"], "failed");
    assert_eq!(
        api.get("/tablesdb/db/tables/t/rows").await.expect(200)["total"],
        2
    );

    let list = api.get("/tablesdb/transactions").await.expect(200);
    assert_eq!(list["total"], 2);
    assert_eq!(
        api.delete(&format!("/tablesdb/transactions/{id2}"), json!({}))
            .await
            .status,
        204
    );
    api.get(&format!("/tablesdb/transactions/{id2}"))
        .await
        .expect_error(404, "transaction_not_found");
    api.get("/tablesdb/transactions/nope")
        .await
        .expect_error(404, "transaction_not_found");
}

/// A row changed after a write to it was staged fails the commit: 409 `transaction_conflict`
/// on both route families, nothing applied, the transaction `failed`.
#[tokio::test]
async fn commit_over_a_row_changed_since_staging_is_a_conflict() {
    let api = Api::start().await;
    api.books().await;
    for row in ["r1", "r2"] {
        api.post(
            "/tablesdb/db/tables/t/rows",
            json!({"rowId": row, "data": {"title": row, "year": 1}}),
        )
        .await
        .expect(201);
    }
    let families = [
        ("/tablesdb/transactions", "/tablesdb/db/tables/t/rows"),
        (
            "/databases/transactions",
            "/databases/db/collections/t/documents",
        ),
    ];
    for (outside, (transactions, rows)) in (2..).zip(families) {
        let tx = api.post(transactions, json!({})).await.expect(201);
        let id = tx["$id"].as_str().unwrap().to_owned();
        for (row, year) in [("r2", 20), ("r1", 10)] {
            api.patch(
                &format!("{rows}/{row}"),
                json!({"data": {"year": year}, "transactionId": id}),
            )
            .await
            .expect(200);
        }
        // Time stamps have millisecond precision: the outside change must come later.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        api.patch(&format!("{rows}/r1"), json!({"data": {"year": outside}}))
            .await
            .expect(200);
        let error = api
            .patch(&format!("{transactions}/{id}"), json!({"commit": true}))
            .await
            .expect_error(409, "transaction_conflict");
        assert_eq!(
            error["message"],
            "The transaction has a conflict. Please resolve the conflict and try again."
        );
        let tx = api.get(&format!("{transactions}/{id}")).await.expect(200);
        assert_eq!(tx["status"], "failed");
        assert_eq!(api.get(&format!("{rows}/r2")).await.expect(200)["year"], 1);
        assert_eq!(
            api.get(&format!("{rows}/r1")).await.expect(200)["year"],
            outside
        );
    }
}

#[tokio::test]
async fn malformed_requests_get_appwrite_errors() {
    let api = Api::start().await;
    api.books().await;
    api.raw(Method::POST, "/tablesdb", b"{\"databaseId\": ")
        .await
        .expect_error(400, "general_bad_request");
    api.raw(Method::POST, "/tablesdb/db/tables/t/rows", b"[1, 2]")
        .await
        .expect_error(400, "general_bad_request");
    api.raw(Method::POST, "/tablesdb/db/tables/t/rows", b"\xff\xfe")
        .await
        .expect_error(400, "general_bad_request");
    api.post("/tablesdb", json!({"databaseId": 7, "name": "x"}))
        .await
        .expect_error(400, "general_argument_invalid");
    api.post("/tablesdb", json!({"databaseId": "_bad", "name": "x"}))
        .await
        .expect_error(400, "general_argument_invalid");
    api.post(
        "/tablesdb/db/tables/t/rows",
        json!({"rowId": "n", "data": {"title": "t", "year": 123456789012345678901234567890.0}}),
    )
    .await
    .expect_error(400, "row_invalid_structure");
    api.get("/nothing/here")
        .await
        .expect_error(404, "general_route_not_found");
    api.send(Method::PATCH, "/tablesdb", Some(&json!({})))
        .await
        .expect_error(404, "general_route_not_found");
    api.get("/tablesdb/db/tables/t/rows/%FF")
        .await
        .expect_error(400, "general_bad_request");
}

#[tokio::test]
async fn row_rules_applied_by_the_emulator() {
    let api = Api::start().await;
    api.books().await;
    api.post(
        "/tablesdb/db/tables/t/rows",
        json!({"rowId": "r", "data": {"title": "t", "year": 1}}),
    )
    .await
    .expect(201);
    let stale = |method: Method, path: &'static str, body: Value| {
        let request = api
            .http
            .request(method, api.url(path))
            .header("x-appwrite-project", "test")
            .header("x-appwrite-key", "secret")
            .header("x-appwrite-timestamp", "2000-01-01T00:00:00.000+00:00")
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let conflict = stale(
        Method::PATCH,
        "/tablesdb/db/tables/t/rows/r",
        json!({"data": {"year": 2}}),
    )
    .await;
    assert_eq!(conflict.status(), 409);
    let body: Value = conflict.json().await.unwrap();
    assert_eq!(body["type"], "row_update_conflict");
    let legacy = stale(
        Method::DELETE,
        "/databases/db/collections/t/documents/r",
        json!({}),
    )
    .await;
    let body: Value = legacy.json().await.unwrap();
    assert_eq!(body["type"], "document_update_conflict");
    assert_eq!(
        api.get("/tablesdb/db/tables/t/rows/r").await.expect(200)["year"],
        1
    );

    let operator = api
        .patch(
            "/tablesdb/db/tables/t/rows/r",
            json!({"data": {"title": "{\"method\":\"stringConcat\",\"values\":[\"!\"]}"}}),
        )
        .await;
    assert_eq!(
        operator.status, 501,
        "operators are refused, not stored as text"
    );
    api.get(&format!(
        "/tablesdb/db/tables/t/rows/r?{}",
        indexed_queries(&[json!({"method": "limit", "values": [1]})])
    ))
    .await
    .expect_error(400, "general_query_invalid");
}

#[tokio::test]
async fn regex_and_elem_match_in_wire_form() {
    let api = Api::start().await;
    api.books().await;
    for (id, title) in [("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")] {
        api.post(
            "/tablesdb/db/tables/t/rows",
            json!({"rowId": id, "data": {"title": title}}),
        )
        .await
        .expect(201);
    }
    let list = |query: Value| {
        let path = format!("/tablesdb/db/tables/t/rows?{}", indexed_queries(&[query]));
        let api = &api;
        async move { api.get(&path).await }
    };
    let matched = list(json!({"method": "regex", "attribute": "title", "values": ["^[AB]"]}))
        .await
        .expect(200);
    assert_eq!(matched["total"], 2);

    // The arity is checked before anything else, in Appwrite's words.
    for values in [json!([]), json!(["^A", "^B"])] {
        let body = list(json!({"method": "regex", "attribute": "title", "values": values}))
            .await
            .expect_error(400, "general_query_invalid");
        assert_eq!(
            body["message"],
            "Invalid query: Regex queries require exactly one value."
        );
    }
    // elemMatch is refused whatever its sub-queries, even none at all.
    for values in [
        json!([]),
        json!([{"method": "equal", "attribute": "year", "values": [1]}]),
    ] {
        let body = list(json!({"method": "elemMatch", "attribute": "title", "values": values}))
            .await
            .expect_error(400, "general_query_invalid");
        assert_eq!(
            body["message"],
            "Invalid query: elemMatch is not supported by the database"
        );
    }
    let body = list(json!({"method": "exists", "values": ["title"]}))
        .await
        .expect_error(400, "general_query_invalid");
    assert_eq!(
        body["message"],
        "Invalid query: Attribute not found in schema: "
    );
}
