//! The seed's migration scenarios (`seed/migration-examples.md`) as versioned migrations, each
//! run on the embedded engine and over HTTP through the emulator: an "old binary" creates the
//! schema and data of version 1, the "new binary" migrates it, and the data is checked.
//!
//! 1. Users get new fields with defaults.
//! 2. Product prices stored as strings become numbers; unconvertible prices are reported; the
//!    old column is dropped later, backed up first.
//! 3. A blog gets author ids resolved from emails, unique slugs, a comments table (1,000 posts;
//!    the request count is printed).
//! 4. Member profiles are normalised (emails, names, phones), get statistics and unique slugs.

#![allow(clippy::duplicated_attributes)]

mod migrate_support;

use std::collections::HashMap;

use appwrite_orm::backend::Document;
use appwrite_orm::migrate::{Migrator, OpClass, registered_in};
use appwrite_orm::prelude::*;
use migrate_support::{Fixture, Kind};
use serde_json::{Value, json};

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

/// `Hello, World!` → `hello-world`, as the seed's `generateSlug`.
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

/// A slug not in `taken`: the base, then `base-1`, `base-2`, ...
fn unique_slug(taken: &mut HashMap<String, ()>, base: &str) -> String {
    let base = if base.is_empty() { "item" } else { base };
    let mut slug = base.to_owned();
    let mut n = 0;
    while taken.contains_key(&slug) {
        n += 1;
        slug = format!("{base}-{n}");
    }
    taken.insert(slug.clone(), ());
    slug
}

// --- scenario 1: new fields with defaults ---------------------------------------------------------

mod add_fields {
    use super::*;

    pub const PREFERENCES: &str = r#"{"theme":"light","notifications":true,"language":"en"}"#;

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
        #[column(text, since = 2)]
        pub preferences: Option<String>,
    }

    #[migration(version = 2, name = "user preferences")]
    async fn user_preferences(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
        m.table::<User>()
            .backfill(User::PREFERENCES.is_null(), |_| {
                User::patch().preferences(PREFERENCES)
            })
            .await?;
        Ok(())
    }
}

async fn add_fields_with_defaults(kind: Kind) {
    use add_fields::User;
    let f = Fixture::new(kind).await;
    let binary = || {
        Migrator::new(
            [User::schema()],
            registered_in("migrate_scenarios::add_fields"),
        )
        .with_options(f.options())
    };
    // The old binary: version 1 only.
    binary()
        .with_options(f.options().target(1))
        .run(&f.db)
        .await
        .unwrap();
    let users: Vec<Document> = (0..250)
        .map(|i| doc(json!({"$id": format!("u{i:03}"), "name": format!("User {i}"), "email": format!("user{i}@example.com")})))
        .collect();
    f.db.rows("users").insert_many(&users).await.unwrap();

    let report = binary().run(&f.db).await.unwrap();
    let v2 = report.version(2).expect("version 2 ran");
    let ops: Vec<&str> = v2.schema.iter().map(|o| o.description.as_str()).collect();
    assert_eq!(
        ops,
        [
            "add column users.phone varchar(20)",
            "add column users.birth_date datetime",
            "add column users.is_verified boolean",
            "add column users.preferences text",
            "write default false into users.is_verified of existing rows",
        ]
    );
    assert!(v2.schema.iter().all(|o| o.class == OpClass::Additive));
    assert_eq!(
        v2.schema[4].rows,
        Some(250),
        "the default is stored, not just read"
    );
    assert_eq!(v2.backfills[0].written, 250);
    assert_eq!(v2.rows_touched, 500);

    let table = f.db.table::<User>();
    // A filter on the new column sees the old rows: Appwrite alone would leave them null.
    assert_eq!(
        table
            .query()
            .filter(User::IS_VERIFIED.eq(false))
            .count()
            .await
            .unwrap(),
        250
    );
    assert_eq!(
        table
            .query()
            .filter(User::PREFERENCES.is_null())
            .count()
            .await
            .unwrap(),
        0
    );
    let one = table.get("u007").await.unwrap().unwrap();
    assert_eq!(one.preferences.as_deref(), Some(add_fields::PREFERENCES));
    assert_eq!(one.phone, None);
    // Rows created by the new code get the default from Appwrite.
    let created = table
        .create(&User {
            id: RowId::new("new").unwrap(),
            name: "New".into(),
            email: "new@example.com".into(),
            phone: Some("+15550100".into()),
            birth_date: None,
            is_verified: false,
            preferences: None,
        })
        .await
        .unwrap();
    assert!(!created.is_verified);
}

