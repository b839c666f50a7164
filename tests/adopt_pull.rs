//! Adopting a database built in the console: `appwrite-orm pull` generates models from it, the
//! models compile (the golden file `tests/adopt/pulled_models.rs` is a module of this test),
//! declare exactly the live schema (equal fingerprints), and a migration finds nothing to do.
//! On both backends: the embedded engine and the HTTP backend against the emulator.
//!
//! After a deliberate change to the generator, regenerate the golden file with
//! `ADOPT_BLESS=1 cargo test --test adopt_pull`.
// The pulled models must compile in a crate that documents every public item.
#![deny(missing_docs)]

#[path = "adopt/console.rs"]
mod console;
// The generated models, as `pull` wrote them; they register themselves, so the migrator below
// finds them without naming them. Public, so that `missing_docs` looks at them.
#[path = "adopt/pulled_models.rs"]
pub mod pulled_models;
mod typed_support;

use std::path::Path;

use appwrite_orm::Database;
use appwrite_orm::api::Table;
use appwrite_orm::appwrite_config::ConfigError;
use appwrite_orm::migrate::{DEFAULT_HISTORY_TABLE, Migrator};
use appwrite_orm::model::registered_tables;
use appwrite_orm::schema::{ColumnKind, TableSchema};
use appwrite_orm_cli::pull::{Models, Output, PullError, import, model_tables};
use typed_support::Env;

const GOLDEN: &str = "tests/adopt/pulled_models.rs";

/// The schema a live table has, as a declaration would state it (version 1). A one-way
/// relationship's twin key names no column: Appwrite fills in the table's id, a declaration
/// leaves it out, and the planner compares them as equal; so does this.
fn declared_form(live: &Table) -> TableSchema {
    let columns = live.columns.iter().map(|c| {
        let mut column = c.schema.clone();
        if let ColumnKind::Relationship(rel) = &mut column.kind
            && !rel.two_way
            && rel.two_way_key.as_deref() == Some(live.id.as_str())
        {
            rel.two_way_key = None;
        }
        column
    });
    TableSchema {
        id: live.id.clone(),
        name: live.name.clone(),
        permissions: live.permissions.clone(),
        row_security: live.row_security,
        since: 1,
        database: None,
        columns: columns.collect(),
        indexes: live.indexes.iter().map(|i| i.schema.clone()).collect(),
    }
}

/// Compares `generated` with the golden file, or writes it under `ADOPT_BLESS=1`.
fn check_golden(generated: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("ADOPT_BLESS").is_some() {
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        golden == generated,
        "the pulled models differ from {GOLDEN}; if the generator changed on purpose, \
         regenerate it with `ADOPT_BLESS=1 cargo test --test adopt_pull`.\n\
         --- generated ---\n{generated}"
    );
}

async fn pull_matches_the_golden_models(env: Env) {
    let db: &Database = &env.db;
    console::build(db).await;
    let tables = model_tables(db, DEFAULT_HISTORY_TABLE).await.unwrap();
    let generated = appwrite_orm_cli::generate(&tables, db.id()).unwrap();
    check_golden(&generated);
    // Pulling again gives the same bytes.
    let again = model_tables(db, DEFAULT_HISTORY_TABLE).await.unwrap();
    assert_eq!(
        appwrite_orm_cli::generate(&again, db.id()).unwrap(),
        generated
    );

    // The compiled models declare exactly the live tables.
    let declared = registered_tables();
    let ids: Vec<&str> = declared.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["authors", "books", "map-places"]);
    for live in &tables {
        let model = declared.iter().find(|t| t.id == live.id).unwrap();
        assert_eq!(
            model.fingerprint(),
            declared_form(live).fingerprint(),
            "table {}: declared {model:#?}\nlive {:#?}",
            live.id,
            declared_form(live)
        );
    }

    // A migration of the pulled models has nothing to do.
    let status = Migrator::from_registry().status(db).await.unwrap();
    let plan = status.plan.expect("no history issues");
    assert!(plan.errors.is_empty(), "{:#?}", plan.errors);
    assert!(plan.extras.is_empty(), "{:#?}", plan.extras);
    for version in &plan.versions {
        assert!(
            version.before.is_empty() && version.after.is_empty(),
            "{version:#?}"
        );
    }
}

on_both_backends!("app": pull_matches_the_golden_models);

/// Runs the command line in process: its exit code and what it printed.
async fn appwrite_orm(args: &[&str]) -> (u8, String) {
    let mut out = Vec::new();
    let argv = std::iter::once("appwrite-orm").chain(args.iter().copied());
    let code = appwrite_orm_cli::execute(argv, &mut out).await;
    (code, String::from_utf8(out).unwrap())
}

/// The console's database in an embedded file in `dir`, with its model tables.
async fn console_file(dir: &Path) -> (String, Vec<Table>) {
    let file = dir.join("app.db");
    let db = Database::embedded(&file).await.unwrap();
    console::build(&db).await;
    let tables = model_tables(&db, DEFAULT_HISTORY_TABLE).await.unwrap();
    (file.to_str().unwrap().to_owned(), tables)
}

