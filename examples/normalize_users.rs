//! Data transformation (the seed's "User Profile Enhancement Migration"): user profiles are
//! normalised (emails lowercase, names in title case, US phone numbers in international
//! form), get a display name, a time zone, statistics computed from their posts, comments and
//! likes, a reputation, and a unique slug; version 3 adds the unique index on slugs.
//!
//! ```sh
//! cargo run --example normalize_users
//! APPWRITE_ENDPOINT=https://appwrite.example.com/v1 APPWRITE_PROJECT_ID=... \
//!   APPWRITE_API_KEY=... cargo run --example normalize_users   # the same on a real server
//! ```
//!
//! Every run starts over: on the embedded default the SQLite file under
//! `target/examples/normalize_users/` is deleted first; on a server (database
//! `APPWRITE_DATABASE_ID`, else `example-normalize-users`) the tables `users`, `posts`,
//! `comments`, `likes` and `orm_migrations` are deleted first. Then the run plays two
//! deployments: version 1 of the application writes 64 users as people typed them, with
//! posts, comments and likes; the current binary migrates them to version 3.
//!
//! The seed made three passes over the users (normalise, statistics, slugs), each reading every
//! user and writing each one; here the statistics are counted once per table and one
//! resumable backfill writes each user once, only users without a slug (so a re-run after a
//! failure continues where it stopped, and slugs given out before are kept).

mod common;

use common::{doc, open};

use std::collections::{HashMap, HashSet};

use appwrite_orm::backend::Document;
use appwrite_orm::migrate::MigrateOptions;
use appwrite_orm::prelude::*;
use serde_json::{Value, json};

const EXAMPLE: &str = "normalize_users";

#[derive(Table, Debug, Clone)]
#[table(id = "users", name = "Users")]
#[index(key = "by_slug", unique, columns(slug), since = 3)]
pub struct User {
    #[column(id)]
    pub id: RowId,
    #[column(size = 128)]
    pub name: String,
    /// Not `email`-typed: version 1 stored whatever people typed.
    #[column(size = 254)]
    pub email: String,
    #[column(size = 32)]
    pub phone: Option<String>,
    #[column(size = 100, since = 2)]
    pub display_name: Option<String>,
    #[column(size = 100, since = 2)]
    pub slug: Option<String>,
    #[column(size = 64, default = "UTC", since = 2)]
    pub timezone: String,
    /// JSON with the statistics, as in the seed.
    #[column(text, since = 2)]
    pub stats: Option<String>,
    #[column(min = 0, default = 0, since = 2)]
    pub reputation: i64,
    #[column(default = true, since = 2)]
    pub is_active: bool,
    #[column(since = 2)]
    pub last_active_at: Option<DateTime>,
    #[column(created_at)]
    pub created_at: DateTime,
}

#[derive(Table, Debug, Clone)]
#[table(id = "posts", name = "Posts")]
pub struct Post {
    #[column(id)]
    pub id: RowId,
    #[column(size = 36)]
    pub author_id: String,
}

#[derive(Table, Debug, Clone)]
#[table(id = "comments", name = "Comments")]
pub struct Comment {
    #[column(id)]
    pub id: RowId,
    #[column(size = 254)]
    pub author_email: String,
}

#[derive(Table, Debug, Clone)]
#[table(id = "likes", name = "Likes")]
pub struct Like {
    #[column(id)]
    pub id: RowId,
    #[column(size = 36)]
    pub user_id: String,
}

/// The seed's `normalizePhoneNumber`: 10 digits are a US number, 11 starting with 1 too;
/// anything else is kept as typed.
fn normalise_phone(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        10 => format!("+1{digits}"),
        11 if digits.starts_with('1') => format!("+{digits}"),
        _ => phone.to_owned(),
    }
}

/// `ada LOVELACE` → `Ada Lovelace`.
fn title_case(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// `Ada Lovelace` → `ada-lovelace`.
fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_owned()
}

