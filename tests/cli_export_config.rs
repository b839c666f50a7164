//! `migrate export-config`: the declared tables (without connecting) and the live ones (on both
//! backends) as the Appwrite CLI's `appwrite.config.json`, on stdout or into a file that is
//! merged into and replaced atomically, and left alone on error.

mod migrate_support;

use std::path::Path;

use appwrite_orm::Database;
use appwrite_orm::appwrite_config;
use appwrite_orm::cli::{self, Exit};
use appwrite_orm::migrate::Migrator;
use appwrite_orm::schema::{
    ColumnKind, ColumnSchema, IndexKind, IndexSchema, OnDelete, RelationSide, RelationType,
    Relationship, TableSchema,
};
use migrate_support::{Fixture, Kind};
use serde_json::{Value, json};

fn relationship(related: &str, key: &str, side: RelationSide) -> ColumnKind {
    ColumnKind::Relationship(Relationship {
        related_table: related.into(),
        relation_type: RelationType::ManyToOne,
        two_way: true,
        two_way_key: Some(key.into()),
        on_delete: OnDelete::SetNull,
        side,
    })
}

/// Authors and books, related both ways, with an enum, an array, bounds and an index.
fn declared() -> Vec<TableSchema> {
    let authors = TableSchema::new("authors", "Authors")
        .column(ColumnSchema::varchar("name", 128).required())
        .column(ColumnSchema::new(
            "books",
            relationship("books", "author", RelationSide::Child),
        ))
        .index(IndexSchema::new("by_name", IndexKind::Unique, ["name"]));
    let books = TableSchema::new("books", "Books")
        .column(ColumnSchema::varchar("title", 200).required())
        .column(ColumnSchema::enumeration("genre", ["novel", "essay"]).default_value("novel"))
        .column(ColumnSchema::varchar("tags", 32).array())
        .column(ColumnSchema::new(
            "pages",
            ColumnKind::Integer {
                min: Some(1),
                max: None,
            },
        ))
        .column(ColumnSchema::new(
            "author",
            relationship("authors", "books", RelationSide::Parent),
        ));
    vec![authors, books]
}

/// Runs a command line with no open database; returns the exit and stdout.
async fn cli(args: &[&str], migrator: &Migrator, db: Option<&Database>) -> (Exit, String) {
    let mut out = Vec::new();
    let argv = std::iter::once("migrate").chain(args.iter().copied());
    let exit = cli::execute(argv, migrator, db, &mut out).await;
    (exit, String::from_utf8_lossy(&out).into_owned())
}

fn fingerprints(tables: &[TableSchema]) -> Vec<(String, String)> {
    let mut out: Vec<_> = tables
        .iter()
        .map(|t| (t.id.clone(), t.fingerprint()))
        .collect();
    out.sort();
    out
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn declared_tables_go_to_stdout_without_a_connection() {
    let m = Migrator::new(&declared(), []);
    // No database and no `--embedded`: a command that connected would fail here.
    let args = [
        "export-config",
        "--project-id",
        "shop",
        "--database-id",
        "app",
    ];
    let (exit, out) = cli(&args, &m, None).await;
    assert_eq!(exit, Exit::Ok, "{out}");
    let config = appwrite_config::parse(&out).unwrap();
    assert_eq!(
        fingerprints(&config.table_schemas("app")),
        fingerprints(&declared())
    );
    let document: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(document["projectId"], "shop");
    assert_eq!(
        document["tablesDB"],
        json!([{"$id": "app", "name": "app", "enabled": true}])
    );
    // The same bytes every time.
    assert_eq!(cli(&args, &m, None).await.1, out);
}

#[tokio::test]
async fn a_new_file_is_written_whole_and_an_existing_one_merged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("appwrite.config.json");
    let file = path.to_string_lossy().into_owned();
    let m = Migrator::new(&declared(), []);
    let args = [
        "export-config",
        "--out",
        &file,
        "--project-id",
        "shop",
        "--database-id",
        "app",
    ];
    let (exit, out) = cli(&args, &m, None).await;
    assert_eq!(exit, Exit::Ok);
    assert!(
        out.contains("wrote 2 table(s) of database \"app\""),
        "{out}"
    );
    let (_, stdout) = cli(
        &args[..1]
            .iter()
            .chain(&args[3..])
            .copied()
            .collect::<Vec<_>>(),
        &m,
        None,
    )
    .await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), stdout.trim_end());
    assert_eq!(files_in(dir.path()), ["appwrite.config.json"]);

    // A team's file with a function and another database: both are kept, this database's
    // tables are replaced (the dropped table goes, the new name comes).
    let mut existing = appwrite_config::document(
        "shop",
        &appwrite_config::export("app", "App", &declared()[..1]).unwrap(),
    );
    existing["functions"] = json!([{"$id": "mailer", "name": "Mailer", "runtime": "node-22"}]);
    let other =
        appwrite_config::export("logs", "Logs", &[TableSchema::new("events", "Events")]).unwrap();
    let existing = appwrite_config::merge_into(&existing, &other).unwrap();
    appwrite_config::write_file(&path, &existing).unwrap();
    let only_books = Migrator::new(&declared()[1..], []);
    let args = [
        "export-config",
        "--out",
        &file,
        "--database-id",
        "app",
        "--database-name",
        "App",
    ];
    assert_eq!(cli(&args, &only_books, None).await.0, Exit::Ok);
    let merged = appwrite_config::read_document(&path).unwrap();
    assert_eq!(merged["functions"], existing["functions"]);
    let config = appwrite_config::read_file(&path).unwrap();
    let ids = |db: &str| -> Vec<String> { config.tables(db).into_iter().map(|t| t.id).collect() };
    assert_eq!(
        (ids("app"), ids("logs")),
        (vec!["books".to_owned()], vec!["events".to_owned()])
    );
    assert_eq!(files_in(dir.path()), ["appwrite.config.json"]);
}

