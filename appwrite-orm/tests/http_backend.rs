//! The HTTP backend against a hand-written HTTP/1.1 server on 127.0.0.1: the exact requests it
//! sends, how it reads answers and errors, retries, legacy routes, and its safety rules.
#![cfg(feature = "http")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use appwrite_orm::backend::http::{ApiKey, HttpBackend, HttpConfig, RetryPolicy};
use appwrite_orm::backend::{
    Backend, Document, ListOptions, Operation, OperationAction, TableUpdate,
};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnKind, ColumnSchema, IndexKind, IndexSchema, TableSchema};
use appwrite_orm::{Error, Result};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const KEY: &str = "sekr1t-key-value";

// --- a tiny scripted server ---------------------------------------------------------------------

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.body))
    }

    /// The query string, form-decoded.
    fn params(&self) -> Vec<(String, String)> {
        if self.query.is_empty() {
            return Vec::new();
        }
        self.query
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(k), decode(v))
            })
            .collect()
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// What the server answers.
enum Answer {
    Json(u16, Value),
    Raw {
        status: u16,
        content_type: &'static str,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// Close the connection without answering.
    Drop,
    /// Wait, then answer.
    Slow(Duration, Box<Answer>),
}

fn json(status: u16, body: Value) -> Answer {
    Answer::Json(status, body)
}

fn appwrite_error(status: u16, error_type: &str, message: &str) -> Answer {
    json(
        status,
        json!({"message": message, "code": status, "type": error_type, "version": "1.9.6"}),
    )
}

type Handler = dyn Fn(&Seen, usize) -> Answer + Send + Sync;

struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    max_concurrent: Arc<AtomicUsize>,
}

impl Server {
    async fn start(handler: impl Fn(&Seen, usize) -> Answer + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let active = Arc::new(AtomicUsize::new(0));
        let max_concurrent = Arc::new(AtomicUsize::new(0));
        let (seen2, max2) = (seen.clone(), max_concurrent.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (seen, handler, active, max) =
                    (seen2.clone(), handler.clone(), active.clone(), max2.clone());
                tokio::spawn(async move {
                    let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(now, Ordering::SeqCst);
                    handle(stream, seen, handler).await;
                    active.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Server {
            base: format!("http://{addr}/v1"),
            seen,
            max_concurrent,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn config(&self) -> HttpConfig {
        let mut config = HttpConfig::new(self.base.clone(), "proj1", ApiKey::new(KEY));
        config.server_version = Some("1.9.6".into());
        config.retry = RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            ..RetryPolicy::default()
        };
        config.timeout = Duration::from_secs(5);
        config
    }

    fn backend(&self) -> HttpBackend {
        HttpBackend::new(self.config()).unwrap()
    }
}

async fn handle(mut stream: TcpStream, seen: Arc<Mutex<Vec<Seen>>>, handler: Arc<Handler>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (target.clone(), String::new()),
    };
    let request = Seen {
        method,
        path,
        query,
        headers,
        body: String::from_utf8_lossy(&body).to_string(),
    };
    let index = {
        let mut seen = seen.lock().unwrap();
        seen.push(request.clone());
        seen.len() - 1
    };
    let mut answer = handler(&request, index);
    loop {
        match answer {
            Answer::Slow(delay, inner) => {
                tokio::time::sleep(delay).await;
                answer = *inner;
            }
            Answer::Drop => return,
            Answer::Json(status, body) => {
                write(
                    &mut stream,
                    status,
                    "application/json",
                    &[],
                    &body.to_string(),
                )
                .await;
                return;
            }
            Answer::Raw {
                status,
                content_type,
                headers,
                body,
            } => {
                write(&mut stream, status, content_type, &headers, &body).await;
                return;
            }
        }
    }
}

async fn write(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    headers: &[(&str, String)],
    body: &str,
) {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    let _ = stream.write_all(out.as_bytes()).await;
    let _ = stream.shutdown().await;
}

// --- fixtures ------------------------------------------------------------------------------------

fn doc(v: Value) -> Document {
    v.as_object().cloned().unwrap()
}

fn row_json(id: &str, data: Value) -> Value {
    let mut row = data.as_object().cloned().unwrap_or_default();
    row.insert("$id".into(), json!(id));
    row.insert("$sequence".into(), json!("1"));
    row.insert("$tableId".into(), json!("books"));
    row.insert("$databaseId".into(), json!("db1"));
    row.insert("$createdAt".into(), json!("2026-01-02T03:04:05.678+00:00"));
    row.insert("$updatedAt".into(), json!("2026-01-02T03:04:05.678+00:00"));
    row.insert("$permissions".into(), json!([]));
    Value::Object(row)
}

fn transaction_json(status: &str) -> Value {
    json!({"$id": "tx1", "$createdAt": "t", "$updatedAt": "t", "status": status,
           "operations": 0, "expiresAt": "t"})
}

fn column_json(key: &str, ty: &str, status: &str, extra: Value) -> Value {
    let mut c = json!({"key": key, "type": ty, "status": status, "error": "", "required": false,
                       "array": false, "$createdAt": "t", "$updatedAt": "t", "default": null});
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

fn table_json(columns: Vec<Value>, indexes: Vec<Value>) -> Value {
    json!({"$id": "books", "$createdAt": "t", "$updatedAt": "t", "$permissions": [],
           "databaseId": "db1", "name": "Books", "enabled": true, "rowSecurity": false,
           "columns": columns, "indexes": indexes, "bytesMax": 65535, "bytesUsed": 1067})
}

fn assert_common_headers(seen: &Seen) {
    assert_eq!(seen.header("x-appwrite-project"), Some("proj1"));
    assert_eq!(seen.header("x-appwrite-key"), Some(KEY));
    assert_eq!(seen.header("x-appwrite-response-format"), Some("1.9.5"));
    assert_eq!(seen.header("accept"), Some("application/json"));
}

/// True when a JSON value holds a `null` anywhere.
fn has_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.iter().any(has_null),
        Value::Object(o) => o.values().any(has_null),
        _ => false,
    }
}

// --- request shapes ------------------------------------------------------------------------------

#[tokio::test]
async fn create_row_sends_the_sdk_request() {
    let server =
        Server::start(|req, _| json(201, row_json("r1", req.json()["data"].clone()))).await;
    let b = server.backend();
    let perms = vec![r#"read("any")"#.to_owned()];
    let row = b
        .create_row(
            "db1",
            "books",
            "r1",
            &doc(json!({"title": "T", "year": 2001})),
            Some(&perms),
        )
        .await
        .unwrap();
    assert_eq!(row.id(), "r1");
    assert_eq!(row["title"], json!("T"));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1/tablesdb/db1/tables/books/rows")
    );
    assert_common_headers(r);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.json(),
        json!({"rowId": "r1", "data": {"title": "T", "year": 2001}, "permissions": ["read(\"any\")"]})
    );
}

#[tokio::test]
async fn optional_parameters_are_left_out() {
    let server = Server::start(|req, _| match req.method.as_str() {
        "POST" => json(201, row_json("x", json!({}))),
        "PATCH" => json(200, row_json("r1", json!({}))),
        _ => json(200, row_json("r1", json!({}))),
    })
    .await;
    let b = server.backend();
    b.create_row("db1", "books", "unique()", &doc(json!({"a": 1})), None)
        .await
        .unwrap();
    b.update_row("db1", "books", "r1", &doc(json!({"a": 2})), None)
        .await
        .unwrap();
    b.upsert_row("db1", "books", "r1", &doc(json!({"a": 3})), None)
        .await
        .unwrap();
    let seen = server.seen();
    let create = seen[0].json();
    assert!(create.get("permissions").is_none());
    let id = create["rowId"].as_str().unwrap();
    // `unique()` becomes a client-made id of the SDK's shape, so a retry cannot duplicate.
    assert_eq!(id.len(), 20);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(seen[1].json(), json!({"data": {"a": 2}}));
    assert_eq!(
        (seen[2].method.as_str(), seen[2].path.as_str()),
        ("PUT", "/v1/tablesdb/db1/tables/books/rows/r1")
    );
    assert_eq!(seen[2].json(), json!({"data": {"a": 3}}));
    for s in &seen {
        assert!(!has_null(&s.json()), "null in {}", s.body);
    }
}

#[tokio::test]
async fn list_rows_puts_indexed_queries_in_the_query_string() {
    let server = Server::start(|_, _| {
        json(
            200,
            json!({"total": 1, "rows": [row_json("r1", json!({"year": 2001}))]}),
        )
    })
    .await;
    let b = server.backend();
    let queries = [
        Query::equal("author", ["A", "B"]),
        Query::greater_than("year", 2000),
        Query::order_desc("year"),
        Query::limit(10),
        Query::cursor_after("abc"),
    ];
    let options = ListOptions {
        total: false,
        transaction_id: Some("tx1".into()),
    };
    let list = b
        .list_rows("db1", "books", &queries, &options)
        .await
        .unwrap();
    assert_eq!(list.total, 1);
    assert_eq!(list.items[0].id(), "r1");
    let r = &server.seen()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/v1/tablesdb/db1/tables/books/rows")
    );
    assert_common_headers(r);
    assert_eq!(r.header("content-type"), None, "a GET has no body");
    assert!(r.body.is_empty());
    // Brackets and JSON are percent-encoded on the wire.
    assert!(
        r.query
            .starts_with("queries%5B0%5D=%7B%22method%22%3A%22equal%22"),
        "{}",
        r.query
    );
    let mut expected: Vec<(String, String)> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| (format!("queries[{i}]"), q.to_wire()))
        .collect();
    expected.push(("total".into(), "false".into()));
    expected.push(("transactionId".into(), "tx1".into()));
    assert_eq!(r.params(), expected);
    let decoded: Value = serde_json::from_str(&r.params()[0].1).unwrap();
    assert_eq!(
        decoded,
        json!({"method": "equal", "attribute": "author", "values": ["A", "B"]})
    );
}