/// Counts rows per value of `column` of `table` (the whole table, read by cursor).
async fn count_by(
    m: &Migration<'_>,
    table: &str,
    column: &str,
    lowercase: bool,
) -> appwrite_orm::Result<HashMap<String, i64>> {
    let mut counts = HashMap::new();
    for row in m
        .rows(table)
        .query()
        .with(Query::select([column]))
        .all()
        .await?
    {
        if let Some(value) = row.get(column).and_then(Value::as_str) {
            let key = if lowercase {
                value.to_lowercase()
            } else {
                value.to_owned()
            };
            *counts.entry(key).or_default() += 1;
        }
    }
    Ok(counts)
}

#[migration(version = 2, name = "normalise profiles")]
async fn normalise_profiles(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    let posts = count_by(m, "posts", "author_id", false).await?;
    let comments = count_by(m, "comments", "author_email", true).await?;
    let likes = count_by(m, "likes", "user_id", false).await?;
    // Slugs given out by an interrupted earlier attempt.
    let mut taken: HashSet<String> = m
        .table::<User>()
        .query()
        .filter(User::SLUG.is_not_null())
        .all()
        .await?
        .into_iter()
        .filter_map(|u| u.slug)
        .collect();
    m.table::<User>()
        .backfill(User::SLUG.is_null(), |user| {
            let email = user.email.trim().to_lowercase();
            let name = title_case(&user.name);
            let display = if name.is_empty() {
                email.split('@').next().unwrap_or_default().to_owned()
            } else {
                name.clone()
            };
            let base = slugify(&display);
            let base = if base.is_empty() {
                "user".to_owned()
            } else {
                base
            };
            let mut slug = base.clone();
            let mut n = 0;
            while !taken.insert(slug.clone()) {
                n += 1;
                slug = format!("{base}-{n}");
            }
            let posts = posts.get(user.id.as_str()).copied().unwrap_or(0);
            let comments = comments.get(&email).copied().unwrap_or(0);
            let likes = likes.get(user.id.as_str()).copied().unwrap_or(0);
            let stats = json!({
                "postsCount": posts,
                "commentsCount": comments,
                "likesGiven": likes,
                "joinedAt": user.created_at.to_rfc3339(),
            });
            let mut patch = User::patch()
                .email(email)
                .name(name)
                .display_name(display)
                .slug(slug)
                .stats(stats.to_string())
                .reputation(posts * 10 + comments * 2 + likes);
            if let Some(phone) = &user.phone {
                patch = patch.phone(normalise_phone(phone));
            }
            patch
        })
        .await?;
    Ok(())
}