// --- scenario 2: price strings become numbers -------------------------------------------------------

mod price {
    use super::*;

    /// The old binary's products: the price is text.
    pub mod v1 {
        use appwrite_orm::prelude::*;

        #[derive(Table, Debug, Clone)]
        #[table(id = "products", name = "Products")]
        pub struct Product {
            #[column(id)]
            pub id: RowId,
            #[column(size = 200)]
            pub name: String,
            #[column(size = 32)]
            pub price: String,
            #[column(size = 64)]
            pub category: String,
        }
    }

    /// The new binary's products: the price is a number under a new key; the text column is
    /// converted in version 2 and dropped in version 3.
    #[derive(Table, Debug, Clone)]
    #[table(id = "products", name = "Products")]
    pub struct Product {
        #[column(id)]
        pub id: RowId,
        #[column(size = 200)]
        pub name: String,
        #[column(size = 64)]
        pub category: String,
        #[column(min = 0, since = 2)]
        pub price_value: Option<f64>,
        #[column(size = 2000, since = 2)]
        pub description: Option<String>,
        #[column(default = true, since = 2)]
        pub in_stock: bool,
        #[column(since = 2)]
        pub tags: Vec<String>,
    }

    /// The seed's `parseFloat(price.replace(/[^0-9.-]+/g, ''))`, refusing what is no number.
    pub fn parse_price(value: &Value) -> Result<Value, String> {
        let text = value.as_str().ok_or("the price is not text")?;
        let kept: String = text
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
            .collect();
        kept.parse::<f64>()
            .map(Value::from)
            .map_err(|_| format!("{text:?} is not a price"))
    }

    #[migration(version = 2, name = "price to number")]
    async fn price_to_number(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
        let to = Product::schema()
            .find_column("price_value")
            .unwrap()
            .clone();
        m.convert_column("products", "price", to, parse_price)
            .await?;
        Ok(())
    }

    #[migration(version = 3, name = "drop text price")]
    async fn drop_text_price(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
        m.drop_column("products", "price").await?;
        Ok(())
    }
}

