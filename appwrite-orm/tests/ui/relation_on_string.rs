use appwrite_orm::prelude::*;

#[derive(Table)]
struct Post {
    #[column(relation(table = "authors"))]
    author: String,
    #[column(relation(table = "tags", kind = many_to_one))]
    tags: Vec<RowId>,
    #[column(relation(kind = one_to_many))]
    editors: Vec<RowId>,
}

fn main() {}
