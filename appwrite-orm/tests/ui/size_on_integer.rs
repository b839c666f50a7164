use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(size = 10)]
    view_count: i64,
}

fn main() {}