#[tokio::test]
async fn get_row_with_select_and_list_tables() {
    let server = Server::start(|req, _| {
        if req.path.ends_with("/rows/r1") {
            json(200, row_json("r1", json!({"title": "T"})))
        } else {
            json(
                200,
                json!({"total": 1, "tables": [table_json(vec![], vec![])]}),
            )
        }
    })
    .await;
    let b = server.backend();
    b.get_row("db1", "books", "r1", &[Query::select(["*"])])
        .await
        .unwrap();
    let tables = b
        .list_tables("db1", &[Query::equal("name", ["Books"])])
        .await
        .unwrap();
    assert_eq!(tables.items[0].name, "Books");
    let seen = server.seen();
    assert_eq!(
        seen[0].params(),
        vec![(
            "queries[0]".to_owned(),
            r#"{"method":"select","values":["*"]}"#.to_owned()
        )]
    );
    assert_eq!(seen[1].path, "/v1/tablesdb/db1/tables");
    assert_eq!(seen[1].params()[0].0, "queries[0]");
}

#[tokio::test]
async fn column_routes_and_bodies() {
    let server = Server::start(|req, _| {
        let ty = if req.path.contains("integer") {
            "integer"
        } else {
            "varchar"
        };
        let key = req
            .json()
            .get("newKey")
            .or(req.json().get("key"))
            .cloned()
            .unwrap_or(json!("title"));
        let status = if req.method == "POST" { 202 } else { 200 };
        let extra = if ty == "varchar" {
            json!({"size": 255})
        } else {
            json!({})
        };
        json(
            status,
            column_json(key.as_str().unwrap(), ty, "processing", extra),
        )
    })
    .await;
    let b = server.backend();
    let col = b
        .create_column(
            "db1",
            "books",
            &ColumnSchema::varchar("title", 255).default_value("x"),
        )
        .await
        .unwrap();
    assert_eq!(col.schema.key, "title");
    b.create_column(
        "db1",
        "books",
        &ColumnSchema::new(
            "year",
            ColumnKind::Integer {
                min: Some(0),
                max: Some(3000),
            },
        ),
    )
    .await
    .unwrap();
    b.update_column("db1", "books", "title", &ColumnSchema::varchar("name", 100))
        .await
        .unwrap();
    let seen = server.seen();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("POST", "/v1/tablesdb/db1/tables/books/columns/varchar")
    );
    assert_eq!(
        seen[0].json(),
        json!({"key": "title", "required": false, "size": 255, "default": "x"})
    );
    assert_eq!(
        seen[1].path,
        "/v1/tablesdb/db1/tables/books/columns/integer"
    );
    assert_eq!(
        seen[1].json(),
        json!({"key": "year", "required": false, "min": 0, "max": 3000})
    );
    assert_eq!(
        (seen[2].method.as_str(), seen[2].path.as_str()),
        (
            "PATCH",
            "/v1/tablesdb/db1/tables/books/columns/varchar/title"
        )
    );
    // `default` is the one parameter always present, null when cleared.
    assert_eq!(
        seen[2].json(),
        json!({"required": false, "default": null, "size": 100, "newKey": "name"})
    );
    assert!(seen[2].body.contains("\"default\":null"));
}

