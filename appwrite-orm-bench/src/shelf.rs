//! The books and authors of the `relations` scenario: their models (with the relationship, and
//! without it as the crate's users wrote them before relationships), their rows, how they are
//! written before the clock starts, and the check that every book came back with its author.

use std::collections::{HashMap, HashSet};

use appwrite_orm::Database;
use appwrite_orm::backend::Document;
use appwrite_orm::prelude::*;
use appwrite_orm::schema::{ColumnKind, TableSchema};
use serde_json::json;

use crate::BenchResult;
use crate::data::document;

/// The books table id.
pub const BOOKS: &str = "books";
/// The authors table id.
pub const AUTHORS: &str = "authors";

/// Books per author: the default number of authors is the number of books over this.
pub const BOOKS_PER_AUTHOR: u64 = 10;

/// An author, with the twin of [`Book::author`] (Appwrite creates it with that relationship).
#[derive(Table, Debug, Clone)]
#[table(id = "authors", name = "Authors")]
pub struct Author {
    /// `a` and five digits.
    #[column(id)]
    pub id: RowId,
    /// Different for every author.
    #[column(size = 64)]
    pub name: String,
    /// The author's books: the twin side of the two-way relationship `books.author`.
    #[column(relation(table = "books", kind = many_to_one, twin, two_way_key = "author"))]
    pub books: Vec<Ref<Book>>,
}

/// A book, related (manyToOne, two-way) to its author, and carrying the author's id in a plain
/// column too, as applications without relationships keep it.
#[derive(Table, Debug, Clone)]
#[table(id = "books", name = "Books")]
pub struct Book {
    /// `b` and six digits.
    #[column(id)]
    pub id: RowId,
    /// `Book <i>`.
    #[column(size = 64)]
    pub title: String,
    /// The author's id in a plain column: what the baselines join on.
    pub author_id: RowId,
    /// The author through the relationship: what `with(Book::AUTHOR)` loads.
    #[column(relation(
        table = "authors",
        kind = many_to_one,
        on_delete = set_null,
        two_way_key = "books"
    ))]
    pub author: Option<Ref<Author>>,
}

/// A book as the crate's users modelled it before relationships: its author is a plain id.
#[derive(Table, Debug, Clone)]
#[table(id = "books", name = "Books")]
pub struct BookRecord {
    /// The book's id.
    #[column(id)]
    pub id: RowId,
    /// The title.
    #[column(size = 64)]
    pub title: String,
    /// The author's id.
    pub author_id: RowId,
}

/// An author as the crate's users modelled it before relationships.
#[derive(Table, Debug, Clone)]
#[table(id = "authors", name = "Authors")]
pub struct AuthorRecord {
    /// The author's id.
    #[column(id)]
    pub id: RowId,
    /// The name.
    #[column(size = 64)]
    pub name: String,
}

/// Words that make the authors' names differ beyond their number.
const WORDS: [&str; 6] = ["Amsel", "Birke", "Cedar", "Dune", "Ember", "Fjord"];

/// How many books and authors the scenario writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shelf {
    /// Books.
    pub books: u64,
    /// Authors; book `i` is by author `i % authors`.
    pub authors: u64,
}

impl Shelf {
    /// `books` books by one author per [`BOOKS_PER_AUTHOR`] books (at least one author).
    pub fn of(books: u64) -> Self {
        Shelf {
            books,
            authors: books.div_ceil(BOOKS_PER_AUTHOR).max(1),
        }
    }

    /// The author of book `i`.
    pub fn author_of(&self, book: u64) -> u64 {
        book % self.authors
    }

    /// Every book's id with its author's name: what each side must read back.
    pub fn expected(&self) -> HashMap<String, String> {
        (0..self.books)
            .map(|i| (book_id(i), author_name(self.author_of(i))))
            .collect()
    }
}

/// The id of book `i`.
pub fn book_id(i: u64) -> String {
    format!("b{i:06}")
}

