//! `relations`: every book with its author's name, read three ways from the same tables over
//! HTTP:
//!
//! - baseline A, the N+1 pattern of the TypeScript library's users (it has no relationships):
//!   the books in offset pages of 100 (the page of the seed's own exports), then one `get` of
//!   the author per book, each awaited before the next;
//! - baseline B, the batched application-side join the crate offered before relationships:
//!   the books typed, then
//!   [`TableHandle::referenced_by`](appwrite_orm::TableHandle::referenced_by) on their
//!   plain `author_id` column, one `equal("$id", [...])` request per 500 authors;
//! - appwrite-orm, `db.table::<Book>().query().with(Book::AUTHOR).all()`: Appwrite loads the
//!   authors in the same page requests. The typed query also selects the ids of the author's
//!   own relationships (`author.books.$id`, so that `Author::books` is never read empty), which
//!   makes the server load every loaded author's books too;
//! - for comparison, the same pages read untyped with only `select(["*", "author.*"])`: what
//!   those twin ids cost, measured in the same run.

use std::time::Instant;

use appwrite_orm::Database;
use appwrite_orm::prelude::*;
use serde_json::Value;

use super::{Check, Outcome, Scenario, Settings};
use crate::BenchResult;
use crate::harness::{Measured, Server};
use crate::print::{self, Table, divide};
use crate::shelf::{self, AUTHORS, AuthorRecord, BOOKS, Book, BookRecord, Shelf};

/// The one database every side reads: the same rows for all three.
const DATABASE: &str = "shelf";

/// The baseline's page of books: the seed pages its exports with offsets, 100 rows a page.
const SEED_PAGE: u64 = 100;

/// What a side read: each book's id with the name of the author it found (`None`: none).
type Read = Vec<(String, Option<String>)>;

/// Runs the scenario.
pub async fn run(settings: &Settings) -> BenchResult<Outcome> {
    let shelf = Shelf::of(settings.rows_or(2_000, 200));
    let latency = settings.latency();
    print_header(shelf, latency);
    let server = Server::start(latency, std::time::Duration::ZERO).await?;
    let setup = Instant::now();
    shelf::write(&server.direct(DATABASE).await?, shelf).await?;
    println!(
        "setup (not timed, direct to the engine): {} s",
        print::seconds(setup.elapsed().as_secs_f64())
    );

    let db = server.over_http(DATABASE);
    let (a_read, a) = server.measure(n_plus_one(&db)).await?;
    let (b_read, b) = server.measure(batched_join(&db)).await?;
    let (our_read, ours) = server.measure(loaded_with_the_page(&db)).await?;
    let (untyped_read, untyped) = server.measure(loaded_untyped(&db)).await?;
    server.shutdown().await;

    let expected = shelf.expected();
    let mut checks = Vec::new();
    for (label, read) in [
        ("baseline A", &a_read),
        ("baseline B", &b_read),
        ("appwrite-orm", &our_read),
        ("appwrite-orm untyped", &untyped_read),
    ] {
        checks.push(Check::new(
            format!("{label}: books read"),
            shelf.books,
            read.len() as u64,
        ));
        checks.push(Check::new(
            format!("{label}: books with their author's name"),
            shelf.books,
            shelf::books_with_their_author(&expected, read),
        ));
    }
    print_results(
        shelf,
        latency,
        &ours,
        &[
            ("A: N+1 gets (seed pattern)", &a),
            ("B: referenced_by (batched join)", &b),
            ("appwrite-orm with(Book::AUTHOR)", &ours),
            ("untyped select(*, author.*)", &untyped),
        ],
    );
    Ok(Outcome {
        scenario: Scenario::Relations,
        summary: format!(
            "relations: {} faster than N+1 gets ({} vs {} requests), {} the batched join's speed \
             ({} vs {} requests; untyped without the twin ids: {})",
            print::speedup(&a, &ours),
            print::count(ours.requests),
            print::count(a.requests),
            print::speedup(&b, &ours),
            print::count(ours.requests),
            print::count(b.requests),
            print::speedup(&b, &untyped),
        ),
        checks,
    })
}

/// Baseline A: offset pages of books, then the author of each book, one `get` at a time.
async fn n_plus_one(db: &Database) -> BenchResult<Read> {
    let books = db.rows(BOOKS);
    let authors = db.rows(AUTHORS);
    let mut read = Vec::new();
    let mut offset = 0;
    loop {
        let page = books
            .query()
            .with(Query::limit(SEED_PAGE))
            .with(Query::offset(offset))
            .page()
            .await?
            .items;
        for book in &page {
            let name = match book.get("author_id").and_then(Value::as_str) {
                Some(id) => authors
                    .get(id)
                    .await?
                    .and_then(|a| a.get("name").and_then(Value::as_str).map(str::to_owned)),
                None => None,
            };
            read.push((book.id().to_owned(), name));
        }
        if (page.len() as u64) < SEED_PAGE {
            return Ok(read);
        }
        offset += SEED_PAGE;
    }
}

/// Baseline B: every book typed, then their authors in batches of 500 ids.
async fn batched_join(db: &Database) -> BenchResult<Read> {
    let books = db.table::<BookRecord>().all().await?;
    let authors = db
        .table::<AuthorRecord>()
        .referenced_by(&books, BookRecord::AUTHOR_ID)
        .await?;
    Ok(books
        .iter()
        .map(|b| {
            let name = authors.get(b.author_id.as_str()).map(|a| a.name.clone());
            (b.id.to_string(), name)
        })
        .collect())
}

/// appwrite-orm: the books with their authors, loaded by Appwrite in the same pages.
async fn loaded_with_the_page(db: &Database) -> BenchResult<Read> {
    let books = db.table::<Book>().query().with(Book::AUTHOR).all().await?;
    Ok(books
        .iter()
        .map(|b| {
            let name = b.author.as_ref().and_then(Ref::row).map(|a| a.name.clone());
            (b.id.to_string(), name)
        })
        .collect())
}

/// The same pages untyped, selecting the authors without the ids of their own relationships.
async fn loaded_untyped(db: &Database) -> BenchResult<Read> {
    let books = db
        .rows(BOOKS)
        .query()
        .with(Query::select(["*", "author.*"]))
        .all()
        .await?;
    Ok(books
        .iter()
        .map(|b| {
            let name = b
                .get("author")
                .and_then(|a| a.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            (b.id().to_owned(), name)
        })
        .collect())
}

fn print_header(shelf: Shelf, latency: std::time::Duration) {
    print::header(
        "relations",
        &[
            ("books", print::count(shelf.books)),
            (
                "authors",
                format!("{} (manyToOne, two-way)", print::count(shelf.authors)),
            ),
            ("latency", format!("{} ms", latency.as_millis())),
            (
                "baselines",
                "A: N+1 gets; B: referenced_by, 500 ids a request".to_owned(),
            ),
        ],
    );
}

/// Each side's seconds and requests, the time its round trips alone take (every side sends one
/// request at a time), and how many times faster `ours` ran.
fn print_results(
    shelf: Shelf,
    latency: std::time::Duration,
    ours: &Measured,
    sides: &[(&str, &Measured)],
) {
    let mut table = Table::new(&[
        "",
        "seconds",
        "server requests",
        "requests x latency",
        "books/s",
        "with() faster by",
    ]);
    for (label, m) in sides {
        table.row(vec![
            (*label).to_owned(),
            print::seconds(m.seconds),
            print::count(m.requests),
            print::seconds(m.requests as f64 * latency.as_secs_f64()),
            print::count(divide(shelf.books as f64, m.seconds) as u64),
            print::speedup(m, ours),
        ]);
    }
    table.print();
}