#[tokio::test]
async fn index_bulk_increment_and_transaction_requests() {
    let server = Server::start(|req, _| {
        let p = req.path.as_str();
        if p.ends_with("/indexes") {
            json(202, json!({"$id": "i", "key": "idx_year", "type": "key", "status": "processing", "error": "",
                             "columns": ["year"], "orders": ["DESC"], "lengths": [null], "$createdAt": "t", "$updatedAt": "t"}))
        } else if p.ends_with("/increment") || p.ends_with("/decrement") {
            json(200, row_json("r1", json!({"n": 5})))
        } else if p.ends_with("/rows") {
            json(200, json!({"total": 2, "rows": []}))
        } else if p.contains("/transactions") {
            let status = if req.body.contains("commit") { "committed" } else if req.body.contains("rollback") { "failed" } else { "pending" };
            json(if req.method == "POST" { 201 } else { 200 }, transaction_json(status))
        } else {
            Answer::Raw { status: 204, content_type: "text/html", headers: vec![], body: String::new() }
        }
    })
    .await;
    let b = server.backend();
    let index = IndexSchema::new("idx_year", IndexKind::Key, ["year"])
        .orders([appwrite_orm::schema::SortOrder::Desc]);
    b.create_index("db1", "books", &index).await.unwrap();
    let deleted = b
        .delete_rows("db1", "books", &[Query::less_than("year", 1900)])
        .await
        .unwrap();
    assert_eq!(deleted.total, 2);
    b.update_rows("db1", "books", &doc(json!({"flag": true})), &[])
        .await
        .unwrap();
    b.delete_row("db1", "books", "r1").await.unwrap();
    b.increment_row_column("db1", "books", "r1", "n", 1.into(), Some(10.into()))
        .await
        .unwrap();
    b.decrement_row_column("db1", "books", "r1", "n", 2.into(), None)
        .await
        .unwrap();
    let tx = b.create_transaction(Some(120)).await.unwrap();
    assert_eq!(tx.id, "tx1");
    let op = Operation {
        action: OperationAction::Create,
        database_id: "db1".into(),
        table_id: "books".into(),
        row_id: Some("r9".into()),
        data: Some(json!({"title": "x"})),
    };
    b.stage_operations("tx1", &[op]).await.unwrap();
    b.commit_transaction("tx1").await.unwrap();
    b.rollback_transaction("tx1").await.unwrap();
    b.create_transaction(None).await.unwrap();

    let seen = server.seen();
    let shape = |i: usize| (seen[i].method.clone(), seen[i].path.clone(), seen[i].json());
    assert_eq!(
        shape(0),
        (
            "POST".into(),
            "/v1/tablesdb/db1/tables/books/indexes".into(),
            json!({"key": "idx_year", "type": "key", "columns": ["year"], "orders": ["DESC"]})
        )
    );
    assert_eq!(
        shape(1),
        (
            "DELETE".into(),
            "/v1/tablesdb/db1/tables/books/rows".into(),
            json!({"queries": [r#"{"method":"lessThan","attribute":"year","values":[1900]}"#]})
        )
    );
    assert_eq!(
        shape(2),
        (
            "PATCH".into(),
            "/v1/tablesdb/db1/tables/books/rows".into(),
            json!({"data": {"flag": true}})
        )
    );
    assert_eq!(
        shape(3),
        (
            "DELETE".into(),
            "/v1/tablesdb/db1/tables/books/rows/r1".into(),
            json!({})
        )
    );
    assert_eq!(
        shape(4),
        (
            "PATCH".into(),
            "/v1/tablesdb/db1/tables/books/rows/r1/n/increment".into(),
            json!({"value": 1, "max": 10})
        )
    );
    assert_eq!(
        shape(5),
        (
            "PATCH".into(),
            "/v1/tablesdb/db1/tables/books/rows/r1/n/decrement".into(),
            json!({"value": 2})
        )
    );
    assert_eq!(
        shape(6),
        (
            "POST".into(),
            "/v1/tablesdb/transactions".into(),
            json!({"ttl": 120})
        )
    );
    assert_eq!(
        shape(7),
        (
            "POST".into(),
            "/v1/tablesdb/transactions/tx1/operations".into(),
            json!({"operations": [{"action": "create", "databaseId": "db1", "tableId": "books", "rowId": "r9", "data": {"title": "x"}}]})
        )
    );
    assert_eq!(
        shape(8),
        (
            "PATCH".into(),
            "/v1/tablesdb/transactions/tx1".into(),
            json!({"commit": true})
        )
    );
    assert_eq!(
        shape(9),
        (
            "PATCH".into(),
            "/v1/tablesdb/transactions/tx1".into(),
            json!({"rollback": true})
        )
    );
    assert_eq!(shape(10).2, json!({}));
}

#[tokio::test]
async fn bulk_create_gives_rows_client_ids() {
    let server = Server::start(|req, _| {
        let rows: Vec<Value> = req.json()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| row_json(r["$id"].as_str().unwrap(), json!({"title": r["title"]})))
            .collect();
        json(201, json!({"total": rows.len(), "rows": rows}))
    })
    .await;
    let b = server.backend();
    let rows = [
        doc(json!({"$id": "r2", "title": "A"})),
        doc(json!({"title": "B", "$permissions": ["read(\"any\")"]})),
    ];
    let list = b.create_rows("db1", "books", &rows).await.unwrap();
    assert_eq!(list.total, 2);
    let sent = server.seen()[0].json();
    assert_eq!(sent["rows"][0], json!({"$id": "r2", "title": "A"}));
    assert_eq!(sent["rows"][1]["$id"].as_str().unwrap().len(), 20);
    assert_eq!(sent["rows"][1]["$permissions"], json!(["read(\"any\")"]));
}

#[tokio::test]
async fn create_table_inline_on_1_9() {
    let server = Server::start(|req, _| {
        assert_eq!(req.path, "/v1/tablesdb/db1/tables");
        json(201, table_json(vec![], vec![]))
    })
    .await;
    let b = server.backend();
    let schema = TableSchema::new("books", "Books")
        .column(ColumnSchema::integer("year").required())
        .column(ColumnSchema::new("mail", ColumnKind::Email))
        .index(IndexSchema::new("by_year", IndexKind::Key, ["year"]));
    b.create_table("db1", &schema).await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].json(),
        json!({"tableId": "books", "name": "Books", "rowSecurity": false,
               "columns": [{"key": "year", "type": "integer", "required": true},
                           {"key": "mail", "type": "string", "size": 254, "format": "email", "required": false}],
               "indexes": [{"key": "by_year", "type": "key", "attributes": ["year"]}]})
    );
}

