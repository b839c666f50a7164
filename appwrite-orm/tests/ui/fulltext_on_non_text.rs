use appwrite_orm::prelude::*;

#[derive(Table)]
#[index(key = "search", fulltext, columns(view_count))]
struct User {
    view_count: i64,
}

fn main() {}