async fn price_strings_become_numbers(kind: Kind) {
    let f = Fixture::new(kind).await;
    Migrator::new([price::v1::Product::schema()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let prices = [
        "$12.99", "7", "1,299.00", "abc", "0.5", "N/A", "€3", "twelve",
    ];
    let products: Vec<Document> = (0..40)
        .map(|i| {
            doc(json!({
                "$id": format!("p{i:02}"),
                "name": format!("Product {i}"),
                "price": prices[i % prices.len()],
                "category": "misc",
            }))
        })
        .collect();
    f.db.rows("products").insert_many(&products).await.unwrap();

    let report = Migrator::new(
        [price::Product::schema()],
        registered_in("migrate_scenarios::price"),
    )
    .with_options(f.options())
    .run(&f.db)
    .await
    .unwrap();

    let v2 = report.version(2).unwrap();
    let conversion = &v2.conversions[0];
    assert_eq!(conversion.converted, 25);
    assert_eq!(conversion.unconvertible_total, 15);
    let reported: Vec<(&str, &Value, &str)> = conversion
        .unconvertible
        .iter()
        .take(3)
        .map(|u| (u.row_id.as_str(), &u.value, u.reason.as_str()))
        .collect();
    assert_eq!(
        reported,
        [
            ("p03", &json!("abc"), "\"abc\" is not a price"),
            ("p05", &json!("N/A"), "\"N/A\" is not a price"),
            ("p07", &json!("twelve"), "\"twelve\" is not a price"),
        ]
    );
    let in_stock_fill = v2
        .schema
        .iter()
        .find(|o| o.description.contains("in_stock of existing rows"))
        .unwrap();
    assert_eq!(in_stock_fill.rows, Some(40));

    // Version 3 dropped the text column, after a backup of every value.
    let v3 = report.version(3).unwrap();
    assert_eq!(v3.schema[0].description, "drop column products.price");
    assert_eq!(v3.schema[0].class, OpClass::Destructive);
    let backup = &v3.backups[0];
    assert_eq!(backup.rows, 40);
    let text = std::fs::read_to_string(&backup.path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 40);
    assert_eq!(lines[0]["$id"], "p00");
    assert_eq!(lines[0]["price"], "$12.99");
    assert_eq!(lines[3]["price"], "abc");
    assert!(
        lines[0].get("name").is_none(),
        "only the dropped column is backed up"
    );

    let live = f.db.backend().get_table("app", "products").await.unwrap();
    assert!(live.column("price").is_none());
    let table = f.db.table::<price::Product>();
    let p0 = table.get("p00").await.unwrap().unwrap();
    assert_eq!(p0.price_value, Some(12.99));
    assert!(p0.in_stock);
    assert_eq!(
        table.get("p02").await.unwrap().unwrap().price_value,
        Some(1299.0)
    );
    assert_eq!(
        table.get("p06").await.unwrap().unwrap().price_value,
        Some(3.0)
    );
    assert_eq!(table.get("p03").await.unwrap().unwrap().price_value, None);
    assert!(report.extras.is_empty(), "{:?}", report.extras);
}

// --- scenario 3: the blog ----------------------------------------------------------------------

mod blog {
    use super::*;

    pub mod v1 {
        use appwrite_orm::prelude::*;

        #[derive(Table, Debug, Clone)]
        #[table(id = "authors", name = "Authors")]
        pub struct Author {
            #[column(id)]
            pub id: RowId,
            #[column(size = 128)]
            pub name: String,
            #[column(email)]
            pub email: String,
        }

        #[derive(Table, Debug, Clone)]
        #[table(id = "posts", name = "Posts")]
        pub struct Post {
            #[column(id)]
            pub id: RowId,
            #[column(size = 255)]
            pub title: String,
            #[column(text)]
            pub content: String,
            #[column(email)]
            pub author_email: String,
        }
    }

    #[derive(ColumnEnum, Debug, Clone, Copy, PartialEq, Eq)]
    #[column_enum(rename_all = "lowercase")]
    pub enum PostStatus {
        Draft,
        Published,
        Archived,
    }

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
        #[column(text, since = 2)]
        pub social_links: Option<String>,
        #[column(default = true, since = 2)]
        pub is_active: bool,
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
        #[column(email)]
        pub author_email: String,
        /// Required: created optional, filled by version 2's step, then made required.
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
        #[column(size = 36)]
        pub parent_comment_id: Option<String>,
    }

    pub fn tables() -> [&'static appwrite_orm::schema::TableSchema; 3] {
        [Author::schema(), Post::schema(), Comment::schema()]
    }

    /// Authors get social links; posts get their author's id (from the email), a unique slug,
    /// the published status and date. Resumable: slugs taken by an earlier attempt are read
    /// first.
    #[migration(version = 2, name = "link posts to authors")]
    async fn link_posts(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
        m.table::<Author>()
            .backfill(Author::SOCIAL_LINKS.is_null(), |_| {
                Author::patch().social_links("{}")
            })
            .await?;
        let authors = m.table::<Author>().all().await?;
        let by_email: HashMap<String, String> = authors
            .iter()
            .map(|a| (a.email.to_lowercase(), a.id.to_string()))
            .collect();
        let mut taken: HashMap<String, ()> = m
            .rows("posts")
            .query()
            .with(Query::is_not_null("slug"))
            .with(Query::select(["slug"]))
            .all()
            .await?
            .iter()
            .filter_map(|r| Some((r.get("slug")?.as_str()?.to_owned(), ())))
            .collect();
        let now = chrono::Utc::now();
        m.rows("posts")
            .backfill(vec![Query::is_null("author_id")], |row| {
                let email = row.get("author_email")?.as_str()?.to_lowercase();
                // An unknown author leaves the post without one: the required check after
                // the step then names how many.
                let author_id = by_email.get(&email)?;
                let title = row.get("title")?.as_str()?;
                let slug = unique_slug(&mut taken, &slugify(title));
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
}

/// 50 authors, 1,000 posts whose titles repeat (so slugs need suffixes).
async fn seed_blog(f: &Fixture) {
    Migrator::new([blog::v1::Author::schema(), blog::v1::Post::schema()], [])
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let authors: Vec<Document> = (0..50)
        .map(|i| doc(json!({"$id": format!("a{i:02}"), "name": format!("Author {i}"), "email": format!("Author{i}@Example.com")})))
        .collect();
    f.db.rows("authors").insert_many(&authors).await.unwrap();
    let titles = [
        "Hello, World!",
        "Rust & Appwrite",
        "Migrations at boot",
        "Why cursors?",
    ];
    let posts: Vec<Document> = (0..1000)
        .map(|i| {
            doc(json!({
                "$id": format!("p{i:04}"),
                "title": titles[i % titles.len()],
                "content": format!("Post number {i}"),
                "author_email": format!("author{}@example.com", i % 50),
            }))
        })
        .collect();
    f.db.rows("posts").insert_many(&posts).await.unwrap();
}

async fn blog_gets_authors_slugs_and_comments(kind: Kind) {
    let f = Fixture::new(kind).await;
    seed_blog(&f).await;
    f.counter.reset();
    let report = Migrator::new(blog::tables(), registered_in("migrate_scenarios::blog"))
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    println!(
        "blog on 1,000 posts over {kind:?}: {} requests ({:?}), {} rows touched, {} ms\n{report}",
        f.counter.requests(),
        f.counter.by_operation(),
        report.rows_touched(),
        report.duration.as_millis()
    );
    assert_eq!(report.requests, f.counter.requests());
    assert_eq!((report.from_version, report.to_version), (1, 3));
    let v2 = report.version(2).unwrap();
    assert!(
        v2.schema
            .iter()
            .any(|o| o.description == "make posts.author_id required")
    );
    assert!(
        v2.schema
            .iter()
            .any(|o| o.description == "make posts.slug required")
    );
    assert!(
        v2.schema
            .iter()
            .any(|o| o.description.starts_with("create table comments"))
    );
    assert_eq!(v2.backfills[0].written, 50);
    assert_eq!(v2.backfills[1].written, 1000);
    let v3 = report.version(3).unwrap();
    assert_eq!(v3.name, "schema");
    assert_eq!(
        v3.schema[0].description,
        "add index posts.by_slug unique (slug)"
    );

    let posts = f.db.table::<blog::Post>().all().await.unwrap();
    assert_eq!(posts.len(), 1000);
    let mut slugs: Vec<&str> = posts.iter().map(|p| p.slug.as_str()).collect();
    slugs.sort_unstable();
    slugs.dedup();
    assert_eq!(slugs.len(), 1000, "slugs are unique");
    let p5 = posts.iter().find(|p| p.id.as_str() == "p0005").unwrap();
    assert_eq!(p5.author_id, "a05");
    assert_eq!(p5.slug, "rust-appwrite-1");
    assert_eq!(p5.status, blog::PostStatus::Published);
    assert!(p5.published_at.is_some());
    assert_eq!(p5.view_count, 0);
    let live = f.db.backend().get_table("app", "posts").await.unwrap();
    assert!(live.column("author_id").unwrap().schema.required);
    assert!(live.index("by_slug").is_some());
    let authors = f.db.table::<blog::Author>().all().await.unwrap();
    assert!(
        authors
            .iter()
            .all(|a| a.is_active && a.social_links.as_deref() == Some("{}"))
    );

    // The new table works, and the unique slug index holds.
    f.db.table::<blog::Comment>()
        .create(&blog::Comment {
            id: RowId::new("c1").unwrap(),
            post_id: "p0005".into(),
            author_name: "Reader".into(),
            author_email: "reader@example.com".into(),
            content: "Nice".into(),
            is_approved: false,
            parent_comment_id: None,
        })
        .await
        .unwrap();
    let dup =
        f.db.rows("posts")
            .update("p0001", &doc(json!({"slug": "hello-world"})))
            .await
            .unwrap_err();
    assert!(dup.is_conflict(), "{dup}");

    // The next boot is one request.
    f.counter.reset();
    let again = Migrator::new(blog::tables(), registered_in("migrate_scenarios::blog"))
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    assert!(again.nothing_pending);
    assert_eq!(f.counter.requests(), 1);
    println!(
        "second boot over {kind:?}: {} request",
        f.counter.requests()
    );
}

async fn blog_replays_on_a_fresh_database(kind: Kind) {
    let f = Fixture::new(kind).await;
    let report = Migrator::new(blog::tables(), registered_in("migrate_scenarios::blog"))
        .with_options(f.options())
        .run(&f.db)
        .await
        .unwrap();
    let versions: Vec<u32> = report.versions.iter().map(|v| v.version).collect();
    assert_eq!(versions, [1, 2, 3]);
    assert_eq!(report.from_version, 0);
    assert!(report.versions[1].step_ran);
    assert_eq!(report.rows_touched(), 0);
    let tables = f.db.backend().list_tables("app", &[]).await.unwrap();
    let mut ids: Vec<&str> = tables.items.iter().map(|t| t.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["authors", "comments", "orm_migrations", "posts"]);
    // Everything declared exists, and is available.
    for schema in blog::tables() {
        let live = f.db.backend().get_table("app", &schema.id).await.unwrap();
        for column in &schema.columns {
            let c = live
                .column(&column.key)
                .unwrap_or_else(|| panic!("{}", column.key));
            assert_eq!(c.status, appwrite_orm::backend::ColumnStatus::Available);
            assert_eq!(c.schema.required, column.required, "{}", column.key);
        }
        for index in &schema.indexes {
            assert!(live.index(&index.key).is_some(), "{}", index.key);
        }
    }
}

// --- scenario 4: normalised member profiles ---------------------------------------------------------

mod profiles {
    use super::*;

    #[derive(Table, Debug, Clone)]
    #[table(id = "members", name = "Members")]
    #[index(key = "member_slug", unique, columns(slug), since = 3)]
    pub struct Member {
        #[column(id)]
        pub id: RowId,
        #[column(size = 128)]
        pub name: String,
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
        #[column(text, since = 2)]
        pub stats: Option<String>,
        #[column(min = 0, default = 0, since = 2)]
        pub reputation: i64,
        #[column(default = true, since = 2)]
        pub is_active: bool,
        #[column(since = 2)]
        pub last_active_at: Option<DateTime>,
    }

    #[derive(Table, Debug, Clone)]
    #[table(id = "member_posts", name = "Member posts")]
    pub struct MemberPost {
        #[column(id)]
        pub id: RowId,
        #[column(size = 36)]
        pub author_id: String,
    }

    #[derive(Table, Debug, Clone)]
    #[table(id = "member_comments", name = "Member comments")]
    pub struct MemberComment {
        #[column(id)]
        pub id: RowId,
        #[column(size = 254)]
        pub author_email: String,
    }

    pub fn tables() -> [&'static appwrite_orm::schema::TableSchema; 3] {
        [
            Member::schema(),
            MemberPost::schema(),
            MemberComment::schema(),
        ]
    }

    /// The seed's `normalizePhoneNumber`.
    pub fn normalise_phone(phone: &str) -> String {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        match digits.len() {
            10 => format!("+1{digits}"),
            11 if digits.starts_with('1') => format!("+{digits}"),
            _ => phone.to_owned(),
        }
    }

    /// The seed's title case.
    pub fn title_case(name: &str) -> String {
        name.split(' ')
            .map(|w| {
                let mut chars = w.chars();
                match chars.next() {
                    Some(first) => {
                        first.to_uppercase().collect::<String>() + &chars.as_str().to_lowercase()
                    }
                    None => String::new(),
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Emails lowercase, names title case, phones international, display names, statistics
    /// and reputation from the posts and comments, unique slugs; one pass over the members.
    #[migration(version = 2, name = "normalise profiles")]
    async fn normalise_profiles(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
        let mut posts: HashMap<String, i64> = HashMap::new();
        for p in m.table::<MemberPost>().all().await? {
            *posts.entry(p.author_id).or_default() += 1;
        }
        let mut comments: HashMap<String, i64> = HashMap::new();
        for c in m.table::<MemberComment>().all().await? {
            *comments.entry(c.author_email.to_lowercase()).or_default() += 1;
        }
        let mut taken: HashMap<String, ()> = HashMap::new();
        m.rows("members")
            .backfill(vec![Query::is_null("slug")], |row| {
                let email = row.get("email")?.as_str()?.to_lowercase();
                let name = title_case(row.get("name")?.as_str()?);
                let display = if name.is_empty() {
                    email.split('@').next().unwrap_or_default().to_owned()
                } else {
                    name.clone()
                };
                let post_count = posts.get(row.id()).copied().unwrap_or(0);
                let comment_count = comments.get(&email).copied().unwrap_or(0);
                let stats = json!({"postsCount": post_count, "commentsCount": comment_count});
                let mut change = Document::new();
                if let Some(phone) = row.get("phone").and_then(Value::as_str) {
                    change.insert("phone".into(), normalise_phone(phone).into());
                }
                change.insert(
                    "slug".into(),
                    unique_slug(&mut taken, &slugify(&display)).into(),
                );
                change.insert("email".into(), email.into());
                change.insert("name".into(), name.into());
                change.insert("display_name".into(), display.into());
                change.insert("stats".into(), stats.to_string().into());
                change.insert(
                    "reputation".into(),
                    (post_count * 10 + comment_count * 2).into(),
                );
                Some(change)
            })
            .await?;
        Ok(())
    }
}

async fn profiles_are_normalised(kind: Kind) {
    use profiles::Member;
    let f = Fixture::new(kind).await;
    let binary = || {
        Migrator::new(
            profiles::tables(),
            registered_in("migrate_scenarios::profiles"),
        )
        .with_options(f.options())
    };
    binary()
        .with_options(f.options().target(1))
        .run(&f.db)
        .await
        .unwrap();
    let members = [
        (
            "m1",
            "ada LOVELACE",
            "Ada@Example.COM",
            Some("(555) 010-0100"),
        ),
        (
            "m2",
            "grace hopper",
            "grace@example.com",
            Some("1 555 010 0101"),
        ),
        (
            "m3",
            "ada lovelace",
            "ada2@example.com",
            Some("+44 20 7946 0958"),
        ),
        ("m4", "", "nobody@example.com", None),
    ];
    let rows: Vec<Document> = members
        .iter()
        .map(|(id, name, email, phone)| {
            doc(json!({"$id": id, "name": name, "email": email, "phone": phone}))
        })
        .collect();
    f.db.rows("members").insert_many(&rows).await.unwrap();
    let posts: Vec<Document> = (0..7)
        .map(|i| {
            doc(json!({"$id": format!("mp{i}"), "author_id": if i < 5 { "m1" } else { "m2" }}))
        })
        .collect();
    f.db.rows("member_posts").insert_many(&posts).await.unwrap();
    let comments: Vec<Document> = (0..3)
        .map(|i| doc(json!({"$id": format!("mc{i}"), "author_email": "ADA@example.com"})))
        .collect();
    f.db.rows("member_comments")
        .insert_many(&comments)
        .await
        .unwrap();

    let report = binary().run(&f.db).await.unwrap();
    assert_eq!(report.to_version, 3);
    let table = f.db.table::<Member>();
    let m1 = table.get("m1").await.unwrap().unwrap();
    assert_eq!(m1.name, "Ada Lovelace");
    assert_eq!(m1.email, "ada@example.com");
    assert_eq!(m1.phone.as_deref(), Some("+15550100100"));
    assert_eq!(m1.display_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(m1.slug.as_deref(), Some("ada-lovelace"));
    assert_eq!(m1.timezone, "UTC");
    assert_eq!(m1.reputation, 5 * 10 + 3 * 2);
    let stats: Value = serde_json::from_str(m1.stats.as_deref().unwrap()).unwrap();
    assert_eq!(stats, json!({"postsCount": 5, "commentsCount": 3}));
    let m2 = table.get("m2").await.unwrap().unwrap();
    assert_eq!(m2.phone.as_deref(), Some("+15550100101"));
    assert_eq!(m2.reputation, 20);
    let m3 = table.get("m3").await.unwrap().unwrap();
    assert_eq!(m3.slug.as_deref(), Some("ada-lovelace-1"));
    assert_eq!(
        m3.phone.as_deref(),
        Some("+44 20 7946 0958"),
        "not a US number: kept"
    );
    let m4 = table.get("m4").await.unwrap().unwrap();
    assert_eq!(m4.display_name.as_deref(), Some("nobody"));
    assert_eq!(m4.slug.as_deref(), Some("nobody"));
    assert!(m4.is_active);
    // Every row was stored with its defaults, so filters find them.
    let utc = table
        .query()
        .filter(Member::TIMEZONE.eq("UTC"))
        .count()
        .await
        .unwrap();
    assert_eq!(utc, 4);
    assert!(
        f.db.backend()
            .get_table("app", "members")
            .await
            .unwrap()
            .index("member_slug")
            .is_some()
    );
}

on_both_backends!(
    add_fields_with_defaults,
    price_strings_become_numbers,
    blog_gets_authors_slugs_and_comments,
    blog_replays_on_a_fresh_database,
    profiles_are_normalised,
);
