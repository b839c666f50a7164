//! Versioned migrations on the embedded default: a blog whose schema grew over four versions,
//! migrated with `db.migrate()` on a SQLite file under `target/`.
//!
//! ```sh
//! cargo run --example migrate            # the first run deploys version 1, then migrates to 4
//! cargo run --example migrate            # again: nothing pending, one request
//! cargo run --example migrate -- --fresh # start over
//! ```
//!
//! With `APPWRITE_ENDPOINT`, `APPWRITE_PROJECT_ID` and `APPWRITE_API_KEY` set, the same runs
//! against that server (database `APPWRITE_DATABASE_ID`, else `example-migrate`); the first
//! run is the one that finds no migration history there.
//!
//! The first run plays two deployments: version 1 of the application creates its tables and
//! writes posts the way that version did (views as text, authors by email); then the current
//! binary (the structs and `#[migration]`s below) migrates the data to version 4.
//!
//! - Version 2: posts get their author's id (resolved from the email), a unique slug and a
//!   status; authors get `is_active`. `author_id` and `slug` are required: they are created
//!   optional, filled by the step, then made required. Defaults are written into the rows that
//!   existed before the columns. Lint, run before the migration, runs the step against a
//!   recorder and sees that it fills 299 of the 300 posts: one was written by a guest whose
//!   email no author has, so the step finds no author for it and the run would fail when the
//!   columns become required (`required-without-value`, an error naming the post). The example
//!   then does what an operator would: it adds the missing author, lints again (clean) and
//!   migrates.
//! - Version 3: the text view counts ("1,204") become numbers; what cannot be converted
//!   ("n/a") is reported, not lost.
//! - Version 4: unique slugs, now that the data allows them.

use std::collections::{HashMap, HashSet};

use appwrite_orm::HttpConfig;
use appwrite_orm::backend::Document;
use appwrite_orm::cli::ProgressDisplay;
use appwrite_orm::migrate::{LintReport, MigrateOptions, Migrator};
use appwrite_orm::prelude::*;
use serde_json::{Value, json};

#[derive(Table, Debug, Clone)]
#[table(id = "authors", name = "Authors")]
pub struct Author {
    #[column(id)]
    pub id: RowId,
    #[column(size = 128)]
    pub name: String,
    #[column(email)]
    pub email: String,
    #[column(default = true, since = 2)]
    pub is_active: bool,
}

#[derive(ColumnEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[column_enum(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Published,
}

#[derive(Table, Debug, Clone)]
#[table(id = "posts", name = "Posts")]
#[index(key = "by_slug", unique, columns(slug), since = 4)]
#[index(key = "by_author", columns(author_id))]
pub struct Post {
    #[column(id)]
    pub id: RowId,
    #[column(size = 255)]
    pub title: String,
    #[column(email)]
    pub author_email: String,
    /// Version 1 kept view counts as text; kept for the old readers.
    #[column(size = 32)]
    pub views: Option<String>,
    #[column(size = 36, since = 2)]
    pub author_id: String,
    #[column(size = 255, since = 2)]
    pub slug: String,
    #[column(default = "draft", since = 2)]
    pub status: Status,
    #[column(min = 0, since = 3)]
    pub view_count: Option<i64>,
}

/// `Why cursors?` → `why-cursors`.
fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_owned()
}

// The step fills `author_id` and `slug` in every post whose author it finds; lint checks, from
// the step's recorded writes, that this is every post.
#[migration(version = 2, name = "link posts to authors")]
async fn link_posts(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    let authors: HashMap<String, String> = m
        .table::<Author>()
        .all()
        .await?
        .into_iter()
        .map(|a| (a.email.to_lowercase(), a.id.to_string()))
        .collect();
    // Slugs an interrupted earlier attempt already gave out.
    let mut taken: HashSet<String> = m
        .rows("posts")
        .query()
        .with(Query::is_not_null("slug"))
        .all()
        .await?
        .iter()
        .filter_map(|r| Some(r.get("slug")?.as_str()?.to_owned()))
        .collect();
    m.rows("posts")
        .backfill(vec![Query::is_null("author_id")], |row| {
            let author_id = authors.get(&row.get("author_email")?.as_str()?.to_lowercase())?;
            let base = slugify(row.get("title")?.as_str()?);
            let mut slug = base.clone();
            let mut n = 1;
            while !taken.insert(slug.clone()) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            let patch: Patch<Post> = Post::patch()
                .author_id(author_id.as_str())
                .slug(slug)
                .status(Status::Published)
                .into();
            Some(patch.into_document())
        })
        .await?;
    Ok(())
}

#[migration(version = 3, name = "view counts to numbers")]
async fn views_to_numbers(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    let to = Post::schema().find_column("view_count").cloned();
    let to = to.ok_or_else(|| appwrite_orm::Error::Internal("view_count is declared".into()))?;
    m.convert_column("posts", "views", to, |value| {
        let text = value.as_str().ok_or("not text")?;
        text.replace(',', "")
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("{text:?} is not a number"))
    })
    .await?;
    Ok(())
}

/// The email of a post's author that no author row has.
const GUEST: &str = "guest@example.com";

