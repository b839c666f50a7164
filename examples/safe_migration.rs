//! A safe migration with rollback (the seed's "Safe Migration with Rollback Support"): back
//! up, migrate, validate, and on any failure restore the backup, so that the database is
//! exactly as it was before the attempt: rows, schema and migration history.
//!
//! ```sh
//! cargo run --example safe_migration
//! APPWRITE_ENDPOINT=https://appwrite.example.com/v1 APPWRITE_PROJECT_ID=... \
//!   APPWRITE_API_KEY=... cargo run --example safe_migration   # the same on a real server
//! ```
//!
//! Every run starts over: on the embedded default the SQLite file and the backups under
//! `target/examples/safe_migration/` are deleted first; on a server (database
//! `APPWRITE_DATABASE_ID`, else `example-safe-migration`) the tables `users`, `posts` and
//! `orm_migrations` are deleted first. Then:
//!
//! 1. Version 1 of the application writes 200 users and 300 posts; one user's email is
//!    `mallory@invalid`, which version 2's step refuses (as the seed's `runMigration` does).
//! 2. First attempt: `appwrite_orm::backup::backup` writes every table (the history too) to a
//!    directory; `db.migrate()` adds the columns, marks users page by page until it meets the
//!    invalid row (150 users are marked by then) and fails; the history records version 2 as
//!    failed. The rollback is `appwrite_orm::backup::restore_with(.. replace ..)`: the tables
//!    are recreated from the backup's schema and rows, so the new columns, the half-written
//!    rows and the failed history row are gone. The example checks that: same row count, no
//!    new column, version 1.
//! 3. The operator fixes the row. Second attempt: backup, migrate, validate (every user
//!    carries `migration_version` 2, no user lost, the posts untouched); it passes and the
//!    backup is removed, as the seed does after a successful migration.
//!
//! Validation here is plain code after `db.migrate()`. (Migration validation hooks in the
//! runtime are being built at the time of writing; this example does not use them.)

use std::path::{Path, PathBuf};

use appwrite_orm::backend::Document;
use appwrite_orm::backup::{self, RestoreOptions};
use appwrite_orm::migrate::{MigrateOptions, Migrator};
use appwrite_orm::prelude::*;
use appwrite_orm::{Error, HttpConfig};
use serde_json::{Value, json};

const EXAMPLE: &str = "safe_migration";
const TABLES: [&str; 2] = ["users", "posts"];

#[derive(Table, Debug, Clone)]
#[table(id = "users", name = "Users")]
pub struct User {
    #[column(id)]
    pub id: RowId,
    #[column(size = 128)]
    pub name: String,
    #[column(size = 254)]
    pub email: String,
    #[column(min = 0, since = 2)]
    pub migration_version: Option<i64>,
    #[column(since = 2)]
    pub migrated_at: Option<DateTime>,
}

#[derive(Table, Debug, Clone)]
#[table(id = "posts", name = "Posts")]
pub struct Post {
    #[column(id)]
    pub id: RowId,
    #[column(size = 255)]
    pub title: String,
    #[column(size = 36)]
    pub author_id: String,
}

/// Marks every user as migrated; refuses users with an invalid email, stopping the run.
#[migration(version = 2, name = "mark migrated users")]
async fn mark_migrated(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    let now = chrono::Utc::now();
    m.table::<User>()
        .try_backfill(User::MIGRATION_VERSION.is_null(), |user| {
            if user.email.contains("invalid") {
                return Err(Error::Internal(format!(
                    "invalid user data: {} has the email {:?}",
                    user.id.as_str(),
                    user.email
                )));
            }
            Ok(Some(
                User::patch().migration_version(2).migrated_at(now).into(),
            ))
        })
        .await?;
    Ok(())
}

/// Version 1 of the application: users (one with an email version 2 refuses) and posts.
async fn deploy_version_one(db: &Database, options: &MigrateOptions) -> appwrite_orm::Result<()> {
    let report = db.migrate_with(options.clone().target(1)).await?;
    println!("== version 1 of the application\n{report}");
    let users: Vec<Document> = (0..200)
        .map(|i| {
            let email = if i == 150 {
                "mallory@invalid".to_owned()
            } else {
                format!("user{i}@example.com")
            };
            doc(json!({"$id": format!("u{i:03}"), "name": format!("User {i}"), "email": email}))
        })
        .collect();
    db.rows("users").insert_many(&users).await?;
    let posts: Vec<Document> = (0..300)
        .map(|i| {
            doc(json!({"$id": format!("p{i:03}"), "title": format!("Post {i}"), "author_id": format!("u{:03}", i % 200)}))
        })
        .collect();
    db.rows("posts").insert_many(&posts).await?;
    println!(
        "version 1 wrote {} users and {} posts\n",
        users.len(),
        posts.len()
    );
    Ok(())
}