#[tokio::test]
async fn create_table_creates_the_rest_one_by_one_and_waits() {
    let polls = Arc::new(AtomicUsize::new(0));
    let polls2 = polls.clone();
    let server = Server::start(move |req, _| {
        let year = column_json("year", "integer", "available", json!({}));
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/v1/tablesdb/db1/tables") => json(201, table_json(vec![year], vec![])),
            ("POST", "/v1/tablesdb/db1/tables/books/columns/varchar") => {
                json(202, column_json("title", "varchar", "processing", json!({"size": 64})))
            }
            ("POST", "/v1/tablesdb/db1/tables/books/indexes") => json(202, json!({
                "key": "by_title", "type": "key", "status": "processing", "error": "", "columns": ["title"]})),
            ("GET", "/v1/tablesdb/db1/tables/books") => {
                let n = polls2.fetch_add(1, Ordering::SeqCst);
                let status = if n == 0 { "processing" } else { "available" };
                let title = column_json("title", "varchar", status, json!({"size": 64}));
                let idx = json!({"key": "by_title", "type": "key", "status": if n < 3 { "processing" } else { "available" },
                                 "error": "", "columns": ["title"]});
                let indexes = if n >= 2 { vec![idx] } else { vec![] };
                json(200, table_json(vec![year, title], indexes))
            }
            other => panic!("unexpected request {other:?}"),
        }
    })
    .await;
    let b = server.backend();
    let schema = TableSchema::new("books", "Books")
        .column(ColumnSchema::integer("year"))
        .column(ColumnSchema::varchar("title", 64))
        .index(IndexSchema::new("by_title", IndexKind::Key, ["title"]));
    let table = b.create_table("db1", &schema).await.unwrap();
    assert_eq!(table.columns.len(), 2);
    assert!(
        table
            .indexes
            .iter()
            .all(|i| i.status == appwrite_orm::backend::ColumnStatus::Available)
    );
    let seen = server.seen();
    // The varchar column is not in the reference's inline list, so it and the index that uses
    // it are created after the table; the integer before it goes inline.
    assert_eq!(
        seen[0].json()["columns"],
        json!([{"key": "year", "type": "integer", "required": false}])
    );
    assert!(seen[0].json().get("indexes").is_none());
    assert_eq!(
        seen[1].path,
        "/v1/tablesdb/db1/tables/books/columns/varchar"
    );
    assert!(seen.iter().any(|s| s.path.ends_with("/indexes")));
    assert_eq!(polls.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn create_table_removes_a_half_made_table_when_a_column_fails() {
    let server = Server::start(|req, _| match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/v1/tablesdb/db1/tables") => json(201, table_json(vec![], vec![])),
        ("POST", _) => appwrite_error(
            400,
            "column_limit_exceeded",
            "The maximum number of columns has been reached.",
        ),
        ("DELETE", "/v1/tablesdb/db1/tables/books") => Answer::Raw {
            status: 204,
            content_type: "text/html",
            headers: vec![],
            body: String::new(),
        },
        other => panic!("unexpected request {other:?}"),
    })
    .await;
    let b = server.backend();
    let schema = TableSchema::new("books", "Books").column(ColumnSchema::varchar("title", 64));
    let err = b.create_table("db1", &schema).await.unwrap_err();
    assert_eq!(err.error_type(), Some("column_limit_exceeded"));
    assert_eq!(server.seen().last().unwrap().method, "DELETE");
}

#[tokio::test]
async fn update_table_always_sends_row_security_and_enabled() {
    let server = Server::start(|_, _| json(200, table_json(vec![], vec![]))).await;
    let b = server.backend();
    let update = TableUpdate {
        name: None,
        permissions: None,
        row_security: true,
        enabled: false,
    };
    b.update_table("db1", "books", &update).await.unwrap();
    let r = &server.seen()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PUT", "/v1/tablesdb/db1/tables/books")
    );
    assert_eq!(r.json(), json!({"rowSecurity": true, "enabled": false}));
}

// --- errors ---------------------------------------------------------------------------------------

#[tokio::test]
async fn appwrite_error_bodies_become_appwrite_errors() {
    let server = Server::start(|_, _| {
        appwrite_error(
            404,
            "row_not_found",
            "Row with the requested ID could not be found.",
        )
    })
    .await;
    let b = server.backend();
    let err = b.get_row("db1", "books", "nope", &[]).await.unwrap_err();
    let aw = err.appwrite().expect("an Appwrite error");
    assert_eq!((aw.code, aw.error_type.as_str()), (404, "row_not_found"));
    assert_eq!(aw.message, "Row with the requested ID could not be found.");
    assert_eq!(server.seen().len(), 1, "a 404 is not retried");
}

