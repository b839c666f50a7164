//! The typed layer's cost: converting 10,000 rows between a `#[derive(Table)]` struct and
//! Appwrite's JSON, each way, beside hand-written JSON code doing the same, in one run.
//!
//! `cargo bench -p appwrite-orm --bench typed` prints the ratios (typed / hand-written).

use std::path::PathBuf;

use appwrite_orm::backend::{Document, Row};
use appwrite_orm::prelude::*;
use std::hint::black_box;

use criterion::Criterion;
use serde_json::{Value, json};

const ROWS: usize = 10_000;

#[derive(ColumnEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Member,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(id = "users")]
pub struct User {
    #[column(id)]
    pub id: RowId,
    #[column(size = 128)]
    pub name: String,
    #[column(email)]
    pub email: String,
    #[column(size = 20)]
    pub phone: Option<String>,
    #[column(default = false)]
    pub is_verified: bool,
    pub role: Role,
    #[column(min = 0)]
    pub view_count: i64,
    pub score: f64,
    pub tags: Vec<String>,
    #[column(created_at)]
    pub created_at: DateTime,
}

/// The same record as plain Rust, converted by hand.
#[derive(Debug, Clone, PartialEq)]
pub struct PlainUser {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub is_verified: bool,
    pub role: String,
    pub view_count: i64,
    pub score: f64,
    pub tags: Vec<String>,
    pub created_at: String,
}

fn rows() -> Vec<Row> {
    (0..ROWS)
        .map(|i| {
            Row(json!({
                "name": format!("User {i}"),
                "email": format!("user{i}@example.com"),
                "phone": if i % 2 == 0 { Value::Null } else { json!(format!("+4670{i:07}")) },
                "is_verified": i % 3 == 0,
                "role": if i % 5 == 0 { "Admin" } else { "Member" },
                "view_count": i as i64,
                "score": i as f64 / 7.0,
                "tags": ["a", "b"],
                "$id": format!("u{i}"),
                "$sequence": (i + 1).to_string(),
                "$createdAt": "2026-01-02T03:04:05.678+00:00",
                "$updatedAt": "2026-01-02T03:04:05.678+00:00",
                "$permissions": [],
                "$databaseId": "db",
                "$tableId": "users",
            })
            .as_object()
            .cloned()
            .unwrap_or_default())
        })
        .collect()
}

fn plain_from_row(row: &Row) -> Option<PlainUser> {
    Some(PlainUser {
        id: row.get("$id")?.as_str()?.to_owned(),
        name: row.get("name")?.as_str()?.to_owned(),
        email: row.get("email")?.as_str()?.to_owned(),
        phone: row.get("phone").and_then(Value::as_str).map(str::to_owned),
        is_verified: row
            .get("is_verified")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        role: row.get("role")?.as_str()?.to_owned(),
        view_count: row.get("view_count")?.as_i64()?,
        score: row.get("score")?.as_f64()?,
        tags: row
            .get("tags")?
            .as_array()?
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        created_at: row.get("$createdAt")?.as_str()?.to_owned(),
    })
}

fn plain_to_document(user: &PlainUser) -> Document {
    let mut d = Document::new();
    d.insert("name".into(), json!(user.name));
    d.insert("email".into(), json!(user.email));
    d.insert("phone".into(), json!(user.phone));
    d.insert("is_verified".into(), json!(user.is_verified));
    d.insert("role".into(), json!(user.role));
    d.insert("view_count".into(), json!(user.view_count));
    d.insert("score".into(), json!(user.score));
    d.insert("tags".into(), json!(user.tags));
    d
}

fn mean_ns(group: &str, function: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = dir
        .join("criterion")
        .join(group)
        .join(function)
        .join("new/estimates.json");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

fn main() {
    let rows = rows();
    let typed: Vec<User> = rows
        .iter()
        .map(|r| User::from_row(r).expect("typed row"))
        .collect();
    let plain: Vec<PlainUser> = rows
        .iter()
        .map(|r| plain_from_row(r).expect("plain row"))
        .collect();
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("row_to_struct");
    group.bench_function("typed", |b| {
        b.iter(|| {
            for row in &rows {
                black_box(User::from_row(row).expect("typed row"));
            }
        })
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| {
            for row in &rows {
                black_box(plain_from_row(row).expect("plain row"));
            }
        })
    });
    group.finish();
    let mut group = criterion.benchmark_group("struct_to_document");
    group.bench_function("typed", |b| {
        b.iter(|| {
            for user in &typed {
                black_box(user.to_document());
            }
        })
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| {
            for user in &plain {
                black_box(plain_to_document(user));
            }
        })
    });
    group.finish();
    criterion.final_summary();
    println!("\ntyped / hand-written JSON, {ROWS} rows, mean time ratio:");
    for group in ["row_to_struct", "struct_to_document"] {
        match (mean_ns(group, "typed"), mean_ns(group, "hand_written")) {
            (Some(t), Some(h)) if h > 0.0 => println!("  {group:<20} {:>6.2}x", t / h),
            _ => println!("  {group:<20} (no estimate found)"),
        }
    }
}
