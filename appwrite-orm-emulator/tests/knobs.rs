//! Test knobs: injected faults, latency and column delay.

mod common;

use std::time::{Duration, Instant};

use appwrite_orm::backend::ListOptions;
use appwrite_orm_emulator::EmulatorConfig;
use common::Api;
use serde_json::json;

#[tokio::test]
async fn faults_come_at_roughly_the_configured_rate() {
    let api = Api::with(EmulatorConfig {
        fault_rate: 0.3,
        seed: Some(42),
        ..EmulatorConfig::default()
    })
    .await;
    let (mut ok, mut limited, mut unavailable, mut dropped) = (0, 0, 0, 0);
    for _ in 0..200 {
        // A fresh connection each time, so a dropped one cannot affect the next request.
        let client = reqwest::Client::new();
        match client.get(api.url("/health/version")).send().await {
            Ok(r) if r.status() == 200 => ok += 1,
            Ok(r) if r.status() == 429 => {
                assert_eq!(r.headers()["retry-after"], "1");
                let body: serde_json::Value = r.json().await.unwrap();
                assert_eq!(body["type"], "general_rate_limit_exceeded");
                limited += 1;
            }
            Ok(r) if r.status() == 503 => unavailable += 1,
            Ok(r) => panic!("unexpected status {}", r.status()),
            Err(_) => dropped += 1,
        }
    }
    let faults = limited + unavailable + dropped;
    assert!(
        (35..=85).contains(&faults),
        "faults: {faults} of 200 (ok {ok})"
    );
    for (kind, n) in [("429", limited), ("503", unavailable), ("dropped", dropped)] {
        assert!(n >= 5, "{kind}: only {n} of {faults} faults");
    }
}

#[tokio::test]
async fn faults_hit_non_idempotent_writes_before_they_apply() {
    let api = Api::with(EmulatorConfig {
        fault_rate: 1.0,
        seed: Some(1),
        ..EmulatorConfig::default()
    })
    .await;
    let backend = api.emulator.backend();
    backend.create_database("db", "DB").await.unwrap();
    let schema = appwrite_orm::schema::TableSchema::new("t", "T")
        .column(appwrite_orm::schema::ColumnSchema::varchar("title", 10));
    backend.create_table("db", &schema).await.unwrap();
    for _ in 0..20 {
        let client = reqwest::Client::new();
        let answer = client
            .post(api.url("/tablesdb/db/tables/t/rows"))
            .header("x-appwrite-project", "test")
            .header("x-appwrite-key", "secret")
            .json(&json!({"rowId": "unique()", "data": {"title": "x"}}))
            .send()
            .await;
        assert!(
            answer.map_or(true, |r| r.status() != 201),
            "every request faults"
        );
    }
    let rows = backend
        .list_rows("db", "t", &[], &ListOptions::default())
        .await
        .unwrap();
    assert_eq!(rows.total, 0, "no fault struck after a write");
}

#[tokio::test]
async fn faults_after_write_may_apply_the_write() {
    let api = Api::with(EmulatorConfig {
        fault_rate: 1.0,
        faults_after_write: true,
        seed: Some(3),
        ..EmulatorConfig::default()
    })
    .await;
    let backend = api.emulator.backend();
    backend.create_database("db", "DB").await.unwrap();
    let schema = appwrite_orm::schema::TableSchema::new("t", "T")
        .column(appwrite_orm::schema::ColumnSchema::varchar("title", 10));
    backend.create_table("db", &schema).await.unwrap();
    for _ in 0..40 {
        let _ = reqwest::Client::new()
            .post(api.url("/tablesdb/db/tables/t/rows"))
            .header("x-appwrite-project", "test")
            .header("x-appwrite-key", "secret")
            .json(&json!({"rowId": "unique()", "data": {"title": "x"}}))
            .send()
            .await;
    }
    let rows = backend
        .list_rows("db", "t", &[], &ListOptions::default())
        .await
        .unwrap();
    assert!(
        (5..40).contains(&rows.total),
        "about half the writes applied: {}",
        rows.total
    );
}

#[tokio::test]
async fn latency_is_added_to_every_request() {
    let api = Api::with(EmulatorConfig {
        latency: Duration::from_millis(150),
        ..EmulatorConfig::default()
    })
    .await;
    for path in ["/health/version", "/tablesdb"] {
        let started = Instant::now();
        api.get(path).await.expect(200);
        assert!(started.elapsed() >= Duration::from_millis(150), "{path}");
    }
}

#[tokio::test]
async fn column_delay_keeps_new_columns_processing() {
    let api = Api::with(EmulatorConfig {
        column_delay: Duration::from_millis(300),
        ..EmulatorConfig::default()
    })
    .await;
    api.books().await;
    let started = Instant::now();
    let created = api
        .post(
            "/tablesdb/db/tables/t/columns/varchar",
            json!({"key": "late", "size": 10, "required": false}),
        )
        .await
        .expect(202);
    assert_eq!(created["status"], "processing");
    let first = api
        .get("/tablesdb/db/tables/t/columns/late")
        .await
        .expect(200);
    assert_eq!(first["status"], "processing");
    api.post(
        "/tablesdb/db/tables/t/rows",
        json!({"rowId": "r", "data": {"title": "t", "late": "x"}}),
    )
    .await
    .expect_error(400, "row_invalid_structure");
    loop {
        let column = api
            .get("/tablesdb/db/tables/t/columns/late")
            .await
            .expect(200);
        if column["status"] == "available" {
            break;
        }
        assert_eq!(column["status"], "processing");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never available"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let api = Api::start().await;
    let url = api.url("/health/version");
    api.get("/health/version").await.expect(200);
    let Api { emulator, .. } = api;
    emulator.shutdown().await;
    assert!(reqwest::get(url).await.is_err());
}

#[tokio::test]
async fn every_request_is_counted_faulted_ones_too() {
    let api = Api::with(EmulatorConfig {
        fault_rate: 0.5,
        seed: Some(3),
        ..EmulatorConfig::default()
    })
    .await;
    assert_eq!(api.emulator.requests(), 0);
    let mut faulted = 0;
    for _ in 0..40 {
        // A fresh connection each time, so a dropped one cannot affect the next request.
        let client = reqwest::Client::new();
        match client.get(api.url("/health/version")).send().await {
            Ok(r) if r.status() == 200 => {}
            _ => faulted += 1,
        }
    }
    assert!(faulted > 0, "the seed gives some faults");
    // Unknown routes and refused keys are requests the server took as well.
    let client = reqwest::Client::new();
    let _ = client.get(api.url("/no/such/route")).send().await;
    assert_eq!(api.emulator.requests(), 41);
}
