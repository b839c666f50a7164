//! Multi-table schema changes (the seed's "Multi-Table Schema Changes"): a blog whose posts
//! referred to their author by email gets proper author ids, unique slugs, a status, tags and
//! view counts; authors get a profile; a new `comments` table appears; and once every slug is
//! unique, a unique index keeps them so.
//!
//! ```sh
//! cargo run --example blog
//! APPWRITE_ENDPOINT=https://appwrite.example.com/v1 APPWRITE_PROJECT_ID=... \
//!   APPWRITE_API_KEY=... cargo run --example blog      # the same on a real server
//! ```
//!
//! Every run starts over: on the embedded default the SQLite file under
//! `target/examples/blog/` is deleted first; on a server (database `APPWRITE_DATABASE_ID`,
//! else `example-blog`) the tables `authors`, `posts`, `comments` and `orm_migrations` are
//! deleted first. Then the run plays two deployments: version 1 of the application writes 8
//! authors and 120 posts (three of them by an author whose row is long gone); the current
//! binary migrates everything to version 3 in one `db.migrate()`.
//!
//! `examples/migrate.rs` migrates a similar blog across two boots (and converts text view
//! counts); this one follows the seed's schema: comments, author profiles, orphaned posts.
//!
//! - Version 2: authors get `bio`, `avatar`, `social_links` (filled with `{}`) and `is_active`
//!   (default `true`, stored into the existing rows). Posts get `author_id`, resolved from the
//!   email (posts whose author is unknown go to a placeholder author, with a warning in the
//!   report, rather than failing), a unique `slug` (`hello-world`, `hello-world-1`, …),
//!   `status` published, `published_at`, `tags`, `view_count` 0. `author_id` and `slug` are
//!   required: created optional, filled by the step, then made required. `comments` is created.
//! - Version 3: the unique index on `slug`.

// Clippy reads `since = N` on two `#[index]`es as a duplicated attribute.
#![allow(clippy::duplicated_attributes)]

mod common;

use common::{doc, open};

use std::collections::{HashMap, HashSet};

use appwrite_orm::Error;
use appwrite_orm::backend::Document;
use appwrite_orm::migrate::MigrateOptions;
use appwrite_orm::prelude::*;
use serde_json::json;

const EXAMPLE: &str = "blog";
/// Where posts go whose author's email matches no author.
const PLACEHOLDER_AUTHOR: &str = "unknown-author";

#[derive(Table, Debug, Clone)]
#[table(id = "authors", name = "Authors")]
#[index(key = "by_email", unique, columns(email), since = 2)]
pub struct Author {
    #[column(id)]
    pub id: RowId,
    #[column(size = 128)]
    pub name: String,
    #[column(email)]
    pub email: String,
    #[column(size = 1000, since = 2)]
    pub bio: Option<String>,
    #[column(url, since = 2)]
    pub avatar: Option<String>,
    /// JSON, as in the seed.
    #[column(text, since = 2)]
    pub social_links: Option<String>,
    #[column(default = true, since = 2)]
    pub is_active: bool,
}

#[derive(ColumnEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[column_enum(rename_all = "lowercase")]
pub enum PostStatus {
    Draft,
    Published,
    Archived,
}

#[derive(Table, Debug, Clone)]
#[table(id = "posts", name = "Posts")]
#[index(key = "by_author", columns(author_id), since = 2)]
#[index(key = "by_slug", unique, columns(slug), since = 3)]
pub struct Post {
    #[column(id)]
    pub id: RowId,
    #[column(size = 255)]
    pub title: String,
    #[column(text)]
    pub content: String,
    /// Kept for the readers of version 1.
    #[column(email)]
    pub author_email: String,
    #[column(size = 36, since = 2)]
    pub author_id: String,
    #[column(size = 255, since = 2)]
    pub slug: String,
    #[column(default = "draft", since = 2)]
    pub status: PostStatus,
    #[column(since = 2)]
    pub published_at: Option<DateTime>,
    #[column(since = 2)]
    pub tags: Vec<String>,
    #[column(min = 0, default = 0, since = 2)]
    pub view_count: i64,
}

