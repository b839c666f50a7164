//! What only the HTTP path has: authentication and project checks, the legacy Databases routes
//! of servers before 1.8, and retries through injected faults, all against the emulator.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use appwrite_orm::backend::http::{ApiKey, HttpBackend, HttpConfig, RetryPolicy};
use appwrite_orm::backend::{Backend, Document, ListOptions};
use appwrite_orm::error::types;
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnKind, ColumnSchema, IndexKind, IndexSchema, TableSchema};
use appwrite_orm_emulator::{EmulatorConfig, RunningEmulator, spawn};
use futures_util::{StreamExt, TryStreamExt, stream};
use serde_json::json;

fn backend(
    emulator: &RunningEmulator,
    configure: impl FnOnce(&mut HttpConfig),
) -> Arc<dyn Backend> {
    let mut config = HttpConfig::new(
        emulator.endpoint(),
        emulator.project(),
        ApiKey::new(emulator.key()),
    );
    configure(&mut config);
    Arc::new(HttpBackend::new(config).unwrap())
}

fn doc(value: serde_json::Value) -> Document {
    value.as_object().cloned().unwrap()
}

fn items_table() -> TableSchema {
    TableSchema::new("items", "Items")
        .column(ColumnSchema::varchar("name", 64).required())
        .column(ColumnSchema::integer("n"))
        .index(IndexSchema::new("by_n", IndexKind::Key, ["n"]))
}

#[tokio::test]
async fn a_wrong_key_is_user_unauthorized() {
    let emulator = spawn(EmulatorConfig::default()).await.unwrap();
    let b = backend(&emulator, |c| c.api_key = ApiKey::new("not-the-key"));
    let err = b.list_databases(&[]).await.unwrap_err();
    assert_eq!(err.code(), Some(401));
    assert_eq!(err.error_type(), Some("user_unauthorized"));
    assert!(
        !err.to_string().contains("not-the-key"),
        "the key never shows: {err}"
    );
}

#[tokio::test]
async fn a_wrong_project_is_project_not_found() {
    let emulator = spawn(EmulatorConfig::default()).await.unwrap();
    let b = backend(&emulator, |c| c.project_id = "someone-else".to_owned());
    let err = b.get_database("app").await.unwrap_err();
    assert_eq!(err.code(), Some(404));
    assert_eq!(err.error_type(), Some("project_not_found"));
}

#[tokio::test]
async fn a_pre_1_8_server_is_spoken_to_through_the_legacy_routes() {
    let emulator = spawn(EmulatorConfig::default()).await.unwrap();
    let legacy = backend(&emulator, |c| c.server_version = Some("1.7.4".to_owned()));
    let current = backend(&emulator, |_| {});
    legacy.create_database("app", "App").await.unwrap();
    // Before 1.9 there is no varchar route: the column is created as a legacy `string`.
    let table = legacy.create_table("app", &items_table()).await.unwrap();
    assert_eq!(table.id, "items");
    let rows: Vec<Document> = (0..5)
        .map(|i| doc(json!({"$id": format!("r{i}"), "name": format!("item {i}"), "n": i})))
        .collect();
    legacy.create_rows("app", "items", &rows).await.unwrap();
    legacy
        .update_row("app", "items", "r2", &doc(json!({"n": 20})), None)
        .await
        .unwrap();
    // The same data through the TablesDB routes.
    let listed = current
        .list_rows(
            "app",
            "items",
            &[Query::greater_than("n", 2), Query::order_desc("n")],
            &ListOptions::default(),
        )
        .await
        .unwrap();
    let ids: Vec<&str> = listed.items.iter().map(|r| r.id()).collect();
    assert_eq!(ids, ["r2", "r4", "r3"]);
    assert_eq!(listed.items[0]["$tableId"], json!("items"));
    // And legacy reads map `$collectionId` back to `$tableId`.
    let row = legacy.get_row("app", "items", "r2", &[]).await.unwrap();
    assert_eq!(row["$tableId"], json!("items"));
    assert_eq!(row["n"], json!(20));
    let err = legacy
        .get_row("app", "items", "nope", &[])
        .await
        .unwrap_err();
    assert_eq!(
        err.error_type(),
        Some(types::ROW_NOT_FOUND),
        "legacy document_* errors read as row_*"
    );
}

