//! Backup and restore on the embedded engine: refusals and corrupt files.

use appwrite_orm::Database;
use appwrite_orm::backup::{self, BackupError, RestoreOptions};
use appwrite_orm::schema::{ColumnSchema, TableSchema};
use serde_json::json;

async fn source() -> Database {
    let db = Database::in_memory().await.unwrap();
    let notes = TableSchema::new("notes", "Notes")
        .column(ColumnSchema::varchar("text", 100))
        .column(ColumnSchema::integer("n"));
    db.backend().create_table(db.id(), &notes).await.unwrap();
    for i in 0..250 {
        let doc = json!({"text": format!("note {i}"), "n": i});
        db.rows("notes")
            .create(&format!("n{i}"), doc.as_object().unwrap())
            .await
            .unwrap();
    }
    db
}

#[tokio::test]
async fn an_existing_table_is_refused_unless_replaced() {
    let db = source().await;
    let dir = tempfile::tempdir().unwrap();
    let taken = backup::backup(&db, dir.path(), None).await.unwrap();
    assert_eq!(taken.rows, 250);
    let err = backup::restore(&db, dir.path()).await.unwrap_err();
    assert!(
        matches!(
            err,
            appwrite_orm::Error::Backup(ref e) if matches!(**e, BackupError::TableExists { .. })
        ),
        "{err}"
    );
    db.rows("notes").delete("n3").await.unwrap();
    let options = RestoreOptions::default().replace(true);
    let restored = backup::restore_with(&db, dir.path(), &options)
        .await
        .unwrap();
    assert_eq!(restored.rows, 250);
    assert!(db.rows("notes").get("n3").await.unwrap().is_some());
}

#[tokio::test]
async fn a_corrupt_line_is_refused_with_file_and_line() {
    let db = source().await;
    let dir = tempfile::tempdir().unwrap();
    backup::backup(&db, dir.path(), Some(&["notes".to_owned()]))
        .await
        .unwrap();
    let file = dir.path().join("notes.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[141] = "{\"$id\": \"broken\", \"text\": ";
    std::fs::write(&file, lines.join("\n")).unwrap();
    let target = Database::in_memory().await.unwrap();
    let err = backup::restore(&target, dir.path()).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("notes.jsonl line 142"), "{message}");
    assert!(
        matches!(
            err,
            appwrite_orm::Error::Backup(ref e)
                if matches!(**e, BackupError::CorruptLine { line: 142, .. })
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_missing_table_or_schema_is_refused() {
    let db = source().await;
    let dir = tempfile::tempdir().unwrap();
    let err = backup::backup(&db, dir.path(), Some(&["nope".to_owned()]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("\"nope\""), "{err}");
    let err = backup::restore(&db, dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("schema.json"), "{err}");
}

/// Several bulk requests at once restore the same rows; the default keeps the source's order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_with_requests_in_flight_restores_every_row() {
    let db = source().await;
    let dir = tempfile::tempdir().unwrap();
    backup::backup(&db, dir.path(), None).await.unwrap();
    let by_id = |rows: Vec<appwrite_orm::backend::Row>| {
        let mut rows: Vec<(String, serde_json::Value, serde_json::Value)> = rows
            .into_iter()
            .map(|r| {
                let id = r.id().to_owned();
                (id, r.0["text"].clone(), r.0["n"].clone())
            })
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows
    };
    let source_rows = by_id(db.rows("notes").query().all().await.unwrap());

    let fast = Database::in_memory().await.unwrap();
    let options = RestoreOptions::default().in_flight(4);
    let restored = backup::restore_with(&fast, dir.path(), &options)
        .await
        .unwrap();
    assert_eq!(restored.rows, 250);
    assert_eq!(
        by_id(fast.rows("notes").query().all().await.unwrap()),
        source_rows
    );

    let ordered = Database::in_memory().await.unwrap();
    backup::restore(&ordered, dir.path()).await.unwrap();
    let ids = |rows: Vec<appwrite_orm::backend::Row>| -> Vec<String> {
        rows.iter().map(|r| r.id().to_owned()).collect()
    };
    assert_eq!(
        ids(ordered.rows("notes").query().all().await.unwrap()),
        ids(db.rows("notes").query().all().await.unwrap()),
        "one request at a time keeps the source's order"
    );
}