#[derive(Table, Debug, Clone)]
#[table(id = "comments", name = "Comments", since = 2)]
#[index(key = "by_post", columns(post_id))]
pub struct Comment {
    #[column(id)]
    pub id: RowId,
    #[column(size = 36)]
    pub post_id: String,
    #[column(size = 128)]
    pub author_name: String,
    #[column(email)]
    pub author_email: String,
    #[column(size = 1000)]
    pub content: String,
    #[column(default = false)]
    pub is_approved: bool,
    /// For nested comments.
    #[column(size = 36)]
    pub parent_comment_id: Option<String>,
}

/// `Hello, World!` → `hello-world`, as the seed's `generateSlug`.
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

/// The base slug if free, else `base-1`, `base-2`, …
fn unique_slug(taken: &mut HashSet<String>, base: &str) -> String {
    let base = if base.is_empty() { "post" } else { base };
    let mut slug = base.to_owned();
    let mut n = 0;
    while !taken.insert(slug.clone()) {
        n += 1;
        slug = format!("{base}-{n}");
    }
    slug
}

#[migration(version = 2, name = "link posts to authors")]
async fn link_posts(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    m.table::<Author>()
        .backfill(Author::SOCIAL_LINKS.is_null(), |_| {
            Author::patch().social_links("{}")
        })
        .await?;
    let mut by_email: HashMap<String, String> = m
        .table::<Author>()
        .all()
        .await?
        .into_iter()
        .map(|a| (a.email.to_lowercase(), a.id.to_string()))
        .collect();

    // Posts whose author is gone: the seed warned and left them; here `author_id` is
    // required, so they go to a placeholder author, and the report says how many.
    let unlinked = m
        .rows("posts")
        .query()
        .with(Query::is_null("author_id"))
        .with(Query::select(["author_email"]))
        .all()
        .await?;
    let orphans = unlinked
        .iter()
        .filter_map(|r| r.get("author_email")?.as_str())
        .filter(|email| !by_email.contains_key(&email.to_lowercase()))
        .count();
    if orphans > 0 {
        let authors = m.table::<Author>();
        if authors.get(PLACEHOLDER_AUTHOR).await?.is_none() {
            authors
                .create(&Author {
                    id: RowId::new(PLACEHOLDER_AUTHOR)?,
                    name: "Unknown author".into(),
                    email: "unknown-author@example.invalid".into(),
                    bio: Some("Posts whose author could not be found".into()),
                    avatar: None,
                    social_links: Some("{}".into()),
                    is_active: false,
                })
                .await?;
        }
        m.warn(format!(
            "{orphans} posts name an author email no author has; they were given the author \
             {PLACEHOLDER_AUTHOR:?}"
        ));
    }

    // Slugs an interrupted earlier attempt already gave out.
    let mut taken: HashSet<String> = m
        .rows("posts")
        .query()
        .with(Query::is_not_null("slug"))
        .with(Query::select(["slug"]))
        .all()
        .await?
        .iter()
        .filter_map(|r| Some(r.get("slug")?.as_str()?.to_owned()))
        .collect();
    let now = chrono::Utc::now();
    m.rows("posts")
        .backfill(vec![Query::is_null("author_id")], |row| {
            let email = row.get("author_email")?.as_str()?.to_lowercase();
            let author_id = by_email
                .entry(email)
                .or_insert_with(|| PLACEHOLDER_AUTHOR.to_owned());
            let slug = unique_slug(&mut taken, &slugify(row.get("title")?.as_str()?));
            let patch: Patch<Post> = Post::patch()
                .author_id(author_id.as_str())
                .slug(slug)
                .status(PostStatus::Published)
                .published_at(now)
                .into();
            Some(patch.into_document())
        })
        .await?;
    Ok(())
}