#[tokio::test]
async fn html_from_a_proxy_is_an_unexpected_response() {
    let server = Server::start(|_, _| Answer::Raw {
        status: 502,
        content_type: "text/html",
        headers: vec![],
        body: "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>".into(),
    })
    .await;
    let b = server.backend();
    let err = b.get_database("db1").await.unwrap_err();
    match &err {
        Error::UnexpectedResponse { status, detail } => {
            assert_eq!(*status, 502);
            assert!(detail.contains("502 Bad Gateway"), "{detail}");
            assert!(detail.contains("GET /v1/tablesdb/db1"), "{detail}");
        }
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
    // 502 is retried: 1 attempt + 3 retries.
    assert_eq!(server.seen().len(), 4);
}

#[tokio::test]
async fn truncated_and_misshapen_bodies_are_typed_errors() {
    let server = Server::start(|req, _| match req.path.as_str() {
        "/v1/tablesdb/trunc" => Answer::Raw {
            status: 200,
            content_type: "application/json",
            headers: vec![],
            body: r#"{"$id":"trunc","na"#.into(),
        },
        "/v1/tablesdb/err" => Answer::Raw {
            status: 400,
            content_type: "application/json",
            headers: vec![],
            body: r#"{"message":"bad","co"#.into(),
        },
        "/v1/tablesdb/shape" => json(200, json!({"$id": 5, "name": ["no"]})),
        "/v1/tablesdb/db1/tables" => json(200, json!({"tables": []})),
        "/v1/tablesdb/db1/tables/t/columns/c" => json(200, json!("just a string")),
        _ => json(200, json!([1, 2, 3])),
    })
    .await;
    let b = server.backend();
    for result in [
        b.get_database("trunc").await.map(|_| ()),
        b.get_database("err").await.map(|_| ()),
        b.get_database("shape").await.map(|_| ()),
        b.list_tables("db1", &[]).await.map(|_| ()),
        b.get_column("db1", "t", "c").await.map(|_| ()),
        b.get_row("db1", "t", "r", &[]).await.map(|_| ()),
    ] {
        match result {
            Err(Error::UnexpectedResponse { status, detail }) => {
                assert!(status == 200 || status == 400, "{status}");
                assert!(!detail.is_empty());
            }
            other => panic!("expected UnexpectedResponse, got {other:?}"),
        }
    }
}

// --- retries --------------------------------------------------------------------------------------

#[tokio::test]
async fn a_503_is_retried_then_succeeds() {
    let server = Server::start(|_, n| {
        if n == 0 {
            appwrite_error(503, "general_server_error", "busy")
        } else {
            json(200, json!({"$id": "db1", "name": "App"}))
        }
    })
    .await;
    let b = server.backend();
    let db = b.get_database("db1").await.unwrap();
    assert_eq!(db.name, "App");
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = Server::start(|_, n| {
        if n == 0 {
            Answer::Raw {
                status: 429,
                content_type: "application/json",
                headers: vec![("Retry-After", "1".into())],
                body: json!({"message": "Rate limit", "code": 429, "type": "general_rate_limit_exceeded"}).to_string(),
            }
        } else {
            json(200, json!({"$id": "db1", "name": "App"}))
        }
    })
    .await;
    let b = server.backend();
    let started = Instant::now();
    b.get_database("db1").await.unwrap();
    // A lower bound only: the retry must not come before the server allowed it.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn exhausted_retries_return_the_last_error() {
    let server =
        Server::start(|_, _| appwrite_error(429, "general_rate_limit_exceeded", "slow down")).await;
    let b = server.backend();
    let err = b.get_database("db1").await.unwrap_err();
    assert_eq!(err.error_type(), Some("general_rate_limit_exceeded"));
    assert_eq!(server.seen().len(), 4);
}

#[tokio::test]
async fn increment_and_commit_are_never_retried() {
    let server = Server::start(|_, _| appwrite_error(503, "general_server_error", "busy")).await;
    let b = server.backend();
    let err = b
        .increment_row_column("db1", "books", "r1", "n", 1.into(), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(503));
    assert_eq!(server.seen().len(), 1);
    b.commit_transaction("tx1").await.unwrap_err();
    assert_eq!(server.seen().len(), 2);
    b.stage_operations("tx1", &[]).await.unwrap_err();
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn a_repeated_create_returns_the_row_its_lost_attempt_made() {
    let server = Server::start(|req, n| match n {
        // The first attempt "succeeds" but its answer is lost.
        0 => Answer::Drop,
        1 => appwrite_error(
            409,
            "row_already_exists",
            "Row with the requested ID already exists.",
        ),
        _ => {
            assert_eq!(req.method, "GET");
            json(
                200,
                row_json(
                    req.path.rsplit('/').next().unwrap(),
                    json!({"title": "T", "year": 2001}),
                ),
            )
        }
    })
    .await;
    let b = server.backend();
    let row = b
        .create_row(
            "db1",
            "books",
            "unique()",
            &doc(json!({"title": "T", "year": 2001.0})),
            None,
        )
        .await
        .unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    let id0 = seen[0].json()["rowId"].clone();
    assert_eq!(
        seen[1].json()["rowId"],
        id0,
        "the retry carries the same client-made id"
    );
    assert_eq!(
        seen[2].path,
        format!(
            "/v1/tablesdb/db1/tables/books/rows/{}",
            id0.as_str().unwrap()
        )
    );
    assert_eq!(row.id(), id0.as_str().unwrap());
}

#[tokio::test]
async fn a_repeated_create_that_meets_other_data_keeps_the_409() {
    let server = Server::start(|_, n| match n {
        0 => appwrite_error(500, "general_unknown", "Server Error"),
        1 => appwrite_error(409, "row_already_exists", "exists"),
        _ => json(200, row_json("r1", json!({"title": "someone else's"}))),
    })
    .await;
    let b = server.backend();
    let err = b
        .create_row("db1", "books", "r1", &doc(json!({"title": "mine"})), None)
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), Some("row_already_exists"));
}

#[tokio::test]
async fn a_409_without_a_repeat_is_returned_as_is() {
    let server = Server::start(|_, _| appwrite_error(409, "row_already_exists", "exists")).await;
    let b = server.backend();
    let err = b
        .create_row("db1", "books", "r1", &doc(json!({})), None)
        .await
        .unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        server.seen().len(),
        1,
        "no fetch when the first attempt already met 409"
    );
}

