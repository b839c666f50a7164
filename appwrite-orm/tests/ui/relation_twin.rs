use appwrite_orm::prelude::*;

#[derive(Table)]
struct Author {
    #[column(relation(table = "books", kind = many_to_one, twin))]
    books: Vec<Ref<Book>>,
    #[column(relation(table = "posts", kind = many_to_one, twin, two_way_key = "author"))]
    post: Option<Ref<Book>>,
}

#[derive(Table)]
struct Book {
    #[column(id)]
    id: RowId,
}

fn main() {}