/// The id of author `j`.
pub fn author_id(j: u64) -> String {
    format!("a{j:05}")
}

/// The name of author `j`.
pub fn author_name(j: u64) -> String {
    let word = WORDS[(j % WORDS.len() as u64) as usize];
    format!("{word} Author {j}")
}

/// Writes the shelf into `db` (meant to be reached directly, through the engine) the fastest
/// way Appwrite's rules allow: both tables without the relationship, their rows in bulk (100 a
/// request), then the relationship column (with its twin on `authors`), then one write per
/// author setting its list of books. Bulk writes are refused on tables with relationship
/// columns, so creating the books with their author would take one write per book instead: 10
/// times as many as linking from the authors' side.
pub async fn write(db: &Database, shelf: Shelf) -> BenchResult<()> {
    let backend = db.backend();
    backend
        .create_table(db.id(), &without_relations(Author::schema()))
        .await?;
    backend
        .create_table(db.id(), &without_relations(Book::schema()))
        .await?;
    let authors: Vec<Document> = (0..shelf.authors)
        .map(|j| document(json!({"$id": author_id(j), "name": author_name(j)})))
        .collect();
    db.rows(AUTHORS).insert_many(&authors).await?;
    let books: Vec<Document> = (0..shelf.books)
        .map(|i| {
            document(json!({
                "$id": book_id(i),
                "title": format!("Book {i}"),
                "author_id": author_id(shelf.author_of(i)),
            }))
        })
        .collect();
    db.rows(BOOKS).insert_many(&books).await?;
    let relationship = Book::schema()
        .find_column("author")
        .ok_or("the Book model has no `author` column")?;
    backend.create_column(db.id(), BOOKS, relationship).await?;
    let mut by_author: Vec<Vec<String>> = vec![Vec::new(); shelf.authors as usize];
    for i in 0..shelf.books {
        by_author[shelf.author_of(i) as usize].push(book_id(i));
    }
    for (j, books) in by_author.into_iter().enumerate() {
        db.rows(AUTHORS)
            .update(&author_id(j as u64), &document(json!({ "books": books })))
            .await?;
    }
    Ok(())
}

/// `schema` without its relationship columns.
fn without_relations(schema: &TableSchema) -> TableSchema {
    let mut plain = schema.clone();
    plain
        .columns
        .retain(|c| !matches!(c.kind, ColumnKind::Relationship(_)));
    plain
}

/// How many of the books read back (book id, author name found) carry the name `expected`
/// gives them, each book counted once however often it came back.
pub fn books_with_their_author(
    expected: &HashMap<String, String>,
    read: &[(String, Option<String>)],
) -> u64 {
    let mut right = HashSet::new();
    for (book, name) in read {
        if name.is_some() && expected.get(book) == name.as_ref() {
            right.insert(book.as_str());
        }
    }
    right.len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_author_gets_about_ten_books() {
        let shelf = Shelf::of(2_000);
        assert_eq!(shelf.authors, 200);
        assert_eq!(Shelf::of(5).authors, 1);
        assert_eq!(shelf.author_of(201), 1);
        assert_eq!(shelf.expected()[&book_id(201)], author_name(1));
    }

    #[test]
    fn the_check_counts_only_right_names_once() {
        let expected = Shelf::of(3).expected();
        let read = vec![
            (book_id(0), Some(author_name(0))),
            (book_id(0), Some(author_name(0))),
            (book_id(1), Some("someone else".to_owned())),
            (book_id(2), None),
            ("b999999".to_owned(), Some(author_name(0))),
        ];
        assert_eq!(books_with_their_author(&expected, &read), 1);
    }

    #[test]
    fn tables_are_first_created_without_the_relationship() {
        let books = without_relations(Book::schema());
        assert!(books.find_column("author_id").is_some());
        assert!(books.find_column("author").is_none());
        assert!(
            without_relations(Author::schema())
                .find_column("books")
                .is_none()
        );
    }
}