#[tokio::test]
async fn a_repeated_database_create_returns_the_existing_database() {
    let server = Server::start(|req, n| match n {
        0 => Answer::Drop,
        1 => appwrite_error(409, "database_already_exists", "exists"),
        _ => {
            assert_eq!(
                (req.method.as_str(), req.path.as_str()),
                ("GET", "/v1/tablesdb/app")
            );
            json(
                200,
                json!({"$id": "app", "name": "App", "enabled": true, "type": "tablesdb"}),
            )
        }
    })
    .await;
    let db = server
        .backend()
        .create_database("app", "App")
        .await
        .unwrap();
    assert_eq!(db.id, "app");
    assert_eq!(
        server.seen()[0].json(),
        json!({"databaseId": "app", "name": "App"})
    );
}

#[tokio::test]
async fn a_repeated_bulk_create_creates_only_the_missing_rows() {
    let server = Server::start(|req, n| match n {
        0 => Answer::Drop,
        1 => appwrite_error(409, "row_already_exists", "exists"),
        2 => {
            assert_eq!(req.method, "GET");
            json(
                200,
                json!({"total": 1, "rows": [row_json("a", json!({"v": 1}))]}),
            )
        }
        _ => {
            let sent = req.json();
            assert_eq!(sent["rows"].as_array().unwrap().len(), 1);
            assert_eq!(sent["rows"][0]["$id"], json!("b"));
            json(
                201,
                json!({"total": 1, "rows": [row_json("b", json!({"v": 2}))]}),
            )
        }
    })
    .await;
    let b = server.backend();
    let rows = [
        doc(json!({"$id": "a", "v": 1})),
        doc(json!({"$id": "b", "v": 2})),
    ];
    let list = b.create_rows("db1", "books", &rows).await.unwrap();
    assert_eq!(
        list.items.iter().map(|r| r.id()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    let lookup = &server.seen()[2];
    let q = &lookup.params()[0].1;
    assert_eq!(
        serde_json::from_str::<Value>(q).unwrap(),
        json!({"method": "equal", "attribute": "$id", "values": ["a", "b"]})
    );
}

#[tokio::test]
async fn a_repeated_delete_that_meets_404_succeeded() {
    let server = Server::start(|_, n| match n {
        0 => Answer::Drop,
        _ => appwrite_error(404, "row_not_found", "gone"),
    })
    .await;
    server
        .backend()
        .delete_row("db1", "books", "r1")
        .await
        .unwrap();
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn timeouts_are_transport_errors_and_retried_for_reads() {
    let server =
        Server::start(|_, _| Answer::Slow(Duration::from_secs(3), Box::new(json(200, json!({})))))
            .await;
    let mut config = server.config();
    config.timeout = Duration::from_millis(100);
    config.retry.max_retries = 1;
    let b = HttpBackend::new(config).unwrap();
    match b.get_database("db1").await {
        Err(Error::Transport {
            timeout: true,
            request,
            ..
        }) => assert_eq!(request, "GET /v1/tablesdb/db1"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn requests_in_flight_are_bounded() {
    let server = Server::start(|_, _| {
        Answer::Slow(
            Duration::from_millis(50),
            Box::new(json(200, json!({"$id": "d", "name": "n"}))),
        )
    })
    .await;
    let mut config = server.config();
    config.max_in_flight = 2;
    let b = Arc::new(HttpBackend::new(config).unwrap());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let b = b.clone();
            tokio::spawn(async move { b.get_database("d").await.map(|_| ()) })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(server.seen().len(), 8);
    assert!(server.max_concurrent.load(Ordering::SeqCst) <= 2);
}

// --- versions and legacy routes -------------------------------------------------------------------

#[tokio::test]
async fn legacy_routes_for_a_1_7_server() {
    let server = Server::start(|req, _| match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/v1/health/version") => json(200, json!({"version": "1.7.4"})),
        ("POST", "/v1/databases/db1/collections/books/documents") => {
            let id = req.json()["documentId"].clone();
            json(201, json!({"$id": id, "$collectionId": "books", "$databaseId": "db1", "$sequence": 3, "title": "T",
                             "$createdAt": "t", "$updatedAt": "t", "$permissions": []}))
        }
        ("GET", "/v1/databases/db1/collections/books/documents") => {
            json(200, json!({"total": 1, "documents": [{"$id": "r1", "$collectionId": "books", "title": "T"}]}))
        }
        ("GET", "/v1/databases/db1/collections/books/documents/gone") => {
            appwrite_error(404, "document_not_found", "Document with the requested ID could not be found.")
        }
        ("POST", "/v1/databases/db1/collections/books/attributes/string") => {
            json(202, column_json("title", "string", "processing", json!({"size": 65535})))
        }
        ("POST", "/v1/databases/db1/collections/books/indexes") => json(202, json!({
            "key": "by_title", "type": "key", "status": "processing", "error": "", "attributes": ["title"]})),
        ("POST", "/v1/databases/db1/collections") => json(201, json!({
            "$id": "books", "name": "Books", "databaseId": "db1", "documentSecurity": true, "attributes": [], "indexes": []})),
        ("GET", "/v1/databases/db1/collections/books") => json(200, json!({
            "$id": "books", "name": "Books", "databaseId": "db1", "documentSecurity": true,
            "attributes": [column_json("title", "string", "available", json!({"size": 65535}))],
            "indexes": [{"key": "by_title", "type": "key", "status": "available", "error": "", "attributes": ["title"]}]})),
        other => panic!("unexpected request {other:?}"),
    })
    .await;
    let mut config = server.config();
    config.server_version = None;
    let b = HttpBackend::new(config).unwrap();
    let row = b
        .create_row("db1", "books", "r1", &doc(json!({"title": "T"})), None)
        .await
        .unwrap();
    assert_eq!(row["$tableId"], json!("books"));
    assert!(row.get("$collectionId").is_none());
    assert_eq!(row.sequence(), "3");
    let list = b
        .list_rows(
            "db1",
            "books",
            &[],
            &ListOptions {
                total: false,
                transaction_id: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(list.items[0]["$tableId"], json!("books"));
    let err = b.get_row("db1", "books", "gone", &[]).await.unwrap_err();
    assert_eq!(err.error_type(), Some("row_not_found"));
    // Before 1.9 a text column is a `string` of 65,535 characters.
    b.create_column(
        "db1",
        "books",
        &ColumnSchema::new("title", ColumnKind::Text),
    )
    .await
    .unwrap();
    b.create_index(
        "db1",
        "books",
        &IndexSchema::new("by_title", IndexKind::Key, ["title"]),
    )
    .await
    .unwrap();
    let mut schema =
        TableSchema::new("books", "Books").column(ColumnSchema::new("title", ColumnKind::Text));
    schema.row_security = true;
    let table = b.create_table("db1", &schema).await.unwrap();
    assert!(table.row_security);
    // Features the server lacks are refused without a request.
    let before = server.seen().len();
    assert!(matches!(
        b.create_transaction(None).await,
        Err(Error::Unsupported { .. })
    ));
    assert!(matches!(
        b.increment_row_column("db1", "books", "r1", "n", 1.into(), None)
            .await,
        Err(Error::Unsupported { .. })
    ));
    assert!(matches!(
        b.create_column("db1", "books", &ColumnSchema::point("at"))
            .await,
        Err(Error::Unsupported { .. })
    ));
    assert!(matches!(
        b.create_index(
            "db1",
            "books",
            &IndexSchema::new("near", IndexKind::Spatial, ["at"])
        )
        .await,
        Err(Error::Unsupported { .. })
    ));
    assert_eq!(server.seen().len(), before);

    let seen = server.seen();
    assert_eq!(
        seen.iter()
            .filter(|s| s.path == "/v1/health/version")
            .count(),
        1,
        "version asked once"
    );
    let create = seen
        .iter()
        .find(|s| s.path.ends_with("/documents") && s.method == "POST")
        .unwrap();
    assert_eq!(
        create.json(),
        json!({"documentId": "r1", "data": {"title": "T"}})
    );
    let list_req = seen
        .iter()
        .find(|s| s.path.ends_with("/documents") && s.method == "GET")
        .unwrap();
    assert!(
        list_req.query.is_empty(),
        "1.7 does not know `total`: {}",
        list_req.query
    );
    let attr = seen
        .iter()
        .find(|s| s.path.ends_with("/attributes/string"))
        .unwrap();
    assert_eq!(
        attr.json(),
        json!({"key": "title", "required": false, "size": 65535})
    );
    let index = seen.iter().find(|s| s.path.ends_with("/indexes")).unwrap();
    assert_eq!(
        index.json(),
        json!({"key": "by_title", "type": "key", "attributes": ["title"]})
    );
    let table_req = seen
        .iter()
        .find(|s| s.path == "/v1/databases/db1/collections")
        .unwrap();
    assert_eq!(
        table_req.json(),
        json!({"collectionId": "books", "name": "Books", "documentSecurity": true})
    );
}

#[tokio::test]
async fn tablesdb_for_a_1_9_server_and_bigint_before_1_9_5() {
    let server = Server::start(|req, _| match req.path.as_str() {
        "/v1/health/version" => json(200, json!({"version": "1.9.2"})),
        _ => json(202, column_json("big", "integer", "processing", json!({}))),
    })
    .await;
    let mut config = server.config();
    config.server_version = None;
    let b = HttpBackend::new(config).unwrap();
    assert_eq!(b.server_version().await.unwrap().to_string(), "1.9.2");
    b.create_column(
        "db1",
        "t",
        &ColumnSchema::new(
            "big",
            ColumnKind::BigInt {
                min: None,
                max: None,
            },
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        server.seen()[1].path,
        "/v1/tablesdb/db1/tables/t/columns/integer"
    );
}

#[tokio::test]
async fn a_version_that_is_not_one_is_an_unexpected_response() {
    let server = Server::start(|_, _| json(200, json!({"version": "banana"}))).await;
    let mut config = server.config();
    config.server_version = None;
    let b = HttpBackend::new(config).unwrap();
    assert!(matches!(
        b.get_database("db1").await,
        Err(Error::UnexpectedResponse { status: 200, .. })
    ));
}

// --- safety ---------------------------------------------------------------------------------------

#[tokio::test]
async fn invalid_ids_are_refused_before_sending() {
    let server = Server::start(|_, _| json(200, json!({}))).await;
    let b = server.backend();
    let long = "x".repeat(37);
    for bad in [
        "../x",
        "a/b",
        "_lead",
        ".dot",
        "",
        "a b",
        "ü",
        "a?b=1",
        long.as_str(),
    ] {
        let results: Vec<Result<()>> = vec![
            b.get_row("db1", "books", bad, &[]).await.map(|_| ()),
            b.create_row("db1", "books", bad, &doc(json!({})), None)
                .await
                .map(|_| ()),
            b.delete_row("db1", "books", bad).await,
            b.get_table("db1", bad).await.map(|_| ()),
            b.get_database(bad).await.map(|_| ()),
            b.create_database(bad, "x").await.map(|_| ()),
            b.create_table("db1", &TableSchema::new(bad, "x"))
                .await
                .map(|_| ()),
            b.list_rows(bad, "books", &[], &ListOptions::default())
                .await
                .map(|_| ()),
            b.get_column("db1", "books", bad).await.map(|_| ()),
            b.delete_index("db1", "books", bad).await,
            b.increment_row_column("db1", "books", "r1", bad, 1.into(), None)
                .await
                .map(|_| ()),
            b.get_transaction(bad).await.map(|_| ()),
            b.create_column("db1", "books", &ColumnSchema::integer(bad))
                .await
                .map(|_| ()),
        ];
        for r in results {
            let err = r.unwrap_err();
            assert_eq!(
                (err.code(), err.error_type()),
                (Some(400), Some("general_argument_invalid")),
                "{bad:?}: {err}"
            );
        }
    }
    assert!(
        b.create_column("db1", "books", &ColumnSchema::integer("$id"))
            .await
            .is_err()
    );
    assert_eq!(server.seen().len(), 0, "nothing may reach the server");
}

#[tokio::test]
async fn https_is_required_except_on_loopback() {
    let key = || ApiKey::new(KEY);
    let config = |url: &str| HttpConfig::new(url, "proj1", key());
    for ok in [
        "https://cloud.appwrite.io/v1",
        "https://example.com/appwrite/v1/",
        "http://localhost:8080/v1",
        "http://127.0.0.1/v1",
        "http://127.8.9.10:1/v1",
        "http://[::1]:80/v1",
    ] {
        config(ok)
            .validate()
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for bad in [
        "http://example.com/v1",
        "http://10.0.0.1/v1",
        "http://localhost.evil.com/v1",
    ] {
        match config(bad).validate() {
            Err(Error::Config { what, reason }) => {
                assert_eq!(what, "endpoint");
                assert!(reason.contains("https"), "{reason}");
            }
            other => panic!("{bad}: expected a config error, got {other:?}"),
        }
        let mut insecure = config(bad);
        insecure.allow_insecure_http = true;
        insecure.validate().unwrap();
    }
    for bad in [
        "not a url",
        "ftp://host/v1",
        "https://host/",
        "https://user:pw@host/v1",
        "https://host/v1?x=1",
    ] {
        assert!(
            matches!(config(bad).validate(), Err(Error::Config { .. })),
            "{bad}"
        );
        assert!(
            matches!(HttpBackend::new(config(bad)), Err(Error::Config { .. })),
            "{bad}"
        );
    }
    let mut bad_project = config("https://h/v1");
    bad_project.project_id = "../p".into();
    assert!(
        matches!(bad_project.validate(), Err(Error::Config { what, .. }) if what == "project_id")
    );
}

#[test]
fn from_lookup_names_the_missing_or_invalid_variable() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| -> std::result::Result<Option<String>, String> {
            Ok(pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned()))
        }
    };
    let full: &[(&str, &str)] = &[
        ("APPWRITE_ENDPOINT", "https://cloud.appwrite.io/v1"),
        ("APPWRITE_PROJECT_ID", "proj1"),
        ("APPWRITE_API_KEY", KEY),
        ("APPWRITE_DATABASE_ID", "app"),
    ];
    let config = HttpConfig::from_lookup(vars(full)).unwrap();
    assert_eq!(config.database_id.as_deref(), Some("app"));
    let missing = HttpConfig::from_lookup(vars(&[
        ("APPWRITE_ENDPOINT", "https://h/v1"),
        ("APPWRITE_API_KEY", KEY),
    ]))
    .unwrap_err();
    assert!(
        matches!(&missing, Error::Config { what, .. } if what == "APPWRITE_PROJECT_ID"),
        "{missing}"
    );
    let bad = HttpConfig::from_lookup(vars(&[
        ("APPWRITE_ENDPOINT", "http://example.com/v1"),
        ("APPWRITE_PROJECT_ID", "p"),
        ("APPWRITE_API_KEY", KEY),
    ]))
    .unwrap_err();
    assert!(
        matches!(&bad, Error::Config { what, .. } if what == "APPWRITE_ENDPOINT"),
        "{bad}"
    );
    let bad_db = HttpConfig::from_lookup(vars(&[
        ("APPWRITE_ENDPOINT", "https://h/v1"),
        ("APPWRITE_PROJECT_ID", "p"),
        ("APPWRITE_API_KEY", KEY),
        ("APPWRITE_DATABASE_ID", "a/b"),
    ]))
    .unwrap_err();
    assert!(
        matches!(&bad_db, Error::Config { what, .. } if what == "APPWRITE_DATABASE_ID"),
        "{bad_db}"
    );
    let unreadable = HttpConfig::from_lookup(|_| Err("is not valid UTF-8".to_owned())).unwrap_err();
    assert!(unreadable.to_string().contains("APPWRITE_ENDPOINT"));
}

#[tokio::test]
async fn the_key_never_shows() {
    let server = Server::start(|_, _| {
        appwrite_error(
            401,
            "user_unauthorized",
            "The current user is not authorized.",
        )
    })
    .await;
    let b = server.backend();
    assert!(!format!("{b:?}").contains(KEY));
    assert!(!format!("{:?}", b.config()).contains(KEY));
    assert_eq!(format!("{}", ApiKey::new(KEY)), "***");
    assert_eq!(format!("{:?}", ApiKey::new(KEY)), "***");
    let err = b.get_database("db1").await.unwrap_err();
    assert!(!err.to_string().contains(KEY) && !format!("{err:?}").contains(KEY));
    // A transport error: nothing listens on this port any more.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut config = server.config();
    config.endpoint = format!("http://{closed}/v1");
    config.retry.max_retries = 0;
    let err = HttpBackend::new(config)
        .unwrap()
        .get_database("db1")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { timeout: false, .. }),
        "{err:?}"
    );
    assert!(!err.to_string().contains(KEY) && !format!("{err:?}").contains(KEY));
    // A key that cannot be a header is refused without quoting it.
    let mut config = server.config();
    config.api_key = ApiKey::new("bad\nkey-sekr1t");
    let err = HttpBackend::new(config).unwrap_err();
    assert!(!err.to_string().contains("sekr1t") && !format!("{err:?}").contains("sekr1t"));
}

#[tokio::test]
async fn more_than_100_inline_columns_are_refused_before_sending() {
    let server = Server::start(|_, _| json(201, table_json(vec![], vec![]))).await;
    let b = server.backend();
    let mut schema = TableSchema::new("items", "Items");
    for i in 0..101 {
        schema = schema.column(ColumnSchema::boolean(format!("c{i:03}")));
    }
    let err = b.create_table("db1", &schema).await.unwrap_err();
    assert_eq!(
        (err.code(), err.error_type()),
        (Some(400), Some("general_argument_invalid"))
    );
    assert!(err.to_string().contains("`columns`"), "{err}");
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn operator_values_make_a_write_unsafe_to_repeat() {
    let server = Server::start(|_, _| appwrite_error(503, "general_server_error", "busy")).await;
    let b = server.backend();
    let data = doc(json!({"n": r#"{"method":"increment","values":[1]}"#}));
    b.update_row("db1", "books", "r1", &data, None)
        .await
        .unwrap_err();
    assert_eq!(
        server.seen().len(),
        1,
        "an operator is applied once at most"
    );
    b.update_row("db1", "books", "r1", &doc(json!({"n": 1})), None)
        .await
        .unwrap_err();
    assert_eq!(server.seen().len(), 1 + 4, "a plain set is retried");
}