/// What version 1 of the application wrote: authors, and posts with text view counts.
async fn deploy_version_one(db: &Database) -> appwrite_orm::Result<()> {
    let report = db.migrate_with(options().target(1)).await?;
    println!("== deploying version 1 of the application\n{report}");
    let authors: Vec<Document> = (0..12)
        .map(|i| doc(json!({"$id": format!("author-{i}"), "name": format!("Author {i}"), "email": format!("Author{i}@Example.com")})))
        .collect();
    db.rows("authors").insert_many(&authors).await?;
    let titles = [
        "Hello, World!",
        "Why cursors?",
        "Migrations at boot",
        "Rust & Appwrite",
    ];
    let posts: Vec<Document> = (0..300)
        .map(|i| {
            let n = 40 + i * 37;
            let views = match (i % 50 == 7, n >= 1000) {
                (true, _) => "n/a".to_owned(),
                (false, true) => format!("{},{:03}", n / 1000, n % 1000),
                (false, false) => n.to_string(),
            };
            // The last post was written by a guest, whom version 1 kept no author row for.
            let author_email = match i {
                299 => GUEST.to_owned(),
                _ => format!("author{}@example.com", i % 12),
            };
            doc(json!({
                "$id": format!("post-{i:03}"),
                "title": titles[i % titles.len()],
                "author_email": author_email,
                "views": views,
            }))
        })
        .collect();
    db.rows("posts").insert_many(&posts).await?;
    println!(
        "version 1 wrote {} authors and {} posts\n",
        authors.len(),
        posts.len()
    );
    Ok(())
}

/// Lints the pending versions against the rows as they are.
async fn lint_now(db: &Database) -> appwrite_orm::Result<LintReport> {
    Migrator::from_registry()
        .with_options(options())
        .lint(db)
        .await
}

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

fn data_dir() -> std::path::PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("migrate-example")
}

fn options() -> MigrateOptions {
    MigrateOptions::default().backups_in(data_dir().join("backups"))
}

/// The database and whether it is new: the server named by `APPWRITE_ENDPOINT` (database
/// `APPWRITE_DATABASE_ID`, else `example-migrate`), else the SQLite file under `target/`.
/// `--fresh` deletes the example's tables (or file) first.
async fn open(fresh: bool) -> appwrite_orm::Result<(Database, bool)> {
    let dir = data_dir();
    if fresh {
        let _ = std::fs::remove_dir_all(&dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| appwrite_orm::Error::Storage(e.to_string()))?;
    if std::env::var_os("APPWRITE_ENDPOINT").is_none() {
        let path = dir.join("blog.db");
        let first_run = !path.exists();
        println!("embedded database at {}\n", path.display());
        return Ok((Database::embedded(&path).await?, first_run));
    }
    let mut config = HttpConfig::from_env()?;
    let id = config
        .database_id
        .get_or_insert_with(|| "example-migrate".to_owned())
        .clone();
    println!("database {id:?} on {}\n", config.endpoint);
    let db = Database::connect(config).await?;
    if fresh {
        for table in ["authors", "posts", "orm_migrations"] {
            match db.backend().delete_table(db.id(), table).await {
                Ok(()) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
    }
    let first_run = match db.backend().get_table(db.id(), "orm_migrations").await {
        Ok(_) => false,
        Err(e) if e.is_not_found() => true,
        Err(e) => return Err(e),
    };
    Ok((db, first_run))
}

#[tokio::main]
async fn main() -> appwrite_orm::Result<()> {
    let (db, first_run) = open(std::env::args().any(|a| a == "--fresh")).await?;
    if first_run {
        deploy_version_one(&db).await?;
        // What a deploy pipeline runs first (`migrate lint`): reads only.
        let lint = lint_now(&db).await?;
        println!("== lint: what the pending versions would break in the data\n{lint}");
        if lint.has_errors() {
            // What an operator does with lint's answer before deploying: the guest gets an
            // author row, so that the step finds an author for every post.
            let guest = doc(json!({"name": "Guest", "email": GUEST}));
            db.rows("authors").create("author-guest", &guest).await?;
            let again = lint_now(&db).await?;
            println!("== lint again, after adding the author {GUEST}\n{again}");
        }
        println!("== deploying the current version: db.migrate()");
    } else {
        println!("== booting again: db.migrate()");
    }

    // `db.migrate_with(options())` does the same run; the migrator adds a progress display
    // (bars on a terminal, plain lines otherwise, on stderr).
    let display = ProgressDisplay::stderr();
    let report = Migrator::from_registry()
        .with_options(options())
        .with_progress(display.clone())
        .run(&db)
        .await;
    display.finish();
    let report = report?;
    print!("{report}");
    if report.nothing_pending {
        println!("(run with `-- --fresh` to start over)");
        return Ok(());
    }

    let posts = db.table::<Post>();
    println!("\nwhat the data looks like now:");
    let sample = ["post-000", "post-004", "post-007", "post-030"];
    for post in posts
        .query()
        .filter(Post::ID.is_in(sample))
        .order(Post::ID.asc())
        .all()
        .await?
    {
        let views = post.views.unwrap_or_default();
        let count = post.view_count.map_or("-".to_owned(), |n| n.to_string());
        println!(
            "  {}: slug {:<20} author {:<9} {:?}, views {views:?} -> {count}",
            post.id.as_str(),
            post.slug,
            post.author_id,
            post.status,
        );
    }
    let published = posts
        .query()
        .filter(Post::STATUS.eq(Status::Published))
        .count()
        .await?;
    let unconverted = posts
        .query()
        .filter(Post::VIEW_COUNT.is_null())
        .count()
        .await?;
    println!("{published} posts published, {unconverted} view counts could not be converted");
    println!("\nrun the same command again: the next boot finds nothing pending");
    Ok(())
}
