//! Relationships, typed (a library: authors, books, loans): version 1 of the application kept
//! each book's author as text (`author_name`) and related loans to books; version 2 turns the
//! denormalised names into an `authors` table and a two-way relationship `books.author` ↔
//! `authors.books`, linking every book; version 3 drops the text column after backing it up.
//! Then the run loads relations typed (`with(...)`), filters through one, and shows what
//! `onDelete` does: deleting a book deletes its loans (`cascade`), deleting an author leaves
//! its books without one (`setNull`).
//!
//! ```sh
//! cargo run --example library
//! APPWRITE_ENDPOINT=https://appwrite.example.com/v1 APPWRITE_PROJECT_ID=... \
//!   APPWRITE_API_KEY=... cargo run --example library   # the same on a real server
//! ```
//!
//! Every run starts over: on the embedded default the SQLite file under
//! `target/examples/library/` is deleted first; on a server (database `APPWRITE_DATABASE_ID`,
//! else `example-library`) the tables `loans`, `books`, `authors` and `orm_migrations` are
//! deleted first.

mod common;

use common::{doc, open};

use std::collections::BTreeMap;

use appwrite_orm::backend::Document;
use appwrite_orm::migrate::{MigrateOptions, Migrator};
use appwrite_orm::prelude::*;
use appwrite_orm::schema::{
    ColumnKind, ColumnSchema, OnDelete, RelationType, Relationship, TableSchema,
};
use serde_json::{Value, json};

const EXAMPLE: &str = "library";

#[derive(Table, Debug, Clone)]
#[table(id = "authors", name = "Authors", since = 2)]
pub struct Author {
    #[column(id)]
    pub id: RowId,
    #[column(size = 128)]
    pub name: String,
    /// The twin of `Book::author`: Appwrite creates it with that relationship.
    #[column(
        relation(table = "books", kind = many_to_one, twin, two_way_key = "author"),
        since = 2
    )]
    pub books: Vec<Ref<Book>>,
}

#[derive(Table, Debug, Clone)]
#[table(id = "books", name = "Books")]
pub struct Book {
    #[column(id)]
    pub id: RowId,
    #[column(size = 200)]
    pub title: String,
    /// Was `author_name`, a copy of the author's name on every book.
    #[column(
        relation(
            table = "authors",
            kind = many_to_one,
            on_delete = set_null,
            two_way_key = "books"
        ),
        since = 2
    )]
    pub author: Option<Ref<Author>>,
}

#[derive(Table, Debug, Clone)]
#[table(id = "loans", name = "Loans")]
pub struct Loan {
    #[column(id)]
    pub id: RowId,
    #[column(size = 100)]
    pub borrower: String,
    #[column(relation(table = "books", kind = many_to_one, on_delete = cascade))]
    pub book: Option<Ref<Book>>,
}

/// `Ursula K. Le Guin` → `ursula-k-le-guin`: the author's row id, so that a re-run of the step
/// finds the authors it made before.
fn author_id(name: &str) -> String {
    let mut id = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_matches('-').chars().take(36).collect()
}

#[migration(version = 2, name = "authors from names")]
async fn authors_from_names(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    // One author per distinct name (trimmed), made once even when the step runs again.
    let mut names = BTreeMap::new();
    for row in m
        .rows("books")
        .query()
        .with(Query::select(["author_name"]))
        .all()
        .await?
    {
        if let Some(name) = row.get("author_name").and_then(Value::as_str) {
            names.insert(author_id(name), name.trim().to_owned());
        }
    }
    let authors = m.table::<Author>();
    for (id, name) in &names {
        if authors.get(id).await?.is_none() {
            authors
                .create(&Author {
                    id: RowId::new(id.as_str())?,
                    name: name.clone(),
                    books: Vec::new(),
                })
                .await?;
        }
    }
    // Every book without an author gets the one its name names: one write per book, resumable.
    m.rows("books")
        .backfill(vec![Query::is_null("author")], |row| {
            let name = row.get("author_name").and_then(Value::as_str)?;
            Some(doc(json!({ "author": author_id(name) })))
        })
        .await?;
    Ok(())
}

#[migration(version = 3, name = "drop author names")]
async fn drop_author_names(m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    m.drop_column("books", "author_name").await?;
    Ok(())
}

