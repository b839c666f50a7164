//! The embedded engine translates filters to SQL that SQLite can serve from an index: checked
//! with `EXPLAIN QUERY PLAN`, not with timings.

use appwrite_orm::backend::Backend;
use appwrite_orm::backend::embedded::EmbeddedBackend;
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};

async fn engine() -> EmbeddedBackend {
    let engine = EmbeddedBackend::in_memory().unwrap();
    engine.create_database("app", "App").await.unwrap();
    let table = TableSchema::new("people", "People")
        .column(ColumnSchema::varchar("email", 128).required())
        .column(ColumnSchema::integer("age"))
        .column(ColumnSchema::varchar("city", 64))
        .index(IndexSchema::new("by_email", IndexKind::Unique, ["email"]))
        .index(IndexSchema::new("by_age", IndexKind::Key, ["age"]));
    engine.create_table("app", &table).await.unwrap();
    engine
}

fn uses_index(plan: &[String], index: &str) -> bool {
    plan.iter()
        .any(|line| line.contains("USING INDEX") && line.contains(index))
}

#[tokio::test]
async fn equality_on_an_indexed_column_uses_its_index() {
    let engine = engine().await;
    let plan = engine
        .explain_list_rows("app", "people", &[Query::equal("email", ["a@example.com"])])
        .await
        .unwrap();
    assert!(uses_index(&plan, "by_email"), "plan: {plan:?}");
}

#[tokio::test]
async fn range_on_an_indexed_column_uses_its_index() {
    let engine = engine().await;
    let plan = engine
        .explain_list_rows("app", "people", &[Query::between("age", 18, 30)])
        .await
        .unwrap();
    assert!(uses_index(&plan, "by_age"), "plan: {plan:?}");
}

#[tokio::test]
async fn cursor_pagination_in_default_order_seeks_by_sequence() {
    let engine = engine().await;
    let row = engine
        .create_row(
            "app",
            "people",
            "r1",
            serde_json::json!({"email": "a@example.com"})
                .as_object()
                .unwrap(),
            None,
        )
        .await
        .unwrap();
    let plan = engine
        .explain_list_rows("app", "people", &[Query::cursor_after(row.id())])
        .await
        .unwrap();
    // The row id is looked up through its unique index and the page is a range on the primary
    // key, never a scan of the table.
    assert!(
        plan.iter().all(|l| !l.starts_with("SCAN")),
        "plan: {plan:?}"
    );
}

#[tokio::test]
async fn a_filter_without_index_scans_and_says_so() {
    let engine = engine().await;
    let plan = engine
        .explain_list_rows("app", "people", &[Query::equal("city", ["Paris"])])
        .await
        .unwrap();
    assert!(plan.iter().any(|l| l.starts_with("SCAN")), "plan: {plan:?}");
}