/// Version 1 of the application: authors, and posts that name their author by email.
async fn deploy_version_one(db: &Database, options: &MigrateOptions) -> appwrite_orm::Result<()> {
    let report = db.migrate_with(options.clone().target(1)).await?;
    println!("== version 1 of the application\n{report}");
    let authors: Vec<Document> = (0..8)
        .map(|i| {
            doc(json!({
                "$id": format!("author-{i}"),
                "name": format!("Author {i}"),
                "email": format!("Author{i}@Example.com"),
            }))
        })
        .collect();
    db.rows("authors").insert_many(&authors).await?;
    let titles = [
        "Hello, World!",
        "Rust & Appwrite",
        "Migrations at boot",
        "Why cursors?",
    ];
    let posts: Vec<Document> = (0..120)
        .map(|i| {
            // Posts 40, 80 and 119 were written by an author whose row was deleted since.
            let email = if i % 40 == 0 && i > 0 || i == 119 {
                "ghost@example.com".to_owned()
            } else {
                format!("author{}@example.com", i % 8)
            };
            doc(json!({
                "$id": format!("post-{i:03}"),
                "title": titles[i % titles.len()],
                "content": format!("Post number {i}."),
                "author_email": email,
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

#[tokio::main]
async fn main() -> appwrite_orm::Result<()> {
    let (db, dir) = open(EXAMPLE, &["authors", "posts", "comments"]).await?;
    let options = MigrateOptions::default().backups_in(dir.join("backups"));
    deploy_version_one(&db, &options).await?;

    println!("== the current version: db.migrate()");
    let report = db.migrate_with(options.clone()).await?;
    print!("{report}");

    let posts = db.table::<Post>();
    println!("\nwhat the data looks like now:");
    for p in posts
        .query()
        .filter(Post::ID.is_in(["post-000", "post-004", "post-005", "post-040"]))
        .order(Post::ID.asc())
        .all()
        .await?
    {
        println!(
            "  {}: {:<20} slug {:<22} author {:<14} {:?}, {} views",
            p.id.as_str(),
            p.title,
            p.slug,
            p.author_id,
            p.status,
            p.view_count
        );
    }
    let by_author = posts
        .query()
        .filter(Post::AUTHOR_ID.eq("author-3"))
        .count()
        .await?;
    let orphaned = posts
        .query()
        .filter(Post::AUTHOR_ID.eq(PLACEHOLDER_AUTHOR))
        .count()
        .await?;
    println!("author-3 has {by_author} posts; {orphaned} posts went to {PLACEHOLDER_AUTHOR:?}");

    // The new table, with a nested comment.
    let comments = db.table::<Comment>();
    let comment = |id: &str, content: &str, parent: Option<&str>| Comment {
        id: RowId::new(id).expect("a valid id"),
        post_id: "post-005".into(),
        author_name: "Reader".into(),
        author_email: "reader@example.com".into(),
        content: content.into(),
        is_approved: false,
        parent_comment_id: parent.map(str::to_owned),
    };
    comments
        .insert_many(&[
            comment("c1", "Nice post.", None),
            comment("c2", "Agreed.", Some("c1")),
        ])
        .await?;
    let on_post = comments
        .query()
        .filter(Comment::POST_ID.eq("post-005"))
        .count()
        .await?;
    println!("post-005 has {on_post} comments in the new table");

    // The unique index of version 3 holds.
    let duplicate = db
        .rows("posts")
        .update("post-001", &doc(json!({"slug": "hello-world"})))
        .await;
    match duplicate {
        Err(e) if e.is_conflict() => println!("a second post with slug \"hello-world\": {e}"),
        Err(e) => return Err(e),
        Ok(_) => {
            return Err(Error::Internal(
                "the unique slug index let a duplicate in".into(),
            ));
        }
    }

    let again = db.migrate_with(options).await?;
    print!("\n== the next boot: db.migrate()\n{again}");
    Ok(())
}
