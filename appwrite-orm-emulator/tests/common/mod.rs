//! A small HTTP client for the emulator tests: every call answers status, headers and body.

#![allow(dead_code)]

use appwrite_orm_emulator::{EmulatorConfig, RunningEmulator, spawn};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// An answer: status, headers, and the body as JSON (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// The error `type` of an error answer.
    pub fn error_type(&self) -> &str {
        self.body["type"].as_str().unwrap_or("")
    }

    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status, body: {}",
            self.text
        );
        self.body
    }

    /// Asserts an Appwrite error answer.
    #[track_caller]
    pub fn expect_error(self, status: u16, error_type: &str) -> Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(self.error_type(), error_type, "body: {}", self.text);
        assert_eq!(self.body["code"], json!(status));
        assert_eq!(self.body["version"], json!("1.9.6"));
        assert!(self.body["message"].is_string());
        assert_eq!(
            self.headers["content-type"], "application/json",
            "errors are JSON"
        );
        self.body
    }
}

/// A client bound to one emulator.
pub struct Api {
    pub emulator: RunningEmulator,
    pub http: reqwest::Client,
    pub project: String,
    pub key: Option<String>,
}

impl Api {
    /// A fresh emulator with the default configuration.
    pub async fn start() -> Api {
        Api::with(EmulatorConfig::default()).await
    }

    /// A fresh emulator with the given configuration.
    pub async fn with(config: EmulatorConfig) -> Api {
        let emulator = spawn(config).await.expect("emulator starts");
        let project = emulator.project().to_owned();
        let key = Some(emulator.key().to_owned());
        Api {
            emulator,
            http: reqwest::Client::new(),
            project,
            key,
        }
    }

    /// The same server with other credentials.
    pub fn as_caller(&self, project: &str, key: Option<&str>) -> Caller<'_> {
        Caller {
            api: self,
            project: project.to_owned(),
            key: key.map(str::to_owned),
        }
    }

    /// `path` (after `/v1`) with a raw query string.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.emulator.endpoint(), path)
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        self.as_caller(&self.project, self.key.as_deref())
            .send(method, path, body)
            .await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(&body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PUT, path, Some(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PATCH, path, Some(&body)).await
    }

    pub async fn delete(&self, path: &str, body: Value) -> Answer {
        self.send(Method::DELETE, path, Some(&body)).await
    }

    /// Sends raw bytes as the body of a request with a JSON content type.
    pub async fn raw(&self, method: Method, path: &str, body: &'static [u8]) -> Answer {
        let request = self
            .http
            .request(method, self.url(path))
            .header("x-appwrite-project", &self.project)
            .header("x-appwrite-key", self.key.as_deref().unwrap_or_default())
            .header("content-type", "application/json")
            .body(body);
        answer(request.send().await.expect("request is answered")).await
    }

    /// Creates database `db` and table `t` with a varchar `title`, an integer `year` and a
    /// boolean `flag` (inline, so available at once).
    pub async fn books(&self) {
        self.post("/tablesdb", json!({"databaseId": "db", "name": "DB"}))
            .await
            .expect(201);
        self.post(
            "/tablesdb/db/tables",
            json!({
                "tableId": "t",
                "name": "Books",
                "permissions": ["read(\"any\")"],
                "columns": [
                    {"key": "title", "type": "varchar", "size": 64, "required": true},
                    {"key": "year", "type": "integer"},
                    {"key": "flag", "type": "boolean", "default": false},
                ],
            }),
        )
        .await
        .expect(201);
    }
}

/// Requests with chosen credentials.
pub struct Caller<'a> {
    api: &'a Api,
    project: String,
    key: Option<String>,
}

impl Caller<'_> {
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        let mut request = self
            .api
            .http
            .request(method, self.api.url(path))
            .header("x-appwrite-project", &self.project);
        if let Some(key) = &self.key {
            request = request.header("x-appwrite-key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        answer(request.send().await.expect("request is answered")).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body is read");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
        text,
    }
}

/// `queries[i]=<url-encoded json>` for each query, joined with `&`.
pub fn indexed_queries(queries: &[Value]) -> String {
    queries
        .iter()
        .enumerate()
        .map(|(i, q)| format!("queries%5B{i}%5D={}", encode(&q.to_string())))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but unreserved characters.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