/// Version 1 of the application: users as they typed themselves in, and what they did.
async fn deploy_version_one(db: &Database, options: &MigrateOptions) -> appwrite_orm::Result<()> {
    let report = db.migrate_with(options.clone().target(1)).await?;
    println!("== version 1 of the application\n{report}");
    let mut users: Vec<Document> = [
        (
            "ada",
            "ada LOVELACE",
            "Ada@Example.COM",
            Some("(555) 010-0100"),
        ),
        (
            "grace",
            "grace   hopper",
            "grace@example.com",
            Some("1 555 010 0101"),
        ),
        (
            "ada2",
            "Ada Lovelace",
            "ada.l@example.com",
            Some("+44 20 7946 0958"),
        ),
        ("anon", "", "Nobody@Example.com", None),
    ]
    .into_iter()
    .map(|(id, name, email, phone)| {
        doc(json!({"$id": id, "name": name, "email": email, "phone": phone}))
    })
    .collect();
    let first = ["alan", "EDSGER", "barbara", "Donald", "ken", "DENNIS"];
    let last = [
        "turing", "DIJKSTRA", "liskov", "Knuth", "thompson", "RITCHIE",
    ];
    for i in 0..60 {
        let name = format!("{} {}", first[i % 6], last[(i / 6) % 6]);
        let phone = match i % 4 {
            0 => None,
            1 => Some(format!("({}) 555-{:04}", 200 + i, 1000 + i)),
            2 => Some(format!("1-{}-555-{:04}", 300 + i, 2000 + i)),
            _ => Some(format!("555 {:04}", 3000 + i)),
        };
        users.push(doc(json!({
            "$id": format!("user-{i:02}"),
            "name": name,
            "email": format!("{}.{}@Example.org", first[i % 6], i),
            "phone": phone,
        })));
    }
    db.rows("users").insert_many(&users).await?;
    let posts: Vec<Document> = (0..90)
        .map(|i| doc(json!({"$id": format!("post-{i}"), "author_id": if i < 5 { "ada".to_owned() } else { format!("user-{:02}", i % 60) }})))
        .collect();
    db.rows("posts").insert_many(&posts).await?;
    let comments: Vec<Document> = (0..40)
        .map(|i| doc(json!({"$id": format!("comment-{i}"), "author_email": if i < 3 { "ADA@example.com".to_owned() } else { format!("{}.{}@EXAMPLE.org", first[(i * 7 % 60) % 6], i * 7 % 60) }})))
        .collect();
    db.rows("comments").insert_many(&comments).await?;
    let likes: Vec<Document> = (0..50)
        .map(|i| doc(json!({"$id": format!("like-{i}"), "user_id": if i % 2 == 0 { "grace".to_owned() } else { format!("user-{:02}", i) }})))
        .collect();
    db.rows("likes").insert_many(&likes).await?;
    println!(
        "version 1 wrote {} users, {} posts, {} comments, {} likes\n",
        users.len(),
        posts.len(),
        comments.len(),
        likes.len()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> appwrite_orm::Result<()> {
    let (db, dir) = open(EXAMPLE, &["users", "posts", "comments", "likes"]).await?;
    let options = MigrateOptions::default().backups_in(dir.join("backups"));
    deploy_version_one(&db, &options).await?;
    let shown = ["ada", "grace", "ada2", "anon", "user-01", "user-07"];
    let before: HashMap<String, Value> = db
        .rows("users")
        .query()
        .with(Query::equal("$id", shown))
        .all()
        .await?
        .into_iter()
        .map(|r| {
            (
                r.id().to_owned(),
                json!([r.get("name"), r.get("email"), r.get("phone")]),
            )
        })
        .collect();

    println!("== the current version: db.migrate()");
    let report = db.migrate_with(options.clone()).await?;
    print!("{report}");

    println!("\nbefore → after:");
    let users = db.table::<User>();
    for id in shown {
        let Some(u) = users.get(id).await? else {
            continue;
        };
        println!(
            "  {id:<8} {}",
            before.get(id).map(Value::to_string).unwrap_or_default()
        );
        println!(
            "  {:<8} [{:?},{:?},{:?}] display {:?}, slug {:?}, {}, reputation {}, stats {}",
            "",
            u.name,
            u.email,
            u.phone.as_deref().unwrap_or("-"),
            u.display_name.as_deref().unwrap_or("-"),
            u.slug.as_deref().unwrap_or("-"),
            u.timezone,
            u.reputation,
            u.stats.as_deref().unwrap_or("-"),
        );
    }
    let international = users
        .query()
        .filter(User::PHONE.starts_with("+1"))
        .count()
        .await?;
    let top = users
        .query()
        .order(User::REPUTATION.desc())
        .order(User::ID.asc())
        .limit(3)
        .all()
        .await?;
    println!(
        "{international} phone numbers in international US form; top reputation: {}",
        top.iter()
            .map(|u| format!(
                "{} ({})",
                u.display_name.as_deref().unwrap_or("-"),
                u.reputation
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let again = db.migrate_with(options).await?;
    print!("\n== the next boot: db.migrate()\n{again}");
    Ok(())
}
