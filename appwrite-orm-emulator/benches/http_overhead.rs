//! The HTTP backend's own cost: the same 1,000 single-row reads through `HttpBackend` and
//! through bare reqwest with hand-built requests (same timeout setting), against the same
//! emulator, in one run.
//!
//! `cargo bench -p appwrite-orm-emulator --bench http_overhead` prints the ratio of the mean
//! times (HTTP backend / bare reqwest).

use std::path::PathBuf;
use std::sync::Arc;

use appwrite_orm::backend::http::{ApiKey, HttpBackend, HttpConfig};
use appwrite_orm::backend::{Backend, Document};
use appwrite_orm::schema::{ColumnSchema, TableSchema};
use appwrite_orm_emulator::{EmulatorConfig, spawn};
use criterion::Criterion;
use serde_json::json;
use tokio::runtime::Runtime;

const READS: usize = 1_000;
const DB: &str = "bench";
const TABLE: &str = "items";

fn mean_ns(group: &str, function: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = dir
        .join("criterion")
        .join(group)
        .join(function)
        .join("new/estimates.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

fn main() {
    let rt = Runtime::new().expect("tokio runtime");
    let emulator = rt
        .block_on(spawn(EmulatorConfig::default()))
        .expect("emulator");
    let endpoint = emulator.endpoint();
    let backend: Arc<dyn Backend> = Arc::new(
        HttpBackend::new(HttpConfig::new(
            endpoint.clone(),
            emulator.project(),
            ApiKey::new(emulator.key()),
        ))
        .expect("HTTP backend"),
    );
    let ids: Vec<String> = rt.block_on(async {
        backend
            .create_database(DB, "Bench")
            .await
            .expect("database");
        let table = TableSchema::new(TABLE, "Items")
            .column(ColumnSchema::varchar("name", 64).required())
            .column(ColumnSchema::integer("n"));
        backend.create_table(DB, &table).await.expect("table");
        let rows: Vec<Document> = (0..READS)
            .map(|i| {
                json!({"$id": format!("item{i}"), "name": format!("Item {i}"), "n": i})
                    .as_object()
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        for chunk in rows.chunks(100) {
            backend.create_rows(DB, TABLE, chunk).await.expect("rows");
        }
        (0..READS).map(|i| format!("item{i}")).collect()
    });

    // The same client settings as the backend's (a request timeout), so that the ratio measures
    // the backend's own work and not reqwest's per-request timer, which costs about a quarter
    // of a loopback read by itself.
    let bare = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("reqwest client");
    let (project, key) = (emulator.project().to_owned(), emulator.key().to_owned());
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("single_row_reads");
    group.sample_size(10);
    group.bench_function("http_backend", |b| {
        b.iter(|| {
            rt.block_on(async {
                for id in &ids {
                    let row = backend.get_row(DB, TABLE, id, &[]).await.expect("read");
                    assert_eq!(row.id(), id);
                }
            })
        })
    });
    group.bench_function("bare_reqwest", |b| {
        b.iter(|| {
            rt.block_on(async {
                for id in &ids {
                    let url = format!("{endpoint}/tablesdb/{DB}/tables/{TABLE}/rows/{id}");
                    let row: serde_json::Value = bare
                        .get(&url)
                        .header("X-Appwrite-Project", &project)
                        .header("X-Appwrite-Key", &key)
                        .header("X-Appwrite-Response-Format", "1.9.5")
                        .send()
                        .await
                        .expect("send")
                        .json()
                        .await
                        .expect("json");
                    assert_eq!(row["$id"], json!(id));
                }
            })
        })
    });
    group.finish();
    criterion.final_summary();
    match (
        mean_ns("single_row_reads", "http_backend"),
        mean_ns("single_row_reads", "bare_reqwest"),
    ) {
        (Some(ours), Some(bare)) if bare > 0.0 => println!(
            "\nHTTP backend / bare reqwest, {READS} single-row reads: {:.3}x",
            ours / bare
        ),
        _ => println!("\n(no estimate found)"),
    }
}