#[tokio::test]
async fn nothing_is_written_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("appwrite.config.json");
    let file = path.to_string_lossy().into_owned();
    let m = Migrator::new(&declared(), []);
    // A file of the Appwrite CLI 0.x: refused, left as it was.
    let old = r#"{"projectId": "p", "collections": [{"$id": "notes", "$read": [], "$write": [], "name": "Notes", "permission": "collection", "attributes": []}]}"#;
    std::fs::write(&path, old).unwrap();
    let (exit, _) = cli(&["export-config", "--out", &file], &m, None).await;
    assert_eq!(exit, Exit::Error);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), old);

    // An index with prefix lengths has no place in the CLI's format.
    let mut index = IndexSchema::new("by_title", IndexKind::Key, ["title"]);
    index.lengths = vec![Some(8)];
    let table = TableSchema::new("books", "Books")
        .column(ColumnSchema::varchar("title", 20))
        .index(index);
    let fresh = dir.path().join("new.json");
    let fresh_arg = fresh.to_string_lossy().into_owned();
    let args = ["export-config", "--out", &fresh_arg, "--project-id", "p"];
    assert_eq!(
        cli(&args, &Migrator::new([&table], []), None).await.0,
        Exit::Error
    );
    // A new file needs the project id.
    if std::env::var_os("APPWRITE_PROJECT_ID").is_none() {
        assert_eq!(
            cli(&["export-config", "--out", &fresh_arg], &m, None)
                .await
                .0,
            Exit::Error
        );
    }
    assert_eq!(files_in(dir.path()), ["appwrite.config.json"]);
}

async fn live_tables_are_exported(kind: Kind) {
    let f = Fixture::new(kind).await;
    let m = Migrator::new(&declared(), []).with_options(f.options());
    m.run(&f.db).await.unwrap();
    let args = [
        "export-config",
        "--live",
        "--project-id",
        "shop",
        "--database-name",
        "Shop",
    ];
    let (exit, out) = cli(&args, &m, Some(&f.db)).await;
    assert_eq!(exit, Exit::Ok, "{out}");
    let config = appwrite_config::parse(&out).unwrap();
    assert_eq!(config.databases()[0].name, "Shop");
    let live = config.table_schemas(f.db.id());
    let ours: Vec<TableSchema> = live
        .into_iter()
        .filter(|t| declared().iter().any(|d| d.id == t.id))
        .collect();
    assert_eq!(fingerprints(&ours), fingerprints(&declared()));
    // What the database holds besides: the migration history.
    assert!(
        config
            .tables(f.db.id())
            .iter()
            .any(|t| t.id == "orm_migrations")
    );
}

on_both_backends!(live_tables_are_exported);
