//! Adding new fields to an existing schema (the seed's "Adding New Fields to Existing Schema"):
//! users get a phone number, a birth date, `is_verified` (default `false`) and JSON
//! preferences; the rows version 1 wrote get the default stored and their preferences filled.
//!
//! ```sh
//! cargo run --example add_fields
//! APPWRITE_ENDPOINT=https://appwrite.example.com/v1 APPWRITE_PROJECT_ID=... \
//!   APPWRITE_API_KEY=... cargo run --example add_fields      # the same on a real server
//! ```
//!
//! Every run starts over: on the embedded default the SQLite file under
//! `target/examples/add_fields/` is deleted first; on a server (database
//! `APPWRITE_DATABASE_ID`, else `example-add-fields`) the tables `users` and `orm_migrations`
//! are deleted first. Then the run plays two deployments: version 1 of the application creates
//! `users` and writes 250 users; the current binary (the struct and `#[migration]` below)
//! migrates them to version 2. A second `migrate()` at the end shows the next boot: one request.
//!
//! What the seed did by hand (batches of `update`, "only if the field is missing") is the
//! runtime's job here: new columns are created and awaited, defaults are written into the rows
//! that existed before the column (so filters on `is_verified` find them), and the step's
//! backfill walks only rows still lacking preferences, page by page, resumable. `createdAt`
//! needs no column: every row carries Appwrite's `$createdAt`.

mod common;

use common::{doc, open};

use appwrite_orm::backend::Document;
use appwrite_orm::migrate::MigrateOptions;
use appwrite_orm::prelude::*;
use serde_json::json;

const EXAMPLE: &str = "add_fields";
/// Preferences of users who never chose any.
const DEFAULT_PREFERENCES: &str = r#"{"theme":"light","notifications":true,"language":"en"}"#;

#[derive(Table, Debug, Clone)]
#[table(id = "users", name = "Users")]
pub struct User {
    #[column(id)]
    pub id: RowId,
    #[column(size = 128)]
    pub name: String,
    #[column(email)]
    pub email: String,
    #[column(size = 20, since = 2)]
    pub phone: Option<String>,
    #[column(since = 2)]
    pub birth_date: Option<DateTime>,
    #[column(default = false, since = 2)]
    pub is_verified: bool,
    /// JSON, as in the seed.
    #[column(text, since = 2)]
    pub preferences: Option<String>,
    #[column(created_at)]
    pub created_at: DateTime,
}

#[migration(version = 2, name = "default preferences")]
async fn default_preferences(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    m.table::<User>()
        .backfill(User::PREFERENCES.is_null(), |_| {
            User::patch().preferences(DEFAULT_PREFERENCES)
        })
        .await?;
    Ok(())
}

/// Version 1 of the application: `users` with a name and an email, and 250 users.
async fn deploy_version_one(db: &Database, options: &MigrateOptions) -> appwrite_orm::Result<()> {
    let report = db.migrate_with(options.clone().target(1)).await?;
    println!("== version 1 of the application\n{report}");
    let users: Vec<Document> = (0..250)
        .map(|i| {
            doc(json!({
                "$id": format!("u{i:03}"),
                "name": format!("User {i}"),
                "email": format!("user{i}@example.com"),
            }))
        })
        .collect();
    db.rows("users").insert_many(&users).await?;
    println!("version 1 wrote {} users\n", users.len());
    Ok(())
}

#[tokio::main]
async fn main() -> appwrite_orm::Result<()> {
    let (db, dir) = open(EXAMPLE, &["users"]).await?;
    let options = MigrateOptions::default().backups_in(dir.join("backups"));
    deploy_version_one(&db, &options).await?;

    println!("== the current version: db.migrate()");
    let report = db.migrate_with(options.clone()).await?;
    print!("{report}");
    if let Some(v2) = report.version(2) {
        for b in &v2.backfills {
            println!(
                "preferences filled in {} of {} users ({} pages)",
                b.written, b.matched, b.pages
            );
        }
    }

    let users = db.table::<User>();
    let unverified = users
        .query()
        .filter(User::IS_VERIFIED.eq(false))
        .count()
        .await?;
    let without_preferences = users
        .query()
        .filter(User::PREFERENCES.is_null())
        .count()
        .await?;
    println!(
        "\n{unverified} users found by `is_verified = false` (the old rows hold the default), \
         {without_preferences} without preferences"
    );
    if let Some(u) = users.get("u007").await? {
        println!(
            "u007: {} <{}>, verified {}, phone {:?}, preferences {}, created {}",
            u.name,
            u.email,
            u.is_verified,
            u.phone,
            u.preferences.as_deref().unwrap_or("-"),
            u.created_at
        );
    }

    // The new code writes the new fields.
    let created = users
        .create(&User {
            id: RowId::unique(),
            name: "Grace".into(),
            email: "grace@example.com".into(),
            phone: Some("+15550100".into()),
            birth_date: "1906-12-09T00:00:00Z".parse().ok(),
            is_verified: true,
            preferences: Some(r#"{"theme":"dark"}"#.into()),
            created_at: DateTime::default(),
        })
        .await?;
    println!(
        "created by version 2: {} ({:?}, born {})",
        created.name,
        created.phone,
        created
            .birth_date
            .map(|d| d.to_string())
            .unwrap_or_default()
    );

    let again = db.migrate_with(options).await?;
    print!("\n== the next boot: db.migrate()\n{again}");
    Ok(())
}