#[tokio::test]
async fn writes_and_reads_survive_a_fifth_of_requests_failing() {
    let emulator = spawn(EmulatorConfig {
        fault_rate: 0.2,
        seed: Some(7),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    // Faults answer 429 (with Retry-After), 503, or drop the connection; some land after the
    // write was applied, so a retried create meets its own row.
    let b = backend(&emulator, |c| {
        c.retry = RetryPolicy {
            max_retries: 12,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(100),
            ..RetryPolicy::default()
        };
    });
    b.create_database("app", "App").await.unwrap();
    b.create_table("app", &items_table()).await.unwrap();
    // 500 operations: 300 creates with client-made ids, 100 updates, 100 reads.
    let creates = stream::iter(0..300)
        .map(|i| {
            let b = Arc::clone(&b);
            async move {
                b.create_row(
                    "app",
                    "items",
                    &format!("r{i}"),
                    &doc(json!({"name": format!("item {i}"), "n": i})),
                    None,
                )
                .await
            }
        })
        .buffer_unordered(16)
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert_eq!(creates.len(), 300);
    stream::iter(0..100)
        .map(|i| {
            let b = Arc::clone(&b);
            async move {
                b.update_row(
                    "app",
                    "items",
                    &format!("r{i}"),
                    &doc(json!({"n": 1000 + i})),
                    None,
                )
                .await?;
                b.get_row("app", "items", &format!("r{}", 299 - i), &[])
                    .await
            }
        })
        .buffer_unordered(16)
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    // Read everything back without faults: exactly the expected rows, each once.
    let clean = emulator.backend();
    let mut seen = BTreeSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut queries = vec![Query::limit(100)];
        if let Some(c) = &cursor {
            queries.push(Query::cursor_after(c.clone()));
        }
        let page = clean
            .list_rows("app", "items", &queries, &ListOptions::default())
            .await
            .unwrap();
        for row in &page.items {
            let i: i64 = row.id()[1..].parse().unwrap();
            let want = if i < 100 { 1000 + i } else { i };
            assert_eq!(row["n"], json!(want), "row {}", row.id());
            assert!(
                seen.insert(row.id().to_owned()),
                "row {} listed twice",
                row.id()
            );
        }
        match page.items.last() {
            Some(last) if page.items.len() == 100 => cursor = Some(last.id().to_owned()),
            _ => break,
        }
    }
    assert_eq!(seen.len(), 300, "nothing lost, nothing duplicated");
}

/// A server that answers each GET with the JSON its path maps to (404 otherwise), as a real
/// Appwrite answers for a database built in its console. Blocking, on its own thread.
fn canned_server(answers: Vec<(&'static str, serde_json::Value)>) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}/v1", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            // The headers, up to the blank line; a GET has no body.
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                line.clear();
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or_default();
            let path = path.split('?').next().unwrap_or_default();
            let (status, body) = match answers.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => ("200 OK", body.to_string()),
                None => (
                    "404 Not Found",
                    json!({"message": "no route", "code": 404,
                    "type": "general_route_not_found"})
                    .to_string(),
                ),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    endpoint
}

#[tokio::test]
async fn a_table_with_a_column_of_an_unknown_type_can_still_be_read() {
    let stamp = "2026-01-01T00:00:00.000+00:00";
    let vector = json!({"key": "embedding", "type": "vector", "size": 3, "status": "available",
        "error": "", "required": false, "array": false, "default": null,
        "$createdAt": stamp, "$updatedAt": stamp});
    let name = json!({"key": "name", "type": "varchar", "size": 64, "status": "available",
        "error": "", "required": true, "array": false, "default": null, "encrypt": false,
        "$createdAt": stamp, "$updatedAt": stamp});
    let table = json!({"$id": "places", "name": "Places", "databaseId": "app",
        "$createdAt": stamp, "$updatedAt": stamp, "$permissions": [], "rowSecurity": false,
        "enabled": true, "columns": [name, vector], "indexes": []});
    let endpoint = canned_server(vec![
        ("/v1/health/version", json!({"version": "1.9.6"})),
        ("/v1/tablesdb/app/tables/places", table),
    ]);
    let http = HttpBackend::new(HttpConfig::new(endpoint, "demo", ApiKey::new("secret"))).unwrap();
    let live = http.get_table("app", "places").await.unwrap();
    let kinds: Vec<String> = live
        .columns
        .iter()
        .map(|c| format!("{}:{}", c.schema.key, c.schema.kind.route_type()))
        .collect();
    assert_eq!(kinds, ["name:varchar", "embedding:opaque"]);
    assert_eq!(
        live.columns[1].schema.model_fields()["type"],
        json!("vector")
    );
    // Nothing this library writes can carry it: a change to it is refused before it is sent.
    let err = http
        .update_column("app", "places", "embedding", &live.columns[1].schema)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("cannot be declared or changed"),
        "{err}"
    );
}

#[tokio::test]
async fn spatial_columns_and_indexes_read_as_their_kinds() {
    let stamp = "2026-01-01T00:00:00.000+00:00";
    let column = |key: &str, ty: &str, default: serde_json::Value| {
        json!({"key": key, "type": ty, "status": "available", "error": "", "required": true,
            "array": false, "default": default, "$createdAt": stamp, "$updatedAt": stamp})
    };
    let table = json!({"$id": "places", "name": "Places", "databaseId": "app",
        "$createdAt": stamp, "$updatedAt": stamp, "$permissions": [], "rowSecurity": false,
        "enabled": true,
        "columns": [
            column("home", "point", json!(null)),
            column("route", "linestring", json!([[0.0, 0.0], [1.0, 1.0]])),
            column("area", "polygon", json!(null)),
        ],
        "indexes": [{"key": "near", "type": "spatial", "status": "available", "error": "",
            "columns": ["home"], "lengths": [null], "orders": [],
            "$createdAt": stamp, "$updatedAt": stamp}]});
    let endpoint = canned_server(vec![
        ("/v1/health/version", json!({"version": "1.9.6"})),
        ("/v1/tablesdb/app/tables/places", table),
    ]);
    let http = HttpBackend::new(HttpConfig::new(endpoint, "demo", ApiKey::new("secret"))).unwrap();
    let live = http.get_table("app", "places").await.unwrap();
    let kinds: Vec<&ColumnKind> = live.columns.iter().map(|c| &c.schema.kind).collect();
    assert_eq!(
        kinds,
        [&ColumnKind::Point, &ColumnKind::Line, &ColumnKind::Polygon]
    );
    assert_eq!(
        live.columns[1].schema.default,
        Some(json!([[0.0, 0.0], [1.0, 1.0]]))
    );
    assert_eq!(live.columns[1].schema.kind.route_type(), "line");
    assert_eq!(live.indexes[0].schema.kind, IndexKind::Spatial);
}
