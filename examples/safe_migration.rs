//! A safe migration with rollback (the seed's "Safe Migration with Rollback Support"): back
//! up, migrate, validate, and when validation fails restore the backup, so that the tables are
//! exactly as they were before the attempt, rows and schema.
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
//!    `mallory@invalid`, which version 2's step leaves unmigrated (the seed's `runMigration`
//!    throws on it).
//! 2. First attempt, with the runtime's safety net
//!    (`MigrateOptions::backup_before_destructive` and `restore_on_failed_check`): before
//!    version 2 (it has a step) every table is backed up with `appwrite_orm::backup`; the step
//!    adds the columns and marks the users, leaving the invalid one with a warning; then the
//!    version's validation check (`#[migration(check = every_user_migrated)]`, the seed's
//!    `validateMigration`) finds one user not migrated, and the runtime restores the backup:
//!    the new columns and the written values are gone, the version is recorded as failed. The
//!    example checks that: same row count, no new column, still at version 1.
//! 3. The operator fixes the row. Second attempt: same binary, same options; the check passes,
//!    version 2 is recorded, and the backup of the attempt is removed, as the seed does after a
//!    successful migration.
//!
//! A step or schema operation that fails (returns an error) is resumed by the next run, not
//! restored, unless `MigrateOptions::restore_on_failure(true)` is set too: then the same backup
//! is restored on any failure of the version, as the seed's `catch` block does (off by default
//! because restoring a large table rewrites all of it). `appwrite_orm::backup::{backup,
//! restore_with}` with `RestoreOptions::replace` do the same by hand around `db.migrate()`.

mod common;

use common::{doc, open};

use appwrite_orm::Error;
use appwrite_orm::backend::Document;
use appwrite_orm::migrate::{MigrateOptions, Migrator};
use appwrite_orm::prelude::*;
use serde_json::json;

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

/// Marks every user as migrated, leaving users with an invalid email as they are.
#[migration(version = 2, name = "mark migrated users", check = every_user_migrated)]
async fn mark_migrated(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    let now = chrono::Utc::now();
    let mut invalid = Vec::new();
    m.table::<User>()
        .try_backfill(User::MIGRATION_VERSION.is_null(), |user| {
            if user.email.contains("invalid") {
                invalid.push(format!("{} ({})", user.id.as_str(), user.email));
                return Ok(None);
            }
            Ok(Some(
                User::patch().migration_version(2).migrated_at(now).into(),
            ))
        })
        .await?;
    if !invalid.is_empty() {
        m.warn(format!(
            "invalid user data, not migrated: {}",
            invalid.join(", ")
        ));
    }
    Ok(())
}

/// The seed's `validateMigration`, run by the runtime after the step and before version 2
/// is recorded: every user carries `migration_version` 2.
async fn every_user_migrated(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    let left = m
        .table::<User>()
        .query()
        .filter(
            User::MIGRATION_VERSION
                .is_null()
                .or(User::MIGRATION_VERSION.ne(2)),
        )
        .count()
        .await?;
    if left > 0 {
        return Err(appwrite_orm::migrate::check_failed(format!(
            "{left} user(s) were not migrated properly"
        )));
    }
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

/// One attempt: `db.migrate()` with the safety net; on failure, shows what is left.
async fn attempt(db: &Database, options: &MigrateOptions) -> appwrite_orm::Result<()> {
    let users_before = db.table::<User>().count().await?;
    let error = match db.migrate_with(options.clone()).await {
        Ok(report) => {
            print!("{report}");
            let backups = options
                .backup_before_destructive
                .as_deref()
                .ok_or_else(|| Error::Internal("backups are configured".into()))?;
            std::fs::remove_dir_all(backups).map_err(|e| Error::Storage(e.to_string()))?;
            println!("migration completed; backups removed");
            return Ok(());
        }
        Err(e) => e,
    };
    println!("migration failed: {error}");
    let live = db.backend().get_table(db.id(), "users").await?;
    let status = Migrator::from_registry()
        .with_options(options.clone())
        .status(db)
        .await?;
    let users_after = db.table::<User>().count().await?;
    println!(
        "after the restore: {users_after} users (before: {users_before}), column \
         migration_version {}, at version {}",
        if live.column("migration_version").is_some() {
            "still there"
        } else {
            "gone"
        },
        status.applied
    );
    if users_after != users_before || live.column("migration_version").is_some() {
        return Err(Error::Internal(
            "the restore did not put the database back".into(),
        ));
    }
    Err(error)
}

#[tokio::main]
async fn main() -> appwrite_orm::Result<()> {
    let (db, dir) = open(EXAMPLE, &TABLES).await?;
    let options = MigrateOptions::default()
        .backups_in(dir.join("drop-backups"))
        .backup_before_destructive(dir.join("backups"))
        .restore_on_failed_check(true);
    deploy_version_one(&db, &options).await?;

    println!("== first attempt: backup_before_destructive, restore_on_failed_check");
    if attempt(&db, &options).await.is_ok() {
        return Err(Error::Internal(
            "the invalid user should have failed the first attempt".into(),
        ));
    }

    println!("\n== the operator fixes u150's email");
    db.table::<User>()
        .update("u150", User::patch().email("mallory@example.com"))
        .await?;

    println!("\n== second attempt");
    attempt(&db, &options).await?;
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