/// The tables of version 1, as that version's binary declared them.
fn version_one() -> (TableSchema, TableSchema) {
    let books = TableSchema::new("books", "Books")
        .column(ColumnSchema::varchar("title", 200).required())
        .column(ColumnSchema::varchar("author_name", 128).required());
    let mut to_book = Relationship::new("books", RelationType::ManyToOne);
    to_book.on_delete = OnDelete::Cascade;
    let loans = TableSchema::new("loans", "Loans")
        .column(ColumnSchema::varchar("borrower", 100).required())
        .column(ColumnSchema::new("book", ColumnKind::Relationship(to_book)));
    (books, loans)
}

/// Version 1 of the application: books with their authors' names typed in each, and loans.
async fn deploy_version_one(db: &Database, options: &MigrateOptions) -> appwrite_orm::Result<()> {
    let (books, loans) = version_one();
    let report = Migrator::new([&books, &loans], [])
        .with_options(options.clone())
        .run(db)
        .await?;
    println!("== version 1 of the application\n{report}");
    let shelf = [
        ("dispossessed", "The Dispossessed", "Ursula K. Le Guin"),
        ("earthsea", "A Wizard of Earthsea", "Ursula K. Le Guin "),
        (
            "left-hand",
            "The Left Hand of Darkness",
            "Ursula K. Le Guin",
        ),
        ("kindred", "Kindred", "Octavia E. Butler"),
        ("parable", "Parable of the Sower", "Octavia E. Butler"),
        ("solaris", "Solaris", "Stanisław Lem"),
    ];
    let books: Vec<Document> = shelf
        .iter()
        .map(|(id, title, author)| doc(json!({"$id": id, "title": title, "author_name": author})))
        .collect();
    // Loans relate to books: Appwrite takes such rows one request each.
    for book in &books {
        let mut data = book.clone();
        let id = data
            .remove("$id")
            .and_then(|v| v.as_str().map(str::to_owned));
        db.rows("books")
            .create(id.as_deref().unwrap_or("unique()"), &data)
            .await?;
    }
    for (i, (borrower, book)) in [
        ("Sam", "dispossessed"),
        ("Kim", "kindred"),
        ("Ana", "dispossessed"),
        ("Lee", "solaris"),
    ]
    .iter()
    .enumerate()
    {
        let data = doc(json!({"borrower": borrower, "book": book}));
        db.rows("loans").create(&format!("loan-{i}"), &data).await?;
    }
    println!("version 1 wrote {} books and 4 loans\n", books.len());
    Ok(())
}

#[tokio::main]
async fn main() -> appwrite_orm::Result<()> {
    let (db, dir) = open(EXAMPLE, &["loans", "books", "authors"]).await?;
    let options = MigrateOptions::default().backups_in(dir.join("backups"));
    deploy_version_one(&db, &options).await?;

    println!("== the current version: db.migrate()");
    let report = db.migrate_with(options.clone()).await?;
    print!("{report}");

    println!("\nauthors with their books (loaded through the twin, typed):");
    let authors = db.table::<Author>();
    for author in authors
        .query()
        .with(Author::BOOKS)
        .order(Author::NAME.asc())
        .all()
        .await?
    {
        let mut titles: Vec<&str> = author
            .books
            .iter()
            .filter_map(Ref::row)
            .map(|b| b.title.as_str())
            .collect();
        titles.sort_unstable();
        println!("  {:<20} {}", author.name, titles.join(", "));
    }

    println!("\nloans with their books and the books' authors:");
    let loans = db.table::<Loan>();
    for loan in loans
        .query()
        .with(Loan::BOOK)
        .order(Loan::ID.asc())
        .all()
        .await?
    {
        let book = loan.book.as_ref().and_then(Ref::row);
        let title = book.map_or("?", |b| b.title.as_str());
        let author = book
            .and_then(|b| b.author.as_ref())
            .map_or("?", |a| a.id().as_str());
        println!("  {} {:<4} {title} ({author})", loan.id, loan.borrower);
    }

    let books = db.table::<Book>();
    let by_butler = books
        .query()
        .filter(Book::AUTHOR.eq("octavia-e-butler"))
        .count()
        .await?;
    println!("\n{by_butler} books by Octavia E. Butler (a filter on the relationship)");

    books.delete("dispossessed").await?;
    println!(
        "deleted \"The Dispossessed\": {} loans left (its two went with it: cascade)",
        loans.count().await?
    );
    authors.delete("stanis-aw-lem").await?;
    let solaris = books.get("solaris").await?;
    println!(
        "deleted Stanisław Lem: Solaris is still there, without an author: {}",
        solaris.is_some_and(|b| b.author.is_none())
    );
    Ok(())
}