/// The seed's `validateMigration`: every user migrated, none lost, the posts untouched.
async fn validate(db: &Database, backed_up: &backup::BackupReport) -> appwrite_orm::Result<()> {
    let users = db.table::<User>();
    let unmigrated = users
        .query()
        .filter(
            User::MIGRATION_VERSION
                .is_null()
                .or(User::MIGRATION_VERSION.ne(2)),
        )
        .count()
        .await?;
    if unmigrated > 0 {
        return Err(Error::Internal(format!(
            "{unmigrated} users were not migrated"
        )));
    }
    for table in &backed_up.tables {
        if table.table == "orm_migrations" {
            continue;
        }
        let now = db.rows(&table.table).query().count().await?;
        if now != table.rows {
            return Err(Error::Internal(format!(
                "{}: {} rows before the migration, {now} after",
                table.table, table.rows
            )));
        }
    }
    println!("validation passed: every user migrated, row counts as before");
    Ok(())
}

/// One attempt: backup, migrate, validate; on failure, restore the backup and return the error.
async fn attempt(
    db: &Database,
    options: &MigrateOptions,
    backup_dir: &Path,
) -> appwrite_orm::Result<()> {
    let taken = backup::backup(db, backup_dir, None).await?;
    println!(
        "backup: {} rows of {} in {} ({} bytes, {} ms)",
        taken.rows,
        taken
            .tables
            .iter()
            .map(|t| format!("{} ({})", t.table, t.rows))
            .collect::<Vec<_>>()
            .join(", "),
        taken.dir.display(),
        taken.bytes,
        taken.duration.as_millis()
    );
    let outcome = async {
        let report = db.migrate_with(options.clone()).await?;
        print!("{report}");
        validate(db, &taken).await
    }
    .await;
    let Err(error) = outcome else {
        std::fs::remove_dir_all(backup_dir).map_err(|e| Error::Storage(e.to_string()))?;
        println!("migration completed; backup removed");
        return Ok(());
    };
    println!("migration failed: {error}");
    let users = db.table::<User>();
    let written = users
        .query()
        .filter(User::MIGRATION_VERSION.eq(2))
        .count()
        .await?;
    println!("before the rollback: {written} users were already marked migrated");

    println!("rolling back: restoring {}", backup_dir.display());
    let restored =
        backup::restore_with(db, backup_dir, &RestoreOptions::default().replace(true)).await?;
    println!(
        "restored {} rows in {} ms",
        restored.rows,
        restored.duration.as_millis()
    );
    let live = db.backend().get_table(db.id(), "users").await?;
    let status = Migrator::from_registry()
        .with_options(options.clone())
        .status(db)
        .await?;
    println!(
        "after the rollback: {} users, column migration_version {}, at version {}",
        users.count().await?,
        if live.column("migration_version").is_some() {
            "still there"
        } else {
            "gone"
        },
        status.applied
    );
    Err(error)
}

#[tokio::main]
async fn main() -> appwrite_orm::Result<()> {
    let (db, dir) = open(&TABLES).await?;
    let options = MigrateOptions::default().backups_in(dir.join("drop-backups"));
    deploy_version_one(&db, &options).await?;

    println!("== first attempt");
    match attempt(&db, &options, &dir.join("backup-1")).await {
        Ok(()) => {
            return Err(Error::Internal(
                "the invalid user should have stopped the first attempt".into(),
            ));
        }
        Err(e) => println!("the first attempt was rolled back ({e})\n"),
    }

    println!("== the operator fixes u150's email");
    db.table::<User>()
        .update("u150", User::patch().email("mallory@example.com"))
        .await?;

    println!("\n== second attempt");
    attempt(&db, &options, &dir.join("backup-2")).await?;
    let u = db
        .table::<User>()
        .get("u150")
        .await?
        .ok_or_else(|| Error::Internal("u150 is gone".into()))?;
    println!(
        "u150: {} <{}>, migration_version {:?}, migrated at {}",
        u.name,
        u.email,
        u.migration_version,
        u.migrated_at.map(|d| d.to_string()).unwrap_or_default()
    );
    Ok(())
}

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

/// The database to migrate, started over: the server named by `APPWRITE_ENDPOINT` (these
/// `tables` and the history are deleted first), else a new SQLite file under `target/`.
/// Returns it with a directory for backups.
async fn open(tables: &[&str]) -> appwrite_orm::Result<(Database, PathBuf)> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("examples").join(EXAMPLE);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| Error::Storage(e.to_string()))?;
    if std::env::var_os("APPWRITE_ENDPOINT").is_none() {
        let path = dir.join("app.db");
        println!("embedded database at {}\n", path.display());
        return Ok((Database::embedded(&path).await?, dir));
    }
    let mut config = HttpConfig::from_env()?;
    let id = config
        .database_id
        .get_or_insert_with(|| format!("example-{}", EXAMPLE.replace('_', "-")))
        .clone();
    println!("database {id:?} on {}", config.endpoint);
    let db = Database::connect(config).await?;
    for table in tables.iter().copied().chain(["orm_migrations"]) {
        match db.backend().delete_table(db.id(), table).await {
            Ok(()) => println!("deleted table {table:?} of an earlier run"),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    println!();
    Ok((db, dir))
}