#[tokio::test]
async fn the_command_writes_one_file_or_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let (db_path, tables) = console_file(dir.path()).await;

    let models = dir.path().join("src/models.rs");
    let (code, printed) = appwrite_orm(&[
        "--embedded",
        &db_path,
        "pull",
        "--out",
        models.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 0, "{printed}");
    assert!(
        printed.contains("pulled 3 tables (29 columns, 6 indexes) of database \"default\""),
        "{printed}"
    );
    assert!(printed.contains("add `mod models;`"), "{printed}");
    assert!(printed.contains("migrate baseline 1"), "{printed}");
    let written = std::fs::read_to_string(&models).unwrap();
    assert_eq!(
        written,
        appwrite_orm_cli::generate(&tables, "default").unwrap()
    );

    let modules = dir.path().join("src/models/");
    // A module of a table that is gone is kept, and named.
    std::fs::create_dir_all(&modules).unwrap();
    std::fs::write(modules.join("gone.rs"), "// an earlier pull").unwrap();
    let (code, printed) = appwrite_orm(&[
        "--embedded",
        &db_path,
        "pull",
        "--out",
        modules.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 0, "{printed}");
    assert!(
        printed.contains("gone.rs was not written by this pull"),
        "{printed}"
    );
    let mut names: Vec<String> = std::fs::read_dir(&modules)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "authors.rs",
            "books.rs",
            "gone.rs",
            "map_places.rs",
            "mod.rs"
        ]
    );
    let files = appwrite_orm_cli::generate_modules(&tables, "default").unwrap();
    for file in files {
        let written = std::fs::read_to_string(modules.join(&file.file_name)).unwrap();
        assert_eq!(written, file.source);
    }
}

#[tokio::test]
async fn the_command_writes_nothing_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let (db_path, _) = console_file(dir.path()).await;
    let elsewhere = dir.path().join("other/models.rs");
    let out = elsewhere.to_str().unwrap();
    let missing = dir.path().join("missing.db");
    // A missing database file, a missing database, an --out that is neither file nor directory.
    for args in [
        vec![
            "--embedded",
            missing.to_str().unwrap(),
            "pull",
            "--out",
            out,
        ],
        vec![
            "--embedded",
            &db_path,
            "--database",
            "nope",
            "pull",
            "--out",
            out,
        ],
        vec!["--embedded", &db_path, "pull", "--out", "models.txt"],
    ] {
        assert_eq!(appwrite_orm(&args).await.0, 1, "{args:?}");
        assert!(!dir.path().join("other").exists(), "{args:?}");
    }
    assert!(!missing.exists(), "a pull never creates a database file");
    assert!(!Path::new("models.txt").exists());
    assert_eq!(
        appwrite_orm(&["pull"]).await.0,
        appwrite_orm_cli::EXIT_USAGE
    );
}

/// The console's database exported as the Appwrite CLI's `appwrite.config.json` (index prefix
/// lengths left out: the file has no place for them).
async fn console_config(dir: &Path) -> (std::path::PathBuf, Vec<Table>) {
    let (_, mut tables) = console_file(dir).await;
    for table in &mut tables {
        for index in &mut table.indexes {
            index.schema.lengths.clear();
        }
    }
    let database: appwrite_orm::api::Database =
        serde_json::from_value(serde_json::json!({"$id": "default", "name": "Default"})).unwrap();
    let exported = appwrite_orm::appwrite_config::export_live(&database, &tables).unwrap();
    let document = appwrite_orm::appwrite_config::document("adopt", &exported);
    let path = dir.join("appwrite.config.json");
    appwrite_orm::appwrite_config::write_file(&path, &document).unwrap();
    (path, tables)
}

#[tokio::test]
async fn import_writes_the_models_pull_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (config, tables) = console_config(dir.path()).await;
    let models = dir.path().join("src/models.rs");
    let (code, printed) = appwrite_orm(&[
        "import",
        config.to_str().unwrap(),
        "--out",
        models.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 0, "{printed}");
    assert!(printed.contains("migrate baseline 1"), "{printed}");
    // The same models as a pull of the database the file describes.
    assert_eq!(
        std::fs::read_to_string(&models).unwrap(),
        appwrite_orm_cli::generate(&tables, "default").unwrap()
    );
}

#[tokio::test]
async fn import_refuses_another_format_and_an_unknown_database() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = console_config(dir.path()).await;
    let out = Output::File(dir.path().join("other/models.rs"));
    let old = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("appwrite-orm/src/appwrite_config/fixtures/pre_one.json");
    let refused = import(&old, None, &out, &Models::default()).unwrap_err();
    assert!(
        matches!(
            refused,
            PullError::Config(ConfigError::UnsupportedVersion { .. })
        ),
        "{refused}"
    );
    let unknown = import(&config, Some("nope"), &out, &Models::default()).unwrap_err();
    assert!(
        unknown
            .to_string()
            .ends_with("no database \"nope\"; the file has: default"),
        "{unknown}"
    );
    assert!(!dir.path().join("other").exists());
    // The same through the command: exit 1, nothing written.
    let (code, _) = appwrite_orm(&[
        "import",
        old.to_str().unwrap(),
        "--out",
        dir.path().join("other/models.rs").to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 1);
    assert!(!dir.path().join("other").exists());
}
